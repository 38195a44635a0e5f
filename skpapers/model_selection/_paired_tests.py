"""Paired tests that compare two learning algorithms by refitting them on resampled data.

The resampled paired t-test, the k-fold cross-validated paired t-test,
Dietterich's 5x2cv paired t-test and Alpaydin's combined 5x2cv F-test, as
reviewed by Raschka (2018). Every split fits fresh clones of both estimators;
the splits run in parallel through joblib.

The split protocols follow mlxtend's (one ``randint(0, 32767)`` seed per
round from ``RandomState(random_state)``, unstratified ``train_test_split``),
so that the same seed gives the same splits, hence the same statistics.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import stats
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import KFold, check_cv, train_test_split
from sklearn.utils import _safe_indexing, check_random_state, indexable
from sklearn.utils._param_validation import HasMethods, Interval, validate_params
from sklearn.utils.parallel import Parallel, delayed

from ..utils._results import TestResult

_COMMON_CONSTRAINTS = {
    "estimator1": [HasMethods(["fit"])],
    "estimator2": [HasMethods(["fit"])],
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like"],
    "scoring": [str, callable, None],
    "random_state": ["random_state"],
    "n_jobs": [Integral, None],
    "params": [dict, None],
}


def _index_params(params, indices, n_samples):
    """Row-subset the fit parameters aligned with the samples (e.g. sample_weight)."""
    return {
        key: _safe_indexing(value, indices) if hasattr(value, "__len__") and len(value) == n_samples else value
        for key, value in params.items()
    }


def _fit_and_score_pair(estimator1, estimator2, X, y, train, test, scorer, params):
    n_samples = len(y)
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
    fit_params = _index_params(params, train, n_samples)
    scores = []
    for estimator in (estimator1, estimator2):
        fitted = clone(estimator).fit(X_train, y_train, **fit_params)
        scores.append(scorer(fitted, X_test, y_test))
    return scores[0] - scores[1]


def _score_differences(estimator1, estimator2, X, y, splits, scoring, n_jobs, params):
    X, y = indexable(X, y)
    if len(y) < 2:
        raise ValueError(f"Need at least 2 samples; got {len(y)}.")
    scorer = check_scoring(estimator1, scoring=scoring)
    parallel = Parallel(n_jobs=n_jobs)
    differences = parallel(
        delayed(_fit_and_score_pair)(estimator1, estimator2, X, y, train, test, scorer, params or {})
        for train, test in splits
    )
    return np.asarray(differences, dtype=np.float64)


def _holdout_splits(n_samples, n_rounds, test_size, random_state):
    """mlxtend's protocol: one seed per round, unstratified train_test_split."""
    rng = check_random_state(random_state)
    indices = np.arange(n_samples)
    splits = []
    for _ in range(n_rounds):
        seed = rng.randint(low=0, high=32767)
        train, test = train_test_split(indices, test_size=test_size, random_state=seed)
        splits.append((train, test))
    return splits


def _warn_degenerate(name):
    warnings.warn(
        f"{name}: the score differences have zero spread (e.g. identical models), so the statistic "
        "is undefined (NaN) or infinite.",
        RuntimeWarning,
        stacklevel=3,
    )


def _paired_t(differences, name):
    k = differences.shape[0]
    mean = differences.mean()
    sd = differences.std(ddof=1)
    df = k - 1
    if sd == 0:
        _warn_degenerate(name)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = mean * np.sqrt(k) / sd
    pvalue = 2 * stats.t.sf(abs(statistic), df) if not np.isnan(statistic) else np.nan
    return TestResult(statistic, pvalue, df=df, score_differences=differences)


