"""
Latent classes of trajectories with a mixture of experts
========================================================

Maths scores of 500 children measured at ten occasions fall into two latent
classes whose growth slows down at a class-specific knot (ages 4 and 5 on the
time axis). Two covariates predict the class (gating network) and two shift
each child's growth factors within the class (expert network).
:class:`~skpapers.mixture.GrowthMixtureOfExperts` fits per-class bilinear
splines with their knots, and BIC compares the paper's four variants: full
mixture of experts, expert-network only, gating-network only, and a plain
finite mixture.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skpapers.datasets import make_growth_mixture
from skpapers.mixture import GrowthMixtureOfExperts

X, Y, times, classes = make_growth_mixture(n_samples=500, random_state=0)
model = GrowthMixtureOfExperts(gating_features=[0, 1], expert_features=[2, 3], n_init=1, random_state=0)
model.fit(X, Y, times=times)
print("knots:", model.knots_.round(2))
print("class means (intercept, slope before, slope after):\n", model.means_.round(2))
print("gating slopes on g1, g2:", model.gating_coef_[:, 1].round(2))
print(f"classification accuracy: {np.mean(model.predict_class(X, Y, times) == classes):.3f}")

# %%
# Class trajectories
# ------------------
# Thin lines: 40 children, coloured by their most probable class.
labels = model.predict_class(X, Y, times)
grid = np.linspace(0, 9, 91)
fig, ax = plt.subplots(figsize=(6, 4))
for i in range(40):
    ax.plot(times[i], Y[i], color=f"C{labels[i]}", alpha=0.25, lw=0.8)
for k in range(2):
    mu, g = model.means_[k], model.knots_[k]
    curve = mu[0] + mu[1] * np.minimum(grid, g) + mu[2] * np.maximum(grid - g, 0)
    ax.plot(grid, curve, color=f"C{k}", lw=3, label=f"class {k}: knot {g:.2f}")
    ax.axvline(g, color=f"C{k}", ls=":")
ax.set_xlabel("time")
ax.set_ylabel("outcome")
ax.legend()
fig.tight_layout()

# %%
# Where to add the covariates: BIC of the four variants
# -----------------------------------------------------
# (one start each, to keep the example fast)
variants = {"full": ([0, 1], [2, 3]), "expert": (None, [2, 3]), "gating": ([0, 1], None), "FMM": (None, None)}
bic = {}
for name, (gating, expert) in variants.items():
    fitted = model if name == "full" else GrowthMixtureOfExperts(
        gating_features=gating, expert_features=expert, n_init=1, random_state=0
    ).fit(X, Y, times=times)
    bic[name] = fitted.bic(X, Y, times)
print({name: round(value) for name, value in bic.items()})
fig, ax = plt.subplots(figsize=(5, 3))
ax.bar(list(bic), [value - min(bic.values()) for value in bic.values()])
ax.set_ylabel("BIC - lowest BIC")
fig.tight_layout()
plt.show()
