"""Anomaly (novelty) detectors with scikit-learn's outlier-detection API."""

from ._gaussian import GaussianAnomalyDetector
from ._reference_guided import ReferenceGuidedAnomalyDetector
from ._residual_meta import ResidualMetaLearner

__all__ = ["GaussianAnomalyDetector", "ReferenceGuidedAnomalyDetector", "ResidualMetaLearner"]
