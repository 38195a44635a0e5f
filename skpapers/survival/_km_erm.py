"""Kaplan-Meier weighted empirical risk minimisation for right-censored durations."""

import inspect
import warnings
from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, _fit_context, clone
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, check_array, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.validation import check_consistent_length, check_is_fitted, validate_data
from statsmodels.duration.survfunc import SurvfuncRight

from ._targets import _check_event, _check_time, check_survival_target

# Rows of the kernel matrix handled at once by the Beran estimator: bounds the
# working memory to about ``_BERAN_BLOCK`` float64 values per array.
_BERAN_BLOCK = 2**20


def _check_weights(sample_weight, n_samples):
    if sample_weight is None:
        return np.ones(n_samples)
    sample_weight = check_array(
        sample_weight, ensure_2d=False, dtype=np.float64, input_name="sample_weight", ensure_min_samples=0
    )
    if sample_weight.ndim != 1 or sample_weight.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must be a 1-D array of length n_samples={n_samples}; got shape {sample_weight.shape}."
        )
    if (sample_weight < 0).any():
        raise ValueError("sample_weight must be non-negative.")
    return np.array(sample_weight)


def _order_keys(time, event):
    """Integer keys that sort like the times, with events before censorings at ties.

    Kaplan-Meier only depends on the order of the times, so running it on these
    keys imposes the tie convention "an event at t leaves the risk set before a
    censoring at t" and makes ``key < key_i`` mean "strictly before T_i".
    """
    _, rank = np.unique(time, return_inverse=True)
    return 2 * rank.ravel() + (~event)


def _validate_time_event(time, event, sample_weight):
    time = _check_time(check_array(time, ensure_2d=False, dtype=None, input_name="time"), "time")
    event = _check_event(check_array(event, ensure_2d=False, dtype=None, input_name="event"), "event")
    if time.ndim != 1 or event.ndim != 1:
        raise ValueError(f"time and event must be 1-D; got shapes {time.shape} and {event.shape}.")
    check_consistent_length(time, event)
    if not event.any():
        raise ValueError("Every sample is censored (event is all 0): at least one observed event is needed.")
    return time, event, _check_weights(sample_weight, time.shape[0])


def _inverse_survival(survival, event, sample_weight):
    """``sample_weight * event / survival`` with 0 wherever the row carries no weight."""
    weights = np.zeros(event.shape[0])
    active = event & (sample_weight > 0)
    weights[active] = sample_weight[active] / survival[active]
    return weights


