"""The binary-decision-bias reproduction entry against the spec's scenario numbers."""

import matplotlib.pyplot as plt
import pytest

from skpapers.reproduce import get_entries
from skpapers.reproduce.binary_decision_bias import run


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_registered():
    (entry,) = get_entries(["binary-decision-bias"])
    assert entry.arxiv == "2501.16356" and entry.plot is not None


def test_size_on_a_fair_coin(result):
    rates = result.details["rejection_rates"]["A: fair coin (n=1000)"]
    # 100 sequences: Bin(100, 0.05) stays at or below 11 with probability 0.995
    assert all(rate <= 0.11 for rate in rates.values()), rates


def test_biased_shares(result):
    details = result.details
    assert -5.0 < details["b_mean_z_uniformity"] < -3.8  # spec: z ~ -4.4
    assert details["b_median_p_uniformity"] < 1e-3
    assert details["c_max_p_uniformity"] < 1e-40  # spec: p < 1e-40


def test_patterned_but_balanced(result):
    details = result.details
    assert 5.5 < details["d_mean_z_runs"] < 7.2 and details["d_min_z_runs"] > 4.0  # spec: ~6.3, min 4.5
    assert 0.58 < details["d_mean_alternation"] < 0.62
    assert abs(details["d_mean_z_trend"]) < 1.0  # constant switching: no run-length trend
    assert 8.0 < details["e_mean_z_trend"] < 14.0  # spec: 10-12
    assert details["f_mean_z_runs"] < -5.0  # sticky chain: too few runs
    profile = details["profiles"]["E"]
    assert profile == sorted(profile)


def test_verdict(result):
    assert all(result.details["checks"].values()) and result.verdict == "reproduced"


def test_plot_returns_figures(result):
    figures = run.entry.plot(result)
    assert set(figures) == {"summary"} and len(figures["summary"].axes) == 2
    plt.close(figures["summary"])
