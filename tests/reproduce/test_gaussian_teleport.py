import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from skpapers.reproduce.gaussian_teleport import energy_distance, plot, run  # noqa: E402


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_energy_distance_matches_its_definition():
    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(30, 2)), rng.normal(1.0, 1.0, size=(40, 2))
    pair = lambda A, B: np.mean([np.linalg.norm(a - b) for a in A for b in B])  # noqa: E731
    assert energy_distance(X, Y) == pytest.approx(2 * pair(X, Y) - pair(X, X) - pair(Y, Y), rel=1e-12)
    assert energy_distance(X, X) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.slow
def test_teleportation_keeps_quality_and_saves_steps(result):
    d = result.details
    # oracle: the closed-form flow equals solve_ivp at sigma 10, 1, 0.002
    assert max(d["ode_max_abs_error"].values()) < 1e-8
    ed = np.array(d["energy_distance"])
    # i.i.d. noise level (1/n + 1/m) E|X - X'| ~ 0.0025 at n = m = 1000; a single Gaussian is ~0.1 away
    assert 0.001 < d["noise_floor"] < 0.005
    assert 0 < ed[0] < 0.02
    # every skip up to 6 of 17 steps (35%, teleport target sigma ~8.4) stays within the noise level
    assert d["skips"][:4] == [0, 2, 4, 6]
    assert np.all(ed[:4] <= ed[0] + d["noise_floor"])
    assert d["kept_fraction"] >= 6 / 17
    # ... but not for ever: jumping to sigma ~0.3 (12 of 17 steps) loses the moons' shape
    assert d["skips"][6] == 12 and ed[6] > ed[0] + d["noise_floor"]
    assert d["largest_kept_skip"] < 12
    assert d["teleport_sigma"][3] == pytest.approx(8.4, abs=0.1)
    assert d["evaluations"][:4] == [34, 30, 26, 22]
    assert d["evaluations_saved"] >= 0.35
    ev = d["explained_variance"]["kernel"]
    assert ev[0] > 0.99 and ev[-1] < 0.5 and np.all(np.diff(ev) <= 1e-6)
    assert result.verdict == "reproduced"
    figures = plot(result)
    assert set(figures) == {"teleportation"}
    matplotlib.pyplot.close("all")
