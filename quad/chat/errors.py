class ChatError(Exception):
    """A chat action could not be done; the message says why, fit to show a person."""
