class ShopError(Exception):
    """A merch change could not be made; the message says why, fit to show a person."""
