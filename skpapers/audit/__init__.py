"""Statistical tests on model outputs: provenance and decision biases."""

from ._palimpsest import (
    palimpsest_provenance_test,
    palimpsest_query_test,
    palimpsest_reshuffle_test,
    per_sample_log_loss,
)

__all__ = [
    "palimpsest_provenance_test",
    "palimpsest_query_test",
    "palimpsest_reshuffle_test",
    "per_sample_log_loss",
]