def _km_censoring(time, event, sample_weight):
    """Marginal Kaplan-Meier of the censoring times, evaluated at each T_i-.

    Returns the left limit G(T_i-) for every row (1 before the first censoring),
    and the censoring survival step function (jump times and values after them).
    """
    key = _order_keys(time, event)
    fit = SurvfuncRight(key.astype(np.float64), (~event).astype(np.float64), freq_weights=sample_weight)
    jump_keys = np.asarray(fit.surv_times)
    # the number of censoring jumps strictly before each row's key
    n_before = np.searchsorted(jump_keys, key, side="left")
    survival = np.concatenate(([1.0], np.asarray(fit.surv_prob, dtype=np.float64)))[n_before]
    jump_times = np.unique(time)[(jump_keys.astype(np.int64) - 1) // 2]
    return survival, jump_times, np.asarray(fit.surv_prob, dtype=np.float64)


def _scott_bandwidth(n_samples, n_features):
    return float(n_samples ** (-1.0 / (n_features + 4)))


def _standardize(X):
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    return (X - X.mean(axis=0)) / scale


def _beran_censoring(Z, time, event, sample_weight, bandwidth):
    """Beran (conditional Kaplan-Meier) censoring survival G(T_i- | X_i) at events.

    ``Z`` is the standardized design. Censoring rows tied at one time form one
    factor ``1 - (kernel mass censored at s) / (kernel mass at risk at s)``, so an
    infinite bandwidth gives back the marginal Kaplan-Meier exactly. Rows of the
    kernel matrix are processed in blocks, so memory is O(block * n), not O(n^2).
    """
    n_samples = Z.shape[0]
    key = _order_keys(time, event)
    survival = np.ones(n_samples)
    group_keys = np.unique(key[~event])  # one Kaplan-Meier factor per censoring time
    if group_keys.size == 0:
        return survival
    # Columns sorted by decreasing key: the rows at risk at s (key >= s) are then a
    # prefix, and the rows censored at s the block [n(key > s), n(key >= s)).
    order = np.argsort(-key, kind="stable")
    ascending = np.sort(key)
    lo = n_samples - np.searchsorted(ascending, group_keys, side="right")
    hi = n_samples - np.searchsorted(ascending, group_keys, side="left")
    bounds = np.unique(np.concatenate(([0], lo, hi)))
    bounds = bounds[bounds < n_samples]
    # segment sums over ``bounds`` (np.add.reduceat) + their cumsum give both the
    # censored mass (one segment) and the mass at risk (a prefix) of each group
    mass_segment = np.searchsorted(bounds, lo)
    at_risk_segment = np.searchsorted(bounds, hi) - 1

    Z_sorted, weight_sorted = Z[order], sample_weight[order]
    sq_norms = np.einsum("ij,ij->i", Z_sorted, Z_sorted)
    rows = np.flatnonzero(event & (sample_weight > 0))
    n_before = np.searchsorted(group_keys, key[rows], side="left")
    block = max(1, _BERAN_BLOCK // n_samples)
    for start in range(0, rows.size, block):
        idx = rows[start : start + block]
        query = Z[idx]
        if Z.shape[1] <= 8:
            # a few features: exact squared differences beat a skinny matrix product
            kernel = np.zeros((idx.size, n_samples))
            for column in range(Z.shape[1]):
                kernel += np.subtract.outer(query[:, column], Z_sorted[:, column]) ** 2
        else:
            kernel = query @ Z_sorted.T
            kernel *= -2.0
            kernel += np.einsum("ij,ij->i", query, query)[:, None]
            kernel += sq_norms[None, :]
            np.maximum(kernel, 0.0, out=kernel)
        # shift by each row's smallest distance (its own, 0): the ratios below are
        # scale free, and the row's own kernel value stays 1, so nothing underflows to 0/0
        kernel -= kernel.min(axis=1, keepdims=True)
        if np.isfinite(bandwidth):
            kernel *= -0.5 / bandwidth**2
            np.exp(kernel, out=kernel)
        else:
            kernel[:] = 1.0
        kernel *= weight_sorted[None, :]
        segments = np.add.reduceat(kernel, bounds, axis=1)
        prefix = np.cumsum(segments, axis=1)
        at_risk = prefix[:, at_risk_segment]
        censored_mass = segments[:, mass_segment]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(at_risk > 0, censored_mass / at_risk, 0.0)
            log_factor = np.log1p(-np.clip(ratio, 0.0, 1.0))
        cum = np.concatenate((np.zeros((idx.size, 1)), np.cumsum(log_factor, axis=1)), axis=1)
        survival[idx] = np.exp(cum[np.arange(idx.size), n_before[start : start + block]])
    return survival


@validate_params(
    {"time": ["array-like"], "event": ["array-like"], "sample_weight": ["array-like", None]},
    prefer_skip_nested_validation=True,
)
def kaplan_meier_censoring_weights(time, event, *, sample_weight=None):
    """Inverse-probability-of-censoring weights from the marginal Kaplan-Meier.

    ``w_i = event_i / G(T_i-)``, where ``G`` is the Kaplan-Meier estimate of the
    censoring survival function ``P(C > t)`` and ``G(T_i-)`` its left limit at
    the observed time. At tied times an event leaves the risk set before a
    censoring. The weights average to about 1 (they are not normalised), and
    ``w_i / n`` is the jump of the Kaplan-Meier estimate of the duration's
    survival at ``T_i`` (Stute's weights). The Kaplan-Meier fit is
    statsmodels' ``SurvfuncRight``.

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Observed times ``T_i = min(Y_i, C_i)``.
    event : array-like of shape (n_samples,)
        Event indicators, boolean or 0/1 (1 = the duration was observed).
    sample_weight : array-like of shape (n_samples,), default=None
        Frequency weights: they enter the Kaplan-Meier fit (a weight of 2 acts
        as a repeated row) and multiply the returned weights.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        Zero for censored rows.

    References
    ----------
    .. [1] G. Ausset, S. Clemencon and F. Portier, "Empirical Risk Minimization
       under Random Censorship: Theory and Practice", arXiv:1906.01908, 2019.

    Examples
    --------
    >>> from skpapers.survival import kaplan_meier_censoring_weights
    >>> kaplan_meier_censoring_weights([1.0, 2.0, 3.0, 4.0], [1, 0, 1, 1])
    array([1. , 0. , 1.5, 1.5])
    """
    time, event, sample_weight = _validate_time_event(time, event, sample_weight)
    survival, _, _ = _km_censoring(time, event, sample_weight)
    return _inverse_survival(survival, event, sample_weight)


@validate_params(
    {
        "X": ["array-like"],
        "time": ["array-like"],
        "event": ["array-like"],
        "bandwidth": [Interval(Real, 0, None, closed="right"), StrOptions({"scott"})],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def beran_censoring_weights(X, time, event, bandwidth="scott", *, sample_weight=None):
    """Inverse-probability-of-censoring weights from the Beran conditional Kaplan-Meier.

    ``w_i = event_i / G(T_i- | X_i)``, where ``G(t | x)`` is the Beran estimate of
    ``P(C > t | X = x)``: a Kaplan-Meier fit in which row ``j`` counts with the
    Gaussian kernel weight ``K((x - X_j) / h)`` computed on standardized features.
    Valid when censoring depends on the features; an infinite bandwidth gives the
    marginal weights of :func:`kaplan_meier_censoring_weights`. Cost is
    O(n_events * n_samples) time; memory is bounded by processing the kernel in
    row blocks.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features the censoring may depend on.
    time : array-like of shape (n_samples,)
        Observed times ``T_i = min(Y_i, C_i)``.
    event : array-like of shape (n_samples,)
        Event indicators, boolean or 0/1.
    bandwidth : float or "scott", default="scott"
        Kernel bandwidth on standardized features; ``"scott"`` is
        ``n_samples ** (-1 / (n_features + 4))``. ``np.inf`` is allowed.
    sample_weight : array-like of shape (n_samples,), default=None
        Frequency weights: they multiply the kernel weights and the returned
        weights.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        Zero for censored rows.

    References
    ----------
    .. [1] G. Ausset, S. Clemencon and F. Portier, "Empirical Risk Minimization
       under Random Censorship: Theory and Practice", arXiv:1906.01908, 2019.
    .. [2] R. Beran, "Nonparametric regression with randomly censored survival
       data", Technical report, University of California, Berkeley, 1981.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.survival import beran_censoring_weights
    >>> X = np.array([[0.0], [0.1], [1.0], [1.1]])
    >>> beran_censoring_weights(X, [1.0, 2.0, 3.0, 4.0], [1, 0, 1, 1], bandwidth=0.5).round(3)
    array([1.   , 0.   , 1.001, 1.   ])
    """
    time, event, sample_weight = _validate_time_event(time, event, sample_weight)
    X = check_array(X, dtype=np.float64, input_name="X")
    check_consistent_length(X, time)
    if bandwidth == "scott":
        bandwidth = _scott_bandwidth(*X.shape)
    survival = _beran_censoring(_standardize(X), time, event, sample_weight, float(bandwidth))
    return _inverse_survival(survival, event, sample_weight)


def _take_rows(X, mask):
    """The rows of ``X`` where ``mask`` holds, for any layout the inner estimator accepts."""
    if sp.issparse(X):
        X = X.tocsr()  # some sparse formats (dia, coo) cannot be indexed by row
    elif not (isinstance(X, (np.ndarray, list)) or hasattr(X, "iloc")):
        X = np.asarray(X)
    return _safe_indexing(X, np.flatnonzero(mask))


def _sample_weight_route(estimator):
    """Keyword under which ``estimator.fit`` receives sample weights, or None.

    A Pipeline takes them as ``<last step>__sample_weight`` when metadata routing
    is off; with routing on, it routes ``sample_weight`` itself.
    """
    if isinstance(estimator, Pipeline) and not get_config()["enable_metadata_routing"]:
        name, last = estimator.steps[-1]
        inner = _sample_weight_route(last)
        return None if inner is None else f"{name}__{inner}"
    parameters = inspect.signature(estimator.fit).parameters
    if "sample_weight" in parameters:
        return "sample_weight"
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        # meta-estimators (TransformedTargetRegressor, ...) forward **fit_params
        return "sample_weight"
    return None


class KaplanMeierWeightedRegressor(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Regression of right-censored durations by Kaplan-Meier weighted risk minimisation.

    Fits any regressor that accepts ``sample_weight`` to the observed times of
    the uncensored rows, each weighted by the inverse of the estimated
    probability of remaining uncensored up to its time,
    ``w_i = event_i / G(T_i- | X_i)``. The weighted empirical risk is then an
    unbiased estimate of the risk on the unobserved complete durations, so the
    fit targets ``E[Y | X]`` (for the squared loss) instead of the downward
    biased mean of the censored times. ``G`` is either the marginal Kaplan-Meier
    of the censoring times (censoring independent of the features) or its
    covariate-dependent Beran version.

    Parameters
    ----------
    estimator : regressor or None, default=None
        The learner whose loss is minimised; its ``fit`` must take
        ``sample_weight`` (or forward it, as ``TransformedTargetRegressor`` and
        ``Pipeline`` do). ``None`` means ``LinearRegression()``. Always cloned.
    censoring : {"kaplan-meier", "beran"}, default="kaplan-meier"
        How the censoring survival ``G`` is estimated: the marginal
        Kaplan-Meier (statsmodels ``SurvfuncRight``), valid when censoring is
        independent of ``(X, Y)``, or the Beran conditional Kaplan-Meier with a
        Gaussian kernel on standardized ``X``, valid when censoring depends on
        ``X`` (O(n_events * n_samples) time).
    bandwidth : float or "scott", default="scott"
        Beran kernel bandwidth on standardized features; ``"scott"`` is
        ``n_samples ** (-1 / (n_features + 4))``. Ignored for
        ``censoring="kaplan-meier"``.
    max_weight : float or None, default=None
        Cap on ``event_i / G(T_i-)``: late events with a tiny ``G`` get huge
        weights, which a cap trades for a little bias. ``None`` means no cap.
    drop_censored : bool, default=True
        Pass only the uncensored rows to the regressor. Censored rows have
        weight 0 and add no loss, but some learners still see them (forests
        draw them in bootstraps, ``min_samples_leaf`` counts them).

    Attributes
    ----------
    estimator_ : regressor
        The fitted clone of ``estimator``.
    weights_ : ndarray of shape (n_samples,)
        Weights used in the fit (``sample_weight`` included), 0 for censored
        rows. They average to about 1.
    censoring_times_ : ndarray
        Distinct censoring times where the marginal Kaplan-Meier of the
        censoring jumps (``censoring="kaplan-meier"`` only).
    censoring_survival_ : ndarray
        Its value just after each of ``censoring_times_``
        (``censoring="kaplan-meier"`` only).
    bandwidth_ : float
        The bandwidth used (``censoring="beran"`` only).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    kaplan_meier_censoring_weights : The marginal weights on their own.
    beran_censoring_weights : The covariate-dependent weights on their own.

    Notes
    -----
    ``y`` is a structured array with fields ``(event, time)`` as
    ``sksurv.util.Surv.from_arrays`` builds it, a 2-column array
    ``[time, event]``, or a 1-D array of fully observed durations (then every
    weight is 1 and the fit is plain ERM). Event indicators must be boolean or
    0/1, times finite; negative times are accepted with a warning. The
    inner estimator always receives the weights as ``sample_weight``; with
    metadata routing on, other fit parameters are routed to it, and a nested
    meta-estimator must request ``sample_weight`` from its own sub-estimator.
    With ``TransformedTargetRegressor(Ridge(alpha), func=np.log,
    inverse_func=np.exp)`` this is scikit-survival's ``IPCRidge(alpha)``
    (exactly so without tied event and censoring times).

    References
    ----------
    .. [1] G. Ausset, S. Clemencon and F. Portier, "Empirical Risk Minimization
       under Random Censorship: Theory and Practice", arXiv:1906.01908, 2019;
       JMLR 23, 2022.
    .. [2] W. Stute, "Consistent estimation under random censorship when
       covariables are present", Journal of Multivariate Analysis 45, 1993.

    Examples
    --------
    >>> from skpapers.datasets import make_censored_regression
    >>> from skpapers.survival import KaplanMeierWeightedRegressor
    >>> X, y = make_censored_regression(n_samples=500, random_state=0)
    >>> reg = KaplanMeierWeightedRegressor().fit(X, y)
    >>> round(float(reg.weights_.mean()), 2)
    0.99
    >>> reg.predict(X[:2]).round(2)
    array([2.53, 2.22])
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "censoring": [StrOptions({"kaplan-meier", "beran"})],
        "bandwidth": [Interval(Real, 0, None, closed="right"), StrOptions({"scott"})],
        "max_weight": [Interval(Real, 0, None, closed="neither"), None],
        "drop_censored": ["boolean"],
    }

    def __init__(self, estimator=None, censoring="kaplan-meier", bandwidth="scott", max_weight=None, drop_censored=True):
        self.estimator = estimator
        self.censoring = censoring
        self.bandwidth = bandwidth
        self.max_weight = max_weight
        self.drop_censored = drop_censored

    def _get_estimator(self):
        return LinearRegression() if self.estimator is None else self.estimator

    @_fit_context(prefer_skip_nested_validation=False)  # the inner estimator validates its own parameters
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Estimate the censoring weights and fit the regressor with them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, passed unchanged to the regressor (it may be a
            DataFrame that a pipeline encodes). ``censoring="beran"`` needs
            numeric features.
        y : structured array, array-like of shape (n_samples, 2) or (n_samples,)
            Structured array with fields ``(event, time)``, 2-column array
            ``[time, event]``, or fully observed durations.
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights: they enter the censoring estimate and multiply
            the censoring weights.
        **fit_params : dict
            Other parameters for the regressor's ``fit`` (routed to it when
            metadata routing is enabled).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        estimator = clone(self._get_estimator())
        route = _sample_weight_route(estimator)
        if route is None:
            raise ValueError(
                f"estimator {type(estimator).__name__} does not accept sample_weight in fit, which "
                "Kaplan-Meier weighted ERM needs; wrap a regressor whose fit takes sample_weight."
            )
        if self.censoring == "beran":
            X_kernel = validate_data(self, X, dtype=np.float64)
        else:
            validate_data(self, X, skip_check_array=True)
        time, event = check_survival_target(y, estimator_name=type(self).__name__)
        check_consistent_length(X, time)
        sample_weight = _check_weights(sample_weight, time.shape[0])
        if not (sample_weight[event] > 0).any():
            raise ValueError("sample_weight is zero on every uncensored row: nothing is left to fit.")

        # sample_weight is consumed here: the regressor always receives the censoring
        # weights (user weights folded in), so only the other parameters are routed
        if get_config()["enable_metadata_routing"]:
            inner_params = dict(process_routing(self, "fit", **fit_params).estimator.fit)
        else:
            inner_params = dict(fit_params)

        unit = np.ones_like(sample_weight)
        if self.censoring == "beran":
            self.bandwidth_ = _scott_bandwidth(*X_kernel.shape) if self.bandwidth == "scott" else float(self.bandwidth)
            survival = _beran_censoring(_standardize(X_kernel), time, event, sample_weight, self.bandwidth_)
        else:
            survival, self.censoring_times_, self.censoring_survival_ = _km_censoring(time, event, sample_weight)
        # rows of zero weight may have G = 0 (nothing else at risk): keep them at 0, not 0 * inf
        ipcw = _inverse_survival(survival, event & (sample_weight > 0), unit)
        if self.max_weight is not None:
            np.minimum(ipcw, self.max_weight, out=ipcw)
        self.weights_ = ipcw * sample_weight
        total = self.weights_.sum()
        if (~event).any() and self.weights_.max() > 0.1 * total:
            warnings.warn(
                f"One row carries {self.weights_.max() / total:.0%} of the total censoring weight (a late "
                "event with a small estimated probability of remaining uncensored); consider max_weight.",
                UserWarning,
                stacklevel=3,
            )

        keep = event if self.drop_censored else np.ones_like(event)
        X_fit = _take_rows(X, keep) if not keep.all() else X
        inner_params[route] = self.weights_[keep]
        self.estimator_ = estimator.fit(X_fit, time[keep], **inner_params)
        return self

    def predict(self, X):
        """Predict durations with the fitted regressor.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted durations (``E[Y | X]`` for a squared-loss regressor).
        """
        check_is_fitted(self)
        if len(getattr(X, "shape", (0, 0))) == 1:
            raise ValueError(
                "Expected a 2-dimensional X, got a 1-dimensional one. Reshape your data either using "
                "array.reshape(-1, 1) if it has a single feature or array.reshape(1, -1) if it is a single sample."
            )
        validate_data(self, X, skip_check_array=True, reset=False)
        return self.estimator_.predict(X)

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination, weighted for censoring when ``y`` is censored.

        For fully observed durations (1-D ``y``) this is the usual R^2. For a
        censored ``y`` it is the R^2 over the uncensored rows weighted by
        marginal Kaplan-Meier censoring weights fitted on the given ``y``
        (an inverse-probability-of-censoring weighted R^2).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : structured array, array-like of shape (n_samples, 2) or (n_samples,)
            True durations, possibly censored (same layouts as in ``fit``).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            (Weighted) R^2 of ``self.predict(X)``.
        """
        time, event = check_survival_target(y, estimator_name=type(self).__name__)
        sample_weight = _check_weights(sample_weight, time.shape[0])
        if not (~event).any():
            return r2_score(time, self.predict(X), sample_weight=sample_weight)
        survival, _, _ = _km_censoring(time, event, sample_weight)
        weights = _inverse_survival(survival, event, sample_weight)
        return r2_score(time[event], self.predict(_take_rows(X, event)), sample_weight=weights[event])

    def get_metadata_routing(self):
        """Get the metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            ``sample_weight`` is consumed here (it enters the censoring
            weights); other fit parameters are routed to ``estimator.fit``.
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(estimator=self._get_estimator(), method_mapping=MethodMapping().add(caller="fit", callee="fit"))
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._get_estimator())
        tags.input_tags.sparse = inner.input_tags.sparse and self.censoring == "kaplan-meier"
        tags.input_tags.allow_nan = inner.input_tags.allow_nan and self.censoring == "kaplan-meier"
        return tags
