"""ConfTuner (arXiv:2508.18847): a tokenized-Brier confidence head against the raw and isotonic baselines.

The paper fine-tunes language models so that their distribution over confidence
tokens is trained with the tokenized Brier score on correctness labels, and
reports lower ECE and higher AUROC. The tabular counterpart: an overconfident
base model (Gaussian naive Bayes on correlated features) fitted on part A, a
confidence head fitted on part B to the base model's correctness from
[sorted log-probabilities | X], and the test half scored by ECE (15 bins),
AUROC of confidence vs correctness, and Brier score. Peers: the base model's raw
maximum probability, and sklearn's ``CalibratedClassifierCV(method="isotonic")``
on A + B (judged on its own correctness). ``ConfTunerCalibrator`` is the
head's packaging as a meta-estimator: on the same A + B as isotonic, 5-fold
out-of-fold correctness trains the head and naive Bayes is refitted on all of
A + B (judged on its own correctness too).
"""

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler

from ..calibration import ConfTunerCalibrator, TokenizedBrierConfidenceClassifier, expected_calibration_error
from ._registry import ReproductionResult, register

# The 101-level head (the paper's "0".."100" tokens) is only fitted in the full run, where it
# takes a few seconds of L-BFGS.
HEADS = {"TBS head (11 levels)": {"n_levels": 11, "alpha": 1e-4}}
FULL_HEADS = {"TBS head (101 levels)": {"n_levels": 101, "alpha": 1e-5}}
CALIBRATOR = {"n_levels": 11, "alpha": 1e-4, "cv": 5}


def _metrics(correct, confidence):
    return {
        "ece": expected_calibration_error(correct, confidence, n_bins=15),
        "auroc": float(roc_auc_score(correct, confidence)),
        "brier": float(brier_score_loss(correct, confidence)),
        "confidence": confidence,
        "correct": correct,
    }


def _head_features(base, X):
    log_proba = np.sort(np.log(np.clip(base.predict_proba(X), 1e-300, None)), axis=1)
    return np.hstack([log_proba, X])


@register(
    slug="conftuner",
    title="ConfTuner: Training Large Language Models to Express Their Confidence Verbally",
    arxiv="2508.18847",
    claim=(
        "A confidence head trained with the tokenized Brier score on an overconfident base model's correctness "
        "has a much lower ECE and a higher AUROC than the model's raw confidence (here Gaussian NB on "
        "make_classification); isotonic recalibration of the model is compared side by side."
    ),
    expected="partly reproduced",
)
def run(quick=False, random_state=0):
    n_samples = 4000 if quick else 8000
    X, y = make_classification(
        n_samples=n_samples, n_features=20, n_informative=6, n_redundant=10, n_classes=3, random_state=random_state
    )
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=random_state)
    X_a, X_b, y_a, y_b = train_test_split(X_train, y_train, test_size=0.5, random_state=random_state)

    base = GaussianNB().fit(X_a, y_a)
    correct_b = (base.predict(X_b) == y_b).astype(int)
    correct_test = (base.predict(X_test) == y_test).astype(int)
    scaler = StandardScaler().fit(_head_features(base, X_b))
    F_b, F_test = scaler.transform(_head_features(base, X_b)), scaler.transform(_head_features(base, X_test))

    scores = {"raw GaussianNB": _metrics(correct_test, base.predict_proba(X_test).max(axis=1))}
    for name, params in (HEADS if quick else {**HEADS, **FULL_HEADS}).items():
        head = TokenizedBrierConfidenceClassifier(**params).fit(F_b, correct_b)
        scores[name] = _metrics(correct_test, head.predict_confidence(F_test))
    iso = CalibratedClassifierCV(GaussianNB(), method="isotonic", cv=5).fit(X_train, y_train)
    scores["isotonic CalibratedClassifierCV"] = _metrics(
        (iso.predict(X_test) == y_test).astype(int), iso.predict_proba(X_test).max(axis=1)
    )
    calibrator = ConfTunerCalibrator(GaussianNB(), **CALIBRATOR).fit(X_train, y_train)
    scores["ConfTunerCalibrator (11 levels)"] = _metrics(
        (calibrator.predict(X_test) == y_test).astype(int), calibrator.predict_confidence(X_test)
    )

    raw, isotonic = scores["raw GaussianNB"], scores["isotonic CalibratedClassifierCV"]
    ours = [scores["TBS head (11 levels)"], scores["ConfTunerCalibrator (11 levels)"]]
    # The claim holds for both packagings (the head on its own held-out part B, and the
    # meta-estimator on A + B); the isotonic comparison counts in favour only if both win it.
    beats_raw = all(s["ece"] < 0.5 * raw["ece"] and s["auroc"] > raw["auroc"] and s["brier"] < raw["brier"]
                    for s in ours)
    beats_isotonic = all(s["ece"] <= isotonic["ece"] for s in ours)
    verdict = "reproduced" if beats_raw and beats_isotonic else ("partly reproduced" if beats_raw else "not reproduced")
    summary = {name: {k: round(v, 3) for k, v in s.items() if k in ("ece", "auroc", "brier")} for name, s in scores.items()}
    line = "; ".join(f"{n}: ECE {s['ece']:.3f}, AUROC {s['auroc']:.3f}" for n, s in summary.items())
    return ReproductionResult(
        ours=line,
        reference=(
            "paper: large ECE drops and AUROC gains over raw verbal confidence (LLM QA); prototype of this set-up: "
            "raw ECE 0.186 / AUROC 0.701, head ECE 0.060 / 0.794, isotonic ECE 0.038 / 0.697"
        ),
        verdict=verdict,
        details={"metrics": summary, "scores": scores, "beats_raw": beats_raw, "beats_isotonic": beats_isotonic,
                 "n_samples": n_samples},
    )


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve

    scores = result.details["scores"]
    fig, (ax_rel, ax_bar) = plt.subplots(1, 2, figsize=(10, 4))
    ax_rel.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
    for name, s in scores.items():
        acc, conf = calibration_curve(s["correct"], s["confidence"], n_bins=10, strategy="uniform")
        ax_rel.plot(conf, acc, marker="o", label=f"{name} (ECE {s['ece']:.3f})")
    ax_rel.set(xlabel="stated confidence", ylabel="accuracy of the base model", title="Reliability (test half)")
    ax_rel.legend(fontsize=7)
    names = list(scores)
    x = np.arange(len(names))
    ax_bar.bar(x - 0.2, [scores[n]["ece"] for n in names], width=0.4, label="ECE (lower is better)")
    ax_bar.bar(x + 0.2, [scores[n]["auroc"] - 0.5 for n in names], width=0.4, label="AUROC - 0.5")
    ax_bar.set_xticks(x, [n.replace(" ", "\n", 1) for n in names], fontsize=7)
    ax_bar.set_title("Calibration and error ranking")
    ax_bar.legend(fontsize=7)
    fig.tight_layout()
    return {"conftuner_reliability": fig}
