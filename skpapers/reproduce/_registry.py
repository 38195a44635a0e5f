"""The registry of reproduction entries, one per implemented paper."""

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable

VERDICTS = ("reproduced", "partly reproduced", "not reproduced")


@dataclass
class ReproductionResult:
    """What one run of a paper's reproduction found.

    Attributes
    ----------
    ours : str
        Our measured figure, in one short line (e.g. ``"hull AUC 0.861 vs 0.853"``).
    reference : str
        The paper's figure, or the oracle it is compared with, in one short line.
    verdict : {"reproduced", "partly reproduced", "not reproduced"}
        Whether ``ours`` supports the paper's claim.
    details : dict
        The numbers behind the verdict; tests assert on them and the entry's
        ``plot`` function draws them.
    """

    ours: str
    reference: str
    verdict: str
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}; got {self.verdict!r}.")


@dataclass
class ReproductionEntry:
    """One paper's reproduction: its claim, how to run it and how to draw it.

    Attributes
    ----------
    slug : str
        The paper's spec name (``smote``, ``presto``, ...).
    title : str
    arxiv : str
        arXiv identifier, e.g. ``"1106.1813"``.
    claim : str
        The claim checked, in one sentence.
    run : callable
        ``run(quick=False, random_state=0) -> ReproductionResult``.
    plot : callable or None
        ``plot(result) -> dict[str, matplotlib.figure.Figure]``; needs matplotlib.
    expected : str
        The verdict the entry is expected to give; ``--check`` fails when an
        entry expected to reproduce does not.
    """

    slug: str
    title: str
    arxiv: str
    claim: str
    run: Callable
    plot: Callable | None = None
    expected: str = "reproduced"


_ENTRIES = {}


def register(*, slug, title, arxiv, claim, expected="reproduced"):
    """Register a paper's reproduction; decorates its ``run`` function.

    The decorated function gains a ``plot`` attribute setter: decorate the
    plotting function with ``@run.plotter``.

    Parameters
    ----------
    slug, title, arxiv, claim, expected : str
        See :class:`ReproductionEntry`.

    Returns
    -------
    decorator : callable
    """
    if expected not in VERDICTS:
        raise ValueError(f"expected must be one of {VERDICTS}; got {expected!r}.")

    def decorator(run):
        entry = ReproductionEntry(slug=slug, title=title, arxiv=arxiv, claim=claim, run=run, expected=expected)

        def plotter(plot):
            entry.plot = plot
            return plot

        run.plotter = plotter
        run.entry = entry
        _ENTRIES[slug] = entry
        return run

    return decorator


def get_entries(slugs=None):
    """Return the registered entries, in slug order.

    Parameters
    ----------
    slugs : list of str or None
        Only these (unknown slugs raise ``ValueError``); None means all.

    Returns
    -------
    entries : list of ReproductionEntry
    """
    import skpapers.reproduce as package

    for _, name, _ in pkgutil.iter_modules(package.__path__):
        if not name.startswith("_"):
            importlib.import_module(f"{package.__name__}.{name}")
    if not slugs:
        return [_ENTRIES[slug] for slug in sorted(_ENTRIES)]
    unknown = sorted(set(slugs) - set(_ENTRIES))
    if unknown:
        raise ValueError(f"Unknown paper slug(s) {unknown}; registered: {sorted(_ENTRIES)}.")
    return [_ENTRIES[slug] for slug in slugs]
