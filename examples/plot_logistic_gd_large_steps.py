"""
================================================================
Logistic regression with huge steps becomes the batch perceptron
================================================================

Gradient descent on the logistic loss of separable data finds a separating
hyperplane even with step sizes far beyond the classical ``2 / L`` rule.
Tyurin (arXiv:2412.08424) explains why: as the step ``gamma`` grows, the
iterates divided by ``gamma`` become those of the *batch perceptron*, which
adds the mean of the misclassified samples at each step. Two consequences:

* the logistic loss along the run is a poor measure of progress: larger steps
  give a *higher* loss, yet separate the data at least as fast;
* the batch perceptron, hence LR+GD with large steps, can need a number of
  iterations proportional to the number of samples; the paper's *Normalized
  LR+GD* divides the step by the mean gradient weight and removes that factor.

:class:`~skpapers.linear_model.LogisticGDClassifier` runs both and stops at
the first separating iterate; :class:`~skpapers.linear_model.BatchPerceptronClassifier`
is the limit algorithm.
"""

# %%
# Larger steps: higher loss, no slower separation
# -----------------------------------------------
# The "hard" problem is badly conditioned (the classes are split along a
# coordinate of spread 0.3, the other has spread 5); the bias is a constant
# feature of value 3.
import matplotlib.pyplot as plt
import numpy as np

from skpapers.datasets import make_separable_classification
from skpapers.linear_model import BatchPerceptronClassifier, LogisticGDClassifier

X, y = make_separable_classification("hard", random_state=0)
steps = [0.1, 1.0, 100.0, 1e4]
fits = {
    step: LogisticGDClassifier(step_size=step, intercept_scaling=3.0, max_iter=5000).fit(X, y) for step in steps
}
perceptron = BatchPerceptronClassifier(intercept_scaling=3.0).fit(X, y)
for step, clf in fits.items():
    print(
        f"step {step:>7g}: separated after {clf.n_iter_:4d} iterations, "
        f"median loss on the way {np.median(clf.loss_curve_[:-1]):9.2f}"
    )
print(f"batch perceptron: separated after {perceptron.n_iter_} iterations")

fig, (ax_loss, ax_margin) = plt.subplots(1, 2, figsize=(11, 4))
for step, clf in fits.items():
    ax_loss.plot(clf.loss_curve_, lw=0.8, label=f"step {step:g}")
    ax_margin.plot(clf.margin_curve_, lw=0.6, label=f"step {step:g}")
ax_margin.plot(perceptron.margin_curve_, color="black", ls="--", lw=0.8, label="batch perceptron")
ax_loss.set(yscale="log", xlabel="iteration", ylabel="logistic loss", title="Loss until separation")
ax_margin.axhline(0, color="grey", lw=0.6)
ax_margin.set(ylim=(-0.6, 0.05), xlabel="iteration", ylabel="normalised minimum margin",
              title="Margin (> 0: every sample correct)")
ax_loss.legend()
ax_margin.legend(loc="lower right")
fig.tight_layout()

# %%
# The limit: iterates divided by the step are the perceptron's
# ------------------------------------------------------------
# With ``gamma = 1e8``, ``coef_ / gamma`` is the batch perceptron's vector, and
# both stop at the same iteration. ``step_size=np.inf`` runs the limit directly.
huge = LogisticGDClassifier(step_size=1e8, intercept_scaling=3.0).fit(X, y)
limit = LogisticGDClassifier(step_size=np.inf, intercept_scaling=3.0).fit(X, y)
print("iterations:", huge.n_iter_, limit.n_iter_)
print("relative difference:", np.linalg.norm(huge.coef_ / 1e8 - limit.coef_) / np.linalg.norm(limit.coef_))

# %%
# Normalized LR+GD removes the factor n
# -------------------------------------
# On the paper's worst-case dataset (one sample ``(0.5, -1)`` of one class,
# ``n - 1`` copies of ``(-0.5, -1)`` of the other) the batch perceptron needs
# about ``0.3 n`` iterations; Normalized LR+GD, whose step is divided by the mean
# gradient weight ``mean_i expit(-y_i <a_i, w_t>)``, needs two with a large step.
sizes = [50, 100, 200, 500, 1000, 2000]
plain, normalized = [], []
for n in sizes:
    Xw, yw = make_separable_classification("worst_case", n_samples=n)
    plain.append(LogisticGDClassifier(step_size=100.0, fit_intercept=False).fit(Xw, yw).n_iter_)
    normalized.append(
        LogisticGDClassifier(step_size=100.0, normalization="weights", fit_intercept=False).fit(Xw, yw).n_iter_
    )
print("LR+GD:           ", plain)
print("Normalized LR+GD:", normalized)

fig, ax = plt.subplots(figsize=(5.5, 4))
ax.plot(sizes, plain, "o-", label="LR+GD, step 100")
ax.plot(sizes, normalized, "s-", label="Normalized LR+GD, step 100")
ax.set(xscale="log", yscale="log", xlabel="number of samples n", ylabel="iterations to separate",
       title="Worst-case dataset (paper, Theorem 5.1)")
ax.legend()
fig.tight_layout()
plt.show()
