"""Generators for the papers' data-generating processes (``make_*``)."""

__all__ = []
