class SocietyError(Exception):
    """A society change could not be made; the message says why, fit to show a person."""
