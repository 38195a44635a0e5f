"""Over-samplers with imbalanced-learn's ``fit_resample`` API."""

__all__ = []
