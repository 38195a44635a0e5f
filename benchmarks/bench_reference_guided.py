"""ReferenceGuidedAnomalyDetector (knn and normal-only modes) vs cosine NearestNeighbors scoring.

Target domain with 64 normal and 8 abnormal references of 384-dimensional embeddings
(the width of a ViT-S backbone), 50,000 queries. The peer computes the same scores with
``sklearn.neighbors.NearestNeighbors(metric="cosine")`` (1-nearest neighbour among the
normal and among the abnormal references); a second row compares normal-only scoring
with ``LocalOutlierFactor(novelty=True)`` on the same normal references, a different
score (ranked by AUROC in the agreement line), since LOF is the usual normal-only baseline.
"""

import numpy as np
from _harness import compare
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors

from skpapers.anomaly import ReferenceGuidedAnomalyDetector
from skpapers.datasets import make_anomaly_domains


def _data():
    X, y, _, _ = make_anomaly_domains(
        n_normal=25_064, n_abnormal=25_008, n_features=384, n_anomaly_types=8, noise=0.3, shift=1.5, random_state=0
    )
    refs = np.r_[0:64, 25_064:25_072]
    queries = np.setdiff1d(np.arange(len(y)), refs)
    return X[refs], y[refs], X[queries], y[queries]


def main():
    X_ref, y_ref, X_q, y_q = _data()
    normal, abnormal = X_ref[y_ref == 0], X_ref[y_ref == 1]

    def ours():
        return ReferenceGuidedAnomalyDetector(mode="knn").fit(X_ref, y_ref).anomaly_score(X_q)

    def peer():
        s_n = 1.0 - NearestNeighbors(n_neighbors=1, metric="cosine").fit(normal).kneighbors(X_q)[0][:, 0] / 2
        s_a = 1.0 - NearestNeighbors(n_neighbors=1, metric="cosine").fit(abnormal).kneighbors(X_q)[0][:, 0] / 2
        return (s_a + 1.0 - s_n) / 2.0

    def check(ours_scores, peer_scores):
        return f"max |ours - NearestNeighbors| = {np.max(np.abs(ours_scores - peer_scores)):.2e}"

    compare("reference_guided knn vs NN(cosine)", ours, peer, repeats=3, max_ratio=1.5, check=check)

    def ours_normal():
        return ReferenceGuidedAnomalyDetector(mode="normal_only").fit(normal).anomaly_score(X_q)

    def lof():
        return -LocalOutlierFactor(n_neighbors=20, novelty=True).fit(normal).score_samples(X_q)

    def check_lof(ours_scores, peer_scores):
        return (
            f"AUROC normal-only {roc_auc_score(y_q, ours_scores):.3f}, knn {roc_auc_score(y_q, ours()):.3f}, "
            f"LOF(novelty) {roc_auc_score(y_q, peer_scores):.3f}"
        )

    compare("reference_guided normal_only vs LOF", ours_normal, lof, repeats=3, max_ratio=1.5, check=check_lof)


if __name__ == "__main__":
    main()
