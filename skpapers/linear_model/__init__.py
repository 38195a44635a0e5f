"""Linear models built on the shared loss / penalty / solver core."""

__all__ = []
