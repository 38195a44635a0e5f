"""Gaussian score approximation and analytical teleportation (arXiv:2311.10892).

Three checks, after the paper and the authors' code:

1. the closed-form probability-flow solution for Gaussian data equals a
   high-accuracy numerical integration (``solve_ivp``) of the ODE;
2. on two moons (standardized), a kernel score (bandwidth 0.1) sampled with
   EDM's 18-point grid and Heun steps keeps its sample quality (energy
   distance to fresh moons) when the first steps are replaced by the exact
   Gaussian jump; we report the largest skipped fraction that keeps quality
   and the score evaluations it saves (paper: 15-30% of steps at equal FID);
3. the share of the score explained by the Gaussian score falls from about 1
   at high noise as the noise shrinks (the paper's curve), for the kernel score
   and, in the full run, for an MLP trained by denoising score matching.
"""

import warnings

import numpy as np
from scipy.integrate import solve_ivp
from scipy.spatial.distance import cdist
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning

from ..generative import (
    DiffusionGenerator,
    GaussianScoreModel,
    KernelScoreModel,
    RegressorScoreModel,
    VarianceExplodingSchedule,
    gaussian_pf_ode_solution,
    score_explained_variance,
)
from ._registry import ReproductionResult, register

SIGMA_MIN, SIGMA_MAX, N_GRID = 0.002, 80.0, 18
EV_SIGMAS = (10.0, 3.0, 1.0, 0.3, 0.1)


def energy_distance(X, Y):
    """Multivariate energy distance ``2 E|X-Y| - E|X-X'| - E|Y-Y'|`` (V-statistic)."""
    return float(2 * cdist(X, Y).mean() - cdist(X, X).mean() - cdist(Y, Y).mean())


def _closed_form_vs_solve_ivp(random_state):
    rng = np.random.RandomState(random_state)
    A = rng.normal(size=(3, 3))
    cov, mean = A @ A.T + 0.1 * np.eye(3), np.array([1.0, -2.0, 0.5])
    x_T = rng.normal(size=(5, 3)) * SIGMA_MAX

    def ode(sigma, y):
        return (sigma * np.linalg.solve(cov + sigma**2 * np.eye(3), (y.reshape(5, 3) - mean).T).T).ravel()

    errors = {}
    for sigma in (10.0, 1.0, 0.002):
        ref = solve_ivp(ode, (SIGMA_MAX, sigma), x_T.ravel(), method="DOP853", rtol=1e-10, atol=1e-10)
        exact = gaussian_pf_ode_solution(x_T, SIGMA_MAX, sigma, mean, cov)
        errors[sigma] = float(np.abs(ref.y[:, -1].reshape(5, 3) - exact).max())
    return errors


