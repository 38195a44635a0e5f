"""Anomaly (novelty) detectors with scikit-learn's outlier-detection API."""

__all__ = []
