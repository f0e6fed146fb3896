class MembershipError(Exception):
    """A membership change could not be made; the message says why, fit to show a person."""
