"""
=========================================================
Partial correlations of compositions without a reference
=========================================================

Proportions only carry ratio information: when one part grows, the others must
shrink, so correlations between proportions are mostly artefacts of the closure.
The clr covariance of the parts is singular (its rows sum to zero), but its
Moore-Penrose inverse plays the role of a precision matrix (Erb 2020,
arXiv:1904.09480): it gives a partial correlation for every pair of parts,
controlling for all the other parts, without choosing a reference part.

We draw compositions of 8 parts whose partial correlations are known (a chain
of neighbours plus the last part), and compare what three summaries see.
"""

# %%
# Compositions with a planted structure
# -------------------------------------
# :func:`~skpapers.datasets.make_logistic_normal` returns the compositions
# (rows sum to one) and their population partial correlations.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from skpapers.compositional import CompositionalPartialCorrelation, LogRatioTransformer
from skpapers.datasets import make_logistic_normal

X, planted = make_logistic_normal(n_samples=5000, n_parts=8, random_state=0)
parts = [f"part {k}" for k in range(8)]
X = pd.DataFrame(X, columns=parts)

# %%
# Three summaries of the same data
# --------------------------------
# The naive correlation of the proportions, the correlation of the clr
# coordinates, and the partial correlations from the pseudo-inverse of the clr
# covariance.
naive = np.corrcoef(X, rowvar=False)
clr = LogRatioTransformer().set_output(transform="pandas").fit_transform(X)
clr_correlation = clr.corr().to_numpy()
estimator = CompositionalPartialCorrelation().fit(X)
partial = estimator.partial_correlation_

iu = np.triu_indices(8, 1)
for name, matrix in [("naive", naive), ("clr correlation", clr_correlation), ("partial", partial)]:
    error = np.abs(matrix - planted)[iu].max()
    print(f"{name:>16}: max |value - planted| = {error:.3f}")

fig, axes = plt.subplots(1, 4, figsize=(15, 3.8), layout="constrained")
for ax, matrix, title in zip(
    axes,
    [planted, naive, clr_correlation, partial],
    ["planted partial correlations", "correlation of proportions", "correlation of clr", "partial correlation (ours)"],
):
    shown = matrix.copy()
    np.fill_diagonal(shown, np.nan)
    image = ax.imshow(shown, cmap="RdBu_r", vmin=-0.5, vmax=0.5)
    ax.set_title(title, fontsize=10)
    ax.set_xticks(range(8))
    ax.set_yticks(range(8))
fig.colorbar(image, ax=axes, shrink=0.8)
plt.show()

# %%
# Only the partial correlations recover the chain and the links to the last
# part; the correlations of the proportions are dominated by spurious negative
# values. The t-test on each pair (``n - D + 1`` degrees of freedom) finds the
# planted edges:
pvalues = np.array([estimator.test(i, j).pvalue for i, j in zip(*iu)])
found = pvalues < 0.01 / len(pvalues)
edges = np.abs(planted[iu]) > 0.05
print(f"planted edges found: {np.sum(found & edges)}/{edges.sum()}, false edges: {np.sum(found & ~edges)}")

# %%
# No reference part
# -----------------
# The same values come out of ordinary partial correlations of alr coordinates
# ``log(x_i / x_r)``, whichever reference ``r`` is used, for the pairs that do
# not contain ``r``. Partial variances ``1 / Omega_ii`` are likewise reference
# free: the residual variance of ``log(x_i / x_r)`` given all other log-ratios.
for reference in (0, 7):
    alr = LogRatioTransformer(kind="alr", reference=reference).fit_transform(X)
    precision = np.linalg.inv(np.cov(alr, rowvar=False))
    d = np.sqrt(np.diag(precision))
    keep = [k for k in range(8) if k != reference]
    difference = np.abs(-precision / np.outer(d, d) - partial[np.ix_(keep, keep)])
    np.fill_diagonal(difference, 0.0)
    print(f"reference part {reference}: max difference {difference.max():.1e}")
print(pd.Series(estimator.partial_variance_, index=parts).round(3))

# %%
# Without the estimator: ``compositional_partial_corr`` returns the same
# partial correlations and partial variances as a function.
from skpapers.compositional import compositional_partial_corr

partial_fn, variance_fn = compositional_partial_corr(X)
print(f"max difference to the estimator: {np.abs(partial_fn - partial).max():.1e}, "
      f"{np.abs(variance_fn - estimator.partial_variance_).max():.1e}")
