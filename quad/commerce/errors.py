class OrderError(Exception):
    """A purchase, payment or refund could not be made; the message says why, fit to show a person."""
