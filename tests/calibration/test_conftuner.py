import warnings

import numpy as np
import pytest
from scipy import special
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.calibration import TokenizedBrierConfidenceClassifier, tokenized_brier_score


def _data(n=600, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    q = special.expit(2.0 * X[:, 0] - X[:, 1])
    correct = (rng.uniform(size=n) < q).astype(int)
    return X, correct, q


@pytest.mark.parametrize("q", [0.3, 0.62, 0.9])
def test_intercept_only_head_reports_the_level_nearest_the_accuracy(q):
    # Limit case: with a constant feature only the unpenalised biases move, and properness
    # says the optimum puts its mass on the level nearest the empirical accuracy.
    n = 1000
    y = np.zeros(n, dtype=int)
    y[: int(round(q * n))] = 1
    X = np.zeros((n, 1))
    # The biases head towards a point mass (infinite logits); L-BFGS stops once the softmax
    # saturates, with or without a warning depending on where it stops.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        head = TokenizedBrierConfidenceClassifier(n_levels=11, max_iter=300).fit(X, y)
    levels = np.linspace(0, 1, 11)
    nearest = levels[np.argmin(np.abs(levels - q))]
    assert head.predict_confidence(X[:1])[0] == pytest.approx(nearest)
    optimum = (nearest - q) ** 2 + q * (1 - q)
    assert tokenized_brier_score(y, head.predict_level_proba(X)) == pytest.approx(optimum, abs=1e-3)


def test_head_tracks_the_true_correctness_probability():
    X, y, q = _data(4000)
    head = TokenizedBrierConfidenceClassifier(n_levels=11, confidence="mean", alpha=1e-4).fit(X, y)
    conf = head.predict_confidence(X)
    assert np.corrcoef(conf, q)[0, 1] > 0.95
    assert np.mean(np.abs(conf - q)) < 0.08
    # The fit improves on the best constant confidence.
    assert head.loss_ < tokenized_brier_score(y, np.full((y.size, 11), 1 / 11)) - 0.05
    assert head.score(X, y) > 0.7


def test_argmax_and_mean_confidence_and_predict_proba():
    X, y, _ = _data()
    head = TokenizedBrierConfidenceClassifier(levels=[0.0, 0.25, 0.5, 0.75, 1.0]).fit(X, y)
    p = head.predict_level_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_array_equal(head.predict_confidence(X), head.levels_[p.argmax(axis=1)])
    head.set_params(confidence="mean")
    np.testing.assert_allclose(head.predict_confidence(X), p @ head.levels_)
    proba = head.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], p @ head.levels_)
    np.testing.assert_array_equal(head.predict(X), (proba[:, 1] > 0.5).astype(int))
    assert head.coef_.shape == (3, 5) and head.intercept_.shape == (5,)


def test_labels_bool_and_strings_positive_is_the_larger_label():
    X, y, _ = _data()
    ref = TokenizedBrierConfidenceClassifier(n_levels=11, confidence="mean").fit(X, y)
    head = TokenizedBrierConfidenceClassifier(n_levels=11, confidence="mean").fit(X, y.astype(bool))
    np.testing.assert_allclose(head.predict_proba(X), ref.predict_proba(X))
    # "wrong" > "right", so the head now scores being wrong. Swapping y -> 1 - y and c -> 1 - c
    # leaves the score unchanged on symmetric levels: the confidences mirror the reference.
    head = TokenizedBrierConfidenceClassifier(n_levels=11, confidence="mean").fit(X, np.where(y == 1, "right", "wrong"))
    np.testing.assert_array_equal(head.classes_, ["right", "wrong"])
    np.testing.assert_allclose(head.predict_proba(X)[:, 1], ref.predict_proba(X)[:, 0], atol=1e-4)


def test_stronger_l2_pulls_mean_confidence_to_the_middle():
    X, y, _ = _data()
    weak = TokenizedBrierConfidenceClassifier(n_levels=21, alpha=1e-5, confidence="mean").fit(X, y)
    strong = TokenizedBrierConfidenceClassifier(n_levels=21, alpha=10.0, confidence="mean").fit(X, y)
    assert np.std(strong.predict_confidence(X)) < 0.5 * np.std(weak.predict_confidence(X))


