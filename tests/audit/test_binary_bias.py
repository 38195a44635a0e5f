"""Binary decision bias tests: scipy/statsmodels oracles, brute-force enumeration, size, bad input."""

import itertools

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.sandbox.stats.runs import runstest_1samp
from statsmodels.stats.proportion import proportion_confint

from skpapers.audit import (
    audit_binary_sequence,
    binary_uniformity_test,
    markov_order_test,
    negative_recency_test,
    runs_test,
)


def _markov_chain(rng, n, switch):
    return np.r_[0, np.cumsum(rng.random(n - 1) < switch) % 2]


def _gamblers_fallacy(rng, n):
    x, run = np.empty(n, dtype=int), 1
    x[0] = 0
    for t in range(1, n):
        switch = rng.random() < min(0.9, 0.3 + 0.15 * run)
        x[t] = 1 - x[t - 1] if switch else x[t - 1]
        run = 1 if switch else run + 1
    return x


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_uniformity_matches_scipy_binomtest_and_statsmodels_interval(alternative):
    x = np.random.default_rng(0).random(300) < 0.45
    ours = binary_uniformity_test(x, p=0.5, alternative=alternative)
    peer = stats.binomtest(int(x.sum()), 300, 0.5, alternative=alternative)
    assert ours.pvalue == pytest.approx(peer.pvalue, rel=1e-12)
    assert ours.proportion == pytest.approx(x.mean()) and ours.n == 300
    if alternative == "two-sided":
        low, high = proportion_confint(int(x.sum()), 300, alpha=0.05, method="beta")
        np.testing.assert_allclose(ours.confidence_interval, (low, high), rtol=1e-8)
    chi = binary_uniformity_test(x, p=0.3, method="chisquare") if alternative == "two-sided" else None
    if chi is not None:
        peer_chi = stats.chisquare([x.sum(), 300 - x.sum()], [90, 210])
        assert chi.statistic == pytest.approx(peer_chi.statistic) and chi.pvalue == pytest.approx(peer_chi.pvalue)


@pytest.mark.parametrize("method, lambda_", [("likelihood_ratio", "log-likelihood"), ("pearson", "pearson")])
def test_order_one_matches_chi2_contingency(method, lambda_):
    x = _markov_chain(np.random.default_rng(1), 400, 0.55)
    ours = markov_order_test(x, method=method)
    table = np.array([[np.sum((x[:-1] == a) & (x[1:] == b)) for b in (0, 1)] for a in (0, 1)])
    statistic, pvalue, dof, _ = stats.chi2_contingency(table, correction=False, lambda_=lambda_)
    np.testing.assert_array_equal(ours.transition_counts, table)
    assert ours.statistic == pytest.approx(statistic, rel=1e-10) and ours.pvalue == pytest.approx(pvalue, rel=1e-8)
    assert ours.df == dof == 1
    assert ours.delta == pytest.approx(table[1, 1] / table[1].sum() - table[0, 1] / table[0].sum())


def test_order_two_is_the_sum_of_stratified_g_tests():
    x = (np.random.default_rng(2).random(500) < 0.5).astype(int)
    ours = markov_order_test(x, order=2)
    total = 0.0
    for last in (0, 1):  # s' = x_{t-1}; the two contexts differ in x_{t-2}
        rows = [[np.sum((x[:-2] == first) & (x[1:-1] == last) & (x[2:] == b)) for b in (0, 1)] for first in (0, 1)]
        total += stats.chi2_contingency(np.array(rows), correction=False, lambda_="log-likelihood")[0]
    assert ours.df == 2 and ours.statistic == pytest.approx(total, rel=1e-10)


def test_several_sequences_never_join_at_the_boundary():
    a, b = np.array([0, 0, 0, 1]), np.array([1, 1, 0])
    joint = markov_order_test([a, b])
    np.testing.assert_array_equal(joint.transition_counts, [[2, 1], [1, 1]])
    runs = runs_test([a, b])
    assert runs.n_runs == 2 + 2


@pytest.mark.parametrize("seed", range(4))
def test_runs_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    x = (rng.random(200) < 0.4).astype(int)
    ours = runs_test(x)
    z, pvalue = runstest_1samp(x, cutoff=0.5, correction=False)
    assert ours.statistic == pytest.approx(z, rel=1e-10) and ours.pvalue == pytest.approx(pvalue, rel=1e-10)
    small = x[:40]
    z, pvalue = runstest_1samp(small, cutoff=0.5, correction=True)  # statsmodels corrects when n < 50
    corrected = runs_test(small, correction=True)
    assert corrected.statistic == pytest.approx(z, rel=1e-10) and corrected.pvalue == pytest.approx(pvalue)


