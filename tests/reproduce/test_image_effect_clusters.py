"""The image-effect-clusters reproduction: planted effect types recovered, T-learner beaten."""

import matplotlib.pyplot as plt
import pytest

from skpapers.reproduce import get_entries
from skpapers.reproduce.image_effect_clusters import run


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_registered():
    (entry,) = get_entries(["image-effect-clusters"])
    assert entry.arxiv == "2206.06417"
    assert entry.plot is not None


def test_planted_clusters_are_recovered(result):
    d = result.details
    # spec prototype: effects (-1, 2) to +-0.1, gating slope 2 to +-0.25, typing 0.77-0.78 (Bayes 0.777)
    assert d["max_effect_error"] < 0.15
    assert d["max_slope_error"] < 0.35
    assert d["accuracy"] > d["bayes_accuracy"] - 0.02
    # the outcome sharpens the typing of trial units beyond what the features alone allow
    assert d["accuracy_train_posterior"] > d["accuracy_train"]


def test_beats_the_t_learner_on_new_units(result):
    d = result.details
    assert d["cate_mse_mixture"] < 0.05
    assert d["cate_mse_mixture"] < 0.5 * d["cate_mse_t_learner"]
    assert d["accuracy"] > d["posthoc_accuracy"]


def test_causal_penalty_ties_ate_to_difference_in_means(result):
    d = result.details
    assert d["ate_gap_penalised"] < 1e-2
    assert d["ate_gap_penalised"] < d["ate_gap_free"]


def test_verdict_and_plot(result):
    assert result.verdict == "reproduced"
    (entry,) = get_entries(["image-effect-clusters"])
    figures = entry.plot(result)
    assert set(figures) == {"image_effect_clusters"}
    plt.close("all")
