"""Causal inference estimators: regression discontinuity with distribution-valued outcomes."""

from ._r3d import DistributionalRDD, gini_from_quantiles

__all__ = ["DistributionalRDD", "gini_from_quantiles"]
