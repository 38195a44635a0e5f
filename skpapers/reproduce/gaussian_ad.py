"""Gaussian anomaly detection (Rippel, Mertens, Merhof 2020): three checks in one entry.

A. Low-variance directions: anomalies that leave the normal data's subspace by a unit
   shift are found by the full Gaussian and by NPCA (keeping ~1% of the variance), and
   missed by PCA (keeping 99%).
B. The chi-square threshold sqrt(chi2.ppf(1 - fpr, k)) realises the target
   false-positive rate on fresh Gaussian data.
C. On scikit-learn's digits (one digit normal, the others anomalous), the Ledoit-Wolf
   Gaussian reaches AUROC ~0.99 and is at least as good as EllipticEnvelope.
"""

import warnings

import numpy as np
from sklearn.covariance import EllipticEnvelope
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score

from ..anomaly import GaussianAnomalyDetector
from ._registry import ReproductionResult, register

_FPRS = (0.01, 0.05, 0.1)
_THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)


def _subspace_task(rng, n_features=50, n_signal=5, n_train=1000, n_test=500):
    basis = np.linalg.qr(rng.standard_normal((n_features, n_features)))[0]
    signal, null = basis[:, :n_signal], basis[:, n_signal:]

    def normal(n):
        return 5.0 * rng.standard_normal((n, n_signal)) @ signal.T + 0.1 * rng.standard_normal((n, n_features))

    X_train = normal(n_train)
    shift = rng.standard_normal((n_test, n_features - n_signal)) @ null.T
    anomalies = normal(n_test) + shift / np.linalg.norm(shift, axis=1, keepdims=True)
    X_test = np.vstack([normal(n_test), anomalies])
    y_test = np.r_[np.zeros(n_test), np.ones(n_test)]
    return X_train, X_test, y_test


def _low_variance_directions(rng):
    X_train, X_test, y_test = _subspace_task(rng)
    full = GaussianAnomalyDetector().fit(X_train)
    out = {"full_auroc": roc_auc_score(y_test, full.mahalanobis(X_test)), "thresholds": list(_THRESHOLDS)}
    for selection in ("pca", "npca"):
        aucs, dims = [], []
        for threshold in _THRESHOLDS:
            detector = GaussianAnomalyDetector(component_selection=selection, variance_threshold=threshold)
            detector.fit(X_train)
            aucs.append(roc_auc_score(y_test, detector.mahalanobis(X_test)))
            dims.append(detector.n_components_)
        out[f"{selection}_auroc"], out[f"{selection}_dims"] = aucs, dims
    at = _THRESHOLDS.index(0.99)
    out["npca_auroc_099"], out["npca_dims_099"] = out["npca_auroc"][at], out["npca_dims"][at]
    out["pca_auroc_099"], out["pca_dims_099"] = out["pca_auroc"][at], out["pca_dims"][at]
    return out


def _random_covariance(rng, n_features, degrees_of_freedom):
    factor = rng.standard_normal((n_features, degrees_of_freedom))
    return factor @ factor.T / degrees_of_freedom


def _fpr_calibration(rng, n_draws, n_features=10, n_train=5000, n_fresh=20000):
    # Wishart covariances: with 2d degrees of freedom the condition number is moderate (~30);
    # with d degrees of freedom it is large, which exposes the bias shrinkage adds.
    settings = {
        "ledoit_wolf": ("ledoit_wolf", 2 * n_features),
        "empirical": ("empirical", 2 * n_features),
        "ledoit_wolf_ill_conditioned": ("ledoit_wolf", n_features),
    }
    realised = {name: [] for name in settings}
    for _ in range(n_draws):
        for name, (covariance, dof) in settings.items():
            cholesky = np.linalg.cholesky(_random_covariance(rng, n_features, dof))
            X_train = rng.standard_normal((n_train, n_features)) @ cholesky.T
            fresh = rng.standard_normal((n_fresh, n_features)) @ cholesky.T
            detector = GaussianAnomalyDetector(covariance=covariance).fit(X_train)
            distances = detector.mahalanobis(fresh)
            row = []
            for fpr in _FPRS:
                threshold = detector.set_params(fpr=fpr).fit(X_train).threshold_
                row.append(float(np.mean(distances > threshold)))
            realised[name].append(row)
    out = {"fprs": list(_FPRS), "n_draws": n_draws}
    for name, rows in realised.items():
        rows = np.asarray(rows)
        out[f"{name}_realised"] = rows.mean(axis=0).tolist()
        out[f"{name}_realised_sd"] = rows.std(axis=0).tolist()
    return out


