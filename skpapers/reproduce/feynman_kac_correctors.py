"""Feynman-Kac correctors vs plain score mixing on Gaussian targets (arXiv:2503.02819).

Gaussian experts make every target closed-form: ``N(mu, S)^beta`` is
``N(mu, S / beta)``, a product of Gaussians has the precision-weighted mean and
the summed precision, and a geometric average ``q0^(1-beta) q1^beta`` is a
Gaussian with precision ``(1 - beta) P0 + beta P1``. Three targets, as in the
spec's check of the paper's weights:

1. annealing ``N(0, I)^2`` (target variance 0.5 per coordinate);
2. product of ``N((-1, 0), I)`` and ``N((1, 0), I)`` (target ``N(0, I / 2)``);
3. geometric average of ``N(0, I)`` and ``N((2, 0), I / 4)`` at ``beta = 0.5``
   (target ``N((1.6, 0), 0.4 I)``).

Each target is sampled with FKC (weights + systematic resampling) and with
plain score mixing (``weighting=False``); the oracle moments use the experts'
fitted Gaussians, so sampling error alone separates the two. FKC passes when
each variance (mean over coordinates) is within 5% of the target and each
mean within 0.1; score mixing is "biased" when its variance or mean error
exceeds 0.1 (relative, resp. absolute) on every target.
"""

import numpy as np

from ..generative import DiffusionGenerator, FeynmanKacCorrector
from ._registry import ReproductionResult, register

N_STEPS = {True: 200, False: 400}


def _oracle(models, exponents):
    precisions = [np.linalg.inv(m.covariance_) for m in models]
    P = sum(g * Pk for g, Pk in zip(exponents, precisions))
    cov = np.linalg.inv(P)
    mean = cov @ sum(g * Pk @ m.mean_ for g, Pk, m in zip(exponents, precisions, models))
    return mean, np.diag(cov)


def _case(name, fkc_kwargs, X, y, n_particles, random_state):
    out = {}
    for weighting in (True, False):
        est = FeynmanKacCorrector(weighting=weighting, standardize=False, random_state=random_state, **fkc_kwargs)
        est.fit(X, y)
        S, log_w, diag = est.sample_weighted(n_particles, random_state=random_state)
        w = np.exp(log_w)
        mean = w @ S
        var = w @ (S - mean) ** 2
        key = "fkc" if weighting else "mixing"
        out[key] = {"mean": mean.tolist(), "var": var.tolist()}
        if weighting:
            out["fkc"]["final_ess_fraction"] = diag["final_ess"] / n_particles
            out["fkc"]["min_ess_fraction"] = float(diag["ess"].min()) / n_particles
            out["fkc"]["n_resamples"] = diag["n_resamples"]
    mean, var = _oracle([e.model_ for e in est.estimators_], est.exponents_)
    out["target"] = {"mean": mean.tolist(), "var": var.tolist()}
    out["name"] = name
    return out


def _error(case, key):
    """Relative error of the variance (mean over coordinates) and largest absolute error of the means."""
    # both coordinates estimate a variance: their mean halves the resampling noise
    var_err = abs(np.mean(case[key]["var"]) / np.mean(case["target"]["var"]) - 1)
    mean_err = np.max(np.abs(np.array(case[key]["mean"]) - np.array(case["target"]["mean"])))
    return float(var_err), float(mean_err)


@register(
    slug="feynman-kac-correctors",
    title="Feynman-Kac Correctors in Diffusion: Annealing, Guidance, and Product of Experts",
    arxiv="2503.02819",
    claim="FKC weights + resampling sample annealed, product and geometric Gaussian targets "
    "(variances within 5%), where plain score mixing is biased",
)
def run(quick=False, random_state=0):
    n_train, n_particles = (4000, 20000) if quick else (20000, 50000)
    rng = np.random.RandomState(random_state)
    expert = [DiffusionGenerator(score_model="gaussian", n_steps=N_STEPS[quick])]
    X = rng.normal(size=(n_train, 2))
    y2 = np.repeat([0, 1], n_train)
    cases = [
        _case("anneal beta=2", {"estimators": expert, "target": "anneal", "beta": 2.0}, X, None, n_particles,
              random_state),
        _case("product", {"estimators": expert, "target": "product"},
              np.vstack([rng.normal(size=(n_train, 2)) + [-1, 0], rng.normal(size=(n_train, 2)) + [1, 0]]), y2,
              n_particles, random_state),
    ]
    # geometric: the unconditional expert must be N(0, I) itself, so both experts are fitted on their own rows
    X0 = rng.normal(size=(n_train, 2))
    X1 = 0.5 * rng.normal(size=(n_train, 2)) + [2, 0]
    experts = [
        DiffusionGenerator(score_model="gaussian", n_steps=N_STEPS[quick], standardize=False).fit(Z) for Z in (X0, X1)
    ]
    cases.append(_case("geometric beta=0.5", {"estimators": experts, "target": "geometric", "beta": 0.5,
                                              "prefit": True}, np.vstack([X0, X1]), y2, n_particles, random_state))
    errors = {c["name"]: {"fkc": _error(c, "fkc"), "mixing": _error(c, "mixing")} for c in cases}
    # means: resampling makes the particles share few early ancestors, and the weighted mean varies from seed
    # to seed by 0.02-0.04 at 50000 particles (product target, sd 0.7), far above the i.i.d. standard error;
    # 0.1 is a seventh of a standard deviation and under half of score mixing's geometric-mean bias (0.27)
    fkc_ok = all(e["fkc"][0] < 0.05 and e["fkc"][1] < 0.1 for e in errors.values())
    mixing_biased = all(max(e["mixing"][0], e["mixing"][1]) > 0.1 for e in errors.values())
    verdict = "reproduced" if fkc_ok and mixing_biased else ("partly reproduced" if fkc_ok else "not reproduced")
    ours = "; ".join(
        f"{c['name']}: var FKC {np.mean(c['fkc']['var']):.3f} / mixing {np.mean(c['mixing']['var']):.3f} "
        f"(target {np.mean(c['target']['var']):.3f}), final ESS {c['fkc']['final_ess_fraction']:.2f}N"
        for c in cases
    )
    return ReproductionResult(
        ours=ours,
        reference="closed-form Gaussian targets: var 0.5 / 0.5 / 0.4 (spec's check: mixing 0.34, 0.34, 0.47)",
        verdict=verdict,
        details={"cases": cases, "errors": errors, "n_particles": n_particles, "n_steps": N_STEPS[quick]},
    )


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    cases = result.details["cases"]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    x = np.arange(len(cases))
    for offset, key, label in ((-0.25, "target", "closed form"), (0.0, "fkc", "FKC"), (0.25, "mixing", "score mixing")):
        ax.bar(x + offset, [np.mean(c[key]["var"]) for c in cases], width=0.25, label=label)
    ax.set_xticks(x, [c["name"] for c in cases])
    ax.set_ylabel("variance per coordinate")
    ax.set_title("Feynman-Kac correctors on Gaussian targets")
    ax.legend()
    fig.tight_layout()
    return {"variances": fig}
