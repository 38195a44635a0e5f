"""Tests of binary decision sequences for bias (Vidler and Walsh, arXiv:2501.16356).

The paper asks whether a stream of yes/no decisions is balanced, memoryless, as
random as a true random series, and free of negative recency (over-alternation).
The statistics are the standard ones for those properties: exact binomial test,
Anderson-Goodman order test, Wald-Wolfowitz runs test and a run-length trend.
"""

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import special, stats
from sklearn.utils import Bunch
from threadpoolctl import threadpool_limits
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..utils._optim import LogisticLoss, minimize_smooth
from ..utils._results import FieldsTestResult as _TestResult

_ALTERNATIVES = StrOptions({"two-sided", "less", "greater"})


@dataclass(frozen=True, repr=False)
class UniformityResult(_TestResult):
    """Outcome of :func:`binary_uniformity_test`."""

    proportion: float
    confidence_interval: tuple
    n: int


@dataclass(frozen=True, repr=False)
class MarkovOrderResult(_TestResult):
    """Outcome of :func:`markov_order_test`."""

    df: int
    transition_counts: np.ndarray
    transition_matrix: np.ndarray
    delta: float


@dataclass(frozen=True, repr=False)
class RunsResult(_TestResult):
    """Outcome of :func:`runs_test`."""

    n_runs: int
    expected_runs: float
    n1: int
    n0: int


@dataclass(frozen=True, repr=False)
class NegativeRecencyResult(_TestResult):
    """Outcome of :func:`negative_recency_test`."""

    alternation_rate: float
    expected_alternation: float
    switch_profile: np.ndarray
    trend_statistic: float
    trend_pvalue: float


def _to_binary(values, positive_label, name="x"):
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence (or a list of 1-D sequences); got shape {array.shape}.")
    if array.dtype.kind == "f" and np.any(np.isnan(array)):
        raise ValueError(f"{name} contains NaN; a decision sequence must be binary.")
    if array.dtype.kind == "O" and any(v is None or (isinstance(v, float) and np.isnan(v)) for v in array):
        raise ValueError(f"{name} contains missing values; a decision sequence must be binary.")
    labels = np.unique(array)
    if labels.size > 2:
        raise ValueError(f"{name} must be binary; found {labels.size} distinct values {labels[:5].tolist()}.")
    if positive_label is not None:
        return (array == positive_label).astype(np.int64), labels
    if array.dtype.kind == "b":
        return array.astype(np.int64), labels
    if array.dtype.kind in "iuf" and np.all(np.isin(labels, (0, 1))):
        return array.astype(np.int64), labels
    raise ValueError(
        f"{name} has labels {labels.tolist()}, not 0/1 or bool; pass positive_label= to say which is 'yes'."
    )


def _as_sequences(x, positive_label):
    """One or several sequences as a list of int arrays; labels are checked over all of them."""
    several = isinstance(x, (list, tuple)) and len(x) > 0 and all(np.ndim(s) == 1 for s in x)
    raw = list(x) if several else [x]
    labels = set()
    sequences = []
    for index, sequence in enumerate(raw):
        name = f"x[{index}]" if several else "x"
        converted, found = _to_binary(sequence, positive_label, name)
        labels.update(found.tolist())
        sequences.append(converted)
    if len(labels) > 2:
        raise ValueError(f"x must be binary over all sequences; found labels {sorted(labels, key=str)[:5]}.")
    if sum(s.size for s in sequences) < 2:
        raise ValueError("x needs at least 2 decisions.")
    return sequences


def _undefined(name, why):
    warnings.warn(f"{name}: {why}; the statistic is undefined and nan is returned.", RuntimeWarning, stacklevel=3)


