"""Statistical tests on model outputs: provenance and decision biases."""

from ._binary_bias import (
    audit_binary_sequence,
    binary_uniformity_test,
    markov_order_test,
    negative_recency_test,
    runs_test,
)
from ._palimpsest import (
    palimpsest_provenance_test,
    palimpsest_query_test,
    palimpsest_reshuffle_test,
    per_sample_log_loss,
)

__all__ = [
    "audit_binary_sequence",
    "binary_uniformity_test",
    "markov_order_test",
    "negative_recency_test",
    "palimpsest_provenance_test",
    "palimpsest_query_test",
    "palimpsest_reshuffle_test",
    "per_sample_log_loss",
    "runs_test",
]
