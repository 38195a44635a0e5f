"""Metrics and curves, in the style of ``sklearn.metrics``."""

__all__ = []
