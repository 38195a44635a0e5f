"""Causal inference estimators: regression discontinuity with distribution-valued outcomes,
debiasing of shrunken predictions."""

from ._debias import LinearCalibrationCorrection, TweedieCorrection
from ._effect_clusters import EffectClusterMixture
from ._r3d import DistributionalRDD, gini_from_quantiles
from ._r3d_display import DistributionalRDDDisplay

__all__ = [
    "DistributionalRDD",
    "DistributionalRDDDisplay",
    "EffectClusterMixture",
    "LinearCalibrationCorrection",
    "TweedieCorrection",
    "gini_from_quantiles",
]
