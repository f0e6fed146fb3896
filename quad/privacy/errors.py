class PrivacyError(Exception):
    """A privacy request that cannot be carried out; the message says why, for the person asking."""