@register(
    slug="gaussian-teleport",
    title="The Unreasonable Effectiveness of Gaussian Score Approximation for Diffusion Models",
    arxiv="2311.10892",
    claim="replacing the first 15-30% of sampler steps by the exact Gaussian solution keeps sample quality",
)
def run(quick=False, random_state=0):
    errors = _closed_form_vs_solve_ivp(random_state)
    n_train, n_gen, n_ref = (1000, 1000, 1000) if quick else (1000, 2000, 2000)
    X, _ = make_moons(n_train, noise=0.05, random_state=random_state)
    ref, _ = make_moons(n_ref, noise=0.05, random_state=random_state + 1)
    # make_moons spaces its points evenly along the arcs, so two of its samples are closer than two
    # independent draws: the noise level is an i.i.d. draw (rows of a large pool) against the reference
    pool, _ = make_moons(100_000, noise=0.05, random_state=random_state + 2)
    iid = pool[np.random.RandomState(random_state).randint(len(pool), size=n_gen)]
    floor = energy_distance(iid, ref)

    schedule = VarianceExplodingSchedule(SIGMA_MIN, SIGMA_MAX)
    n_steps = N_GRID - 1
    skips = list(range(0, 13, 2))
    distances, evaluations, sigmas = [], [], []
    base = DiffusionGenerator(KernelScoreModel(bandwidth=0.1), schedule=schedule, solver="heun", n_steps=n_steps,
                              time_spacing="edm", t_min=1e-9, random_state=random_state).fit(X)
    grid = base._time_grid()
    for k in skips:
        gen = base.set_params(teleport=k / n_steps if k else None)
        Z, n_eval = gen._sample(n_gen, random_state=random_state + 3)
        distances.append(energy_distance(Z * gen.scale_ + gen.mean_, ref))
        evaluations.append(int(n_eval))
        sigmas.append(float(schedule.sigma(grid[k])))
    distances = np.array(distances)
    # quality kept: within the two-sample noise level of the full sampler (same start noise for every skip)
    kept = distances <= distances[0] + floor
    largest = max((k for k, ok in zip(skips, kept) if all(kept[: skips.index(k) + 1])), default=0)
    fraction = largest / n_steps

    # explained variance of scores by the Gaussian score, across noise levels
    Z = (X - base.mean_) / base.scale_
    ev_t = schedule.time_from_sigma_ratio(np.array(EV_SIGMAS))
    gauss = GaussianScoreModel().fit(Z, schedule)
    ev_kernel = score_explained_variance(base.model_, gauss, Z, ev_t, n_draws=2, random_state=random_state)
    ev = {"kernel": ev_kernel.tolist()}
    if not quick:
        from sklearn.neural_network import MLPRegressor

        mlp = MLPRegressor(hidden_layer_sizes=(64, 64), max_iter=80, batch_size=256, random_state=random_state)
        with warnings.catch_warnings():
            # 80 epochs is the spec's budget: the loss still creeps down, the curve's shape is settled
            warnings.simplefilter("ignore", ConvergenceWarning)
            learned = RegressorScoreModel(mlp, target="noise", n_noise_draws=8).fit(Z, schedule, random_state=0)
        ev["mlp"] = score_explained_variance(learned, gauss, Z, ev_t, n_draws=2, random_state=random_state).tolist()

    ev_falls = all(e[0] > 0.95 and e[0] > e[-1] for e in ev.values())
    exact = max(errors.values()) < 1e-8
    verdict = "reproduced" if exact and fraction >= 0.15 and ev_falls else (
        "partly reproduced" if exact and (fraction > 0 or ev_falls) else "not reproduced")
    saved = 1 - evaluations[skips.index(largest)] / evaluations[0]
    return ReproductionResult(
        ours=(f"closed form vs solve_ivp {max(errors.values()):.0e}; energy distance {distances[0]:.4f} "
              f"({evaluations[0]} evals) -> {distances[skips.index(largest)]:.4f} skipping {largest}/{n_steps} "
              f"steps ({100 * saved:.0f}% evals saved)"),
        reference="paper: skip 15-30% of steps at equal FID; closed form exact",
        verdict=verdict,
        details={
            "ode_max_abs_error": {str(k): v for k, v in errors.items()},
            "skips": skips,
            "n_steps": n_steps,
            "teleport_sigma": sigmas,
            "energy_distance": distances.tolist(),
            "noise_floor": floor,
            "evaluations": evaluations,
            "largest_kept_skip": largest,
            "kept_fraction": fraction,
            "evaluations_saved": saved,
            "ev_sigmas": list(EV_SIGMAS),
            "explained_variance": ev,
        },
    )


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    d = result.details
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    frac = np.array(d["skips"]) / d["n_steps"]
    ax1.plot(frac, d["energy_distance"], "o-", label="teleport + Heun (kernel score)")
    ax1.axhline(d["energy_distance"][0] + d["noise_floor"], color="grey", ls="--", label="no skip + noise level")
    ax1.axvspan(0.15, 0.30, color="C1", alpha=0.15, label="paper's 15-30%")
    for f, e, n in zip(frac, d["energy_distance"], d["evaluations"]):
        ax1.annotate(str(n), (f, e), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    ax1.set(xlabel="fraction of steps replaced by the Gaussian jump", ylabel="energy distance to fresh moons",
            title="Teleportation (labels: score evaluations)")
    ax1.legend(fontsize=8)
    for name, values in d["explained_variance"].items():
        ax2.semilogx(d["ev_sigmas"], values, "o-", label=f"{name} score")
    ax2.set(xlabel="noise level sigma", ylabel="variance explained by the Gaussian score",
            title="Gaussian share of the score")
    ax2.legend()
    fig.tight_layout()
    return {"teleportation": fig}
