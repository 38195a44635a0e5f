import matplotlib

matplotlib.use("Agg")
import numpy as np

from skpapers.reproduce.pld import METHODS, run


def test_quick_reproduction_pld_beats_cross_entropy_without_a_mixing_weight():
    result = run(quick=True, random_state=0)
    accuracy = {method: np.asarray(values) for method, values in result.details["accuracy"].items()}
    mean = result.details["mean_accuracy"]
    # The claim: PLD alone is more accurate than CE, on average and seed by seed
    # (measured on the quick run: +4.4 points, 3/3 seeds).
    assert mean["PLD"] - mean["CE"] > 0.02
    assert np.all(accuracy["PLD"] > accuracy["CE"])
    assert result.verdict == "reproduced"
    # What the spec's prototype saw and we report: plain KD with its tuned weight stays ahead of PLD on this
    # tabular task (measured +0.6 points quick, +1.9 points full), and PLD beats ListMLE (the teacher weights matter).
    assert -0.01 < result.details["kd_minus_pld"] < 0.05
    assert mean["PLD"] > mean["ListMLE"]
    # Every student trails its teacher; accuracies are real 10-class accuracies, far above chance (0.1).
    for method in METHODS:
        assert np.all((accuracy[method] > 0.3) & (accuracy[method] < accuracy["teacher"]))
    figures = run.entry.plot(result)
    assert set(figures) == {"pld_student_accuracy"}
    assert len(figures["pld_student_accuracy"].axes) == 2
