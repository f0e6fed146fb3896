class EventError(Exception):
    """An event change could not be made; the message says why, fit to show a person."""
