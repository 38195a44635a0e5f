"""Invariants of the audit statistics (hypothesis)."""

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skpapers.audit import markov_order_test, ordering_adjusted_distribution, runs_test

binary = arrays(np.int64, st.integers(20, 200), elements=st.integers(0, 1)).filter(lambda x: 0 < x.sum() < x.size)


@settings(max_examples=40, deadline=None)
@given(binary)
def test_runs_and_markov_ignore_which_symbol_is_positive_and_time_direction(x):
    z = runs_test(x).statistic
    assert np.isclose(runs_test(1 - x).statistic, z)
    assert np.isclose(runs_test(x[::-1]).statistic, z)
    # A symbol seen only at the last position leaves no transition out of it: both sides are then
    # undefined (nan, with a RuntimeWarning), which is still the same answer.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = markov_order_test(x).statistic
        assert np.isclose(markov_order_test(1 - x).statistic, g, atol=1e-9, equal_nan=True)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6), st.integers(1, 30), st.randoms(use_true_random=False))
def test_relabelling_choices_permutes_the_adjusted_distribution(k, n_prompts, random):
    rng = np.random.default_rng(random.randint(0, 2**32 - 1))
    probs = rng.random((n_prompts, k))
    orders = np.argsort(rng.random((n_prompts, k)), axis=1)
    relabel = rng.permutation(k)
    adjusted = ordering_adjusted_distribution(probs, orders)
    assert np.isclose(adjusted.sum(), 1.0)
    np.testing.assert_allclose(ordering_adjusted_distribution(probs, relabel[orders])[relabel], adjusted)
