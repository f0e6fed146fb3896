class MailingError(Exception):
    """A mailing could not be changed or sent; the message says why, fit to show a person."""
