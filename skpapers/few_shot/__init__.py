"""Few-shot classifiers over precomputed features (embeddings)."""

from ._amu import AMUTuningClassifier

__all__ = [
    "AMUTuningClassifier",
]
