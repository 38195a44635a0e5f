"""Over-samplers with imbalanced-learn's ``fit_resample`` API."""

from ._minority_guidance import MinorityGuidanceOverSampler
from ._smote import OriginalSMOTE
from ._smote_under import SMOTEUnderSampler
from ._synthetic_augmenter import SyntheticDataAugmenter

__all__ = ["MinorityGuidanceOverSampler", "OriginalSMOTE", "SMOTEUnderSampler", "SyntheticDataAugmenter"]
