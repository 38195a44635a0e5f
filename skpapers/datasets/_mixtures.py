"""Data-generating processes of the mixture papers (effect clusters, growth mixtures)."""

from numbers import Integral, Real

import numpy as np
from scipy import special
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params


@validate_params(
    {
        "n_samples": [Interval(Integral, 2, None, closed="left")],
        "n_features": [Interval(Integral, 2, None, closed="left")],
        "gating_slope": [Interval(Real, None, None, closed="neither")],
        "effects": ["array-like"],
        "effect_scale": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_effect_clusters(
    n_samples=3000, n_features=5, *, gating_slope=2.0, effects=(-1.0, 2.0), effect_scale=0.5, random_state=None
):
    """Randomised trial whose treatment effect comes in two types gated by a feature.

    The simulation of the image-effect-clusters spec: ``X ~ N(0, I)``,
    ``P(Z = 1 | x) = sigmoid(gating_slope * x_0)``, ``T ~ Bernoulli(1/2)``,
    ``tau_i = effects[Z_i] + N(0, effect_scale^2)`` and
    ``y = 1 + 0.5 x_1 + N(0, 1) + T tau``.

    Parameters
    ----------
    n_samples : int, default=3000
        Number of units.
    n_features : int, default=5
        Number of features (only the first two matter).
    gating_slope : float, default=2.0
        Logit slope of the type probability on ``x_0``.
    effects : array-like of shape (2,), default=(-1.0, 2.0)
        Mean effect of type 0 and type 1.
    effect_scale : float, default=0.5
        Within-type standard deviation of the effect.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    treatment : ndarray of shape (n_samples,)
        0/1.
    types : ndarray of shape (n_samples,)
        The latent type ``Z`` (0 or 1).

    References
    ----------
    C. T. Jerzak, F. Johansson and A. Daoud, "Image-based Treatment Effect
    Heterogeneity", CLeaR 2023, arXiv:2206.06417.

    Examples
    --------
    >>> from skpapers.datasets import make_effect_clusters
    >>> X, y, treatment, types = make_effect_clusters(n_samples=5, random_state=0)
    >>> X.shape, treatment.tolist()
    ((5, 5), [1, 0, 0, 1, 0])
    """
    effects = np.asarray(effects, dtype=float)
    if effects.shape != (2,):
        raise ValueError(f"effects must have 2 entries; got shape {effects.shape}.")
    rng = check_random_state(random_state)
    X = rng.normal(size=(n_samples, n_features))
    types = (rng.uniform(size=n_samples) < special.expit(gating_slope * X[:, 0])).astype(int)
    treatment = rng.binomial(1, 0.5, size=n_samples)
    tau = effects[types] + effect_scale * rng.normal(size=n_samples)
    y = 1.0 + 0.5 * X[:, 1] + rng.normal(size=n_samples) + treatment * tau
    return X, y, treatment, types
