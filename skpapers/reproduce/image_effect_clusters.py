"""Image-based treatment-effect heterogeneity (Jerzak, Johansson, Daoud 2023), tabular form.

On the spec's simulation (two effect types, -1 and 2, gated by sigmoid(2 x_0); frozen
features stand in for image embeddings) the mixture recovers the type effects, the gating
slope and the types themselves (accuracy near the Bayes rate of the gating), and predicts
effects for units without outcomes more accurately than a T-learner; KMeans on the
T-learner's effects ("post-hoc clustering") is the typing baseline. With the causal
penalty the model ATE equals the difference in means.
"""

import warnings

import numpy as np
from scipy import special
from sklearn.cluster import KMeans
from sklearn.ensemble import HistGradientBoostingRegressor

from ..causal import EffectClusterMixture
from ..datasets import make_effect_clusters
from ._registry import ReproductionResult, register

_TRUE_EFFECTS = np.array([-1.0, 2.0])
_TRUE_SLOPE = 2.0


def _t_learner(X, y, t, random_state):
    models = [
        HistGradientBoostingRegressor(max_iter=100, random_state=random_state).fit(X[t == arm], y[t == arm])
        for arm in (0, 1)
    ]
    return lambda X_new: models[1].predict(X_new) - models[0].predict(X_new)


def _one_replication(seed, n_init):
    X, y, t, types = make_effect_clusters(n_samples=3000, random_state=seed)
    # New units: features only (no trial), the "transportability" use of the map.
    X_new, _, _, types_new = make_effect_clusters(n_samples=2000, random_state=seed + 10_000)
    truth_new = _TRUE_EFFECTS[0] + (_TRUE_EFFECTS[1] - _TRUE_EFFECTS[0]) * special.expit(_TRUE_SLOPE * X_new[:, 0])
    model = EffectClusterMixture(n_init=n_init, random_state=seed).fit(X, y, treatment=t)
    penalised = EffectClusterMixture(n_init=n_init, causal_penalty=10.0, random_state=seed).fit(X, y, treatment=t)
    t_learner = _t_learner(X, y, t, seed)
    cate_t = t_learner(X_new)
    # Post-hoc typing: two k-means clusters of the T-learner's training-unit effects (the higher
    # centre is type 1), applied to the new units' predicted effects.
    km = KMeans(2, n_init=10, random_state=seed).fit(t_learner(X)[:, None])
    high = np.argmax(km.cluster_centers_.ravel())
    posthoc_new = (km.predict(cate_t[:, None]) == high).astype(int)
    p1 = special.expit(_TRUE_SLOPE * X_new[:, 0])
    return model, {
        "effects": model.cluster_effects_.tolist(),
        "gating_slope": float(model.gating_coef_[0, 1]),
        "accuracy_train": float(np.mean(model.predict_cluster(X) == types)),
        "accuracy_train_posterior": float(np.mean(np.argmax(model.posterior_proba(X, y, t), axis=1) == types)),
        "accuracy": float(np.mean(model.predict_cluster(X_new) == types_new)),
        "bayes_accuracy": float(np.mean(np.maximum(p1, 1 - p1))),
        "posthoc_accuracy": float(np.mean(posthoc_new == types_new)),
        "cate_mse_mixture": float(np.mean((model.predict(X_new) - truth_new) ** 2)),
        "cate_mse_t_learner": float(np.mean((cate_t - truth_new) ** 2)),
        "ate_gap_free": float(abs(model.ate_ - model.dim_ate_)),
        "ate_gap_penalised": float(abs(penalised.ate_ - penalised.dim_ate_)),
    }


