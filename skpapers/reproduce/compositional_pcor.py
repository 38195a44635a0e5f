"""Partial correlations in compositional data (Erb 2020): the planted-structure check.

Logistic-normal compositions of D = 8 parts get a sparse (tridiagonal) alr precision,
so the partial correlations of all eight parts are known exactly. We measure

A. the error of the reference-free partial correlations (pseudo-inverse of the clr
   covariance) against the planted values (spec: within 0.03, n = 20000);
B. the error of the naive Pearson correlations of the proportions, and how well each
   matrix ranks the planted edges above the non-edges (ROC AUC of |value|), whether
   the planted positive edges keep their sign, and the edges our t-test finds at a
   Bonferroni-corrected 1% level;
C. reference freedom: the partial correlations computed on alr coordinates (inverse
   alr covariance) for each of the eight possible references agree, whereas plain
   correlations of alr coordinates change with the reference.
"""

import numpy as np
from sklearn.metrics import roc_auc_score

from ..compositional import CompositionalPartialCorrelation
from ..datasets import make_logistic_normal
from ._registry import ReproductionResult, register

_N_PARTS = 8
_N_SAMPLES = 20000
_EDGE = 0.05  # planted |rho| above this is an edge (planted values are 0, 0.134 or ~0.4)
_LEVEL = 0.01


def _alr_partial_correlations(X, reference):
    """Partial correlations of the parts other than ``reference`` from the alr precision."""
    log_X = np.log(X)
    alr = np.delete(log_X, reference, axis=1) - log_X[:, [reference]]
    precision = np.linalg.inv(np.cov(alr, rowvar=False))
    d = np.sqrt(np.diag(precision))
    partial = -precision / np.outer(d, d)
    np.fill_diagonal(partial, 1.0)
    return partial, np.corrcoef(alr, rowvar=False)


def _reference_spread(X):
    """Largest spread, over references, of the alr-route partial and plain correlations of a pair."""
    n_parts = X.shape[1]
    partial = np.full((n_parts, n_parts, n_parts), np.nan)
    plain = np.full_like(partial, np.nan)
    for reference in range(n_parts):
        keep = [k for k in range(n_parts) if k != reference]
        rho, corr = _alr_partial_correlations(X, reference)
        partial[reference][np.ix_(keep, keep)] = rho
        plain[reference][np.ix_(keep, keep)] = corr
    iu = np.triu_indices(n_parts, 1)

    def spread(values):
        values = values[:, iu[0], iu[1]]
        return float(np.nanmax(np.nanmax(values, axis=0) - np.nanmin(values, axis=0)))

    return spread(partial), spread(plain), partial


def _one_seed(seed):
    X, truth = make_logistic_normal(n_samples=_N_SAMPLES, n_parts=_N_PARTS, random_state=seed)
    estimator = CompositionalPartialCorrelation().fit(X)
    rho = estimator.partial_correlation_
    naive = np.corrcoef(X, rowvar=False)
    iu = np.triu_indices(_N_PARTS, 1)
    edges = np.abs(truth[iu]) > _EDGE
    positive = truth[iu] > _EDGE
    n_pairs = len(iu[0])
    pvalues = np.array([estimator.test(i, j).pvalue for i, j in zip(*iu)])
    found = pvalues < _LEVEL / n_pairs
    partial_spread, plain_spread, alr_partial = _reference_spread(X)
    # alr-route partial correlations (any reference) against the clr pseudo-inverse route
    alr_vs_clr = float(np.nanmax(np.abs(alr_partial - rho[None, :, :])))
    # Sampling theory: sd of a partial correlation ~ (1 - rho^2) / sqrt(n - D + 1).
    standard_error = (1 - truth[iu] ** 2) / np.sqrt(_N_SAMPLES - _N_PARTS + 1)
    return {
        "pcor_max_error": float(np.abs(rho - truth)[iu].max()),
        "pcor_z": ((rho[iu] - truth[iu]) / standard_error).tolist(),
        "naive_max_error": float(np.abs(naive - truth)[iu].max()),
        "pcor_auc": float(roc_auc_score(edges, np.abs(rho[iu]))),
        "naive_auc": float(roc_auc_score(edges, np.abs(naive[iu]))),
        "pcor_sign_ok": float(np.mean(rho[iu][positive] > 0)),
        "naive_sign_ok": float(np.mean(naive[iu][positive] > 0)),
        "true_edges": int(edges.sum()),
        "edges_found": int((found & edges).sum()),
        "false_edges": int((found & ~edges).sum()),
        "alr_partial_reference_spread": partial_spread,
        "alr_plain_reference_spread": plain_spread,
        "alr_vs_clr_max_difference": alr_vs_clr,
        "truth": truth,
        "pcor": rho,
        "naive": naive,
    }


