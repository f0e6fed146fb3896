class ConductError(Exception):
    """A report or a case could not be changed; the message says why, fit to show a person."""
