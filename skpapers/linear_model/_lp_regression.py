"""l_p regression, exact and on an l_p sensitivity sample of the rows."""

from numbers import Integral, Real

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted, validate_data

from ..sampling._lp_sensitivity import METHODS as SAMPLING_METHODS
from ..sampling._lp_sensitivity import LpSensitivitySampler, _check_p, _single_blas_thread
from ..utils._optim import LpLoss, least_absolute_deviations, reweighted_newton


def _check_weights(sample_weight, n_samples):
    if sample_weight is None:
        return np.ones(n_samples)
    sample_weight = check_array(sample_weight, ensure_2d=False, dtype=float, input_name="sample_weight")
    if sample_weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},) like the rows of X; got {sample_weight.shape}."
        )
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must be non-negative.")
    if not np.any(sample_weight > 0):
        raise ValueError("sample_weight is zero everywhere; at least one weight must be positive.")
    return sample_weight


class _LinearPredictor:
    """``predict`` of a fitted linear model with ``coef_`` and ``intercept_``."""

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            ``X @ coef_ + intercept_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=float, reset=False)
        return X @ self.coef_ + self.intercept_


@_single_blas_thread
def _fit_lp(X, y, p, sample_weight, fit_intercept, tol, max_iter, context):
    """Coefficients, intercept and iterations of the weighted l_p fit."""
    n_features = X.shape[1]
    if p == 1.0:
        result = least_absolute_deviations(X, y, sample_weight, fit_intercept, context=context)
        x, n_iter = result.x, result.n_iter
    else:
        datafit = LpLoss(X, y, p, sample_weight=sample_weight, fit_intercept=fit_intercept)
        design = datafit.design()
        root = np.sqrt(datafit.weights)
        # Weighted least squares is the p = 2 answer and a good start otherwise.
        scaled = design * root[:, None]
        # numpy's rank rule: scipy's default cut (machine epsilon) keeps the
        # rounding-level singular value of a duplicated column.
        cond = max(scaled.shape) * np.finfo(float).eps
        x = linalg.lstsq(scaled, y * root, cond=cond, check_finite=False)[0]
        n_iter = 1
        if p != 2.0:
            result = reweighted_newton(datafit, x, tol=tol, max_iter=max_iter, context=context)
            x, n_iter = result.x, result.n_iter
    coef = x[:n_features]
    intercept = float(x[n_features]) if fit_intercept else 0.0
    return coef, intercept, n_iter


