"""raschka-evaluation: type I error on a simulated null, iris 5x2cv tests, .632 vs .632+ on noise."""

import matplotlib.pyplot as plt
import pytest

from skpapers.reproduce.raschka_evaluation import ALPHA, plot, run


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


@pytest.mark.slow
def test_resampled_ttest_is_liberal_and_5x2cv_tests_are_not(result):
    rows = result.details["type_one_error"]
    # 25 nulls: a rate of 0.2 has a Wilson interval of about [0.09, 0.39], clearly above alpha
    assert rows["resampled t"]["rate"] >= 0.2 and rows["resampled t"]["low"] > ALPHA
    assert rows["resampled t"]["rate"] > rows["10-fold CV t"]["rate"] >= rows["5x2cv F"]["rate"]
    # at most one rejection in 25 (4%): compatible with the nominal 5%
    assert rows["5x2cv t"]["rate"] <= 0.04 and rows["5x2cv F"]["rate"] <= 0.04


@pytest.mark.slow
def test_iris_stump_differs_full_tree_does_not(result):
    iris = result.details["iris"]
    assert iris["stump"]["5x2cv t"] < 0.01 and iris["stump"]["5x2cv F"] < 0.01
    assert iris["tree"]["5x2cv t"] > 0.05 and iris["tree"]["5x2cv F"] > 0.05
    assert iris["stump"]["t"] > 0  # logistic regression is the better model


@pytest.mark.slow
def test_632_plus_fixes_the_optimism_of_632_on_noise(result):
    boot = result.details["noise_bootstrap"]
    assert boot["oob"] == pytest.approx(0.5, abs=0.04)
    assert boot[".632+"] == pytest.approx(0.5, abs=0.04)
    # Efron & Tibshirani: E[.632] ~ 0.632 * 0.5 + 0.368 * (0.632 + 0.368 * 0.5) = 0.616 for 1-NN
    assert boot[".632"] == pytest.approx(0.616, abs=0.03)
    assert result.verdict == "reproduced" and all(result.details["checks"].values())


@pytest.mark.slow
def test_plot_returns_figures(result):
    figures = plot(result)
    assert set(figures) == {"raschka_evaluation"}
    assert len(figures["raschka_evaluation"].axes) == 3
    plt.close("all")
