"""Mixtures of experts fitted by one EM core with a softmax gating network."""

__all__ = []
