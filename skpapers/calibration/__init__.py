"""Confidence estimation: heads that say how likely a base model is to be right."""

from ._calibrator import ConfTunerCalibrator
from ._conftuner import TokenizedBrierConfidenceClassifier
from ._metrics import expected_calibration_error, tokenized_brier_score

__all__ = [
    "ConfTunerCalibrator",
    "TokenizedBrierConfidenceClassifier",
    "expected_calibration_error",
    "tokenized_brier_score",
]
