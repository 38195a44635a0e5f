import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from skpapers.reproduce.smote import U_GRID, run  # noqa: E402


@pytest.fixture(scope="module")
def result():
    return run(quick=True, random_state=0)


@pytest.mark.slow
def test_smote_plus_under_sampling_matches_or_beats_under_sampling_alone(result):
    details = result.details
    under = np.array(details["auc"]["0"])
    smote = np.array(details["auc"]["200"])
    assert under.size == smote.size == 6
    # hull AUCs of a useful but imperfect tree on this problem
    assert np.all((under > 0.7) & (under < 0.97)) and np.all((smote > 0.7) & (smote < 0.97))
    gain = smote - under
    assert details["gain"]["200"] == pytest.approx(gain.mean())
    assert details["standard_error"]["200"] == pytest.approx(gain.std(ddof=1) / np.sqrt(gain.size))
    # the paper's claim, "dominates or matches": on average not worse than one standard error
    assert gain.mean() > -details["standard_error"]["200"]
    assert details["wins"]["200"] >= 3
    assert result.verdict in ("reproduced", "partly reproduced")


@pytest.mark.slow
def test_verdict_follows_the_stated_rule(result):
    gain, se = result.details["gain"]["200"], result.details["standard_error"]["200"]
    expected = "reproduced" if gain > 2 * se else "partly reproduced" if gain > -se or gain > 0 else "not reproduced"
    assert result.verdict == expected
    fpr, tpr = result.details["points_first_seed"]["0"]
    assert len(fpr) == len(tpr) == len(U_GRID[::3])


@pytest.mark.slow
def test_plot_returns_figures(result):
    figures = run.entry.plot(result)
    assert set(figures) == {"smote_rocch"}
    ax_roc, ax_auc = figures["smote_rocch"].axes
    assert len(ax_roc.get_lines()) == 2 and len(ax_auc.get_lines()) == 2
