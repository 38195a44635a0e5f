"""Holdout tests on predictions: mlxtend, statsmodels, scipy and closed forms as oracles."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mlxtend import evaluate as mlx
from scipy import stats
from statsmodels.stats.contingency_tables import cochrans_q as sm_cochrans_q
from statsmodels.stats.proportion import proportion_confint

from skpapers.model_selection import (
    accuracy_confidence_interval,
    cochrans_q_test,
    ftest_classifiers,
    mcnemar_table,
    mcnemar_test,
    proportion_difference_test,
)


def _predictions(n=300, n_models=3, n_classes=3, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(n_classes, size=n)
    preds = []
    for error_rate in np.linspace(0.1, 0.3, n_models):
        pred = y.copy()
        wrong = rng.rand(n) < error_rate
        pred[wrong] = (y[wrong] + 1 + rng.randint(n_classes - 1, size=wrong.sum())) % n_classes
        preds.append(pred)
    return y, preds


# ---------------------------------------------------------------- accuracy CI
def test_normal_interval_is_the_closed_form_and_statsmodels():
    y, (pred, *_) = _predictions()
    ci = accuracy_confidence_interval(y, pred, confidence=0.9)
    acc = np.mean(y == pred)
    half = stats.norm.ppf(0.95) * np.sqrt(acc * (1 - acc) / y.size)
    assert ci.estimate == acc
    np.testing.assert_allclose([ci.low, ci.high], [acc - half, acc + half], rtol=1e-13)
    np.testing.assert_allclose(tuple(ci), proportion_confint(int((y == pred).sum()), y.size, 0.1, "normal"))


def test_wilson_interval_matches_its_formula():
    y = np.r_[np.ones(18), np.zeros(2)]
    pred = np.ones(20)
    ci = accuracy_confidence_interval(y, pred, method="wilson")
    p, n, z = 0.9, 20, stats.norm.ppf(0.975)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    np.testing.assert_allclose([ci.low, ci.high], [centre - half, centre + half], rtol=1e-10)
    # the normal interval would exceed 1 here only if not clipped; Wilson stays inside by construction
    assert accuracy_confidence_interval(np.ones(5), np.ones(5)).high == 1.0


# ---------------------------------------------------------------- McNemar
def test_mcnemar_table_matches_mlxtend():
    y, (p1, p2, _) = _predictions()
    table = mcnemar_table(y, p1, p2)
    np.testing.assert_array_equal(table, mlx.mcnemar_table(y, p1, p2))
    assert table.sum() == y.size and table.dtype.kind == "i"


@pytest.mark.parametrize("table", [[[9945, 25], [15, 15]], [[100, 30], [12, 40]], [[5, 40], [41, 3]]])
@pytest.mark.parametrize("correction", [True, False])
def test_mcnemar_chi2_matches_mlxtend(table, correction):
    ours = mcnemar_test(table, exact=False, correction=correction)
    chi2, p = mlx.mcnemar(np.array(table), corrected=correction, exact=False)
    assert abs(ours.statistic - chi2) <= 1e-12 and abs(ours.pvalue - p) <= 1e-12
    assert ours.method == "chi2" and ours.df == 1


def test_mcnemar_docs_numbers_and_exact_binomial():
    result = mcnemar_test([[9945, 25], [15, 15]])
    assert result.statistic == pytest.approx(2.025) and result.pvalue == pytest.approx(0.154729, abs=1e-6)
    exact = mcnemar_test([[9959, 11], [1, 29]])  # b + c = 12 < 25: exact
    assert exact.method == "exact" and exact.statistic == 1
    assert exact.pvalue == pytest.approx(stats.binomtest(11, 12, 0.5).pvalue, abs=1e-15)
    assert exact.pvalue == pytest.approx(mlx.mcnemar(np.array([[9959, 11], [1, 29]]), exact=True)[1], abs=1e-15)
    assert exact.pvalue == pytest.approx(0.0063477, abs=1e-7)
    # b + c = 25 is not below the threshold: chi-square
    assert mcnemar_test([[0, 13], [12, 0]]).method == "chi2"


def test_mcnemar_without_disagreement():
    assert mcnemar_test([[10, 0], [0, 5]]).pvalue == 1.0
    with pytest.warns(RuntimeWarning, match="b \\+ c = 0"):
        result = mcnemar_test([[10, 0], [0, 5]], exact=False)
    assert np.isnan(result.statistic) and np.isnan(result.pvalue)


@pytest.mark.parametrize(
    "table, error",
    [([[1, 2, 3], [4, 5, 6]], "2x2"), ([1, 2, 3, 4], "2x2"), ([[1, -2], [3, 4]], "non-negative"),
     ([[1, 2.5], [3, 4]], "integer"), ([[1, np.nan], [3, 4]], "integer")],
)
def test_mcnemar_bad_tables(table, error):
    with pytest.raises(ValueError, match=error):
        mcnemar_test(table)


def test_mcnemar_bad_options():
    with pytest.raises(ValueError, match="exact"):
        mcnemar_test([[1, 2], [3, 4]], exact="yes")
    with pytest.raises(TypeError, match="table"):
        mcnemar_test([["a", "b"], ["c", "d"]])


# ---------------------------------------------------------------- Cochran's Q and F-test
def test_cochrans_q_matches_mlxtend_statsmodels_and_formula():
    y, preds = _predictions(n_models=4)
    ours = cochrans_q_test(y, *preds)
    q, p = mlx.cochrans_q(y, *preds)
    assert abs(ours.statistic - q) <= 1e-12 and abs(ours.pvalue - p) <= 1e-12 and ours.df == 3
    correct = np.column_stack([y == pred for pred in preds]).astype(float)
    m, g, rows = correct.shape[1], correct.sum(axis=0), correct.sum(axis=1)
    formula = (m - 1) * (m * np.sum(g**2) - g.sum() ** 2) / (m * g.sum() - np.sum(rows**2))
    assert ours.statistic == pytest.approx(formula, rel=1e-12)
    assert ours.statistic == pytest.approx(sm_cochrans_q(correct).statistic, rel=1e-12)
    np.testing.assert_allclose(ours.accuracies, correct.mean(axis=0))


def test_cochrans_q_with_two_models_is_uncorrected_mcnemar():
    y, (p1, p2, _) = _predictions()
    q = cochrans_q_test(y, p1, p2)
    mc = mcnemar_test(mcnemar_table(y, p1, p2), exact=False, correction=False)
    assert q.statistic == pytest.approx(mc.statistic, rel=1e-12) and q.pvalue == pytest.approx(mc.pvalue, rel=1e-12)


def test_ftest_statistic_matches_mlxtend_and_pvalue_uses_looney_df():
    y, preds = _predictions(n_models=4)
    ours = ftest_classifiers(y, *preds)
    f, _ = mlx.ftest(y, *preds)
    assert abs(ours.statistic - f) <= 1e-10 * f
    n, m = y.size, len(preds)
    assert ours.df == (m - 1, (m - 1) * (n - 1))
    assert ours.pvalue == pytest.approx(stats.f.sf(f, m - 1, (m - 1) * (n - 1)), rel=1e-12)


def test_ftest_equals_anova_closed_form():
    # Looney's F is the two-way (model x sample) ANOVA F for models on 0/1 responses
    y, preds = _predictions(n=60, n_models=3, seed=3)
    c = np.column_stack([y == p for p in preds]).astype(float)
    n, m = c.shape
    grand = c.mean()
    ssa = n * np.sum((c.mean(axis=0) - grand) ** 2)
    ssb = m * np.sum((c.mean(axis=1) - grand) ** 2)
    ssab = np.sum((c - grand) ** 2) - ssa - ssb
    expected = (ssa / (m - 1)) / (ssab / ((m - 1) * (n - 1)))
    assert ftest_classifiers(y, *preds).statistic == pytest.approx(expected, rel=1e-12)


def test_all_correct_gives_nan_with_warning():
    y = np.arange(10) % 2
    with pytest.warns(RuntimeWarning, match="undefined"):
        q = cochrans_q_test(y, y, y)
    with pytest.warns(RuntimeWarning, match="undefined"):
        f = ftest_classifiers(y, y, y)
    assert np.isnan(q.statistic) and np.isnan(q.pvalue) and np.isnan(f.statistic) and np.isnan(f.pvalue)


@pytest.mark.parametrize("func", [cochrans_q_test, ftest_classifiers])
def test_multi_model_bad_input(func):
    y, (p1, p2, _) = _predictions()
    with pytest.raises(ValueError, match="at least 2"):
        func(y, p1)
    with pytest.raises(ValueError, match="same length"):
        func(y, p1, p2[:-1])
    with pytest.raises(ValueError, match="NaN"):
        func(np.r_[np.nan, y[1:]], p1, p2)
    with pytest.raises(ValueError, match="empty"):
        func([], [], [])


def test_multiclass_string_labels_count_only_correctness():
    y = np.array(["a", "b", "c", "a"])
    table = mcnemar_table(y, ["a", "b", "a", "b"], ["a", "c", "c", "a"])
    np.testing.assert_array_equal(table, [[1, 1], [2, 0]])  # by hand: TT, TF, FT, FT
    with pytest.raises(ValueError, match="same length"):
        mcnemar_table(y, y, y[:3])


# ---------------------------------------------------------------- difference of proportions
def test_proportion_difference_docs_numbers_and_mlxtend():
    two = proportion_difference_test(0.84, 0.92, 100)
    assert two.statistic == pytest.approx(-1.754, abs=5e-4) and two.pvalue == pytest.approx(0.0794, abs=5e-5)
    z, p = mlx.proportion_difference(0.84, 0.92, 100, 120)
    less = proportion_difference_test(0.84, 0.92, 100, 120, alternative="less")
    assert abs(less.statistic - z) <= 1e-12 and abs(less.pvalue - p) <= 1e-12
    greater = proportion_difference_test(0.84, 0.92, 100, 120, alternative="greater")
    assert greater.pvalue == pytest.approx(1 - p, rel=1e-12)
    statistic, pvalue = two  # unpacks like scipy results
    assert pvalue == two.pvalue


def test_proportion_difference_bad_input_and_zero_variance():
    with pytest.raises(ValueError, match="acc1"):
        proportion_difference_test(1.2, 0.5, 10)
    with pytest.raises(ValueError, match="n1"):
        proportion_difference_test(0.5, 0.5, 0)
    with pytest.raises(ValueError, match="alternative"):
        proportion_difference_test(0.5, 0.5, 10, alternative="both")
    with pytest.warns(RuntimeWarning, match="zero variance"):
        result = proportion_difference_test(1.0, 1.0, 10)
    assert np.isnan(result.statistic)


def test_accuracy_interval_bad_input():
    with pytest.raises(ValueError, match="same length"):
        accuracy_confidence_interval([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="confidence"):
        accuracy_confidence_interval([0, 1], [0, 1], confidence=95)
    with pytest.raises(ValueError, match="method"):
        accuracy_confidence_interval([0, 1], [0, 1], method="exact")
    with pytest.raises(ValueError, match="NaN"):
        accuracy_confidence_interval([0.0, np.inf], [0, 1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=60))
def test_mcnemar_table_properties(rows):
    y, p1, p2 = (np.array(column) for column in zip(*rows))
    table = mcnemar_table(y, p1, p2)
    assert table.sum() == len(rows)
    np.testing.assert_array_equal(mcnemar_table(y, p2, p1), table.T)  # swapping the models swaps b and c
    permutation = np.random.RandomState(len(rows)).permutation(len(rows))
    np.testing.assert_array_equal(mcnemar_table(y[permutation], p1[permutation], p2[permutation]), table)
    # McNemar is symmetric in the two models
    assert mcnemar_test(table).pvalue == mcnemar_test(table.T).pvalue
