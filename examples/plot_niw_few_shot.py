"""
====================================================
Few-shot heads with a prior learned from base tasks
====================================================

Frozen embeddings often carry many directions that do not separate classes.
With one labelled example per class, a per-episode classifier cannot tell
them apart from the useful ones, and prototypes (nearest centroid) weigh them
all equally. :class:`~skpapers.few_shot.NIWMetaPrior` learns, from episodes
of *base* classes, a Normal-inverse-Wishart prior for the weights of an
episode's linear softmax head: its diagonal scale ``S`` says how far a new
episode's weights may move in each direction. A new episode on *novel*
classes is then fitted in closed form by
:class:`~skpapers.few_shot.NIWEpisodeClassifier`.

We simulate embeddings with 100 directions of which 6 separate classes, learn
the prior from 150 base classes, and classify 5-way episodes of 100 novel
classes with 1 and 5 shots per class.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.neighbors import NearestCentroid
from threadpoolctl import threadpool_limits

from skpapers.few_shot import NIWEpisodeClassifier, NIWMetaPrior

rng = np.random.RandomState(0)
n_features, n_informative = 100, 6


def make_classes(n_classes, n_rows):
    means = np.zeros((n_classes, n_features))
    means[:, :n_informative] = rng.normal(scale=1.5, size=(n_classes, n_informative))
    y = np.repeat(np.arange(n_classes), n_rows)
    return means[y] + rng.normal(size=(y.size, n_features)), y


X_base, y_base = make_classes(150, 20)
X_novel, y_novel = make_classes(100, 20)
prior = NIWMetaPrior(n_way=5, n_shot=1, n_query=15, n_episodes=600, random_state=0).fit(X_base, y_base)

# %%
# Episodes of novel classes: the same support and query rows go to every method.


def episode(n_shot, n_query=15):
    classes = rng.choice(100, size=5, replace=False)
    rows = [rng.choice(np.flatnonzero(y_novel == c), size=n_shot + n_query, replace=False) for c in classes]
    support = np.concatenate([r[:n_shot] for r in rows])
    query = np.concatenate([r[n_shot:] for r in rows])
    return X_novel[support], y_novel[support], X_novel[query], y_novel[query]


methods = {
    "learned prior": lambda: NIWEpisodeClassifier(prior=prior),
    "default prior (S = I)": lambda: NIWEpisodeClassifier(),
    "NearestCentroid": lambda: NearestCentroid(),
}
shots = [1, 5]
accuracy = {name: [] for name in methods}
# One-shot prototypes leave NearestCentroid's unused within-class spread at 0/0.
warnings.filterwarnings("ignore", category=RuntimeWarning, module="sklearn.neighbors")
with threadpool_limits(1):
    for n_shot in shots:
        scores = {name: [] for name in methods}
        for _ in range(100):
            Xs, ys, Xq, yq = episode(n_shot)
            for name, make in methods.items():
                scores[name].append(np.mean(make().fit(Xs, ys).predict(Xq) == yq))
        for name in methods:
            accuracy[name].append((np.mean(scores[name]), 1.96 * np.std(scores[name]) / np.sqrt(100)))
            print(f"{n_shot}-shot {name:>22}: {accuracy[name][-1][0]:.3f} +- {accuracy[name][-1][1]:.3f}")

# %%
# With one shot the learned prior lets the head move along the informative
# directions and holds it near the prior mean along the others: it beats both
# the default prior and the prototypes (about 0.57 against 0.50 here). With
# five shots the same prior, trained on one-shot episodes, is too tight and
# falls behind the default prior: a learned prior is tuned to the episodes it
# was learned from. The right panel shows the learned scale per feature.

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 3.8))
width = 0.25
for k, name in enumerate(methods):
    mean, ci = np.array(accuracy[name]).T
    ax0.bar(np.arange(len(shots)) + (k - 1) * width, mean, width, yerr=ci, capsize=3, label=name)
ax0.set_xticks(range(len(shots)))
ax0.set_xticklabels([f"{s}-shot" for s in shots])
ax0.set_ylabel("query accuracy (5-way, novel classes)")
ax0.legend(fontsize=8)
ax1.semilogy(prior.scale_, "o", ms=4)
ax1.axvspan(-0.5, n_informative - 0.5, color="C1", alpha=0.2, label="informative directions")
ax1.set_xlabel("feature")
ax1.set_ylabel("learned prior scale S")
ax1.legend(fontsize=8)
fig.tight_layout()
plt.show()
