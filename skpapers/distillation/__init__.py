"""Knowledge distillation into small students over precomputed features.

Every estimator here trains its student with one trainer
(:mod:`skpapers.distillation._student`): a linear model or a one-hidden-layer
network with one or more linear heads, fitted by L-BFGS or mini-batch
SGD/Adam on ``mean weighted loss + alpha / 2 * ||weights||^2`` (biases
unpenalised).  The methods differ only in the losses they plug into it.
A teacher is any fitted scikit-learn classifier, or its logits passed to
``fit``.
"""

from ._aligndistil import AlignDistilClassifier, aligndistil_loss, aligndistil_teacher
from ._dual_head import DualHeadDistillationClassifier, binary_kl_loss, binary_kl_norm_loss, kd_kl_loss
from ._plackett_luce import PLDistillationClassifier, plackett_luce_distillation_loss

__all__ = [
    "AlignDistilClassifier",
    "aligndistil_loss",
    "aligndistil_teacher",
    "DualHeadDistillationClassifier",
    "binary_kl_loss",
    "binary_kl_norm_loss",
    "kd_kl_loss",
    "PLDistillationClassifier",
    "plackett_luce_distillation_loss",
]
