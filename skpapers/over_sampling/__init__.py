"""Over-samplers with imbalanced-learn's ``fit_resample`` API."""

from ._smote import OriginalSMOTE
from ._smote_under import SMOTEUnderSampler
from ._synthetic_augmenter import SyntheticDataAugmenter

__all__ = ["OriginalSMOTE", "SMOTEUnderSampler", "SyntheticDataAugmenter"]
