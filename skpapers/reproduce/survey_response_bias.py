"""Survey response bias (Dominguez-Olmedo, Hardt, Mendler-Duenner 2024), closed form and simulation.

A. Pure A-bias (k = 5, position logit a = 1.5 on label A, no content preference): the
   questionnaire-order answer looks census-like (KL 0.085 bits to the census
   [0.5, 0.2, 0.15, 0.1, 0.05], against 0.419 for uniform), yet the distribution
   averaged over all 120 orderings is exactly uniform.
B. Adding a content preference (lambda = 0.5, 1) moves the adjusted answer toward the census
   by the spec's closed-form amounts.
C. Simulated questionnaire (25 questions, 30 subgroups): a model with A-bias and a weak
   content preference is closer to uniform than to the population on most questions, its
   divergence from a subgroup falls with the subgroup's entropy, and a discriminator tells
   its synthetic respondents from real ones.
"""

import numpy as np
from scipy import special
from threadpoolctl import threadpool_limits

from ..audit import (
    answer_orderings,
    compare_to_references,
    discriminator_test,
    normalized_entropy,
    position_bias,
    response_divergence,
    subgroup_alignment,
)
from ._registry import ReproductionResult, register

_CENSUS = np.array([0.5, 0.2, 0.15, 0.10, 0.05])


def _model_probs(orders, reference, a, lam):
    """Label probabilities: logit a on position A plus lam * log reference of the choice shown."""
    logits = lam * np.log(reference)[orders]
    logits[:, 0] += a
    return special.softmax(logits, axis=1)


def _closed_form(a=1.5):
    orders = answer_orderings(5)
    out = {}
    for lam in (0.0, 0.5, 1.0):
        probs = _model_probs(orders, _CENSUS, a, lam)
        bias = position_bias(probs, orders)
        naive = probs[0]  # the identity ordering comes first
        adjusted = bias.adjusted_distribution
        out[f"lambda_{lam}"] = {
            "a_bias": bias.a_bias,
            "naive": naive.tolist(),
            "adjusted": adjusted.tolist(),
            "naive_entropy": normalized_entropy(naive),
            "adjusted_entropy": normalized_entropy(adjusted),
            "kl_naive_census": response_divergence(naive, _CENSUS),
            "kl_adjusted_census": response_divergence(adjusted, _CENSUS),
            "kl_adjusted_uniform": response_divergence(adjusted, np.full(5, 0.2)),
        }
    out["kl_uniform_census"] = response_divergence(np.full(5, 0.2), _CENSUS)
    return out


def _questionnaire(rng, n_questions=25, n_groups=30, a=1.5, lam=0.2, n_respondents=1000, n_repeats=3):
    ks = rng.integers(2, 7, size=n_questions)
    population = [rng.dirichlet(np.full(k, 1.0)) for k in ks]
    adjusted, closer_to_population, naive_closer = [], [], []
    for k, p_ref in zip(ks, population):
        orders = answer_orderings(k)
        probs = _model_probs(orders, p_ref, a, lam)
        p_adj = position_bias(probs, orders).adjusted_distribution
        adjusted.append(p_adj)
        comparison = compare_to_references(p_adj, {"population": p_ref})
        closer_to_population.append(comparison.divergences["population"] <= comparison.divergences["uniform"])
        naive = compare_to_references(probs[0], {"population": p_ref})
        naive_closer.append(naive.divergences["population"] <= naive.divergences["uniform"])
    # subgroups: the population's answers sharpened or flattened by a group-specific temperature
    temperatures = np.exp(rng.uniform(-1.0, 1.0, n_groups))
    groups = [[special.softmax(np.log(p) / t) for p in population] for t in temperatures]
    alignment = subgroup_alignment(adjusted, groups)
    # synthetic respondents answer each question independently from the adjusted distribution;
    # real ones follow the population, with a shared latent trait linking their answers
    generated = np.column_stack([rng.choice(k, n_respondents, p=p) for k, p in zip(ks, adjusted)])
    trait = rng.random(n_respondents)
    real = np.column_stack([np.searchsorted(np.cumsum(p)[:-1], (trait + 0.3 * rng.random(n_respondents)) % 1.0)
                            for p in population])
    discriminator = discriminator_test(generated, real, n_repeats=n_repeats, random_state=rng.integers(1 << 30))
    return {
        "fraction_closer_to_population": float(np.mean(closer_to_population)),
        "fraction_naive_closer_to_population": float(np.mean(naive_closer)),
        "adjusted_entropies": [normalized_entropy(p) for p in adjusted],
        "population_entropies": [normalized_entropy(p) for p in population],
        "group_divergences": alignment.divergences.tolist(),
        "group_entropies": alignment.entropies.tolist(),
        "alignment_rho": alignment.statistic,
        "alignment_pvalue": alignment.pvalue,
        "discriminator_accuracies": discriminator.accuracies.tolist(),
        "discriminator_pvalue": discriminator.pvalue,
    }