def test_exact_runs_distribution_matches_enumeration():
    n1, n0 = 5, 4
    runs = []
    for ones in itertools.combinations(range(9), n1):
        x = np.zeros(9, dtype=int)
        x[list(ones)] = 1
        runs.append(1 + np.count_nonzero(np.diff(x)))
    runs = np.array(runs)
    for sequence in ([1, 1, 1, 1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 1, 0, 1, 0, 1], [1, 1, 0, 1, 0, 0, 1, 0, 1]):
        r = 1 + np.count_nonzero(np.diff(sequence))
        for alternative, expected in [("greater", np.mean(runs >= r)), ("less", np.mean(runs <= r))]:
            assert runs_test(sequence, method="exact", alternative=alternative).pvalue == pytest.approx(expected)
    x = (np.random.default_rng(5).random(2000) < 0.5).astype(int)
    assert runs_test(x, method="exact").pvalue == pytest.approx(runs_test(x).pvalue, abs=0.02)


def test_trend_matches_statsmodels_logit_and_profile_counts():
    x = _gamblers_fallacy(np.random.default_rng(3), 600)
    result = negative_recency_test(x, max_run_length=4)
    lengths, previous, switched = [], [], []
    run = 1
    for t in range(1, x.size):  # plain loop: an independent count of the profile
        lengths.append(min(run, 4))
        previous.append(x[t - 1])
        switched.append(int(x[t] != x[t - 1]))
        run = 1 if x[t] != x[t - 1] else run + 1
    lengths, previous, switched = map(np.array, (lengths, previous, switched))
    for row in result.switch_profile:
        mask = (lengths == row["run_length"]) & (previous == row["previous"])
        assert row["n"] == mask.sum() and row["switches"] == switched[mask].sum()
    logit = sm.Logit(switched, sm.add_constant(np.column_stack([lengths, previous]))).fit(disp=0)
    assert result.trend_statistic == pytest.approx(logit.tvalues[1], rel=1e-4)
    assert result.alternation_rate == pytest.approx(switched.mean())
    n1 = x.sum()
    assert result.expected_alternation == pytest.approx(2 * n1 * (x.size - n1) / (x.size * (x.size - 1)))


def test_constant_switch_chain_over_alternates_without_trend():
    x = _markov_chain(np.random.default_rng(4), 1000, 0.6)
    result = negative_recency_test(x)
    assert result.statistic > 4 and result.pvalue < 1e-4
    assert abs(result.trend_statistic) < 2.5


def test_size_under_a_fair_coin():
    rng = np.random.default_rng(6)
    pvalues = []
    for _ in range(200):
        audit = audit_binary_sequence(rng.random(300) < 0.5)
        pvalues.append([audit.uniformity.pvalue, audit.markov.pvalue, audit.runs.pvalue,
                        audit.negative_recency.pvalue, audit.negative_recency.trend_pvalue])
    rejection = np.mean(np.array(pvalues) < 0.05, axis=0)
    # Bin(200, 0.05) lies in [3, 19] with probability > 0.99; the binomial test is conservative (discrete)
    assert np.all(rejection <= 19 / 200), rejection
    assert np.all(rejection[1:] >= 3 / 200), rejection


def test_labels_and_constant_sequences():
    answers = np.array(["yes", "no", "yes", "yes", "no", "yes"])
    coded = (answers == "yes").astype(int)
    assert runs_test(answers, positive_label="yes").pvalue == runs_test(coded).pvalue
    with pytest.raises(ValueError, match="positive_label"):
        runs_test(answers)
    constant = np.ones(20, dtype=int)
    with pytest.warns(RuntimeWarning, match="undefined"):
        assert np.isnan(runs_test(constant).statistic)
    with pytest.warns(RuntimeWarning, match="undefined"):
        assert np.isnan(markov_order_test(constant).pvalue)
    assert binary_uniformity_test(constant).pvalue == pytest.approx(2 * 0.5**20)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: runs_test([0, 1, 2, 1]), "binary"),
        (lambda: runs_test([0.0, np.nan, 1.0]), "NaN"),
        (lambda: runs_test([1]), "at least 2"),
        (lambda: markov_order_test([0, 1, 0], order=2), "at least 4"),
        (lambda: markov_order_test([0, 1, 0, 1], order=0), "order"),
        (lambda: binary_uniformity_test([0, 1], p=1.0), "p"),
        (lambda: binary_uniformity_test([0, 1, 1], method="chisquare", alternative="less"), "two-sided"),
        (lambda: negative_recency_test([0, 1, 0], max_run_length=0), "max_run_length"),
        (lambda: runs_test([0, 1, 1], alternative="bigger"), "alternative"),
        (lambda: runs_test([[0, 1], [2, 3]]), "x\\[1\\] has labels"),
        (lambda: runs_test([[0, 1], [2, 3]], positive_label=1), "binary over all sequences"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_trend_undefined_warns():
    # strict alternation: every transition switches, so the trend has nothing to explain
    with pytest.warns(RuntimeWarning, match="trend undefined"):
        result = negative_recency_test(np.tile([0, 1], 50))
    assert np.isnan(result.trend_statistic) and np.isnan(result.trend_pvalue)
    assert result.alternation_rate == 1.0 and result.pvalue < 1e-10
