"""Sharper bounds for l_p sensitivity sampling (arXiv:2306.00732), checked at p = 1.

Two measurements.

1. Sample size against total sensitivity. For Gaussian n x d matrices the
   l_1 total sensitivity is about ``sqrt(pi) Gamma((d+1)/2) / Gamma(d/2)``,
   far below ``d``. We compute it exactly (one linear program per row), then
   sample rows with probability proportional to sensitivity at several
   expected sizes ``m`` and measure the distortion
   ``max_x | ||S A x||_1 / ||A x||_1 - 1 |`` over 500 random directions
   plus, per draw, the ``d`` directions where the sample distorts the l_2
   norm most and least (a lower estimate of the supremum over all ``x``:
   random directions alone miss more of it as ``d`` grows). The distortion
   falls like ``c / sqrt(m)``; the rows needed for distortion ``eps`` are
   ``m* = (c / eps)^2``. The paper bounds them by about ``S^(2/p) = S^2`` for
   ``p = 1``; the earlier generic bound is ``S * d``, which in this family
   (``S ~ sqrt(d)``) grows like ``S^3``. The log-log slope of ``m*`` against
   ``S`` tells them apart.
2. Least absolute deviations on a heavy-tailed design (the spec's
   prototype): sensitivity and Lewis-weight sampling against uniform
   sampling, by the relative excess l_1 cost of the fit on the sample.
"""

import numpy as np
from scipy import linalg
from scipy.special import gammaln

from ..linear_model import LpRegression
from ..sampling import leverage_scores, lewis_weights, lp_sensitivities, sampling_probabilities
from ._registry import ReproductionResult, register

EPS = 0.3
METHODS = ("uniform", "leverage", "root_leverage", "lewis", "sensitivity")


def gaussian_l1_total_sensitivity(d):
    """Large-n limit of the l_1 total sensitivity of a Gaussian n x d matrix."""
    return float(np.sqrt(np.pi) * np.exp(gammaln((d + 1) / 2) - gammaln(d / 2)))


def _distortion_constant(A, sensitivities, sizes, n_draws, rng):
    """Median distortion per expected size, and ``c`` in ``distortion ~ c sqrt(1/m - 1/n)``."""
    n, d = A.shape
    directions = rng.standard_normal((d, 500))
    gram = A.T @ A
    medians = []
    for m in sizes:
        prob = sampling_probabilities(sensitivities, m)
        distortions = []
        for _ in range(n_draws):
            keep = rng.random(n) < prob
            kept = A[keep]
            # Random directions miss the worst ones as d grows; add the d
            # directions where the sample distorts the l_2 norm most and least
            # (generalised eigenvectors of the two Gram matrices).
            sample_gram = (kept / prob[keep, None]).T @ kept
            candidates = np.column_stack([directions, linalg.eigh(sample_gram, gram)[1]])
            norms = np.abs(A @ candidates).sum(axis=0)
            estimate = (np.abs(kept @ candidates) / prob[keep, None]).sum(axis=0)
            distortions.append(np.max(np.abs(estimate / norms - 1.0)))
        medians.append(float(np.median(distortions)))
    medians = np.asarray(medians)
    # Bernoulli sampling of m out of n rows: the variance carries a (1 - m/n) factor.
    scale = np.sqrt(1.0 / np.asarray(sizes, dtype=float) - 1.0 / n)
    return medians, float(np.median(medians / scale))


def _sample_size_study(dims, n, n_draws, rng):
    sizes = (8, 12, 16, 24, 32, 48, 64)
    rows = []
    for d in dims:
        A = rng.standard_normal((n, d))
        sigma = lp_sensitivities(A, 1)
        medians, constant = _distortion_constant(A, sigma, sizes, n_draws, rng)
        rows.append(
            {
                "d": d,
                "total_sensitivity": float(sigma.sum()),
                "closed_form": gaussian_l1_total_sensitivity(d),
                "median_distortion": medians.tolist(),
                "constant": constant,
                "rows_needed": (constant / EPS) ** 2,
            }
        )
    totals = np.log([row["total_sensitivity"] for row in rows])
    needed = np.log([row["rows_needed"] for row in rows])
    slope = float(np.polyfit(totals, needed, 1)[0])
    return {"sizes": list(sizes), "rows": rows, "slope": slope}


def _scores(A, method):
    if method == "uniform":
        return np.ones(A.shape[0])
    if method == "leverage":
        return leverage_scores(A)
    if method == "root_leverage":
        return np.sqrt(leverage_scores(A))
    if method == "lewis":
        return lewis_weights(A, 1)
    return lp_sensitivities(A, 1)


