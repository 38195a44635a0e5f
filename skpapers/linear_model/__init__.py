"""Linear models built on the shared loss / penalty / solver core."""

from ._logistic_gd import LogisticGDClassifier
from ._lp_regression import LpRegression, SampledLpRegression
from ._perceptron import BatchPerceptronClassifier
from ._presto import PRESTOClassifier
from ._presto_cv import PRESTOClassifierCV
from ._tester_learner import (
    TestableHalfspaceClassifier,
    TesterRejectedError,
    TesterRejectionWarning,
    halfspace_band_test,
)

__all__ = [
    "BatchPerceptronClassifier",
    "LogisticGDClassifier",
    "LpRegression",
    "PRESTOClassifier",
    "PRESTOClassifierCV",
    "SampledLpRegression",
    "TestableHalfspaceClassifier",
    "TesterRejectedError",
    "TesterRejectionWarning",
    "halfspace_band_test",
]
