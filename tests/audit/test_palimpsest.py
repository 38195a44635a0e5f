"""Palimpsest provenance tests: scipy oracles, exhaustive permutations, SGD order, bad input."""

import copy
import itertools

import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression, SGDClassifier
from sklearn.metrics import log_loss
from sklearn.svm import LinearSVC

from skpapers.audit import (
    palimpsest_provenance_test,
    palimpsest_query_test,
    palimpsest_reshuffle_test,
    per_sample_log_loss,
)


def test_asymptotic_matches_scipy_spearmanr_with_ties_and_reference():
    rng = np.random.default_rng(0)
    order = rng.integers(0, 40, size=200).astype(float)  # timestamps with ties
    scores, reference = rng.normal(size=200), rng.normal(size=200)
    for alternative in ("two-sided", "less", "greater"):
        ours = palimpsest_query_test(scores, order, reference_scores=reference, alternative=alternative)
        peer = stats.spearmanr(order, scores - reference, alternative=alternative)
        assert ours.statistic == pytest.approx(peer.statistic, abs=1e-12)
        assert ours.pvalue == pytest.approx(peer.pvalue, rel=1e-10)
        assert ours.n_samples == 200 and ours.alternative == alternative


def test_permutation_is_exact_for_small_n():
    rng = np.random.default_rng(1)
    order, scores = np.arange(7), rng.normal(size=7)
    ours = palimpsest_query_test(scores, order, method="permutation", alternative="less")
    rho = stats.spearmanr(order, scores).statistic
    # independent oracle: all 7! pairings enumerated
    pairings = np.array(list(itertools.permutations(range(7))), dtype=float)
    centred = pairings - 3.0
    score_ranks = stats.rankdata(scores) - 4.0
    null = centred @ score_ranks / np.sqrt((centred**2).sum(axis=1) * (score_ranks**2).sum())
    assert ours.statistic == pytest.approx(rho)
    assert ours.pvalue == pytest.approx(np.mean(null <= rho + 1e-12), abs=1e-12)


def test_sign_convention_negative_is_palimpsest():
    rng = np.random.default_rng(2)
    order = rng.permutation(300)
    scores = -0.01 * order + rng.normal(size=300)
    less = palimpsest_query_test(scores, order, alternative="less")
    greater = palimpsest_query_test(scores, order, alternative="greater")
    assert less.statistic < 0 and less.pvalue < 1e-6 and greater.pvalue > 0.99
    statistic, pvalue = less  # unpacks like scipy
    assert (statistic, pvalue) == (less.statistic, less.pvalue)


@pytest.mark.parametrize(
    "scores, order, match",
    [
        ([1.0, 2.0, 3.0], [0, 1], "must match"),
        ([1.0, 2.0], [0, 1], "at least 3"),
        ([1.0, np.nan, 3.0], [0, 1, 2], "scores contains NaN"),
        ([1.0, np.inf, 3.0], [0, 1, 2], "scores contains NaN or infinite"),
        ([1.0, 2.0, 3.0], [0, np.nan, 2], "training_order contains NaN"),
        ([1.0, 1.0, 1.0], [0, 1, 2], "constant"),
        ([[1.0, 2.0, 3.0]], [0, 1, 2], "1-D"),
    ],
)
def test_bad_input_raises(scores, order, match):
    with pytest.raises(ValueError, match=match):
        palimpsest_query_test(scores, order)


def test_bad_parameters_raise():
    with pytest.raises(ValueError, match="alternative"):
        palimpsest_query_test([1, 2, 3], [0, 1, 2], alternative="smaller")
    with pytest.raises(ValueError, match="method"):
        palimpsest_query_test([1, 2, 3], [0, 1, 2], method="exact")
    with pytest.raises(ValueError, match="reference_scores"):
        palimpsest_query_test([1, 2, 3], [0, 1, 2], reference_scores=[1, 2])


def test_per_sample_log_loss_matches_sklearn_log_loss():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(100, 3))
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, 100)]
    model = LogisticRegression().fit(X, y)
    losses = per_sample_log_loss(model, X, y)
    assert losses.shape == (100,)
    assert losses.mean() == pytest.approx(log_loss(y, model.predict_proba(X), labels=model.classes_))
    regressor = LinearRegression().fit(X, X[:, 0])
    target = X[:, 0] + 1.0
    np.testing.assert_allclose(per_sample_log_loss(regressor, X, target), (target - regressor.predict(X)) ** 2)


