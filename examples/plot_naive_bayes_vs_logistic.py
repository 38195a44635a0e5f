"""
=================================================
Naive Bayes vs logistic regression: sample sizes
=================================================

Zheng et al. (2023, arXiv:2302.02334) revisit Ng and Jordan's comparison of a
generative classifier, Gaussian naive Bayes with one variance shared by all
classes (:class:`~skpapers.naive_bayes.PooledGaussianNB`, whose decision rule
is linear), with its discriminative partner, multinomial logistic regression.
Naive Bayes needs a number of samples that grows only logarithmically with the
dimension to approach its asymptotic error; logistic regression needs a number
that grows linearly. When naive Bayes' independence assumption is wrong its
asymptote is worse, so the two learning curves cross: naive Bayes is the better
choice with few samples, logistic regression with many.

:func:`~skpapers.model_selection.learning_curve_comparison` fits both on the same
subsamples and reports how many samples each needs and where the curves cross.
"""

# %%
# Independent features: naive Bayes is right, and fast
# ------------------------------------------------------
# The paper's "easy" design: two Gaussian classes at ``-1`` and ``+1`` on every
# coordinate, independent features of unequal variance. Both classifiers tend
# to the Bayes error, but logistic regression needs many more samples, and more
# so in higher dimension.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from skpapers.datasets import gaussian_bayes_error, make_gaussian_mixture_classification
from skpapers.model_selection import learning_curve_comparison
from skpapers.naive_bayes import PooledGaussianNB

estimators = {"naive Bayes": PooledGaussianNB(), "logistic regression": LogisticRegression(max_iter=1000)}
sizes = 2 ** np.arange(2, 10)

fig, ax = plt.subplots(figsize=(6.5, 4.2))
for n_features, color in [(25, "C0"), (100, "C1")]:
    X, y, params = make_gaussian_mixture_classification(
        4096, n_features, return_params=True, random_state=0
    )
    X_test, y_test = make_gaussian_mixture_classification(5000, n_features, random_state=1)
    bayes = gaussian_bayes_error(params["means"], params["covariance"])
    # Hundreds of small fits: BLAS threads cost more than they save here.
    with threadpool_limits(limits=1):
        curves = learning_curve_comparison(
            estimators, X, y, train_sizes=sizes, n_repeats=3, X_test=X_test, y_test=y_test,
            random_state=0,
        )
    needed = curves.samples_to_reach(bayes + 0.01)
    print(f"n={n_features}: Bayes error {bayes:.1e}; samples to reach it + 0.01: {needed}")
    ax.plot(sizes, curves.mean[0], "-o", color=color, label=f"naive Bayes, n={n_features}")
    ax.plot(sizes, curves.mean[1], "--s", color=color, label=f"logistic regression, n={n_features}")
ax.axhline(0.01, color="grey", lw=0.8, ls=":")
ax.set(xscale="log", xlabel="training size m", ylabel="test error", title="Independent features")
ax.legend(fontsize=8)
fig.tight_layout()

# %%
# Correlated features: two regimes
# --------------------------------
# Now five of the 100 features are strongly correlated within each class. Naive
# Bayes counts their evidence five times, which costs it about 1.5 points of
# error at the limit, but it still learns much faster. The curves cross once.
n_features = 100
cov = np.eye(n_features)
cov[:5, :5] = 0.9
np.fill_diagonal(cov, 1.0)
means = np.vstack([-0.1 * np.ones(n_features), 0.1 * np.ones(n_features)])
X, y = make_gaussian_mixture_classification(
    20_000, n_features, covariance=cov, means=means, random_state=0
)
X_test, y_test = make_gaussian_mixture_classification(
    10_000, n_features, covariance=cov, means=means, random_state=1
)
sizes = 80 * 2 ** np.arange(7)
with threadpool_limits(limits=1):
    curves = learning_curve_comparison(
        estimators, X, y, train_sizes=sizes, n_repeats=3, X_test=X_test, y_test=y_test, random_state=0
    )
fig, ax = plt.subplots(figsize=(6.5, 4.2))
print(f"Bayes error {gaussian_bayes_error(means, cov):.3f}; curves cross at m={curves.crossover()}")
for row, (name, style) in enumerate(zip(curves.names, ["-o", "--s"])):
    ax.errorbar(sizes, curves.mean[row], yerr=curves.std[row], fmt=style, capsize=3, label=name)
ax.axhline(gaussian_bayes_error(means, cov), color="black", lw=0.8, ls=":", label="Bayes error")
if curves.crossover() is not None:
    ax.axvline(curves.crossover(), color="grey", lw=0.8, label="crossover")
ax.set(xscale="log", xlabel="training size m", ylabel="test error", title="Correlated features")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
# In short: with few labelled samples (few-shot linear probing of pre-trained
# features, for example) the generative classifier is a strong default; with
# many, the discriminative one catches up and, when features are correlated,
# overtakes it.

# %%
# ``learning_curve_comparison`` returns a ``LearningCurveComparison``: the raw
# scores (estimator x size x repeat) with the helpers used above.
from skpapers.model_selection import LearningCurveComparison

print(isinstance(curves, LearningCurveComparison), curves.scoring, curves.scores.shape)
