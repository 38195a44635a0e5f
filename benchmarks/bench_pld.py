"""Plackett-Luce distillation: the vectorised loss and the linear student against references.

1. ``plackett_luce_distillation_loss`` with its gradient (one argsort and two
   ``logaddexp.accumulate`` over all rows) against a per-row reference written
   from the definition: a Python loop over rows and rank positions, one
   ``scipy.special.logsumexp``/``softmax`` per suffix.  n=500 rows, C=20.
2. A linear PLD student with ``rank_weights='onehot'`` (plain cross-entropy
   through the shared student trainer) against scikit-learn's
   ``LogisticRegression(C=1 / (alpha n))``, which minimises the same
   objective.  n=20,000 rows, 30 features, 10 classes.
"""

import numpy as np
from _harness import compare
from scipy import special
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from skpapers.distillation import PLDistillationClassifier, plackett_luce_distillation_loss


def _per_row_reference(student, teacher, y):
    n, n_classes = student.shape
    losses, grad = np.empty(n), np.zeros_like(student)
    for i in range(n):
        others = [c for c in np.argsort(-teacher[i], kind="stable") if c != y[i]]
        ranking = np.array([y[i]] + others)
        alpha = special.softmax(teacher[i])[ranking]
        u = student[i, ranking]
        loss, grad_u = 0.0, -alpha.copy()
        for k in range(n_classes):
            loss += alpha[k] * (special.logsumexp(u[k:]) - u[k])
            grad_u[k:] += alpha[k] * special.softmax(u[k:])
        losses[i] = loss
        grad[i, ranking] = grad_u / n
    return losses.mean(), grad


def main():
    rng = np.random.default_rng(0)
    n, n_classes = 500, 20
    student = rng.normal(scale=2.0, size=(n, n_classes))
    teacher = rng.normal(scale=2.0, size=(n, n_classes))
    y = rng.integers(0, n_classes, size=n)

    def loss_agreement(ours, peer):
        return (
            f"|loss_ours - loss_ref| = {abs(ours[0] - peer[0]):.1e}; "
            f"max |grad_ours - grad_ref| = {np.max(np.abs(ours[1] - peer[1])):.1e}"
        )

    compare(
        "pld_loss_grad_vs_per_row",
        ours=lambda: plackett_luce_distillation_loss(student, teacher, y, return_grad=True),
        peer=lambda: _per_row_reference(student, teacher, y),
        repeats=3,
        max_ratio=0.05,
        check=loss_agreement,
    )

    X, labels = make_classification(
        n_samples=20_000, n_features=30, n_informative=15, n_classes=10, n_clusters_per_class=1, random_state=0
    )
    alpha = 1e-3

    # With one-hot rank weights the teacher's logits play no part; passing them
    # keeps the default self-distillation teacher's fit out of the timing.
    unused_logits = np.zeros((X.shape[0], 10))

    def ours():
        student = PLDistillationClassifier(rank_weights="onehot", alpha=alpha, tol=1e-6)
        return student.fit(X, labels, teacher_logits=unused_logits).predict_proba(X)

    def peer():
        model = LogisticRegression(C=1.0 / (alpha * X.shape[0]), tol=1e-6, max_iter=1000)
        return model.fit(X, labels).predict_proba(X)

    def proba_agreement(ours_proba, peer_proba):
        rows = np.arange(labels.size)
        nll_ours = -np.mean(np.log(ours_proba[rows, labels]))
        nll_peer = -np.mean(np.log(peer_proba[rows, labels]))
        return (
            f"max |P_ours - P_sklearn| = {np.max(np.abs(ours_proba - peer_proba)):.1e}; "
            f"NLL ours - NLL sklearn = {nll_ours - nll_peer:.1e}"
        )

    compare("pld_onehot_student_vs_LogisticRegression", ours=ours, peer=peer, repeats=3, max_ratio=3.0,
            check=proba_agreement)


if __name__ == "__main__":
    main()
