class ConsoleError(Exception):
    """A union console action could not be done; the message says why."""
