"""Small result containers shared by the evaluation functions (scipy.stats style)."""

import numpy as np


class TestResult:
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

    __test__ = False  # not a pytest test class

    def __init__(self, statistic, pvalue, **extras):
        self.statistic = float(statistic)
        self.pvalue = float(pvalue)
        for name, value in extras.items():
            setattr(self, name, value)
        self._extras = tuple(extras)

    def __iter__(self):
        return iter((self.statistic, self.pvalue))

    def __len__(self):
        return 2

    def __getitem__(self, index):
        return (self.statistic, self.pvalue)[index]

    def __repr__(self):
        parts = [f"statistic={self.statistic!r}", f"pvalue={self.pvalue!r}"]
        for name in self._extras:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                value = f"array(shape={value.shape})"
            else:
                value = repr(value)
            parts.append(f"{name}={value}")
        return f"TestResult({', '.join(parts)})"


class ConfidenceInterval:
    """A point estimate with a two-sided confidence interval.

    Unpacks to ``(low, high)``.

    Parameters
    ----------
    estimate : float
        The point estimate.
    low, high : float
        Bounds of the interval.
    confidence : float
        Confidence level of the interval.
    method : str
        How the interval was computed.
    """

    def __init__(self, estimate, low, high, confidence, method):
        self.estimate = float(estimate)
        self.low = float(low)
        self.high = float(high)
        self.confidence = float(confidence)
        self.method = method

    def __iter__(self):
        return iter((self.low, self.high))

    def __repr__(self):
        return (
            f"ConfidenceInterval(estimate={self.estimate!r}, low={self.low!r}, high={self.high!r}, "
            f"confidence={self.confidence!r}, method={self.method!r})"
        )
