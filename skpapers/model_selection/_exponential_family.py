"""Exponential families as the p-n criterion sees them: sufficient statistics, MLE, model cumulants.

A family only has to say how to map observations to their sufficient statistic ``T(x)``, how to
find the MLE from the mean of ``T`` and how to integrate against the fitted model (a weighted set
of points in ``T`` space, exact where the support is finite or Gaussian quadrature is exact).
Everything else (Fisher information, cumulants, the risk expansion) is computed from those.
"""

from numbers import Integral

import numpy as np
from scipy import stats
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

# Gauss-Hermite with 5 nodes per axis integrates polynomials of degree <= 9 exactly; the risk
# expansion needs moments of T = (x, x x^T) up to order 4, i.e. of x up to order 8.
_HERMITE_NODES = 5
_MAX_QUADRATURE_POINTS = _HERMITE_NODES**5


class ExponentialFamily:
    """Interface of an exponential family ``h(x) exp(theta^T T(x) - psi(theta))``.

    Subclass it (or implement the same three methods on any object) to use
    :func:`pn_criterion` with a family that is not provided. ``name`` is a
    short label used in results.

    Notes
    -----
    The protocol:

    sufficient_statistics(X)
        ``T(x_i)`` for every observation, an array of shape ``(n_samples, p)``.
    fit_moments(Tbar)
        The maximum-likelihood parameters, i.e. the parameters whose model mean
        of ``T`` equals ``Tbar``; ``None`` when the MLE does not exist because
        ``Tbar`` lies on the boundary of the mean space (an empty multinomial
        cell, an all-zero Poisson sample).
    model_sample(params, n_mc=None, random_state=None)
        ``(points, weights)``: points in ``T`` space, shape ``(m, p)``, and
        non-negative weights summing to one, such that weighted sums are
        expectations under the fitted model (exact support or quadrature).
        Monte Carlo (e.g. ``n_mc`` draws when ``n_mc`` is given) returns
        ``(points, weights, True)``: the points are then treated as
        independent draws, and sums over pairs of them leave out the
        diagonal.
    standardize(X)
        Optional: an invertible map of the observations under which the
        family is closed and the risk unchanged (e.g. whitening for normal
        families), applied before ``sufficient_statistics`` for numerical
        conditioning.
    fisher_information(params)
        Optional: the exact covariance of ``T`` under the model; when absent it
        is computed from :meth:`model_sample`.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of
       exponential family: Criterion for model dimension and sample size",
       Statistical Papers (2023), arXiv:2105.08947.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.model_selection import ExponentialFamily, pn_criterion
    >>> class Geometric(ExponentialFamily):
    ...     name = "geometric"
    ...     def sufficient_statistics(self, X):
    ...         return np.asarray(X, dtype=float).reshape(-1, 1)
    ...     def fit_moments(self, Tbar):
    ...         return 1.0 / (1.0 + Tbar[0])  # success probability
    ...     def model_sample(self, params, n_mc=None, random_state=None):
    ...         k = np.arange(2000.0)
    ...         weights = params * (1 - params) ** k
    ...         return k.reshape(-1, 1), weights / weights.sum()
    >>> X = np.random.default_rng(0).geometric(0.3, size=400) - 1
    >>> result = pn_criterion(X, Geometric(), max_risk=0.005)
    >>> result.p, round(result.c1, 2), bool(result.accepted)
    (1, 0.5, True)
    """

    name = "exponential family"

    def sufficient_statistics(self, X):
        raise NotImplementedError

    def fit_moments(self, Tbar):
        raise NotImplementedError

    def model_sample(self, params, n_mc=None, random_state=None):
        raise NotImplementedError


def _vech_indices(d):
    return np.triu_indices(d)


