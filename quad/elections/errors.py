class ElectionError(Exception):
    """An election action could not be done; the message says why, fit to show a person."""
