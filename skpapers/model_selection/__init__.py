"""Comparing estimators: learning curves, statistical comparison, model choice."""

from ._bootstrap import BootstrapOutOfBag, bootstrap_score
from ._holdout_tests import (
    accuracy_confidence_interval,
    cochrans_q_test,
    ftest_classifiers,
    mcnemar_table,
    mcnemar_test,
    proportion_difference_test,
)
from ._learning_curve_comparison import LearningCurveComparison, learning_curve_comparison
from ._nested import nested_cross_validate
from ._paired_tests import (
    combined_ftest_5x2cv,
    paired_ttest_5x2cv,
    paired_ttest_kfold_cv,
    paired_ttest_resampled,
)

__all__ = [
    "BootstrapOutOfBag",
    "LearningCurveComparison",
    "accuracy_confidence_interval",
    "bootstrap_score",
    "cochrans_q_test",
    "combined_ftest_5x2cv",
    "ftest_classifiers",
    "learning_curve_comparison",
    "mcnemar_table",
    "mcnemar_test",
    "nested_cross_validate",
    "paired_ttest_5x2cv",
    "paired_ttest_kfold_cv",
    "paired_ttest_resampled",
    "proportion_difference_test",
]
