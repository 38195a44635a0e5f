"""Mixtures of experts fitted by one EM core with a softmax gating network."""

from ._growth import GrowthMixtureOfExperts

__all__ = ["GrowthMixtureOfExperts"]
