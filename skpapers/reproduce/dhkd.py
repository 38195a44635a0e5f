"""Dual-head knowledge distillation (Yang et al. 2024) on a tabular student.

The paper's claim is qualitative: cross-entropy and a logit-level loss
(BinaryKL-Norm) on the *same* linear classifier hurt the student (below
cross-entropy alone), while giving the logit loss its own auxiliary head
removes the conflict and keeps the teacher's benefit (DHKD above KD).

Set-up (the spec's data-generating process): 20 Gaussian features, 5 classes,
logits ``2 tanh(X[:, :5]) B[:5] + 0.5 X B`` with ``B ~ N(0, 0.6^2)``, labels
drawn from their softmax.  An ``MLPClassifier((128,))`` teacher is fitted on
20,000 rows (5,000 in quick mode); each seed draws 300 student rows and
fits four students with the same tanh hidden layer of 32 units, ``alpha =
1e-3`` and the same L-BFGS budget: cross-entropy only, CE + Hinton KD
(tau = 4), CE + BinaryKL-Norm on the main head (single head), and DHKD (CE on
the main head, BinaryKL-Norm on a linear auxiliary head), with the
BinaryKL-Norm weight 1 (the paper's CIFAR value) and 0.1 (its ImageNet value).
Accuracy on 5,000 test rows.

The verdict compares paired accuracy differences across seeds with twice
their standard error: "single head below CE" (the collapse) and "DHKD above
both CE and KD" (the gain) must both hold to reproduce; one of them makes a
partial reproduction.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from ..distillation import DualHeadDistillationClassifier
from ._registry import ReproductionResult, register

N_FEATURES, N_CLASSES, N_TRAIN, N_TEST = 20, 5, 300, 5000
STUDENT = {"hidden_layer_size": 32, "activation": "tanh", "alpha": 1e-3, "max_iter": 200}
VARIANTS = {
    "CE": {"aux_weight": 0.0},
    "KD": {"aux_weight": 0.0, "kd_weight": 1.0, "kd_temperature": 4.0},
    "single head": {"aux_head": None, "aux_weight": 1.0},
    "DHKD": {"aux_head": "linear", "aux_weight": 1.0},
    "DHKD (0.1)": {"aux_head": "linear", "aux_weight": 0.1},
}
# Paper (qualitative): CE+BinaryKL on one head below CE alone (Fig. 1b); DHKD above KD on
# CIFAR-100 / ImageNet.  The spec's tabular prototype (5 seeds): CE 0.621, KD 0.645,
# single 0.631, DHKD 0.600.
PROTOTYPE = {"CE": 0.621, "KD": 0.645, "single head": 0.631, "DHKD": 0.600}


def _make_rows(coef, n_samples, rng):
    X = rng.normal(size=(n_samples, N_FEATURES))
    logits = 2.0 * np.tanh(X[:, :5]) @ coef[:5] + 0.5 * X @ coef
    y = np.argmax(logits + rng.gumbel(size=logits.shape), axis=1)
    return X, y


def _paired(a, b):
    diff = np.asarray(a) - np.asarray(b)
    se = diff.std(ddof=1) / np.sqrt(diff.size) if diff.size > 1 else np.inf
    return {"mean": float(diff.mean()), "se": float(se)}


@register(
    slug="dhkd",
    title="Dual-Head Knowledge Distillation: Enhancing Logits Utilization with an Auxiliary Head",
    arxiv="2411.08937",
    claim=(
        "A logit-level loss (BinaryKL-Norm) sharing the classifier with cross-entropy makes the student "
        "worse than cross-entropy alone, and moving it to an auxiliary head keeps the teacher's benefit "
        "(DHKD above CE and KD)."
    ),
    expected="not reproduced",
)
def run(quick=False, random_state=0):
    rng = np.random.default_rng(random_state)
    coef = rng.normal(scale=0.6, size=(N_FEATURES, N_CLASSES))
    n_teacher, teacher_iter = (5000, 100) if quick else (20_000, 300)
    seeds = [random_state + k for k in range(3 if quick else 8)]
    X_teacher, y_teacher = _make_rows(coef, n_teacher, rng)
    X_test, y_test = _make_rows(coef, N_TEST, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        teacher = MLPClassifier((128,), alpha=1e-3, max_iter=teacher_iter, random_state=0)
        teacher.fit(X_teacher, y_teacher)
    teacher_accuracy = float(teacher.score(X_test, y_test))

    accuracy = {name: [] for name in VARIANTS}
    for seed in seeds:
        X, y = _make_rows(coef, N_TRAIN, np.random.default_rng([random_state, seed, 1]))
        for name, params in VARIANTS.items():
            student = DualHeadDistillationClassifier(teacher=teacher, random_state=seed, **STUDENT, **params)
            with warnings.catch_warnings():
                # The same iteration budget for every student; not all reach the tolerance.
                warnings.simplefilter("ignore", ConvergenceWarning)
                student.fit(X, y)
            accuracy[name].append(float(student.score(X_test, y_test)))

    mean = {name: float(np.mean(values)) for name, values in accuracy.items()}
    pairs = {
        "single head - CE": _paired(accuracy["single head"], accuracy["CE"]),
        "DHKD - single head": _paired(accuracy["DHKD"], accuracy["single head"]),
        "DHKD - CE": _paired(accuracy["DHKD"], accuracy["CE"]),
        "DHKD - KD": _paired(accuracy["DHKD"], accuracy["KD"]),
        "KD - CE": _paired(accuracy["KD"], accuracy["CE"]),
    }

    def below(key):
        return pairs[key]["mean"] < -2.0 * pairs[key]["se"]

    def above(key):
        return pairs[key]["mean"] > 2.0 * pairs[key]["se"]

    claims = {
        "single head below CE": below("single head - CE"),
        "DHKD not below single head": not below("DHKD - single head"),
        "DHKD above CE and KD": above("DHKD - CE") and above("DHKD - KD"),
    }
    core = [claims["single head below CE"], claims["DHKD above CE and KD"]]
    verdict = "reproduced" if all(core) else "partly reproduced" if any(core) else "not reproduced"

    ours = (
        f"accuracy over {len(seeds)} seeds: "
        + ", ".join(f"{name} {value:.3f}" for name, value in mean.items())
        + f" (teacher {teacher_accuracy:.3f})"
    )
    reference = (
        "paper: single head < CE, DHKD > KD (CIFAR-100/ImageNet); spec prototype: "
        + ", ".join(f"{name} {value:.3f}" for name, value in PROTOTYPE.items())
    )
    return ReproductionResult(
        ours=ours,
        reference=reference,
        verdict=verdict,
        details={
            "seeds": seeds,
            "accuracy": accuracy,
            "mean_accuracy": mean,
            "teacher_accuracy": teacher_accuracy,
            "paired_differences": pairs,
            "claims": claims,
            "prototype": PROTOTYPE,
        },
    )


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    accuracy = result.details["accuracy"]
    names = list(accuracy)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for i, name in enumerate(names):
        values = np.asarray(accuracy[name])
        ax.scatter(np.full(values.size, i), values, color="0.6", s=14, zorder=2)
        ax.errorbar(i, values.mean(), yerr=values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else 0,
                    fmt="o", color="C0", capsize=4, zorder=3)
    for name, value in result.details["prototype"].items():
        ax.scatter(names.index(name), value, marker="x", color="C3", zorder=4)
    ax.axhline(result.details["teacher_accuracy"], color="C2", ls="--", label="teacher")
    ax.scatter([], [], marker="x", color="C3", label="spec prototype (other draw)")
    ax.errorbar([], [], yerr=[], fmt="o", color="C0", label="mean ± s.e. (ours)")
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("test accuracy")
    ax.set_title(f"Dual-head distillation, 300 training rows: {result.verdict}")
    low, _ = ax.get_ylim()
    ax.set_ylim(low, result.details["teacher_accuracy"] + 0.03)  # room for the legend above the points
    ax.legend(loc="upper center", ncol=3, fontsize=8)
    fig.tight_layout()
    return {"dhkd_accuracy": fig}
