"""
================================================
Comparing two classifiers: which test to trust
================================================

Raschka (2018, arXiv:1811.12808) reviews how to estimate a model's accuracy
and how to decide whether one learning algorithm is better than another. The
answer depends on what is being compared:

* two *fitted models* on one test set: McNemar's test on the 2x2 table of
  their correct and wrong predictions (Cochran's Q or Looney's F-test for more
  than two models), with a confidence interval for each accuracy;
* two *learning algorithms* on a data set: a test that refits them, where the
  paper recommends Alpaydin's combined 5x2cv F-test over the popular but
  liberal resampled and k-fold paired t-tests;
* one model's accuracy on a small data set: the bootstrap, where the .632+
  estimate corrects the optimism of the .632 estimate for overfitting models.
"""

# %%
# Two fitted models on one test set
# ---------------------------------
# A decision stump and Gaussian naive Bayes on a holdout split of the breast
# cancer data. The two accuracies' Wilson intervals overlap, but comparing
# intervals ignores that both models saw the *same* test rows; McNemar's test
# uses exactly the rows on which they disagree (exact binomial version here,
# as they disagree on fewer than 25 rows).
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from skpapers.model_selection import (
    accuracy_confidence_interval,
    bootstrap_score,
    combined_ftest_5x2cv,
    mcnemar_table,
    mcnemar_test,
    paired_ttest_5x2cv,
    paired_ttest_kfold_cv,
    paired_ttest_resampled,
)

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
stump = DecisionTreeClassifier(max_depth=1, random_state=0)
nb = GaussianNB()
pred_stump = stump.fit(X_train, y_train).predict(X_test)
pred_nb = nb.fit(X_train, y_train).predict(X_test)
for name, pred in (("stump", pred_stump), ("naive Bayes", pred_nb)):
    ci = accuracy_confidence_interval(y_test, pred, method="wilson")
    print(f"{name:12s} accuracy {ci.estimate:.3f}, 95% Wilson interval [{ci.low:.3f}, {ci.high:.3f}]")
table = mcnemar_table(y_test, pred_stump, pred_nb)
result = mcnemar_test(table)
print(f"McNemar table {table.tolist()}: {result.method} test, p = {result.pvalue:.3f}")

# %%
# Two learning algorithms on the data set
# ---------------------------------------
# The four refitting tests on the same pair of algorithms. The resampled and
# 10-fold t-tests call the difference highly significant; the 5x2cv tests do
# not. The t-tests treat score differences from 30 (or 10) strongly
# overlapping training sets as independent and so underestimate the variance
# of their mean: on simulated nulls they reject far more often than 5% (see
# the reproduction in the user guide), the 5x2cv tests do not.
tests = {
    "resampled t": paired_ttest_resampled(stump, nb, X, y, random_state=0),
    "10-fold CV t": paired_ttest_kfold_cv(stump, nb, X, y, shuffle=True, random_state=0),
    "5x2cv t": paired_ttest_5x2cv(stump, nb, X, y, random_state=0),
    "5x2cv F": combined_ftest_5x2cv(stump, nb, X, y, random_state=0),
}
for name, test in tests.items():
    print(f"{name:13s} statistic {test.statistic:7.3f}  p = {test.pvalue:.3f}")

# %%
# The bootstrap on a model that memorises
# ---------------------------------------
# One-nearest-neighbour has zero resubstitution error. On the breast cancer
# data the .632 estimate leans toward that perfect training score; .632+
# weights the out-of-bag score more when the model overfits. On labels that are
# pure noise the difference is stark: the true accuracy is 1/2.
knn = KNeighborsClassifier(n_neighbors=1)
rng = np.random.RandomState(0)
noise_X, noise_y = rng.randn(200, 5), rng.randint(2, size=200)
boot = {
    data: {m: bootstrap_score(knn, Xd, yd, method=m, n_bootstraps=30, random_state=0)
           for m in ("oob", ".632", ".632+")}
    for data, (Xd, yd) in {"breast cancer": (X, y), "pure noise": (noise_X, noise_y)}.items()
}
for data, results in boot.items():
    print(data + ": " + ", ".join(f"{m} {r.score:.3f}" for m, r in results.items()))

fig, (ax_tests, ax_boot) = plt.subplots(1, 2, figsize=(11, 4))
names = list(tests)
ax_tests.bar(names, [tests[n].pvalue for n in names], color=["tab:red", "tab:orange", "tab:blue", "tab:green"])
ax_tests.axhline(0.05, color="k", linestyle="--", label="alpha = 0.05")
ax_tests.set_yscale("log")
ax_tests.set_ylabel("p-value")
ax_tests.set_title("Stump vs naive Bayes: the same question, four tests")
ax_tests.tick_params(axis="x", rotation=15)
ax_tests.legend()
for offset, (data, results) in zip((-0.2, 0.2), boot.items()):
    positions = np.arange(3) + offset
    ax_boot.boxplot([r.scores for r in results.values()], positions=positions, widths=0.35)
    ax_boot.scatter(positions, [r.score for r in results.values()], marker="D", zorder=3, label=data)
ax_boot.axhline(0.5, color="grey", linestyle=":", label="chance (noise labels)")
ax_boot.set_xticks(range(3), ["OOB", ".632", ".632+"])
ax_boot.set_ylabel("bootstrap accuracy (per round; diamond = estimate)")
ax_boot.set_title("1-NN: .632 is optimistic, .632+ is not")
ax_boot.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
# More than two models on one test set: ``cochrans_q_test`` and
# ``ftest_classifiers`` test whether the stump, naive Bayes and 1-NN are
# equally accurate. ``proportion_difference_test`` compares two accuracies as
# if they came from independent test sets; on a shared test set McNemar's
# test above is the right one.
from skpapers.model_selection import cochrans_q_test, ftest_classifiers, proportion_difference_test

pred_knn = knn.fit(X_train, y_train).predict(X_test)
for name, test in [("Cochran's Q", cochrans_q_test), ("F-test", ftest_classifiers)]:
    result = test(y_test, pred_stump, pred_nb, pred_knn)
    print(f"{name:12s} statistic {result.statistic:6.3f}  p = {result.pvalue:.3f}  accuracies {np.round(result.accuracies, 3)}")
result = proportion_difference_test(np.mean(pred_stump == y_test), np.mean(pred_nb == y_test), n1=len(y_test))
print(f"proportion difference z = {result.statistic:.3f}  p = {result.pvalue:.3f}")

# %%
# ``BootstrapOutOfBag`` is a scikit-learn splitter (train on a bootstrap
# sample, test out of bag) for ``cross_val_score``; ``nested_cross_validate``
# scores a whole tuning procedure, here the choice of ``n_neighbors``.
from sklearn.model_selection import cross_val_score

from skpapers.model_selection import BootstrapOutOfBag, nested_cross_validate

oob = cross_val_score(nb, X, y, cv=BootstrapOutOfBag(n_splits=30, random_state=0))
print(f"naive Bayes, out-of-bag accuracy over 30 bootstraps: {oob.mean():.3f} +- {oob.std():.3f}")
nested = nested_cross_validate(KNeighborsClassifier(), {"n_neighbors": [1, 5, 15]}, X, y, inner_cv=3, outer_cv=3,
                               random_state=0)
print(f"nested CV of tuned k-NN: {nested['test_score'].mean():.3f}; chosen {[p['n_neighbors'] for p in nested['best_params']]}")
