"""
===================================================================
A model's survey answers: label bias first, opinions (maybe) second
===================================================================

Researchers ask language models multiple-choice survey questions and compare
the answers with a human population. The answers are dominated by the order
of the choices: many models favour whatever is labelled "A". Averaging the
answer over every ordering of the choices
(:func:`~skpapers.audit.ordering_adjusted_distribution`) removes that bias,
and what is left is often close to uniform.

Here a simulated model has a strong preference for label "A" and a weak
preference for the population's common answers. In the questionnaire's order
its answer looks like the census; adjusted for the ordering it is near
uniform, and :func:`~skpapers.audit.compare_to_references` finds it closer
to uniform than to the census.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy import special

from skpapers.audit import answer_orderings, compare_to_references, position_bias

census = np.array([0.5, 0.2, 0.15, 0.10, 0.05])
orders = answer_orderings(5)  # all 120 orderings; orders[r, j] = choice shown at position j

# what the model puts on each label of each prompt: +1.5 on label A, 0.2 x log census of the choice shown
logits = 0.2 * np.log(census)[orders]
logits[:, 0] += 1.5
probs = special.softmax(logits, axis=1)

bias = position_bias(probs, orders)
naive = probs[0]  # the questionnaire's own order
print(f"A-bias: {bias.a_bias:.3f}")
for name, answer in [("questionnaire order", naive), ("ordering-adjusted", bias.adjusted_distribution)]:
    comparison = compare_to_references(answer, {"census": census})
    kl = {key: round(value, 3) for key, value in comparison.divergences.items()}
    print(f"{name:20s} KL (bits) {kl}  nearest: {comparison.nearest}  entropy {comparison.normalized_entropy:.3f}")

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
width = 0.27
for i, (name, values) in enumerate([("census", census), ("questionnaire order", naive),
                                    ("ordering-adjusted", bias.adjusted_distribution)]):
    ax.bar(np.arange(5) + i * width, values, width, label=name)
ax.axhline(0.2, color="grey", linestyle="--", linewidth=1)
ax.set_xticks(np.arange(5) + width, ["choice 1", "choice 2", "choice 3", "choice 4", "choice 5"])
ax.set_ylabel("probability")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Three more views of the same answers. ``response_divergence`` is the KL
# divergence behind the table above; ``subgroup_alignment`` asks whether the
# model looks closest to the subgroups that answer most uniformly (here four
# subgroups, the census tempered from sharp to flat); ``discriminator_test``
# asks whether a classifier tells respondents drawn from the model from
# respondents drawn from the census.
from skpapers.audit import discriminator_test, response_divergence, subgroup_alignment

print(f"response_divergence(adjusted, census) = {response_divergence(bias.adjusted_distribution, census):.3f} bits")
tempered = [census ** (1 / t) / np.sum(census ** (1 / t)) for t in (0.5, 1.0, 2.0, 4.0)]
alignment = subgroup_alignment(bias.adjusted_distribution[None, :], [[dist] for dist in tempered])
print(f"subgroup_alignment: divergences {alignment.divergences.round(3)}, Spearman rho with entropy {alignment.statistic:+.1f}")
rng = np.random.default_rng(0)
generated = rng.choice(5, p=bias.adjusted_distribution, size=(400, 1))
real = rng.choice(5, p=census, size=(400, 1))
result = discriminator_test(generated, real, n_repeats=3, random_state=0)
print(f"discriminator_test: mean accuracy {result.mean_accuracy:.2f} (majority {result.majority_rate:.2f}), p = {result.pvalue:.1e}")
