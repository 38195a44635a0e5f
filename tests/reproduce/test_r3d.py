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
    np.testing.assert_allclose(p["r3d_tails"], p["truth_tails"], atol=0.1)
    # pooling estimates the mixture's quantile jump (Monte Carlo values of the spec), not the LAQTE
    np.testing.assert_allclose(p["pooled_tails"], p["mixture_jump_tails"], atol=0.15)
    assert p["pooled_min_tail_bias"] > 0.15


def test_verdict_and_plot(result):
    assert result.verdict == "reproduced"
    figures = run.entry.plot(result)
    assert set(figures) == {"r3d_band_and_pooling"}
    assert len(figures["r3d_band_and_pooling"].axes) == 2
