"""The moe-trajectories reproduction: recovery, 95% interval coverage and BIC choosing the full model."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skpapers.reproduce import get_entries
from skpapers.reproduce.moe_trajectories import run


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_registered():
    (entry,) = get_entries(["moe-trajectories"])
    assert entry.arxiv == "2007.02432"
    assert entry.expected == "reproduced"


def test_parameters_recovered(result):
    d = result.details
    # one replication of 500 subjects: spec prototype knots 3.97-4.06 / 4.96-5.03, slopes within 0.13
    np.testing.assert_allclose(d["knots_mean"], [4.0, 5.0], atol=0.1)
    estimates = np.asarray(d["estimates"])[0]
    np.testing.assert_allclose(estimates[:, 2], [-2.6, -3.4], atol=0.13)
    np.testing.assert_allclose(estimates[:, 4], [1.0, 1.0], atol=0.1)
    assert d["accuracy"] > 0.8


def test_bic_prefers_the_full_model(result):
    d = result.details
    assert all(d["full_wins"])
    assert d["bic"]["full"] < d["bic"]["finite mixture"] - 50


def test_interval_coverage(result):
    d = result.details
    # one replication: 37 intervals (the BIC's parameter count), each checked against the population value
    assert d["n_intervals"] == 37 and len(d["coverage_by_parameter"]) == 37
    assert d["coverage"] == pytest.approx(np.mean(list(d["coverage_by_parameter"].values())))
    assert d["coverage_band"] == pytest.approx(3 * np.sqrt(0.95 * 0.05 / 37))
    assert abs(d["coverage"] - 0.95) <= d["coverage_band"]
    # the main parameters of the paper (class means and knots) are covered
    for k in range(2):
        assert d["coverage_by_parameter"][f"knots_[{k}]"] == 1.0
        assert d["coverage_by_parameter"][f"means_[{k}, 2]"] == 1.0


def test_verdict_and_plot(result):
    checks = result.details["checks"]
    expected = "reproduced" if all(checks.values()) else ("partly reproduced" if any(checks.values()) else "not reproduced")
    assert result.verdict == expected == "reproduced"
    (entry,) = get_entries(["moe-trajectories"])
    assert set(entry.plot(result)) == {"moe_trajectories"}
    plt.close("all")
