"""PRESTO: ordinal regression whose adjacent boundaries are shrunk together."""

import numbers
import warnings

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data

from ..utils._optim import CumulativeLogitLoss, NoPenalty, WeightedL1, minimize_smooth, proximal_gradient

# ---------------------------------------------------------------------------
# Shared pieces (also used by PRESTOClassifierCV)
# ---------------------------------------------------------------------------


def _encode_ordinal_target(y):
    """Return ``(classes, codes)`` with the ordinal order of ``y``.

    An ordered pandas Categorical keeps its category order; an unordered one
    is refused (it states that there is no order). Anything else is ordered by
    ``np.unique``.
    """
    dtype = getattr(y, "dtype", None)
    if getattr(dtype, "name", None) == "category":
        if not dtype.ordered:
            raise ValueError(
                "y is an unordered pandas Categorical; PRESTO needs ordered classes. Use "
                "pd.Categorical(y, categories=[...], ordered=True) to state their order."
            )
        categories = np.asarray(dtype.categories)
        raw_codes = np.asarray(getattr(y, "cat", y).codes)
        if np.any(raw_codes < 0):
            raise ValueError("y contains missing values (NaN categories).")
        present = np.unique(raw_codes)
        return categories[present], np.searchsorted(present, raw_codes)
    classes, codes = np.unique(np.asarray(y), return_inverse=True)
    return classes, codes.ravel()


def _check_n_classes(classes, name):
    if classes.size < 2:
        raise ValueError(
            f"{name} needs at least 2 ordered classes in y (3 or more for PRESTO to differ from "
            f"L1-penalised logistic regression); got {classes.size} class: {list(classes)}."
        )


