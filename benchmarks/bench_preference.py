"""PreferenceLogisticRegression in its label limit against scikit-learn's LogisticRegression.

Two rows: the L-BFGS fit of binary labels without a reference (the same
problem as LogisticRegression with the same C, so the coefficients must agree),
and the paper's 20 fixed gradient steps on preference pairs against an SFT fit
of the chosen labels (not the same problem: the row shows the cost of a DPO fit
next to the supervised baseline it replaces).
"""

import numpy as np
from _harness import compare
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from skpapers.datasets import make_delta_learning_data
from skpapers.preference import PreferenceLogisticRegression


def main():
    X, y = make_classification(n_samples=50_000, n_features=100, n_informative=20, flip_y=0.1, random_state=0)

    def agree(ours, peer):
        return f"max |coef diff| = {np.max(np.abs(ours.coef_ - peer.coef_)):.1e}"

    compare(
        "preference_lbfgs_vs_logreg",
        ours=lambda: PreferenceLogisticRegression(solver="lbfgs", C=1.0, tol=1e-6, max_iter=1000).fit(X, y),
        peer=lambda: LogisticRegression(C=1.0, tol=1e-6, max_iter=1000).fit(X, y),
        repeats=3,
        max_ratio=2.0,
        check=agree,
    )

    data = make_delta_learning_data(n_samples=20_000, n_features=200, random_state=0)

    def cosines(ours, peer):
        cos = [float(m.coef_.ravel() @ data.w_true / np.linalg.norm(m.coef_)) for m in (ours, peer)]
        return f"cos to truth: DPO {cos[0]:.3f}, SFT {cos[1]:.3f} (student 0.600)"

    student = LogisticRegression(fit_intercept=False)
    student.coef_, student.intercept_, student.classes_ = data.coef_student[None], np.zeros(1), np.array([-1, 1])
    compare(
        "preference_dpo20_vs_sft",
        ours=lambda: PreferenceLogisticRegression(reference=student, fit_intercept=False).fit(data.X, data.y_pairs),
        peer=lambda: LogisticRegression(fit_intercept=False).fit(data.X, data.y_pairs[:, 0]),
        repeats=3,
        check=cosines,
    )


if __name__ == "__main__":
    main()
