"""
===================================================================
ConfTuner: a confidence head trained with the tokenized Brier score
===================================================================

ConfTuner (Li et al., arXiv:2508.18847) trains a model's distribution over
confidence levels ("0" ... "100") with the *tokenized Brier score*
``sum_j p_j (y - c_j)^2`` against whether its answer was right. The score is
proper: the best report puts its mass on the level nearest the true chance of
being right, and no confidence labels are needed, only correctness.

Here the "base model" is Gaussian naive Bayes on correlated features, which is
overconfident. A :class:`~skpapers.calibration.TokenizedBrierConfidenceClassifier`
is fitted on held-out rows to predict whether the base model is right, from its
sorted log-probabilities and the inputs. We compare its reliability with the
raw maximum probability, with sklearn's isotonic
:class:`~sklearn.calibration.CalibratedClassifierCV`, and with
:class:`~skpapers.calibration.ConfTunerCalibrator`, which packages the head as a
meta-estimator fitted on the same rows as the isotonic peer.
"""

# %%
# A base model, a held-out part for the head, and a test half
# -------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler

from skpapers.calibration import ConfTunerCalibrator, TokenizedBrierConfidenceClassifier, expected_calibration_error

X, y = make_classification(n_samples=8000, n_features=20, n_informative=6, n_redundant=10, n_classes=3,
                           random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)
X_a, X_b, y_a, y_b = train_test_split(X_train, y_train, test_size=0.5, random_state=0)
base = GaussianNB().fit(X_a, y_a)


def head_features(Z):
    return np.hstack([np.sort(np.log(np.clip(base.predict_proba(Z), 1e-300, None)), axis=1), Z])


scaler = StandardScaler().fit(head_features(X_b))
head = TokenizedBrierConfidenceClassifier(n_levels=11, alpha=1e-4).fit(
    scaler.transform(head_features(X_b)), base.predict(X_b) == y_b
)

# %%
# Confidence against correctness on the test half
# -----------------------------------------------
# The head's confidence is its most probable level (the paper's reading).
# Isotonic calibration is refitted on A + B and judged on its own predictions.
# ``ConfTunerCalibrator`` does the split itself: on A + B it gets 5-fold
# out-of-fold predictions of naive Bayes, trains the head on their correctness,
# and refits naive Bayes on all of A + B; it is judged on its own predictions too.
correct = base.predict(X_test) == y_test
iso = CalibratedClassifierCV(GaussianNB(), method="isotonic", cv=5).fit(X_train, y_train)
calibrator = ConfTunerCalibrator(GaussianNB(), cv=5, n_levels=11).fit(X_train, y_train)
confidences = {
    "raw GaussianNB": (correct, base.predict_proba(X_test).max(axis=1)),
    "TBS head (11 levels)": (correct, head.predict_confidence(scaler.transform(head_features(X_test)))),
    "isotonic CalibratedClassifierCV": (iso.predict(X_test) == y_test, iso.predict_proba(X_test).max(axis=1)),
    "ConfTunerCalibrator": (calibrator.predict(X_test) == y_test, calibrator.predict_confidence(X_test)),
}

fig, ax = plt.subplots(figsize=(6, 5.5))
ax.plot([0, 1], [0, 1], ":", color="grey")
for name, (right, conf) in confidences.items():
    acc, mean_conf = calibration_curve(right, conf, n_bins=10)
    ece, auroc = expected_calibration_error(right, conf), roc_auc_score(right, conf)
    ax.plot(mean_conf, acc, marker="o", label=f"{name}: ECE {ece:.3f}, AUROC {auroc:.3f}")
    print(f"{name:<32} ECE {ece:.3f}  AUROC {auroc:.3f}")
ax.set(xlabel="stated confidence", ylabel="accuracy", title="Reliability of three confidences")
ax.legend(fontsize=8)
plt.show()

# %%
# The head cuts the raw model's calibration error by about two thirds and
# ranks its errors better (it also sees ``X``), while isotonic recalibration,
# which only reshapes the model's own probabilities, reaches the lowest ECE
# but does not improve the ranking. The meta-estimator lands next to the head.

# %%
# Reading the levels: argmax, mean and temperature
# ------------------------------------------------
# The paper decodes the confidence token greedily, which is the ``"argmax"``
# reading. The ``"mean"`` reading averages the levels under the head's softmax,
# and ``temperature`` sharpens (below 1) or flattens (above 1) that softmax
# when predicting; towards 0 the mean becomes the argmax. Fitting does not
# depend on either, so they can be changed on the fitted head.
right = calibrator.predict(X_test) == y_test
for reading, temperature in [("argmax", 1.0), ("mean", 0.05), ("mean", 1.0), ("mean", 2.0)]:
    calibrator.head_.set_params(confidence=reading, temperature=temperature)
    conf = calibrator.predict_confidence(X_test)
    print(f"{reading:>6}, temperature {temperature:<4}: ECE {expected_calibration_error(right, conf):.3f}, "
          f"AUROC {roc_auc_score(right, conf):.3f}")
calibrator.head_.set_params(confidence="argmax", temperature=1.0)

# %%
# The flatter the softmax, the further the mean drifts towards the middle
# level and the larger the ECE. The mean ranks errors slightly better than the
# argmax, whose 11 possible values tie many rows.

# %%
# The training objective is available as a metric: ``tokenized_brier_score``
# scores a distribution over the confidence levels against correctness. The
# head's distribution beats the raw GaussianNB confidence put on its nearest
# level, and a constant report at the base model's accuracy.
from skpapers.calibration import tokenized_brier_score

level_proba = head.predict_level_proba(scaler.transform(head_features(X_test)))
raw = base.predict_proba(X_test).max(axis=1)
raw_onehot = np.eye(head.levels_.size)[np.abs(raw[:, None] - head.levels_).argmin(axis=1)]
constant = np.eye(head.levels_.size)[np.full(len(raw), np.abs(head.levels_ - correct.mean()).argmin())]
for name, proba in [("TBS head", level_proba), ("raw GaussianNB", raw_onehot), ("constant accuracy", constant)]:
    print(f"{name:<18} tokenized Brier score {tokenized_brier_score(correct, proba, head.levels_):.4f}")
