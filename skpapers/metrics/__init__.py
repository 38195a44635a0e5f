"""Metrics and curves, in the style of ``sklearn.metrics``."""

from ._diversity import chamfer_distance_score, label_accuracy_score, remote_clique_score
from ._plot import ROCConvexHullDisplay
from ._rocch import roc_convex_hull, roc_convex_hull_auc, roc_points_from_predictions, rocch_operating_point

__all__ = [
    "ROCConvexHullDisplay",
    "chamfer_distance_score",
    "label_accuracy_score",
    "remote_clique_score",
    "roc_convex_hull",
    "roc_convex_hull_auc",
    "roc_points_from_predictions",
    "rocch_operating_point",
]
