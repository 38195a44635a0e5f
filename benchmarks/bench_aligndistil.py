"""AlignDistil: the vectorised loss and the forward-KL student against independent computations.

No library implements AlignDistil on tabular rows (the authors' code and TRL/OpenRLHF work on
token tensors inside LLM training loops), so there is no drop-in peer.  Two comparisons stand in:

1. ``aligndistil_loss`` (adaptive mode, reverse KL, responses of 20 positions, gradient) against a
   plain per-row, per-response Python computation of the same formulas: n=5,000 rows, K=50.
2. The convex forward-KL linear student with a constant row scale ('contrastive' mode) minimises
   ``mean_i KL(q_i || p_i) + alpha/2 ||W||^2``, which equals multinomial logistic regression on the
   rows repeated once per class with the teacher's probabilities as sample weights, and
   ``C = 1 / (alpha n)``.  scikit-learn's ``LogisticRegression`` fits that expanded problem:
   n=3,000 rows, 20 features, K=10 (30,000 expanded rows).
"""

import numpy as np
from _harness import compare
from scipy import special
from sklearn.linear_model import LogisticRegression

from skpapers.distillation import AlignDistilClassifier, aligndistil_loss, aligndistil_teacher


def _naive_loss(student, positive, negative, groups, beta0=0.1, s=10.0, eps=1e-3):
    """The loss and gradient written row by row, the way the formulas read."""
    n = student.shape[0]
    responses = {}
    for i in range(n):
        responses.setdefault(groups[i], []).append(i)
    loss, grad = 0.0, np.zeros_like(student)
    for rows in responses.values():
        for i in rows:
            p_pos = np.exp(positive[i] - special.logsumexp(positive[i]))
            p_neg = np.exp(negative[i] - special.logsumexp(negative[i]))
            w = s * np.sum(np.abs(p_pos - p_neg)) + eps
            target = positive[i] + w * (positive[i] - negative[i])
            log_q = target - special.logsumexp(target)
            log_p = student[i] - special.logsumexp(student[i])
            p = np.exp(log_p)
            kl = np.sum(p * (log_p - log_q))
            factor = (beta0 / w) / (len(rows) * len(responses))
            loss += factor * kl
            grad[i] = factor * p * (log_p - log_q - kl)
    return loss, grad


def main():
    rng = np.random.default_rng(0)
    n, k = 5_000, 50
    student, positive, negative = rng.normal(scale=2.0, size=(3, n, k))
    groups = np.repeat(np.arange(n // 20), 20)

    def agreement_loss(ours, peer):
        return (
            f"|loss diff| = {abs(ours[0] - peer[0]):.1e} (loss {ours[0]:.4f}); "
            f"max |grad diff| = {np.max(np.abs(ours[1] - peer[1])):.1e}"
        )

    compare(
        "aligndistil_loss_vs_per_row_loop",
        ours=lambda: aligndistil_loss(student, positive, negative, groups=groups, return_grad=True),
        peer=lambda: _naive_loss(student, positive, negative, groups),
        repeats=3,
        max_ratio=0.1,
        check=agreement_loss,
    )

    n, d, k, alpha = 3_000, 20, 10, 1e-3
    X = rng.normal(size=(n, d))
    A, B = rng.normal(scale=0.4, size=(2, d, k))
    z_pos, z_neg = X @ A, X @ B
    y = np.arange(n) % k
    teacher, _ = aligndistil_teacher(z_pos, z_neg, mode="contrastive", kl_coef=0.5)
    q = special.softmax(teacher, axis=1)
    X_expanded, y_expanded = np.repeat(X, k, axis=0), np.tile(np.arange(k), n)

    def ours():
        model = AlignDistilClassifier(mode="contrastive", kl_coef=0.5, divergence="forward_kl", alpha=alpha,
                                      tol=1e-8)
        return model.fit(X, y, positive_logits=z_pos, negative_logits=z_neg).predict_proba(X)

    def peer():
        model = LogisticRegression(C=1.0 / (alpha * n), tol=1e-10, max_iter=2000)
        return model.fit(X_expanded, y_expanded, sample_weight=q.ravel()).predict_proba(X)

    def agreement_student(ours_proba, peer_proba):
        cross_entropy = [-np.mean(np.sum(q * np.log(p), axis=1)) for p in (ours_proba, peer_proba)]
        return (
            f"max |P_ours - P_LogisticRegression| = {np.max(np.abs(ours_proba - peer_proba)):.1e}; "
            f"soft cross-entropy ours - LR = {cross_entropy[0] - cross_entropy[1]:.1e}"
        )

    compare(
        "aligndistil_fkl_student_vs_LR_soft",
        ours=ours,
        peer=peer,
        repeats=3,
        max_ratio=1.0,
        check=agreement_student,
    )


if __name__ == "__main__":
    main()
