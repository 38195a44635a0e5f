"""Entropy-adaptive cascades of a cheap and an expensive model (Entropy Adaptive Decoding)."""

import inspect
import math
import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import xlogy
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import BayesianRidge, LogisticRegression
from sklearn.model_selection import GroupShuffleSplit, ShuffleSplit
from sklearn.utils import Bunch
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data

__all__ = ["EntropyCascadeClassifier", "EntropyCascadeRegressor", "cascade_cost", "entropy_switch_schedule"]

_PAPER_WINDOW = 5


def _check_groups(groups, n_rows):
    """Return integer codes of contiguous groups, or one group when ``groups`` is None."""
    if groups is None:
        return np.zeros(n_rows, dtype=np.intp)
    groups = column_or_1d(groups)
    if groups.shape[0] != n_rows:
        raise ValueError(f"groups has {groups.shape[0]} entries, expected {n_rows} (one per row).")
    if n_rows == 0:
        return np.zeros(0, dtype=np.intp)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    if np.unique(groups[starts]).shape[0] != starts.shape[0]:
        raise ValueError(
            "groups must be contiguous: the rows of each sequence must be consecutive and in time order."
        )
    codes = np.zeros(n_rows, dtype=np.intp)
    codes[starts[1:]] = 1
    return np.cumsum(codes)


def _check_entropy(values, name):
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {values.shape}.")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return values


@validate_params(
    {
        "entropy_small": ["array-like"],
        "entropy_large": ["array-like", None],
        "groups": ["array-like", None],
        "window": [Interval(Integral, 1, None, closed="left")],
        "threshold": [Interval(Real, None, None, closed="both")],
        "min_run": [Interval(Integral, 1, None, closed="left")],
        "entropy_source": [StrOptions({"active", "small"})],
    },
    prefer_skip_nested_validation=True,
)
def entropy_switch_schedule(
    entropy_small, entropy_large=None, groups=None, window=5, threshold=1.0, min_run=1, entropy_source="active"
):
    """Decide, row by row, which of two models generates each position of a sequence.

    This is the routing core of Entropy Adaptive Decoding. Within each group
    (a sequence, rows in time order) the small model is active at the first
    row. After each row the entropy of the active model's prediction (or of
    the small model's, with ``entropy_source="small"``) is appended to a
    history; if the mean of the last ``window`` entries exceeds ``threshold``
    the large model generates the next row, otherwise the small one does. A
    model that has produced fewer than ``min_run`` consecutive rows is kept
    (a guard against rapid back-and-forth switching). The decision for a row
    uses only the entropies of earlier rows.

    Parameters
    ----------
    entropy_small : array-like of shape (n_rows,)
        Entropy of the small model's prediction at each row.
    entropy_large : array-like of shape (n_rows,) or None, default=None
        Entropy of the large model's prediction at each row; required when
        ``entropy_source="active"`` (only its values at rows the large model
        generates are read).
    groups : array-like of shape (n_rows,) or None, default=None
        Sequence identifiers; the rows of a sequence must be contiguous. None
        means a single sequence.
    window : int, default=5
        Number of recent entropies averaged (the paper uses 5). The first rows
        of a sequence average the entropies available so far.
    threshold : float, default=1.0
        Switch to the large model when the rolling entropy is strictly above
        this value. A negative value sends every row after the first of each
        sequence to the large model; ``np.inf`` never switches.
    min_run : int, default=1
        Minimum number of consecutive rows a model produces before a switch;
        1 means no constraint.
    entropy_source : {"active", "small"}, default="active"
        Whose entropy enters the history: the model that generated the row
        (the paper's rule) or always the small model (then the small model
        runs on every row).

    Returns
    -------
    use_large : ndarray of shape (n_rows,), dtype=bool
        True where the large model generates the row.

    References
    ----------
    .. [1] T. Simonds, "Entropy Adaptive Decoding: Dynamic Model Switching for
       Efficient Inference", arXiv:2502.06833, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.ensemble import entropy_switch_schedule
    >>> h_small = np.array([0.1, 2.0, 2.0, 0.1, 0.1, 0.1])
    >>> h_large = np.array([0.1, 0.2, 0.2, 0.1, 0.1, 0.1])
    >>> entropy_switch_schedule(h_small, h_large, window=1, threshold=1.0)
    array([False, False,  True, False, False, False])
    """
    entropy_small = _check_entropy(entropy_small, "entropy_small")
    n_rows = entropy_small.shape[0]
    if entropy_source == "active":
        if entropy_large is None:
            raise ValueError('entropy_large is required when entropy_source="active".')
        entropy_large = _check_entropy(entropy_large, "entropy_large")
        if entropy_large.shape[0] != n_rows:
            raise ValueError(
                f"entropy_large has {entropy_large.shape[0]} entries, entropy_small has {n_rows}."
            )
    codes = _check_groups(groups, n_rows)
    use_large = np.zeros(n_rows, dtype=bool)
    if n_rows == 0:
        return use_large

    # Sequences are laid out as rows of a padded (n_groups, max_length) grid so that the time loop
    # is vectorised across sequences: the switch rule is causal, so time itself must be stepped.
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    lengths = np.diff(np.r_[starts, n_rows])
    n_groups, max_length = starts.shape[0], int(lengths.max())
    offsets = np.arange(n_rows) - np.repeat(starts, lengths)
    grid = np.full((n_groups, max_length), -1, dtype=np.intp)
    grid[codes, offsets] = np.arange(n_rows)

    history = np.zeros((n_groups, window))  # circular buffer of the last `window` entropies
    active = np.zeros(n_groups, dtype=bool)
    run = np.zeros(n_groups, dtype=np.intp)
    for t in range(max_length):
        rows = grid[:, t]
        live = rows >= 0
        rows = rows[live]
        act = active[live]
        use_large[rows] = act
        if entropy_source == "active":
            h = np.where(act, entropy_large[rows], entropy_small[rows])
        else:
            h = entropy_small[rows]
        history[live, t % window] = h
        rolling = history[live].sum(axis=1) / min(t + 1, window)
        run[live] += 1
        desired = rolling > threshold
        switch = (desired != act) & (run[live] >= min_run)
        new_active = np.where(switch, desired, act)
        new_run = np.where(switch, 0, run[live])
        active[live] = new_active
        run[live] = new_run
    return use_large


