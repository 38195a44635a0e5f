"""Run reproduction entries and write the report (``python -m skpapers reproduce``)."""

import sys
import time
import traceback
from pathlib import Path

from ._registry import get_entries


def _escape(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _save_figures(entry, result, out):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return [], "matplotlib is not installed: no figures (pip install skpapers[plot])"
    paths = []
    for name, figure in entry.plot(result).items():
        path = out / f"{entry.slug}_{name}.png"
        figure.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(figure)
        paths.append(path)
    return paths, None


def main_reproduce(slugs=(), quick=False, out="reproduction", check=False, random_state=0, list_only=False):
    """Run the entries, print one row each, write ``out/report.md``; return the exit code."""
    try:
        entries = get_entries(list(slugs))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if list_only:
        for entry in entries:
            print(f"{entry.slug:<28} arXiv:{entry.arxiv:<12} {entry.title}")
        return 0

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    header = f"{'paper':<22} {'verdict':<18} {'seconds':>8}  ours  |  reference"
    print(header)
    print("-" * len(header))
    rows, failures, notes = [], [], []
    for position, entry in enumerate(entries, start=1):
        print(f"[{position}/{len(entries)}] running {entry.slug} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            result = entry.run(quick=quick, random_state=random_state)
            figures, note = _save_figures(entry, result, out) if entry.plot is not None else ([], None)
        except Exception:  # a broken entry is reported, not allowed to stop the others
            seconds = time.perf_counter() - start
            message = traceback.format_exc(limit=3)
            print(f"{entry.slug:<22} {'ERROR':<18} {seconds:8.1f}  {message.splitlines()[-1]}")
            rows.append((entry, "ERROR", message.splitlines()[-1], "", seconds, []))
            failures.append(entry.slug)
            continue
        seconds = time.perf_counter() - start
        if note:
            notes.append(note)
        print(f"{entry.slug:<22} {result.verdict:<18} {seconds:8.1f}  {result.ours}  |  {result.reference}")
        rows.append((entry, result.verdict, result.ours, result.reference, seconds, figures))
        if entry.expected == "reproduced" and result.verdict != "reproduced":
            failures.append(entry.slug)

    lines = [
        "# skpapers reproduction report",
        "",
        f"Mode: {'quick' if quick else 'full'}; random_state={random_state}.",
        "",
        "| paper | arXiv | claim | verdict | ours | reference | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for entry, verdict, ours, reference, seconds, _ in rows:
        lines.append(
            f"| {entry.slug} | [{entry.arxiv}](https://arxiv.org/abs/{entry.arxiv}) | {_escape(entry.claim)} "
            f"| {verdict} | {_escape(ours)} | {_escape(reference)} | {seconds:.1f} |"
        )
    for entry, _, _, _, _, figures in rows:
        if figures:
            lines += ["", f"## {entry.slug}: {entry.title}", ""]
            lines += [f"![{path.stem}]({path.name})" for path in figures]
    lines += [""] + [f"Note: {note}" for note in sorted(set(notes))]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    print(f"\nreport written to {out / 'report.md'}", file=sys.stderr)

    if failures:
        print(f"not reproduced or failed: {', '.join(failures)}", file=sys.stderr)
        if check:
            return 1
    return 0
