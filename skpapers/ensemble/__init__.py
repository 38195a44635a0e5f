"""Ensembles that cost one model at inference: model soups."""

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
