"""The feynman-kac-correctors reproduction entry: FKC vs plain score mixing on closed-form Gaussian targets."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skpapers.reproduce import get_entries
from skpapers.reproduce.feynman_kac_correctors import plot, run


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_registered():
    (entry,) = get_entries(["feynman-kac-correctors"])
    assert entry.arxiv == "2503.02819"
    assert entry.plot is not None


def test_fkc_hits_the_targets_and_mixing_does_not(result):
    assert result.verdict == "reproduced"
    cases = {c["name"]: c for c in result.details["cases"]}
    # closed-form targets (spec): variance 0.5, 0.5 and 0.4, geometric mean (1.6, 0)
    for name, var in (("anneal beta=2", 0.5), ("product", 0.5), ("geometric beta=0.5", 0.4)):
        assert np.mean(cases[name]["target"]["var"]) == pytest.approx(var, rel=0.04)
        assert np.mean(cases[name]["fkc"]["var"]) == pytest.approx(np.mean(cases[name]["target"]["var"]), rel=0.05)
    np.testing.assert_allclose(cases["geometric beta=0.5"]["fkc"]["mean"], [1.6, 0.0], atol=0.05)
    # plain score mixing: the spec's 0.34 (annealing, product) and mean 1.33, variance 0.47 (geometric)
    np.testing.assert_allclose(np.mean(cases["anneal beta=2"]["mixing"]["var"]), 0.34, atol=0.02)
    np.testing.assert_allclose(np.mean(cases["product"]["mixing"]["var"]), 0.34, atol=0.02)
    np.testing.assert_allclose(cases["geometric beta=0.5"]["mixing"]["mean"][0], 1.33, atol=0.03)
    np.testing.assert_allclose(np.mean(cases["geometric beta=0.5"]["mixing"]["var"]), 0.47, atol=0.02)
    # the effective sample size stays usable with resampling at ESS < N / 2
    for case in cases.values():
        assert case["fkc"]["final_ess_fraction"] > 0.3


def test_plot(result):
    figures = plot(result)
    assert set(figures) == {"variances"}
    plt.close("all")
