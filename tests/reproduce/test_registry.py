"""The reproduction registry and the ``python -m skpapers reproduce`` command."""

import pytest

from skpapers.__main__ import main
from skpapers.reproduce import ReproductionResult, get_entries, register
from skpapers.reproduce import _registry


def _empty_registry(monkeypatch):
    # Import the real entries first, so they do not register into the empty one.
    get_entries()
    monkeypatch.setattr(_registry, "_ENTRIES", {})


@pytest.fixture
def fake_entries(monkeypatch):
    _empty_registry(monkeypatch)

    @register(slug="fake-good", title="A claim that holds", arxiv="0000.00001", claim="one is one")
    def good(quick=False, random_state=0):
        return ReproductionResult(ours=f"1 (quick={quick})", reference="1", verdict="reproduced",
                                  details={"seed": random_state})

    @good.plotter
    def plot(result):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        return {"line": fig}

    @register(slug="fake-bad", title="A claim that fails", arxiv="0000.00002", claim="one is two")
    def bad(quick=False, random_state=0):
        return ReproductionResult(ours="1", reference="2", verdict="not reproduced")

    @register(slug="fake-honest", title="Known not to hold", arxiv="0000.00003", claim="x",
              expected="not reproduced")
    def honest(quick=False, random_state=0):
        return ReproductionResult(ours="1", reference="2", verdict="not reproduced")

    return good, bad, honest


def test_registered_entries_are_listed_in_slug_order(fake_entries):
    assert [entry.slug for entry in get_entries()] == ["fake-bad", "fake-good", "fake-honest"]
    with pytest.raises(ValueError, match="Unknown paper slug"):
        get_entries(["nope"])


def test_report_rows_figures_and_check(fake_entries, tmp_path, capsys):
    assert main(["reproduce", "fake-good", "fake-honest", "--quick", "--check", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "fake-good" in out and "reproduced" in out and "1 (quick=True)" in out
    report = (tmp_path / "report.md").read_text()
    assert "| fake-good | [0000.00001]" in report
    assert (tmp_path / "fake-good_line.png").stat().st_size > 0
    # An entry expected to reproduce that does not fails --check, and only --check.
    assert main(["reproduce", "fake-bad", "--out", str(tmp_path)]) == 0
    assert main(["reproduce", "fake-bad", "--check", "--out", str(tmp_path)]) == 1


def test_a_crashing_entry_is_reported_and_fails_check(monkeypatch, tmp_path, capsys):
    _empty_registry(monkeypatch)

    @register(slug="fake-crash", title="Crashes", arxiv="0000.00004", claim="x")
    def crash(quick=False, random_state=0):
        raise RuntimeError("boom")

    assert main(["reproduce", "--check", "--out", str(tmp_path)]) == 1
    assert "ERROR" in capsys.readouterr().out


def test_unknown_slug_exits_2(fake_entries, tmp_path):
    assert main(["reproduce", "nope", "--out", str(tmp_path)]) == 2


def test_invalid_verdicts_are_refused():
    with pytest.raises(ValueError, match="verdict"):
        ReproductionResult(ours="", reference="", verdict="sort of")
    with pytest.raises(ValueError, match="expected"):
        register(slug="x", title="x", arxiv="x", claim="x", expected="maybe")


def test_every_real_entry_is_well_formed():
    import re

    for entry in get_entries():
        assert re.fullmatch(r"\d{4}\.\d{4,5}", entry.arxiv), entry.slug
        assert entry.claim and entry.title
        assert entry.plot is not None, f"{entry.slug} draws no figure"
