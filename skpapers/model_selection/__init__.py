"""Comparing estimators: learning curves, statistical comparison, model choice."""

from ._learning_curve_comparison import LearningCurveComparison, learning_curve_comparison

__all__ = ["LearningCurveComparison", "learning_curve_comparison"]
