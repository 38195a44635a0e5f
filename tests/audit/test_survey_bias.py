"""Survey response bias: closed forms, scipy entropy oracles, order direction, bad input."""

import numpy as np
import pytest
from scipy import special, stats
from sklearn.linear_model import LogisticRegression

from skpapers.audit import (
    answer_orderings,
    compare_to_references,
    discriminator_test,
    normalized_entropy,
    ordering_adjusted_distribution,
    position_bias,
    response_divergence,
    subgroup_alignment,
)

CENSUS = np.array([0.5, 0.2, 0.15, 0.10, 0.05])


def test_answer_orderings_enumerate_each_permutation_once():
    orders = answer_orderings(4)
    assert orders.shape == (24, 4) and len({tuple(r) for r in orders}) == 24
    np.testing.assert_array_equal(orders[0], np.arange(4))
    sampled = answer_orderings(8, max_orderings=5000, random_state=0)  # 8! = 40320 > 5000
    assert sampled.shape == (5000, 8)
    np.testing.assert_array_equal(sampled[0], np.arange(8))
    assert np.all(np.sort(sampled, axis=1) == np.arange(8))
    np.testing.assert_array_equal(sampled, answer_orderings(8, max_orderings=5000, random_state=0))


def test_pure_position_bias_closed_form():
    a, k = 1.5, 5
    orders = answer_orderings(k)
    probs = np.tile(special.softmax(np.r_[a, np.zeros(k - 1)]), (len(orders), 1))
    result = position_bias(probs, orders)
    q_a = np.exp(a) / (np.exp(a) + k - 1)
    assert result.position_distribution[0] == pytest.approx(q_a, abs=1e-12)
    assert result.a_bias == pytest.approx(q_a - 1 / k, abs=1e-12)
    np.testing.assert_allclose(result.adjusted_distribution, 1 / k, atol=1e-12)
    assert position_bias(probs).adjusted_distribution is None
    # sampled orderings: uniform up to Monte Carlo error
    sampled = answer_orderings(8, max_orderings=5000, random_state=1)
    probs8 = np.tile(special.softmax(np.r_[a, np.zeros(7)]), (len(sampled), 1))
    np.testing.assert_allclose(ordering_adjusted_distribution(probs8, sampled), 1 / 8, atol=0.01)


def test_orders_direction_position_to_choice():
    # the model prefers choice 2 strongly, whatever position it is shown at, and label A a little
    preference = np.array([0.1, 0.2, 0.7])
    orders = np.array([[1, 2, 0], [2, 0, 1], [0, 1, 2]])
    probs = preference[orders] * np.array([1.5, 1.0, 1.0])
    probs /= probs.sum(axis=1, keepdims=True)
    expected = np.zeros(3)
    for r in range(3):
        for j in range(3):
            expected[orders[r, j]] += probs[r, j] / 3  # position j showed choice orders[r, j]
    ours = ordering_adjusted_distribution(probs, orders)
    np.testing.assert_allclose(ours, expected)
    assert np.argmax(ours) == 2
    # the inverse convention (choice -> position) gives another, wrong answer on this example
    assert not np.allclose(ordering_adjusted_distribution(probs, np.argsort(orders, axis=1)), ours)


def test_probs_are_renormalised_per_row():
    orders = answer_orderings(3)
    probs = np.random.default_rng(0).random((6, 3))
    np.testing.assert_allclose(ordering_adjusted_distribution(probs * 7.0, orders),
                               ordering_adjusted_distribution(probs / probs.sum(1, keepdims=True), orders))


def test_entropy_and_divergence_match_scipy():
    rng = np.random.default_rng(2)
    p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
    assert normalized_entropy(p) == pytest.approx(stats.entropy(p) / np.log(6))
    assert response_divergence(p, q) == pytest.approx(stats.entropy(p, q, base=2))
    assert response_divergence(p, q, base=np.e) == pytest.approx(stats.entropy(p, q))
    batch = rng.dirichlet(np.ones(4), size=5)
    np.testing.assert_allclose(normalized_entropy(batch.T, axis=0), stats.entropy(batch, axis=1) / np.log(4))
    assert normalized_entropy(np.full(5, 0.2)) == pytest.approx(1.0)
    with pytest.warns(RuntimeWarning, match="infinite"):
        assert np.isinf(response_divergence([0.5, 0.5], [1.0, 0.0]))
    assert response_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(1.0)  # 0 log 0 = 0


def test_compare_to_references():
    naive = special.softmax(np.r_[1.5, 0, 0, 0, 0])
    result = compare_to_references(naive, {"census": CENSUS})
    assert set(result.divergences) == {"census", "uniform"}
    assert result.nearest == "census"  # the A-biased answer looks census-like
    assert result.divergences["census"] == pytest.approx(stats.entropy(naive, CENSUS, base=2))
    assert result.normalized_entropy == pytest.approx(stats.entropy(naive) / np.log(5))
    assert result.reference_entropies["uniform"] == pytest.approx(1.0)
    assert compare_to_references(np.full(5, 0.2), {"census": CENSUS}).nearest == "uniform"


