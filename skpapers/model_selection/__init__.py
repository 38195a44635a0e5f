"""Comparing estimators: learning curves, statistical comparison, model choice."""

from ._bootstrap import BootstrapOutOfBag, bootstrap_score
from ._exponential_family import (
    ExponentialFamily,
    MultinomialFamily,
    MultivariateNormalFamily,
)
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
from ._pn_criterion import (
    mle_risk_expansion,
    pn_criterion,
    projection_risk_from_cumulants,
    select_model_pn,
)

__all__ = [
    "BootstrapOutOfBag",
    "ExponentialFamily",
    "LearningCurveComparison",
    "MultinomialFamily",
    "MultivariateNormalFamily",
    "accuracy_confidence_interval",
    "bootstrap_score",
    "cochrans_q_test",
    "combined_ftest_5x2cv",
    "ftest_classifiers",
    "learning_curve_comparison",
    "mcnemar_table",
    "mcnemar_test",
    "mle_risk_expansion",
    "nested_cross_validate",
    "paired_ttest_5x2cv",
    "paired_ttest_kfold_cv",
    "paired_ttest_resampled",
    "pn_criterion",
    "projection_risk_from_cumulants",
    "proportion_difference_test",
    "select_model_pn",
]
