"""l_p sensitivity sampling: row scores (sensitivities, Lewis weights, leverage) and a row sampler."""

import functools
import math
import warnings
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from scipy import linalg
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state, gen_even_slices
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import validate_data
from threadpoolctl import ThreadpoolController

from ..utils._optim import LpLoss, least_absolute_deviations, reweighted_newton

METHODS = ("sensitivity", "lewis", "root_leverage", "leverage", "leverage_sensitivity", "uniform")

# Exact sensitivities cost one optimisation per row.
_EXACT_SENSITIVITY_WARN_ROWS = 5000
# Lewis weights only set sampling probabilities inside the sampler, where a
# constant-factor approximation keeps the guarantees: a relative accuracy of
# 1e-4 is far finer than the sampling noise.
_SAMPLER_LEWIS_TOL = 1e-4


_THREADPOOL_CONTROLLER = None


def _single_blas_thread(func):
    """Run ``func`` with one BLAS thread.

    The matrices here are tall and thin (n x d with small d): BLAS threads
    gain little on them and, on a busy machine, their synchronisation made a
    20,000 x 22 SVD thirty times slower than on one thread.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        global _THREADPOOL_CONTROLLER
        if _THREADPOOL_CONTROLLER is None:
            _THREADPOOL_CONTROLLER = ThreadpoolController()
        with _THREADPOOL_CONTROLLER.limit(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper


def _check_p(p):
    if isinstance(p, bool) or not isinstance(p, Real):
        raise TypeError(f"p must be a real number >= 1; got {p!r} of type {type(p).__name__}.")
    if not np.isfinite(p) or p < 1:
        raise ValueError(
            f"p must be a finite number >= 1 (p < 1 is not a norm and the problem is not convex; "
            f"p = inf is not supported); got p={p!r}."
        )
    return float(p)


@_single_blas_thread
def _orthonormal_basis(A):
    """Return ``U`` (n_samples, rank) with orthonormal columns spanning the column space of ``A``.

    Every score here is invariant under ``A -> A R`` for invertible ``R``, so
    it can be computed on ``U``; the rank cut (numpy's ``matrix_rank`` rule)
    is what handles rank-deficient ``A`` (pseudo-inverses).
    """
    if A.shape[1] == 0 or not np.any(A):
        return np.zeros((A.shape[0], 0))
    U, s, _ = linalg.svd(A, full_matrices=False, check_finite=False)
    rank = int(np.sum(s > s[0] * max(A.shape) * np.finfo(float).eps))
    return U[:, :rank]


def _leverage(U):
    return np.einsum("ij,ij->i", U, U)


@validate_params({"X": ["array-like"]}, prefer_skip_nested_validation=True)
def leverage_scores(X):
    """Statistical leverage scores of the rows of a matrix.

    ``tau_i = x_i^T (X^T X)^+ x_i``, the squared row norms of an orthonormal
    basis of the column space of ``X`` (from a thin SVD, with numpy's rank
    rule, so rank-deficient ``X`` is handled through the pseudo-inverse).
    The scores lie in ``[0, 1]`` and sum to ``rank(X)``. They are the
    ``p = 2`` sensitivities and Lewis weights.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The matrix (add a column of ones yourself to include an intercept).

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        Leverage of each row; 0 for rows outside the column space's support
        (e.g. zero rows).

    References
    ----------
    Woodruff, D. P. and Yasuda, T. (2023). Sharper Bounds for l_p Sensitivity
    Sampling. ICML 2023. arXiv:2306.00732.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.sampling import leverage_scores
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    >>> leverage_scores(X).round(2).tolist()
    [1.0, 0.5, 0.5]
    """
    A = check_array(X, dtype=float, input_name="X")
    return _leverage(_orthonormal_basis(A))


@_single_blas_thread
def _lewis_weights_of_basis(U, p, max_iter, tol):
    n_samples, rank = U.shape
    weights = np.zeros(n_samples)
    if rank == 0:
        return weights, 0
    support = np.any(U != 0.0, axis=1)
    V = U[support]
    if p == 2.0:
        weights[support] = _leverage(V)
        return weights, 0
    w = np.full(V.shape[0], rank / V.shape[0])
    # Cohen and Peng's fixed point contracts for p < 4; beyond, its plain
    # iteration can oscillate, so take the geometric mean of old and new.
    damped = p >= 4.0
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        gram = V.T @ (w[:, None] ** (1.0 - 2.0 / p) * V)
        # An explicit r x r inverse then one matrix product: for tall V this is
        # several times faster than a triangular solve with n right-hand sides.
        try:
            inverse = linalg.cho_solve(linalg.cho_factor(gram, check_finite=False), np.eye(rank), check_finite=False)
        except linalg.LinAlgError:
            inverse = linalg.pinvh(gram)
        tau = np.einsum("ij,ij->i", V @ inverse, V)
        new = np.maximum(tau, 0.0) ** (p / 2.0)
        if damped:
            new = np.sqrt(w * new)
        change = np.max(np.abs(new - w) / np.maximum(w, np.finfo(float).tiny))
        w = new
        if change <= tol:
            converged = True
            break
    if not converged:
        warnings.warn(
            f"The Lewis weight iteration did not converge in max_iter={max_iter} iterations "
            f"(p={p}); increase max_iter or loosen tol.",
            ConvergenceWarning,
            stacklevel=3,
        )
    weights[support] = w
    return weights, n_iter


@validate_params(
    {
        "X": ["array-like"],
        "p": [Real],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def lewis_weights(X, p, max_iter=1000, tol=1e-10):
    """l_p Lewis weights of the rows of a matrix.

    The unique ``w > 0`` with ``w_i = (x_i^T (X^T W^(1 - 2/p) X)^+ x_i)^(p/2)``,
    computed by the Cohen-Peng fixed-point iteration (damped by a geometric
    mean for ``p >= 4``, where the plain iteration can oscillate). The
    weights sum to ``rank(X)``; for ``p = 2`` they are the leverage scores,
    for ``p < 2`` they bound the l_p sensitivities from above.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The matrix.
    p : float
        The norm, ``1 <= p < inf``.
    max_iter : int, default=1000
        Maximum fixed-point iterations; a ``ConvergenceWarning`` is raised
        when they run out.
    tol : float, default=1e-10
        Stop when no weight changes by more than ``tol`` relative.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        Lewis weights; 0 for zero rows.

    References
    ----------
    Woodruff, D. P. and Yasuda, T. (2023). Sharper Bounds for l_p Sensitivity
    Sampling. ICML 2023. arXiv:2306.00732.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.sampling import lewis_weights
    >>> X = np.random.default_rng(0).standard_t(1.5, size=(200, 3))
    >>> w = lewis_weights(X, p=1)
    >>> round(float(w.sum()), 6)
    3.0
    """
    p = _check_p(p)
    A = check_array(X, dtype=float, input_name="X")
    return _lewis_weights_of_basis(_orthonormal_basis(A), p, max_iter, tol)[0]


@_single_blas_thread
def _sensitivities_of_rows(U, rows, p):
    """Exact sensitivities of ``rows``: ``1 / min{||U x||_p^p : <u_i, x> = 1}``."""
    n_samples, rank = U.shape
    out = np.zeros(len(rows))
    for k, i in enumerate(rows):
        u = U[i]
        norm2 = u @ u
        if norm2 == 0.0:
            continue
        # x = u / ||u||^2 + N z with N an orthonormal basis of u's complement
        # turns the constrained problem into an unconstrained l_p regression.
        target = U @ (u / norm2)
        if rank == 1:
            minimum = np.sum(np.abs(target) ** p)
        else:
            complement = linalg.qr(u[:, None], mode="full", check_finite=False)[0][:, 1:]
            design = -(U @ complement)
            if p == 1.0:
                result = least_absolute_deviations(design, target, fit_intercept=False)
            else:
                start = linalg.lstsq(design, target, check_finite=False)[0]
                datafit = LpLoss(design, target, p, fit_intercept=False)
                result = reweighted_newton(datafit, start, tol=1e-12, max_iter=200, context="lp_sensitivities")
            minimum = result.fun * n_samples  # the datafit is a mean over rows
        out[k] = 1.0 / minimum if minimum > 0 else 1.0
    return np.clip(out, 0.0, 1.0)


@validate_params(
    {"X": ["array-like"], "p": [Real], "n_jobs": [Integral, None]},
    prefer_skip_nested_validation=True,
)
def lp_sensitivities(X, p, n_jobs=None):
    """Exact l_p sensitivities of the rows of a matrix.

    ``sigma_i = sup_x |<x_i, b>|^p / ||X b||_p^p`` over ``b`` with
    ``X b != 0``, computed as ``1 / min{||X b||_p^p : <x_i, b> = 1}``: one
    convex problem per row, solved after eliminating the constraint (a
    linear program through HiGHS for ``p = 1``, reweighted Newton steps for
    ``p > 1``). Their sum is the total sensitivity: ``rank(X)`` for ``p = 2``,
    at most ``rank(X)`` for ``p < 2`` and at most ``rank(X)^(p/2)`` for
    ``p > 2``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The matrix.
    p : float
        The norm, ``1 <= p < inf``.
    n_jobs : int, default=None
        Rows are split into chunks solved in parallel with joblib; ``None``
        means 1 unless in a ``joblib.parallel_config`` context.

    Returns
    -------
    sensitivities : ndarray of shape (n_samples,)
        Values in ``[0, 1]``; 0 for zero rows.

    Warns
    -----
    UserWarning
        Above 5000 rows, where the row-by-row solves become slow; use
        :func:`lewis_weights` there.

    References
    ----------
    Woodruff, D. P. and Yasuda, T. (2023). Sharper Bounds for l_p Sensitivity
    Sampling. ICML 2023. arXiv:2306.00732.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.sampling import lp_sensitivities
    >>> X = np.random.default_rng(0).standard_normal((60, 3))
    >>> s = lp_sensitivities(X, p=1)
    >>> bool(s.sum() < 3)
    True
    """
    p = _check_p(p)
    A = check_array(X, dtype=float, input_name="X")
    if A.shape[0] > _EXACT_SENSITIVITY_WARN_ROWS:
        warnings.warn(
            f"Exact l_p sensitivities solve one optimisation per row ({A.shape[0]} rows); "
            "this is slow above 5000 rows. Lewis weights (lewis_weights) are a cheap upper "
            "bound for p < 2; n_jobs parallelises the exact computation.",
            UserWarning,
            stacklevel=2,
        )
    U = _orthonormal_basis(A)
    if U.shape[1] == 0:
        return np.zeros(A.shape[0])
    if p == 2.0:
        return _leverage(U)
    n_chunks = max(1, min(A.shape[0], 4 * (n_jobs if n_jobs is not None and n_jobs > 0 else 1)))
    chunks = [np.arange(A.shape[0])[s] for s in gen_even_slices(A.shape[0], n_chunks)]
    parts = Parallel(n_jobs=n_jobs)(delayed(_sensitivities_of_rows)(U, rows, p) for rows in chunks)
    return np.concatenate(parts)


@validate_params(
    {"scores": ["array-like"], "n_samples": [Interval(Real, 0, None, closed="neither")]},
    prefer_skip_nested_validation=True,
)
def sampling_probabilities(scores, n_samples):
    """Bernoulli keep-probabilities proportional to scores, capped at 1, with a given expected total.

    Finds ``c`` with ``sum_i min(1, c * s_i) = n_samples`` and returns
    ``p_i = min(1, c * s_i)``. Rows with zero score get probability 0; if
    ``n_samples`` is at least the number of rows with a positive score,
    all of them get probability 1.

    Parameters
    ----------
    scores : array-like of shape (n_rows,)
        Non-negative, finite scores with at least one positive.
    n_samples : float
        Expected number of kept rows.

    Returns
    -------
    probabilities : ndarray of shape (n_rows,)
        Values in ``[0, 1]`` summing to ``min(n_samples, number of positive scores)``.

    References
    ----------
    Woodruff, D. P. and Yasuda, T. (2023). Sharper Bounds for l_p Sensitivity
    Sampling. ICML 2023. arXiv:2306.00732.

    Examples
    --------
    >>> from skpapers.sampling import sampling_probabilities
    >>> sampling_probabilities([4.0, 1.0, 1.0, 2.0], n_samples=2).tolist()
    [1.0, 0.25, 0.25, 0.5]
    """
    s = check_array(scores, ensure_2d=False, dtype=float, input_name="scores")
    if s.ndim != 1:
        raise ValueError(f"scores must be 1-D; got an array of shape {s.shape}.")
    if np.any(s < 0):
        raise ValueError("scores must be non-negative.")
    positive = np.count_nonzero(s)
    if positive == 0:
        raise ValueError("scores must have at least one positive entry.")
    if n_samples >= positive:
        return (s > 0).astype(float)
    # Sorted descending, the first k rows are capped at 1 and the rest share
    # n_samples - k in proportion to their scores; take the smallest k for
    # which the next row stays below the cap.
    order = np.sort(s)[::-1]
    tail = np.cumsum(order[::-1])[::-1]  # tail[k] = sum of order[k:]
    k = np.arange(s.size)
    scale = (n_samples - k) / np.where(tail > 0, tail, np.inf)
    feasible = (scale * order <= 1.0 + 1e-12) & (tail > 0)
    first = int(np.argmax(feasible))
    return np.minimum(1.0, scale[first] * s)


def _draw(probabilities, replace, n_expected, rng):
    """Indices of the kept rows and their l_p^p weights."""
    if replace:
        q = probabilities / probabilities.sum()
        draws = rng.choice(q.size, size=int(n_expected), p=q)
        indices, counts = np.unique(draws, return_counts=True)
        return indices, counts / (n_expected * q[indices])
    indices = np.flatnonzero(rng.random(probabilities.size) < probabilities)
    return indices, 1.0 / probabilities[indices]


class LpSensitivitySampler(BaseEstimator):
    """Weighted row sample that preserves l_p norms: sensitivity, Lewis or leverage sampling.

    Row ``i`` of the matrix ``A`` (``X``, with a column of ones when
    ``fit_intercept`` and the target ``y`` when ``include_target``) gets a
    score ``s_i``; it is kept independently with probability
    ``p_i = min(1, c * s_i)``, ``c`` chosen so that about ``n_samples`` rows
    are kept, and weighted by ``1 / p_i``. Then
    ``sum_kept |<a_i, x>|^p / p_i`` is an unbiased estimate of
    ``||A x||_p^p`` for every ``x``, and, with enough rows, a
    ``(1 +- eps)`` approximation uniformly over ``x`` (an l_p subspace
    embedding): fitting a weighted l_p regression on the sample
    approximates the full fit (see :class:`~skpapers.linear_model.SampledLpRegression`).

    The paper shows that sensitivity sampling needs about ``S^(2/p)`` rows for
    ``1 <= p < 2`` (``S`` the total sensitivity, at most the rank) and
    ``S^(2 - 2/p)`` for ``p > 2``, and root-leverage sampling about ``d``
    rows for ``1 <= p < 2``.

    This is not an imbalanced-learn sampler: its :meth:`fit_sample` returns
    the weights with the rows, because an imbalanced-learn pipeline calls
    ``fit_resample`` and would drop the weights, and the unweighted sample
    is biased. (imbalanced-learn samplers also validate classification
    targets, while here ``y`` is a regression target.)

    Parameters
    ----------
    p : float, default=1.0
        The norm, ``1 <= p < inf``.
    method : {"sensitivity", "lewis", "root_leverage", "leverage", \
            "leverage_sensitivity", "uniform"}, default="sensitivity"
        The scores: exact l_p sensitivities (one convex problem per row,
        slow above a few thousand rows), l_p Lewis weights (iterated to a
        relative accuracy of 1e-4, ample for sampling), square roots of
        the leverage scores (the paper's sampler for ``1 <= p < 2``),
        leverage scores, the mixture
        ``(tau_i / rank + sigma_i / S) / 2`` of leverage and sensitivity
        (the paper's combination for ``p > 2``), or uniform.
    n_samples : float, default=None
        Expected number of kept rows; ``None`` means ``ceil(10 * d)`` with
        ``d`` the number of columns of ``A``. The realised number is random
        (``n_samples_drawn_``).
    include_target : bool, default=True
        Append ``y`` (when given) as a column of ``A``, so that the sample
        preserves the l_p norm of the residuals ``y - X b - b0`` of every
        regression fit.
    fit_intercept : bool, default=True
        Append a column of ones to ``A``.
    replace : bool, default=False
        Draw ``n_samples`` rows i.i.d. with replacement with probabilities
        ``q_i = s_i / sum(s)`` instead of independent Bernoulli draws; a row
        drawn ``k`` times is returned once with weight ``k / (n_samples * q_i)``.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws of :meth:`fit_sample`.
    n_jobs : int, default=None
        Parallel jobs for the exact sensitivities.

    Attributes
    ----------
    scores_ : ndarray of shape (n_rows,)
        The row scores of ``method``.
    probabilities_ : ndarray of shape (n_rows,)
        Keep-probabilities ``p_i`` (``replace=False``) or draw
        probabilities ``q_i`` (``replace=True``).
    total_score_ : float
        ``scores_.sum()``.
    total_sensitivity_ : float
        Sum of the exact l_p sensitivities; only set when ``method`` is
        ``"sensitivity"`` or ``"leverage_sensitivity"``.
    n_features_in_ : int
        Number of columns of ``X``.
    sample_indices_ : ndarray of int
        Rows kept by the last :meth:`fit_sample`.
    sample_weight_ : ndarray of shape (n_kept,)
        Their l_p^p weights (``1 / p_i``).
    n_samples_drawn_ : int
        Number of distinct rows kept by the last :meth:`fit_sample`.

    See Also
    --------
    skpapers.sampling.lp_sensitivities : The exact scores.
    skpapers.sampling.lewis_weights : The Lewis-weight scores.
    skpapers.linear_model.SampledLpRegression : l_p regression on the sample.

    References
    ----------
    Woodruff, D. P. and Yasuda, T. (2023). Sharper Bounds for l_p Sensitivity
    Sampling. ICML 2023. arXiv:2306.00732.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.sampling import LpSensitivitySampler
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_t(1.5, size=(2000, 3))
    >>> y = X @ [1.0, -2.0, 0.5] + rng.laplace(size=2000)
    >>> sampler = LpSensitivitySampler(p=1, method="lewis", n_samples=100, random_state=0)
    >>> X_s, y_s, weight = sampler.fit_sample(X, y)
    >>> X_s.shape[1], bool(abs(len(y_s) - 100) < 40)
    (3, True)
    >>> round(float(sampler.total_score_), 6)
    5.0
    """

    _parameter_constraints: dict = {
        "p": [Interval(Real, 1, None, closed="left")],
        "method": [StrOptions(set(METHODS))],
        "n_samples": [Interval(Real, 0, None, closed="neither"), None],
        "include_target": ["boolean"],
        "fit_intercept": ["boolean"],
        "replace": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        p=1.0,
        method="sensitivity",
        n_samples=None,
        include_target=True,
        fit_intercept=True,
        replace=False,
        random_state=None,
        n_jobs=None,
    ):
        self.p = p
        self.method = method
        self.n_samples = n_samples
        self.include_target = include_target
        self.fit_intercept = fit_intercept
        self.replace = replace
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _augmented(self, X, y):
        columns = [X]
        if self.fit_intercept:
            columns.append(np.ones((X.shape[0], 1)))
        if self.include_target and y is not None:
            columns.append(np.asarray(y, dtype=float).reshape(-1, 1))
        return np.hstack(columns)

    def _scores(self, A):
        p = _check_p(self.p)
        if self.method == "uniform":
            return np.ones(A.shape[0]), None
        if self.method == "sensitivity":
            sigma = lp_sensitivities(A, p, n_jobs=self.n_jobs)
            return sigma, float(sigma.sum())
        U = _orthonormal_basis(A)
        if self.method == "lewis":
            return _lewis_weights_of_basis(U, p, 1000, _SAMPLER_LEWIS_TOL)[0], None
        tau = _leverage(U)
        if self.method == "leverage":
            return tau, None
        if self.method == "root_leverage":
            return np.sqrt(tau), None
        # leverage_sensitivity: each half normalised to a distribution.
        sigma = lp_sensitivities(A, p, n_jobs=self.n_jobs)
        total = float(sigma.sum())
        rank = max(U.shape[1], 1)
        return 0.5 * (tau / rank + (sigma / total if total > 0 else 0.0)), total

    def _expected_size(self, A):
        n_samples = math.ceil(10 * A.shape[1]) if self.n_samples is None else self.n_samples
        return min(float(n_samples), float(A.shape[0]))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the row scores and sampling probabilities.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
            The matrix (regression design).
        y : array-like of shape (n_rows,), default=None
            Regression target, appended as a column when ``include_target``.

        Returns
        -------
        self : LpSensitivitySampler
            The fitted sampler.
        """
        _check_p(self.p)
        if y is None:
            X = validate_data(self, X, dtype=float)
        else:
            X, y = validate_data(self, X, y, dtype=float, y_numeric=True)
        A = self._augmented(X, y)
        scores, total_sensitivity = self._scores(A)
        if not np.any(scores > 0):
            raise ValueError("Every row of X (with the intercept and target columns) is zero; nothing to sample.")
        self.scores_ = scores
        self.total_score_ = float(scores.sum())
        if total_sensitivity is not None:
            self.total_sensitivity_ = total_sensitivity
        self._expected_size_ = self._expected_size(A)
        if self.replace:
            self.probabilities_ = scores / scores.sum()
        else:
            self.probabilities_ = sampling_probabilities(scores, self._expected_size_)
        return self

    def fit_sample(self, X, y=None):
        """Fit, then draw a weighted sample of the rows.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
            The matrix (regression design).
        y : array-like of shape (n_rows,), default=None
            Regression target.

        Returns
        -------
        X_sample : ndarray of shape (n_kept, n_features)
            The kept rows of ``X``.
        y_sample : ndarray of shape (n_kept,) or None
            The kept entries of ``y`` (``None`` when ``y`` is None).
        sample_weight : ndarray of shape (n_kept,)
            The l_p^p weights ``1 / p_i`` (also stored as ``sample_weight_``).
        """
        self.fit(X, y)
        X = validate_data(self, X, dtype=float, reset=False)
        rng = check_random_state(self.random_state)
        indices, weight = _draw(self.probabilities_, self.replace, self._expected_size_, rng)
        self.sample_indices_ = indices
        self.sample_weight_ = weight
        self.n_samples_drawn_ = int(indices.size)
        y_sample = None if y is None else np.asarray(y, dtype=float).ravel()[indices]
        return X[indices], y_sample, weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags
