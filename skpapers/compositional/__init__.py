"""Compositional data: log-ratio coordinates and reference-free partial correlations."""

from ._log_ratio import LogRatioTransformer
from ._partial_correlation import (
    CompositionalPartialCorrelation,
    PartialCorrelationTestResult,
    compositional_partial_corr,
)

__all__ = [
    "CompositionalPartialCorrelation",
    "LogRatioTransformer",
    "compositional_partial_corr",
]
