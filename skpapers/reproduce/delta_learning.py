"""Delta learning (Geng et al. 2025) in the paper's logistic-regression setting.

Gaussian inputs, a halfspace truth ``w*``, a student at cosine 0.6 to ``w*`` and
two weaker teachers at cosines 0.4 (chosen) and 0.2 (rejected).  Three fits
start from the student: DPO on the teachers' (chosen, rejected) label pairs,
the same with the pairs swapped, and supervised fine-tuning (SFT, logistic
regression) on the chosen labels alone.  The claim: DPO improves the student
although both teachers are weaker, swapping hurts, SFT hurts; across seeds.
"""

import numpy as np
from sklearn.linear_model import LogisticRegression

from ..datasets import make_delta_learning_data
from ..preference import PreferenceLogisticRegression
from ..utils._optim import PreferenceLoss, gradient_descent
from ._registry import ReproductionResult, register

_N_SAMPLES, _N_FEATURES = 20_000, 200
_COSINES = {"student_cos": 0.6, "chosen_cos": 0.4, "rejected_cos": 0.2}
_LEARNING_RATE, _N_STEPS = 0.02, 20
# "Across seeds": the mean moves the right way and so does a strict majority of the seeds
# (the gain is small next to the seed-to-seed spread of the random directions).
_MAJORITY = 0.5


def _cosine(coef, w_true):
    coef = np.ravel(coef)
    return float(coef @ w_true / np.linalg.norm(coef))


def _accuracy(cosine):
    # Gaussian inputs: a halfspace at angle a to the truth errs with probability a / pi.
    return 1.0 - np.arccos(np.clip(cosine, -1.0, 1.0)) / np.pi


def _student(coef):
    # The theory's student is a given unit direction, not a fit: a LogisticRegression
    # carrying those coefficients serves as the fitted reference policy.
    student = LogisticRegression(fit_intercept=False)
    student.coef_, student.intercept_, student.classes_ = coef[None, :].copy(), np.zeros(1), np.array([-1, 1])
    return student


def _cosine_path(data, n_steps):
    # The DPO iterates themselves (same datafit and solver as the estimator) to show where the gain peaks.
    chosen, rejected = (data.y_pairs > 0).astype(int).T
    datafit = PreferenceLoss(
        data.X, chosen, rejected, 2, reference_scores=(data.X @ data.coef_student)[:, None], fit_intercept=False
    )
    path = []

    def record(t, w, value, grad):
        path.append(_cosine(w, data.w_true))
        return False

    gradient_descent(datafit, data.coef_student, step=_LEARNING_RATE, max_iter=n_steps, callback=record, warn=False)
    return path


def _one_seed(seed, path_steps):
    data = make_delta_learning_data(_N_SAMPLES, _N_FEATURES, random_state=seed, **_COSINES)
    student = _student(data.coef_student)
    dpo = PreferenceLogisticRegression(
        reference=student, learning_rate=_LEARNING_RATE, max_iter=_N_STEPS, fit_intercept=False
    )
    row = {"student": _cosine(data.coef_student, data.w_true)}
    row["dpo"] = _cosine(dpo.fit(data.X, data.y_pairs).coef_, data.w_true)
    row["swapped"] = _cosine(dpo.fit(data.X, data.y_pairs[:, ::-1]).coef_, data.w_true)
    sft = LogisticRegression(fit_intercept=False).fit(data.X, data.y_pairs[:, 0])
    row["sft"] = _cosine(sft.coef_, data.w_true)
    row["informative_share"] = float(np.mean(data.y_pairs[:, 0] != data.y_pairs[:, 1]))
    if path_steps:
        row["path"] = _cosine_path(data, path_steps)
    return row


