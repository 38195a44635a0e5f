"""Transformers that prepare features, in the style of ``sklearn.preprocessing``."""

from ._fixed_scale import FixedScaleNormalizer

__all__ = ["FixedScaleNormalizer"]
