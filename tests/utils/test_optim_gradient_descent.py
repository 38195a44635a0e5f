import warnings

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from sklearn.exceptions import ConvergenceWarning

from skpapers.utils._optim import LogisticMarginLoss, PerceptronLoss, gradient_descent


def _data(seed=0, n=50, d=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    return X, y


@pytest.mark.parametrize("datafit_class", [LogisticMarginLoss, PerceptronLoss])
def test_margin_datafit_gradient_matches_finite_differences(datafit_class):
    X, y = _data()
    datafit = datafit_class(X, y)
    w = np.random.default_rng(1).normal(size=X.shape[1])
    value, grad = datafit.value_and_gradient(w)
    # w is away from every tie, so the perceptron criterion is smooth around it.
    assert np.min(np.abs(datafit.margins(w))) > 1e-3
    numeric = approx_fprime(w, datafit.value, 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)
    assert value == pytest.approx(datafit.value(w))


def test_logistic_margin_loss_value_and_huge_margins():
    X, y = _data()
    w = np.random.default_rng(2).normal(size=X.shape[1])
    m = y * (X @ w)
    assert LogisticMarginLoss(X, y).value(w) == pytest.approx(np.mean(np.log1p(np.exp(-m))), rel=1e-12)
    # Margins of order 1e10: the loss is ~ mean(max(0, -m)), finite, not inf.
    big = LogisticMarginLoss(X, y).value(1e10 * w)
    assert np.isfinite(big)
    assert big == pytest.approx(1e10 * np.mean(np.maximum(-m, 0)), rel=1e-9)


def test_perceptron_weights_and_ties():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    y = np.array([1.0, -1.0, 1.0])
    datafit = PerceptronLoss(X, y, tie_weight=0.25)
    w = np.array([1.0, 0.0])  # margins 1, 0, -1
    np.testing.assert_array_equal(datafit.gradient_weights(w), [0.0, 0.25, 1.0])
    value, grad = datafit.value_and_gradient(w)
    assert value == pytest.approx(1.0 / 3.0)
    np.testing.assert_allclose(grad, -(0.25 * -X[1] + X[2]) / 3.0)


def test_gradient_descent_fixed_step_matches_hand_iterates():
    X, y = _data(n=30, d=3)
    datafit = LogisticMarginLoss(X, y)
    w = np.zeros(3)
    for _ in range(5):
        w = w - 0.7 * datafit.value_and_gradient(w)[1]
    result = gradient_descent(datafit, np.zeros(3), step=0.7, max_iter=5, warn=False)
    np.testing.assert_allclose(result.x, w, rtol=1e-14)
    assert result.n_iter == 5 and not result.converged


@pytest.mark.parametrize("normalization", ["gradient", "loss", "weights"])
def test_gradient_descent_normalizations(normalization):
    X, y = _data(n=30, d=3)
    datafit = LogisticMarginLoss(X, y)
    w0 = np.full(3, 0.1)
    value, grad = datafit.value_and_gradient(w0)
    divisor = {
        "gradient": np.linalg.norm(grad),
        "loss": value,
        "weights": np.mean(1.0 / (1.0 + np.exp(y * (X @ w0)))),
    }[normalization]
    result = gradient_descent(datafit, w0, step=2.0, normalization=normalization, max_iter=1, warn=False)
    np.testing.assert_allclose(result.x, w0 - 2.0 * grad / divisor, rtol=1e-13)
    # A callable divisor is used as given.
    same = gradient_descent(datafit, w0, step=2.0, normalization=lambda w, v, g: divisor, max_iter=1, warn=False)
    np.testing.assert_allclose(same.x, result.x, rtol=1e-15)


def test_gradient_descent_callback_stops_and_warns():
    X, y = _data(n=30, d=3)
    datafit = LogisticMarginLoss(X, y)
    seen = []
    result = gradient_descent(
        datafit, np.zeros(3), step=1.0, max_iter=50, callback=lambda t, w, v, g: seen.append(t) or t == 3
    )
    assert result.converged and result.n_iter == 3 and seen == [0, 1, 2, 3]
    with pytest.warns(ConvergenceWarning, match="Gradient descent did not converge"):
        gradient_descent(datafit, np.zeros(3), step=1.0, max_iter=3)
    with pytest.raises(ValueError, match="normalization must be"):
        gradient_descent(datafit, np.zeros(3), step=1.0, normalization="bogus", max_iter=3)


def test_gradient_descent_stops_on_vanishing_gradient_and_divisor():
    # Separable by w0 itself: the perceptron gradient is exactly zero at w0.
    X = np.array([[1.0], [-1.0]])
    y = np.array([1.0, -1.0])
    result = gradient_descent(PerceptronLoss(X, y), np.array([1.0]), step=1.0, max_iter=10)
    assert result.converged and result.n_iter == 0
    # A zero divisor ends the run without dividing by it.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stalled = gradient_descent(
            LogisticMarginLoss(X, y), np.array([1.0]), step=1.0, normalization=lambda w, v, g: 0.0, max_iter=10
        )
    assert not stalled.converged and stalled.n_iter == 0
    np.testing.assert_array_equal(stalled.x, [1.0])
