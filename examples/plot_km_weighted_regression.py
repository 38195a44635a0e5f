"""
=====================================================
Regression of censored durations by weighted ERM
=====================================================

When durations are right censored we observe ``T = min(Y, C)`` and whether
the event was seen. Fitting a regressor to ``T`` as if it were ``Y``, or to
the uncensored rows only, predicts durations that are too short.
:class:`~skpapers.survival.KaplanMeierWeightedRegressor` fits the uncensored
rows weighted by ``1 / G(T-)``, the inverse probability of staying uncensored
that long, which makes the weighted risk an unbiased estimate of the risk on
the complete durations (Ausset, Clemencon and Portier, arXiv:1906.01908).
Here censoring depends on a feature, so we also use the Beran (conditional
Kaplan-Meier) weights.
"""

# %%
# Data: the mean duration is ``m(x) = 1 + 2 x_1 + x_2``, and long durations of
# rows with a large ``x_1`` are censored more often (about 34% censored).
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LinearRegression

from skpapers.datasets import make_censored_regression
from skpapers.survival import KaplanMeierWeightedRegressor

X, y = make_censored_regression(n_samples=1000, n_features=2, censoring="dependent", random_state=0)
X_test, _, truth = make_censored_regression(
    n_samples=2000, n_features=2, censoring="dependent", random_state=1, return_truth=True
)
print(f"censored: {1 - y['event'].mean():.0%}")

# %%
# Four fits of the same linear model: ignoring censoring, dropping the
# censored rows, Kaplan-Meier weights (which assume censoring independent of
# X) and Beran weights (which do not).
models = {
    "time as duration": LinearRegression().fit(X, y["time"]),
    "drop censored": LinearRegression().fit(X[y["event"]], y["time"][y["event"]]),
    "Kaplan-Meier weights": KaplanMeierWeightedRegressor().fit(X, y),
    "Beran weights": KaplanMeierWeightedRegressor(censoring="beran", bandwidth=0.5).fit(X, y),
}
for name, model in models.items():
    error = model.predict(X_test) - truth.mean
    print(f"{name:>22}: test MSE to m(x) {np.mean(error**2):.3f}, mean bias {np.mean(error):+.3f}")

# %%
# The naive fits sit well below the diagonal: they under-estimate durations.
# The Kaplan-Meier weights lift the fit on average but tilt it, because they
# ignore that censoring depends on ``x_1``; the Beran weights follow the
# diagonal.
fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
for name, model in models.items():
    ax.scatter(truth.mean[:500], model.predict(X_test[:500]), s=6, alpha=0.6, label=name)
ax.plot([1, 4], [1, 4], "k--", lw=1)
ax.set_xlabel("true mean duration m(x)")
ax.set_ylabel("predicted duration")
ax.legend()
plt.show()

# %%
# Any regressor that takes ``sample_weight`` can be wrapped: a pipeline (the
# weights go to its last step), a ``TransformedTargetRegressor`` for
# log-durations, a forest.
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ridge = KaplanMeierWeightedRegressor(make_pipeline(StandardScaler(), Ridge(alpha=1.0)), censoring="beran", bandwidth=0.5)
ridge.fit(X, y)
print(f"scaled ridge with Beran weights: test MSE to m(x) {np.mean((ridge.predict(X_test) - truth.mean) ** 2):.3f}")

# %%
# The weights themselves: ``kaplan_meier_censoring_weights`` gives every
# uncensored row ``1 / G(T-)`` from one marginal curve, while
# ``beran_censoring_weights`` lets ``G`` depend on ``X``, so its weights
# spread out where censoring depends on the features. Both are 0 on censored rows.
from skpapers.survival import beran_censoring_weights, kaplan_meier_censoring_weights

w_km = kaplan_meier_censoring_weights(y["time"], y["event"])
w_beran = beran_censoring_weights(X, y["time"], y["event"], bandwidth=0.5)
for name, w in [("Kaplan-Meier", w_km), ("Beran", w_beran)]:
    u = w[y["event"]]
    print(f"{name:>12} weights on events: mean {u.mean():.2f}, max {u.max():.2f}, total/n {w.sum() / len(w):.2f}")
