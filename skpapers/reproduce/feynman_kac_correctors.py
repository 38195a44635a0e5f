"""Feynman-Kac correctors vs plain score mixing on Gaussian targets (arXiv:2503.02819).

Gaussian experts make every target closed-form: ``N(mu, S)^beta`` is
``N(mu, S / beta)``, a product of Gaussians has the precision-weighted mean and
the summed precision, and a geometric average ``q0^(1-beta) q1^beta`` is a
Gaussian with precision ``(1 - beta) P0 + beta P1``. The targets, as in the
spec's check of the paper's weights:

1. annealing ``N(0, I)^2`` (target variance 0.5 per coordinate);
2. product of ``N((-1, 0), I)`` and ``N((1, 0), I)`` (target ``N(0, I / 2)``);
3. geometric average of ``N(0, I)`` and ``N((2, 0), I / 4)`` at ``beta = 0.5``
   (target ``N((1.6, 0), 0.4 I)``);
4. annealing ``N(0, I)^2`` with tempered particle noise (``nu^2 = g^2 / 2``),
   and ``N(0, I)^0.5`` with tempered noise (target variance 2).

Each target is sampled with FKC (weights + systematic resampling) and with
plain score mixing (``weighting=False``, same particle noise); the oracle
moments use the experts' fitted Gaussians, so sampling error alone separates
the two. FKC runs as ``N_REPLICATES`` independent SMC runs whose estimates are
pooled: their spread gives the standard error of the pooled mean, resampled
genealogies included, which the final ESS does not see (particles that share
an early ancestor are not independent). FKC passes a target when its variance
(mean over coordinates) is within 5% of the target and each coordinate of its
mean within 4 standard errors; score mixing is "biased" when its variance or
mean error exceeds 0.1 (relative, resp. absolute).
"""

import numpy as np

from ..generative import DiffusionGenerator, FeynmanKacCorrector
from ._registry import ReproductionResult, register

N_STEPS = {True: 200, False: 400}
N_REPLICATES = 10
# a t-statistic with N_REPLICATES - 1 = 9 degrees of freedom exceeds 4 in absolute value with probability 0.003
MEAN_SE_BOUND = 4.0
VAR_RTOL = 0.05


def _oracle(models, exponents):
    precisions = [np.linalg.inv(m.covariance_) for m in models]
    P = sum(g * Pk for g, Pk in zip(exponents, precisions))
    cov = np.linalg.inv(P)
    mean = cov @ sum(g * Pk @ m.mean_ for g, Pk, m in zip(exponents, precisions, models))
    return mean, np.diag(cov)


def _weighted_moments(S, log_w):
    w = np.exp(log_w)
    mean = w @ S
    return mean, w @ (S - mean) ** 2


def _case(name, fkc_kwargs, X, y, n_particles, random_state):
    out = {"name": name, "noise": fkc_kwargs.get("noise", "target_score")}
    fkc = FeynmanKacCorrector(standardize=False, random_state=random_state, **fkc_kwargs).fit(X, y)
    size = n_particles // N_REPLICATES
    means, variances, final_ess, min_ess, n_resamples = [], [], [], [], []
    seeds = np.random.RandomState(random_state).randint(np.iinfo(np.int32).max, size=N_REPLICATES)
    for seed in seeds:
        S, log_w, diag = fkc.sample_weighted(size, random_state=seed)
        mean, var = _weighted_moments(S, log_w)
        means.append(mean)
        variances.append(var)
        final_ess.append(diag["final_ess"] / size)
        min_ess.append(diag["ess"].min() / size)
        n_resamples.append(diag["n_resamples"])
    means, variances = np.array(means), np.array(variances)
    mean = means.mean(axis=0)
    mean_se = means.std(axis=0, ddof=1) / np.sqrt(N_REPLICATES)
    var = variances.mean(axis=0)
    out["fkc"] = {
        "mean": mean.tolist(),
        "var": var.tolist(),
        "mean_se": mean_se.tolist(),
        # how many independent draws would give that standard error: the particle count seen through the
        # genealogy, against the per-step ESS
        "mc_ess_fraction": float(np.mean(var / mean_se**2) / (size * N_REPLICATES)),
        "final_ess_fraction": float(np.mean(final_ess)),
        "min_ess_fraction": float(np.min(min_ess)),
        "n_resamples": float(np.mean(n_resamples)),
    }
    mixing = FeynmanKacCorrector(standardize=False, weighting=False, random_state=random_state, **fkc_kwargs)
    S = mixing.fit(X, y).sample(n_particles, random_state=random_state)
    out["mixing"] = {"mean": S.mean(axis=0).tolist(), "var": S.var(axis=0).tolist()}
    target_mean, target_var = _oracle([e.model_ for e in fkc.estimators_], fkc.exponents_)
    out["target"] = {"mean": target_mean.tolist(), "var": target_var.tolist()}
    return out


def _errors(case):
    """FKC: relative variance error and largest mean error in standard errors; mixing: both in plain units."""
    target_var = np.mean(case["target"]["var"])
    target_mean = np.array(case["target"]["mean"])
    # both coordinates estimate a variance: their mean halves the resampling noise
    fkc_var = abs(np.mean(case["fkc"]["var"]) / target_var - 1)
    fkc_mean_z = np.max(np.abs(np.array(case["fkc"]["mean"]) - target_mean) / np.array(case["fkc"]["mean_se"]))
    mixing_var = abs(np.mean(case["mixing"]["var"]) / target_var - 1)
    mixing_mean = np.max(np.abs(np.array(case["mixing"]["mean"]) - target_mean))
    fkc_ok = bool(fkc_var < VAR_RTOL and fkc_mean_z < MEAN_SE_BOUND)
    return {"fkc_var_rel": float(fkc_var), "fkc_mean_z": float(fkc_mean_z), "fkc_ok": fkc_ok,
            "mixing_var_rel": float(mixing_var), "mixing_mean_abs": float(mixing_mean),
            "mixing_biased": bool(max(mixing_var, mixing_mean) > 0.1)}


