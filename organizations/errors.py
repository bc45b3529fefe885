class DomainError(Exception):
    """A user's action that the rules refuse; the message is Chinese and shown to the user as is."""
