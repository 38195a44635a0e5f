import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from skpapers.calibration import expected_calibration_error, tokenized_brier_score


def _random_simplex(rng, n, k):
    p = rng.exponential(size=(n, k))
    return p / p.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("n_levels", [2, 11, 101])
def test_expected_score_identity_makes_the_score_proper(n_levels):
    # Oracle: for y ~ Bernoulli(q), E[TBS] = sum_j p_j (c_j - q)^2 + q (1 - q).
    rng = np.random.RandomState(n_levels)
    levels = np.linspace(0, 1, n_levels)
    p = _random_simplex(rng, 50, n_levels)
    for q in rng.uniform(size=5):
        expected = np.array([
            q * tokenized_brier_score([1], row[None]) + (1 - q) * tokenized_brier_score([0], row[None]) for row in p
        ])
        identity = p @ (levels - q) ** 2 + q * (1 - q)
        np.testing.assert_allclose(expected, identity, rtol=1e-12)
        # No distribution beats the point mass on the level nearest q.
        best = (levels[np.argmin(np.abs(levels - q))] - q) ** 2 + q * (1 - q)
        assert np.all(expected >= best - 1e-12)


def test_monte_carlo_mean_matches_the_identity():
    rng = np.random.RandomState(0)
    levels = np.linspace(0, 1, 11)
    p = _random_simplex(rng, 1, 11)
    q = 0.37
    y = (rng.uniform(size=200_000) < q).astype(int)
    mc = tokenized_brier_score(y, np.repeat(p, y.size, axis=0))
    identity = float(p[0] @ (levels - q) ** 2 + q * (1 - q))
    assert mc == pytest.approx(identity, abs=4 * np.sqrt(0.25 / y.size))


def test_decomposition_into_brier_of_mean_level_plus_spread():
    rng = np.random.RandomState(3)
    levels = np.sort(rng.uniform(size=6))
    p = _random_simplex(rng, 40, 6)
    y = rng.randint(0, 2, size=40)
    cbar = p @ levels
    spread = p @ levels**2 - cbar**2
    assert tokenized_brier_score(y, p, levels=levels) == pytest.approx(np.mean((y - cbar) ** 2 + spread))


def test_point_mass_equals_sklearn_brier_score():
    rng = np.random.RandomState(4)
    levels = np.linspace(0, 1, 101)
    idx = rng.randint(0, 101, size=60)
    y = rng.randint(0, 2, size=60)
    w = rng.uniform(size=60)
    onehot = np.eye(101)[idx]
    assert tokenized_brier_score(y, onehot, sample_weight=w) == pytest.approx(
        brier_score_loss(y, levels[idx], sample_weight=w), rel=1e-12
    )


def test_ece_matches_calibration_curve():
    # Independent result: sklearn's per-bin accuracy and confidence, weighted by bin counts.
    rng = np.random.RandomState(5)
    conf = rng.uniform(size=3000)
    y = (rng.uniform(size=3000) < conf**1.5).astype(int)
    prob_true, prob_pred = calibration_curve(y, conf, n_bins=15, strategy="uniform")
    counts, _ = np.histogram(conf, bins=np.linspace(0, 1, 16))
    counts = counts[counts > 0]
    oracle = float(np.sum(counts * np.abs(prob_true - prob_pred)) / counts.sum())
    assert expected_calibration_error(y, conf, n_bins=15) == pytest.approx(oracle, rel=1e-10)


def test_ece_of_perfect_and_constant_confidence():
    y = np.array([1, 0, 1, 1])
    assert expected_calibration_error(y, y.astype(float)) == 0.0
    assert expected_calibration_error(y.astype(bool), np.full(4, 0.75)) == pytest.approx(0.0)
    assert expected_calibration_error(y, np.ones(4)) == pytest.approx(0.25)
    # Weights count like repeated rows.
    w = np.array([2, 1, 1, 3])
    rep = np.repeat(np.arange(4), w)
    conf = np.array([0.9, 0.3, 0.6, 0.2])
    assert expected_calibration_error(y, conf, sample_weight=w) == pytest.approx(
        expected_calibration_error(y[rep], conf[rep])
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"level_proba": [[0.5, 0.6], [0.5, 0.5]]}, "sum to 1"),
        ({"level_proba": [[1.5, -0.5], [0.5, 0.5]]}, "non-negative"),
        ({"level_proba": [[np.nan, 1.0], [0.5, 0.5]]}, "NaN"),
        ({"levels": [0.0, 1.2]}, r"\[0, 1\]"),
        ({"levels": [0.8, 0.2]}, "strictly increasing"),
        ({"levels": [0.0, 0.5, 1.0]}, "must match"),
        ({"y_true": [2, 0]}, "0/1"),
        ({"y_true": [1, 0, 1]}, "inconsistent"),
    ],
)
def test_tokenized_brier_score_bad_input(kwargs, match):
    args = {"y_true": [1, 0], "level_proba": [[0.2, 0.8], [0.5, 0.5]]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        tokenized_brier_score(**args)


def test_tokenized_brier_score_rejects_string_labels():
    with pytest.raises(TypeError, match="y_true"):
        tokenized_brier_score(["a", "b"], [[0.2, 0.8], [0.5, 0.5]])


@pytest.mark.parametrize(
    "conf, n_bins, match",
    [([0.5, 1.2], 15, r"\[0, 1\]"), ([0.5, np.nan], 15, "NaN"), ([0.5, 0.2], 0, "n_bins"), ([0.5, 0.2], 2.5, "n_bins")],
)
def test_ece_bad_input(conf, n_bins, match):
    with pytest.raises(ValueError, match=match):
        expected_calibration_error([1, 0], conf, n_bins=n_bins)
