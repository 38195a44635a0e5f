"""Out-of-bag bootstrap splits and the OOB, .632 and .632+ bootstrap estimates."""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import stats
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.utils import _safe_indexing, check_random_state, indexable
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples

from ._paired_tests import _index_params
from ._results import ConfidenceInterval


class BootstrapOutOfBag:
    """Bootstrap cross-validation splitter: train on a bootstrap sample, test out of bag.

    Each split draws ``n_samples`` row indices with replacement (the
    training set, duplicates included) and tests on the rows never drawn
    (about 36.8% of them). The draws follow mlxtend's ``BootstrapOutOfBag``
    (``RandomState(random_state).choice(n, n)`` once per split, in order), so
    an integer seed gives the same splits. Usable wherever scikit-learn
    accepts a ``cv`` splitter.

    Parameters
    ----------
    n_splits : int, default=200
        Number of bootstrap rounds (at least 1).
    random_state : int, RandomState instance or None, default=None
        Seeds the draws. An integer gives the same splits on every call to
        ``split``.

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.
    .. [2] B. Efron and R. Tibshirani, "An Introduction to the Bootstrap",
       Chapman & Hall, 1993.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.model_selection import BootstrapOutOfBag
    >>> splitter = BootstrapOutOfBag(n_splits=2, random_state=0)
    >>> for train, test in splitter.split(np.arange(6)):
    ...     print(train, test)
    [4 5 0 3 3 3] [1 2]
    [0 4 2 1 0 1] [3 5]
    """

    def __init__(self, n_splits=200, random_state=None):
        self.n_splits = n_splits
        self.random_state = random_state

    def _check_n_splits(self):
        if not isinstance(self.n_splits, Integral) or isinstance(self.n_splits, bool) or self.n_splits < 1:
            raise ValueError(f"n_splits must be an integer >= 1; got {self.n_splits!r}.")

    def split(self, X, y=None, groups=None):
        """Generate (train, test) indices.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Only its number of rows is used.
        y : array-like, default=None
            Ignored.
        groups : array-like, default=None
            Ignored.

        Yields
        ------
        train : ndarray
            Bootstrap sample of row indices (with duplicates).
        test : ndarray
            Sorted indices of the rows not in ``train``. A draw that leaves
            no row out of bag (possible only for tiny ``n_samples``) is
            replaced by the next draw.
        """
        self._check_n_splits()
        n_samples = _num_samples(X)
        if n_samples < 2:
            raise ValueError(f"BootstrapOutOfBag needs at least 2 samples; got {n_samples}.")
        rng = check_random_state(self.random_state)
        indices = np.arange(n_samples)
        produced = 0
        while produced < self.n_splits:
            train = rng.choice(indices, size=n_samples, replace=True)
            in_bag = np.zeros(n_samples, dtype=bool)
            in_bag[train] = True
            if in_bag.all():
                continue
            produced += 1
            yield train, indices[~in_bag]

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splits.

        Parameters
        ----------
        X, y, groups : object
            Ignored.

        Returns
        -------
        n_splits : int
        """
        self._check_n_splits()
        return self.n_splits

    def __repr__(self):
        return f"BootstrapOutOfBag(n_splits={self.n_splits!r}, random_state={self.random_state!r})"


class BootstrapResult:
    """Bootstrap estimate of a model's score with its spread.

    Parameters
    ----------
    score : float
        Mean of the per-round scores.
    scores : ndarray of shape (n_bootstraps,)
        Per-round scores.
    standard_error : float
        Standard deviation of ``scores`` (ddof=1).
    confidence_interval : ConfidenceInterval
        Percentile or t interval.
    method : str
        ``"oob"``, ``".632"`` or ``".632+"``.
    """

    def __init__(self, score, scores, standard_error, confidence_interval, method):
        self.score = float(score)
        self.scores = scores
        self.standard_error = float(standard_error)
        self.confidence_interval = confidence_interval
        self.method = method

    def __repr__(self):
        return (
            f"BootstrapResult(method={self.method!r}, score={self.score!r}, "
            f"standard_error={self.standard_error!r}, confidence_interval={self.confidence_interval!r})"
        )


def _no_information_error(kind, y, y_pred):
    """Error of a rule whose predictions are independent of the targets: mean loss over all (y_i, yhat_j)."""
    if kind == "accuracy":
        classes, y_codes = np.unique(np.concatenate([y, y_pred]), return_inverse=True)
        p = np.bincount(y_codes[: len(y)], minlength=len(classes)) / len(y)
        q = np.bincount(y_codes[len(y) :], minlength=len(classes)) / len(y_pred)
        return 1.0 - float(p @ q)
    # squared error, expanded so that no n x n matrix is built
    y, y_pred = np.asarray(y, dtype=float), np.asarray(y_pred, dtype=float)
    return float(np.mean(y**2) - 2 * np.mean(y) * np.mean(y_pred) + np.mean(y_pred**2))


def _one_round(estimator, X, y, train, test, scorer, method, kind, params):
    fitted = clone(estimator).fit(
        _safe_indexing(X, train), _safe_indexing(y, train), **_index_params(params, train, len(y))
    )
    oob = scorer(fitted, _safe_indexing(X, test), _safe_indexing(y, test))
    if method == "oob":
        return oob, np.nan, np.nan
    resubstitution = scorer(fitted, X, y)
    gamma = _no_information_error(kind, np.asarray(y), fitted.predict(X)) if method == ".632+" else np.nan
    return oob, resubstitution, gamma


def _point632_plus_errors(err_h, err_r, gamma, clip):
    """Per-round .632+ errors (Efron & Tibshirani 1997, eq. 32; mlxtend's formula when clip=False)."""
    if clip:
        err_h_clipped = np.minimum(err_h, gamma)
        valid = (err_h_clipped > err_r) & (gamma > err_r)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(valid, (err_h_clipped - err_r) / (gamma - err_r), 0.0)
        point632 = 0.368 * err_r + 0.632 * err_h
        return point632 + (err_h_clipped - err_r) * (0.368 * 0.632 * rate) / (1 - 0.368 * rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (err_h - err_r) / (gamma - err_r)
        weight = 0.632 / (1 - 0.368 * rate)
        errors = weight * err_h + (1 - weight) * err_r
    if not np.all(np.isfinite(errors)):
        warnings.warn(
            "Unclipped .632+ weights are undefined in some rounds (no-information error equal to the "
            "resubstitution error); those rounds are NaN or infinite. Use clip=True.",
            RuntimeWarning,
            stacklevel=3,
        )
    return errors


def _loss_kind(estimator, scoring):
    """How scores map to losses for .632+: err = offset - score."""
    if scoring == "accuracy" or (scoring is None and is_classifier(estimator)):
        return "accuracy", 1.0
    if scoring == "neg_mean_squared_error":
        return "squared_error", 0.0
    raise ValueError(
        "method='.632+' needs a loss with a known no-information rate: scoring=None or 'accuracy' "
        f"for classifiers, 'neg_mean_squared_error' for regressors; got scoring={scoring!r}."
    )


@validate_params(
    {
        "estimator": [HasMethods(["fit", "predict"])],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "method": [StrOptions({"oob", ".632", ".632+"})],
        "n_bootstraps": [Interval(Integral, 2, None, closed="left")],
        "scoring": [str, callable, None],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
        "ci_method": [StrOptions({"percentile", "t"})],
        "clip": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "params": [dict, None],
    },
    prefer_skip_nested_validation=True,
)
def bootstrap_score(
    estimator, X, y, *, method="oob", n_bootstraps=200, scoring=None, confidence=0.95,
    ci_method="percentile", clip=True, random_state=None, n_jobs=None, params=None,
):
    """Out-of-bag, .632 or .632+ bootstrap estimate of a model's score.

    Each of ``B = n_bootstraps`` rounds fits a clone of ``estimator`` on a
    bootstrap sample (:class:`BootstrapOutOfBag`) and computes

    - ``"oob"``: the out-of-bag score ``ACC_h``;
    - ``".632"``: ``0.632 ACC_h + 0.368 ACC_r``, with ``ACC_r`` the score of
      the round's model on the full data set (mlxtend's convention);
    - ``".632+"``: the Efron-Tibshirani weighting of the out-of-bag and
      resubstitution errors by the relative overfitting rate
      ``R = (err_h - err_r) / (gamma - err_r)``, with ``gamma`` the
      no-information error of the round's predictions on the full data.

    The estimate is the mean over rounds, the standard error their standard
    deviation (ddof=1).

    Parameters
    ----------
    estimator : estimator
        Cloned for every round; never fitted in place.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data.
    y : array-like of shape (n_samples,)
        Targets.
    method : {"oob", ".632", ".632+"}, default="oob"
        The estimate.
    n_bootstraps : int, default=200
        Number of rounds ``B`` (at least 2).
    scoring : str, callable or None, default=None
        A scikit-learn scorer; ``None`` uses ``estimator.score``. For
        ``".632+"``: ``None``/``"accuracy"`` (0-1 loss) for classifiers or
        ``"neg_mean_squared_error"`` (squared loss) for regressors, whose
        no-information errors have closed forms.
    confidence : float, default=0.95
        Level of the confidence interval.
    ci_method : {"percentile", "t"}, default="percentile"
        Percentile interval of the round scores, or
        ``score +/- t_{B-1} * standard_error``.
    clip : bool, default=True
        ``".632+"`` only: Efron and Tibshirani's safeguards (out-of-bag error
        capped at ``gamma``, ``R`` set to 0 when the model does not overfit),
        which keep the weight in [0.632, 1]. ``False`` reproduces mlxtend's
        unclipped formula, which can leave that range or divide by zero.
    random_state : int, RandomState instance or None, default=None
        Seeds the bootstrap draws.
    n_jobs : int, default=None
        Rounds fitted in parallel (joblib).
    params : dict, default=None
        Fit parameters; those of length ``n_samples`` are subset with the rows.

    Returns
    -------
    result : BootstrapResult
        ``score``, ``scores`` (per round), ``standard_error``,
        ``confidence_interval`` and ``method``.

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.
    .. [2] B. Efron and R. Tibshirani, "Improvements on cross-validation: the
       .632+ bootstrap method", JASA 92 (1997) 548-560.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skpapers.model_selection import bootstrap_score
    >>> X, y = load_iris(return_X_y=True)
    >>> result = bootstrap_score(DecisionTreeClassifier(random_state=0), X, y,
    ...                          method=".632+", n_bootstraps=50, random_state=0)
    >>> bool(0.9 < result.score < 1.0), result.scores.shape
    (True, (50,))
    """
    X, y = indexable(X, y)
    kind, offset = _loss_kind(estimator, scoring) if method == ".632+" else (None, None)
    scorer = check_scoring(estimator, scoring=scoring)
    splitter = BootstrapOutOfBag(n_splits=n_bootstraps, random_state=random_state)
    rounds = Parallel(n_jobs=n_jobs)(
        delayed(_one_round)(estimator, X, y, train, test, scorer, method, kind, params or {})
        for train, test in splitter.split(X)
    )
    oob, resubstitution, gamma = (np.asarray(column, dtype=np.float64) for column in zip(*rounds))
    if method == "oob":
        scores = oob
    elif method == ".632":
        scores = 0.632 * oob + 0.368 * resubstitution
    else:
        scores = offset - _point632_plus_errors(offset - oob, offset - resubstitution, gamma, clip)
    score = scores.mean()
    standard_error = scores.std(ddof=1)
    alpha = 1 - confidence
    if ci_method == "percentile":
        low, high = np.percentile(scores, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    else:
        half = stats.t.ppf(1 - alpha / 2, n_bootstraps - 1) * standard_error
        low, high = score - half, score + half
    interval = ConfidenceInterval(score, low, high, confidence, ci_method)
    return BootstrapResult(score, scores, standard_error, interval, method)
