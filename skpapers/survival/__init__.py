"""Survival analysis: learning from right-censored durations."""

from ._km_erm import KaplanMeierWeightedRegressor, beran_censoring_weights, kaplan_meier_censoring_weights

__all__ = ["KaplanMeierWeightedRegressor", "beran_censoring_weights", "kaplan_meier_censoring_weights"]
