import matplotlib

matplotlib.use("Agg")
import numpy as np

from skpapers.reproduce.dhkd import VARIANTS, run


def test_quick_reproduction_dhkd_reports_what_it_measures():
    result = run(quick=True, random_state=0)
    details = result.details
    accuracy, mean = details["accuracy"], details["mean_accuracy"]
    assert set(accuracy) == set(VARIANTS)
    n_seeds = len(details["seeds"])
    assert all(len(values) == n_seeds for values in accuracy.values())
    # Students learn something but stay below the teacher (5 classes: chance is about 0.2).
    assert 0.4 < min(mean.values()) and max(mean.values()) < details["teacher_accuracy"] + 0.01
    # Measured (quick, seed 0): CE 0.585, KD 0.614, single 0.599, DHKD 0.563, DHKD(0.1) 0.587.
    # Hinton KD helps over CE on every seed: the teacher carries usable information.
    assert np.all(np.asarray(accuracy["KD"]) > np.asarray(accuracy["CE"]))
    # The paper's collapse does not appear: the single head is not below CE on average...
    assert mean["single head"] >= mean["CE"] - 0.005
    # ...and DHKD with the paper's CIFAR weight is below both CE and KD on average.
    assert mean["DHKD"] < mean["CE"] and mean["DHKD"] < mean["KD"]
    # The verdict follows from the claims computed on these numbers.
    claims = details["claims"]
    assert not claims["single head below CE"] and not claims["DHKD above CE and KD"]
    assert result.verdict == "not reproduced"
    pairs = details["paired_differences"]
    np.testing.assert_allclose(
        pairs["DHKD - KD"]["mean"], np.mean(np.subtract(accuracy["DHKD"], accuracy["KD"])), atol=1e-12
    )
    figures = run.entry.plot(result)
    assert set(figures) == {"dhkd_accuracy"}
    assert len(figures["dhkd_accuracy"].axes) == 1