@register(
    slug="compositional-pcor",
    title="Partial Correlations in Compositional Data Analysis",
    arxiv="1904.09480",
    claim=(
        "Partial correlations read off the pseudo-inverse of the clr covariance are reference-free and "
        "recover a planted partial-correlation structure (within 0.03 at n = 20000, D = 8), which naive "
        "correlations of the proportions get wrong."
    ),
    expected="reproduced",
)
def run(quick=False, random_state=0):
    n_seeds = 3 if quick else 20
    seeds = np.random.SeedSequence(random_state).generate_state(n_seeds)
    runs = [_one_seed(int(seed)) for seed in seeds]
    scalar = [key for key, value in runs[0].items() if not isinstance(value, (np.ndarray, list))]
    z = np.concatenate([r["pcor_z"] for r in runs])
    per_seed = {key: [r[key] for r in runs] for key in scalar}
    details = {
        "n_samples": _N_SAMPLES,
        "n_parts": _N_PARTS,
        "n_seeds": n_seeds,
        "per_seed": per_seed,
        "pcor_max_error": max(per_seed["pcor_max_error"]),
        "pcor_median_error": float(np.median(per_seed["pcor_max_error"])),
        "fraction_within_tolerance": float(np.mean(np.array(per_seed["pcor_max_error"]) < 0.03)),
        "pcor_rms_z": float(np.sqrt(np.mean(z**2))),
        "pcor_mean_z": float(z.mean()),
        "naive_min_error": min(per_seed["naive_max_error"]),
        "pcor_auc": min(per_seed["pcor_auc"]),
        "naive_auc": max(per_seed["naive_auc"]),
        "pcor_sign_ok": min(per_seed["pcor_sign_ok"]),
        "naive_sign_ok": max(per_seed["naive_sign_ok"]),
        "edges_found": min(per_seed["edges_found"]),
        "false_edges": sum(per_seed["false_edges"]),
        "null_pairs": n_seeds * (_N_PARTS * (_N_PARTS - 1) // 2 - runs[0]["true_edges"]),
        "true_edges": runs[0]["true_edges"],
        "alr_partial_reference_spread": max(per_seed["alr_partial_reference_spread"]),
        "alr_plain_reference_spread": min(per_seed["alr_plain_reference_spread"]),
        "alr_vs_clr_max_difference": max(per_seed["alr_vs_clr_max_difference"]),
        "first": {key: runs[0][key] for key in ("truth", "pcor", "naive")},
    }
    # The spec's tolerance (0.03 at n = 20000) is for one data set; over many seeds a rare
    # draw beyond it is expected, so we ask for 90% of seeds within it and errors of the size
    # sampling theory predicts (RMS z near 1, no bias).
    recovered = (
        details["fraction_within_tolerance"] >= 0.9
        and 0.8 < details["pcor_rms_z"] < 1.25
        and abs(details["pcor_mean_z"]) < 3 / np.sqrt(z.size)
        and details["pcor_auc"] == 1.0
    )
    naive_wrong = details["naive_min_error"] > 0.1 and details["naive_auc"] < details["pcor_auc"]
    reference_free = details["alr_partial_reference_spread"] < 1e-8 and details["alr_vs_clr_max_difference"] < 1e-8
    if recovered and naive_wrong and reference_free:
        verdict = "reproduced"
    elif recovered or reference_free:
        verdict = "partly reproduced"
    else:
        verdict = "not reproduced"
    ours = (
        f"max |rho - planted| median {details['pcor_median_error']:.3f}, worst {details['pcor_max_error']:.3f}, "
        f"{details['fraction_within_tolerance']:.0%} of seeds < 0.03, RMS z {details['pcor_rms_z']:.2f} "
        f"(naive corr error >= {details['naive_min_error']:.2f}); "
        f"edge AUC {details['pcor_auc']:.2f} vs naive {details['naive_auc']:.2f}; "
        f"{details['edges_found']}/{details['true_edges']} edges found (worst seed), "
        f"{details['false_edges']}/{details['null_pairs']} false; "
        f"spread over alr references {details['alr_partial_reference_spread']:.0e}, {n_seeds} seeds"
    )
    reference = "spec: within 0.03 at n=20000, D=8 (seed 0: 0.015); paper: reference-free, naive correlations spurious"
    return ReproductionResult(ours=ours, reference=reference, verdict=verdict, details=details)


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    first = result.details["first"]
    fig, axes = plt.subplots(1, 4, figsize=(17, 4), gridspec_kw={"width_ratios": [1, 1, 1, 1.2]})
    panels = [
        (first["truth"], "planted partial correlations"),
        (first["pcor"], "clr pseudo-inverse (ours)"),
        (first["naive"], "naive correlation of proportions"),
    ]
    for ax, (matrix, title) in zip(axes, panels):
        shown = matrix.copy()
        np.fill_diagonal(shown, np.nan)
        image = ax.imshow(shown, cmap="RdBu_r", vmin=-0.5, vmax=0.5)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(range(len(matrix)))
        ax.set_yticks(range(len(matrix)))
    fig.colorbar(image, ax=axes[:3], shrink=0.8)
    per_seed = result.details["per_seed"]
    ax = axes[3]
    ax.plot(per_seed["naive_max_error"], "s", label="naive correlation")
    ax.plot(per_seed["pcor_max_error"], "o", label="partial correlation (ours)")
    ax.axhline(0.03, color="grey", linestyle="--", label="tolerance 0.03")
    ax.set_yscale("log")
    ax.set_xlabel("data set (seed index)")
    ax.set_ylabel("max |estimate - planted|")
    ax.legend(fontsize=8)
    return {"matrices": fig}
