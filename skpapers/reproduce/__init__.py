"""Reproduction of each paper's headline claim.

Each module here registers one paper (its slug is the spec's file name) with
:func:`register`. ``python -m skpapers reproduce`` runs the entries and writes
a report; :func:`get_entries` and :meth:`ReproductionEntry.run` do the same
from Python.
"""

from ._registry import ReproductionEntry, ReproductionResult, get_entries, register
