"""Preference tuning of classifiers: DPO on (chosen, rejected) label pairs."""

from ._dpo_logistic import PreferenceLogisticRegression

__all__ = ["PreferenceLogisticRegression"]
