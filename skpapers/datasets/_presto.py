"""The sparse-differences ordinal data-generating process of the PRESTO paper."""

import numbers

import numpy as np
from scipy import special
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, validate_params

# The authors give up after this many draws that cross or leave a class empty.
_MAX_TRIES = 100


@validate_params(
    {
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_features": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_classes": [Interval(numbers.Integral, 3, None, closed="left")],
        "intercepts": ["array-like", None],
        "beta": [Interval(numbers.Real, None, None, closed="neither")],
        "dev_size": [Interval(numbers.Real, 0, None, closed="left")],
        "dev_prob": [Interval(numbers.Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
        "return_params": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_presto_ordinal(
    n_samples=2500,
    n_features=10,
    n_classes=4,
    intercepts=None,
    beta=0.5,
    dev_size=0.5,
    dev_prob=0.5,
    random_state=None,
    return_params=False,
):
    """Ordinal data whose cumulative boundaries differ in a few coefficients.

    The "sparse differences" simulation of Faletto and Bien (Section 4.1):
    ``P(y <= k | x) = expit(a_k + x @ b_k)`` for ``k = 0, ..., n_classes - 2``
    with

    * ``b_0 = beta * keep``, ``keep_j ~ Bernoulli(dev_prob)``;
    * ``b_k = b_{k-1} + dev_size * s_k * d_k``, ``s_kj = +-1`` with equal
      probability and ``d_kj ~ Bernoulli(dev_prob)``;
    * ``X_ij ~ Uniform(-1, 1)`` and ``y_i`` drawn from the class probabilities.

    The last class is rare when the last intercept is large. A draw in which
    some row has a negative class probability (crossing boundaries) or some
    class is absent is discarded and the whole data set redrawn, as the
    authors do.

    Parameters
    ----------
    n_samples : int, default=2500
        Number of rows.
    n_features : int, default=10
        Number of features.
    n_classes : int, default=4
        Number of ordered classes (at least 3).
    intercepts : array-like of shape (n_classes - 1,), default=None
        Non-decreasing boundary intercepts ``a``. ``None`` means the paper's
        ``(0, 3, 5)`` for four classes and ``linspace(0, 5, n_classes - 1)``
        otherwise.
    beta : float, default=0.5
        Size of the non-zero entries of the first boundary's slope.
    dev_size : float, default=0.5
        Size of each difference between adjacent boundaries' slopes.
    dev_prob : float, default=0.5
        Probability that a coefficient is non-zero in ``b_0`` and that it
        changes between two adjacent boundaries.
    random_state : int, RandomState instance or None, default=None
        Seed of every random draw.
    return_params : bool, default=False
        Also return the true parameters and class probabilities.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Ordinal labels ``0, ..., n_classes - 1``; the last one is the rare event.
    params : Bunch
        Only when ``return_params=True``: ``intercepts`` (n_classes - 1,),
        ``coef`` (n_classes - 1, n_features) with rows ``b_k``, and ``proba``
        (n_samples, n_classes), the true class probabilities of each row.

    Raises
    ------
    ValueError
        If ``intercepts`` has the wrong length or decreases, or if no valid
        draw was found in 100 attempts.

    References
    ----------
    .. [1] G. Faletto and J. Bien, "Predicting Rare Events by Shrinking
       Towards Proportional Odds", ICML 2023, arXiv:2305.18700.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.datasets import make_presto_ordinal
    >>> X, y = make_presto_ordinal(n_samples=1000, random_state=0)
    >>> X.shape
    (1000, 10)
    >>> np.bincount(y)
    array([463, 430,  91,  16])
    """
    if intercepts is None:
        intercepts = np.array([0.0, 3.0, 5.0]) if n_classes == 4 else np.linspace(0.0, 5.0, n_classes - 1)
    intercepts = np.asarray(intercepts, dtype=float)
    if intercepts.shape != (n_classes - 1,):
        raise ValueError(
            f"intercepts must have n_classes - 1 = {n_classes - 1} entries; got shape {intercepts.shape}."
        )
    if not np.all(np.isfinite(intercepts)) or np.any(np.diff(intercepts) < 0):
        raise ValueError(f"intercepts must be finite and non-decreasing; got {intercepts}.")
    rng = check_random_state(random_state)
    n_boundaries = n_classes - 1
    for _ in range(_MAX_TRIES):
        keep = rng.binomial(1, dev_prob, size=n_features)
        steps = dev_size * rng.choice([-1.0, 1.0], size=(n_boundaries - 1, n_features))
        steps *= rng.binomial(1, dev_prob, size=(n_boundaries - 1, n_features))
        coef = np.cumsum(np.vstack([beta * keep, steps]), axis=0)
        X = rng.uniform(-1.0, 1.0, size=(n_samples, n_features))
        cumulative = special.expit(intercepts + X @ coef.T)
        padded = np.hstack([np.zeros((n_samples, 1)), cumulative, np.ones((n_samples, 1))])
        proba = np.diff(padded, axis=1)
        if np.any(proba < 0):
            continue
        # Inverse-CDF draw: one uniform per row against the cumulative probabilities.
        y = (rng.uniform(size=(n_samples, 1)) > cumulative).sum(axis=1)
        if np.unique(y).size < n_classes:
            continue
        if return_params:
            return X, y, Bunch(intercepts=intercepts.copy(), coef=coef, proba=proba)
        return X, y
    raise ValueError(
        f"No draw in {_MAX_TRIES} attempts had valid probabilities and all {n_classes} classes; "
        "increase n_samples, lower dev_size or spread the intercepts."
    )
