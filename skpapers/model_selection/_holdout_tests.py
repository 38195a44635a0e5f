"""Tests and intervals computed from predictions on one test set.

Accuracy confidence intervals, McNemar's test, Cochran's Q, the F-test of
Looney (1988) and the difference-of-proportions z-test, as reviewed by
Raschka (2018). McNemar and Cochran's Q defer to statsmodels.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import stats
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ..utils._results import TestResult
from ._results import ConfidenceInterval


def _labels(y, name):
    y = column_or_1d(y, warn=False)
    if y.shape[0] == 0:
        raise ValueError(f"{name} is empty.")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return y


def _correctness(y_true, y_preds, *, min_models):
    """Boolean matrix (n_samples, n_models): model j classified sample i correctly."""
    if len(y_preds) < min_models:
        raise ValueError(f"Provide at least {min_models} prediction arrays; got {len(y_preds)}.")
    y_true = _labels(y_true, "y_true")
    preds = [_labels(y_pred, f"y_preds[{j}]") for j, y_pred in enumerate(y_preds)]
    try:
        check_consistent_length(y_true, *preds)
    except ValueError as exc:
        raise ValueError(f"y_true and every prediction array must have the same length: {exc}") from None
    return np.column_stack([y_true == y_pred for y_pred in preds])


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
        "method": [StrOptions({"normal", "wilson"})],
    },
    prefer_skip_nested_validation=True,
)
def accuracy_confidence_interval(y_true, y_pred, *, confidence=0.95, method="normal"):
    """Confidence interval of the holdout accuracy.

    ``method="normal"`` is the normal approximation
    ``ACC +/- z * sqrt(ACC (1 - ACC) / n)`` the paper reviews (and warns is
    poor for small test sets or accuracies near 0 or 1); ``"wilson"`` is the
    Wilson score interval, which behaves well in those cases. Both bounds are
    clipped to [0, 1].

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels of the test set.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    confidence : float, default=0.95
        Confidence level, in (0, 1).
    method : {"normal", "wilson"}, default="normal"
        The interval.

    Returns
    -------
    interval : ConfidenceInterval
        ``estimate`` (the accuracy), ``low``, ``high``, ``confidence`` and
        ``method``; unpacks to ``(low, high)``.

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.
    .. [2] E. B. Wilson, "Probable inference, the law of succession, and
       statistical inference", JASA 22 (1927) 209-212.

    Examples
    --------
    >>> from skpapers.model_selection import accuracy_confidence_interval
    >>> y_true = [0] * 50 + [1] * 50
    >>> y_pred = [0] * 42 + [1] * 8 + [1] * 46 + [0] * 4
    >>> ci = accuracy_confidence_interval(y_true, y_pred)
    >>> round(ci.estimate, 2), round(ci.low, 4), round(ci.high, 4)
    (0.88, 0.8163, 0.9437)
    """
    correct = _correctness(y_true, [y_pred], min_models=1)[:, 0]
    n = correct.shape[0]
    accuracy = correct.mean()
    z = stats.norm.ppf(0.5 + confidence / 2)
    if method == "normal":
        half = z * np.sqrt(accuracy * (1 - accuracy) / n)
        low, high = accuracy - half, accuracy + half
    else:
        from statsmodels.stats.proportion import proportion_confint

        low, high = proportion_confint(int(correct.sum()), n, alpha=1 - confidence, method="wilson")
    return ConfidenceInterval(accuracy, max(low, 0.0), min(high, 1.0), confidence, method)


@validate_params(
    {"y_true": ["array-like"], "y_pred1": ["array-like"], "y_pred2": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def mcnemar_table(y_true, y_pred1, y_pred2):
    """2x2 contingency table of two classifiers' correct and wrong predictions.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (any number of classes: only correctness counts).
    y_pred1 : array-like of shape (n_samples,)
        Predictions of model 1.
    y_pred2 : array-like of shape (n_samples,)
        Predictions of model 2.

    Returns
    -------
    table : ndarray of shape (2, 2), dtype=int
        ``[[a, b], [c, d]]``: ``a`` both right, ``b`` model 1 right and
        model 2 wrong, ``c`` model 1 wrong and model 2 right, ``d`` both wrong.

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.

    Examples
    --------
    >>> from skpapers.model_selection import mcnemar_table
    >>> mcnemar_table([0, 1, 1, 0, 2], [0, 1, 0, 1, 2], [0, 0, 1, 1, 1])
    array([[1, 2],
           [1, 1]])
    """
    correct = _correctness(y_true, [y_pred1, y_pred2], min_models=2)
    one, two = correct[:, 0], correct[:, 1]
    return np.array(
        [[np.sum(one & two), np.sum(one & ~two)], [np.sum(~one & two), np.sum(~one & ~two)]], dtype=np.int64
    )


def _check_table(table):
    table = np.asarray(table)
    if table.shape != (2, 2):
        raise ValueError(f"table must be a 2x2 array of counts; got shape {table.shape}.")
    if table.dtype.kind not in "biuf":
        raise TypeError(f"table must hold numbers; got dtype {table.dtype}.")
    if not np.all(np.isfinite(table)) or np.any(table < 0) or np.any(table != np.round(table)):
        raise ValueError(f"table must hold non-negative integer counts; got {table.tolist()}.")
    return table.astype(np.int64)


@validate_params(
    {
        "table": ["array-like"],
        "exact": ["boolean", StrOptions({"auto"})],
        "correction": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def mcnemar_test(table, *, exact="auto", correction=True):
    """McNemar's test that two classifiers have the same error rate on one test set.

    Only the discordant counts ``b`` and ``c`` of the table matter. The
    chi-square version uses ``(|b - c| - 1)^2 / (b + c)`` with Edwards'
    continuity correction (``(b - c)^2 / (b + c)`` without), one degree of
    freedom; the exact version is the two-sided binomial test of ``b`` among
    ``b + c`` trials with probability 1/2. Computed by statsmodels.

    Parameters
    ----------
    table : array-like of shape (2, 2)
        Counts as returned by :func:`mcnemar_table`.
    exact : bool or "auto", default="auto"
        Use the exact binomial test. ``"auto"`` uses it when ``b + c < 25``,
        the rule of thumb in the paper's discussion.
    correction : bool, default=True
        Apply the continuity correction (chi-square version only).

    Returns
    -------
    result : TestResult
        ``statistic`` (chi-square, or ``min(b, c)`` for the exact test as in
        statsmodels), ``pvalue``, ``df`` (1, or None for the exact test),
        ``b``, ``c`` and ``method`` (``"exact"`` or ``"chi2"``). With
        ``b + c = 0`` the exact p-value is 1 and the chi-square statistic is
        undefined (NaN, with a RuntimeWarning).

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.
    .. [2] Q. McNemar, "Note on the sampling error of the difference between
       correlated proportions or percentages", Psychometrika 12 (1947) 153-157.

    Examples
    --------
    >>> from skpapers.model_selection import mcnemar_test
    >>> result = mcnemar_test([[9945, 25], [15, 15]])
    >>> round(result.statistic, 3), round(result.pvalue, 6), result.method
    (2.025, 0.154729, 'chi2')
    >>> round(mcnemar_test([[9959, 11], [1, 29]]).pvalue, 7)
    0.0063477
    """
    from statsmodels.stats.contingency_tables import mcnemar

    table = _check_table(table)
    b, c = int(table[0, 1]), int(table[1, 0])
    use_exact = (b + c < 25) if exact == "auto" else bool(exact)
    if use_exact:
        result = mcnemar(table, exact=True)
        return TestResult(result.statistic, min(result.pvalue, 1.0), df=None, b=b, c=c, method="exact")
    if b + c == 0:
        warnings.warn(
            "McNemar's chi-square is undefined when the classifiers never disagree (b + c = 0); "
            "returning NaN. The exact test (exact=True) gives p = 1.",
            RuntimeWarning,
            stacklevel=2,
        )
        return TestResult(np.nan, np.nan, df=1, b=b, c=c, method="chi2")
    result = mcnemar(table, exact=False, correction=correction)
    return TestResult(result.statistic, result.pvalue, df=1, b=b, c=c, method="chi2")


@validate_params({"y_true": ["array-like"]}, prefer_skip_nested_validation=True)
def cochrans_q_test(y_true, *y_preds):
    """Cochran's Q test that M >= 2 classifiers have the same accuracy on one test set.

    ``Q = (M - 1) [M sum_j G_j^2 - T^2] / [M T - sum_i L_i^2]`` with ``G_j``
    the number of samples model ``j`` got right, ``T = sum_j G_j`` and
    ``L_i`` the number of models right on sample ``i``; ``Q`` is
    chi-square with ``M - 1`` degrees of freedom under the null. Computed by
    statsmodels. With two models it equals McNemar's uncorrected statistic.
    When the null is rejected, follow up with pairwise :func:`mcnemar_test`
    and a multiple-comparison correction
    (``statsmodels.stats.multitest.multipletests``).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_preds : array-like of shape (n_samples,), one positional argument per model
        Predictions of each model (at least two).

    Returns
    -------
    result : TestResult
        ``statistic`` (Q), ``pvalue``, ``df`` (M - 1) and ``accuracies``
        (one per model). NaN, with a RuntimeWarning, when every sample is
        classified right by all models or wrong by all models.

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.
    .. [2] W. G. Cochran, "The comparison of percentages in matched samples",
       Biometrika 37 (1950) 256-266.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.model_selection import cochrans_q_test
    >>> y = np.zeros(100, dtype=int)
    >>> pred1, pred2, pred3 = y.copy(), y.copy(), y.copy()
    >>> pred1[:16] = 1
    >>> pred2[:5] = 1; pred2[16:27] = 1
    >>> pred3[:3] = 1; pred3[27:30] = 1
    >>> result = cochrans_q_test(y, pred1, pred2, pred3)
    >>> round(result.statistic, 3), round(result.pvalue, 3), result.df
    (7.407, 0.025, 2)
    """
    from statsmodels.stats.contingency_tables import cochrans_q

    correct = _correctness(y_true, y_preds, min_models=2).astype(np.int64)
    n_models = correct.shape[1]
    row_totals = correct.sum(axis=1)
    accuracies = correct.mean(axis=0)
    if np.all((row_totals == 0) | (row_totals == n_models)):
        warnings.warn(
            "Cochran's Q is undefined when every sample is right for all models or wrong for all "
            "models; returning NaN.",
            RuntimeWarning,
            stacklevel=2,
        )
        return TestResult(np.nan, np.nan, df=n_models - 1, accuracies=accuracies)
    result = cochrans_q(correct)
    return TestResult(result.statistic, result.pvalue, df=int(result.df), accuracies=accuracies)


@validate_params({"y_true": ["array-like"]}, prefer_skip_nested_validation=True)
def ftest_classifiers(y_true, *y_preds):
    """F-test that M >= 2 classifiers have the same accuracy on one test set (Looney, 1988).

    With ``ACC_j`` the accuracy of model ``j``, ``ACC`` their mean and
    ``L_i`` the number of models right on sample ``i``:
    ``SSA = n sum_j ACC_j^2 - n M ACC^2``,
    ``SSB = (1/M) sum_i L_i^2 - M n ACC^2``,
    ``SST = M n ACC (1 - ACC)``, ``SSAB = SST - SSA - SSB`` and
    ``F = [SSA / (M - 1)] / [SSAB / ((M - 1)(n - 1))]`` with
    ``(M - 1, (M - 1)(n - 1))`` degrees of freedom.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_preds : array-like of shape (n_samples,), one positional argument per model
        Predictions of each model (at least two).

    Returns
    -------
    result : TestResult
        ``statistic`` (F), ``pvalue``, ``df`` (a pair) and ``accuracies``.
        NaN, with a RuntimeWarning, when ``SSAB = 0`` (for instance every
        model right on every sample).

    Notes
    -----
    mlxtend 0.25 computes the same F but its p-value uses ``(M - 1) n``
    denominator degrees of freedom; we use Looney's ``(M - 1)(n - 1)``,
    consistent with the mean square in the denominator of F.

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.
    .. [2] S. W. Looney, "A statistical technique for comparing the accuracies
       of several classifiers", Pattern Recognition Letters 8 (1988) 5-9.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.model_selection import ftest_classifiers
    >>> y = np.zeros(100, dtype=int)
    >>> pred1, pred2, pred3 = y.copy(), y.copy(), y.copy()
    >>> pred1[:16] = 1
    >>> pred2[:5] = 1; pred2[16:27] = 1
    >>> pred3[:3] = 1; pred3[27:30] = 1
    >>> result = ftest_classifiers(y, pred1, pred2, pred3)
    >>> round(result.statistic, 3), round(result.pvalue, 3), result.df
    (3.808, 0.024, (2, 198))
    """
    correct = _correctness(y_true, y_preds, min_models=2).astype(np.float64)
    n, n_models = correct.shape
    accuracies = correct.mean(axis=0)
    mean_accuracy = accuracies.mean()
    row_totals = correct.sum(axis=1)
    ssa = n * np.sum(accuracies**2) - n * n_models * mean_accuracy**2
    ssb = np.sum(row_totals**2) / n_models - n_models * n * mean_accuracy**2
    sst = n_models * n * mean_accuracy * (1 - mean_accuracy)
    ssab = sst - ssa - ssb
    df = (n_models - 1, (n_models - 1) * (n - 1))
    # SSAB is a difference of O(n) sums: treat round-off sized values as zero
    if n < 2 or abs(ssab) <= 1e-12 * max(sst, 1.0):
        warnings.warn(
            "The F-test is undefined when the model-by-sample interaction sum of squares is zero "
            "(e.g. all models right on every sample, or n_samples < 2); returning NaN.",
            RuntimeWarning,
            stacklevel=2,
        )
        return TestResult(np.nan, np.nan, df=df, accuracies=accuracies)
    statistic = (ssa / df[0]) / (ssab / df[1])
    return TestResult(statistic, stats.f.sf(statistic, *df), df=df, accuracies=accuracies)


@validate_params(
    {
        "acc1": [Interval(Real, 0, 1, closed="both")],
        "acc2": [Interval(Real, 0, 1, closed="both")],
        "n1": [Interval(Integral, 1, None, closed="left")],
        "n2": [Interval(Integral, 1, None, closed="left"), None],
        "alternative": [StrOptions({"two-sided", "less", "greater"})],
    },
    prefer_skip_nested_validation=True,
)
def proportion_difference_test(acc1, acc2, n1, n2=None, *, alternative="two-sided"):
    """z-test for the difference of two accuracies (proportions).

    ``z = (ACC1 - ACC2) / sqrt(ACC1 (1 - ACC1) / n1 + ACC2 (1 - ACC2) / n2)``.
    The paper shows this test and then discourages it for comparing two
    models on the same test set: the two accuracies are not independent
    (use :func:`mcnemar_test` there).

    Parameters
    ----------
    acc1, acc2 : float
        The two accuracies, in [0, 1].
    n1 : int
        Size of the test set behind ``acc1``.
    n2 : int, default=None
        Size of the test set behind ``acc2``; ``None`` means ``n1``.
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        The alternative hypothesis about ``acc1 - acc2``. mlxtend's
        ``proportion_difference`` returns the ``"less"`` p-value.

    Returns
    -------
    result : TestResult
        ``statistic`` (z), ``pvalue`` and ``alternative``. When both
        accuracies are 0 or 1 the variance is zero: z is NaN (equal
        accuracies) or infinite, with a RuntimeWarning.

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.

    Examples
    --------
    >>> from skpapers.model_selection import proportion_difference_test
    >>> result = proportion_difference_test(0.84, 0.92, n1=100)
    >>> round(result.statistic, 3), round(result.pvalue, 4)
    (-1.754, 0.0794)
    """
    n2 = n1 if n2 is None else n2
    variance = acc1 * (1 - acc1) / n1 + acc2 * (1 - acc2) / n2
    if variance == 0:
        warnings.warn(
            "Both accuracies are 0 or 1: the z statistic has zero variance.", RuntimeWarning, stacklevel=2
        )
        z = np.nan if acc1 == acc2 else np.copysign(np.inf, acc1 - acc2)
    else:
        z = (acc1 - acc2) / np.sqrt(variance)
    if alternative == "two-sided":
        pvalue = 2 * stats.norm.sf(abs(z))
    elif alternative == "less":
        pvalue = stats.norm.cdf(z)
    else:
        pvalue = stats.norm.sf(z)
    return TestResult(z, pvalue, alternative=alternative)
