"""Gaussian class-conditional data with a shared covariance, and its Bayes error."""

from numbers import Integral

import numpy as np
from scipy.linalg import cho_solve
from scipy.stats import norm
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_array


def _easy_diagonal(n_features):
    half = n_features // 2
    return np.concatenate([np.full(half, float(n_features)), np.ones(n_features - half)])


def _covariance(covariance, n_features):
    """The shared covariance matrix and whether it is diagonal."""
    if isinstance(covariance, str):
        diagonal = _easy_diagonal(n_features)
        if covariance == "easy":
            return np.diag(diagonal), True
        # The paper's "hard" case: the off-diagonal part of U^T U, U uniform on
        # [-1, 1] with the fixed seed 0 of the authors, on top of the easy diagonal.
        U = np.random.RandomState(0).uniform(-1.0, 1.0, size=(n_features, n_features))
        A = U.T @ U
        cov = A - np.diag(np.diag(A)) + np.diag(diagonal)
    else:
        cov = check_array(covariance, dtype=np.float64, input_name="covariance")
        if cov.shape != (n_features, n_features):
            raise ValueError(
                f"covariance must have shape ({n_features}, {n_features}); got {cov.shape}."
            )
        if not np.allclose(cov, cov.T):
            raise ValueError("covariance must be symmetric.")
    return cov, False


def _cholesky(cov, name):
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"The {name} covariance is not positive definite (smallest eigenvalue "
            f"{np.linalg.eigvalsh(cov).min():.3g}); it cannot generate Gaussian data."
        ) from None


