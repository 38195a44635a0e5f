import matplotlib
import numpy as np
import pytest

from skpapers.reproduce.r3d import run

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_uniform_band_covers_near_nominal(result):
    d = result.details
    for design in ("location", "skewed"):
        # three binomial standard errors around 0.95 over the replications
        assert abs(d[design]["coverage"] - 0.95) <= d["coverage_slack"], design
        assert d[design]["median_sup_error"] < 0.5
    assert d["coverage_slack"] == pytest.approx(3 * np.sqrt(0.95 * 0.05 / d["location"]["n_reps"]))


def test_r3d_recovers_the_laqte_where_pooling_is_biased(result):
    p = result.details["pooling"]
    # truth: Phi^{-1}(q), independent of the estimator
    np.testing.assert_allclose(p["truth_tails"], [-1.2816, 0.0, 1.2816], atol=1e-4)
    assert p["spread_truth"] == pytest.approx(2 * 1.2816, abs=1e-3)
    # R3D's spread effect tau(.9) - tau(.1) agrees with the truth within three Monte Carlo errors
    assert abs(p["r3d_spread"] - p["spread_truth"]) <= 3 * p["r3d_spread_se"]
    assert p["r3d_spread_se"] < 0.2
    # pooling estimates the mixture's quantile jump (Monte Carlo values of the spec), not the LAQTE
    np.testing.assert_allclose(p["pooled_tails"], p["mixture_jump_tails"], atol=0.15)
    assert p["pooled_spread"] == pytest.approx(1.045 + 1.039, abs=0.15)
    assert abs(p["pooled_spread_z"]) > 3 and p["spread_truth"] - p["pooled_spread"] > 0.3


def test_verdict_and_plot(result):
    assert result.verdict == "reproduced"
    figures = run.entry.plot(result)
    assert set(figures) == {"r3d_band_and_pooling"}
    assert len(figures["r3d_band_and_pooling"].axes) == 2
