"""PLD (arXiv:2506.12542): Plackett-Luce distillation alone beats cross-entropy, with no mixing weight.

The paper's experiments distil image networks; its loss transfers unchanged
to a linear student on tabular features, which is what we check.  Data:
``make_classification`` with 10 classes, 30 features (15 informative), one
cluster per class.  A ``HistGradientBoostingClassifier`` teacher is fitted on
the first rows, a linear student on the next 400 rows (its logits from the
teacher's ``decision_function``), and all students are scored on the
remaining rows.  Students, all with ``alpha = 1e-3`` and solved to
convergence by L-BFGS:

- CE: cross-entropy only (``rank_weights='onehot'``);
- KD: Hinton's ``CE + tau^2 KL`` at ``tau = 4`` with weight 1 (a mixing weight);
- PLD: the Plackett-Luce distillation loss alone, teacher temperature 1;
- ListMLE: the same target ranking with every rank weighted 1.

Full run: 30 000 rows, teacher on 20 000, test on the last 5 000, seeds
0-4.  The quick run shrinks the data (8 400 rows, teacher on 4 000 with 50
boosting iterations, test on 4 000) and uses 3 seeds, so its teacher is
weaker and its numbers differ from the full run's.
"""

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from ..distillation import PLDistillationClassifier
from ..distillation._losses import SoftmaxCrossEntropy, SoftTargetCrossEntropy
from ..distillation._student import LossTerm, StudentNetwork, fit_student
from ._registry import ReproductionResult, register

METHODS = ("CE", "KD", "PLD", "ListMLE")
COLORS = {"CE": "tab:grey", "KD": "tab:orange", "PLD": "tab:blue", "ListMLE": "tab:green"}
ALPHA = 1e-3
KD_TEMPERATURE = 4.0

FULL = {"n_samples": 30_000, "n_teacher": 20_000, "test_start": 25_000, "teacher_iter": 100, "n_seeds": 5}
QUICK = {"n_samples": 8_400, "n_teacher": 4_000, "test_start": 4_400, "teacher_iter": 50, "n_seeds": 3}
N_STUDENT = 400


def _kd_student_accuracy(X, y, teacher_logits, X_test, y_test):
    # Hinton KD is not a public estimator here: the same trainer, two loss terms.
    network = StudentNetwork(X.shape[1], {"main": teacher_logits.shape[1]})
    terms = [
        LossTerm("main", SoftmaxCrossEntropy(y)),
        LossTerm("main", SoftTargetCrossEntropy(teacher_logits, KD_TEMPERATURE)),
    ]
    fitted = fit_student(network, X, terms, alpha=ALPHA, max_iter=1000, tol=1e-6, context="KD student")
    coef, intercept = fitted.params.heads["main"]
    return float(np.mean(np.argmax(X_test @ coef + intercept, axis=1) == y_test))


def _one_seed(setting, seed):
    X, y = make_classification(
        n_samples=setting["n_samples"], n_features=30, n_informative=15, n_classes=10, n_clusters_per_class=1,
        random_state=seed,
    )
    n_teacher = setting["n_teacher"]
    teacher = HistGradientBoostingClassifier(max_iter=setting["teacher_iter"], random_state=0)
    teacher.fit(X[:n_teacher], y[:n_teacher])
    X_student, y_student = X[n_teacher : n_teacher + N_STUDENT], y[n_teacher : n_teacher + N_STUDENT]
    X_test, y_test = X[setting["test_start"] :], y[setting["test_start"] :]
    logits = teacher.decision_function(X_student)
    accuracy = {"teacher": float(teacher.score(X_test, y_test))}
    for method, rank_weights in (("CE", "onehot"), ("PLD", "teacher"), ("ListMLE", "uniform")):
        student = PLDistillationClassifier(rank_weights=rank_weights, alpha=ALPHA, temperature=1.0)
        student.fit(X_student, y_student, teacher_logits=logits)
        accuracy[method] = float(student.score(X_test, y_test))
    accuracy["KD"] = _kd_student_accuracy(X_student, y_student, logits, X_test, y_test)
    return accuracy


