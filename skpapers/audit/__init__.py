"""Statistical tests on model outputs: provenance, decision biases and survey-response biases."""

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
from ._survey_bias import (
    answer_orderings,
    compare_to_references,
    discriminator_test,
    normalized_entropy,
    ordering_adjusted_distribution,
    position_bias,
    response_divergence,
    subgroup_alignment,
)

__all__ = [
    "answer_orderings",
    "audit_binary_sequence",
    "binary_uniformity_test",
    "compare_to_references",
    "discriminator_test",
    "markov_order_test",
    "negative_recency_test",
    "normalized_entropy",
    "ordering_adjusted_distribution",
    "palimpsest_provenance_test",
    "palimpsest_query_test",
    "palimpsest_reshuffle_test",
    "per_sample_log_loss",
    "position_bias",
    "response_divergence",
    "runs_test",
    "subgroup_alignment",
]