def _standardize(X, sample_weight, standardize):
    """Weighted means and standard deviations; constant columns keep scale 1."""
    if not standardize:
        return np.zeros(X.shape[1]), np.ones(X.shape[1])
    weights = sample_weight / sample_weight.sum()
    mean = weights @ X
    scale = np.sqrt(weights @ (X - mean) ** 2)
    # A constant column centres to zero: its coefficient stays at zero whatever
    # the scale, so leave it at one instead of dividing by zero.
    scale[scale <= 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
    return mean, scale


def _drop_weightless_rows(X, codes, sample_weight):
    """Rows of zero weight do not enter the likelihood, so they must not
    constrain the feasible set (non-crossing at every row) either."""
    keep = sample_weight > 0
    if np.all(keep):
        return X, codes, sample_weight
    return X[keep], codes[keep], sample_weight[keep]


def _intercept_only_start(codes, sample_weight, n_classes, n_features):
    """Psi = 0 and intercepts at the intercept-only MLE: a feasible start."""
    frequencies = np.bincount(codes, weights=sample_weight, minlength=n_classes)
    cumulative = np.cumsum(frequencies)[:-1] / frequencies.sum()
    return np.concatenate([special.logit(cumulative), np.zeros((n_classes - 1) * n_features)])


def _penalty_weights(n_classes, n_features, penalize_first):
    """Zero for intercepts, ``penalize_first`` for psi_1, one for the differences."""
    first = 1.0 if penalize_first else 0.0
    return np.concatenate(
        [np.zeros(n_classes - 1), np.full(n_features, first), np.ones((n_classes - 2) * n_features)]
    )


def _smooth_fit(datafit, w0, tol, max_iter, context):
    """Unpenalised maximum likelihood: L-BFGS, then a proximal-gradient pass.

    L-BFGS does the work; the proximal-gradient pass from its answer certifies
    the optimum (usually in one step), because L-BFGS may stop at the edge of
    the domain (crossing boundaries) without noticing.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lbfgs = minimize_smooth(datafit, w0, tol=tol, max_iter=max_iter)
    start, n_iter = (lbfgs.x, lbfgs.n_iter) if np.isfinite(datafit.value(lbfgs.x)) else (w0, 0)
    polish = proximal_gradient(datafit, NoPenalty(), start, tol=tol, max_iter=max_iter, context=context)
    value, gradient = datafit.value_and_gradient(polish.x)
    if value < 1e-6:
        # Every training row gets its own class with probability ~1: the classes
        # are separable and the likelihood only approaches its supremum as the
        # slopes grow without bound.
        warnings.warn(
            f"{context}: the classes are separable, so the unpenalised maximum likelihood estimate does not "
            "exist and the coefficients are arbitrary large. Use alpha > 0.",
            ConvergenceWarning,
            stacklevel=4,
        )
    elif polish.converged and not np.max(np.abs(gradient)) <= max(1e-5, 1e3 * tol):
        # Stuck where boundaries are about to cross, or running off to infinity
        # (separable classes): no stationary point, so no maximum likelihood.
        warnings.warn(
            f"{context}: the unpenalised likelihood has no stationary point here (largest gradient entry "
            f"{np.max(np.abs(gradient)):.1e}); the maximum likelihood estimate may not exist (separable "
            "classes or crossing boundaries). Use alpha > 0.",
            ConvergenceWarning,
            stacklevel=4,
        )
    return polish.x, n_iter + polish.n_iter


def _proportional_odds(datafit, start, tol, max_iter, context):
    """Proportional-odds fit embedded in the PRESTO layout (psi_k = 0, k >= 2)."""
    n_boundaries, n_features = datafit.n_classes - 1, datafit.X.shape[1]
    parallel = CumulativeLogitLoss(datafit.X, datafit.y, datafit.n_classes, parallel=True)
    parallel.weights = datafit.weights
    x, n_iter = _smooth_fit(parallel, start[: n_boundaries + n_features], tol, max_iter, context)
    w = np.zeros(datafit.n_params)
    w[: n_boundaries + n_features] = x
    return w, n_iter


def _solve(datafit, alpha, penalize_first, w0, tol, max_iter, context):
    """Minimise the PRESTO objective on standardised data; return (w, n_iter)."""
    n_classes, n_features = datafit.n_classes, datafit.X.shape[1]
    if np.isinf(alpha):
        if penalize_first:
            return w0 * np.r_[np.ones(n_classes - 1), np.zeros((n_classes - 1) * n_features)], 0
        return _proportional_odds(datafit, w0, tol, max_iter, context)
    if alpha == 0:
        return _smooth_fit(datafit, w0, tol, max_iter, context)
    penalty = WeightedL1(alpha, _penalty_weights(n_classes, n_features, penalize_first))
    result = proximal_gradient(datafit, penalty, w0, tol=tol, max_iter=max_iter, context=context)
    return result.x, result.n_iter


def _alpha_max(datafit, penalize_first, tol, max_iter):
    """Smallest alpha whose solution has no (penalised) slope; also return that solution."""
    n_classes, n_features = datafit.n_classes, datafit.X.shape[1]
    start = _intercept_only_start(datafit.y, datafit.weights, n_classes, n_features)
    if not penalize_first:
        start, _ = _proportional_odds(datafit, start, tol, max_iter, "PRESTOClassifierCV")
    gradient = datafit.value_and_gradient(start)[1][n_classes - 1 :].reshape(n_classes - 1, n_features)
    penalised = gradient if penalize_first else gradient[1:]
    return float(np.max(np.abs(penalised), initial=0.0)), start


def _to_original_scale(w, n_classes, mean, scale):
    """Intercepts, slopes B and differences Psi for unstandardised features."""
    n_boundaries = n_classes - 1
    psi = w[n_boundaries:].reshape(n_boundaries, -1) / scale
    coef = np.cumsum(psi, axis=0)
    intercept = w[:n_boundaries] - coef @ mean
    return intercept, coef, psi


def _to_standardized_scale(intercept, coef_diff, mean, scale):
    coef = np.cumsum(coef_diff, axis=0)
    return np.concatenate([intercept + coef @ mean, (coef_diff * scale).ravel()])


def _proba_from_cumulative(cumulative):
    """Class probabilities from P(y <= k); crossings at new points are clipped."""
    n_samples = cumulative.shape[0]
    padded = np.hstack([np.zeros((n_samples, 1)), cumulative, np.ones((n_samples, 1))])
    proba = np.clip(np.diff(padded, axis=1), 0.0, None)
    return proba / proba.sum(axis=1, keepdims=True)


class _BasePRESTO(ClassifierMixin, BaseEstimator):
    """Prediction shared by PRESTOClassifier and PRESTOClassifierCV."""

    def _prepare_fit(self, X, y, sample_weight):
        name = type(self).__name__
        if y is None:
            raise ValueError(f"{name} requires y to be passed, but the target y is None.")
        if getattr(getattr(y, "dtype", None), "name", None) != "category":
            y = column_or_1d(y, warn=True)
            check_classification_targets(y)
        classes, codes = _encode_ordinal_target(y)
        X, codes = validate_data(self, X, codes, dtype=np.float64)
        _check_n_classes(classes, name)
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        n_classes = classes.size
        class_weight = np.bincount(codes, weights=sample_weight, minlength=n_classes)
        if np.any(class_weight <= 0):
            raise ValueError(
                f"sample_weight gives class(es) {list(classes[class_weight <= 0])} a total weight of zero; "
                "every class of y needs positive weight."
            )
        self.classes_ = classes
        return X, codes, sample_weight

    def predict_cumulative_logit(self, X):
        """Linear predictor of each boundary, ``a_k + X @ b_k``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        eta : ndarray of shape (n_samples, n_classes - 1)
            ``logit P(y <= classes_[k] | x)``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self.intercept_ + X @ self.coef_.T

    def predict_cumulative_proba(self, X):
        """Cumulative probabilities ``P(y <= classes_[k] | x)``, k < n_classes - 1.

        At new points the boundaries may cross, so a row need not be
        non-decreasing; :meth:`predict_proba` clips such rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        cumulative : ndarray of shape (n_samples, n_classes - 1)
        """
        return special.expit(self.predict_cumulative_logit(X))

    def predict_proba(self, X):
        """Class probabilities, ordered as ``classes_``.

        Differences of cumulative probabilities; a negative difference (the
        boundaries cross at this point) is set to zero and the row
        renormalised.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return _proba_from_cumulative(self.predict_cumulative_proba(X))

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def _set_coefficients(self, w, n_classes, mean, scale):
        self.intercept_, self.coef_, self.coef_diff_ = _to_original_scale(w, n_classes, mean, scale)


# ---------------------------------------------------------------------------
# The estimator
# ---------------------------------------------------------------------------


class PRESTOClassifier(_BasePRESTO):
    """Ordinal classifier that shrinks adjacent cumulative boundaries together (PRESTO).

    Each of the ``K - 1`` cumulative boundaries of an ordinal target has its
    own intercept and slope vector,
    ``P(y <= k | x) = expit(a_k + x @ b_k)``, and the fit minimises

    ``-mean_i log P(y_i | x_i) + alpha * sum_j (c1 |b_1j| + sum_k |b_kj - b_{k-1,j}|)``

    with ``c1 = 1`` if ``penalize_first`` else 0, on standardised features.
    The rare last class thus borrows strength from the common boundaries
    while keeping its own slope where the data ask for it. ``alpha = inf``
    is proportional odds (``penalize_first=False``) or the intercept-only
    model; ``alpha = 0`` is the unpenalised non-parallel cumulative logit.

    The problem is solved by accelerated proximal gradient on the
    differences ``Psi`` (``psi_1 = b_1``, ``psi_k = b_k - b_{k-1}``), which
    rejects steps that would give a training row a non-positive probability.

    Parameters
    ----------
    alpha : float or np.inf, default=0.01
        Penalty strength ``lambda`` (on the scale of the mean log-likelihood of
        standardised features). :class:`PRESTOClassifierCV` chooses it.
    penalize_first : bool, default=True
        Penalise the first boundary's slope ``b_1`` too (the published
        method). With False only the differences are penalised, so large
        ``alpha`` gives proportional odds.
    standardize : bool, default=True
        Fit on features scaled to (weighted) mean 0 and standard deviation 1;
        coefficients are reported on the original scale. Constant columns are
        left unscaled and get a zero coefficient.
    max_iter : int, default=10000
        Maximum solver iterations.
    tol : float, default=1e-8
        Stop when one iteration changes no parameter by more than
        ``tol * max(1, max|w|)``.
    warm_start : bool, default=False
        Start from the previous solution when refitting (if it is feasible for
        the new data).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The classes in their ordinal order: the category order of an ordered
        pandas Categorical, otherwise sorted (``np.unique``) order.
    coef_ : ndarray of shape (n_classes - 1, n_features)
        Slope ``b_k`` of each boundary.
    intercept_ : ndarray of shape (n_classes - 1,)
        Intercept ``a_k`` of each boundary.
    coef_diff_ : ndarray of shape (n_classes - 1, n_features)
        ``b_1`` then the differences ``b_k - b_{k-1}``; the L1 penalty makes
        them sparse.
    n_iter_ : int
        Solver iterations (0 for the closed-form intercept-only fit).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X has string column names.

    See Also
    --------
    PRESTOClassifierCV : Chooses ``alpha`` by cross-validated Brier score.

    Notes
    -----
    At least three classes are required. Predicted probabilities at new
    points can be negative when boundaries cross; they are clipped at zero
    and renormalised. Without penalty (``alpha=0``), or with duplicated
    columns or more features than rows and a weak penalty, the maximum
    likelihood estimate may not exist or not be unique: the solver then warns
    with ``ConvergenceWarning`` or returns one of the minimisers (predicted
    probabilities are still unique when the optimum is attained).

    ``decision_function`` is not defined: scikit-learn expects one score per
    class, while the model has one linear predictor per boundary, available
    through :meth:`predict_cumulative_logit`.

    References
    ----------
    .. [1] G. Faletto and J. Bien, "Predicting Rare Events by Shrinking
       Towards Proportional Odds", ICML 2023, arXiv:2305.18700.

    Examples
    --------
    >>> from skpapers.datasets import make_presto_ordinal
    >>> from skpapers.linear_model import PRESTOClassifier
    >>> X, y = make_presto_ordinal(n_samples=1000, random_state=0)
    >>> clf = PRESTOClassifier(alpha=0.01).fit(X, y)
    >>> clf.coef_.shape
    (3, 10)
    >>> clf.predict_proba(X[:2]).round(3)
    array([[0.409, 0.409, 0.166, 0.016],
           [0.488, 0.426, 0.079, 0.007]])
    """

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, np.inf, closed="both")],
        "penalize_first": ["boolean"],
        "standardize": ["boolean"],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
    }

    def __init__(self, alpha=0.01, *, penalize_first=True, standardize=True, max_iter=10000, tol=1e-8,
                 warm_start=False):
        self.alpha = alpha
        self.penalize_first = penalize_first
        self.standardize = standardize
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start

    def fit(self, X, y, sample_weight=None):
        """Fit the PRESTO model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN and infinite values are refused.
        y : array-like of shape (n_samples,)
            Ordinal labels (at least three classes): integers, strings
            (sorted order) or an ordered pandas Categorical (category order).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights.

        Returns
        -------
        self : PRESTOClassifier
            The fitted estimator.
        """
        self._validate_params()
        previous = self._previous_solution()
        X, codes, sample_weight = _drop_weightless_rows(*self._prepare_fit(X, y, sample_weight))
        n_classes, n_features = self.classes_.size, X.shape[1]
        mean, scale = _standardize(X, sample_weight, self.standardize)
        datafit = CumulativeLogitLoss((X - mean) / scale, codes, n_classes, sample_weight)
        w0 = _intercept_only_start(codes, sample_weight, n_classes, n_features)
        if previous is not None and previous[1].shape == (n_classes - 1, n_features):
            candidate = _to_standardized_scale(*previous, mean, scale)
            if np.isfinite(datafit.value(candidate)):
                w0 = candidate
        w, self.n_iter_ = _solve(
            datafit, float(self.alpha), self.penalize_first, w0, self.tol, self.max_iter, type(self).__name__
        )
        self._set_coefficients(w, n_classes, mean, scale)
        return self

    def _previous_solution(self):
        if self.warm_start and hasattr(self, "coef_diff_"):
            return self.intercept_, self.coef_diff_
        return None
