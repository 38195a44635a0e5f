"""Few-shot classifiers over precomputed features (embeddings)."""

from ._amu import AMUTuningClassifier
from ._niw import NIWEpisodeClassifier, NIWMetaPrior

__all__ = [
    "AMUTuningClassifier",
    "NIWEpisodeClassifier",
    "NIWMetaPrior",
]
