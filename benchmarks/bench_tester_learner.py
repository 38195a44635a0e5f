"""TestableHalfspaceClassifier vs LogisticRegression: fit time on the reproduction's data.

Our fit includes the tester (Monte Carlo calibration of the moment tests,
200 draws each) on the held-out half; LogisticRegression (no intercept, as
the halfspaces are homogeneous) only learns, on all rows.  The agreement
line reports the angle between the two directions and both test errors.
"""

import warnings

import numpy as np
from _harness import compare
from sklearn.linear_model import LogisticRegression

from skpapers.linear_model import TestableHalfspaceClassifier


def _data(n_samples, n_features, rng):
    X = rng.standard_normal((n_samples, n_features))
    clean = np.where(X[:, 0] > 0, 1, -1)
    eta = np.where(np.abs(X[:, 0]) < 0.5, 0.1, 0.25) * (1 + 0.5 * (X[:, 1] > 0)) / 1.5
    return X, np.where(rng.random(n_samples) < eta, -clean, clean)


def main():
    rng = np.random.default_rng(0)
    for n_samples, n_features in ((20000, 10), (100000, 50)):
        X, y = _data(n_samples, n_features, rng)
        X_new, y_new = _data(50000, n_features, rng)

        def ours():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return TestableHalfspaceClassifier(random_state=0).fit(X, y)

        def peer():
            return LogisticRegression(fit_intercept=False).fit(X, y)

        def check(tester, logistic):
            w = logistic.coef_[0] / np.linalg.norm(logistic.coef_[0])
            angle = np.degrees(np.arccos(np.clip(tester.coef_[0] @ w, -1, 1)))
            return (
                f"angle {angle:.2f} deg; test error ours {1 - tester.score(X_new, y_new):.4f} "
                f"(accepted={tester.test_passed_}) vs LogisticRegression {1 - logistic.score(X_new, y_new):.4f}"
            )

        compare(f"tester_learner n={n_samples} d={n_features}", ours, peer, repeats=5, max_ratio=3.0, check=check)


if __name__ == "__main__":
    main()
