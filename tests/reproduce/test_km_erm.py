"""The km-erm reproduction entry: naive fits under-estimate durations, Kaplan-Meier ERM does not."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skpapers.reproduce import get_entries
from skpapers.reproduce.km_erm import run


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_registered():
    (entry,) = get_entries(["km-erm"])
    assert entry.arxiv == "1906.01908"
    assert entry.plot is not None


def test_independent_censoring(result):
    a = result.details["independent"]
    mse, bias = a["mean_mse"], a["mean_bias"]
    # spec prototype: oracle ~0.02, KM ~0.14, naive and drop ~1.13, ~38% censored
    assert 0.33 < a["censored_fraction"] < 0.43
    assert mse["oracle"] < 0.05
    assert 0.05 < mse["km"] < 0.25
    assert 0.9 < mse["naive"] < 1.4 and 0.9 < mse["drop"] < 1.4
    assert a["km_beats_naive_fraction"] == 1.0
    # naive fits predict about one unit (of a mean of 2.5) too short; KM ERM is within 0.15
    assert bias["naive"] < -0.8 and bias["drop"] < -0.8
    assert abs(bias["km"]) < 0.15


def test_scikit_survival_oracle(result):
    assert result.details["independent"]["ipcridge_max_rel_diff"] < 1e-10


def test_dependent_censoring_needs_beran(result):
    b = result.details["dependent"]
    mse = b["mean_mse"]
    # spec prototype: KM ~0.41, Beran ~0.22, naive ~1.32
    assert 0.29 < b["censored_fraction"] < 0.39
    assert 0.3 < mse["km"] < 0.7
    assert 0.15 < mse["beran"] < 0.35
    assert 1.1 < mse["naive"] < 1.5
    assert b["beran_beats_km_fraction"] == 1.0


def test_veterans_bias_is_reduced_not_removed(result):
    c = result.details["veterans"]
    assert c["n_patients"] == 128
    bias = c["mean_bias"]
    assert bias["naive"] < -0.45 and bias["drop"] < -0.3
    # KM ERM cuts the downward bias by about three quarters, a residual remains (the 999-day tail is
    # almost never observed under exponential censoring with mean 150 days)
    assert -0.25 < bias["km"] < -0.05
    assert abs(bias["km"]) < 0.5 * abs(bias["naive"])
    assert c["km_beats_naive_fraction"] >= 0.9
    # with lighter censoring (~27%) more long durations are observed and the residual shrinks
    light = c["light"]
    assert 0.22 < light["censored_fraction"] < 0.32
    assert abs(light["mean_bias"]["km"]) < abs(bias["km"])
    assert abs(light["mean_bias"]["km"]) < 0.3 * abs(light["mean_bias"]["naive"])


def test_verdict_follows_the_checks(result):
    checks = result.details["checks"]
    assert checks["independent"] and checks["dependent"] and checks["ipcridge"] and checks["veterans_reduced"]
    assert not checks["veterans_removed"]
    assert result.verdict == "partly reproduced"


def test_plot(result):
    figures = run.entry.plot(result)
    assert set(figures) == {"mse", "calibration"}
    for figure in figures.values():
        assert figure.axes
        plt.close(figure)
