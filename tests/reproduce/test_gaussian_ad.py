"""The gaussian-ad reproduction entry: the paper's three claims, with the spec's tolerances."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skpapers.reproduce import get_entries
from skpapers.reproduce.gaussian_ad import run


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_registered():
    (entry,) = get_entries(["gaussian-ad"])
    assert entry.arxiv == "2005.14140"
    assert entry.plot is not None


def test_low_variance_components_carry_the_anomaly_signal(result):
    low_variance = result.details["low_variance"]
    # Spec A: full ~1.00, NPCA(0.99) ~1.00 with ~47 components, PCA(0.99) ~0.50 with 5 components.
    assert low_variance["full_auroc"] > 0.99
    assert low_variance["npca_auroc_099"] > 0.99
    assert low_variance["npca_dims_099"] == 47
    assert low_variance["pca_dims_099"] == 5
    assert abs(low_variance["pca_auroc_099"] - 0.5) < 0.05


def test_chi2_threshold_realises_the_target_false_positive_rate(result):
    calibration = result.details["calibration"]
    for name in ("ledoit_wolf", "empirical"):
        np.testing.assert_allclose(calibration[f"{name}_realised"], calibration["fprs"], atol=0.005)
    # With an ill-conditioned covariance, Ledoit-Wolf shrinkage inflates the small eigenvalues and the
    # realised rate falls below the target: the documented bias, measured rather than hidden.
    ill = np.asarray(calibration["ledoit_wolf_ill_conditioned_realised"])
    assert np.all(ill[1:] < np.asarray(calibration["fprs"])[1:] - 0.003)


def test_digits_one_class_auroc_beats_elliptic_envelope(result):
    digits = result.details["digits"]
    assert len(digits["gaussian"]) == 10
    assert digits["gaussian_mean"] > 0.98  # spec C: ~0.99
    assert digits["gaussian_mean"] >= digits["elliptic_envelope_mean"]


def test_verdict_follows_the_checks(result):
    assert all(result.details["checks"].values())
    assert result.verdict == "reproduced"


def test_plot_returns_figures(result):
    figures = run.entry.plot(result)
    assert set(figures) == {"summary"}
    assert len(figures["summary"].axes) == 3
    for figure in figures.values():
        plt.close(figure)