def _digits(random_state):
    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(random_state)
    out = {name: [] for name in ("gaussian", "elliptic_envelope", "gaussian_pca", "gaussian_npca")}
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(y == digit))
        train = members[: members.size // 2]
        test = np.r_[members[members.size // 2 :], np.flatnonzero(y != digit)]
        is_anomaly = y[test] != digit
        for name, selection in (("gaussian", None), ("gaussian_pca", "pca"), ("gaussian_npca", "npca")):
            detector = GaussianAnomalyDetector(component_selection=selection).fit(X[train])
            out[name].append(roc_auc_score(is_anomaly, detector.mahalanobis(X[test])))
        with warnings.catch_warnings():
            # ~90 samples in 64 dimensions with constant pixels: MCD warns about a singular support.
            warnings.simplefilter("ignore")
            envelope = EllipticEnvelope(random_state=random_state).fit(X[train])
        out["elliptic_envelope"].append(roc_auc_score(is_anomaly, -envelope.score_samples(X[test])))
    for name in list(out):
        out[f"{name}_mean"] = float(np.mean(out[name]))
    return out


@register(
    slug="gaussian-ad",
    title="Modeling the Distribution of Normal Data in Pre-Trained Deep Features for Anomaly Detection",
    arxiv="2005.14140",
    claim=(
        "A Ledoit-Wolf Gaussian on normal data scores anomalies well, its low-variance principal "
        "components carry the signal (NPCA keeping ~1% of the variance matches the full model, PCA keeping "
        "99% does not), and the chi-square threshold realises the target false-positive rate."
    ),
    expected="reproduced",
)
def run(quick=False, random_state=0):
    rng = np.random.default_rng(random_state)
    low_variance = _low_variance_directions(rng)
    calibration = _fpr_calibration(rng, n_draws=3 if quick else 20)
    digits = _digits(random_state)

    checks = {
        "A_low_variance": bool(
            low_variance["full_auroc"] >= 0.95
            and low_variance["npca_auroc_099"] >= 0.95
            and low_variance["pca_auroc_099"] <= 0.6
        ),
        "B_fpr_calibration": bool(
            all(
                abs(realised - fpr) <= 0.005
                for name in ("ledoit_wolf", "empirical")
                for realised, fpr in zip(calibration[f"{name}_realised"], _FPRS)
            )
        ),
        "C_digits": bool(
            digits["gaussian_mean"] >= 0.97 and digits["gaussian_mean"] >= digits["elliptic_envelope_mean"]
        ),
    }
    held = sum(checks.values())
    verdict = "reproduced" if held == 3 else ("partly reproduced" if held else "not reproduced")
    lw = "/".join(f"{value:.3f}" for value in calibration["ledoit_wolf_realised"])
    ours = (
        f"A: AUROC full {low_variance['full_auroc']:.3f}, NPCA {low_variance['npca_auroc_099']:.3f} "
        f"({low_variance['npca_dims_099']} dims), PCA {low_variance['pca_auroc_099']:.3f} "
        f"({low_variance['pca_dims_099']} dims); B: realised FPR {lw} at 1/5/10%; "
        f"C: digits AUROC {digits['gaussian_mean']:.3f} vs EllipticEnvelope {digits['elliptic_envelope_mean']:.3f}"
    )
    reference = (
        "A: ~1.00 / ~1.00 (~47 dims) / ~0.50 (5 dims); B: within 0.005 of 1/5/10%; C: ~0.99 "
        "(paper: MVTec AD AUROC 95.8 with EfficientNet-B4 features, NPCA close to it, PCA clearly lower)"
    )
    details = {"checks": checks, "low_variance": low_variance, "calibration": calibration, "digits": digits}
    return ReproductionResult(ours=ours, reference=reference, verdict=verdict, details=details)


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    low_variance = result.details["low_variance"]
    calibration = result.details["calibration"]
    digits = result.details["digits"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))

    ax = axes[0]
    thresholds = low_variance["thresholds"]
    ax.plot(thresholds, low_variance["npca_auroc"], "o-", label="NPCA (low-variance components)")
    ax.plot(thresholds, low_variance["pca_auroc"], "s-", label="PCA (high-variance components)")
    ax.axhline(low_variance["full_auroc"], color="k", ls="--", lw=1, label="full Gaussian")
    ax.set_xscale("logit")
    ax.set_xlabel("variance threshold t")
    ax.set_ylabel("AUROC")
    ax.set_title("A. Anomalies in low-variance directions")
    ax.legend(fontsize=8)

    ax = axes[1]
    fprs = np.asarray(calibration["fprs"])
    ax.plot([0, 0.11], [0, 0.11], color="k", lw=1, ls="--", label="target")
    for name, marker in (("ledoit_wolf", "o"), ("empirical", "s"), ("ledoit_wolf_ill_conditioned", "^")):
        ax.errorbar(
            fprs,
            calibration[f"{name}_realised"],
            yerr=calibration[f"{name}_realised_sd"],
            marker=marker,
            ls="none",
            capsize=3,
            label=name.replace("_", " "),
        )
    ax.set_xlabel("target false-positive rate")
    ax.set_ylabel("realised false-positive rate")
    ax.set_title(f"B. Chi-square threshold ({calibration['n_draws']} covariances)")
    ax.legend(fontsize=8)

    ax = axes[2]
    positions = np.arange(10)
    ax.plot(positions, digits["gaussian"], "o", label=f"Ledoit-Wolf Gaussian (mean {digits['gaussian_mean']:.3f})")
    ax.plot(
        positions,
        digits["elliptic_envelope"],
        "s",
        label=f"EllipticEnvelope (mean {digits['elliptic_envelope_mean']:.3f})",
    )
    ax.set_ylim(min(min(digits["gaussian"]), min(digits["elliptic_envelope"])) - 0.03, 1.005)
    ax.set_xticks(positions)
    ax.set_xlabel("normal digit")
    ax.set_ylabel("AUROC")
    ax.set_title("C. Digits, one class normal")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return {"summary": fig}
