"""
Minority guidance: sampling the rare regions of a table
=======================================================

A diffusion sampler reproduces the bulk of its training data. Minority
guidance scores every training row by how badly the denoiser reconstructs a
noised copy of it (rare rows are pulled towards the bulk, so their error is
large), cuts the scores into ordinal levels and adds the gradient of
``log p(level = most unique | x_t)`` to the score while sampling. Raising the
guidance scale moves the samples into low-density regions.
"""

# %%
# Data: a large Gaussian bulk and a small, distant cluster.
import matplotlib.pyplot as plt
import numpy as np

from skpapers.generative import KernelScoreModel, MinorityGuidedGenerator, VarianceExplodingSchedule

rng = np.random.RandomState(0)
X = np.vstack([rng.normal(size=(950, 2)), rng.normal(3.0, 0.3, size=(50, 2))])

gen = MinorityGuidedGenerator(KernelScoreModel(bandwidth=0.2), schedule=VarianceExplodingSchedule(0.01, 20.0),
                              n_steps=60, standardize=False, random_state=0).fit(X)

# %%
# The minority score and its top level: the tails of the bulk and part of the
# small cluster (the score measures density, not cluster membership).
top = gen.levels_ == gen.target_level_
fig, axes = plt.subplots(1, 4, figsize=(16, 4), sharex=True, sharey=True)
sc = axes[0].scatter(X[:, 0], X[:, 1], c=gen.minority_scores_, s=5, cmap="viridis")
axes[0].scatter(X[top, 0], X[top, 1], s=18, facecolors="none", edgecolors="C3", label="top level")
axes[0].set_title("minority score of training rows")
axes[0].legend(loc="upper left")
fig.colorbar(sc, ax=axes[0])

# %%
# Samples at guidance scales 0 (plain sampler), 1 and 3, with their mean log
# density under the unguided model.
for ax, w in zip(axes[1:], (0.0, 1.0, 3.0)):
    S = gen.set_params(guidance_scale=w).sample(400, random_state=1)
    ax.scatter(X[:, 0], X[:, 1], s=3, c="0.8")
    ax.scatter(S[:, 0], S[:, 1], s=4, c="C3", alpha=0.6)
    ax.set_title(f"w = {w:g}: mean log density {gen.score_samples(S).mean():.2f}")
fig.tight_layout()
plt.show()

# %%
# The score behind the levels is a function of any fitted score model:
# ``minority_score`` is the mean error of reconstructing noised copies of a
# row, large for the 50 rows of the small cluster and small in the bulk.
from skpapers.generative import minority_score

score_model = KernelScoreModel(bandwidth=0.2).fit(X, VarianceExplodingSchedule(0.01, 20.0))
scores = minority_score(score_model, X, minority_noise=1.0, random_state=0)
print(f"mean minority score: bulk {scores[:950].mean():.2f}, small cluster {scores[950:].mean():.2f}")

# %%
# For imbalanced classification, ``MinorityGuidanceOverSampler`` wraps the
# generator as an imbalanced-learn sampler: here the 50 rows of the small
# cluster form class 1 and are enlarged to the size of class 0.
from skpapers.over_sampling import MinorityGuidanceOverSampler

y = np.r_[np.zeros(950, dtype=int), np.ones(50, dtype=int)]
sampler = MinorityGuidanceOverSampler(MinorityGuidedGenerator(KernelScoreModel(bandwidth=0.2), n_steps=30),
                                      random_state=0)
X_res, y_res = sampler.fit_resample(X, y)
print(f"class counts after resampling: {np.bincount(y_res)}; new class-1 rows centred at {X_res[1000:].mean(axis=0).round(2)}")
