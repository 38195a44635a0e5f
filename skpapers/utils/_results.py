"""Result objects of the package's hypothesis tests, shaped like ``scipy.stats`` results.

One behaviour for every test: the result unpacks to ``(statistic, pvalue)``
and keeps the method's other outputs as attributes, and its repr summarises
long arrays instead of printing them.
"""

from dataclasses import dataclass, fields

import numpy as np


class _ScipyLikeResult:
    """Unpacking and repr shared by the result classes below."""

    __test__ = False  # not a pytest test class

    def __iter__(self):
        return iter((self.statistic, self.pvalue))

    def __len__(self):
        return 2

    def __getitem__(self, index):
        return (self.statistic, self.pvalue)[index]

    def _items(self):
        raise NotImplementedError

    def __repr__(self):
        parts = []
        for name, value in self._items():
            if isinstance(value, np.ndarray) and value.size > 6:
                value = f"array(shape={value.shape})"
            else:
                value = repr(value)
            parts.append(f"{name}={value}")
        return f"{type(self).__name__}({', '.join(parts)})"


class TestResult(_ScipyLikeResult):
    """Outcome of a hypothesis test: ``statistic``, ``pvalue`` and extras.

    Unpacks to ``(statistic, pvalue)`` like the results of ``scipy.stats``;
    every other output of the test (degrees of freedom, the score
    differences, ...) is an attribute.

    Parameters
    ----------
    statistic : float
        The test statistic.
    pvalue : float
        The p-value.
    **extras : dict
        Further outputs, stored as attributes.
    """

    def __init__(self, statistic, pvalue, **extras):
        self.statistic = float(statistic)
        self.pvalue = float(pvalue)
        for name, value in extras.items():
            setattr(self, name, value)
        self._extras = tuple(extras)

    def _items(self):
        yield "statistic", self.statistic
        yield "pvalue", self.pvalue
        for name in self._extras:
            yield name, getattr(self, name)


@dataclass(frozen=True, repr=False)
class FieldsTestResult(_ScipyLikeResult):
    """Base of results whose outputs are declared dataclass fields.

    Subclasses are frozen dataclasses that add their own fields after
    ``statistic`` and ``pvalue``.
    """

    statistic: float
    pvalue: float

    def _items(self):
        for field in fields(self):
            yield field.name, getattr(self, field.name)