@register(
    slug="pld",
    title="PLD: A Choice-Theoretic List-Wise Knowledge Distillation",
    arxiv="2506.12542",
    claim=(
        "Trained with the Plackett-Luce distillation loss alone (no cross-entropy term, no mixing weight), a "
        "linear student distilled from a boosting teacher on 10-class tabular data is more accurate than the "
        "same student trained with cross-entropy."
    ),
    expected="reproduced",
)
def run(quick=False, random_state=0):
    setting = QUICK if quick else FULL
    seeds = [random_state * 1000 + i for i in range(setting["n_seeds"])]
    # Small fits: BLAS and OpenMP threads add contention, not speed, and one
    # thread keeps the run time predictable on a shared machine.
    with threadpool_limits(limits=1):
        rows = [_one_seed(setting, seed) for seed in seeds]
    accuracy = {method: np.array([row[method] for row in rows]) for method in ("teacher",) + METHODS}
    mean = {method: float(values.mean()) for method, values in accuracy.items()}
    n_seeds = len(seeds)
    pld_wins_over_ce = int(np.sum(accuracy["PLD"] > accuracy["CE"]))
    gain_over_ce = mean["PLD"] - mean["CE"]
    kd_ahead = mean["KD"] - mean["PLD"]
    if gain_over_ce > 0 and pld_wins_over_ce >= n_seeds - 1:
        verdict = "reproduced"
    elif gain_over_ce > 0:
        verdict = "partly reproduced"
    else:
        verdict = "not reproduced"
    ours = (
        f"linear-student test accuracy, mean of {n_seeds} seeds (teacher {mean['teacher']:.3f}): "
        f"CE {mean['CE']:.3f}, KD {mean['KD']:.3f}, PLD {mean['PLD']:.3f}, ListMLE {mean['ListMLE']:.3f}; "
        f"PLD - CE = {100 * gain_over_ce:+.1f} points (PLD ahead on {pld_wins_over_ce}/{n_seeds} seeds); "
        f"KD - PLD = {100 * kd_ahead:+.1f} points"
    )
    reference = (
        "paper: PLD +1.04 top-1 over KD and +0.42 over DIST on ImageNet-1K (same-family pairs); "
        "spec prototype on this data, seeds 0-4: CE 0.493, KD 0.551, PLD 0.532"
    )
    details = {
        "setting": dict(setting, n_student=N_STUDENT, alpha=ALPHA, kd_temperature=KD_TEMPERATURE),
        "seeds": seeds,
        "accuracy": {method: values.tolist() for method, values in accuracy.items()},
        "mean_accuracy": mean,
        "pld_minus_ce": float(gain_over_ce),
        "kd_minus_pld": float(kd_ahead),
        "pld_wins_over_ce": pld_wins_over_ce,
    }
    return ReproductionResult(ours=ours, reference=reference, verdict=verdict, details=details)


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    accuracy = result.details["accuracy"]
    fig, (bar_ax, diff_ax) = plt.subplots(1, 2, figsize=(10, 4))
    positions = np.arange(len(METHODS))
    means = [np.mean(accuracy[m]) for m in METHODS]
    bar_ax.bar(positions, means, color=[COLORS[m] for m in METHODS])
    for position, method in zip(positions, METHODS):
        values = np.asarray(accuracy[method])
        bar_ax.scatter(np.full(values.shape, position), values, color="black", s=12, zorder=3)
    bar_ax.axhline(np.mean(accuracy["teacher"]), color="black", linestyle="--", linewidth=1, label="teacher")
    bar_ax.set_xticks(positions, METHODS)
    bar_ax.set_ylim(0.9 * min(min(v) for k, v in accuracy.items() if k != "teacher"), 1.0)
    bar_ax.set_ylabel("test accuracy")
    bar_ax.set_title(f"Linear student, {result.details['setting']['n_student']} rows, 10 classes")
    bar_ax.legend(loc="upper left")
    seeds = result.details["seeds"]
    pld = np.asarray(accuracy["PLD"])
    for other, marker in (("CE", "o"), ("KD", "s"), ("ListMLE", "^")):
        diff_ax.plot(seeds, 100 * (pld - np.asarray(accuracy[other])), marker=marker, color=COLORS[other],
                     label=f"PLD - {other}")
    diff_ax.axhline(0.0, color="grey", linewidth=1)
    diff_ax.set_xticks(seeds)
    diff_ax.set_xlabel("seed")
    diff_ax.set_ylabel("accuracy difference (points)")
    diff_ax.set_title("Per seed: above 0, PLD is more accurate")
    diff_ax.legend()
    fig.tight_layout()
    return {"pld_student_accuracy": fig}