class MultivariateNormalFamily(ExponentialFamily):
    """The multivariate normal family ``N(mu, S)`` with free mean and covariance.

    Its sufficient statistic is ``T(x) = (x, x_i x_j for i <= j)``, so the
    dimension is ``p = d + d (d + 1) / 2``; the MLE is the sample mean and the
    covariance with divisor ``n``. With ``d = 1`` this is the univariate
    normal family (``family="normal"``).

    Integrals against the fitted model use a tensor Gauss-Hermite rule with 5
    nodes per axis (exact for the moments the risk needs) while ``5**d <=
    3125``, Monte Carlo with 2000 independent draws beyond that, or ``n_mc``
    draws when :func:`mle_risk_expansion` is given ``n_mc``. Monte Carlo
    leaves ``c1`` exact (the Fisher information has a closed form) and makes
    ``c2`` unbiased but noisy.

    Parameters
    ----------
    univariate : bool, default=False
        Require a single column (what ``family="normal"`` uses).

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of
       exponential family: Criterion for model dimension and sample size",
       Statistical Papers (2023), arXiv:2105.08947.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.model_selection import MultivariateNormalFamily, mle_risk_expansion
    >>> X = np.random.default_rng(0).normal(size=(500, 2))
    >>> result = mle_risk_expansion(X, MultivariateNormalFamily())
    >>> result.p, round(result.c1, 1)
    (5, 2.6)
    """

    name = "multivariate_normal"

    def __init__(self, univariate=False):
        self.univariate = univariate

    def _as_matrix(self, X):
        X = check_array(X, ensure_2d=False, dtype=np.float64, input_name="X")
        if X.ndim == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2:
            raise ValueError(f"X must be 1-D or 2-D for a normal family; got {X.ndim} dimensions.")
        if self.univariate and X.shape[1] != 1:
            raise ValueError(
                f"family='normal' is univariate but X has {X.shape[1]} columns; use family='multivariate_normal'."
            )
        return X

    def standardize(self, X):
        """Whiten X (mean 0, covariance I); the family is affine-closed and the risk is invariant.

        Working in whitened coordinates keeps ``T = (x, x x^T)`` well conditioned when the
        features have very different scales or means far from zero.
        """
        X = self._as_matrix(X)
        if X.shape[0] < 2:
            raise ValueError(f"X must hold at least 2 observations; got {X.shape[0]}.")
        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        if np.any(scale <= 1e-12 * np.maximum(np.abs(mean), 1.0)):
            raise ValueError(
                "X has a constant column: the sample covariance is singular and the normal MLE does not exist."
            )
        Z = (X - mean) / scale
        eigenvalues, eigenvectors = np.linalg.eigh(Z.T @ Z / Z.shape[0])
        if eigenvalues[0] <= 1e-10 * eigenvalues[-1]:
            raise ValueError(
                "The sample covariance of X is singular (collinear columns, or fewer samples than "
                "features): the normal MLE and its Fisher information do not exist."
            )
        return Z @ (eigenvectors / np.sqrt(eigenvalues))

    def sufficient_statistics(self, X):
        X = self._as_matrix(X)
        rows, cols = _vech_indices(X.shape[1])
        return np.hstack([X, X[:, rows] * X[:, cols]])

    def _dimension(self, p):
        # p = d + d (d + 1) / 2  <=>  d^2 + 3 d - 2 p = 0
        d = int(round((-3 + np.sqrt(9 + 8 * p)) / 2))
        if d + d * (d + 1) // 2 != p:
            raise ValueError(f"{p} is not the dimension of a multivariate normal's sufficient statistic.")
        return d

    def fit_moments(self, Tbar):
        Tbar = np.asarray(Tbar, dtype=np.float64)
        d = self._dimension(Tbar.shape[0])
        mean = Tbar[:d]
        second = np.empty((d, d))
        rows, cols = _vech_indices(d)
        second[rows, cols] = Tbar[d:]
        second[cols, rows] = Tbar[d:]
        covariance = second - np.outer(mean, mean)
        covariance = (covariance + covariance.T) / 2
        eigenvalues = np.linalg.eigvalsh(covariance)
        if eigenvalues[0] <= 1e-10 * max(eigenvalues[-1], np.finfo(float).tiny):
            raise ValueError(
                "The sample covariance of X is singular (constant or collinear columns, or fewer "
                "samples than features): the normal MLE and its Fisher information do not exist."
            )
        return mean, covariance

    def _standard_points(self, d, n_mc, random_state):
        if n_mc is None and _HERMITE_NODES**d <= _MAX_QUADRATURE_POINTS:
            nodes, weights = np.polynomial.hermite_e.hermegauss(_HERMITE_NODES)
            weights = weights / weights.sum()
            grids = np.meshgrid(*([nodes] * d), indexing="ij")
            Z = np.stack([grid.ravel() for grid in grids], axis=1)
            W = np.ones(Z.shape[0])
            for axis_weights in np.meshgrid(*([weights] * d), indexing="ij"):
                W = W * axis_weights.ravel()
            return Z, W
        rng = check_random_state(random_state)
        Z = rng.standard_normal((2000 if n_mc is None else n_mc, d))
        return Z, None

    def model_sample(self, params, n_mc=None, random_state=None):
        mean, covariance = params
        Z, weights = self._standard_points(mean.shape[0], n_mc, random_state)
        T = self.sufficient_statistics(mean + Z @ np.linalg.cholesky(covariance).T)
        if weights is None:
            return T, np.full(T.shape[0], 1.0 / T.shape[0]), True
        return T, weights

    def fisher_information(self, params):
        mean, S = params
        d = mean.shape[0]
        rows, cols = _vech_indices(d)
        # Isserlis: Cov(x_i, x_k x_l) and Cov(x_i x_j, x_k x_l) for a Gaussian with mean mu.
        cross = S[:, rows] * mean[cols] + S[:, cols] * mean[rows]
        i, j = rows[:, None], cols[:, None]
        k, l = rows[None, :], cols[None, :]
        quad = (
            S[i, k] * S[j, l]
            + S[i, l] * S[j, k]
            + mean[i] * mean[k] * S[j, l]
            + mean[i] * mean[l] * S[j, k]
            + mean[j] * mean[k] * S[i, l]
            + mean[j] * mean[l] * S[i, k]
        )
        return np.block([[S, cross], [cross.T, quad]])


