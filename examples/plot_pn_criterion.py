"""
How many bins can 500 observations support? The p-n criterion
=============================================================

A histogram with ``K`` bins is a multinomial model of dimension ``p = K - 1``.
Fitted by maximum likelihood (the bin proportions), it approaches the best
histogram for the true density as ``n`` grows; the p-n criterion estimates the
Kullback-Leibler risk ``c1/n + c2/n^2`` that is still left at the observed
``n`` and accepts the model when that risk is below a threshold. Here the data
are 500 draws from a Beta(2, 5) distribution.
"""

# %%
# Risk of each histogram at n = 500
# ---------------------------------
# The most complex accepted candidate is selected. From ``K = 8`` some bins are
# empty: the MLE sits on the boundary and the risk is infinite.
import matplotlib.pyplot as plt
import numpy as np

from skpapers.model_selection import MultinomialFamily, select_model_pn

x = np.random.default_rng(0).beta(2, 5, size=500)
bins = list(range(2, 11))


def histogram(K):
    return (K, lambda values: np.minimum((values * K).astype(int), K - 1), MultinomialFamily(categories=range(K)))


selection = select_model_pn([histogram(K) for K in bins], x, max_risk=0.005)
for K, result in zip(bins, selection.results):
    print(f"K={K:2d}  p={result.p}  risk={result.risk:.5f}  accepted={result.accepted}  n_required={result.n_required}")
print("selected:", selection.best_name)

# %%
# Sample-size planning
# --------------------
# ``n_required`` answers the converse question: how many observations each
# histogram would need for its risk to fall below the threshold. The curves
# are the plug-in expansions ``c1/n + c2/n^2`` extrapolated in ``n``.
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
ax = axes[0]
best = bins[selection.best_index]
ax.hist(x, bins=best, range=(0, 1), density=True, alpha=0.6, label=f"selected: K = {best}")
grid = np.linspace(0, 1, 200)
ax.plot(grid, 30 * grid * (1 - grid) ** 4, "k", label="Beta(2, 5) density")
ax.set_xlabel("x")
ax.set_title("500 draws and the selected histogram")
ax.legend()

ax = axes[1]
n_grid = np.geomspace(50, 2000, 100)
for K, result in zip(bins, selection.results):
    if np.isfinite(result.risk):
        (line,) = ax.loglog(n_grid, result.c1 / n_grid + result.c2 / n_grid**2, label=f"K = {K}")
        ax.plot(result.n_required, 0.005, "o", color=line.get_color())
ax.axhline(0.005, color="k", ls="--", lw=1, label="threshold")
ax.axvline(500, color="grey", lw=1)
ax.set_xlabel("sample size n")
ax.set_ylabel("estimated KL risk")
ax.set_title("Risk against n; dots: n_required")
ax.legend(fontsize=8, ncol=2)
fig.tight_layout()
plt.show()

# %%
# The criterion for a single model: ``pn_criterion`` takes a family (a name
# or an ``ExponentialFamily`` object such as ``MultinomialFamily``) and says
# whether n = 500 is enough, while ``mle_risk_expansion`` gives the risk
# expansion alone, here for a bivariate ``MultivariateNormalFamily`` (p = 5).
from skpapers.model_selection import ExponentialFamily, MultivariateNormalFamily, mle_risk_expansion, pn_criterion

print(isinstance(MultinomialFamily(categories=range(4)), ExponentialFamily))
result = pn_criterion(x, "normal", max_risk=0.005)
print(f"normal family: p={result.p}  risk={result.risk:.5f}  accepted={result.accepted}  n_required={result.n_required}")
pairs = np.column_stack([x, np.random.default_rng(1).beta(2, 5, size=500)])
expansion = mle_risk_expansion(pairs, MultivariateNormalFamily())
print(f"bivariate normal: p={expansion.p}  c1={expansion.c1:.2f}  c2={expansion.c2:.2f}  risk at n=500 {expansion.risk:.5f}")

# %%
# ``projection_risk_from_cumulants`` evaluates the same expansion from given
# cumulants of ``T``; for the standard normal family (``T = (x, x**2)``,
# exact Gauss-Hermite moments; a correct model, so ``Sigma = G`` and
# ``k3 = K3``) it returns the known ``c1 = 1``, ``c2 = 61/12``.
from skpapers.model_selection import projection_risk_from_cumulants

nodes, w = np.polynomial.hermite_e.hermegauss(6)
w = w / w.sum()
Y = np.stack([nodes, nodes**2 - 1], axis=1)
G = np.einsum("m,mi,mj->ij", w, Y, Y)
K3 = np.einsum("m,mi,mj,mk->ijk", w, Y, Y, Y)
K4 = (np.einsum("m,mi,mj,mk,ml->ijkl", w, Y, Y, Y, Y) - np.einsum("ij,kl->ijkl", G, G)
      - np.einsum("ik,jl->ijkl", G, G) - np.einsum("il,jk->ijkl", G, G))
exact = projection_risk_from_cumulants(G, K3, K4, G, K3, n=500)
print(f"c1 = {exact.c1:.3f}, c2 = {exact.c2:.3f} (61/12 = {61 / 12:.3f})")