@validate_params(
    {
        **_COMMON_CONSTRAINTS,
        "n_rounds": [Interval(Integral, 2, None, closed="left")],
        "test_size": [Interval(Real, 0, 1, closed="neither"), Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def paired_ttest_resampled(
    estimator1, estimator2, X, y, *, n_rounds=30, test_size=0.3, scoring=None, random_state=None,
    n_jobs=None, params=None,
):
    """Resampled paired t-test over random train/test splits (discouraged by the paper).

    For each of ``k = n_rounds`` random holdout splits both estimators are
    fitted on the training part and scored on the test part; with
    ``p_i = score1 - score2``,
    ``t = mean(p) sqrt(k) / sd(p)`` has ``k - 1`` degrees of freedom under the
    usual (here violated) independence assumption. The overlapping training
    and test sets make the differences dependent, which inflates the type I
    error well above the nominal level (Dietterich, 1998); prefer
    :func:`combined_ftest_5x2cv`.

    Parameters
    ----------
    estimator1, estimator2 : estimator
        The two learning algorithms (cloned, never fitted in place).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data.
    y : array-like of shape (n_samples,)
        Targets.
    n_rounds : int, default=30
        Number of random splits ``k`` (at least 2).
    test_size : float or int, default=0.3
        Test fraction in (0, 1), or number of test samples.
    scoring : str, callable or None, default=None
        A scikit-learn scorer; ``None`` uses ``estimator1.score``.
    random_state : int, RandomState instance or None, default=None
        Seeds the splits.
    n_jobs : int, default=None
        Splits fitted in parallel (joblib).
    params : dict, default=None
        Fit parameters; those of length ``n_samples`` are subset with the rows.

    Returns
    -------
    result : TestResult
        ``statistic`` (t), ``pvalue`` (two-sided), ``df`` and
        ``score_differences`` of shape (n_rounds,).

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.
    .. [2] T. G. Dietterich, "Approximate statistical tests for comparing
       supervised classification learning algorithms", Neural Computation 10
       (1998) 1895-1923.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skpapers.model_selection import paired_ttest_resampled
    >>> X, y = load_iris(return_X_y=True)
    >>> result = paired_ttest_resampled(GaussianNB(),
    ...     DecisionTreeClassifier(max_depth=1), X, y, random_state=1)
    >>> bool(result.pvalue < 0.001)
    True
    """
    X, y = indexable(X, y)
    splits = _holdout_splits(len(y), n_rounds, test_size, random_state)
    differences = _score_differences(estimator1, estimator2, X, y, splits, scoring, n_jobs, params)
    return _paired_t(differences, "paired_ttest_resampled")


@validate_params(
    {
        **_COMMON_CONSTRAINTS,
        "cv": [Interval(Integral, 2, None, closed="left"), "cv_object"],
        "shuffle": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def paired_ttest_kfold_cv(
    estimator1, estimator2, X, y, *, cv=10, scoring=None, shuffle=False, random_state=None, n_jobs=None,
    params=None,
):
    """k-fold cross-validated paired t-test.

    Both estimators are fitted on the same k - 1 folds and scored on the
    held-out fold; ``t = mean(p) sqrt(k) / sd(p)`` over the k score
    differences, ``k - 1`` degrees of freedom. The training sets overlap, so
    the differences are not independent and the test is liberal (less so
    than the resampled t-test).

    Parameters
    ----------
    estimator1, estimator2 : estimator
        The two learning algorithms (cloned, never fitted in place).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data.
    y : array-like of shape (n_samples,)
        Targets.
    cv : int or cross-validation splitter, default=10
        Number of folds (at least 2; plain ``KFold``, as in mlxtend, also
        for classifiers) or a splitter / iterable of (train, test) indices.
    scoring : str, callable or None, default=None
        A scikit-learn scorer; ``None`` uses ``estimator1.score``.
    shuffle : bool, default=False
        Shuffle before splitting into folds (integer ``cv`` only).
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling when ``shuffle=True``.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib).
    params : dict, default=None
        Fit parameters; those of length ``n_samples`` are subset with the rows.

    Returns
    -------
    result : TestResult
        ``statistic`` (t), ``pvalue`` (two-sided), ``df`` and
        ``score_differences`` of shape (k,).

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.
    .. [2] T. G. Dietterich, "Approximate statistical tests for comparing
       supervised classification learning algorithms", Neural Computation 10
       (1998) 1895-1923.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skpapers.model_selection import paired_ttest_kfold_cv
    >>> X, y = load_iris(return_X_y=True)
    >>> result = paired_ttest_kfold_cv(GaussianNB(),
    ...     DecisionTreeClassifier(max_depth=1), X, y, shuffle=True, random_state=1)
    >>> result.df, bool(result.pvalue < 0.001)
    (9, True)
    """
    X, y = indexable(X, y)
    if isinstance(cv, Integral):
        splitter = KFold(n_splits=cv, shuffle=shuffle, random_state=random_state if shuffle else None)
    else:
        splitter = check_cv(cv)
    splits = list(splitter.split(X, y))
    if len(splits) < 2:
        raise ValueError(f"cv must yield at least 2 splits; got {len(splits)}.")
    differences = _score_differences(estimator1, estimator2, X, y, splits, scoring, n_jobs, params)
    return _paired_t(differences, "paired_ttest_kfold_cv")


def _five_by_two(estimator1, estimator2, X, y, scoring, random_state, n_jobs, params):
    """Score differences p_i^(j) of shape (5, 2): replication i, fold j."""
    X, y = indexable(X, y)
    halves = _holdout_splits(len(y), 5, 0.5, random_state)
    splits = [split for first, second in halves for split in ((first, second), (second, first))]
    differences = _score_differences(estimator1, estimator2, X, y, splits, scoring, n_jobs, params)
    return differences.reshape(5, 2)


def _five_by_two_variances(differences):
    mean = differences.mean(axis=1, keepdims=True)
    return np.sum((differences - mean) ** 2, axis=1)


@validate_params(_COMMON_CONSTRAINTS, prefer_skip_nested_validation=True)
def paired_ttest_5x2cv(estimator1, estimator2, X, y, *, scoring=None, random_state=None, n_jobs=None, params=None):
    """Dietterich's 5x2cv paired t-test.

    Five replications of 2-fold cross-validation; ``p_i^(j)`` is the score
    difference on fold ``j`` of replication ``i``, ``s_i^2`` the variance of
    the two differences of replication ``i``, and
    ``t = p_1^(1) / sqrt(sum_i s_i^2 / 5)`` has 5 degrees of freedom.
    Unlike the resampled and k-fold t-tests its type I error stays near
    the nominal level.

    Parameters
    ----------
    estimator1, estimator2 : estimator
        The two learning algorithms (cloned, never fitted in place).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data.
    y : array-like of shape (n_samples,)
        Targets.
    scoring : str, callable or None, default=None
        A scikit-learn scorer; ``None`` uses ``estimator1.score``.
    random_state : int, RandomState instance or None, default=None
        Seeds the five random halvings.
    n_jobs : int, default=None
        The ten fits of each estimator run in parallel (joblib).
    params : dict, default=None
        Fit parameters; those of length ``n_samples`` are subset with the rows.

    Returns
    -------
    result : TestResult
        ``statistic`` (t), ``pvalue`` (two-sided), ``df`` (5) and
        ``score_differences`` of shape (5, 2).

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.
    .. [2] T. G. Dietterich, "Approximate statistical tests for comparing
       supervised classification learning algorithms", Neural Computation 10
       (1998) 1895-1923.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skpapers.model_selection import paired_ttest_5x2cv
    >>> X, y = load_iris(return_X_y=True)
    >>> result = paired_ttest_5x2cv(GaussianNB(),
    ...     DecisionTreeClassifier(max_depth=1), X, y, random_state=1)
    >>> result.score_differences.shape, bool(result.pvalue < 0.01)
    ((5, 2), True)
    """
    differences = _five_by_two(estimator1, estimator2, X, y, scoring, random_state, n_jobs, params)
    variance_sum = _five_by_two_variances(differences).sum()
    if variance_sum == 0:
        _warn_degenerate("paired_ttest_5x2cv")
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = differences[0, 0] / np.sqrt(variance_sum / 5)
    pvalue = 2 * stats.t.sf(abs(statistic), 5) if not np.isnan(statistic) else np.nan
    return TestResult(statistic, pvalue, df=5, score_differences=differences)


@validate_params(_COMMON_CONSTRAINTS, prefer_skip_nested_validation=True)
def combined_ftest_5x2cv(
    estimator1, estimator2, X, y, *, scoring=None, random_state=None, n_jobs=None, params=None
):
    """Alpaydin's combined 5x2cv F-test (the paper's recommendation).

    On the same five replications of 2-fold cross-validation as
    :func:`paired_ttest_5x2cv`,
    ``f = sum_i sum_j (p_i^(j))^2 / (2 sum_i s_i^2)`` follows ``F(10, 5)``
    under the null. Using all ten differences in the numerator makes it more
    robust than the 5x2cv t-test, whose numerator is a single difference.

    Parameters
    ----------
    estimator1, estimator2 : estimator
        The two learning algorithms (cloned, never fitted in place).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data.
    y : array-like of shape (n_samples,)
        Targets.
    scoring : str, callable or None, default=None
        A scikit-learn scorer; ``None`` uses ``estimator1.score``.
    random_state : int, RandomState instance or None, default=None
        Seeds the five random halvings.
    n_jobs : int, default=None
        The ten fits of each estimator run in parallel (joblib).
    params : dict, default=None
        Fit parameters; those of length ``n_samples`` are subset with the rows.

    Returns
    -------
    result : TestResult
        ``statistic`` (F), ``pvalue``, ``df`` ((10, 5)) and
        ``score_differences`` of shape (5, 2).

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.
    .. [2] E. Alpaydin, "Combined 5 x 2 cv F test for comparing supervised
       classification learning algorithms", Neural Computation 11 (1999)
       1885-1892.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skpapers.model_selection import combined_ftest_5x2cv
    >>> X, y = load_iris(return_X_y=True)
    >>> result = combined_ftest_5x2cv(GaussianNB(),
    ...     DecisionTreeClassifier(max_depth=1), X, y, random_state=1)
    >>> result.df, bool(result.pvalue < 0.01)
    ((10, 5), True)
    """
    differences = _five_by_two(estimator1, estimator2, X, y, scoring, random_state, n_jobs, params)
    variance_sum = _five_by_two_variances(differences).sum()
    if variance_sum == 0:
        _warn_degenerate("combined_ftest_5x2cv")
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.sum(differences**2) / (2 * variance_sum)
    pvalue = stats.f.sf(statistic, 10, 5) if not np.isnan(statistic) else np.nan
    return TestResult(statistic, pvalue, df=(10, 5), score_differences=differences)

