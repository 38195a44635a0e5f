"""Linearly separable binary problems for the large-step gradient-descent experiments."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params


@validate_params(
    {
        "kind": [StrOptions({"hard", "easy", "worst_case"})],
        "n_samples": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_separable_classification(kind="hard", n_samples=200, *, random_state=None):
    """Generate a linearly separable binary problem for large-step gradient descent.

    Three problems, all separable with labels in {-1, +1}:

    * ``"hard"``: 2-D points ``x ~ N(0, diag(0.09, 25))`` kept when
      ``|x_1| >= 0.01``, labelled ``sign(x_1)``. The tiny first coordinate and
      the wide second one make it badly conditioned: logistic regression
      trained by gradient descent needs hundreds of steps. Fit with a bias
      column of value 3 (``intercept_scaling=3.0``) to reproduce the setting
      of the reproduction report, where the constant is a feature.
    * ``"easy"``: ``x ~ N(0, I_20)`` kept when ``|<w*, x>| >= 0.1`` for a
      random unit ``w*``, labelled ``sign(<w*, x>)``; a few large steps suffice.
    * ``"worst_case"``: the paper's Theorem 5.1 dataset, one point
      ``(0.5, -1)`` of class +1 and ``n_samples - 1`` copies of ``(-0.5, -1)``
      of class -1 (deterministic). Separable through the origin (fit without
      intercept); the batch perceptron needs about ``0.3 n_samples`` steps,
      the normalised one two.

    Parameters
    ----------
    kind : {"hard", "easy", "worst_case"}, default="hard"
        Which problem.
    n_samples : int, default=200
        Number of samples (at least 2).
    random_state : int, RandomState instance or None, default=None
        Seed of the draws (``"worst_case"`` ignores it).

    Returns
    -------
    X : ndarray of shape (n_samples, 2) or (n_samples, 20)
        Features.
    y : ndarray of shape (n_samples,)
        Labels in {-1, +1}.

    References
    ----------
    A. Tyurin, "From Logistic Regression to the Perceptron Algorithm: Exploring
    Gradient Descent with Large Step Sizes", arXiv:2412.08424, 2024.

    Examples
    --------
    >>> from skpapers.datasets import make_separable_classification
    >>> X, y = make_separable_classification("hard", random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((200, 2), [-1.0, 1.0])
    >>> X, y = make_separable_classification("worst_case", n_samples=5)
    >>> X[:2].tolist(), y.tolist()
    ([[0.5, -1.0], [-0.5, -1.0]], [1.0, -1.0, -1.0, -1.0, -1.0])
    """
    if kind == "worst_case":
        X = np.tile([-0.5, -1.0], (n_samples, 1))
        X[0, 0] = 0.5
        y = -np.ones(n_samples)
        y[0] = 1.0
        return X, y

    # A Generator seeded from the random_state keeps the seed -> data map of
    # the reproduction report (default_rng(seed)) for integer seeds.
    if random_state is None or isinstance(random_state, Integral):
        rng = np.random.default_rng(random_state)
    else:
        rng = np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))

    if kind == "hard":
        x = rng.normal(size=(max(4000, 20 * n_samples), 2)) * np.array([0.3, 5.0])
        x = x[np.abs(x[:, 0]) >= 0.01][:n_samples]
        return x, np.sign(x[:, 0])

    w_star = rng.normal(size=20)
    w_star /= np.linalg.norm(w_star)
    kept = []
    n_kept = 0
    while n_kept < n_samples:
        x = rng.normal(size=(2 * n_samples, 20))
        x = x[np.abs(x @ w_star) >= 0.1]
        kept.append(x)
        n_kept += x.shape[0]
    X = np.vstack(kept)[:n_samples]
    return X, np.sign(X @ w_star)
