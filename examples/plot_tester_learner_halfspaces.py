"""
=============================================================
Testable learning of halfspaces: a learner that checks itself
=============================================================

An ordinary learner assumes its data come from the distribution its guarantee
was proved for, and fails silently when they do not. A *tester-learner*
(Gollakota, Klivans, Stavropoulos and Vasilyan, arXiv:2302.14853) outputs a
halfspace together with a verdict: if the tester accepts, the halfspace's error
is close to the best halfspace's; if the data really are standard Gaussian
(with Massart label noise), the tester accepts.

:class:`~skpapers.linear_model.TestableHalfspaceClassifier` learns a unit
vector on half of the rows and runs :func:`~skpapers.linear_model.halfspace_band_test`
on the other half: global moments, the mass of strips around the learned
boundary, the covariance orthogonal to it inside the band, the stationarity of
the learner's loss on fresh rows, and the error rate in the band.
"""

# %%
# Gaussian data with Massart noise: accepted
# ------------------------------------------
# The label of ``x`` is ``sign(x_1)``, flipped with a probability between
# 0.067 and 0.25 that depends on ``x_1`` and ``x_2`` (Massart noise).
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression

from skpapers.linear_model import TestableHalfspaceClassifier

n_samples, n_features = 10000, 10


def massart_labels(X, rng):
    clean = np.where(X[:, 0] > 0, 1, -1)
    eta = np.where(np.abs(X[:, 0]) < 0.5, 0.1, 0.25) * (1 + 0.5 * (X[:, 1] > 0)) / 1.5
    return np.where(rng.random(X.shape[0]) < eta, -clean, clean)


rng = np.random.default_rng(0)
X = rng.standard_normal((n_samples, n_features))
y = massart_labels(X, rng)
X_new = rng.standard_normal((50000, n_features))
y_new = massart_labels(X_new, rng)

clf = TestableHalfspaceClassifier(random_state=0).fit(X, y)
logistic = LogisticRegression(fit_intercept=False).fit(X, y)
best = np.mean(y_new != np.where(X_new[:, 0] > 0, 1, -1))
print(f"accepted: {clf.test_passed_}")
print(f"test error {1 - clf.score(X_new, y_new):.4f} (best halfspace {best:.4f}, "
      f"LogisticRegression {1 - logistic.score(X_new, y_new):.4f})")

# %%
# Inputs the guarantee does not cover: rejected
# ---------------------------------------------
# The same labels on a uniform marginal with unit variance (a distribution an
# ordinary learner cannot tell from a Gaussian by its first two moments), on
# Gaussian data that were not standardised (variance 1.69), and on Gaussian
# data where 4% of the rows were replaced by planted points on the boundary.
# The fitted halfspace is kept either way; ``on_reject`` chooses between a
# warning, an error, and silence.
X_uniform = rng.uniform(-np.sqrt(3), np.sqrt(3), (n_samples, n_features))
X_scaled = 1.3 * rng.standard_normal((n_samples, n_features))
X_corrupt = rng.standard_normal((n_samples, n_features))
y_corrupt = massart_labels(X_corrupt, rng)
planted = rng.choice(n_samples, n_samples // 25, replace=False)
X_corrupt[planted, 0] = rng.uniform(-0.05, 0.05, planted.size)
X_corrupt[planted, 1] = 3.0
y_corrupt[planted] = 1

cases = {
    "Gaussian + Massart": (X, y),
    "uniform": (X_uniform, massart_labels(X_uniform, rng)),
    "not standardised": (X_scaled, massart_labels(X_scaled, rng)),
    "planted in band": (X_corrupt, y_corrupt),
}
fits = {
    name: TestableHalfspaceClassifier(on_reject="ignore", random_state=0).fit(Xc, yc)
    for name, (Xc, yc) in cases.items()
}
for name, fitted in fits.items():
    failed = [test for test, entry in fitted.test_results_.items() if not entry["passed"]]
    print(f"{name:>20}: {'ACCEPT' if fitted.test_passed_ else 'REJECT'} {failed}")

# %%
# What the tester sees
# --------------------
# Left: each statistic divided by its threshold (calibrated by simulation under
# the Gaussian null, Bonferroni over the tests); above 1 fails. Right: the
# distribution of the margin ``<w, x>`` near the learned boundary. The uniform
# marginal has 28% less mass in the band ``|<w, x>| <= sigma / 2`` than the
# Gaussian, which is where the learner's guarantee is decided.
tests = list(fits["Gaussian + Massart"].test_results_)
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
width = 0.8 / len(fits)
for k, (name, fitted) in enumerate(fits.items()):
    ratios = []
    for test in tests:
        entry = fitted.test_results_[test]
        ratio = entry["statistic"] / entry["threshold"] if np.isfinite(entry["statistic"]) else np.nan
        ratios.append(ratio)
    left.bar(np.arange(len(tests)) + k * width, np.clip(ratios, 1e-2, 1e2), width, label=name)
left.axhline(1.0, color="black", linestyle="--", linewidth=1)
left.set_yscale("log")
left.set_xticks(np.arange(len(tests)) + 0.4 - width / 2, tests, rotation=30, ha="right")
left.set_ylabel("statistic / threshold (log scale)")
left.set_title("Tester statistics: above the line fails")
left.legend(fontsize="small")

bins = np.linspace(-2.5, 2.5, 51)
for name in ("Gaussian + Massart", "uniform"):
    margins = cases[name][0] @ fits[name].coef_[0]
    # density over the whole sample, not only the plotted range
    weights = np.full(margins.size, 1.0 / (margins.size * (bins[1] - bins[0])))
    right.hist(margins, bins=bins, weights=weights, histtype="step", linewidth=2, label=name)
grid = np.linspace(-2.5, 2.5, 201)
right.plot(grid, np.exp(-grid**2 / 2) / np.sqrt(2 * np.pi), color="black", linewidth=1, label="N(0, 1) density")
right.axvspan(-0.1, 0.1, color="grey", alpha=0.2, label="band |<w, x>| <= sigma / 2")
right.set_xlabel("<w, x>")
right.set_ylabel("density")
right.set_title("Margin along the learned direction")
right.legend(fontsize="small")
fig.tight_layout()
plt.show()

# %%
# What a rejection looks like in code: by default (``on_reject="warn"``) the
# fit keeps the halfspace and issues a ``TesterRejectionWarning``; with
# ``on_reject="raise"`` it raises a ``TesterRejectedError``, a ``ValueError``,
# so a grid search scores a rejected fit as its ``error_score``.
import warnings

from skpapers.linear_model import TesterRejectedError, TesterRejectionWarning

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    TestableHalfspaceClassifier(random_state=0).fit(*cases["uniform"])
print(f"warnings on uniform data: {[w.category.__name__ for w in caught if issubclass(w.category, TesterRejectionWarning)]}")
try:
    TestableHalfspaceClassifier(on_reject="raise", random_state=0).fit(*cases["not standardised"])
except TesterRejectedError as error:
    print(f"TesterRejectedError: {str(error)[:70]}...")
