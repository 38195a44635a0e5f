"""The lcc-tweedie reproduction entry, quick mode."""

import matplotlib.pyplot as plt
import pytest

from skpapers.reproduce import get_entries
from skpapers.reproduce.lcc_tweedie import run


@pytest.fixture(scope="module")
def result():
    with pytest.warns(UserWarning, match="outside the calibration range"):
        return run(quick=True, random_state=0)


def test_registered():
    (entry,) = get_entries(["lcc-tweedie"])
    assert entry.arxiv == "2508.01341"
    assert entry.plot is not None


def test_closed_form_posterior_mean_case(result):
    case = result.details["posterior_mean"]
    # analytic slopes: naive 2/3, both corrections 1 (Tweedie maps E[y | x] back to x exactly)
    assert case["naive"] == pytest.approx(2 / 3, abs=0.02)
    assert case["lcc"] == pytest.approx(1.0, abs=0.02)
    assert case["tweedie"] == pytest.approx(1.0, abs=0.02)


def test_closed_form_shrink_plus_noise_case(result):
    case = result.details["shrink_noise"]
    assert case["tweedie_analytic"] == pytest.approx(0.62 * (1 + 0.189124 / 0.479524), rel=1e-12)
    assert case["naive"] == pytest.approx(0.62, abs=0.02)
    assert case["lcc"] == pytest.approx(1.0, abs=0.02)
    # Tweedie removes only part of this shrinkage (the KDE smooths p, hence slightly below 0.8645)
    assert case["tweedie"] == pytest.approx(case["tweedie_analytic"], abs=0.02)
    assert case["tweedie"] < 0.9


def test_simulation_attenuation_and_recovery(result):
    slope = result.details["simulation"]["slope"]
    assert slope["labelled"] == pytest.approx(1.0, abs=0.05)
    assert 0.6 < slope["naive"] < 0.85
    # both corrections remove most of the attenuation; a few percent remain because E[p | y]
    # is not linear in y here (tanh features), see the user guide
    assert slope["lcc"] == pytest.approx(1.0, abs=0.1)
    assert slope["tweedie"] == pytest.approx(1.0, abs=0.1)
    for key in ("lcc", "tweedie"):
        assert (slope[key] - slope["naive"]) / (1 - slope["naive"]) > 0.7


def test_verdict_follows_the_checks(result):
    assert all(result.details["checks"].values())
    assert result.verdict == "reproduced"


def test_plot_returns_a_figure(result):
    figures = run.entry.plot(result)
    assert set(figures) == {"lcc_tweedie"}
    plt.close("all")