class LpRegression(_LinearPredictor, RegressorMixin, BaseEstimator):
    """Linear regression minimising the weighted l_p norm of the residuals, ``p >= 1``.

    Minimises ``sum_i s_i |y_i - x_i^T b - b0|^p``. For ``p = 1`` (least
    absolute deviations, the median regression) the problem is a linear
    program, solved exactly through its dual with HiGHS, which has one
    constraint per coefficient instead of one per sample; ``p = 2`` is
    weighted least squares; any other ``p`` runs Newton's method
    (``p > 2``) or iteratively reweighted least squares (``1 < p < 2``) from
    the least-squares fit. Large ``p`` down-weights nothing and punishes the
    largest residuals most; ``p`` near 1 is robust to outlying ``y``.

    Parameters
    ----------
    p : float, default=1.0
        The norm, ``1 <= p < inf``.
    fit_intercept : bool, default=True
        Fit the intercept ``b0``.
    max_iter : int, default=100
        Maximum Newton / IRLS iterations (unused for ``p`` in {1, 2}).
    tol : float, default=1e-8
        Stop when a step moves no coefficient by more than ``tol`` relative,
        or the objective decreases by less than ``tol`` relative.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients ``b``.
    intercept_ : float
        Intercept ``b0`` (0 without ``fit_intercept``).
    n_iter_ : int
        Solver iterations (simplex iterations for ``p = 1``).
    objective_ : float
        ``sum_i s_i |y_i - x_i^T b - b0|^p`` at the solution.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape ``(n_features_in_,)``
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    SampledLpRegression : The same fit on an l_p sensitivity sample of the rows.
    sklearn.linear_model.QuantileRegressor : ``p = 1`` is its median (``quantile=0.5, alpha=0``).

    Notes
    -----
    For ``p = 1`` the minimiser need not be unique (the objective is
    piecewise linear); the linear program returns a vertex of the solution
    set, which may differ from another solver's minimiser with the same
    objective.

    References
    ----------
    Woodruff, D. P. and Yasuda, T. (2023). Sharper Bounds for l_p Sensitivity
    Sampling. ICML 2023. arXiv:2306.00732.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.linear_model import LpRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((1000, 2))
    >>> y = X @ [1.5, -1.0] + 2.0 + rng.laplace(size=1000)
    >>> reg = LpRegression(p=1).fit(X, y)
    >>> np.round(reg.coef_, 1).tolist(), round(reg.intercept_, 1)
    ([1.5, -1.0], 2.0)
    """

    _parameter_constraints: dict = {
        "p": [Interval(Real, 1, None, closed="left")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, p=1.0, fit_intercept=True, max_iter=100, tol=1e-8):
        self.p = p
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the l_p regression.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights ``s_i`` of the terms ``|r_i|^p`` (for
            instance the ``1 / p_i`` of a sensitivity sample).

        Returns
        -------
        self : LpRegression
            The fitted estimator.
        """
        p = _check_p(self.p)
        X, y = validate_data(self, X, y, dtype=float, y_numeric=True)
        sample_weight = _check_weights(sample_weight, X.shape[0])
        self.coef_, self.intercept_, self.n_iter_ = _fit_lp(
            X, y, p, sample_weight, self.fit_intercept, self.tol, self.max_iter, type(self).__name__
        )
        residual = y - X @ self.coef_ - self.intercept_
        self.objective_ = float(sample_weight @ np.abs(residual) ** p)
        return self


class SampledLpRegression(_LinearPredictor, RegressorMixin, BaseEstimator):
    """l_p regression fitted on a weighted l_p sensitivity sample of the rows.

    Samples the rows of ``[X, 1, y]`` with an
    :class:`~skpapers.sampling.LpSensitivitySampler` (Lewis weights by
    default), then fits :class:`LpRegression` on the kept rows with their
    ``1 / p_i`` weights. With enough rows the sample is an l_p subspace
    embedding of ``[X, 1, y]``, so the fitted coefficients have an objective
    on the full data within a factor ``1 + eps`` of the optimum, at the cost
    of a fit on ``n_samples`` rows instead of all of them.

    Parameters
    ----------
    p : float, default=1.0
        The norm, ``1 <= p < inf``.
    sampler : LpSensitivitySampler or None, default=None
        A sampler to clone and use; when given, ``p``, ``n_samples``,
        ``method``, ``fit_intercept`` and ``random_state`` do not configure it
        (its own parameters do) except that its ``include_target`` is set to
        True. Its ``p`` should match ``p``.
    n_samples : float, default=None
        Expected number of kept rows (``None``: ``ceil(10 * d)``, ``d`` the
        number of columns of ``[X, 1, y]``).
    method : {"lewis", "sensitivity", "root_leverage", "leverage", \
            "leverage_sensitivity", "uniform"}, default="lewis"
        Row scores of the default sampler.
    fit_intercept : bool, default=True
        Fit an intercept (and sample with a column of ones).
    random_state : int, RandomState instance or None, default=None
        Seeds the row sample.

    Attributes
    ----------
    sampler_ : LpSensitivitySampler
        The fitted sampler (scores, probabilities, kept rows).
    estimator_ : LpRegression
        The weighted fit on the kept rows.
    coef_ : ndarray of shape (n_features,)
        Coefficients.
    intercept_ : float
        Intercept.
    sample_indices_ : ndarray of int
        Rows used by the fit.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape ``(n_features_in_,)``
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    LpRegression : The exact fit on all rows.
    skpapers.sampling.LpSensitivitySampler : The row sampler.

    References
    ----------
    Woodruff, D. P. and Yasuda, T. (2023). Sharper Bounds for l_p Sensitivity
    Sampling. ICML 2023. arXiv:2306.00732.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.linear_model import LpRegression, SampledLpRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_t(1.5, size=(5000, 3))
    >>> y = X @ [1.0, -2.0, 0.5] + rng.laplace(size=5000)
    >>> full = LpRegression(p=1).fit(X, y)
    >>> sampled = SampledLpRegression(p=1, n_samples=500, random_state=0).fit(X, y)
    >>> cost = np.abs(y - sampled.predict(X)).sum()
    >>> bool(cost / full.objective_ < 1.05)
    True
    """

    _parameter_constraints: dict = {
        "p": [Interval(Real, 1, None, closed="left")],
        "sampler": [HasMethods(["fit_sample"]), None],
        "n_samples": [Interval(Real, 0, None, closed="neither"), None],
        "method": [StrOptions(set(SAMPLING_METHODS))],
        "fit_intercept": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, p=1.0, sampler=None, n_samples=None, method="lewis", fit_intercept=True, random_state=None):
        self.p = p
        self.sampler = sampler
        self.n_samples = n_samples
        self.method = method
        self.fit_intercept = fit_intercept
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Sample the rows and fit the weighted l_p regression on them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        self : SampledLpRegression
            The fitted estimator.
        """
        p = _check_p(self.p)
        X, y = validate_data(self, X, y, dtype=float, y_numeric=True, ensure_min_samples=2)
        if self.sampler is None:
            sampler = LpSensitivitySampler(
                p=p,
                method=self.method,
                n_samples=self.n_samples,
                fit_intercept=self.fit_intercept,
                random_state=self.random_state,
            )
        else:
            sampler = clone(self.sampler).set_params(include_target=True)
        X_sample, y_sample, weight = sampler.fit_sample(X, y)
        n_params = X.shape[1] + self.fit_intercept
        if X_sample.shape[0] < n_params:
            raise ValueError(
                f"The sample kept {X_sample.shape[0]} rows, fewer than the {n_params} coefficients "
                "to fit: the weighted fit is under-determined. Increase n_samples."
            )
        self.sampler_ = sampler
        self.estimator_ = LpRegression(p=p, fit_intercept=self.fit_intercept).fit(
            X_sample, y_sample, sample_weight=weight
        )
        self.coef_ = self.estimator_.coef_
        self.intercept_ = self.estimator_.intercept_
        self.sample_indices_ = sampler.sample_indices_
        return self
