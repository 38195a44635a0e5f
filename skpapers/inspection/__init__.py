"""Inspection of fitted models: exact attributions of linear read-outs, in the style of ``sklearn.inspection``."""

from ._logit_attribution import ablation_effects, direct_logit_attribution, normalization_removal_gap

__all__ = ["ablation_effects", "direct_logit_attribution", "normalization_removal_gap"]