@validate_params(
    {
        "large_fraction": ["array-like", Real],
        "cost_small": [Interval(Real, 0, None, closed="neither")],
        "cost_large": [Interval(Real, 0, None, closed="neither")],
        "accounting": [StrOptions({"active", "cascade"})],
    },
    prefer_skip_nested_validation=True,
)
def cascade_cost(large_fraction, cost_small, cost_large, accounting="active"):
    """Cost of a two-model cascade relative to running the large model on every row.

    Parameters
    ----------
    large_fraction : float or array-like
        Fraction of rows produced by the large model, in [0, 1].
    cost_small : float
        Cost of the small model per row (the paper uses parameter counts).
    cost_large : float
        Cost of the large model per row.
    accounting : {"active", "cascade"}, default="active"
        ``"active"`` (Entropy Adaptive Decoding): only the model that produces
        a row is paid, cost ``f + (1 - f) cost_small / cost_large``.
        ``"cascade"``: the small model runs on every row and the large one on
        the escalated rows, cost ``cost_small / cost_large + f``.

    Returns
    -------
    relative_cost : float or ndarray
        Cost divided by the cost of the large model alone; the saving is
        ``1 - relative_cost``.

    References
    ----------
    .. [1] T. Simonds, "Entropy Adaptive Decoding: Dynamic Model Switching for
       Efficient Inference", arXiv:2502.06833, 2025.

    Examples
    --------
    LLaMA 3B/11B with 43% of the tokens from the large model (the paper's 41.5% saving):

    >>> from skpapers.ensemble import cascade_cost
    >>> round(1 - cascade_cost(0.43, cost_small=3, cost_large=11), 3)
    0.415
    """
    fraction = np.asarray(large_fraction, dtype=float)
    if np.any(~np.isfinite(fraction)) or np.any((fraction < 0) | (fraction > 1)):
        raise ValueError(f"large_fraction must lie in [0, 1], got {large_fraction!r}.")
    if cost_small > cost_large:
        warnings.warn(
            f"cost_small={cost_small} exceeds cost_large={cost_large}: the cascade cannot save compute.",
            UserWarning,
            stacklevel=2,
        )
    ratio = cost_small / cost_large
    cost = fraction + (1 - fraction) * ratio if accounting == "active" else ratio + fraction
    return float(cost) if cost.ndim == 0 else cost


