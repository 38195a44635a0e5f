"""Logistic-normal compositions with a planted partial-correlation structure."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_parts": [Interval(Integral, 3, None, closed="left")],
        "off_diagonal": [Interval(Real, -1, 1, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_logistic_normal(n_samples=1000, n_parts=8, *, off_diagonal=-0.4, random_state=None):
    """Draw compositions whose parts have known partial correlations.

    The alr coordinates ``log(x_i / x_D)``, ``i < D``, are Gaussian with a
    tridiagonal precision ``Theta`` (unit diagonal, ``off_diagonal`` next to
    it); the compositions are the closures of ``exp([alr, 0])``. The partial
    correlations of all ``D`` parts follow from ``Omega = F' Theta F`` with
    ``F = [I, -1]``, the Moore-Penrose inverse of the clr covariance.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of compositions.
    n_parts : int, default=8
        Number of parts ``D`` (at least 3).
    off_diagonal : float, default=-0.4
        Off-diagonal entry of the alr precision; neighbouring parts ``i`` and
        ``i + 1`` (``i < D - 1``) then have partial correlation
        ``-off_diagonal``. The precision must be positive definite, which
        holds when ``|off_diagonal| < 1 / (2 cos(pi / D))``.
    random_state : int, RandomState instance or None, default=None
        Seed of the Gaussian draws.

    Returns
    -------
    X : ndarray of shape (n_samples, n_parts)
        Compositions; rows sum to one.
    partial_correlation : ndarray of shape (n_parts, n_parts)
        The population partial correlations of the parts, unit diagonal.

    References
    ----------
    .. [1] I. Erb, "Partial correlations in compositional data analysis",
       Applied Computing and Geosciences 6, 100026 (2020). arXiv:1904.09480.

    Examples
    --------
    >>> from skpapers.datasets import make_logistic_normal
    >>> X, rho = make_logistic_normal(n_samples=5, n_parts=4, random_state=0)
    >>> X.shape, X.sum(axis=1).round(12).tolist()
    ((5, 4), [1.0, 1.0, 1.0, 1.0, 1.0])
    >>> rho.round(3)
    array([[1.   , 0.4  , 0.   , 0.507],
           [0.4  , 1.   , 0.4  , 0.169],
           [0.   , 0.4  , 1.   , 0.507],
           [0.507, 0.169, 0.507, 1.   ]])
    """
    rng = check_random_state(random_state)
    n_alr = n_parts - 1
    theta = np.eye(n_alr) + off_diagonal * (np.eye(n_alr, k=1) + np.eye(n_alr, k=-1))
    try:
        factor = np.linalg.cholesky(theta)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"off_diagonal={off_diagonal} makes the alr precision of {n_parts} parts "
            f"indefinite; use |off_diagonal| < {1 / (2 * np.cos(np.pi / n_parts)):.4f}."
        ) from None
    # theta = L L', so L'^{-1} z has covariance theta^{-1}.
    alr = np.linalg.solve(factor.T, rng.standard_normal((n_alr, n_samples))).T
    log_parts = np.hstack([alr, np.zeros((n_samples, 1))])
    parts = np.exp(log_parts - log_parts.max(axis=1, keepdims=True))
    X = parts / parts.sum(axis=1, keepdims=True)

    F = np.hstack([np.eye(n_alr), -np.ones((n_alr, 1))])
    omega = F.T @ theta @ F
    scale = 1.0 / np.sqrt(np.diag(omega))
    rho = -omega * np.outer(scale, scale)
    np.fill_diagonal(rho, 1.0)
    return X, rho + 0.0  # no negative zeros