class MultinomialFamily(ExponentialFamily):
    """The multinomial (categorical) family on ``K`` cells.

    Observations are category labels (1-D) or one-hot rows (2-D, one column
    per category, a single 1 per row). The sufficient statistic is the
    indicator of the first ``K - 1`` categories, so ``p = K - 1``; the MLE is
    the vector of observed proportions, on the boundary (risk infinite) when a
    category is never observed.

    Parameters
    ----------
    categories : array-like of shape (K,), default=None
        The cells. ``None`` takes the labels observed in ``X`` (then no cell is
        empty); pass them explicitly, e.g. ``range(K)`` for histogram bins, to
        detect empty cells. Ignored for one-hot input, whose columns are the
        cells.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of
       exponential family: Criterion for model dimension and sample size",
       Statistical Papers (2023), arXiv:2105.08947.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.model_selection import MultinomialFamily, mle_risk_expansion
    >>> X = np.repeat([0, 1, 2, 3], [10, 20, 30, 40])
    >>> result = mle_risk_expansion(X, MultinomialFamily(categories=range(4)))
    >>> round(result.c1, 4), round(result.c2, 4)
    (1.5, 6.7639)
    """

    name = "multinomial"

    def __init__(self, categories=None):
        self.categories = categories

    def sufficient_statistics(self, X):
        X = np.asarray(X)
        if X.ndim == 2:
            X = check_array(X, dtype=np.float64, input_name="X")
            if not (np.all((X == 0) | (X == 1)) and np.all(X.sum(axis=1) == 1)):
                raise ValueError("2-D X for a multinomial family must be one-hot rows (a single 1 per row).")
            if X.shape[1] < 2:
                raise ValueError("A multinomial family needs at least 2 categories; X has 1 column.")
            return X[:, :-1]
        X = check_array(X, ensure_2d=False, dtype=None, input_name="X")
        if X.ndim != 1:
            raise ValueError(f"X must be 1-D labels or 2-D one-hot rows; got {X.ndim} dimensions.")
        if X.dtype.kind == "f" and not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinity.")
        categories = np.unique(X) if self.categories is None else np.asarray(list(self.categories))
        if categories.ndim != 1 or categories.shape[0] < 2 or np.unique(categories).shape[0] != categories.shape[0]:
            raise ValueError(
                "categories must hold at least 2 distinct values (with categories=None, X must contain "
                f"at least 2 distinct labels); got {categories.tolist()}."
            )
        order = np.argsort(categories)
        position = np.searchsorted(categories[order], X)
        position = np.clip(position, 0, categories.shape[0] - 1)
        unknown = categories[order][position] != X
        if np.any(unknown):
            raise ValueError(f"X has labels outside categories: {np.unique(X[unknown]).tolist()[:5]}.")
        codes = order[position]
        return (codes[:, None] == np.arange(categories.shape[0] - 1)[None, :]).astype(np.float64)

    def fit_moments(self, Tbar):
        Tbar = np.asarray(Tbar, dtype=np.float64)
        probabilities = np.append(Tbar, 1.0 - Tbar.sum())
        if np.any(probabilities <= 1e-12):
            return None
        return probabilities

    def model_sample(self, params, n_mc=None, random_state=None):
        K = params.shape[0]
        return np.eye(K)[:, : K - 1], params

    def fisher_information(self, params):
        pi = params[:-1]
        return np.diag(pi) - np.outer(pi, pi)


