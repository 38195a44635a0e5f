"""Causal inference estimators: regression discontinuity with distribution-valued outcomes."""

from ._r3d import DistributionalRDD, gini_from_quantiles
from ._r3d_display import DistributionalRDDDisplay

__all__ = ["DistributionalRDD", "DistributionalRDDDisplay", "gini_from_quantiles"]
