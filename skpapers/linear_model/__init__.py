"""Linear models built on the shared loss / penalty / solver core."""

from ._tester_learner import (
    TestableHalfspaceClassifier,
    TesterRejectedError,
    TesterRejectionWarning,
    halfspace_band_test,
)

__all__ = [
    "TestableHalfspaceClassifier",
    "TesterRejectedError",
    "TesterRejectionWarning",
    "halfspace_band_test",
]
