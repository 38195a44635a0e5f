"""dis-vs-gen: naive Bayes converges with far fewer samples; two regimes with correlated features."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skpapers.reproduce.dis_vs_gen import run


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


@pytest.mark.slow
def test_naive_bayes_needs_few_samples_flat_in_the_dimension(result):
    details = result.details
    m_nb, m_lr = np.array(details["m_nb"]), np.array(details["m_lr"])
    # Spec's seeded run: NB 16/8/8/8 and LR 64/128/128/256 for n = 25/50/100/200.
    assert np.all(m_nb <= 16)
    assert np.all(m_lr >= 4 * m_nb)
    assert m_lr[-1] >= 2 * m_lr[0]
    assert details["slope_nb"] <= 0.15  # flat (the theory: logarithmic)
    assert details["slope_lr"] >= 0.3  # growing (the theory: linear)
    # The easy design is well separated: Bayes error 1.2e-4 at n=25 and smaller beyond.
    bayes = [row["bayes_error"] for row in details["faster_convergence"]]
    assert bayes[0] == pytest.approx(1.2e-4, rel=0.05) and np.all(np.diff(bayes) < 0)


@pytest.mark.slow
def test_two_regimes_and_crossover(result):
    regimes = result.details["two_regimes"]
    nb, lr = np.array(regimes["mean_nb"]), np.array(regimes["mean_lr"])
    # Population values of this design (spec): Bayes 0.163, naive Bayes asymptote 0.179.
    assert regimes["bayes_error"] == pytest.approx(0.1635, abs=5e-4)
    assert regimes["nb_asymptote"] == pytest.approx(0.1786, abs=5e-4)
    # Few samples: naive Bayes ahead (spec m=80: 0.264 vs 0.301).
    assert nb[0] == pytest.approx(0.264, abs=0.015) and lr[0] == pytest.approx(0.30, abs=0.025)
    assert lr[0] - nb[0] > 0.01
    # Many samples: LR ahead, close to the Bayes error; NB close to its own asymptote.
    assert nb[-1] - lr[-1] > 0.005
    assert lr[-1] == pytest.approx(regimes["bayes_error"], abs=0.01)
    assert nb[-1] == pytest.approx(regimes["nb_asymptote"], abs=0.008)
    assert 640 <= regimes["crossover"] <= 2560  # spec: ~1300


def test_verdict_and_figures(result):
    assert result.verdict == "reproduced"
    assert result.details["faster_holds"] and result.details["two_regimes_holds"]
    figures = run.entry.plot(result)
    assert set(figures) == {"samples_needed", "two_regimes"}
    for figure in figures.values():
        assert figure.axes and figure.axes[0].lines
        plt.close(figure)
