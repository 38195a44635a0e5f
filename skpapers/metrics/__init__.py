"""Metrics and curves, in the style of ``sklearn.metrics``."""

from ._plot import ROCConvexHullDisplay
from ._rocch import roc_convex_hull, roc_convex_hull_auc, roc_points_from_predictions, rocch_operating_point

__all__ = [
    "ROCConvexHullDisplay",
    "roc_convex_hull",
    "roc_convex_hull_auc",
    "roc_points_from_predictions",
    "rocch_operating_point",
]
