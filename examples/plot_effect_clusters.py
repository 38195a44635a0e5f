"""
Treatment-effect clusters gated by embeddings
=============================================

In a randomised trial every unit has a feature vector (think of a pretrained
embedding of a satellite image of its village). The effect of the treatment
comes in two types, -1 and +2, and which type a unit belongs to depends on its
features. :class:`~skpapers.causal.EffectClusterMixture` finds the types, their
effects and the map from features to type probabilities; the map then predicts
effects for new units that were never in the trial.

We compare with a T-learner (one random forest per arm), which
estimates the conditional effect without any cluster structure.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit
from sklearn.base import clone
from sklearn.ensemble import RandomForestRegressor

from skpapers.causal import EffectClusterMixture
from skpapers.datasets import make_effect_clusters

X, y, treatment, types = make_effect_clusters(n_samples=3000, random_state=0)
model = EffectClusterMixture(n_clusters=2, random_state=0).fit(X, y, treatment=treatment)
print("type effects:", model.cluster_effects_.round(2))
print("gating slope on x_0:", model.gating_coef_[0, 1].round(2))
print(f"model ATE {model.ate_:.2f}, difference in means {model.dim_ate_:.2f}")

# %%
# Effects for new units
# ---------------------
# New units have features only. The truth is ``E[tau | x] = -1 + 3 sigmoid(2 x_0)``.
X_new, _, _, types_new = make_effect_clusters(n_samples=2000, random_state=1)
truth = -1 + 3 * expit(2 * X_new[:, 0])
forest = RandomForestRegressor(n_estimators=50, min_samples_leaf=20, random_state=0)
arms = [clone(forest).fit(X[treatment == a], y[treatment == a]) for a in (0, 1)]
cate_t = arms[1].predict(X_new) - arms[0].predict(X_new)
cate_mix, cate_std = model.predict(X_new, return_std=True)
print(f"CATE MSE: mixture {np.mean((cate_mix - truth) ** 2):.3f}, T-learner {np.mean((cate_t - truth) ** 2):.3f}")
print(f"type accuracy on new units: {np.mean(model.predict_cluster(X_new) == types_new):.3f}")

order = np.argsort(X_new[:, 0])
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].scatter(X_new[:, 0], cate_t, s=4, alpha=0.3, color="tab:orange", label="T-learner")
axes[0].plot(X_new[order, 0], truth[order], "k--", label="truth")
axes[0].plot(X_new[order, 0], cate_mix[order], color="tab:blue", label="mixture")
axes[0].fill_between(
    X_new[order, 0], (cate_mix - cate_std)[order], (cate_mix + cate_std)[order], color="tab:blue", alpha=0.15
)
axes[0].set_xlabel("x_0")
axes[0].set_ylabel("effect")
axes[0].set_ylim(-3, 4)
axes[0].legend()
axes[1].plot(X_new[order, 0], expit(2 * X_new[order, 0]), "k--", label="true P(type 1 | x)")
axes[1].plot(X_new[order, 0], model.predict_proba(X_new)[order, 1], label="fitted gating")
axes[1].set_xlabel("x_0")
axes[1].set_ylabel("probability")
axes[1].legend()
fig.tight_layout()
plt.show()

# %%
# The band around the mixture's curve is the spread of the type-level effect
# that the unit's uncertain type implies (``return_std=True``), not a sampling
# interval; bootstrap the fit for that.
