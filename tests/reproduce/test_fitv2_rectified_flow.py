import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from skpapers.reproduce.fitv2_rectified_flow import energy_distance, plot, run  # noqa: E402


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


def test_energy_distance_matches_its_definition():
    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(30, 2)), rng.normal(1.0, 1.0, size=(40, 2))
    pair = lambda A, B: np.mean([np.linalg.norm(a - b) for a in A for b in B])  # noqa: E731
    assert energy_distance(X, Y) == pytest.approx(2 * pair(X, Y) - pair(X, X) - pair(Y, Y), rel=1e-12)


@pytest.mark.slow
def test_rectified_flow_reproduction(result):
    err = result.details["covariance_error"]
    # oracle: an adaptive RK45 integration of the exact Gaussian flow leaves only the Monte Carlo error
    # of a 20000-sample covariance (~1%); 20 Heun steps reach it, Euler is first order
    assert err["rk45_1"] < 0.015
    assert err["heun_20"] < 1.5 * err["rk45_1"] + 0.002
    assert err["euler_100"] < 0.05  # measured 0.032 (spec: ~0.02)
    assert err["euler_400"] < err["euler_100"] / 1.5
    ed = result.details["energy_distance"]
    floor = result.details["noise_floor"]
    assert 0.001 < floor < 0.006
    # both learned flows beat one Gaussian; a 10-component mixture is near the noise level on 2-D moons
    assert max(ed["uniform"], ed["logit_normal"]) < ed["gmm1"]
    assert ed["gmm10"] < min(ed["uniform"], ed["logit_normal"])
    # the logit-normal vs uniform comparison is reported, not asserted (the spec found no gain in 2-D);
    # the verdict follows from the numbers above
    # classifier-free guidance: w = 0 is the unconditional flow (chance accuracy), w = 1 the class laws (the
    # accuracy of the real rows: two binomial errors of sd ~0.009 each, measured gaps <= 0.02 over three seeds),
    # larger w sharpens the classes and shrinks their spread
    g = result.details["guidance"]
    assert g["scales"] == [0.0, 1.0, 1.5, 2.0, 3.0]
    for name in ("exact", "learned"):
        acc, spread = g["accuracy"][name], g["spread"][name]
        assert abs(acc[0] - 1 / 3) < 0.05
        assert abs(acc[1] - g["real_accuracy"]) < 0.04
        assert acc[1] < acc[2] < acc[3] and acc[4] > 0.97
        assert np.all(np.diff(spread) < 0)
        assert abs(spread[1] - g["real_spread"]) < 0.1 * g["real_spread"]
    assert result.verdict in {"reproduced", "partly reproduced"}
    figures = plot(result)
    assert set(figures) == {"time_sampling", "guidance"}
    matplotlib.pyplot.close("all")
