"""The palimpsest-provenance reproduction entry, with the spec's simulation as reference."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skpapers.reproduce import get_entries
from skpapers.reproduce.palimpsest_provenance import run


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_registered():
    (entry,) = get_entries(["palimpsest-provenance"])
    assert entry.arxiv == "2510.19796" and entry.plot is not None


def test_derived_models_are_detected_and_reference_sharpens(result):
    details = result.details
    # spec simulation: mean rho -0.105 with reference, 10/10 seeds below 0.01, median p 3e-8 vs 3e-4 without
    assert -0.14 < np.mean(details["rho_with_reference"]) < -0.08
    assert details["frac_below_001_with_reference"] == 1.0
    assert details["median_p_with_reference"] < 1e-6
    assert details["median_p_with_reference"] < details["median_p_without_reference"] / 10


def test_null_pvalues_are_uniform(result):
    details = result.details
    assert abs(details["null_mean_rho"]) < 0.01
    assert details["null_ks_pvalue"] > 0.01
    assert details["null_size_005"] <= 0.12  # 80 null runs: Bin(80, 0.05) exceeds 9 with prob < 0.01


def test_reshuffle_test(result):
    derived, null = np.array(result.details["reshuffle_p_derived"]), np.array(result.details["reshuffle_p_null"])
    assert np.mean(derived <= 0.05) >= 0.6  # spec: p <= 0.03 in 8/10 seeds
    assert np.min(null) > 0.05


def test_verdict(result):
    assert all(result.details["checks"].values())
    assert result.verdict == "reproduced"


def test_plot_returns_figures(result):
    figures = run.entry.plot(result)
    assert set(figures) == {"summary"} and len(figures["summary"].axes) == 3
    plt.close(figures["summary"])
