"""A confounded trial whose outcome is seen only through noisy, nonlinear features."""

import numbers

import numpy as np
from scipy.special import expit
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, validate_params


@validate_params(
    {
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "tau": [numbers.Real, "array-like"],
        "n_features": [Interval(numbers.Integral, 1, None, closed="left")],
        "feature_noise": [Interval(numbers.Real, 0, None, closed="left")],
        "feature_seed": [Interval(numbers.Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_prediction_debiasing_trial(
    n_samples=1000, tau=1.0, *, n_features=20, feature_noise=1.0, feature_seed=0, random_state=None
):
    """Generate a confounded trial whose outcome is observed through noisy features.

    The tabular version of the simulation of Pettersson, Jerzak and Daoud:
    a confounder ``C ~ N(0, 1)``, a treatment ``T ~ Bernoulli(sigmoid(C))``,
    an outcome ``Y = tau T + C + N(0, 1)`` and features
    ``X_k = tanh(w_k Y + b_k) + N(0, feature_noise^2)``, ``k = 1..n_features``,
    standing in for satellite images of a wealth outcome. The feature map
    ``(w, b)``, with ``w ~ N(0, 0.7^2)`` and ``b ~ N(0, 0.5^2)``, is drawn from
    ``feature_seed`` alone, so trials drawn with different ``random_state``
    share one map. A regressor trained on ``(X, Y)`` by squared error shrinks
    towards the mean of ``Y``, which attenuates effects estimated on its
    predictions.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of units.
    tau : float or array-like of shape (n_samples,), default=1.0
        Treatment effect, common or one per unit (for instance drawn over a
        range to train a map that covers many trials).
    n_features : int, default=20
        Number of features.
    feature_noise : float, default=1.0
        Standard deviation of the features' additive noise.
    feature_seed : int, default=0
        Seed of the feature map ``(w, b)``.
    random_state : int, RandomState instance or None, default=None
        Seed for the units.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With fields ``X`` (n_samples, n_features), ``y`` (n_samples,),
        ``treatment`` (n_samples,) in {0, 1}, ``propensity`` (n_samples,)
        (the true ``P(T = 1 | C)``), ``confounder`` (n_samples,) and ``tau``
        (n_samples,).

    References
    ----------
    M. B. Pettersson, C. T. Jerzak and A. Daoud. "Debiasing Machine Learning
    Predictions for Causal Inference Without Additional Ground Truth Data:
    One Map, Many Trials in Satellite-Driven Poverty Analysis." AAAI 2026.
    arXiv:2508.01341.

    Examples
    --------
    >>> from skpapers.datasets import make_prediction_debiasing_trial
    >>> data = make_prediction_debiasing_trial(500, tau=2.0, random_state=0)
    >>> data.X.shape, sorted(set(data.treatment.tolist()))
    ((500, 20), [0, 1])
    """
    tau = np.asarray(tau, dtype=np.float64)
    if tau.ndim > 1 or (tau.ndim == 1 and tau.shape[0] != n_samples):
        raise ValueError(f"tau must be a number or have shape ({n_samples},); got shape {tau.shape}.")
    if not np.all(np.isfinite(tau)):
        raise ValueError("tau must be finite.")
    feature_rng = np.random.default_rng(feature_seed)
    w = feature_rng.normal(0.0, 0.7, n_features)
    b = feature_rng.normal(0.0, 0.5, n_features)
    rng = check_random_state(random_state)
    confounder = rng.standard_normal(n_samples)
    propensity = expit(confounder)
    treatment = (rng.random_sample(n_samples) < propensity).astype(int)
    y = tau * treatment + confounder + rng.standard_normal(n_samples)
    X = np.tanh(np.outer(y, w) + b) + feature_noise * rng.standard_normal((n_samples, n_features))
    return Bunch(
        X=X,
        y=y,
        treatment=treatment,
        propensity=propensity,
        confounder=confounder,
        tau=np.broadcast_to(tau, (n_samples,)).copy(),
    )
