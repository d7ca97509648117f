"""eventclass: which political-military events a news sentence reports.

Example:
    >>> from eventclass import classify
    >>> classify("Rockets struck the US embassy in Baghdad on Friday.").labels  # doctest: +SKIP
    ('attack',)
"""

from .classifier import EventClassifier, classify
from .errors import DataError, EventclassError, ModelLoadError
from .labels import LABELS
from .prediction import Prediction

__version__ = "0.1.0"

__all__ = [
    "LABELS",
    "DataError",
    "EventClassifier",
    "EventclassError",
    "ModelLoadError",
    "Prediction",
    "classify",
]
