"""Result objects shared by the audit tests, shaped like ``scipy.stats`` results."""

from dataclasses import dataclass, fields

import numpy as np


@dataclass(frozen=True, repr=False)
class _TestResult:
    """A hypothesis test's outcome: ``statistic``, ``pvalue`` and the method's extras.

    Unpacks like a scipy result (``statistic, pvalue = result``) and keeps the
    extras as attributes.
    """

    statistic: float
    pvalue: float

    def __iter__(self):
        return iter((self.statistic, self.pvalue))

    def __repr__(self):
        parts = []
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray) and value.size > 6:
                value = f"array(shape={value.shape})"
            parts.append(f"{field.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"