class BernoulliFamily(MultinomialFamily):
    """The Bernoulli family: binary observations coded 0/1 (``p = 1``)."""

    name = "bernoulli"

    def __init__(self):
        super().__init__(categories=[1, 0])

    def sufficient_statistics(self, X):
        X = check_array(X, ensure_2d=False, dtype=np.float64, input_name="X")
        if X.ndim != 1 or not np.all((X == 0) | (X == 1)):
            raise ValueError("X must be a 1-D binary sequence of 0/1 values for family='bernoulli'.")
        return X.reshape(-1, 1)


class PoissonFamily(ExponentialFamily):
    """The Poisson family on counts (``T(x) = x``, ``p = 1``); an all-zero sample has no MLE."""

    name = "poisson"

    def sufficient_statistics(self, X):
        X = check_array(X, ensure_2d=False, dtype=np.float64, input_name="X")
        if X.ndim == 2 and X.shape[1] == 1:
            X = X.ravel()
        if X.ndim != 1:
            raise ValueError("X must be a 1-D sequence of counts for family='poisson'.")
        if np.any(X < 0) or np.any(X != np.round(X)):
            raise ValueError("X must hold non-negative integer counts for family='poisson'.")
        return X.reshape(-1, 1)

    def fit_moments(self, Tbar):
        rate = float(np.asarray(Tbar).ravel()[0])
        return None if rate <= 0 else rate

    def model_sample(self, params, n_mc=None, random_state=None):
        # 12 standard deviations either side of the mean (plus a margin for small rates): the tails left out are
        # far below double precision for every moment the expansion uses.
        spread = 12.0 * np.sqrt(params) + 30.0
        support = np.arange(max(0, int(params - spread)), int(np.ceil(params + spread)) + 1, dtype=np.float64)
        weights = stats.poisson.pmf(support, params)
        return support.reshape(-1, 1), weights / weights.sum()

    def fisher_information(self, params):
        return np.array([[params]])


_FAMILIES = {
    "normal": lambda: MultivariateNormalFamily(univariate=True),
    "multivariate_normal": MultivariateNormalFamily,
    "multinomial": MultinomialFamily,
    "poisson": PoissonFamily,
    "bernoulli": BernoulliFamily,
}


def _check_family(family):
    if isinstance(family, str):
        if family not in _FAMILIES:
            raise ValueError(f"family must be one of {sorted(_FAMILIES)} or an ExponentialFamily; got {family!r}.")
        instance = _FAMILIES[family]()
        instance.name = family
        return instance
    missing = [m for m in ("sufficient_statistics", "fit_moments", "model_sample") if not hasattr(family, m)]
    if missing:
        raise TypeError(
            f"family must be a string or implement sufficient_statistics, fit_moments and model_sample; "
            f"{type(family).__name__} lacks {missing}."
        )
    return family


def _check_n_mc(n_mc):
    if n_mc is not None and (isinstance(n_mc, bool) or not isinstance(n_mc, Integral) or n_mc < 2):
        raise ValueError(f"n_mc must be None or an integer >= 2; got {n_mc!r}.")
