"""
=======================================================
Is this stream of yes/no decisions fair and memoryless?
=======================================================

Agents in a simulated market (language-model traders, a rule-based bot, a
person pressing buttons) emit yes/no decisions. A fair, memoryless stream
says "yes" half the time and does not care what it said before. The paper
that motivates :func:`~skpapers.audit.audit_binary_sequence` found that
language models fail both ways: some answer "yes" 43% or 98% of the time,
others balance their answers but follow patterns.

We audit four streams of 2000 decisions: a fair coin, a coin biased to 43%
"yes", a balanced stream that switches 60% of the time (people's typical
over-alternation), and a balanced stream whose urge to switch grows with the
current run (the gambler's fallacy).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skpapers.audit import audit_binary_sequence

rng = np.random.default_rng(0)
n = 2000


def gamblers_fallacy(n):
    x, run = np.zeros(n, dtype=int), 1
    for t in range(1, n):
        switch = rng.random() < min(0.9, 0.3 + 0.15 * run)
        x[t] = 1 - x[t - 1] if switch else x[t - 1]
        run = 1 if switch else run + 1
    return x


streams = {
    "fair coin": (rng.random(n) < 0.5).astype(int),
    "43% yes": (rng.random(n) < 0.43).astype(int),
    "switch 60%": np.r_[0, np.cumsum(rng.random(n - 1) < 0.6) % 2],
    "gambler's fallacy": gamblers_fallacy(n),
}
audits = {name: audit_binary_sequence(x) for name, x in streams.items()}
print(f"{'stream':18s} {'share':>6s} {'p unif':>8s} {'p Markov':>9s} {'runs z':>7s} {'trend z':>8s}")
for name, audit in audits.items():
    print(
        f"{name:18s} {audit.uniformity.proportion:6.3f} {audit.uniformity.pvalue:8.1e} {audit.markov.pvalue:9.1e} "
        f"{audit.runs.statistic:7.2f} {audit.negative_recency.trend_statistic:8.2f}"
    )

# %%
# The biased coin fails the uniformity test only; the patterned streams pass
# it and fail the Markov and runs tests; only the gambler's fallacy shows a
# run-length trend. A fair stream fails some test at the 5% level now and then
# (here the Markov test, p = 0.02): read the tests and the effect sizes
# together rather than one p-value alone.
#
# The switch profile tells the two patterned streams apart: constant switching
# sits at 0.6 whatever the run length; the gambler's fallacy climbs with it.
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, audit in audits.items():
    profile = audit.negative_recency.switch_profile
    length = profile["run_length"]
    rates = [profile["switches"][length == k].sum() / max(profile["n"][length == k].sum(), 1) for k in range(1, 5)]
    ax.plot(range(1, 5), rates, marker="o", label=name)
ax.set_xticks(range(1, 5), ["1", "2", "3", "4+"])
ax.set_xlabel("length of the current run")
ax.set_ylabel("P(next decision switches)")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# ``audit_binary_sequence`` bundles four tests that can also be called one by
# one, for instance with a one-sided alternative. On the gambler's fallacy
# stream: the share is fair, the next decision depends on the previous one,
# there are too many runs, and the switch rate grows with the run length.
from skpapers.audit import binary_uniformity_test, markov_order_test, negative_recency_test, runs_test

x = streams["gambler's fallacy"]
uniformity = binary_uniformity_test(x)
print(f"binary_uniformity_test: share {uniformity.proportion:.3f}, p = {uniformity.pvalue:.2f}")
print(f"markov_order_test (order 1): p = {markov_order_test(x, order=1).pvalue:.1e}")
print(f"runs_test (too many runs): z = {runs_test(x, alternative='greater').statistic:.2f}")
print(f"negative_recency_test: trend z = {negative_recency_test(x).trend_statistic:.2f}")
