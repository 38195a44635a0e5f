"""UtilityDiversityClassifier vs plain ``SGDClassifier.partial_fit`` on every row.

The peer streams the same data in the same batch size and trains on all of
it; UDS scores each candidate batch with the current model and trains on 25%
of it. The ratio is the overhead of selection per pass over the data (the
paper's saving, skipping back-propagation on the rejected samples, does not
exist for a linear model, whose training step costs about what a prediction
does). Data: 100,000 x 50, 5 classes; a second row uses groups of 8 rows
(batched SVDs of 8 x 5 output matrices). The agreement line prints both test
accuracies. Peak memory is ours, traced by the harness.

Targets: with one row per sample, every candidate costs a prediction plus its
distances to the 1024 stored 64-dimensional embeddings (the paper's buffer),
about 65,000 multiply-adds against the 250 of an SGD step on 50 features x 5
classes, so we allow 5x; with groups of 8 the distances are per group, and we
allow 3x. Both sides run with
one BLAS thread: the products here are small (a candidate batch against the
buffer), and on a shared machine threads only add contention.
"""

import numpy as np
from _harness import compare
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier
from threadpoolctl import threadpool_limits

from skpapers.sampling import UtilityDiversityClassifier

BATCH_SIZE = 256


def _sgd():
    return SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.01, random_state=0)


def main():
    with threadpool_limits(limits=1):
        _main()


def _main():
    X, y = make_classification(
        n_samples=110_000, n_features=50, n_informative=20, n_classes=5, random_state=0
    )
    X, X_test, y, y_test = X[:100_000], X[100_000:], y[:100_000], y[100_000:]
    classes = np.unique(y)

    def peer():
        model = _sgd()
        for start in range(0, X.shape[0], BATCH_SIZE):
            model.partial_fit(X[start : start + BATCH_SIZE], y[start : start + BATCH_SIZE], classes=classes)
        return model

    def agreement(ours, peer_model):
        return f"test accuracy ours {ours.score(X_test, y_test):.3f} (25% of rows) vs all rows {peer_model.score(X_test, y_test):.3f}"

    def ours_rows():
        return UtilityDiversityClassifier(_sgd(), batch_size=BATCH_SIZE, random_state=0).fit(X, y)

    compare("uds fit 100kx50 (rows) vs sgd all", ours_rows, peer, repeats=3, max_ratio=5.0, check=agreement)

    groups = np.repeat(np.arange(X.shape[0] // 8), 8)

    def ours_groups():
        return UtilityDiversityClassifier(_sgd(), batch_size=BATCH_SIZE // 8, random_state=0).fit(X, y, groups=groups)

    compare("uds fit 100kx50 (groups of 8)", ours_groups, peer, repeats=3, max_ratio=3.0, check=agreement)


if __name__ == "__main__":
    main()
