"""Anomaly (novelty) detectors with scikit-learn's outlier-detection API."""

from ._gaussian import GaussianAnomalyDetector

__all__ = ["GaussianAnomalyDetector"]
