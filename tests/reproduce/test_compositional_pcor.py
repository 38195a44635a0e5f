"""The compositional-pcor reproduction: planted structure recovered, naive correlations wrong,
alr-route partial correlations identical for every reference."""

import matplotlib.figure
import numpy as np

from skpapers.reproduce.compositional_pcor import run


def test_reproduction_quick():
    result = run(quick=True, random_state=0)
    d = result.details
    assert result.verdict == "reproduced"
    # spec: within 0.03 at n = 20000, D = 8 (seed 0 of the spec: 0.015)
    assert d["pcor_max_error"] < 0.03
    assert d["fraction_within_tolerance"] == 1.0
    # errors of the size sampling theory predicts: sd (1 - rho^2) / sqrt(n - D + 1)
    assert 0.7 < d["pcor_rms_z"] < 1.3
    # naive correlations of proportions miss the structure: large errors, edges ranked last,
    # while ours keep the sign of every planted positive partial correlation
    assert d["naive_min_error"] > 0.3
    assert d["pcor_auc"] == 1.0 and d["naive_auc"] < 0.2
    assert d["pcor_sign_ok"] == 1.0
    assert d["edges_found"] == d["true_edges"] == 13
    assert d["false_edges"] <= 1
    # reference freedom: the alr route agrees with itself and with the clr pseudo-inverse
    assert d["alr_partial_reference_spread"] < 1e-10
    assert d["alr_vs_clr_max_difference"] < 1e-10
    assert d["alr_plain_reference_spread"] > 0.3
    truth = d["first"]["truth"]
    assert np.isclose(truth[0, 7], 0.4, atol=0.01)


def test_reproduction_plot_returns_figures():
    result = run(quick=True, random_state=1)
    figures = run.entry.plot(result)
    assert figures and all(isinstance(f, matplotlib.figure.Figure) for f in figures.values())