@register(
    slug="image-effect-clusters",
    title="Image-based Treatment Effect Heterogeneity",
    arxiv="2206.06417",
    claim=(
        "In simulation the gated effect-cluster model recovers the planted cluster effects and type "
        "probabilities (and so predicts effects for new units better than a T-learner), and the causal "
        "penalty ties the model ATE to the difference in means."
    ),
)
def run(quick=False, random_state=0):
    """Fit the mixture on 1 (quick) or 5 simulated trials of 3000 units."""
    from threadpoolctl import threadpool_limits

    seeds = [random_state + i for i in range(1 if quick else 5)]
    n_init = 1 if quick else 5
    # one core, as the budget assumes; the gradient-boosting peer would otherwise take every thread
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("error", RuntimeWarning)  # a NaN on the way would be a defect, not noise
        fitted = [_one_replication(seed, n_init) for seed in seeds]
    reps = [rep for _, rep in fitted]
    model_for_plot = fitted[0][0]
    mean = {key: float(np.mean([r[key] for r in reps])) for key in reps[0] if key != "effects"}
    effects = np.mean([r["effects"] for r in reps], axis=0)
    effect_error = float(np.max([np.max(np.abs(np.asarray(r["effects"]) - _TRUE_EFFECTS)) for r in reps]))
    slope_error = float(np.max([abs(r["gating_slope"] - _TRUE_SLOPE) for r in reps]))
    checks = {
        "effects within 0.15": effect_error < 0.15,
        "gating slope within 0.35": slope_error < 0.35,
        "new-unit typing within 0.02 of Bayes": mean["accuracy"] > mean["bayes_accuracy"] - 0.02,
        "CATE MSE below T-learner": mean["cate_mse_mixture"] < mean["cate_mse_t_learner"],
        "penalised ATE = DIM to 1e-2": mean["ate_gap_penalised"] < 1e-2,
    }
    n_ok = sum(checks.values())
    verdict = "reproduced" if n_ok == len(checks) else ("partly reproduced" if n_ok >= 3 else "not reproduced")
    ours = (
        f"effects {effects[0]:.2f}/{effects[1]:.2f}, slope {mean['gating_slope']:.2f}, typing "
        f"{mean['accuracy']:.3f} on new units (Bayes {mean['bayes_accuracy']:.3f}, post-hoc KMeans "
        f"{mean['posthoc_accuracy']:.3f}), "
        f"CATE MSE {mean['cate_mse_mixture']:.3f} vs T-learner {mean['cate_mse_t_learner']:.3f}"
    )
    reference = "planted effects -1/2, gating slope 2, Bayes typing ~0.777; paper: recovered in simulation"
    grid = np.zeros((61, model_for_plot.n_features_in_))
    grid[:, 0] = np.linspace(-3, 3, 61)
    details = {
        "replications": reps,
        "effects_mean": effects.tolist(),
        "max_effect_error": effect_error,
        "max_slope_error": slope_error,
        "checks": checks,
        **mean,
        "grid_x0": grid[:, 0].tolist(),
        "grid_proba_type1": model_for_plot.predict_proba(grid)[:, 1].tolist(),
        "grid_cate": model_for_plot.predict(grid).tolist(),
    }
    return ReproductionResult(ours=ours, reference=reference, verdict=verdict, details=details)


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    d = result.details
    x0 = np.asarray(d["grid_x0"])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    axes[0].plot(x0, special.expit(_TRUE_SLOPE * x0), "k--", label="true P(type 1 | x)")
    axes[0].plot(x0, d["grid_proba_type1"], label="fitted gating")
    axes[0].set_xlabel("x_0")
    axes[0].set_ylabel("P(type 1 | x)")
    axes[0].legend()
    axes[1].plot(x0, _TRUE_EFFECTS[0] + 3 * special.expit(_TRUE_SLOPE * x0), "k--", label="true E[tau | x]")
    axes[1].plot(x0, d["grid_cate"], label="mixture CATE")
    for effect in d["effects_mean"]:
        axes[1].axhline(effect, color="grey", lw=0.8)
    axes[1].set_xlabel("x_0")
    axes[1].set_ylabel("effect")
    axes[1].set_title(
        f"CATE MSE on new units: mixture {d['cate_mse_mixture']:.3f}, T-learner {d['cate_mse_t_learner']:.3f}"
    )
    axes[1].legend()
    fig.tight_layout()
    return {"image_effect_clusters": fig}
