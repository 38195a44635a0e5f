"""Generators for the papers' data-generating processes (``make_*``)."""

from ._anomaly_references import make_anomaly_domains
from ._clip_like import make_clip_like_episode
from ._compositional import make_logistic_normal
from ._debias import make_prediction_debiasing_trial
from ._delta import make_delta_learning_data
from ._presto import make_presto_ordinal
from ._r3d import make_distributional_rd
from ._separable import make_separable_classification
from ._survival import make_censored_regression
from ._mixtures import make_effect_clusters, make_growth_mixture
from ._gaussian_mixture import gaussian_bayes_error, make_gaussian_mixture_classification

__all__ = [
    "make_anomaly_domains",
    "make_clip_like_episode",
    "make_distributional_rd",
    "make_censored_regression",
    "make_delta_learning_data",
    "make_effect_clusters",
    "make_growth_mixture",
    "make_logistic_normal",
    "make_presto_ordinal",
    "make_prediction_debiasing_trial",
    "make_separable_classification",
    "gaussian_bayes_error", "make_gaussian_mixture_classification"]
