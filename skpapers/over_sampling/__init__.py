"""Over-samplers with imbalanced-learn's ``fit_resample`` API."""

from ._smote import OriginalSMOTE

__all__ = ["OriginalSMOTE"]