def test_deterministic_and_inputs_unchanged():
    X, y, _ = _data()
    X0, y0 = X.copy(), y.copy()
    a = TokenizedBrierConfidenceClassifier(n_levels=21).fit(X, y)
    b = TokenizedBrierConfidenceClassifier(n_levels=21).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"n_levels": 1}, InvalidParameterError, "n_levels"),
        ({"alpha": -1.0}, InvalidParameterError, "alpha"),
        ({"confidence": "median"}, InvalidParameterError, "confidence"),
        ({"levels": [0.0, 1.5]}, ValueError, "levels"),
        ({"levels": [-0.1, 0.5]}, ValueError, "levels"),
        ({"levels": [0.5, 0.5, 1.0]}, ValueError, "strictly increasing"),
        ({"levels": [0.5]}, ValueError, "at least 2"),
        ({"levels": [0.0, np.nan]}, ValueError, "NaN"),
    ],
)
def test_bad_parameters(params, error, match):
    X, y, _ = _data(50)
    with pytest.raises(error, match=match):
        TokenizedBrierConfidenceClassifier(**params).fit(X, y)


def test_bad_data():
    X, y, _ = _data(50)
    Xnan = X.copy()
    Xnan[3, 1] = np.nan  # e.g. a base model's log-probability of an empty class
    with pytest.raises(ValueError, match="NaN"):
        TokenizedBrierConfidenceClassifier().fit(Xnan, y)
    Xinf = X.copy()
    Xinf[0, 0] = -np.inf
    with pytest.raises(ValueError, match="infinity"):
        TokenizedBrierConfidenceClassifier().fit(Xinf, y)
    with pytest.raises(ValueError, match="one class"):
        TokenizedBrierConfidenceClassifier().fit(X, np.ones(50))
    with pytest.raises(ValueError, match="binary"):
        TokenizedBrierConfidenceClassifier().fit(X, np.arange(50) % 3)
    head = TokenizedBrierConfidenceClassifier(n_levels=5).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        head.predict_confidence(X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        head.predict_level_proba(Xnan)


def test_capped_fit_warns_convergence():
    X, y, _ = _data(200)
    with pytest.warns(ConvergenceWarning, match="TokenizedBrierConfidenceClassifier"):
        TokenizedBrierConfidenceClassifier(n_levels=11, max_iter=2).fit(X, y)


def test_temperature_limits():
    X, y, _ = _data()
    head = TokenizedBrierConfidenceClassifier(n_levels=11, confidence="mean").fit(X, y)
    p = head.predict_level_proba(X)
    argmax = head.levels_[p.argmax(axis=1)]
    # Fitting does not depend on the temperature: it only acts when predictions are read.
    hot = TokenizedBrierConfidenceClassifier(n_levels=11, confidence="mean", temperature=3.0).fit(X, y)
    np.testing.assert_array_equal(hot.coef_, head.coef_)
    # softmax(z / T) is p ** (1 / T), renormalised.
    tempered = p ** (1 / 3.0)
    np.testing.assert_allclose(hot.predict_level_proba(X), tempered / tempered.sum(axis=1, keepdims=True), rtol=1e-10)
    # T -> 0: the mean level becomes the most probable one (the paper's greedy decoding).
    head.set_params(temperature=1e-8)
    np.testing.assert_allclose(head.predict_confidence(X), argmax, atol=1e-12)
    # T -> infinity: uniform over the levels, so the mean level is the levels' mean.
    head.set_params(temperature=1e12)
    np.testing.assert_allclose(head.predict_level_proba(X), 1 / 11, rtol=1e-9)
    np.testing.assert_allclose(head.predict_confidence(X), 0.5, atol=1e-9)
    # The argmax reading does not depend on it, even where the tempered softmax is flat.
    head.set_params(confidence="argmax")
    np.testing.assert_array_equal(head.predict_confidence(X), argmax)


@pytest.mark.parametrize("temperature", [0.0, -0.5])
def test_temperature_must_be_positive(temperature):
    X, y, _ = _data(50)
    with pytest.raises(InvalidParameterError, match="temperature"):
        TokenizedBrierConfidenceClassifier(temperature=temperature).fit(X, y)
    head = TokenizedBrierConfidenceClassifier(n_levels=5).fit(X, y)
    head.set_params(temperature=temperature)
    with pytest.raises(InvalidParameterError, match="temperature"):
        head.predict_level_proba(X)
