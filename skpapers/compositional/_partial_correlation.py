"""Partial correlations of the parts of a composition (Erb, arXiv:1904.09480)."""

import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy import stats
from scipy.linalg import lapack
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from ._log_ratio import _clr_from_log, _log_parts, _resolve_part


@dataclass(frozen=True)
class PartialCorrelationTestResult:
    """Result of :meth:`CompositionalPartialCorrelation.test`.

    Attributes
    ----------
    statistic : float
        The partial correlation of the two parts given all the others.
    tstat : float
        ``statistic * sqrt(df / (1 - statistic**2))``.
    df : int
        Degrees of freedom, ``n_samples - n_parts + 1``.
    pvalue : float
        Two-sided p-value of ``tstat`` under Student's t with ``df`` degrees
        of freedom (null hypothesis: zero partial correlation).
    """

    statistic: float
    tstat: float
    df: int
    pvalue: float


def _degenerate_parts(gamma, names):
    """Parts involved in a zero-variance log-ratio contrast of the clr covariance."""
    eigenvalues, eigenvectors = np.linalg.eigh(gamma)
    tolerance = max(eigenvalues.max(), 0.0) * gamma.shape[0] * 1e3 * np.finfo(float).eps
    null = eigenvectors[:, eigenvalues <= tolerance]
    # The constant vector is always in the null space (clr rows sum to zero);
    # what remains after removing it are the degenerate contrasts.
    null = null - null.mean(axis=0)
    loadings = np.sqrt((null**2).sum(axis=1))
    involved = loadings > 1e-6 * max(loadings.max(), 1e-300)
    if not involved.any() or loadings.max() < 1e-8:
        return list(names)
    return [names[k] for k in np.flatnonzero(involved)]


def _clr_precision(gamma, names):
    """Moore-Penrose inverse of a clr covariance, through a Cholesky factorisation.

    ``gamma`` is singular only along the constant vector ``1`` (rows sum to
    zero). Adding ``s * 11' / D`` fills that direction with an eigenvalue
    ``s`` of the same size as the others, the sum is positive definite, and
    ``pinv(gamma) = (gamma + s 11'/D)^{-1} - 11'/(s D)``. Double centring then
    makes the rows of the result sum to zero to rounding error. A Cholesky
    inverse is several times faster than the SVD behind ``np.linalg.pinv``.
    """
    n_parts = gamma.shape[0]
    scale = np.trace(gamma) / (n_parts - 1)
    if not scale > 0:
        raise ValueError(f"Every log-ratio of the parts {list(names)} is constant; nothing to correlate.")
    shifted = gamma + scale / n_parts
    potrf, potri = lapack.get_lapack_funcs(("potrf", "potri"), (shifted,))
    factor, info = potrf(shifted, lower=True)
    pivots = np.diag(factor) ** 2 if info == 0 else None
    if info != 0 or pivots.min() <= n_parts * np.finfo(float).eps * pivots.max():
        parts = _degenerate_parts(gamma, names)
        raise ValueError(
            f"Some log-ratios among the parts {parts} have (nearly) zero variance given the "
            "other parts (for instance two parts in a constant ratio): their partial variance "
            "is zero and their partial correlations are undefined. Merge or drop those parts."
        )
    inverse, info = potri(factor, lower=True)
    inverse = np.tril(inverse) + np.tril(inverse, -1).T
    inverse -= inverse.mean(axis=0, keepdims=True)
    inverse -= inverse.mean(axis=1, keepdims=True)
    return inverse


