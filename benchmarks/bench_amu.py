"""AMUTuningClassifier vs a scikit-learn LogisticRegression linear probe: fit time.

A 16-shot episode with 50 classes, 512-dimensional CLIP-like features and 1024-dimensional
auxiliary features (noise 8, so that neither branch alone is easy; 800 support rows, 5,000 queries), drawn with ``make_clip_like_episode``.
The peer is the usual few-shot baseline, ``LogisticRegression`` (lbfgs, C=1) on the
auxiliary features; AMU fits its bias on the same features plus the zero-shot branch. The
agreement line reports both test accuracies (AMU is expected to be higher, not equal).
"""

import warnings

from _harness import compare
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from skpapers.datasets import make_clip_like_episode
from skpapers.few_shot import AMUTuningClassifier

D1 = 512


def main():
    X, y, X_test, y_test, T = make_clip_like_episode(
        n_classes=50, n_shots=16, n_test_per_class=100, n_clip_features=D1, n_aux_features=1024, aux_noise=8.0,
        random_state=0,
    )

    def ours():
        return AMUTuningClassifier(T, D1).fit(X, y)

    def peer():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return LogisticRegression(C=1.0, max_iter=1000).fit(X[:, D1:], y)

    def check(amu, probe):
        zero_shot = (X_test[:, :D1] @ T).argmax(axis=1) == y_test
        return (f"test accuracy: AMU {amu.score(X_test, y_test):.3f}, LR probe "
                f"{probe.score(X_test[:, D1:], y_test):.3f}, zero-shot {zero_shot.mean():.3f}")

    return compare("amu_tuning_fit", ours, peer, repeats=3, max_ratio=2.0, check=check)


if __name__ == "__main__":
    main()
