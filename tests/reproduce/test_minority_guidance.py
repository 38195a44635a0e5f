import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from skpapers.reproduce.minority_guidance import energy_distance, make_data, plot, run  # noqa: E402


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_energy_distance_is_zero_on_itself_and_positive_apart():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 2))
    assert energy_distance(X, X) == pytest.approx(0.0, abs=1e-12)
    assert energy_distance(X, X + 2.0) > 1.0


def test_true_density_integrates_to_one():
    _, _, log_density = make_data(0)
    g = np.linspace(-6, 7, 400)
    xx, yy = np.meshgrid(g, g)
    total = np.exp(log_density(np.c_[xx.ravel(), yy.ravel()])).sum() * (g[1] - g[0]) ** 2
    assert total == pytest.approx(1.0, abs=1e-3)


def test_guidance_lowers_density_and_matches_oracle(result):
    d = result.details
    assert result.verdict == "reproduced"
    ld, knn = d["mean_log_density"], d["knn_distance"]
    assert ld[0] > ld[1] > ld[2] and knn[0] < knn[1] < knn[2]
    # the spec's full run (2000 samples, 300 steps): -3.02 / -4.18 at w = 0 / 1, 0.14 / 0.23 for 5-NN
    assert ld[0] == pytest.approx(-3.02, abs=0.2) and ld[1] == pytest.approx(-4.18, abs=0.3)
    assert knn[0] == pytest.approx(0.14, abs=0.03) and knn[1] == pytest.approx(0.23, abs=0.05)
    assert d["near_minority_share"][2] > 2 * d["near_minority_share"][0]
    # oracle: w = 1 with the exact posterior is the KDE of the top level's rows
    assert d["energy_oracle"] < 3 * d["energy_floor"] + 0.005
    assert d["energy_all"] > 10 * d["energy_oracle"]


def test_over_sampling_against_smote_as_measured(result):
    o = result.details["over_sampling"]
    # both over-samplers help a plain logistic regression; the unguided diffusion sampler is on par with SMOTE
    assert o["SMOTE"]["balanced_accuracy"] > o["none"]["balanced_accuracy"] + 0.1
    assert o["diffusion w=0"]["balanced_accuracy"] == pytest.approx(o["SMOTE"]["balanced_accuracy"], abs=0.05)
    # steering to the class's own rare regions hurts this linear task (an honest negative)
    assert o["minority w=3"]["balanced_accuracy"] < o["diffusion w=0"]["balanced_accuracy"]


def test_plot_returns_figures(result):
    figs = plot(result)
    assert set(figs) == {"minority_guidance"}
    assert len(figs["minority_guidance"].axes) >= 4