@register(
    slug="feynman-kac-correctors",
    title="Feynman-Kac Correctors in Diffusion: Annealing, Guidance, and Product of Experts",
    arxiv="2503.02819",
    claim="FKC weights + resampling sample annealed, product and geometric Gaussian targets "
    "(variances within 5%, means within 4 standard errors) where plain score mixing is biased, "
    "with target-score and with tempered particle noise",
    expected="partly reproduced",
)
def run(quick=False, random_state=0):
    n_train, n_particles = (4000, 20000) if quick else (20000, 50000)
    rng = np.random.RandomState(random_state)
    expert = [DiffusionGenerator(score_model="gaussian", n_steps=N_STEPS[quick])]
    X = rng.normal(size=(n_train, 2))
    y2 = np.repeat([0, 1], n_train)
    X_product = np.vstack([rng.normal(size=(n_train, 2)) + [-1, 0], rng.normal(size=(n_train, 2)) + [1, 0]])
    # geometric: the unconditional expert must be N(0, I) itself, so both experts are fitted on their own rows
    X0 = rng.normal(size=(n_train, 2))
    X1 = 0.5 * rng.normal(size=(n_train, 2)) + [2, 0]
    experts = [
        DiffusionGenerator(score_model="gaussian", n_steps=N_STEPS[quick], standardize=False).fit(Z) for Z in (X0, X1)
    ]
    specs = [
        ("anneal beta=2", {"estimators": expert, "target": "anneal", "beta": 2.0}, X, None),
        ("product", {"estimators": expert, "target": "product"}, X_product, y2),
        ("geometric beta=0.5", {"estimators": experts, "target": "geometric", "beta": 0.5, "prefit": True},
         np.vstack([X0, X1]), y2),
        ("anneal beta=2 tempered", {"estimators": expert, "target": "anneal", "beta": 2.0, "noise": "tempered"},
         X, None),
        ("anneal beta=0.5 tempered", {"estimators": expert, "target": "anneal", "beta": 0.5, "noise": "tempered"},
         X, None),
    ]
    cases = [_case(name, kwargs, Xc, yc, n_particles, random_state) for name, kwargs, Xc, yc in specs]
    errors = {c["name"]: _errors(c) for c in cases}
    target_score = [errors[c["name"]] for c in cases if c["noise"] == "target_score"]
    tempered = [errors[c["name"]] for c in cases if c["noise"] == "tempered"]
    main_ok = all(e["fkc_ok"] and e["mixing_biased"] for e in target_score)
    tempered_ok = all(e["fkc_ok"] and e["mixing_biased"] for e in tempered)
    verdict = "reproduced" if main_ok and tempered_ok else ("partly reproduced" if main_ok else "not reproduced")
    ours = "; ".join(
        f"{c['name']}: var FKC {np.mean(c['fkc']['var']):.3f} / mixing {np.mean(c['mixing']['var']):.3f} "
        f"(target {np.mean(c['target']['var']):.3f}), ESS final {c['fkc']['final_ess_fraction']:.2f}N, "
        f"from replicates {c['fkc']['mc_ess_fraction']:.3f}N"
        for c in cases
    )
    return ReproductionResult(
        ours=ours,
        reference="closed-form Gaussian targets: var 0.5 / 0.5 / 0.4 / 0.5 / 2 (spec's check: mixing 0.34, 0.34, "
        "0.47; tempered runs biased)",
        verdict=verdict,
        details={"cases": cases, "errors": errors, "n_particles": n_particles, "n_replicates": N_REPLICATES,
                 "n_steps": N_STEPS[quick]},
    )


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    cases = result.details["cases"]
    fig, (ax, ax_ess) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [2, 1]})
    x = np.arange(len(cases))
    labels = [c["name"].replace(" tempered", "\ntempered") for c in cases]
    for offset, key, label in ((-0.25, "target", "closed form"), (0.0, "fkc", "FKC"), (0.25, "mixing", "score mixing")):
        # variances relative to the target, so that beta = 0.5 (variance 2) shares the axis
        ax.bar(x + offset, [np.mean(c[key]["var"]) / np.mean(c["target"]["var"]) for c in cases], width=0.25,
               label=label)
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylabel("variance / target variance")
    ax.set_title("Feynman-Kac correctors on Gaussian targets")
    ax.legend(fontsize=8)
    ax_ess.bar(x - 0.2, [c["fkc"]["final_ess_fraction"] for c in cases], width=0.4, label="final ESS")
    ax_ess.bar(x + 0.2, [c["fkc"]["mc_ess_fraction"] for c in cases], width=0.4, label="from replicates")
    ax_ess.set_yscale("log")
    ax_ess.set_xticks(x, [c["name"] for c in cases], fontsize=7, rotation=30, ha="right")
    ax_ess.set_ylabel("effective sample size / N")
    ax_ess.set_title("ESS: weights vs replicate spread")
    ax_ess.legend(fontsize=8)
    fig.tight_layout()
    return {"variances": fig}
