class NewsError(Exception):
    """An article could not be changed; the message says why, fit to show a person."""
