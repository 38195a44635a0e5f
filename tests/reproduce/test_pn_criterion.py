"""The pn-criterion reproduction entry: the spec's numbers, with Monte Carlo-aware tolerances."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skpapers.reproduce import get_entries
from skpapers.reproduce.pn_criterion import run


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_registered():
    (entry,) = get_entries(["pn-criterion"])
    assert entry.arxiv == "2105.08947"
    assert entry.plot is not None


def test_normal_expansion_against_the_exact_risk(result):
    normal = result.details["normal"]
    assert normal["c1"] == pytest.approx(1.0) and normal["c2"] == pytest.approx(61 / 12)
    # Spec A.
    np.testing.assert_allclose(normal["exact"], [0.065223, 0.022178, 0.0051292], atol=5e-7)
    np.testing.assert_allclose(normal["expansion"], [0.062708, 0.022033, 0.0051271], atol=5e-7)


def test_misspecified_poisson_expansion_against_monte_carlo(result):
    poisson = result.details["poisson"]
    assert poisson["c1"] == pytest.approx(1.5, abs=0.02)  # v / (2 m) = 12 / 8
    assert poisson["c2"] == pytest.approx(0.4375, abs=0.03)
    assert abs(poisson["monte_carlo"] - poisson["expansion_population"]) < 3 * poisson["monte_carlo_se"]


def test_multinomial_expansion_against_monte_carlo(result):
    multinomial = result.details["multinomial"]
    assert multinomial["c2"] == pytest.approx((5 * (10 + 5 + 10 / 3 + 2.5) - 24 + 1) / 12)
    assert multinomial["expansion"] == pytest.approx(0.003792, abs=5e-7)
    assert abs(multinomial["monte_carlo"] - multinomial["expansion"]) < 3 * multinomial["monte_carlo_se"]


def test_histogram_decisions(result):
    histogram = result.details["histogram"]
    risk = dict(zip(histogram["bins"], histogram["risk"]))
    # Spec D: 0.00102 / 0.00323 / 0.00600, empty bins (infinite risk) from K = 8.
    assert [risk[2], risk[4], risk[6]] == pytest.approx([0.00102, 0.00323, 0.00600], abs=1e-5)
    assert all(math.isinf(risk[K]) for K in (8, 9, 10)) and math.isfinite(risk[7])
    assert histogram["spec_selected_bins"] == 4
    assert histogram["selected_bins"] == 5  # every K is a candidate: K = 5 (risk 0.00489) also passes
    # The required n grows with K and equals the observed n where the risk crosses the threshold.
    required = [m for m in histogram["n_required"] if m is not None]
    assert required == sorted(required)
    assert dict(zip(histogram["bins"], histogram["n_required"]))[5] <= 500 < dict(
        zip(histogram["bins"], histogram["n_required"])
    )[6]


def test_wine_normal_model_is_rejected(result):
    wine = result.details["wine"]
    assert wine["p"] == 104 and wine["n"] == 178
    assert wine["first_order"] == pytest.approx(0.334, abs=0.001)  # spec E
    assert wine["first_order"] > wine["p_over_2n"]  # non-normal data: c1 > p / 2
    assert not wine["accepted_at_0.05"] and wine["n_required_at_0.05"] > 178
    # Spec E over all 286 subsets: 0.021-0.036, median 0.026; quick mode sees every 4th subset.
    assert 0.021 <= wine["subset_min"] and wine["subset_max"] <= 0.036
    assert wine["subset_median"] == pytest.approx(0.026, abs=0.002)


def test_verdict_follows_the_checks(result):
    assert all(result.details["checks"].values())
    assert result.verdict == "reproduced"


def test_plot_returns_figures(result):
    figures = run.entry.plot(result)
    assert set(figures) == {"summary"}
    assert len(figures["summary"].axes) == 4
    for figure in figures.values():
        plt.close(figure)
