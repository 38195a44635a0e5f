"""Row samplers and row scores."""

from ._lp_sensitivity import (
    LpSensitivitySampler,
    leverage_scores,
    lewis_weights,
    lp_sensitivities,
    sampling_probabilities,
)
from ._utility_diversity import UtilityDiversityClassifier

__all__ = [
    "LpSensitivitySampler",
    "UtilityDiversityClassifier",
    "leverage_scores",
    "lewis_weights",
    "lp_sensitivities",
    "sampling_probabilities",
]