def test_subgroup_alignment_matches_a_direct_computation():
    rng = np.random.default_rng(3)
    model = [rng.dirichlet(np.ones(k)) for k in (2, 3, 4)]  # ragged numbers of choices
    groups = [[rng.dirichlet(np.ones(k) * c) for k in (2, 3, 4)] for c in (0.5, 1.0, 2.0, 5.0)]
    groups[0][1] = np.array([0.5, 0.5, 0.0])  # infinite divergence: question 1 is left out for all groups
    result = subgroup_alignment(model, groups)
    np.testing.assert_array_equal(result.excluded_questions, [1])
    expected = [np.mean([stats.entropy(model[i], g[i], base=2) for i in (0, 2)]) for g in groups]
    np.testing.assert_allclose(result.divergences, expected)
    entropies = [np.mean([stats.entropy(g[i]) / np.log(len(g[i])) for i in (0, 2)]) for g in groups]
    np.testing.assert_allclose(result.entropies, entropies)
    assert result.statistic == pytest.approx(stats.spearmanr(expected, entropies).statistic)


def test_discriminator_pvalue_and_size():
    rng = np.random.default_rng(4)
    shifted = discriminator_test(rng.normal(size=(200, 3)), rng.normal(1.0, 1.0, size=(300, 3)),
                                 estimator=LogisticRegression(), n_repeats=3, random_state=0)
    assert shifted.accuracies.shape == (3,) and shifted.mean_accuracy > 0.65
    assert shifted.majority_rate == pytest.approx(0.5)
    n_test = 80  # 20% of 2 x 200 rows
    correct = round(shifted.statistic * n_test)
    assert shifted.pvalue == pytest.approx(stats.binomtest(correct, n_test, 0.5, alternative="greater").pvalue)
    null = [discriminator_test(rng.normal(size=(100, 2)), rng.normal(size=(100, 2)), estimator=LogisticRegression(),
                               n_repeats=1, random_state=s).pvalue for s in range(60)]
    assert np.mean(np.array(null) < 0.05) <= 0.15  # Bin(60, 0.05) exceeds 9 with probability < 0.01
    weighted = discriminator_test(rng.normal(size=(100, 2)), rng.normal(size=(100, 2)), estimator=LogisticRegression(),
                                  n_repeats=2, reference_weights=np.ones(100), random_state=0)
    assert weighted.pvalues.shape == (2,)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: answer_orderings(1), ValueError, "k"),
        (lambda: ordering_adjusted_distribution([[0.5, 0.5]], [[0, 1], [1, 0]]), ValueError, "shape"),
        (lambda: ordering_adjusted_distribution([[0.5, 0.5], [0.5, 0.5]], [[0, 0], [1, 0]]), ValueError, "permutation"),
        (lambda: ordering_adjusted_distribution([[0.5, 0.5]], [[0.5, 1]]), TypeError, "integer"),
        (lambda: position_bias([[-0.1, 1.1]]), ValueError, "negative"),
        (lambda: position_bias([[0.0, 0.0]]), ValueError, "zero total"),
        (lambda: position_bias([[np.nan, 1.0]]), ValueError, "NaN"),
        (lambda: position_bias([[1.0]]), ValueError, "2"),
        (lambda: normalized_entropy([0.5, 0.6]), ValueError, "sum to 1"),
        (lambda: normalized_entropy([1.0]), ValueError, "at least 2"),
        (lambda: response_divergence([0.5, 0.5], [0.2, 0.3, 0.5]), ValueError, "choices"),
        (lambda: response_divergence([0.5, 0.5], [0.2, 0.2]), ValueError, "q must sum to 1"),
        (lambda: compare_to_references([0.5, 0.5], {"census": [0.2, 0.3, 0.5]}), ValueError, "census"),
        (lambda: compare_to_references([0.5, 0.5], {}), ValueError, "at least one"),
        (lambda: subgroup_alignment([[0.5, 0.5]], [[[0.5, 0.5]]] * 2), ValueError, "3 subgroups"),
        (lambda: subgroup_alignment([[0.5, 0.5]], [[[0.5, 0.5], [0.5, 0.5]]] * 3), ValueError, "questions"),
        (lambda: discriminator_test(np.zeros((10, 2)), np.zeros((10, 3))), ValueError, "same columns"),
        (lambda: discriminator_test(np.zeros((10, 2)), np.zeros((10, 2)), reference_weights=np.ones(3)),
         ValueError, "reference_weights"),
        (lambda: discriminator_test(np.zeros((10, 2)), np.zeros((10, 2)), n_repeats=0), ValueError, "n_repeats"),
    ],
)
def test_bad_input_raises(call, error, match):
    with pytest.raises(error, match=match):
        call()
