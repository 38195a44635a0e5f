"""The entropy-adaptive-decoding reproduction: the paper's savings and the accuracy/cost curves."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skpapers.reproduce import get_entries
from skpapers.reproduce.entropy_adaptive_decoding import plot, run


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_registered():
    (entry,) = get_entries(["entropy-adaptive-decoding"])
    assert entry.arxiv == "2502.06833"
    assert entry.plot is not None


def test_paper_cost_arithmetic(result):
    costs = result.details["costs"]
    assert costs["llama_saving"] == pytest.approx(0.415, abs=5e-4)
    assert costs["qwen_saving"] == pytest.approx(0.67, abs=5e-3)


def test_digits_cascade_keeps_the_large_model_accuracy(result):
    digits = result.details["digits"]
    grid = result.details["fractions_grid"]
    # Spec prototype: small 0.958, large 0.971; 10% escalated keeps 99.9%, 25% keeps 100%.
    assert digits["small"] == pytest.approx(0.958, abs=0.01)
    assert digits["large"] == pytest.approx(0.971, abs=0.01)
    assert digits["retained"][grid.index(0.1)] >= 0.99
    assert digits["retained"][grid.index(0.25)] >= 0.995
    np.testing.assert_allclose(digits["fractions"], grid, atol=0.01)  # the quantile hits the asked fraction


def test_hard_task_beats_random_routing(result):
    hard = result.details["hard"]
    i50 = result.details["fractions_grid"].index(0.5)
    assert hard["retained"][i50] == pytest.approx(0.91, abs=0.03)
    # Entropy routing is at least as good as random routing at every intermediate fraction.
    assert all(c >= r - 0.005 for c, r in zip(hard["cascade"][1:-1], hard["random"][1:-1]))
    assert hard["cascade"][i50] > hard["random"][i50] + 0.02


def test_sequential_rolling_entropy(result):
    seq = result.details["sequential"]
    w5, w1 = seq["w5_spec"], seq["w1_spec"]
    # Spec prototype (100 sequences): small 0.768, large 0.932; w=5, tau=0.6: 31% large, 0.868;
    # w=1, tau=0.8: 33%, 0.850; random routing at 30%: 0.819. Quick mode uses 50 sequences.
    assert seq["small"] == pytest.approx(0.768, abs=0.02)
    assert seq["large"] == pytest.approx(0.932, abs=0.02)
    assert w5["fraction"] == pytest.approx(0.31, abs=0.05)
    assert w5["accuracy"] == pytest.approx(0.868, abs=0.02)
    assert w1["fraction"] == pytest.approx(0.33, abs=0.05)
    assert w1["accuracy"] == pytest.approx(0.850, abs=0.02)
    assert w5["accuracy"] > seq["random_at_w5_fraction"] + 0.02
    assert w5["relative_cost"] == pytest.approx(w5["fraction"] + (1 - w5["fraction"]) * 0.1)


def test_verdict(result):
    assert all(result.details["checks"].values())
    assert result.verdict == "reproduced"


def test_plot(result):
    figures = plot(result)
    assert set(figures) == {"accuracy_vs_expensive_calls"}
    for fig in figures.values():
        assert isinstance(fig, plt.Figure)
        plt.close(fig)