def test_per_sample_log_loss_bad_input():
    X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    with pytest.raises(TypeError, match="predict_proba"):
        per_sample_log_loss(LinearSVC().fit(X, y), X, y)
    with pytest.raises(NotFittedError):
        per_sample_log_loss(LogisticRegression(), X, y)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="not fitted on"):
        per_sample_log_loss(model, X, np.array([0, 0, 1, 2]))
    with pytest.raises(ValueError, match="rows"):
        per_sample_log_loss(model, X, y[:3])
    # a confident mistake is large but finite
    assert np.all(np.isfinite(per_sample_log_loss(model, np.array([[1e6]]), np.array([0]))))


def _alice_data(seed, n=2000, d=100):
    rng = np.random.default_rng(seed)
    beta = rng.normal(0, np.sqrt(4 / d), d)
    X = rng.normal(size=(n, d))
    y = (rng.random(n) < 1 / (1 + np.exp(-X @ beta))).astype(int)
    order = rng.permutation(n)
    step = np.empty(n)
    step[order] = np.arange(n)
    return rng, X, y, order, step


def test_shuffle_inside_partial_fit_destroys_the_order():
    """Documented behaviour: with shuffle=True SGD does not see rows in the recorded order."""
    rng, X, y, order, step = _alice_data(4)
    sgd = SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.01, alpha=1e-5, random_state=0)
    other = rng.permutation(X.shape[0])
    reference = clone(sgd).set_params(shuffle=False).partial_fit(X[other], y[other], classes=[0, 1])
    kept = clone(sgd).set_params(shuffle=False).partial_fit(X[order], y[order], classes=[0, 1])
    shuffled = clone(sgd).set_params(shuffle=True).partial_fit(X[order], y[order], classes=[0, 1])
    kept_result = palimpsest_provenance_test(kept, X, y, step, reference=reference, alternative="less")
    shuffled_result = palimpsest_provenance_test(shuffled, X, y, step, reference=reference, alternative="less")
    assert kept_result.pvalue < 1e-4
    assert shuffled_result.pvalue > 0.01
    permutation = palimpsest_provenance_test(kept, X, y, step, reference=reference, alternative="less",
                                             method="permutation", n_resamples=999, random_state=0)
    assert permutation.pvalue == pytest.approx(1 / 1000)


def test_reshuffle_statistic_and_exact_pvalue():
    rng, X, y, order, _ = _alice_data(5, n=600, d=10)
    X, y = X[order], y[order]
    checkpoint = SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.01, shuffle=False,
                               random_state=0).partial_fit(
        X[:500], y[:500], classes=[0, 1]
    )
    coef_before = checkpoint.coef_.copy()
    X_query = rng.normal(size=(100, 10))
    y_query = rng.integers(0, 2, 100)
    result = palimpsest_reshuffle_test(checkpoint, X[500:], y[500:], X_query, y_query, n_reshuffles=19,
                                       random_state=0)
    np.testing.assert_array_equal(checkpoint.coef_, coef_before)  # the checkpoint is not modified
    real = copy.deepcopy(checkpoint).partial_fit(X[500:], y[500:])
    expected = np.sum(np.log(real.predict_proba(X_query)[np.arange(100), y_query]))
    assert result.statistic == pytest.approx(expected)
    assert result.null_statistics.shape == (19,)
    assert result.pvalue == pytest.approx((1 + np.sum(result.null_statistics >= result.statistic)) / 20)
    less = palimpsest_reshuffle_test(checkpoint, X[500:], y[500:], X_query, y_query, n_reshuffles=19,
                                     alternative="less", random_state=0)
    assert less.pvalue == pytest.approx((1 + np.sum(less.null_statistics <= less.statistic)) / 20)
    again = palimpsest_reshuffle_test(checkpoint, X[500:], y[500:], X_query, y_query, n_reshuffles=19,
                                      random_state=0)
    np.testing.assert_array_equal(again.null_statistics, result.null_statistics)


def test_reshuffle_bad_input():
    X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    with pytest.raises(ValueError, match="partial_fit"):
        palimpsest_reshuffle_test(LogisticRegression().fit(X, y), X, y, X, y)
    checkpoint = SGDClassifier(loss="log_loss", shuffle=False).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="n_reshuffles"):
        palimpsest_reshuffle_test(checkpoint, X, y, X, y, n_reshuffles=0)
    with pytest.raises(ValueError, match="y_phase"):
        palimpsest_reshuffle_test(checkpoint, X, y[:3], X, y)
    with pytest.raises(ValueError, match="y_query"):
        palimpsest_reshuffle_test(checkpoint, X, y, X, y[:3])
    shuffling = SGDClassifier(loss="log_loss").partial_fit(X, y, classes=[0, 1])
    with pytest.warns(UserWarning, match="shuffle=False"):
        palimpsest_reshuffle_test(shuffling, X, y, X, y, n_reshuffles=2, random_state=0)
