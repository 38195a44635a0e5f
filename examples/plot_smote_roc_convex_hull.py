"""
==================================================================
SMOTE as in the paper, and the ROC convex hull it is judged by
==================================================================

SMOTE (Chawla et al., arXiv:1106.1813) makes new minority rows between a
minority row and one of its ``k`` nearest minority neighbours. The paper's
version asks for an amount N in percent and uses every minority row exactly
N/100 times. This example first shows where the synthetic rows land, with one
gap per row (on the segment, the paper's text) and one gap per attribute (in
the box, the paper's pseudo-code). It then repeats the paper's evaluation in
miniature: sweep the under-sampling percentage U, get one (FPR, TPR) point
per setting by cross-validation, and compare the ROC convex hulls of
under-sampling alone and SMOTE + under-sampling.
"""

# %%
# Where the synthetic rows land
# -----------------------------
import matplotlib.pyplot as plt
import numpy as np

from skpapers.over_sampling import OriginalSMOTE

rng = np.random.RandomState(0)
X = np.vstack([rng.normal(0, 1.0, size=(200, 2)), rng.normal([2.0, 2.0], 0.6, size=(15, 2))])
y = np.array([0] * 200 + [1] * 15)

fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), sharex=True, sharey=True)
for ax, interpolation in zip(axes, ["segment", "per_feature"]):
    sampler = OriginalSMOTE(percentage=300, k_neighbors=5, interpolation=interpolation, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    new = X_res[len(X) :]
    ax.scatter(*X[y == 0].T, s=8, color="lightgrey", label="majority")
    for seed, partner in zip(sampler.seed_indices_, sampler.neighbor_indices_):
        ax.plot(*np.column_stack([X[seed], X[partner]]), color="tab:orange", linewidth=0.4, alpha=0.5)
    ax.scatter(*X[y == 1].T, s=30, color="tab:orange", edgecolor="k", label="minority")
    ax.scatter(*new.T, s=12, color="tab:blue", label="synthetic (N = 300%)")
    ax.set_title(f'interpolation="{interpolation}"')
axes[0].legend(loc="lower right")
fig.tight_layout()

# %%
# Each of the 15 minority rows made exactly 3 rows:
print(np.bincount(sampler.seed_indices_)[y == 1])

# %%
# The paper's comparison in ROC space
# -----------------------------------
# Each under-sampling percentage U gives a different trade-off between false
# and true positives. Predictions are pooled over 5 stratified folds, and the
# resampling only ever touches the training folds (the sampler sits in an
# imbalanced-learn pipeline).
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.tree import DecisionTreeClassifier

from skpapers.metrics import ROCConvexHullDisplay, roc_points_from_predictions, rocch_operating_point
from skpapers.over_sampling import SMOTEUnderSampler

X, y = make_classification(
    n_samples=2000, n_features=10, n_informative=5, n_redundant=2, weights=[0.93], class_sep=0.8,
    flip_y=0.01, random_state=3,
)
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
u_grid = [10, 25, 50, 100, 150, 200, 400, 800, 2000]

fig, ax = plt.subplots(figsize=(5.5, 5.5))
points = {}
for smote_percentage, name in [(0, "under-sampling only"), (300, "SMOTE 300% + under-sampling")]:
    predictions = [
        cross_val_predict(
            make_pipeline(
                SMOTEUnderSampler(smote_percentage=smote_percentage, under_sampling_percentage=u, random_state=0),
                DecisionTreeClassifier(criterion="entropy", min_samples_leaf=2, random_state=0),
            ),
            X, y, cv=cv,
        )
        for u in u_grid
    ]
    points[name] = roc_points_from_predictions(y, predictions)
    display = ROCConvexHullDisplay.from_points(*points[name], name=name, ax=ax)
ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
ax.set_title("One point per under-sampling percentage U")
fig.tight_layout()

# %%
# Reading an operating point off the hull
# ---------------------------------------
# With a 7% positive rate and a missed positive costing 10 false alarms, the
# best classifier of each method is the hull vertex touched by the iso-cost
# line of slope ``c_FP (1 - p) / (c_FN p)``.
for name, (fpr, tpr) in points.items():
    best = rocch_operating_point(fpr, tpr, pos_prior=0.07, cost_fp=1.0, cost_fn=10.0)
    print(f"{name:>30}: U = {u_grid[best]:>4}%  FPR = {fpr[best]:.3f}  TPR = {tpr[best]:.3f}")

plt.show()

# %%
# The hull and its area as plain functions: ``roc_convex_hull`` returns the
# hull vertices (and which settings of U they are), ``roc_convex_hull_auc``
# the area under them, one number to compare the two sweeps.
from skpapers.metrics import roc_convex_hull, roc_convex_hull_auc

for name, (fpr, tpr) in points.items():
    _, _, vertices = roc_convex_hull(fpr, tpr, return_indices=True)
    on_hull = [u_grid[i] for i in vertices if i >= 0]
    print(f"{name:>30}: AUC of the hull {roc_convex_hull_auc(fpr, tpr):.3f}, U on the hull {on_hull}")
