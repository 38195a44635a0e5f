"""Over-samplers with imbalanced-learn's ``fit_resample`` API."""

from ._smote import OriginalSMOTE
from ._smote_under import SMOTEUnderSampler

__all__ = ["OriginalSMOTE", "SMOTEUnderSampler"]
