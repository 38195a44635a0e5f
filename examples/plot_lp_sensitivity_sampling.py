"""
==========================================================
l_1 regression on a few rows: which rows to sample?
==========================================================

Least absolute deviations (l_1 regression) on ``n`` rows costs a linear
program of size ``n``. Woodruff and Yasuda (2023) study how few rows suffice
when rows are sampled with probability proportional to a score and
reweighted by ``1 / p_i``: with l_p sensitivities or Lewis weights as
scores, the fit on the sample has a full-data cost within ``1 + eps`` of the
optimum.

On a heavy-tailed design a handful of rows carry most of the geometry.
Uniform sampling misses them; :class:`~skpapers.sampling.LpSensitivitySampler`
keeps them. This example compares the excess l_1 cost of
:class:`~skpapers.linear_model.SampledLpRegression` with uniform,
root-leverage and Lewis-weight sampling as the sample grows.
"""

# %%
# A heavy-tailed design and its exact l_1 fit
# --------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from skpapers.linear_model import LpRegression, SampledLpRegression
from skpapers.sampling import LpSensitivitySampler

rng = np.random.default_rng(0)
n_samples, n_features = 5000, 5
X = rng.standard_t(1.5, size=(n_samples, n_features))
y = X @ rng.standard_normal(n_features) + 1.0 + rng.laplace(size=n_samples)

exact = LpRegression(p=1).fit(X, y)
print(f"optimal l_1 cost on all {n_samples} rows: {exact.objective_:.1f}")

# %%
# Where the scores put the probability mass
# -----------------------------------------
# Lewis weights of ``[X, 1, y]`` sum to its rank (7). The top 1% of the rows
# hold about a seventh of that total (uniform scores would give them 1%), and
# a few rows are kept for sure at a sample size of 200.
sampler = LpSensitivitySampler(p=1, method="lewis", n_samples=200, random_state=0).fit(X, y)
order = np.sort(sampler.scores_)[::-1]
print(f"sum of Lewis weights: {sampler.total_score_:.3f}; the top 1% of rows hold {order[:50].sum():.2f} of it")
print(f"rows kept with probability 1 at m = 200: {np.sum(sampler.probabilities_ == 1.0)}")

# %%
# Excess cost against sample size
# -------------------------------
sizes = [50, 100, 200, 400, 800]
methods = ["uniform", "root_leverage", "lewis"]
excess = {method: np.empty((len(sizes), 8)) for method in methods}
for method in methods:
    for i, size in enumerate(sizes):
        for seed in range(8):
            model = SampledLpRegression(p=1, method=method, n_samples=size, random_state=seed).fit(X, y)
            cost = np.abs(y - model.predict(X)).sum()
            excess[method][i, seed] = cost / exact.objective_ - 1

fig, (ax_scores, ax_excess) = plt.subplots(1, 2, figsize=(11, 4))
ax_scores.loglog(np.arange(1, n_samples + 1), order, label="Lewis weights (sorted)")
ax_scores.axhline(sampler.total_score_ / n_samples, color="grey", linestyle=":", label="uniform, same total")
ax_scores.set_xlabel("rank of row")
ax_scores.set_ylabel("score")
ax_scores.set_title("A few rows carry the geometry")
ax_scores.legend()
for method in methods:
    median = np.median(excess[method], axis=1)
    ax_excess.loglog(sizes, median, "o-", label=method.replace("_", " "))
ax_excess.set_xticks(sizes, [str(size) for size in sizes])
ax_excess.xaxis.set_minor_formatter(NullFormatter())
ax_excess.set_xlabel("expected sample size m")
ax_excess.set_ylabel("median relative excess l_1 cost")
ax_excess.set_title("SampledLpRegression, 8 draws per point")
ax_excess.legend()
fig.tight_layout()
plt.show()

for method in methods:
    print(f"{method:>14}: excess at m=200 {np.median(excess[method][2]):.4f}")

# %%
# Lewis and root-leverage sampling reach a given accuracy with several times
# fewer rows than uniform sampling, because they keep the few rows that
# decide the fit. The sample size the paper's bounds ask for depends on the
# total sensitivity of ``[X, 1, y]`` (at most its rank), not on ``n``.

# %%
# The scores behind the sampler are public functions. On the first 500 rows
# of ``[X, 1]`` the leverage scores and the l_1 Lewis weights both sum to the
# rank (6), and the exact l_1 sensitivities sum to at most that;
# ``sampling_probabilities`` turns any of them into keep-probabilities with
# the requested expected sample size.
from skpapers.sampling import leverage_scores, lewis_weights, lp_sensitivities, sampling_probabilities

A = np.column_stack([X[:500], np.ones(500)])
totals = {
    "leverage_scores": leverage_scores(A),
    "lewis_weights (p=1)": lewis_weights(A, p=1),
    "lp_sensitivities (p=1)": lp_sensitivities(A, p=1),
}
for name, s in totals.items():
    print(f"{name:>24}: total {s.sum():.2f}")
keep = sampling_probabilities(totals["lewis_weights (p=1)"], n_samples=50)
print(f"keep-probabilities: sum {keep.sum():.1f}, rows kept surely {np.sum(keep == 1.0)}")
