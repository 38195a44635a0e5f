"""
Calling the expensive model only where the cheap one is unsure
==============================================================

Entropy Adaptive Decoding runs a small model and hands over to a large model
while the entropy of the predictions is high. Here both models classify rows
of sequences whose regime changes now and then: in regime 0 the label is a
linear function of the features (the small logistic regression is right), in
regime 1 it is an XOR (only gradient boosting can learn it). The small
model's predictions are uncertain in regime 1, so a rolling mean of their
entropy tells the cascade when the large model is worth paying for.
"""

# %%
# Sequences with two regimes
# --------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from skpapers.ensemble import EntropyCascadeClassifier


def regime_sequences(n_seq, length, seed):
    rng = np.random.default_rng(seed)
    flips = rng.random((n_seq, length)) < 0.05
    flips[:, 0] = False
    regime = (np.cumsum(flips, axis=1) % 2).ravel()
    X = rng.standard_normal((n_seq * length, 4))
    X[regime == 1, :2] *= 0.25
    y = np.where(regime == 0, X[:, 0] + 0.5 * X[:, 1] > 0, X[:, 0] * X[:, 1] > 0).astype(int)
    return X, y, np.repeat(np.arange(n_seq), length), regime


X_train, y_train, groups_train, _ = regime_sequences(40, 100, 0)
X_test, y_test, groups_test, regime_test = regime_sequences(40, 100, 1)

# %%
# The cascade
# -----------
# ``mode="sequential"`` applies the paper's rule: the first row of each
# sequence goes to the small model; afterwards the mean entropy of the last
# five rows decides which model produces the next one. ``large_fraction=0.3``
# sets the threshold so that 30% of the training rows go to the large model.
cascade = EntropyCascadeClassifier(
    LogisticRegression(), HistGradientBoostingClassifier(max_iter=50, random_state=0),
    mode="sequential", window=5, large_fraction=0.3, cost_small=1.0, cost_large=10.0,
).fit(X_train, y_train, groups=groups_train)

report = cascade.cost_report(X_test, groups_test)
accuracy = np.mean(cascade.predict(X_test, groups_test) == y_test)
small_accuracy = np.mean(cascade.small_estimator_.predict(X_test) == y_test)
large_accuracy = np.mean(cascade.large_estimator_.predict(X_test) == y_test)
print(f"threshold {cascade.threshold_:.3f} bits, large-model rows {report.large_fraction:.2f}, "
      f"relative cost {report.relative_cost:.3f}")
print(f"accuracy: small {small_accuracy:.3f}, cascade {accuracy:.3f}, large {large_accuracy:.3f}")

# %%
# Where the large model runs
# --------------------------
# The routing follows the regime with a short delay (the window has to fill
# with high-entropy rows first): the cascade pays for the large model mostly
# where the small one cannot be right.
use_large = cascade.route(X_test, groups_test)
rows = groups_test < 3
fig, axes = plt.subplots(2, 1, figsize=(9, 4.5), sharex=True)
axes[0].step(np.arange(rows.sum()), regime_test[rows], where="post", color="k")
axes[0].set(ylabel="regime", yticks=[0, 1], title="first three test sequences")
axes[1].step(np.arange(rows.sum()), use_large[rows].astype(int), where="post", color="C1")
axes[1].set(ylabel="large model", yticks=[0, 1], xlabel="row (sequences concatenated)")
for boundary in (100, 200):
    for ax in axes:
        ax.axvline(boundary, color="grey", lw=0.5, ls=":")
fig.tight_layout()
print(f"rows on the large model: regime 0 {use_large[regime_test == 0].mean():.2f}, "
      f"regime 1 {use_large[regime_test == 1].mean():.2f}")
plt.show()

# %%
# The routing rule and the cost accounting are plain functions.
# ``entropy_switch_schedule`` replays the rule on per-row entropies (bits)
# of the two models' predictions; ``cascade_cost`` converts a large-model
# share into a cost relative to the large model alone, with only the active
# model paid or with the small model run on every row.
from scipy.stats import entropy

from skpapers.ensemble import cascade_cost, entropy_switch_schedule

h_small = entropy(cascade.small_estimator_.predict_proba(X_test), base=2, axis=1)
h_large = entropy(cascade.large_estimator_.predict_proba(X_test), base=2, axis=1)
schedule = entropy_switch_schedule(h_small, h_large, groups=groups_test, window=5, threshold=cascade.threshold_)
print(f"entropy_switch_schedule: large share {schedule.mean():.2f}, same rows as route(): {np.mean(schedule == use_large):.2f}")
for accounting in ("active", "cascade"):
    print(f"cascade_cost ({accounting}): {cascade_cost(schedule.mean(), 1.0, 10.0, accounting=accounting):.3f}")

# %%
# For regression, ``EntropyCascadeRegressor`` uses the differential entropy
# of the small model's Gaussian predictive distribution (``BayesianRidge`` by
# default). Its predictive spread grows towards the edges of the input range,
# so those rows go to a boosted model, for about half the large model's cost.
from sklearn.ensemble import HistGradientBoostingRegressor

from skpapers.ensemble import EntropyCascadeRegressor

rng = np.random.default_rng(0)
X_reg = rng.uniform(-3, 3, size=(600, 1))
y_reg = np.sin(2 * X_reg[:, 0]) + 0.1 * rng.standard_normal(600)
regressor = EntropyCascadeRegressor(
    large_estimator=HistGradientBoostingRegressor(max_iter=50, random_state=0), large_fraction=0.5, random_state=0
).fit(X_reg[:400], y_reg[:400])
print(f"R^2 small {regressor.small_estimator_.score(X_reg[400:], y_reg[400:]):.2f}, "
      f"cascade {regressor.score(X_reg[400:], y_reg[400:]):.2f}, "
      f"large {regressor.large_estimator_.score(X_reg[400:], y_reg[400:]):.2f}, "
      f"relative cost {regressor.cost_report(X_reg[400:]).relative_cost:.2f}")
