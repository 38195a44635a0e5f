"""Confidence estimation: heads that say how likely a base model is to be right."""

from ._conftuner import TokenizedBrierConfidenceClassifier
from ._metrics import expected_calibration_error, tokenized_brier_score

__all__ = [
    "TokenizedBrierConfidenceClassifier",
    "expected_calibration_error",
    "tokenized_brier_score",
]
