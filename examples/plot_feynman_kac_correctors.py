"""
===========================================================
Feynman-Kac correctors: sampling an annealed mixture
===========================================================

A diffusion model fitted to data with density ``q`` samples ``q``. To sample
the annealed target ``q^beta`` (temperature ``1 / beta``) without retraining,
one can multiply the score by ``beta`` ("score mixing"), but the noised
marginals of ``q^beta`` are not those of any diffusion, so the samples are off.
:class:`~skpapers.generative.FeynmanKacCorrector` keeps the same particle
move, carries Feynman-Kac importance weights and resamples the particles when
their effective sample size drops.

Here ``q = 0.8 N(-2, 0.25) + 0.2 N(2, 0.25)`` and ``beta = 2``: the target
``q^2`` has within-mode variance 0.125 and puts only about 6% of its mass on the
right mode. The same weights also correct a second particle move, the
tempered-noise SDE (``noise="tempered"``, noise variance ``g^2 / beta``), but
at ``beta = 2`` they degenerate there.
"""

# %%
# The expert is a two-component Gaussian-mixture score model, given directly
# (it is fitted inside the default 200-step diffusion generator). Sample with
# and without weights, and with the tempered noise.
import matplotlib.pyplot as plt
import numpy as np

from skpapers.generative import FeynmanKacCorrector, GaussianMixtureScoreModel

rng = np.random.RandomState(0)
X = np.where(rng.uniform(size=4000) < 0.8, -2.0, 2.0)[:, None] + 0.5 * rng.normal(size=(4000, 1))
expert = GaussianMixtureScoreModel(n_components=2)
samplers = {
    "FKC": FeynmanKacCorrector([expert], beta=2.0, standardize=False, random_state=0),
    "FKC, tempered noise": FeynmanKacCorrector([expert], beta=2.0, noise="tempered", standardize=False,
                                               random_state=0),
    "score mixing": FeynmanKacCorrector([expert], beta=2.0, weighting=False, standardize=False, random_state=0),
}
samples, traces = {}, {}
for name, sampler in samplers.items():
    S, log_w, diagnostics = sampler.fit(X).sample_weighted(10000)
    # one resampling by weight: equally weighted draws of the target
    samples[name] = S[np.random.RandomState(1).choice(10000, 10000, p=np.exp(log_w))]
    traces[name] = diagnostics

# %%
# The exact target: the square of the expert's density, normalized on a grid.
grid = np.linspace(-4, 4, 801)[:, None]
fitted = samplers["FKC"].estimators_[0]
log_q2 = 2 * fitted.model_.log_density(grid, fitted.t_min)
target = np.exp(log_q2 - log_q2.max())
target /= target.sum() * (grid[1, 0] - grid[0, 0])
right_target = target[grid[:, 0] > 0].sum() / target.sum()
left = grid[:, 0] < 0
left_var = np.sum(target[left] * grid[left, 0] ** 2) / target[left].sum() - (
    np.sum(target[left] * grid[left, 0]) / target[left].sum()
) ** 2
for name, S in samples.items():
    print(f"{name:>20}: right-mode weight {np.mean(S > 0):.3f} (target {right_target:.3f}), "
          f"left-mode variance {S[S < 0].var():.3f} (target {left_var:.3f})")

fig, (ax, ax_ess) = plt.subplots(1, 2, figsize=(11, 3.8))
bins = np.linspace(-4, 4, 81)
for name, S in samples.items():
    ax.hist(S[:, 0], bins=bins, density=True, histtype="step", lw=1.5, label=name)
ax.plot(grid[:, 0], target, "k", lw=1, label=r"target $q^2$")
ax.set_xlabel("x")
ax.set_title("annealed mixture, beta = 2")
ax.legend(fontsize=8)
for name in ("FKC", "FKC, tempered noise"):
    ax_ess.plot(traces[name]["ess"] / 10000, label=f"{name} ({traces[name]['n_resamples']} resamplings)")
ax_ess.set_xlabel("sampler step")
ax_ess.set_ylabel("ESS / N")
ax_ess.set_title("effective sample size per step")
ax_ess.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
# The per-step ESS of the tempered run looks as healthy as the other one, yet
# it puts the least mass of the three on the right mode (4.1% against the
# target's 6.0%; FKC 5.9%, score mixing 4.9%). For a Gaussian expert the
# unweighted tempered move ends with ``1 / beta`` of the target variance, and
# importance weights that must widen a proposal by a factor 2 or more have
# infinite variance: rare, heavy weights decide the result. Prefer the
# default ``noise="target_score"``.
