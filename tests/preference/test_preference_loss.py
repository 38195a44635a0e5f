"""The DPO datafit and the centred ridge in the optimisation core."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import approx_fprime

from skpapers.utils._optim import CenteredL2, L2, PenalizedDatafit, PreferenceLoss, WeightedL1


def _problem(n_classes, fit_intercept, rng, repeat_rows=False):
    X = rng.standard_normal((40, 3))
    n_pairs = 60 if repeat_rows else 40
    rows = rng.integers(0, 40, n_pairs) if repeat_rows else None
    chosen = rng.integers(0, n_classes, n_pairs)
    rejected = rng.integers(0, n_classes, n_pairs)
    n_outputs = 1 if n_classes == 2 else n_classes
    return PreferenceLoss(
        X,
        chosen,
        rejected,
        n_classes,
        beta=0.7,
        reference_scores=rng.standard_normal((40, n_outputs)),
        rows=rows,
        sample_weight=rng.uniform(0.5, 2.0, n_pairs),
        fit_intercept=fit_intercept,
    )


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("repeat_rows", [False, True])
def test_gradient_matches_finite_differences(n_classes, fit_intercept, repeat_rows):
    rng = np.random.default_rng(n_classes + 10 * fit_intercept + 100 * repeat_rows)
    datafit = _problem(n_classes, fit_intercept, rng, repeat_rows)
    w = rng.standard_normal(datafit.n_params)
    value, grad = datafit.value_and_gradient(w)
    numeric = approx_fprime(w, datafit.value, 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6)
    assert value == pytest.approx(datafit.value(w))


def test_value_is_the_dpo_formula_written_out():
    # Binary policy: log pi(1|x) - log pi(0|x) = z, so each pair's log-ratio gap is +-(z - z_ref) or 0.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 2))
    chosen, rejected = rng.integers(0, 2, 50), rng.integers(0, 2, 50)
    reference = rng.standard_normal(50)
    w = np.array([0.3, -1.2, 0.5])
    datafit = PreferenceLoss(X, chosen, rejected, 2, beta=2.0, reference_scores=reference[:, None])
    z = X @ w[:2] + w[2]
    log_pi = np.column_stack([-np.logaddexp(0, z), -np.logaddexp(0, -z)])
    log_ref = np.column_stack([-np.logaddexp(0, reference), -np.logaddexp(0, -reference)])
    rows = np.arange(50)
    gap = (log_pi[rows, chosen] - log_ref[rows, chosen]) - (log_pi[rows, rejected] - log_ref[rows, rejected])
    expected = np.mean(np.logaddexp(0, -2.0 * gap))
    assert datafit.value(w) == pytest.approx(expected, rel=1e-12)


def test_tied_pairs_carry_no_gradient():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 3))
    labels = rng.integers(0, 3, 30)
    datafit = PreferenceLoss(X, labels, labels, 3)
    value, grad = datafit.value_and_gradient(rng.standard_normal(datafit.n_params))
    assert value == pytest.approx(np.log(2.0))
    np.testing.assert_array_equal(grad, 0.0)


def test_first_gradient_is_the_mean_chosen_label_times_x_on_disagreements():
    # At the reference every margin is 0, so the gradient is -(beta / 2n) sum_disagree yc_i x_i.
    rng = np.random.default_rng(2)
    X = rng.standard_normal((200, 4))
    chosen, rejected = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    reference_coef = rng.standard_normal(4)
    datafit = PreferenceLoss(
        X, chosen, rejected, 2, beta=1.5, reference_scores=(X @ reference_coef)[:, None], fit_intercept=False
    )
    _, grad = datafit.value_and_gradient(reference_coef)
    disagree = chosen != rejected
    sign = 2.0 * chosen[disagree] - 1.0
    np.testing.assert_allclose(grad, -1.5 / (2 * 200) * (sign @ X[disagree]), rtol=1e-12)


def test_centered_l2_is_l2_around_its_centre():
    rng = np.random.default_rng(3)
    center, w, mask = rng.standard_normal(5), rng.standard_normal(5), np.array([1, 1, 0, 1, 0.5])
    penalty, plain = CenteredL2(0.8, center, mask), L2(0.8, mask)
    assert penalty.value(w) == pytest.approx(plain.value(w - center))
    np.testing.assert_allclose(penalty.gradient(w), plain.gradient(w - center))
    np.testing.assert_allclose(penalty.prox(w, 0.3), center + plain.prox(w - center, 0.3))
    np.testing.assert_allclose(
        penalty.gradient(w), approx_fprime(w, penalty.value, 1e-7), rtol=1e-5, atol=1e-6
    )


def test_penalized_datafit_adds_value_and_gradient():
    rng = np.random.default_rng(4)
    datafit = _problem(3, True, rng)
    penalty = CenteredL2(0.5, rng.standard_normal(datafit.n_params))
    combined = PenalizedDatafit(datafit, penalty)
    w = rng.standard_normal(datafit.n_params)
    value, grad = combined.value_and_gradient(w)
    assert value == pytest.approx(datafit.value(w) + penalty.value(w))
    np.testing.assert_allclose(grad, datafit.value_and_gradient(w)[1] + penalty.gradient(w))
    with pytest.raises(ValueError, match="not smooth"):
        PenalizedDatafit(datafit, WeightedL1(1.0))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_classes=st.integers(2, 5),
    beta=st.floats(0.01, 10.0),
    fit_intercept=st.booleans(),
)
def test_at_the_reference_the_loss_is_log2_and_swapping_negates_the_gradient(seed, n_classes, beta, fit_intercept):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((25, 3))
    n_outputs = 1 if n_classes == 2 else n_classes
    w_ref = rng.standard_normal((3 + fit_intercept) * n_outputs)
    chosen, rejected = rng.integers(0, n_classes, 25), rng.integers(0, n_classes, 25)

    def datafit(c, r):
        probe = PreferenceLoss(X, c, r, n_classes, fit_intercept=fit_intercept)
        scores = probe.linear_predictor(w_ref)
        return PreferenceLoss(X, c, r, n_classes, beta=beta, reference_scores=scores, fit_intercept=fit_intercept)

    value, grad = datafit(chosen, rejected).value_and_gradient(w_ref)
    swapped_value, swapped_grad = datafit(rejected, chosen).value_and_gradient(w_ref)
    assert value == pytest.approx(np.log(2.0)) and swapped_value == pytest.approx(np.log(2.0))
    np.testing.assert_allclose(swapped_grad, -grad, atol=1e-12)
