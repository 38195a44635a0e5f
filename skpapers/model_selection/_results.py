"""Confidence intervals of the evaluation functions.

The hypothesis tests return ``skpapers.utils._results.TestResult``.
"""


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
