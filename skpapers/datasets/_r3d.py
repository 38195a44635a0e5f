"""Regression discontinuity designs whose outcomes are whole distributions (R3D paper)."""

import numbers

import numpy as np
from scipy import stats
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params


@validate_params(
    {
        "n_units": [Interval(numbers.Integral, 2, None, closed="left")],
        "n_draws": [Interval(numbers.Integral, 1, None, closed="left")],
        "kind": [StrOptions({"location", "skewed", "scale"})],
        "effect": [Interval(numbers.Real, None, None, closed="neither")],
        "quantiles": ["array-like", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_distributional_rd(
    n_units=500, n_draws=50, kind="location", effect=2.0, quantiles=None, random_state=None
):
    """Units with a running variable and a sample from a distribution that jumps at zero.

    The running variable is ``X_i ~ Uniform(-1, 1)`` and each unit contributes
    ``n_draws`` draws from its own outcome distribution; treatment switches at
    ``X = 0``. Three designs, the first two from the author's Monte Carlo
    script, the third the example where pooling the draws fails:

    * ``"location"``: ``Y_ij ~ N(5 + 5 X_i + effect * D_i, max(|1 + X_i|, 0.1)^2)``
      with ``D_i = 1{X_i >= 0}``; the true effect is ``effect`` at every level.
    * ``"skewed"``: ``Y_ij = N(2 X_i + effect * D_i, 1) + 2 E_ij`` with
      ``E_ij ~ Exponential(rate = clip(1 + X_i / 2, 0.5, 1.5))``; at the cutoff
      the two distributions differ by a shift, so the true effect is again
      ``effect`` at every level.
    * ``"scale"``: ``mu_i ~ N(0, 1)``, ``sigma_i ~ Uniform(0.5, 1.5)`` and
      ``Y_ij ~ N(mu_i, (sigma_i (1 + effect * D_i))^2)``; the true local
      average quantile effect is ``effect * Phi^{-1}(q)``, while the quantiles
      of the pooled draws jump by less in the tails.

    Parameters
    ----------
    n_units : int, default=500
        Number of units.
    n_draws : int, default=50
        Draws per unit.
    kind : {"location", "skewed", "scale"}, default="location"
        The design (see above).
    effect : float, default=2.0
        Size of the jump (location shift, or relative scale change for
        ``"scale"``).
    quantiles : array-like of shape (n_quantiles,), default=None
        Levels at which the true effect is returned; ``None`` means
        ``0.01, ..., 0.99``.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_units, 1)
        Running variable.
    y : list of ndarray of shape (n_draws,)
        Each unit's sample.
    true_effect : ndarray of shape (n_quantiles,)
        The true local average quantile treatment effect at ``quantiles``.

    References
    ----------
    .. [1] D. Van Dijcke, "Regression Discontinuity Design with
       Distribution-Valued Outcomes", arXiv:2504.03992, 2025.

    Examples
    --------
    >>> from skpapers.datasets import make_distributional_rd
    >>> X, y, tau = make_distributional_rd(n_units=4, n_draws=3, kind="scale",
    ...                                    effect=1.0, quantiles=[0.1, 0.5, 0.9], random_state=0)
    >>> X.shape, len(y), y[0].shape
    ((4, 1), 4, (3,))
    >>> tau.round(4)
    array([-1.2816,  0.    ,  1.2816])
    """
    rng = check_random_state(random_state)
    q = np.arange(1, 100) / 100.0 if quantiles is None else np.asarray(quantiles, dtype=np.float64).ravel()
    if np.any(q <= 0) or np.any(q >= 1):
        raise ValueError("quantiles must lie strictly between 0 and 1.")
    x = rng.uniform(-1.0, 1.0, size=n_units)
    treated = (x >= 0).astype(np.float64)
    if kind == "location":
        scale = np.maximum(np.abs(1.0 + x), 0.1)
        draws = 5.0 + 5.0 * x[:, None] + effect * treated[:, None] + scale[:, None] * rng.standard_normal(
            (n_units, n_draws)
        )
        true_effect = np.full(q.size, float(effect))
    elif kind == "skewed":
        rate = np.clip(1.0 + 0.5 * x, 0.5, 1.5)
        normal = 2.0 * x[:, None] + effect * treated[:, None] + rng.standard_normal((n_units, n_draws))
        draws = normal + 2.0 * rng.exponential(1.0, size=(n_units, n_draws)) / rate[:, None]
        true_effect = np.full(q.size, float(effect))
    else:
        mu = rng.standard_normal(n_units)
        sigma = rng.uniform(0.5, 1.5, size=n_units) * (1.0 + effect * treated)
        draws = mu[:, None] + sigma[:, None] * rng.standard_normal((n_units, n_draws))
        # E[sigma_i] = 1, so the average quantile function is (1 + effect D) Phi^{-1}(q)
        true_effect = effect * stats.norm.ppf(q)
    return x[:, None], list(draws), true_effect