def _default_means(n_classes, n_features):
    # Class 0 at -1, class k >= 1 at 2**(k-1), on every coordinate.
    levels = np.array([-1.0] + [2.0 ** (k - 1) for k in range(1, n_classes)])
    return np.repeat(levels[:, None], n_features, axis=1)


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "n_classes": [Interval(Integral, 2, None, closed="left")],
        "covariance": [StrOptions({"easy", "hard"}), "array-like"],
        "means": ["array-like", None],
        "return_params": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_gaussian_mixture_classification(
    n_samples,
    n_features,
    n_classes=2,
    *,
    covariance="easy",
    means=None,
    return_params=False,
    random_state=None,
):
    """Generate equally likely Gaussian classes with a shared covariance.

    This is the simulation of Zheng et al. (2023) comparing naive Bayes with
    logistic regression: class ``0`` is centred at ``-1`` on every feature,
    class ``k >= 1`` at ``2 ** (k - 1)``, and all classes share one
    covariance. The classes are balanced: ``n_samples // n_classes`` samples
    each, the remainder going to the first classes; rows are shuffled.

    Parameters
    ----------
    n_samples : int
        Total number of samples.
    n_features : int
        Dimension ``n`` of the features.
    n_classes : int, default=2
        Number of classes ``K`` (at least 2).
    covariance : {"easy", "hard"} or array-like of shape (n_features, n_features), \
            default="easy"
        The shared covariance. ``"easy"`` is the diagonal matrix with ``n``
        on its first ``n // 2`` entries and ``1`` on the others (so the
        features are independent within a class and naive Bayes is the
        Bayes rule). ``"hard"`` adds the off-diagonal part of ``U.T @ U``,
        with ``U`` uniform on ``[-1, 1]`` drawn with the fixed seed 0 (as in
        the paper's code; it does not depend on ``random_state``); it is not
        always positive definite, and a ``ValueError`` says so. An array is
        used as is (symmetric positive definite).
    means : array-like of shape (n_classes, n_features), default=None
        Class means; None uses the paper's ``-1, 1, 2, 4, ...``.
    return_params : bool, default=False
        Also return the parameters of the distribution, for instance to
        compute its Bayes error with :func:`gaussian_bayes_error`.
    random_state : int, RandomState instance or None, default=None
        Seed of the samples.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The samples.
    y : ndarray of shape (n_samples,)
        The class labels ``0, ..., n_classes - 1``.
    params : dict
        Only with ``return_params=True``: ``"means"`` (n_classes, n_features),
        ``"covariance"`` (n_features, n_features) and ``"priors"``
        (n_classes,), equal.

    See Also
    --------
    gaussian_bayes_error : The smallest error any classifier reaches on these data.
    sklearn.datasets.make_blobs : Isotropic Gaussian blobs.

    References
    ----------
    .. [1] C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li and J. Zhu, "Revisiting
       Discriminative vs. Generative Classifiers: Theory and Implications",
       ICML 2023, arXiv:2302.02334.

    Examples
    --------
    >>> from skpapers.datasets import make_gaussian_mixture_classification
    >>> X, y, params = make_gaussian_mixture_classification(
    ...     100, 4, n_classes=3, return_params=True, random_state=0)
    >>> X.shape, [int((y == k).sum()) for k in range(3)]
    ((100, 4), [34, 33, 33])
    >>> params["means"][:, 0]
    array([-1.,  1.,  2.])
    >>> params["covariance"].diagonal()
    array([4., 4., 1., 1.])
    """
    rng = check_random_state(random_state)
    cov, diagonal = _covariance(covariance, n_features)
    if means is None:
        means = _default_means(n_classes, n_features)
    else:
        means = check_array(means, dtype=np.float64, input_name="means")
        if means.shape != (n_classes, n_features):
            raise ValueError(
                f"means must have shape ({n_classes}, {n_features}); got {means.shape}."
            )
    if diagonal:
        factor = np.diag(np.sqrt(np.diag(cov)))
    else:
        factor = _cholesky(cov, repr(covariance) if isinstance(covariance, str) else "given")

    counts = np.full(n_classes, n_samples // n_classes)
    counts[: n_samples % n_classes] += 1
    y = np.repeat(np.arange(n_classes), counts)
    noise = rng.standard_normal((n_samples, n_features))
    noise = noise * np.diag(factor) if diagonal else noise @ factor.T
    X = means[y] + noise
    order = rng.permutation(n_samples)
    X, y = X[order], y[order]
    if return_params:
        return X, y, {"means": means, "covariance": cov, "priors": np.full(n_classes, 1.0 / n_classes)}
    return X, y


@validate_params(
    {
        "means": ["array-like"],
        "cov": ["array-like"],
        "priors": ["array-like", None],
        "n_mc": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def gaussian_bayes_error(means, cov, priors=None, *, n_mc=100_000, random_state=None):
    """Bayes error of Gaussian classes sharing one covariance.

    With two classes the error is exact: with ``Delta`` the Mahalanobis
    distance between the means and ``t = log(p0 / p1)``, it is
    ``p0 * Phi(-Delta / 2 - t / Delta) + p1 * Phi(-Delta / 2 + t / Delta)``,
    i.e. ``Phi(-Delta / 2)`` for equal priors. With more classes it is
    estimated by Monte Carlo: ``n_mc`` draws per class, classified by the
    Bayes (linear discriminant) rule.

    Parameters
    ----------
    means : array-like of shape (n_classes, n_features)
        Class means.
    cov : array-like of shape (n_features, n_features)
        Shared covariance, symmetric positive definite.
    priors : array-like of shape (n_classes,), default=None
        Class probabilities (positive, summing to one); None means equal.
    n_mc : int, default=100_000
        Monte Carlo draws per class (more than two classes only); the
        standard error is at most ``0.5 / sqrt(n_mc)``.
    random_state : int, RandomState instance or None, default=None
        Seed of the Monte Carlo draws.

    Returns
    -------
    error : float
        The misclassification rate of the Bayes classifier.

    See Also
    --------
    make_gaussian_mixture_classification : Data with a known Bayes error.

    References
    ----------
    .. [1] C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li and J. Zhu, "Revisiting
       Discriminative vs. Generative Classifiers: Theory and Implications",
       ICML 2023, arXiv:2302.02334.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.datasets import gaussian_bayes_error
    >>> round(gaussian_bayes_error([[0.0, 0.0], [2.0, 0.0]], np.eye(2)), 4)
    0.1587
    """
    means = check_array(means, dtype=np.float64, input_name="means")
    cov = check_array(cov, dtype=np.float64, input_name="cov")
    n_classes, n_features = means.shape
    if n_classes < 2:
        raise ValueError(f"means must hold at least 2 classes (rows); got {n_classes}.")
    if cov.shape != (n_features, n_features):
        raise ValueError(f"cov must have shape ({n_features}, {n_features}); got {cov.shape}.")
    if not np.allclose(cov, cov.T):
        raise ValueError("cov must be symmetric.")
    if priors is None:
        priors = np.full(n_classes, 1.0 / n_classes)
    else:
        priors = check_array(priors, ensure_2d=False, dtype=np.float64, input_name="priors")
        if priors.shape != (n_classes,) or np.any(priors <= 0) or not np.isclose(priors.sum(), 1.0):
            raise ValueError(
                f"priors must be {n_classes} positive numbers summing to 1; got {priors.tolist()!r}."
            )
    factor = _cholesky(cov, "given")

    if n_classes == 2:
        diff = means[1] - means[0]
        delta = np.sqrt(diff @ cho_solve((factor, True), diff))
        if delta == 0:
            return float(priors.min())
        t = np.log(priors[0] / priors[1])
        return float(
            priors[0] * norm.cdf(-delta / 2 - t / delta) + priors[1] * norm.cdf(-delta / 2 + t / delta)
        )

    rng = check_random_state(random_state)
    # Linear discriminants of the Bayes rule: x @ W.T + b.
    W = cho_solve((factor, True), means.T).T
    b = np.log(priors) - 0.5 * np.sum(W * means, axis=1)
    chunk = max(1, 2**22 // max(n_features, n_classes))
    error = 0.0
    for k in range(n_classes):
        wrong = 0
        for start in range(0, n_mc, chunk):
            size = min(chunk, n_mc - start)
            X = means[k] + rng.standard_normal((size, n_features)) @ factor.T
            wrong += np.count_nonzero(np.argmax(X @ W.T + b, axis=1) != k)
        error += priors[k] * wrong / n_mc
    return float(error)
