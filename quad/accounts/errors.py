class AccountError(Exception):
    """Something a person asked of their account could not be done; the message says why."""
