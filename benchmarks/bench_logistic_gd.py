"""LR+GD and the batch perceptron against their nearest peers.

* ``LogisticGDClassifier`` per-iteration cost: 100 fixed steps (no stopping
  at separation) against the same gradient-descent loop written directly in
  numpy; the estimator adds validation, a bias column and the history.
* ``BatchPerceptronClassifier`` against ``sklearn.linear_model.Perceptron``
  (online updates, compiled) until the training data are separated.
* ``LogisticGDClassifier`` with a large step against
  ``LogisticRegression(C=inf)`` on separable data: the first finds a separator
  in a few steps, the second chases a minimiser that does not exist.
"""

import warnings

import numpy as np
from _harness import compare
from scipy import special
from sklearn.linear_model import LogisticRegression, Perceptron

from skpapers.datasets import make_separable_classification
from skpapers.linear_model import BatchPerceptronClassifier, LogisticGDClassifier


def main():
    X, y = make_separable_classification("easy", n_samples=20_000, random_state=0)
    A = np.column_stack([X, np.ones(len(y))])
    n_steps = 100

    def ours_gd():
        return LogisticGDClassifier(step_size=1.0, stop_at_separation=False, max_iter=n_steps).fit(X, y)

    def numpy_gd():
        w = np.zeros(A.shape[1])
        for _ in range(n_steps):
            m = y * (A @ w)
            w = w + A.T @ (y * special.expit(-m)) / len(y)
        return w

    def check_gd(clf, w):
        ours = np.r_[clf.coef_.ravel(), clf.intercept_]
        return f"max relative difference of the iterate {np.max(np.abs(ours - w)) / np.max(np.abs(w)):.1e}"

    compare(f"logistic_gd {n_steps} steps n=20000 d=20", ours_gd, numpy_gd, repeats=3, max_ratio=1.5, check=check_gd)

    # The badly conditioned problem, where the batch perceptron needs hundreds of updates.
    Xh, yh = make_separable_classification("hard", n_samples=5000, random_state=1)

    def ours_perceptron():
        return BatchPerceptronClassifier(max_iter=10_000).fit(Xh, yh)

    def sklearn_perceptron():
        # Default tol: stops a few epochs after the (zero) training loss stops improving.
        return Perceptron(max_iter=1000, shuffle=False).fit(Xh, yh)

    def check_perceptron(batch, online):
        return (
            f"training accuracy batch {batch.score(Xh, yh):.4f} in {batch.n_iter_} batch updates, "
            f"online {online.score(Xh, yh):.4f} in {online.n_iter_} epochs"
        )

    compare("batch vs online perceptron n=5000", ours_perceptron, sklearn_perceptron, repeats=3,
            check=check_perceptron)

    Xe, ye = make_separable_classification("easy", n_samples=20_000, random_state=1)

    def ours_large_step():
        return LogisticGDClassifier(step_size=100.0).fit(Xe, ye)

    def logistic_regression():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return LogisticRegression(C=np.inf, max_iter=1000).fit(Xe, ye)

    def check_separation(gd, lr):
        return (
            f"training accuracy LR+GD step 100: {gd.score(Xe, ye):.4f} after {gd.n_iter_} steps; "
            f"LogisticRegression(C=inf): {lr.score(Xe, ye):.4f} after {int(lr.n_iter_[0])} L-BFGS iterations"
        )

    compare("large-step LR+GD vs LogisticRegression", ours_large_step, logistic_regression, repeats=3,
            check=check_separation)


if __name__ == "__main__":
    main()