@validate_params(
    {
        "x": ["array-like"],
        "p": [Interval(numbers.Real, 0, 1, closed="neither")],
        "method": [StrOptions({"binomial", "chisquare"})],
        "alternative": [_ALTERNATIVES],
        "confidence": [Interval(numbers.Real, 0, 1, closed="neither")],
        "positive_label": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def binary_uniformity_test(x, *, p=0.5, method="binomial", alternative="two-sided", confidence=0.95,
                           positive_label=None):
    """Test whether the share of positive decisions equals ``p``.

    Parameters
    ----------
    x : array-like of shape (n,) or list of such sequences
        Decisions: 0/1, bool, or two labels with ``positive_label``.
    p : float, default=0.5
        Share of positives under the null hypothesis, in (0, 1).
    method : {"binomial", "chisquare"}, default="binomial"
        ``"binomial"``: exact binomial test (:func:`scipy.stats.binomtest`),
        statistic = observed share; ``"chisquare"``: Pearson's chi-square over
        the two cells (df 1), statistic = chi-square (two-sided only).
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        Alternative hypothesis about the share.
    confidence : float, default=0.95
        Level of the Clopper-Pearson confidence interval of the share.
    positive_label : object, default=None
        The label counted as positive when ``x`` is not 0/1 or bool.

    Returns
    -------
    result : UniformityResult
        ``statistic``, ``pvalue``, ``proportion``, ``confidence_interval``
        (low, high) and ``n``.

    References
    ----------
    .. [1] A. Vidler and T. Walsh, "Evaluating Binary Decision Biases in Large
       Language Models: Implications for Fair Agent-Based Financial
       Simulations", arXiv:2501.16356, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.audit import binary_uniformity_test
    >>> x = np.random.default_rng(0).random(1000) < 0.43
    >>> result = binary_uniformity_test(x)
    >>> print(round(result.proportion, 3), f"{result.pvalue:.1e}")
    0.408 6.5e-09
    """
    sequences = _as_sequences(x, positive_label)
    n = int(sum(s.size for s in sequences))
    n1 = int(sum(s.sum() for s in sequences))
    binomial = stats.binomtest(n1, n, p, alternative=alternative)
    interval = binomial.proportion_ci(confidence_level=confidence, method="exact")
    if method == "binomial":
        statistic, pvalue = n1 / n, binomial.pvalue
    else:
        if alternative != "two-sided":
            raise ValueError("method='chisquare' is two-sided; use method='binomial' for a one-sided test.")
        statistic, pvalue = stats.chisquare([n1, n - n1], [n * p, n * (1 - p)])
    return UniformityResult(float(statistic), float(pvalue), n1 / n, (float(interval.low), float(interval.high)), n)


def _context_counts(sequences, order):
    """Counts N[s, j] of next symbol j after context s (oldest symbol = most significant bit)."""
    powers = 2 ** np.arange(order - 1, -1, -1)
    counts = np.zeros(2 ** (order + 1), dtype=np.int64)
    for sequence in sequences:
        if sequence.size <= order:
            continue  # too short to hold one transition; never joined to its neighbour
        windows = np.lib.stride_tricks.sliding_window_view(sequence, order + 1)
        codes = (windows[:, :order] @ powers) * 2 + windows[:, order]
        counts += np.bincount(codes, minlength=counts.size)
    return counts.reshape(2**order, 2)


@validate_params(
    {
        "x": ["array-like"],
        "order": [Interval(numbers.Integral, 1, None, closed="left")],
        "method": [StrOptions({"likelihood_ratio", "pearson"})],
        "positive_label": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def markov_order_test(x, *, order=1, method="likelihood_ratio", positive_label=None):
    """Test whether the next decision depends on the ``order``-th previous one.

    Null hypothesis: the sequence is a Markov chain of order ``order - 1``
    (for ``order=1``: the decisions are independent). With ``N[s, j]`` the
    number of times symbol ``j`` follows the context ``s`` of the last
    ``order`` decisions, the likelihood-ratio statistic is
    ``G2 = 2 sum N[s, j] log(p(j | s) / p(j | s'))``, ``s'`` being the last
    ``order - 1`` symbols of ``s``; it is chi-square with one degree of
    freedom per ``s'`` whose two contexts are both observed (Anderson and
    Goodman, 1957). For ``order=1`` this is the G-test of independence of
    the 2x2 transition table.

    Parameters
    ----------
    x : array-like of shape (n,) or list of such sequences
        Decisions: 0/1, bool, or two labels with ``positive_label``.
        Transitions are counted within each sequence, never across two.
    order : int, default=1
        Order of dependence tested.
    method : {"likelihood_ratio", "pearson"}, default="likelihood_ratio"
        G-squared or Pearson's chi-square (no continuity correction).
    positive_label : object, default=None
        The label coded 1 when ``x`` is not 0/1 or bool.

    Returns
    -------
    result : MarkovOrderResult
        ``statistic``, ``pvalue``, ``df``, ``transition_counts`` (2**order, 2)
        with rows = context (binary code of the last ``order`` decisions,
        oldest first), ``transition_matrix`` (the rows normalised) and
        ``delta`` = P(1 | 1) - P(1 | 0) for ``order=1`` (nan otherwise).
        A constant sequence gives nan with a RuntimeWarning.

    References
    ----------
    .. [1] A. Vidler and T. Walsh, "Evaluating Binary Decision Biases in Large
       Language Models: Implications for Fair Agent-Based Financial
       Simulations", arXiv:2501.16356, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.audit import markov_order_test
    >>> x = [0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1]
    >>> result = markov_order_test(x)
    >>> print(result.transition_counts.tolist(), round(result.delta, 2))
    [[1, 9], [8, 1]] -0.79
    >>> print(f"{result.pvalue:.4f}")
    0.0001
    """
    sequences = _as_sequences(x, positive_label)
    if max(s.size for s in sequences) < order + 2:
        raise ValueError(f"markov_order_test with order={order} needs a sequence of at least {order + 2} decisions.")
    counts = _context_counts(sequences, order)
    context_totals = counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        matrix = counts / context_totals[:, None]
    # contexts s and s + 2**(order-1) share their last order-1 symbols s'
    half = 2 ** (order - 1)
    paired = counts.reshape(2, half, 2)
    pooled = paired.sum(axis=0)
    pooled_rate = pooled / np.maximum(pooled.sum(axis=1, keepdims=True), 1)
    df = int(np.sum((paired.sum(axis=2) > 0).all(axis=0)))
    delta = float(matrix[1, 1] - matrix[0, 1]) if order == 1 else np.nan
    if df == 0:
        _undefined("markov_order_test", "no pair of contexts is observed (constant or too short sequence)")
        return MarkovOrderResult(np.nan, np.nan, 0, counts, matrix, delta)
    expected = paired.sum(axis=2, keepdims=True) * pooled_rate[None, :, :]
    observed = paired.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "likelihood_ratio":
            terms = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
            statistic = 2.0 * terms.sum()
        else:
            statistic = np.where(expected > 0, (observed - expected) ** 2 / expected, 0.0).sum()
    statistic = max(float(statistic), 0.0)
    return MarkovOrderResult(statistic, float(stats.chi2.sf(statistic, df)), df, counts, matrix, delta)


def _runs_pmf(n1, n0):
    """Exact distribution of the number of runs given n1 ones and n0 zeros (support 1..n)."""
    n = n1 + n0
    runs = np.arange(1, n + 1)
    k = runs // 2

    def log_comb(a, b):
        valid = (b >= 0) & (b <= a) & (a >= 0)
        return np.where(valid, special.gammaln(a + 1) - special.gammaln(b + 1) - special.gammaln(a - b + 1), -np.inf)

    log_total = special.gammaln(n + 1) - special.gammaln(n1 + 1) - special.gammaln(n0 + 1)
    even = np.log(2.0) + log_comb(n1 - 1, k - 1) + log_comb(n0 - 1, k - 1)
    odd = np.logaddexp(log_comb(n1 - 1, k - 1) + log_comb(n0 - 1, k), log_comb(n1 - 1, k) + log_comb(n0 - 1, k - 1))
    with np.errstate(invalid="ignore"):
        log_pmf = np.where(runs % 2 == 0, even, odd) - log_total
    pmf = np.exp(log_pmf)
    if n1 == 0 or n0 == 0:
        pmf = (runs == 1).astype(float)
    return pmf


@validate_params(
    {
        "x": ["array-like"],
        "alternative": [_ALTERNATIVES],
        "correction": ["boolean"],
        "method": [StrOptions({"asymptotic", "exact"})],
        "positive_label": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def runs_test(x, *, alternative="two-sided", correction=False, method="asymptotic", positive_label=None):
    """Wald-Wolfowitz runs test of randomness, conditional on the counts of each symbol.

    A run is a maximal block of equal decisions. Given ``n1`` ones and ``n0``
    zeros, the number of runs ``R`` of a random arrangement has mean
    ``2 n1 n0 / n + 1`` and variance ``2 n1 n0 (2 n1 n0 - n) / (n**2 (n - 1))``.
    Too many runs mean over-alternation (``alternative="greater"``), too few
    mean stickiness (``"less"``). Several sequences are tested jointly: the
    runs, means and variances add up.

    Parameters
    ----------
    x : array-like of shape (n,) or list of such sequences
        Decisions: 0/1, bool, or two labels with ``positive_label``.
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        Alternative hypothesis about the number of runs.
    correction : bool, default=False
        Move ``R`` by 0.5 toward its mean before standardising (continuity
        correction; statsmodels applies it automatically when n < 50).
    method : {"asymptotic", "exact"}, default="asymptotic"
        Normal approximation (needs ``n1, n0`` of at least about 10) or the
        exact conditional distribution of ``R``.
    positive_label : object, default=None
        The label coded 1 when ``x`` is not 0/1 or bool.

    Returns
    -------
    result : RunsResult
        ``statistic`` (the z-score, for both methods), ``pvalue``, ``n_runs``,
        ``expected_runs``, ``n1``, ``n0``. A constant sequence gives nan with a
        RuntimeWarning.

    References
    ----------
    .. [1] A. Vidler and T. Walsh, "Evaluating Binary Decision Biases in Large
       Language Models: Implications for Fair Agent-Based Financial
       Simulations", arXiv:2501.16356, 2025.

    Examples
    --------
    >>> from skpapers.audit import runs_test
    >>> result = runs_test([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0], method="exact")
    >>> print(result.n_runs, result.expected_runs, round(result.pvalue, 4))
    12 7.0 0.0043
    """
    sequences = _as_sequences(x, positive_label)
    n1s = np.array([s.sum() for s in sequences], dtype=float)
    ns = np.array([s.size for s in sequences], dtype=float)
    n0s = ns - n1s
    n_runs = int(sum(1 + np.count_nonzero(np.diff(s)) for s in sequences if s.size))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(ns > 0, 2 * n1s * n0s / np.maximum(ns, 1) + 1, 0)
        variances = np.where(ns > 1, 2 * n1s * n0s * (2 * n1s * n0s - ns) / (ns**2 * np.maximum(ns - 1, 1)), 0)
    expected, variance = float(means.sum()), float(variances.sum())
    n1, n0 = int(n1s.sum()), int(n0s.sum())
    if variance <= 0:
        _undefined("runs_test", "every sequence is constant")
        return RunsResult(np.nan, np.nan, n_runs, expected, n1, n0)
    deviation = n_runs - expected
    if correction:
        deviation = np.sign(deviation) * max(abs(deviation) - 0.5, 0.0)
    z = deviation / np.sqrt(variance)
    if method == "asymptotic":
        upper, lower = stats.norm.sf(z), stats.norm.cdf(z)
    else:
        pmf = np.array([1.0])  # distribution of the total number of runs, offset by the number of sequences
        for a, b in zip(n1s.astype(int), n0s.astype(int)):
            if a + b:
                pmf = np.convolve(pmf, _runs_pmf(a, b))
        offset = sum(1 for s in sequences if s.size)
        index = n_runs - offset
        upper, lower = float(pmf[index:].sum()), float(pmf[: index + 1].sum())
    pvalue = {"greater": upper, "less": lower, "two-sided": min(1.0, 2 * min(upper, lower))}[alternative]
    return RunsResult(float(z), float(min(pvalue, 1.0)), n_runs, expected, n1, n0)


def _run_lengths(sequence):
    """Length of the run that ends at t - 1, for t = 1..n-1."""
    change = np.r_[True, sequence[1:] != sequence[:-1]]
    starts = np.flatnonzero(change)
    run_start = starts[np.cumsum(change) - 1]
    return (np.arange(sequence.size) - run_start + 1)[:-1]


def _no_trend(why):
    warnings.warn(f"negative_recency_test: run-length trend undefined, {why}; trend_statistic is nan.",
                  RuntimeWarning, stacklevel=4)
    return np.nan, np.nan


def _trend(run_length, previous, switched):
    """Wald z of the run-length slope in a logistic regression of the switch indicator."""
    design = np.column_stack([run_length, previous]).astype(float)
    if np.ptp(run_length) == 0 or switched.min() == switched.max():
        return _no_trend("every transition has the same run length or the same switch outcome")
    cells, inverse = np.unique(np.column_stack([design, switched]), axis=0, return_inverse=True)
    weights = np.bincount(inverse.ravel()).astype(float)
    datafit = LogisticLoss(cells[:, :2], cells[:, 2], sample_weight=weights)
    # a three-parameter fit: BLAS threads only add overhead (20x on a loaded machine)
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("error")  # a non-existent MLE (separation) shows up as non-convergence
        try:
            fit = minimize_smooth(datafit, np.zeros(3), tol=1e-7, max_iter=500, context="negative_recency_test")
        except Warning:
            fit = None
    if fit is None:
        return _no_trend("the logistic fit has no finite maximum (separation)")
    coef, intercept = datafit.unpack(fit.x)
    full = np.column_stack([np.ones(cells.shape[0]), cells[:, :2]])
    rate = special.expit(full @ np.r_[intercept, coef.ravel()])
    information = (full * (weights * rate * (1 - rate))[:, None]).T @ full
    try:
        covariance = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        return _no_trend("the information matrix is singular")
    if not np.isfinite(covariance[1, 1]) or covariance[1, 1] <= 0 or abs(coef[0, 0]) > 20:
        return _no_trend("the logistic fit has no finite maximum (separation)")
    z = float(coef[0, 0] / np.sqrt(covariance[1, 1]))
    return z, float(stats.norm.sf(z))


@validate_params(
    {
        "x": ["array-like"],
        "max_run_length": [Interval(numbers.Integral, 1, None, closed="left")],
        "positive_label": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def negative_recency_test(x, *, max_run_length=4, positive_label=None):
    """Test for negative recency: too much alternation, growing with the run length.

    Two complementary answers, reported side by side. ``statistic`` and
    ``pvalue`` are the one-sided runs test (``alternative="greater"``): more
    switches than a random arrangement of the same decisions. The trend asks
    whether the chance of switching grows with the length of the current run
    (the gambler's fallacy): ``trend_statistic`` is the Wald z of the slope of
    ``min(run length, max_run_length)`` in a logistic regression of the switch
    indicator on ``[1, min(run length, max_run_length), previous decision]``,
    ``trend_pvalue`` its one-sided (> 0) normal p-value. A chain that switches
    with a constant probability 0.6 over-alternates without a trend.

    Parameters
    ----------
    x : array-like of shape (n,) or list of such sequences
        Decisions: 0/1, bool, or two labels with ``positive_label``.
    max_run_length : int, default=4
        Run lengths above this are pooled with it.
    positive_label : object, default=None
        The label coded 1 when ``x`` is not 0/1 or bool.

    Returns
    -------
    result : NegativeRecencyResult
        ``statistic`` (runs z), ``pvalue``, ``alternation_rate`` (switches per
        transition), ``expected_alternation`` (its mean under random
        arrangement, ``2 n1 n0 / (n (n - 1))`` for one sequence),
        ``switch_profile`` (structured array with fields ``run_length``,
        ``previous``, ``n``, ``switches``, ``rate``), ``trend_statistic`` and
        ``trend_pvalue`` (nan when the logistic fit has no finite maximum).

    References
    ----------
    .. [1] A. Vidler and T. Walsh, "Evaluating Binary Decision Biases in Large
       Language Models: Implications for Fair Agent-Based Financial
       Simulations", arXiv:2501.16356, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.audit import negative_recency_test
    >>> rng = np.random.default_rng(0)
    >>> switches = rng.random(999) < 0.6
    >>> x = np.r_[0, np.cumsum(switches) % 2]
    >>> result = negative_recency_test(x)
    >>> print(round(result.alternation_rate, 2), round(result.expected_alternation, 2))
    0.6 0.5
    >>> print(result.pvalue < 1e-6, result.trend_pvalue > 0.01)
    True True
    """
    sequences = _as_sequences(x, positive_label)
    runs = runs_test(sequences, alternative="greater")
    transitions = sum(max(s.size - 1, 0) for s in sequences)
    if transitions == 0:
        raise ValueError("x needs at least one sequence of 2 or more decisions.")
    lengths, previous, switched = [], [], []
    for s in sequences:
        if s.size > 1:
            lengths.append(np.minimum(_run_lengths(s), max_run_length))
            previous.append(s[:-1])
            switched.append((s[1:] != s[:-1]).astype(np.int64))
    lengths, previous, switched = np.concatenate(lengths), np.concatenate(previous), np.concatenate(switched)
    expected = sum(2 * s.sum() * (s.size - s.sum()) / s.size for s in sequences if s.size > 1) / transitions
    profile = np.zeros(2 * max_run_length, dtype=[("run_length", "i8"), ("previous", "i8"), ("n", "i8"),
                                                   ("switches", "i8"), ("rate", "f8")])
    cell = (lengths - 1) * 2 + previous
    profile["run_length"] = np.repeat(np.arange(1, max_run_length + 1), 2)
    profile["previous"] = np.tile([0, 1], max_run_length)
    profile["n"] = np.bincount(cell, minlength=profile.size)
    profile["switches"] = np.bincount(cell, weights=switched, minlength=profile.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        profile["rate"] = profile["switches"] / profile["n"]
    trend_z, trend_p = _trend(lengths, previous, switched)
    return NegativeRecencyResult(runs.statistic, runs.pvalue, switched.sum() / transitions, float(expected),
                                 profile, trend_z, trend_p)


@validate_params(
    {
        "x": ["array-like"],
        "p": [Interval(numbers.Real, 0, 1, closed="neither")],
        "order": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_run_length": [Interval(numbers.Integral, 1, None, closed="left")],
        "positive_label": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def audit_binary_sequence(x, *, p=0.5, order=1, max_run_length=4, positive_label=None):
    """Run the four bias tests on a binary decision sequence.

    Balance (:func:`binary_uniformity_test`), memory
    (:func:`markov_order_test`), randomness (:func:`runs_test`, two-sided) and
    negative recency (:func:`negative_recency_test`), as in the paper's
    table of properties.

    Parameters
    ----------
    x : array-like of shape (n,) or list of such sequences
        Decisions: 0/1, bool, or two labels with ``positive_label``.
    p : float, default=0.5
        Share of positives under the uniformity null.
    order : int, default=1
        Order of the Markov test.
    max_run_length : int, default=4
        Run-length cap of the negative-recency profile.
    positive_label : object, default=None
        The label coded 1 when ``x`` is not 0/1 or bool.

    Returns
    -------
    results : Bunch
        ``uniformity``, ``markov``, ``runs`` and ``negative_recency`` results.

    References
    ----------
    .. [1] A. Vidler and T. Walsh, "Evaluating Binary Decision Biases in Large
       Language Models: Implications for Fair Agent-Based Financial
       Simulations", arXiv:2501.16356, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.audit import audit_binary_sequence
    >>> answers = np.where(np.random.default_rng(1).random(1000) < 0.43, "yes", "no")
    >>> audit = audit_binary_sequence(answers, positive_label="yes")
    >>> print(round(audit.uniformity.proportion, 3), audit.uniformity.pvalue < 1e-3)
    0.441 True
    >>> print(round(audit.markov.pvalue, 2), round(audit.runs.pvalue, 2))
    0.39 0.41
    """
    sequences = _as_sequences(x, positive_label)
    markov = markov_order_test(sequences, order=order)
    runs = runs_test(sequences)
    recency = negative_recency_test(sequences, max_run_length=max_run_length)
    return Bunch(
        uniformity=binary_uniformity_test(sequences, p=p), markov=markov, runs=runs, negative_recency=recency
    )

