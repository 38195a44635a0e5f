"""Gaussian score approximation: the exact probability-flow solution and explained variance."""

import numpy as np
from sklearn.utils import check_random_state


def gaussian_pf_ode_solution(X_T, sigma_from, sigma_to, mean, cov):
    """Exact probability-flow ODE solution for Gaussian data, variance-exploding form.

    For ``x_0 ~ N(mean, cov)`` and ``x = x_0 + sigma eps`` the probability-flow
    ODE ``dx/dsigma = sigma (cov + sigma^2 I)^{-1} (x - mean)`` is solved by
    ``x(sigma) = mean + U diag(sqrt((lambda + sigma^2) / (lambda + sigma_from^2))) U^T (x - mean)``
    with ``cov = U diag(lambda) U^T``. Zero eigenvalues (low-rank covariance)
    scale their direction by ``sigma / sigma_from``.

    Parameters
    ----------
    X_T : array-like of shape (n_samples, n_features)
        States at noise level ``sigma_from``.
    sigma_from : float
        Starting noise level (> 0).
    sigma_to : float
        Target noise level (>= 0).
    mean : array-like of shape (n_features,)
        Data mean.
    cov : array-like of shape (n_features, n_features)
        Data covariance (symmetric positive semi-definite).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        States at noise level ``sigma_to``.

    References
    ----------
    .. [1] Wang, B. and Vastola, J. J. (2023). The Unreasonable Effectiveness of
       Gaussian Score Approximation for Diffusion Models and its Applications.
       arXiv:2311.10892.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import gaussian_pf_ode_solution
    >>> X_T = np.array([[80.0, -40.0]])
    >>> np.round(gaussian_pf_ode_solution(X_T, 80.0, 0.0, mean=[1.0, 0.0], cov=np.diag([4.0, 1.0])), 3)
    array([[ 2.975, -0.5  ]])
    """
    X_T = np.asarray(X_T, dtype=float)
    mean = np.asarray(mean, dtype=float).reshape(-1)
    cov = np.asarray(cov, dtype=float)
    if X_T.ndim != 2 or X_T.shape[1] != mean.size or cov.shape != (mean.size, mean.size):
        raise ValueError(
            f"X_T must be (n_samples, n_features) with mean (n_features,) and cov (n_features, n_features); "
            f"got {X_T.shape}, {mean.shape}, {cov.shape}."
        )
    if not (np.all(np.isfinite(X_T)) and np.all(np.isfinite(mean)) and np.all(np.isfinite(cov))):
        raise ValueError("X_T, mean and cov must be finite.")
    if not (np.isfinite(sigma_from) and sigma_from > 0):
        raise ValueError(f"sigma_from must be a finite number > 0; got {sigma_from!r}.")
    if not (np.isfinite(sigma_to) and sigma_to >= 0):
        raise ValueError(f"sigma_to must be a finite number >= 0; got {sigma_to!r}.")
    eigenvalues, eigenvectors = np.linalg.eigh(0.5 * (cov + cov.T))
    if eigenvalues[0] < -1e-10 * max(1.0, abs(eigenvalues[-1])):
        raise ValueError("cov must be positive semi-definite.")
    eigenvalues = np.maximum(eigenvalues, 0.0)
    gain = np.sqrt((eigenvalues + sigma_to**2) / (eigenvalues + sigma_from**2))
    return mean + ((X_T - mean) @ eigenvectors * gain) @ eigenvectors.T


def score_explained_variance(score_model_a, score_model_b, X, t, n_draws=1, random_state=None):
    """Fraction of the variance of score A explained by score B at noise time(s) ``t``.

    ``EV = 1 - E||s_A - s_B||^2 / E||s_A||^2`` over ``x_t = a(t) x_0 + s(t) eps``
    with ``x_0`` the rows of ``X``: the paper's measure of how much of a learned
    score a Gaussian (or mixture) score accounts for.

    Parameters
    ----------
    score_model_a : fitted score model
        The reference score (e.g. a :class:`RegressorScoreModel`).
    score_model_b : fitted score model
        The approximation (e.g. a :class:`GaussianScoreModel`); same schedule.
    X : array-like of shape (n_samples, n_features)
        Clean rows, noised to each time.
    t : float or array-like of shape (n_times,)
        Times in ``[0, 1]`` (t = 0 data, t = 1 noise).
    n_draws : int, default=1
        Noise draws per row.
    random_state : int, RandomState or None, default=None
        Seeds the noise.

    Returns
    -------
    explained_variance : float or ndarray of shape (n_times,)

    References
    ----------
    .. [1] Wang, B. and Vastola, J. J. (2023). The Unreasonable Effectiveness of
       Gaussian Score Approximation for Diffusion Models and its Applications.
       arXiv:2311.10892.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import GaussianScoreModel, KernelScoreModel, score_explained_variance
    >>> X = np.random.RandomState(0).normal(size=(300, 2))
    >>> kernel = KernelScoreModel(bandwidth=0.0).fit(X, "ve")
    >>> gauss = GaussianScoreModel().fit(X, "ve")
    >>> ev = score_explained_variance(kernel, gauss, X, t=[0.9, 0.1], random_state=0)
    >>> bool(ev[0] > 0.99 and ev[0] > ev[1])
    True
    """
    for name, model in (("score_model_a", score_model_a), ("score_model_b", score_model_b)):
        if not hasattr(model, "schedule_") or not hasattr(model, "score_function"):
            raise TypeError(f"{name} must be a fitted score model; got {type(model).__name__}.")
    if score_model_a.schedule_ != score_model_b.schedule_:
        raise ValueError(
            f"score models must share a schedule; got {score_model_a.schedule_!r} and {score_model_b.schedule_!r}."
        )
    if score_model_a.n_features_in_ != score_model_b.n_features_in_:
        raise ValueError(
            f"score models were fitted on different feature counts: {score_model_a.n_features_in_} and "
            f"{score_model_b.n_features_in_}."
        )
    if not (isinstance(n_draws, (int, np.integer)) and n_draws >= 1):
        raise ValueError(f"n_draws must be an integer >= 1; got {n_draws!r}.")
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != score_model_a.n_features_in_ or not np.all(np.isfinite(X)):
        raise ValueError(f"X must be finite with shape (n_samples, {score_model_a.n_features_in_}).")
    scalar = np.ndim(t) == 0
    times = np.atleast_1d(np.asarray(t, dtype=float))
    if np.any((times < 0) | (times > 1)):
        raise ValueError("t must lie in [0, 1].")
    rng = check_random_state(random_state)
    x0 = np.repeat(X, n_draws, axis=0)
    sched = score_model_a.schedule_
    out = np.empty(times.size)
    for i, ti in enumerate(times):
        xt = sched.alpha(ti) * x0 + sched.sigma(ti) * rng.standard_normal(x0.shape)
        sa = score_model_a.score_function(xt, ti)
        sb = score_model_b.score_function(xt, ti)
        out[i] = 1.0 - np.sum((sa - sb) ** 2) / np.sum(sa**2)
    return float(out[0]) if scalar else out