def _accepts_return_std(estimator):
    try:
        return "return_std" in inspect.signature(estimator.predict).parameters
    except (TypeError, ValueError):
        return False


class _BaseEntropyCascade(MetaEstimatorMixin, BaseEstimator):
    _parameter_constraints = {
        "threshold": [Interval(Real, None, None, closed="both")],
        "large_fraction": [Interval(Real, 0, 1, closed="both"), None],
        "mode": [StrOptions({"pointwise", "sequential"})],
        "window": [Interval(Integral, 1, None, closed="left"), None],
        "min_run": [Interval(Integral, 1, None, closed="left")],
        "entropy_source": [StrOptions({"active", "small"})],
        "normalize_entropy": ["boolean"],
        "cost_small": [Interval(Real, 0, None, closed="neither")],
        "cost_large": [Interval(Real, 0, None, closed="neither")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "prefit": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        small_estimator=None,
        large_estimator=None,
        *,
        threshold=1.0,
        large_fraction=None,
        mode="pointwise",
        window=None,
        min_run=1,
        entropy_source="active",
        normalize_entropy=False,
        cost_small=1.0,
        cost_large=10.0,
        validation_fraction=None,
        prefit=False,
        random_state=None,
    ):
        self.small_estimator = small_estimator
        self.large_estimator = large_estimator
        self.threshold = threshold
        self.large_fraction = large_fraction
        self.mode = mode
        self.window = window
        self.min_run = min_run
        self.entropy_source = entropy_source
        self.normalize_entropy = normalize_entropy
        self.cost_small = cost_small
        self.cost_large = cost_large
        self.validation_fraction = validation_fraction
        self.prefit = prefit
        self.random_state = random_state

    # --- hooks for the subclasses -----------------------------------------------------------
    def _output_and_entropy(self, estimator, X, name):
        raise NotImplementedError

    def _output(self, estimator, X, name):
        raise NotImplementedError

    def _check_estimators(self, small, large):
        """Type checks on the two estimators before fitting."""

    def _check_fitted_estimators(self):
        """Consistency checks once both estimators are fitted."""

    def _check_y(self, y):
        return y

    # --- shared machinery --------------------------------------------------------------------
    def _window(self):
        if self.mode == "pointwise":
            if self.window not in (None, 1):
                raise ValueError(
                    f'window must be 1 (or None) when mode="pointwise", got window={self.window}; '
                    'a rolling window needs the ordered rows of mode="sequential".'
                )
            return 1
        return _PAPER_WINDOW if self.window is None else self.window

    def _accounting(self):
        if self.mode == "sequential" and self.entropy_source == "active":
            return "active"
        return "cascade"

    def _split(self, X, groups):
        """Indices of the rows the models are fit on, and of the rows ``threshold_`` is set on."""
        n = X.shape[0]
        if self.validation_fraction is None or self.large_fraction is None:
            every = np.arange(n)
            return every, every
        if self.mode == "sequential":
            if groups is None:
                # One sequence: keep its end as held-out so the held-out rows stay in time order.
                cut = n - max(1, int(round(self.validation_fraction * n)))
                if cut < 1:
                    raise ValueError("validation_fraction leaves no rows to fit the models on.")
                return np.arange(cut), np.arange(cut, n)
            splitter = GroupShuffleSplit(
                n_splits=1, test_size=self.validation_fraction, random_state=self.random_state
            )
            return next(splitter.split(X, groups=groups))
        splitter = ShuffleSplit(n_splits=1, test_size=self.validation_fraction, random_state=self.random_state)
        return next(splitter.split(X))

    def fit(self, X, y, groups=None, sample_weight=None):
        """Fit (or check) the two models and set the switching threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features.
        y : array-like of shape (n_samples,)
            Targets.
        groups : array-like of shape (n_samples,), default=None
            Sequence identifiers (``mode="sequential"``): rows of a sequence
            contiguous and in time order. Used to set ``threshold_`` from
            ``large_fraction`` and to hold out whole sequences. Ignored in
            pointwise mode.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the ``fit`` of both models, and weights the quantile of
            ``large_fraction`` in pointwise mode (sequential mode ignores it
            there: a weighted position of a sequence has no clear meaning).

        Returns
        -------
        self : object
            The fitted cascade.
        """
        self._validate_params()
        if self.cost_small > self.cost_large:
            warnings.warn(
                f"cost_small={self.cost_small} exceeds cost_large={self.cost_large}: "
                "the cascade cannot save compute.",
                UserWarning,
                stacklevel=2,
            )
        window = self._window()
        X, y = validate_data(self, X, y, y_numeric=isinstance(self, RegressorMixin))
        y = self._check_y(y)
        if groups is not None and self.mode == "sequential":
            groups = column_or_1d(groups)
            _check_groups(groups, X.shape[0])
        elif self.mode == "pointwise":
            groups = None
        small, large = self._default_estimators()
        self._check_estimators(small, large)

        fit_idx, threshold_idx = self._split(X, groups)
        if self.prefit:
            check_is_fitted(small)
            check_is_fitted(large)
            self.small_estimator_, self.large_estimator_ = small, large
        else:
            fit_params = {}
            if sample_weight is not None:
                sample_weight = _check_sample_weight(sample_weight, X)
                fit_params["sample_weight"] = sample_weight[fit_idx]
            self.small_estimator_ = clone(small).fit(X[fit_idx], y[fit_idx], **fit_params)
            self.large_estimator_ = clone(large).fit(X[fit_idx], y[fit_idx], **fit_params)
        self._check_fitted_estimators()

        X_thr = X[threshold_idx]
        groups_thr = None if groups is None else groups[threshold_idx]
        if self.large_fraction is None:
            self.threshold_ = float(self.threshold)
        else:
            weights = None if sample_weight is None else _check_sample_weight(sample_weight, X)[threshold_idx]
            self.threshold_ = self._threshold_for_fraction(X_thr, groups_thr, window, weights)
        self.train_large_fraction_ = float(self._route(X_thr, groups_thr, window)[0].mean()) if len(X_thr) else 0.0
        return self

    def _entropies(self, X):
        _, h_small = self._output_and_entropy(self.small_estimator_, X, "small_estimator")
        h_large = None
        if self.mode == "sequential" and self.entropy_source == "active":
            _, h_large = self._output_and_entropy(self.large_estimator_, X, "large_estimator")
        return h_small, h_large

    def _threshold_for_fraction(self, X, groups, window, sample_weight=None):
        h_small, h_large = self._entropies(X)
        target = float(self.large_fraction)
        if self.mode == "pointwise":
            if target >= 1:
                return -np.inf
            # inverted_cdf: a weight of k counts exactly as k repeated rows.
            return float(np.quantile(h_small, 1 - target, weights=sample_weight, method="inverted_cdf"))
        # The fraction routed falls as tau grows only approximately (the active model's entropy feeds
        # back into the history), so bisection keeps the best tau seen rather than trusting monotonicity.
        values = h_small if h_large is None else np.r_[h_small, h_large]
        lo, hi = float(values.min()) - 1.0, float(values.max())
        best_tau, best_gap = hi, np.inf

        def fraction(tau):
            return entropy_switch_schedule(
                h_small, h_large, groups=groups, window=window, threshold=tau,
                min_run=self.min_run, entropy_source=self.entropy_source,
            ).mean()

        for _ in range(40):
            tau = 0.5 * (lo + hi)
            f = fraction(tau)
            if abs(f - target) < best_gap:
                best_tau, best_gap = tau, abs(f - target)
            if f > target:
                lo = tau
            else:
                hi = tau
        return float(best_tau)

    def _route(self, X, groups, window):
        """Boolean routing and the small model's outputs (and the large model's entropies if computed)."""
        out_small, h_small = self._output_and_entropy(self.small_estimator_, X, "small_estimator")
        if self.mode == "pointwise":
            return h_small > self.threshold_, out_small, None
        out_large = None
        if self.entropy_source == "active":
            out_large, h_large = self._output_and_entropy(self.large_estimator_, X, "large_estimator")
        else:
            h_large = None
        use_large = entropy_switch_schedule(
            h_small, h_large, groups=groups, window=window, threshold=self.threshold_,
            min_run=self.min_run, entropy_source=self.entropy_source,
        )
        return use_large, out_small, out_large

    def _combined_output(self, X, groups):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        groups = None if self.mode == "pointwise" else groups
        use_large, out_small, out_large = self._route(X, groups, self._window())
        out = np.array(out_small, dtype=float, copy=True)
        if use_large.any():
            if out_large is None:
                out_large = self._output(self.large_estimator_, X[use_large], "large_estimator")
            else:
                out_large = out_large[use_large]
            out[use_large] = out_large
        return out, use_large

    def route(self, X, groups=None):
        """Which rows the large model produces.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to route (in time order within each group in sequential mode).
        groups : array-like of shape (n_samples,), default=None
            Sequence identifiers (sequential mode); None means one sequence.
            Ignored in pointwise mode.

        Returns
        -------
        use_large : ndarray of shape (n_samples,), dtype=bool
            True where the row goes to the large model.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        groups = None if self.mode == "pointwise" else groups
        return self._route(X, groups, self._window())[0]

    def cost_report(self, X, groups=None):
        """Fraction of rows sent to the large model and the compute saved on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to route.
        groups : array-like of shape (n_samples,), default=None
            Sequence identifiers (sequential mode).

        Returns
        -------
        report : :class:`~sklearn.utils.Bunch`
            ``large_fraction``, ``relative_cost`` (see :func:`cascade_cost`;
            "active" accounting in sequential mode with the paper's active
            entropy, "cascade" accounting otherwise), ``saving`` =
            1 - relative_cost, ``n_rows`` and ``accounting``.
        """
        use_large = self.route(X, groups)
        fraction = float(use_large.mean()) if use_large.size else 0.0
        accounting = self._accounting()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # already warned at fit
            cost = cascade_cost(fraction, self.cost_small, self.cost_large, accounting=accounting)
        return Bunch(
            large_fraction=fraction, relative_cost=cost, saving=1 - cost, n_rows=int(use_large.size),
            accounting=accounting,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.target_tags.required = True
        return tags


class EntropyCascadeClassifier(ClassifierMixin, _BaseEntropyCascade):
    """Two-model classifier that sends uncertain rows to the expensive model.

    The small model predicts every row it is given; where the Shannon entropy
    (in bits) of its predicted probabilities is high, the large model is used
    instead. ``mode="pointwise"`` is a confidence cascade for i.i.d. rows:
    a row is escalated when the small model's entropy exceeds the threshold.
    ``mode="sequential"`` is Entropy Adaptive Decoding: rows are ordered
    positions of sequences and the model that produces the next row is chosen
    from the rolling mean entropy of the previous ``window`` rows of the
    active model (see :func:`entropy_switch_schedule`).

    Parameters
    ----------
    small_estimator : classifier or None, default=None
        The cheap model, with ``predict_proba``. None means
        ``LogisticRegression()``.
    large_estimator : classifier or None, default=None
        The expensive model, with ``predict_proba``. None means
        ``HistGradientBoostingClassifier()``.
    threshold : float, default=1.0
        Entropy (bits; a fraction of ``log2(n_classes)`` with
        ``normalize_entropy=True``) above which the large model is used.
        Negative: always the large model; ``np.inf``: always the small one.
        Ignored when ``large_fraction`` is set.
    large_fraction : float in [0, 1] or None, default=None
        If set, ``threshold_`` is chosen so that this fraction of the
        threshold-setting rows goes to the large model: a quantile of the
        small model's entropies (pointwise), or a bisection on the threshold
        over the training sequences (sequential; the fraction is only
        approximately monotone in the threshold, so the closest one is kept).
    mode : {"pointwise", "sequential"}, default="pointwise"
        Routing regime, see above.
    window : int or None, default=None
        Rolling-entropy window (sequential mode). None means 1 in pointwise
        mode and the paper's 5 in sequential mode; pointwise mode accepts
        only 1.
    min_run : int, default=1
        Sequential mode: rows a model must produce before a switch.
    entropy_source : {"active", "small"}, default="active"
        Sequential mode: entropy of the model that produced the row (the
        paper) or always of the small model (then the small model runs on
        every row and the cost uses the "cascade" accounting).
    normalize_entropy : bool, default=False
        Divide entropies by ``log2(n_classes)`` so thresholds are comparable
        across class counts.
    cost_small : float, default=1.0
        Per-row cost of the small model.
    cost_large : float, default=10.0
        Per-row cost of the large model. A warning is raised when it is below
        ``cost_small``.
    validation_fraction : float in (0, 1) or None, default=None
        With ``large_fraction``, the fraction of training rows (whole
        sequences in sequential mode) held out to set ``threshold_``; the
        models are fit on the rest. Training entropies of flexible models are
        optimistic, so held-out rows give a threshold closer to the target
        fraction on new data.
    prefit : bool, default=False
        If True the two estimators are already fitted and are used as they
        are (not cloned).
    random_state : int, RandomState instance or None, default=None
        Seeds the held-out split of ``validation_fraction``.

    Attributes
    ----------
    small_estimator_ : classifier
        The fitted small model.
    large_estimator_ : classifier
        The fitted large model.
    threshold_ : float
        Entropy threshold used for routing.
    classes_ : ndarray of shape (n_classes,)
        Class labels, shared by both models.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit (string column names only).
    train_large_fraction_ : float
        Fraction of the threshold-setting rows routed to the large model.

    See Also
    --------
    sklearn.model_selection.FixedThresholdClassifier : A decision threshold on one model's score.
    EntropyCascadeRegressor : The same cascade with a Gaussian predictive entropy.

    Notes
    -----
    With precomputed rows the features of later rows do not depend on which
    model produced earlier ones, so sequential mode simulates the switching on
    fixed (teacher-forced) contexts: the error compounding of generation, the
    large model's prefill and cache hand-over are not modelled. To keep the
    time loop vectorised across sequences, sequential mode with
    ``entropy_source="active"`` evaluates both models on every row and reads
    the large model's entropy only where it is active.

    References
    ----------
    .. [1] T. Simonds, "Entropy Adaptive Decoding: Dynamic Model Switching for
       Efficient Inference", arXiv:2502.06833, 2025.

    Examples
    --------
    The threshold is set on training rows, where the small model is more
    confident than on new rows, so slightly more than 25% of the test rows
    are escalated (see ``validation_fraction``).

    >>> from sklearn.datasets import load_digits
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import train_test_split
    >>> from skpapers.ensemble import EntropyCascadeClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X / 16, y, random_state=0)
    >>> cascade = EntropyCascadeClassifier(
    ...     LogisticRegression(max_iter=1000), RandomForestClassifier(random_state=0), large_fraction=0.25
    ... ).fit(X_train, y_train)
    >>> report = cascade.cost_report(X_test)
    >>> print(f"{report.large_fraction:.2f} {report.relative_cost:.2f} {cascade.score(X_test, y_test):.3f}")
    0.30 0.40 0.976
    """

    _parameter_constraints = {
        **_BaseEntropyCascade._parameter_constraints,
        "small_estimator": [HasMethods(["fit", "predict_proba"]), None],
        "large_estimator": [HasMethods(["fit", "predict_proba"]), None],
    }

    def _default_estimators(self):
        small = LogisticRegression() if self.small_estimator is None else self.small_estimator
        large = HistGradientBoostingClassifier() if self.large_estimator is None else self.large_estimator
        return small, large

    def _check_y(self, y):
        check_classification_targets(y)
        return y

    def _check_fitted_estimators(self):
        small_classes = np.asarray(self.small_estimator_.classes_)
        large_classes = np.asarray(self.large_estimator_.classes_)
        if small_classes.shape != large_classes.shape or np.any(small_classes != large_classes):
            raise ValueError(
                "small_estimator and large_estimator disagree on classes_: "
                f"{small_classes.tolist()} vs {large_classes.tolist()}."
            )
        self.classes_ = small_classes

    def _output(self, estimator, X, name):
        proba = np.asarray(estimator.predict_proba(X), dtype=float)
        if not np.all(np.isfinite(proba)):
            raise ValueError(f"{name}.predict_proba returned NaN or infinite probabilities.")
        return proba

    def _output_and_entropy(self, estimator, X, name):
        proba = self._output(estimator, X, name)
        entropy = -xlogy(proba, proba).sum(axis=1) / math.log(2)
        if self.normalize_entropy:
            entropy = entropy / math.log2(max(proba.shape[1], 2))
        return proba, entropy

    def predict_proba(self, X, groups=None):
        """Class probabilities: the large model's on routed rows, the small model's elsewhere.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.
        groups : array-like of shape (n_samples,), default=None
            Sequence identifiers (sequential mode); None means one sequence.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        return self._combined_output(X, groups)[0]

    def predict(self, X, groups=None):
        """Predict class labels through the cascade.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.
        groups : array-like of shape (n_samples,), default=None
            Sequence identifiers (sequential mode); None means one sequence.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        proba = self.predict_proba(X, groups)
        return self.classes_[np.argmax(proba, axis=1)]


class EntropyCascadeRegressor(RegressorMixin, _BaseEntropyCascade):
    """Two-model regressor that sends uncertain rows to the expensive model.

    The uncertainty of a row is the differential entropy (bits) of the small
    model's Gaussian predictive distribution,
    :math:`H = \\frac{1}{2}\\log_2(2\\pi e\\sigma^2)`, with :math:`\\sigma`
    from ``small_estimator.predict(X, return_std=True)``
    (``GaussianProcessRegressor``, ``BayesianRidge``, ``ARDRegression``).
    Routing follows :class:`EntropyCascadeClassifier`.

    Parameters
    ----------
    small_estimator : regressor or None, default=None
        The cheap model; its ``predict`` must accept ``return_std``. None
        means ``BayesianRidge()``.
    large_estimator : regressor or None, default=None
        The expensive model. None means ``HistGradientBoostingRegressor()``.
        In sequential mode with ``entropy_source="active"`` it must accept
        ``return_std`` too.
    threshold : float, default=1.0
        Entropy (bits) above which the large model is used. Differential
        entropy can be negative and depends on the scale of ``y``.
    large_fraction : float in [0, 1] or None, default=None
        If set, ``threshold_`` gives this fraction of large-model rows on the
        threshold-setting rows (see :class:`EntropyCascadeClassifier`).
    mode : {"pointwise", "sequential"}, default="pointwise"
        Routing regime.
    window : int or None, default=None
        Rolling-entropy window (1 in pointwise mode, default 5 in sequential).
    min_run : int, default=1
        Sequential mode: rows a model must produce before a switch.
    entropy_source : {"active", "small"}, default="active"
        Sequential mode: whose entropy enters the rolling mean.
    normalize_entropy : bool, default=False
        Accepted for symmetry with the classifier; has no effect here (a
        differential entropy has no maximum to divide by).
    cost_small : float, default=1.0
        Per-row cost of the small model.
    cost_large : float, default=10.0
        Per-row cost of the large model.
    validation_fraction : float in (0, 1) or None, default=None
        With ``large_fraction``, fraction of rows held out to set the
        threshold.
    prefit : bool, default=False
        If True the estimators are already fitted and used as they are.
    random_state : int, RandomState instance or None, default=None
        Seeds the held-out split of ``validation_fraction``.

    Attributes
    ----------
    small_estimator_ : regressor
        The fitted small model.
    large_estimator_ : regressor
        The fitted large model.
    threshold_ : float
        Entropy threshold used for routing.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit (string column names only).
    train_large_fraction_ : float
        Fraction of the threshold-setting rows routed to the large model.

    See Also
    --------
    EntropyCascadeClassifier : The classification cascade.

    References
    ----------
    .. [1] T. Simonds, "Entropy Adaptive Decoding: Dynamic Model Switching for
       Efficient Inference", arXiv:2502.06833, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.ensemble import EntropyCascadeRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-3, 3, size=(400, 1))
    >>> y = np.sin(2 * X[:, 0]) + 0.1 * rng.standard_normal(400)
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> cascade = EntropyCascadeRegressor(
    ...     large_estimator=DecisionTreeRegressor(max_depth=6), large_fraction=0.5
    ... ).fit(X, y)
    >>> round(cascade.cost_report(X).large_fraction, 1)
    0.5
    """

    _parameter_constraints = {
        **_BaseEntropyCascade._parameter_constraints,
        "small_estimator": [HasMethods(["fit", "predict"]), None],
        "large_estimator": [HasMethods(["fit", "predict"]), None],
    }

    def _default_estimators(self):
        small = BayesianRidge() if self.small_estimator is None else self.small_estimator
        large = HistGradientBoostingRegressor() if self.large_estimator is None else self.large_estimator
        return small, large

    def _check_y(self, y):
        return np.asarray(y, dtype=float)

    def _check_estimators(self, small, large):
        if not _accepts_return_std(small):
            raise TypeError(
                f"small_estimator {type(small).__name__} has no predict(X, return_std=True); use a model with a "
                "Gaussian predictive (GaussianProcessRegressor, BayesianRidge, ARDRegression)."
            )
        if self.mode == "sequential" and self.entropy_source == "active" and not _accepts_return_std(large):
            raise TypeError(
                f"large_estimator {type(large).__name__} has no predict(X, return_std=True), which "
                'mode="sequential" with entropy_source="active" needs; use entropy_source="small".'
            )

    def _output(self, estimator, X, name):
        mean = np.asarray(estimator.predict(X), dtype=float).ravel()
        if not np.all(np.isfinite(mean)):
            raise ValueError(f"{name}.predict returned NaN or infinite values.")
        return mean

    def _output_and_entropy(self, estimator, X, name):
        mean, std = estimator.predict(X, return_std=True)
        mean = np.asarray(mean, dtype=float).ravel()
        std = np.asarray(std, dtype=float).ravel()
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
            raise ValueError(f"{name}.predict(return_std=True) returned NaN or infinite values.")
        # A zero standard deviation (noise-free GP at a training point) is a certain prediction.
        variance = np.maximum(std, np.finfo(float).tiny) ** 2
        return mean, 0.5 * np.log2(2 * math.pi * math.e * variance)

    def predict(self, X, groups=None):
        """Predict targets through the cascade.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.
        groups : array-like of shape (n_samples,), default=None
            Sequence identifiers (sequential mode); None means one sequence.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The large model's prediction on routed rows, the small one's
            elsewhere.
        """
        return self._combined_output(X, groups)[0]