class CompositionalPartialCorrelation(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Partial correlations and partial variances of the parts of compositions.

    Compositions only carry ratio information, so the correlations of their
    parts are spurious and the covariance ``Gamma`` of their centred
    log-ratios (clr) is singular. Following Erb (2020), the precision analogue
    is the Moore-Penrose inverse ``Omega = pinv(Gamma)``, the partial
    correlation of parts ``i`` and ``j`` given all the other parts is
    ``-Omega_ij / sqrt(Omega_ii Omega_jj)`` and the partial variance of part
    ``i`` is ``1 / Omega_ii``. These are reference-free: for any reference part
    ``r`` outside ``{i, j}``, ``rho_ij`` is the correlation of the residuals of
    ``log(x_i / x_r)`` and ``log(x_j / x_r)`` regressed on the other
    log-ratios ``log(x_k / x_r)``, whichever ``r`` is chosen.

    Parameters
    ----------
    ddof : int, default=1
        Delta degrees of freedom of the clr covariance (divisor
        ``n_samples - ddof``). It scales ``covariance_``, ``precision_`` and
        ``partial_variance_``, not the partial correlations.
    pseudocount : float or None, default=None
        If set, this positive value is added to every part before the
        logarithm, so that zero parts are usable; the results then depend on
        it (and on the scale of the data). If None, zero parts raise a
        ``ValueError``. Negative parts always raise.

    Attributes
    ----------
    location_ : ndarray of shape (`n_features_in_`,)
        Mean of the clr coordinates.
    covariance_ : ndarray of shape (`n_features_in_`, `n_features_in_`)
        Covariance ``Gamma`` of the clr coordinates (rows sum to zero).
    precision_ : ndarray of shape (`n_features_in_`, `n_features_in_`)
        Moore-Penrose inverse ``Omega`` of ``covariance_`` (rows sum to zero).
    partial_correlation_ : ndarray of shape (`n_features_in_`, `n_features_in_`)
        Partial correlations of each pair of parts given all the other parts,
        with a unit diagonal.
    partial_variance_ : ndarray of shape (`n_features_in_`,)
        Residual variance of ``log(x_i / x_r)`` regressed on all the other
        log-ratios (any reference ``r != i``), that is ``1 / Omega_ii``.
    n_samples_ : int
        Number of samples seen in ``fit``.
    n_features_in_ : int
        Number of parts seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the parts seen in ``fit``; defined only when ``X`` has
        string column names.

    See Also
    --------
    LogRatioTransformer : clr and alr coordinates of compositions.
    compositional_partial_corr : The same computation as a function.

    Notes
    -----
    The estimate needs ``n_samples > n_parts - 1``: with fewer samples the clr
    covariance has further zero eigenvalues and its pseudo-inverse no longer
    estimates the partial correlations, so ``fit`` raises a ``ValueError``
    (a shrinkage estimator would be needed). Below ``5 * n_parts`` samples it
    warns that the estimate is noisy. Pairs of parts in a constant ratio make
    the partial variance zero and raise a ``ValueError`` naming the parts.
    With only 2 parts there is nothing to partial out: ``fit`` warns, the
    partial correlation is 1 by construction (rows of ``precision_`` sum to
    zero), ``partial_variance_`` is the variance of ``log(x_1 / x_2)`` and
    ``test`` raises. A single part raises a ``ValueError``.

    Partial correlations are subcompositionally incoherent, as ordinary
    partial correlations are: dropping parts changes the set of controls and
    therefore the values.

    ``transform`` returns the clr coordinates, so the estimator can sit in a
    :class:`~sklearn.pipeline.Pipeline`. Unlike
    :class:`~sklearn.covariance.EmpiricalCovariance` it has no ``score`` or
    ``mahalanobis``: both need an invertible covariance.

    References
    ----------
    .. [1] I. Erb, "Partial correlations in compositional data analysis",
       Applied Computing and Geosciences 6, 100026 (2020). arXiv:1904.09480.
    .. [2] J. Aitchison, "The Statistical Analysis of Compositional Data",
       Chapman and Hall (1986).

    Examples
    --------
    >>> from skpapers.compositional import CompositionalPartialCorrelation
    >>> from skpapers.datasets import make_logistic_normal
    >>> X, true_rho = make_logistic_normal(n_samples=2000, n_parts=4, random_state=0)
    >>> pcor = CompositionalPartialCorrelation().fit(X)
    >>> pcor.partial_correlation_.round(2)
    array([[1.  , 0.39, 0.03, 0.5 ],
           [0.39, 1.  , 0.41, 0.16],
           [0.03, 0.41, 1.  , 0.49],
           [0.5 , 0.16, 0.49, 1.  ]])
    >>> true_rho.round(2)
    array([[1.  , 0.4 , 0.  , 0.51],
           [0.4 , 1.  , 0.4 , 0.17],
           [0.  , 0.4 , 1.  , 0.51],
           [0.51, 0.17, 0.51, 1.  ]])
    >>> result = pcor.test(0, 1)
    >>> result.df, bool(result.pvalue < 1e-6)
    (1997, True)
    """

    _parameter_constraints = {
        "ddof": [Interval(Integral, 0, None, closed="left")],
        "pseudocount": [None, Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, ddof=1, pseudocount=None):
        self.ddof = ddof
        self.pseudocount = pseudocount

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags

    def fit(self, X, y=None):
        """Estimate the clr covariance, its pseudo-inverse and the partial correlations.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts)
            Compositions (closed or not: only ratios matter). Every part must
            be positive (or non-negative when ``pseudocount`` is set).
        y : None
            Ignored.

        Returns
        -------
        self : CompositionalPartialCorrelation
            The fitted estimator.
        """
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64)
        n_samples, n_parts = X.shape
        if n_parts < 2:
            raise ValueError(f"A composition needs at least 2 parts; got X with {n_parts} feature(s).")
        if n_parts == 2:
            warnings.warn(
                "With 2 parts there is nothing to partial out: the partial correlation of the "
                "two parts is 1 by construction and only the partial variances are informative.",
                UserWarning,
                stacklevel=2,
            )
        if n_samples <= n_parts - 1:
            raise ValueError(
                f"Got {n_samples} sample(s) for {n_parts} parts: the clr covariance needs "
                f"n_samples > n_parts - 1 = {n_parts - 1} to have rank n_parts - 1, otherwise its "
                "pseudo-inverse does not estimate partial correlations. Use more samples, fewer "
                "parts, or a shrinkage estimator."
            )
        if n_samples - self.ddof <= 0:
            raise ValueError(f"ddof={self.ddof} must be smaller than n_samples={n_samples}.")
        if n_samples < 5 * n_parts:
            warnings.warn(
                f"Only {n_samples} samples for {n_parts} parts (fewer than 5 per part): the "
                "partial correlations are noisy.",
                UserWarning,
                stacklevel=2,
            )
        clr = _clr_from_log(_log_parts(X, self.pseudocount, type(self).__name__))
        self.location_ = clr.mean(axis=0)
        clr -= self.location_
        gamma = clr.T @ clr / (n_samples - self.ddof)
        # Rows of a clr covariance sum to zero; remove the rounding that breaks it.
        gamma -= gamma.mean(axis=0, keepdims=True)
        gamma -= gamma.mean(axis=1, keepdims=True)
        gamma = (gamma + gamma.T) / 2
        names = getattr(self, "feature_names_in_", None)
        names = list(names) if names is not None else [f"x{k}" for k in range(n_parts)]
        omega = _clr_precision(gamma, names)

        diagonal = np.diag(omega)
        scale = 1.0 / np.sqrt(diagonal)
        rho = -omega * scale[:, None] * scale[None, :]
        np.clip(rho, -1.0, 1.0, out=rho)
        np.fill_diagonal(rho, 1.0)

        self.covariance_ = gamma
        self.precision_ = omega
        self.partial_correlation_ = rho
        self.partial_variance_ = 1.0 / diagonal
        self.n_samples_ = n_samples
        return self

    def transform(self, X):
        """Return the clr coordinates of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts)
            Compositions with the parts seen in ``fit``.

        Returns
        -------
        X_clr : ndarray of shape (n_samples, n_parts)
            Centred log-ratio coordinates (rows sum to zero).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return _clr_from_log(_log_parts(X, self.pseudocount, type(self).__name__))

    def test(self, i, j):
        """Test whether the partial correlation of two parts is zero.

        The t statistic has ``n_samples - n_parts + 1`` degrees of freedom:
        ``n_samples - 2`` minus the ``n_parts - 3`` log-ratios partialled out,
        as in an ordinary partial correlation test on alr coordinates.

        Parameters
        ----------
        i, j : int or str
            The two parts, as indices (negative values count from the end)
            or, when fitted on a DataFrame, column names.

        Returns
        -------
        result : PartialCorrelationTestResult
            With ``statistic`` (the partial correlation), ``tstat``, ``df``
            and the two-sided ``pvalue``.
        """
        check_is_fitted(self)
        if self.n_features_in_ < 3:
            raise ValueError(
                "The test needs at least 3 parts (the pair and a reference outside it); "
                f"the estimator was fitted on {self.n_features_in_}."
            )
        i = _resolve_part(i, self, "i")
        j = _resolve_part(j, self, "j")
        if i == j:
            raise ValueError(f"i and j must be different parts; both are part {i}.")
        rho = float(self.partial_correlation_[i, j])
        df = self.n_samples_ - self.n_features_in_ + 1
        with np.errstate(divide="ignore"):
            tstat = float(rho * np.sqrt(df / (1.0 - rho**2))) if abs(rho) < 1 else float(np.copysign(np.inf, rho))
        pvalue = float(2 * stats.t.sf(abs(tstat), df))
        return PartialCorrelationTestResult(statistic=rho, tstat=tstat, df=df, pvalue=pvalue)


