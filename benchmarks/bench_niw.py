"""NIWEpisodeClassifier against the per-episode peers on frozen features.

A large episode (20-way, 20 shots, 512-dimensional embeddings, 2000 queries)
against sklearn's NearestCentroid (prototypes) and LogisticRegression (a
per-episode softmax head), then 200 small 5-way 1-shot episodes (d = 100)
against NearestCentroid, where per-call overhead dominates. Our head uses the
default prior (no meta-training is timed); agreement is query accuracy.
"""

import warnings

import numpy as np
from _harness import compare
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestCentroid
from threadpoolctl import threadpool_limits

from skpapers.few_shot import NIWEpisodeClassifier


def _episode(rng, n_way, n_shot, n_query, n_features, n_informative=32):
    means = np.zeros((n_way, n_features))
    means[:, :n_informative] = rng.normal(scale=0.8, size=(n_way, n_informative))
    ys, yq = np.repeat(np.arange(n_way), n_shot), np.repeat(np.arange(n_way), n_query)
    return (means[ys] + rng.normal(size=(ys.size, n_features)), ys,
            means[yq] + rng.normal(size=(yq.size, n_features)), yq)


def main():
    rng = np.random.RandomState(0)
    Xs, ys, Xq, yq = _episode(rng, 20, 20, 100, 512)

    def accuracy(model):
        return lambda: float(np.mean(model().fit(Xs, ys).predict(Xq) == yq))

    def agree(ours, peer):
        return f"query accuracy ours {ours:.3f} vs peer {peer:.3f}"

    compare("niw episode 20w20s d512 vs NC", accuracy(NIWEpisodeClassifier), accuracy(NearestCentroid),
            repeats=5, max_ratio=20, check=agree)
    compare("niw episode 20w20s d512 vs LR", accuracy(NIWEpisodeClassifier),
            accuracy(lambda: LogisticRegression(max_iter=1000)), repeats=3, max_ratio=2, check=agree)

    small = [_episode(rng, 5, 1, 15, 100, n_informative=6) for _ in range(200)]

    def many(model):
        def run():
            with threadpool_limits(1), warnings.catch_warnings():
                # one-shot prototypes: NearestCentroid's unused within-class spread is 0/0
                warnings.simplefilter("ignore", RuntimeWarning)
                return float(np.mean([np.mean(model().fit(a, b).predict(c) == d) for a, b, c, d in small]))
        return run

    compare("niw 200 episodes 5w1s d100 vs NC", many(NIWEpisodeClassifier), many(NearestCentroid),
            repeats=3, max_ratio=5, check=agree)


if __name__ == "__main__":
    main()
