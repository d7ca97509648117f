"""Exceptions raised by eventclass, each one saying what was wrong and what to do.

They all derive from :class:`EventclassError`, so callers can catch the
library's own failures without catching bugs.
"""


class EventclassError(Exception):
    """Base class of every error eventclass raises on purpose."""


class ModelLoadError(EventclassError):
    """A model folder or model id cannot be used: the message names it and the problem."""


class DataError(EventclassError, ValueError):
    """Input data is malformed: the message names the file, the line and the problem."""