def compositional_partial_corr(X, ddof=1, pseudocount=None):
    """Partial correlations and partial variances of the parts of compositions.

    A function form of :class:`CompositionalPartialCorrelation`: the partial
    correlations are read off the Moore-Penrose inverse of the clr covariance
    and do not depend on any choice of reference part.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_parts)
        Compositions with positive parts and ``n_samples > n_parts - 1``.
    ddof : int, default=1
        Delta degrees of freedom of the clr covariance; scales the partial
        variances only.
    pseudocount : float or None, default=None
        Positive value added to every part before the logarithm (makes zero
        parts usable, changes the result); None makes zeros raise.

    Returns
    -------
    partial_correlation : ndarray of shape (n_parts, n_parts)
        Partial correlation of each pair of parts given all the others, with
        a unit diagonal.
    partial_variance : ndarray of shape (n_parts,)
        Residual variance of ``log(x_i / x_r)`` given all the other
        log-ratios, for any reference ``r != i``.

    See Also
    --------
    CompositionalPartialCorrelation : The estimator, with the covariance,
        the precision and a significance test.

    References
    ----------
    .. [1] I. Erb, "Partial correlations in compositional data analysis",
       Applied Computing and Geosciences 6, 100026 (2020). arXiv:1904.09480.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.compositional import compositional_partial_corr
    >>> rng = np.random.default_rng(0)
    >>> X = np.exp(rng.normal(size=(500, 5)))
    >>> rho, partial_variance = compositional_partial_corr(X)
    >>> np.allclose(rho, compositional_partial_corr(3 * X)[0])
    True
    >>> rho.shape, partial_variance.shape
    ((5, 5), (5,))
    """
    estimator = CompositionalPartialCorrelation(ddof=ddof, pseudocount=pseudocount).fit(X)
    return estimator.partial_correlation_, estimator.partial_variance_
