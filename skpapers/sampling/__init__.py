"""Row samplers and row scores."""

from ._lp_sensitivity import (
    LpSensitivitySampler,
    leverage_scores,
    lewis_weights,
    lp_sensitivities,
    sampling_probabilities,
)

__all__ = [
    "LpSensitivitySampler",
    "leverage_scores",
    "lewis_weights",
    "lp_sensitivities",
    "sampling_probabilities",
]