@register(
    slug="survey-response-bias",
    title="Questioning the Survey Responses of Large Language Models",
    arxiv="2306.07951",
    claim="A pure A-bias makes a model's questionnaire-order answer look census-like although its "
    "ordering-adjusted answer is exactly uniform; adjusted answers are near uniform, closer to uniform than "
    "to the population on most questions, and 'aligned' with high-entropy subgroups.",
)
def run(quick=False, random_state=0):
    closed = _closed_form()
    rng = np.random.default_rng(random_state)
    # small boosting fits: OpenMP threads cost more than they save (40x slower on a loaded machine)
    with threadpool_limits(limits=1):
        simulation = _questionnaire(rng, n_respondents=600 if quick else 2000, n_repeats=2 if quick else 10)
    pure, half, full = closed["lambda_0.0"], closed["lambda_0.5"], closed["lambda_1.0"]
    details = {"closed_form": closed, "simulation": simulation}
    checks = {
        "naive_looks_census_like": pure["kl_naive_census"] < closed["kl_uniform_census"] / 3,
        "adjusted_exactly_uniform": np.allclose(pure["adjusted"], 0.2, atol=1e-12),
        "a_bias_closed_form": abs(pure["a_bias"] - (np.exp(1.5) / (np.exp(1.5) + 4) - 0.2)) < 1e-12,
        "content_preference_lambda_half": half["kl_adjusted_uniform"] < half["kl_adjusted_census"],
        "content_preference_lambda_one": full["kl_adjusted_census"] < 0.02,
        "adjusted_near_uniform": min(simulation["adjusted_entropies"]) > 0.9,
        "mostly_closer_to_uniform": simulation["fraction_closer_to_population"] <= 0.5,
        "aligned_with_high_entropy_groups": simulation["alignment_rho"] < -0.8,
        "discriminator_separates": min(simulation["discriminator_accuracies"]) > 0.7,
    }
    details["checks"] = {k: bool(v) for k, v in checks.items()}
    passed = sum(details["checks"].values())
    if passed == len(checks):
        verdict = "reproduced"
    else:
        verdict = "partly reproduced" if passed >= len(checks) - 2 else "not reproduced"
    ours = (
        f"pure A-bias: A-bias {pure['a_bias']:.6f}, naive H {pure['naive_entropy']:.4f}, KL(naive||census) "
        f"{pure['kl_naive_census']:.4f} vs KL(uniform||census) {closed['kl_uniform_census']:.4f}, adjusted H "
        f"{pure['adjusted_entropy']:.6f}; lambda 0.5: KL(adj||census) {half['kl_adjusted_census']:.4f}, "
        f"KL(adj||uniform) {half['kl_adjusted_uniform']:.4f}; simulation: "
        f"{simulation['fraction_closer_to_population']:.2f} "
        f"of questions closer to population, subgroup rho {simulation['alignment_rho']:.2f}, discriminator "
        f"accuracy {np.mean(simulation['discriminator_accuracies']):.2f}"
    )
    reference = (
        "spec closed form: A-bias 0.328396, H 0.8359, KL 0.0852 vs 0.4186, adjusted uniform (H = 1); lambda 0.5: "
        "KL 0.1385 / 0.0741; lambda 1: KL 0.0091 (paper: adjusted H ~ 1 for 43 models, few questions closer "
        "to census, alignment tracks subgroup entropy, discriminator near-perfect)"
    )
    return ReproductionResult(ours=ours, reference=reference, verdict=verdict, details=details)


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    closed, simulation = result.details["closed_form"], result.details["simulation"]
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    width = 0.2
    labels = ["A", "B", "C", "D", "E"]
    series = [("census", _CENSUS), ("naive (A-bias)", closed["lambda_0.0"]["naive"]),
              ("adjusted", closed["lambda_0.0"]["adjusted"]),
              ("adjusted, lambda 0.5", closed["lambda_0.5"]["adjusted"])]
    for i, (name, values) in enumerate(series):
        axes[0].bar(np.arange(5) + i * width, values, width, label=name)
    axes[0].set_xticks(np.arange(5) + 1.5 * width, labels)
    axes[0].set_ylabel("probability")
    axes[0].set_title("Pure A-bias: looks census-like, adjusts to uniform")
    axes[0].legend(fontsize=8)
    axes[1].hist([simulation["population_entropies"], simulation["adjusted_entropies"]], bins=10, range=(0, 1),
                 label=["population", "model, adjusted"])
    axes[1].set_xlabel("normalised entropy per question")
    axes[1].set_title("Adjusted answers are near uniform")
    axes[1].legend(fontsize=8)
    axes[2].scatter(simulation["group_entropies"], simulation["group_divergences"])
    axes[2].set_xlabel("subgroup mean normalised entropy")
    axes[2].set_ylabel("mean KL(model || subgroup), bits")
    axes[2].set_title(f"'Alignment' tracks entropy (rho {simulation['alignment_rho']:.2f})")
    fig.tight_layout()
    return {"summary": fig}
