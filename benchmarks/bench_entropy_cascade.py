"""EntropyCascadeClassifier.predict vs the expensive model's predict alone.

Data: make_classification, 100,000 test rows x 20 features. Small model: LogisticRegression; large:
HistGradientBoostingClassifier with 300 trees per class. The pointwise cascade escalates the 20%
highest-entropy rows (``large_fraction=0.2``), so it pays the small model on every row and the large
one on a fifth (then a half) of them; the target ratio is that fraction plus 0.3. The agreement line
prints both accuracies, so a fast but useless cascade shows. One OpenMP thread for both sides: the
machine is shared and oversubscribed threads make the timings meaningless.
"""

import numpy as np
from _harness import compare
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from skpapers.ensemble import EntropyCascadeClassifier


def main():
    X, y = make_classification(n_samples=120_000, n_features=20, n_informative=10, n_clusters_per_class=3,
                               random_state=0)
    X_train, y_train, X_test, y_test = X[:20_000], y[:20_000], X[20_000:], y[20_000:]
    with threadpool_limits(limits=1, user_api="openmp"):
        large = HistGradientBoostingClassifier(max_iter=300, early_stopping=False, random_state=0)
        cascade = EntropyCascadeClassifier(LogisticRegression(), large, large_fraction=0.2).fit(X_train, y_train)
        large = cascade.large_estimator_
        for fraction in (0.2, 0.5):
            # Same fitted models, only the threshold moves.
            cascade = EntropyCascadeClassifier(cascade.small_estimator_, large, large_fraction=fraction,
                                               prefit=True).fit(X_train, y_train)

            def agreement(ours, peer, cascade=cascade):
                return (f"accuracy cascade {np.mean(ours == y_test):.3f} vs large {np.mean(peer == y_test):.3f}; "
                        f"large-model rows {cascade.cost_report(X_test).large_fraction:.2f}")

            compare(f"entropy_cascade predict 100kx20 ({fraction:.0%})",
                    lambda cascade=cascade: cascade.predict(X_test), lambda: large.predict(X_test),
                    repeats=5, max_ratio=fraction + 0.3, check=agreement)


if __name__ == "__main__":
    main()
