"""
=====================================================
Did this model descend from mine? Palimpsest evidence
=====================================================

Alice trains a logistic model with one pass of SGD over her rows, in an order
she drew uniformly at random and wrote down. Bob fine-tunes a copy on a few
hundred rows of his own and serves it. Models trained by SGD remember their
*late* examples best, so Bob's loss on Alice's rows still falls with the step
at which Alice saw them. :func:`~skpapers.audit.palimpsest_provenance_test`
turns that correlation into a p-value that is valid for any data, because
under the null hypothesis the order is a random permutation unrelated to Bob.

A reference model (Alice's algorithm rerun on a fresh shuffle) removes the
per-row difficulty from the losses and sharpens the test. Note
``shuffle=False``: scikit-learn's ``partial_fit`` otherwise reshuffles the
rows inside the call, and the recorded order is not the one the model saw.
"""

# %%
import copy

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.linear_model import SGDClassifier

from skpapers.audit import palimpsest_provenance_test, per_sample_log_loss

rng = np.random.default_rng(0)
n, d = 3000, 200
beta = rng.normal(0, np.sqrt(4 / d), d)


def draw(n_rows):
    X = rng.normal(size=(n_rows, d))
    return X, (rng.random(n_rows) < 1 / (1 + np.exp(-X @ beta))).astype(int)


X, y = draw(n)
order = rng.permutation(n)
step = np.empty(n)
step[order] = np.arange(n)

sgd = SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.01, alpha=1e-5, shuffle=False, random_state=0)
alice = clone(sgd).partial_fit(X[order], y[order], classes=[0, 1])
bob = copy.deepcopy(alice).set_params(eta0=0.005).partial_fit(*draw(200))
other = rng.permutation(n)
reference = clone(sgd).partial_fit(X[other], y[other], classes=[0, 1])
stranger = clone(sgd).partial_fit(X[rng.permutation(n)], y, classes=[0, 1])

for name, suspect in [("Bob (fine-tuned from Alice)", bob), ("independent model", stranger)]:
    result = palimpsest_provenance_test(suspect, X, y, step, reference=reference, alternative="less")
    print(f"{name:30s} rho = {result.statistic:+.3f}  p = {result.pvalue:.1e}")

# %%
# Bob's loss minus the reference's, averaged over windows of 300 steps: it
# falls with Alice's step for Bob and stays flat for the independent model.
windows = np.arange(n) // 300
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, suspect in [("Bob", bob), ("independent", stranger)]:
    difference = per_sample_log_loss(suspect, X, y) - per_sample_log_loss(reference, X, y)
    means = np.bincount(windows, weights=difference[order]) / np.bincount(windows)
    ax.plot(np.arange(means.size) * 300 + 150, means, marker="o", label=name)
ax.set_xlabel("step at which Alice saw the row")
ax.set_ylabel("loss - reference loss")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The same query test from raw per-example losses: ``palimpsest_query_test``
# takes any scores, so a suspect served behind an API only has to return its
# losses on Alice's training rows.
from skpapers.audit import palimpsest_query_test, palimpsest_reshuffle_test

result = palimpsest_query_test(
    per_sample_log_loss(bob, X, y), step, reference_scores=per_sample_log_loss(reference, X, y), alternative="less"
)
print(f"palimpsest_query_test on Bob's losses: rho = {result.statistic:+.3f}  p = {result.pvalue:.1e}")

# %%
# When the suspect only emits labels, Alice replays her last 500 steps from a
# checkpoint in the real order and in 19 fresh orders:
# ``palimpsest_reshuffle_test`` ranks the likelihood of the suspect's labels
# under the real replay among the reshuffled ones (an exact p-value, at best 1/20).
checkpoint = clone(sgd).partial_fit(X[order[:-500]], y[order[:-500]], classes=[0, 1])
X_query = draw(500)[0]
for name, suspect in [("Bob (fine-tuned from Alice)", bob), ("independent model", stranger)]:
    result = palimpsest_reshuffle_test(
        checkpoint, X[order[-500:]], y[order[-500:]], X_query, suspect.predict(X_query), n_reshuffles=19, random_state=0
    )
    print(f"{name:30s} reshuffle z = {result.zscore:+.2f}  p = {result.pvalue:.2f}")
