"""Ensembles that cost one model at inference: model soups."""

from ._soups import ModelSoupClassifier, ModelSoupRegressor, average_estimators, soup_from_search

__all__ = [
    "ModelSoupClassifier",
    "ModelSoupRegressor",
    "average_estimators",
    "soup_from_search",
]
