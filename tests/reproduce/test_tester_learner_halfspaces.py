"""The tester-learner-halfspaces reproduction entry, with the spec's figures as tolerances."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skpapers.reproduce import get_entries
from skpapers.reproduce.tester_learner_halfspaces import run


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_registered():
    (entry,) = get_entries(["tester-learner-halfspaces"])
    assert entry.arxiv == "2302.14853"
    assert entry.plot is not None


def test_learner_recovers_the_direction_and_nearly_the_best_error(result):
    massart = result.details["scenarios"]["gaussian_massart"]
    # Spec prototype: angle/pi ~ 0.005 with 10000 learning rows in d = 10.
    assert massart["angle_over_pi"] < 0.01
    assert massart["excess_error_when_accepted"] < 0.01
    # LogisticRegression has no edge over the ramp-loss learner here.
    assert massart["error"] <= massart["logistic_error"] + 0.002
    adversarial = result.details["scenarios"]["gaussian_adversarial"]
    assert adversarial["error"] - adversarial["best_error"] < 0.01
    assert adversarial["error"] < adversarial["logistic_error"]


def test_tester_accepts_gaussian_data(result):
    # Nominal family-wise level 0.05 (spec prototype accepted 17/20).
    assert result.details["scenarios"]["gaussian_massart"]["acceptance"] >= 5 / 6
    assert result.details["scenarios"]["gaussian_adversarial"]["acceptance"] >= 2 / 3


def test_tester_rejects_the_spec_soundness_cases(result):
    rejection = result.details["rejection_rate"]
    # Spec: uniform and N(0, 1.69 I) rejected 10/10.
    assert rejection["uniform"] == 1.0
    assert rejection["scaled_1.3"] == 1.0
    assert min(rejection.values()) >= 2 / 3
    failed = result.details["scenarios"]["uniform"]["failed_tests"]
    assert failed.get("band_mass", 0) == result.details["scenarios"]["uniform"]["n"]


def test_verdict_follows_the_numbers(result):
    assert result.verdict == "reproduced"
    assert np.isfinite(result.details["scenarios"]["gaussian_massart"]["error"])


def test_plot_returns_figures(result):
    figures = run.entry.plot(result)
    assert set(figures) == {"acceptance_and_error"}
    assert all(isinstance(fig, plt.Figure) for fig in figures.values())
    plt.close("all")
