"""Per-row losses on a student head's logits, the unit the student trainer composes.

A *head loss* holds the per-row targets of a training set (labels, teacher
logits, ...) and, given the logits of some of those rows, returns the loss of
each row and its gradient with respect to the logits.  The trainer in
:mod:`skpapers.distillation._student` weights the rows, adds the losses of all
terms and back-propagates through the student; a loss never sees parameters.

Every loss here is written in log-space (``scipy.special.logsumexp``,
``log_softmax``) so that logits of order 1e3 neither overflow nor lose their
gradient.
"""

import numpy as np
from scipy import special


def _rows(array, index):
    return array if index is None else array[index]


class HeadLoss:
    """Base class: a per-row loss of one head's logits.

    Subclasses store arrays with one entry per training row and implement
    :meth:`loss_and_gradient`.  ``index`` selects the rows whose logits are
    passed (a mini-batch); ``None`` means all rows, in order.
    """

    def loss_and_gradient(self, logits, index=None):
        """Return ``(loss, grad)``: shapes ``(m,)`` and ``(m, n_outputs)``."""
        raise NotImplementedError


class SoftmaxCrossEntropy(HeadLoss):
    """Cross-entropy of ``softmax(logits)`` against integer labels.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Class codes ``0 .. n_classes - 1``.
    """

    def __init__(self, y):
        self.y = np.asarray(y, dtype=np.intp)

    def loss_and_gradient(self, logits, index=None):
        y = _rows(self.y, index)
        log_proba = special.log_softmax(logits, axis=1)
        rows = np.arange(logits.shape[0])
        loss = -log_proba[rows, y]
        grad = np.exp(log_proba)
        grad[rows, y] -= 1.0
        return loss, grad


class SoftTargetCrossEntropy(HeadLoss):
    """Hinton's distillation loss: ``tau^2 KL(softmax(t / tau) || softmax(z / tau))``.

    The ``tau^2`` factor keeps the gradient's scale independent of the
    temperature, so the loss can be mixed with a cross-entropy term without
    retuning its weight when ``tau`` changes.

    Parameters
    ----------
    teacher_logits : ndarray of shape (n_samples, n_classes)
    temperature : float
        The softening temperature ``tau > 0``.
    """

    def __init__(self, teacher_logits, temperature=1.0):
        self.temperature = float(temperature)
        self.log_target = special.log_softmax(np.asarray(teacher_logits, dtype=float) / self.temperature, axis=1)

    def loss_and_gradient(self, logits, index=None):
        tau = self.temperature
        log_target = _rows(self.log_target, index)
        log_student = special.log_softmax(logits / tau, axis=1)
        target = np.exp(log_target)
        loss = tau**2 * np.sum(target * (log_target - log_student), axis=1)
        grad = tau * (np.exp(log_student) - target)
        return loss, grad
