"""Ensembles that watch their inference cost: model soups (one model's cost) and entropy cascades."""

from ._entropy_cascade import (
    EntropyCascadeClassifier,
    EntropyCascadeRegressor,
    cascade_cost,
    entropy_switch_schedule,
)
from ._soups import ModelSoupClassifier, ModelSoupRegressor, average_estimators, soup_from_search

__all__ = [
    "EntropyCascadeClassifier",
    "EntropyCascadeRegressor",
    "cascade_cost",
    "entropy_switch_schedule",
    "ModelSoupClassifier",
    "ModelSoupRegressor",
    "average_estimators",
    "soup_from_search",
]