def _lad_study(n_datasets, n_draws, n, d, m, rng):
    excess = {method: [] for method in METHODS}
    for _ in range(n_datasets):
        A = rng.standard_t(1.5, size=(n, d))
        b = A @ rng.standard_normal(d) + rng.laplace(size=n)
        optimum = LpRegression(p=1, fit_intercept=False).fit(A, b).objective_
        augmented = np.column_stack([A, b])
        for method in METHODS:
            prob = sampling_probabilities(_scores(augmented, method), m)
            for _ in range(n_draws):
                keep = np.flatnonzero(rng.random(n) < prob)
                if keep.size < d:  # under-determined sample: count it as a failed draw
                    excess[method].append(np.inf)
                    continue
                fit = LpRegression(p=1, fit_intercept=False).fit(A[keep], b[keep], sample_weight=1.0 / prob[keep])
                cost = np.abs(b - A @ fit.coef_).sum()
                excess[method].append(float(cost / optimum - 1.0))
    return {method: values for method, values in excess.items()}


@register(
    slug="lp-sensitivity-sampling",
    title="Sharper Bounds for l_p Sensitivity Sampling",
    arxiv="2306.00732",
    claim=(
        "For p = 1 the rows l_1 sensitivity sampling needs grow like the total sensitivity squared "
        "(S^(2/p)), not like S * d, and sensitivity or Lewis sampling beats uniform sampling for "
        "least absolute deviations on heavy-leverage data."
    ),
    expected="reproduced",
)
def run(quick=False, random_state=0):
    """Sample-size growth with total sensitivity, and LAD excess cost by sampling method."""
    rng = np.random.default_rng(random_state)
    if quick:
        study = _sample_size_study(dims=(2, 4, 8), n=200, n_draws=100, rng=rng)
        lad = _lad_study(n_datasets=1, n_draws=20, n=300, d=6, m=40, rng=rng)
    else:
        study = _sample_size_study(dims=(2, 4, 8, 16), n=400, n_draws=100, rng=rng)
        lad = _lad_study(n_datasets=5, n_draws=20, n=600, d=6, m=60, rng=rng)

    medians = {method: float(np.median(values)) for method, values in lad.items()}
    needed = [row["rows_needed"] for row in study["rows"]]
    increasing = bool(np.all(np.diff(needed) > 0))
    # S^2 predicts slope 2; the generic S * d predicts 3 here (S ~ sqrt(d)).
    slope_matches = 1.4 <= study["slope"] <= 2.6
    beats_uniform = max(medians["lewis"], medians["sensitivity"]) < 0.5 * medians["uniform"]
    n_ok = sum([increasing and slope_matches, beats_uniform])
    verdict = "reproduced" if n_ok == 2 else ("partly reproduced" if n_ok == 1 else "not reproduced")

    totals = ", ".join(
        f"d={row['d']}: S={row['total_sensitivity']:.2f} (limit {row['closed_form']:.2f}), m*={row['rows_needed']:.0f}"
        for row in study["rows"]
    )
    ours = (
        f"{totals}; slope of log m* on log S {study['slope']:.2f}; LAD median excess cost "
        + ", ".join(f"{method} {medians[method]:.3f}" for method in METHODS)
    )
    reference = (
        "paper: ~S^(2/p) rows for 1 <= p < 2 (slope 2 here; S*d would give 3); spec prototype LAD medians "
        "uniform 0.138, leverage 0.036, root leverage 0.026, Lewis 0.016, sensitivity 0.018; "
        "Gaussian S limits 3.436 (d=8), 4.936 (d=16)"
    )
    return ReproductionResult(
        ours=ours,
        reference=reference,
        verdict=verdict,
        details={
            "eps": EPS,
            "sample_size_study": study,
            "rows_needed_increasing": increasing,
            "slope": study["slope"],
            "lad_excess": lad,
            "lad_median_excess": medians,
        },
    )


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    study = result.details["sample_size_study"]
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 4))
    for row in study["rows"]:
        label = f"d={row['d']}, S={row['total_sensitivity']:.2f}"
        left.loglog(study["sizes"], row["median_distortion"], "o-", label=label)
    left.axhline(result.details["eps"], color="grey", linestyle=":")
    left.set_xlabel("expected sample size m")
    left.set_ylabel("median distortion")
    left.set_title("l_1 sensitivity sampling, Gaussian A")
    left.legend()

    totals = np.array([row["total_sensitivity"] for row in study["rows"]])
    needed = np.array([row["rows_needed"] for row in study["rows"]])
    middle.loglog(totals, needed, "o", label=f"measured (slope {study['slope']:.2f})")
    for power, style in ((2, "--"), (3, ":")):
        middle.loglog(totals, needed[0] * (totals / totals[0]) ** power, style, label=f"S^{power}")
    middle.set_xlabel("total l_1 sensitivity S")
    middle.set_ylabel(f"rows needed for distortion {result.details['eps']}")
    middle.set_title("sample size against total sensitivity")
    middle.legend()

    excess = result.details["lad_excess"]
    finite = [np.asarray(excess[m])[np.isfinite(excess[m])] for m in METHODS]
    right.boxplot(finite, showfliers=False)
    right.set_xticks(range(1, len(METHODS) + 1), [m.replace("_", "\n") for m in METHODS])
    right.set_yscale("log")
    right.set_ylabel("relative excess l_1 cost")
    right.set_title("LAD on a weighted sample, t(1.5) design")
    fig.tight_layout()
    return {"lp_sensitivity_sampling": fig}
