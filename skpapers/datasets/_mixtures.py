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


_GROWTH_MEANS = np.array([[100.0, -5.0, -2.6], [100.0, -5.0, -3.4]])
_GROWTH_KNOTS = np.array([4.0, 5.0])
_GROWTH_PSI = np.array([[25.0, 1.5, 1.5], [1.5, 1.0, 0.3], [1.5, 0.3, 1.0]])
_GROWTH_B = np.array([[[0.9, 1.33], [0.18, 0.27], [0.18, 0.27]], [[1.25, 1.88], [0.25, 0.38], [0.25, 0.38]]])


@validate_params(
    {
        "n_samples": [Interval(Integral, 2, None, closed="left")],
        "n_times": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_growth_mixture(n_samples=500, n_times=10, *, random_state=None):
    """Two latent classes of bilinear-spline trajectories with gating and expert covariates.

    The simulation of the moe-trajectories spec (population values from the
    authors' Mplus input): occasions ``t_ij = j + U(-0.25, 0.25)`` (``t_i0 = 0``);
    class means of (intercept, slope before, slope after, knot) are
    (100, -5, -2.6, 4) and (100, -5, -3.4, 5); growth-factor covariance
    ``[[25, 1.5, 1.5], [1.5, 1, 0.3], [1.5, 0.3, 1]]``; residual variance 1;
    expert covariates ``e1, e2 ~ N(0, 1)`` shift the growth factors by class
    specific coefficients; gating covariates ``g1, g2 ~ N(0, 1)`` with
    ``logit P(class 1) = g1 + g2``.

    Parameters
    ----------
    n_samples : int, default=500
        Number of subjects.
    n_times : int, default=10
        Number of occasions.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, 4)
        Columns ``g1, g2`` (gating) and ``e1, e2`` (expert).
    Y : ndarray of shape (n_samples, n_times)
    times : ndarray of shape (n_samples, n_times)
    classes : ndarray of shape (n_samples,)
        Latent class (0: knot 4, 1: knot 5).

    References
    ----------
    J. Liu and R. A. Perera, "Extending Mixture of Experts Model to
    Investigate Heterogeneity of Trajectories", arXiv:2007.02432.

    Examples
    --------
    >>> from skpapers.datasets import make_growth_mixture
    >>> X, Y, times, classes = make_growth_mixture(n_samples=3, random_state=0)
    >>> X.shape, Y.shape, times[0, :3].round(2).tolist()
    ((3, 4), (3, 10), [0.0, 0.76, 2.17])
    """
    rng = check_random_state(random_state)
    gating = rng.normal(size=(n_samples, 2))
    expert = rng.normal(size=(n_samples, 2))
    classes = (rng.uniform(size=n_samples) < special.expit(gating.sum(axis=1))).astype(int)
    times = np.arange(n_times, dtype=float) + rng.uniform(-0.25, 0.25, size=(n_samples, n_times))
    times[:, 0] = 0.0
    zeta = rng.multivariate_normal(np.zeros(3), _GROWTH_PSI, size=n_samples)
    eta = _GROWTH_MEANS[classes] + np.einsum("nqe,ne->nq", _GROWTH_B[classes], expert) + zeta
    knot = _GROWTH_KNOTS[classes][:, None]
    Y = (
        eta[:, [0]]
        + eta[:, [1]] * np.minimum(times, knot)
        + eta[:, [2]] * np.maximum(times - knot, 0.0)
        + rng.normal(size=(n_samples, n_times))
    )
    return np.column_stack([gating, expert]), Y, times, classes
