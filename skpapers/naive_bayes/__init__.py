"""Generative classifiers in the naive Bayes family, in the style of ``sklearn.naive_bayes``."""

from ._pooled_gaussian import PooledGaussianNB

__all__ = ["PooledGaussianNB"]
