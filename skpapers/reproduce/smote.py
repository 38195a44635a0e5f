"""SMOTE (arXiv:1106.1813): SMOTE + under-sampling against under-sampling alone in ROC space.

The paper sweeps the under-sampling percentage U (and SMOTE's N), turns each
setting into one (FPR, TPR) point by 10-fold cross-validation of C4.5, and
compares the ROC convex hulls of the methods. We do the same with an
entropy-split decision tree on an imbalanced synthetic problem, several seeds.
"""

import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import StratifiedKFold
from sklearn.tree import DecisionTreeClassifier

from ..metrics import roc_convex_hull_auc, roc_points_from_predictions
from ..over_sampling import SMOTEUnderSampler
from ._registry import ReproductionResult, register

# The paper's grid of under-sampling percentages.
U_GRID = (10, 15, 25, 50, 75, 100, 125, 150, 175, 200, 300, 400, 500, 600, 700, 800, 1000, 2000)


def _make_data(seed):
    return make_classification(
        n_samples=3000, n_features=10, n_informative=5, n_redundant=2, weights=[0.93], class_sep=0.8,
        flip_y=0.01, random_state=seed,
    )


def _roc_points(X, y, smote_percentage, u_grid, seed, n_splits=10):
    """One pooled (FPR, TPR) per U: stratified k-fold CV, resampling the training folds only."""
    folds = list(StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(X, y))
    predictions = np.empty((len(u_grid), y.size), dtype=y.dtype)
    for train, test in folds:
        fitted_on_everything = None  # U small enough to keep every row: one fit serves them all
        for position, u in enumerate(u_grid):
            sampler = SMOTEUnderSampler(smote_percentage=smote_percentage, under_sampling_percentage=u,
                                        random_state=seed)
            X_res, y_res = sampler.fit_resample(X[train], y[train])
            keeps_all = sampler.sample_indices_.size == train.size
            if keeps_all and fitted_on_everything is not None:
                predictions[position, test] = fitted_on_everything
                continue
            tree = DecisionTreeClassifier(criterion="entropy", min_samples_leaf=2, random_state=seed)
            predicted = tree.fit(X_res, y_res).predict(X[test])
            predictions[position, test] = predicted
            if keeps_all:
                fitted_on_everything = predicted
    return roc_points_from_predictions(y, predictions)


@register(
    slug="smote",
    title="SMOTE: Synthetic Minority Over-sampling Technique",
    arxiv="1106.1813",
    claim=(
        "The ROC convex hull of a tree trained with SMOTE + under-sampling dominates or matches the hull of "
        "under-sampling alone (hull AUC not lower, and higher for some N)."
    ),
    # Measured: the full run reproduces (N = 200%: +0.0093 +/- 0.0028, 6/6 seeds). The quick run
    # (a third of the grid, 5 folds) sees the same gain, +0.0080 +/- 0.0045 on 5/6 seeds, but
    # not two standard errors, so it says "partly reproduced"; that is what --quick --check expects.
    expected="partly reproduced",
)
def run(quick=False, random_state=0):
    """Hull AUC of under-sampling alone and of SMOTE (N = 200, 500) + under-sampling, over seeds."""
    seeds = [random_state + s for s in range(6)]
    if quick:  # same seeds, a third of the U grid, one N, 5 folds
        smote_levels, u_grid, n_splits = (200,), U_GRID[::3], 5
    else:
        smote_levels, u_grid, n_splits = (200, 500), U_GRID, 10

    auc = {0: [], **{n: [] for n in smote_levels}}
    points = {}
    for seed in seeds:
        X, y = _make_data(seed)
        for n in auc:
            fpr, tpr = _roc_points(X, y, n, u_grid, seed, n_splits)
            auc[n].append(roc_convex_hull_auc(fpr, tpr))
            if seed == seeds[0]:
                points[n] = (fpr.tolist(), tpr.tolist())

    under = np.array(auc[0])
    gains, standard_errors, wins = {}, {}, {}
    for n in smote_levels:
        diff = np.array(auc[n]) - under
        gains[n] = float(diff.mean())
        standard_errors[n] = float(diff.std(ddof=1) / np.sqrt(diff.size))
        wins[n] = int(np.sum(diff > 0))

    # "Matches": mean gain not below minus one standard error; "dominates": above two.
    matches = all(gains[n] > -standard_errors[n] for n in smote_levels)
    dominates = any(gains[n] > 2 * standard_errors[n] for n in smote_levels)
    if matches and dominates:
        verdict = "reproduced"
    elif matches or any(gains[n] > 0 for n in smote_levels):
        verdict = "partly reproduced"
    else:
        verdict = "not reproduced"

    ours = f"hull AUC under only {under.mean():.3f}; " + "; ".join(
        f"SMOTE {n}% + under {np.mean(auc[n]):.3f} (gain {gains[n]:+.4f} +/- {standard_errors[n]:.4f}, "
        f"better on {wins[n]}/{len(seeds)} seeds)"
        for n in smote_levels
    )
    reference = (
        "paper: SMOTE + under-sampling hulls dominate or match under-sampling alone on most data sets "
        "(qualitative; C4.5 on 9 data sets)"
    )
    return ReproductionResult(
        ours=ours,
        reference=reference,
        verdict=verdict,
        details={
            "seeds": seeds,
            "u_grid": list(u_grid),
            "n_splits": n_splits,
            "smote_levels": list(smote_levels),
            "auc": {str(n): list(map(float, values)) for n, values in auc.items()},
            "gain": {str(n): gains[n] for n in smote_levels},
            "standard_error": {str(n): standard_errors[n] for n in smote_levels},
            "wins": {str(n): wins[n] for n in smote_levels},
            "points_first_seed": {str(n): p for n, p in points.items()},
        },
    )


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    from ..metrics import ROCConvexHullDisplay

    details = result.details
    fig, (ax_roc, ax_auc) = plt.subplots(1, 2, figsize=(11, 5))
    for key, (fpr, tpr) in details["points_first_seed"].items():
        name = "under-sampling only" if key == "0" else f"SMOTE {key}% + under-sampling"
        ROCConvexHullDisplay.from_points(fpr, tpr, name=name, ax=ax_roc)
    ax_roc.set_title(f"ROC convex hulls, seed {details['seeds'][0]} (one point per U)")

    seeds = np.arange(len(details["seeds"]))
    for key, values in details["auc"].items():
        label = "under-sampling only" if key == "0" else f"SMOTE {key}% + under"
        ax_auc.plot(seeds, values, marker="o", label=label)
    ax_auc.set(xlabel="seed", ylabel="ROC convex hull AUC", xticks=seeds, title="Hull AUC per data seed")
    ax_auc.legend()
    fig.tight_layout()
    return {"smote_rocch": fig}