@register(
    slug="delta-learning",
    title="The Delta Learning Hypothesis: Preference Tuning on Weak Data can Yield Strong Gains",
    arxiv="2507.06187",
    claim=(
        "In logistic regression on Gaussian data, DPO on pairs from two teachers weaker than the student "
        "(cosines 0.4 vs 0.2, student 0.6) improves the student, swapping the pairs hurts it, and "
        "supervised fine-tuning on the chosen labels alone hurts it, across seeds."
    ),
    expected="reproduced",
)
def run(quick=False, random_state=0):
    n_seeds, n_path_seeds, path_steps = (3, 1, 50) if quick else (10, 10, 60)
    rows = [_one_seed(random_state + k, path_steps if k < n_path_seeds else 0) for k in range(n_seeds)]
    table = {key: np.array([row[key] for row in rows]) for key in ("student", "dpo", "swapped", "sft")}
    gain = table["dpo"] - table["student"]
    details = {
        "n_seeds": n_seeds,
        "n_samples": _N_SAMPLES,
        "n_features": _N_FEATURES,
        "n_steps": _N_STEPS,
        "learning_rate": _LEARNING_RATE,
        **{f"cos_{key}": values.tolist() for key, values in table.items()},
        **{f"mean_cos_{key}": float(values.mean()) for key, values in table.items()},
        **{f"mean_accuracy_{key}": float(_accuracy(values).mean()) for key, values in table.items()},
        "share_dpo_improves": float(np.mean(gain > 0)),
        "share_swapped_hurts": float(np.mean(table["swapped"] < table["student"])),
        "share_sft_hurts": float(np.mean(table["sft"] < table["student"])),
        "informative_share": float(np.mean([row["informative_share"] for row in rows])),
        "paths": [row["path"] for row in rows if "path" in row],
    }
    paths = np.asarray(details["paths"])
    details["mean_path"] = paths.mean(axis=0).tolist()
    details["best_step"] = int(np.argmax(paths.mean(axis=0)))
    checks = {
        "dpo_improves": bool(gain.mean() > 0 and details["share_dpo_improves"] > _MAJORITY),
        "swapped_hurts": bool(
            table["swapped"].mean() < table["student"].mean() and details["share_swapped_hurts"] > _MAJORITY
        ),
        "sft_hurts": bool(details["share_sft_hurts"] == 1.0),
    }
    details["checks"] = checks
    if all(checks.values()):
        verdict = "reproduced"
    elif gain.mean() > 0 or checks["sft_hurts"]:
        verdict = "partly reproduced"
    else:
        verdict = "not reproduced"
    ours = (
        f"cos to truth over {n_seeds} seeds: student {details['mean_cos_student']:.3f} -> DPO "
        f"{details['mean_cos_dpo']:.3f} (up in {details['share_dpo_improves']:.0%}), swapped "
        f"{details['mean_cos_swapped']:.3f}, SFT {details['mean_cos_sft']:.3f}; accuracy "
        f"{details['mean_accuracy_student']:.4f} -> {details['mean_accuracy_dpo']:.4f}"
    )
    reference = (
        "paper (qualitative): weak-pair DPO helps, SFT on the chosen data hurts; spec simulation: "
        "0.600 -> 0.608 (10/10 seeds), swapped 0.585, SFT ~0.40"
    )
    return ReproductionResult(ours=ours, reference=reference, verdict=verdict, details=details)


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    details = result.details
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    labels = ["student", "DPO", "DPO swapped", "SFT on chosen"]
    keys = ["student", "dpo", "swapped", "sft"]
    for position, key in enumerate(keys):
        values = details[f"cos_{key}"]
        left.scatter(np.full(len(values), position), values, alpha=0.6)
        left.hlines(np.mean(values), position - 0.3, position + 0.3, color="black")
    left.set_xticks(range(len(keys)), labels)
    left.set_ylabel("cosine to the true direction")
    left.set_title(f"{details['n_steps']} steps, {details['n_seeds']} seeds")
    paths = np.asarray(details["paths"])
    steps = np.arange(paths.shape[1])
    for path in paths:
        right.plot(steps, path, color="tab:blue", alpha=0.3)
    right.plot(steps, paths.mean(axis=0), color="tab:blue", label="DPO (mean)")
    right.axhline(details["mean_cos_student"], color="gray", linestyle="--", label="student")
    right.axvline(details["n_steps"], color="black", linestyle=":", label="default max_iter")
    right.set_xlabel("gradient steps")
    right.set_ylabel("cosine to the true direction")
    right.legend()
    fig.tight_layout()
    return {"delta_learning": fig}
