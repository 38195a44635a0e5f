"""l_1 (median) regression at 20,000 x 20: LpRegression and SampledLpRegression against QuantileRegressor.

Data: heavy-tailed design (Student-t with 1.5 degrees of freedom, the kind
of data where leverage varies a lot between rows), ``y = X beta + 1 +
Laplace noise``. The peer is scikit-learn's ``QuantileRegressor(quantile=0.5,
alpha=0, solver="highs")``, which solves the primal linear program.

* exact: ``LpRegression(p=1)`` solves the dual linear program (21 equality
  rows instead of 20,000); target at least 5x faster at the same objective.
* sampled: ``SampledLpRegression(p=1, method="lewis", n_samples=2000)``
  fits on about 10% of the rows; target at least 50x faster with the full
  data objective within 5% of the optimum.

The peer takes minutes on a busy machine, so each side is timed once after a warm-up.
"""

import numpy as np
from _harness import compare
from sklearn.linear_model import QuantileRegressor

from skpapers.linear_model import LpRegression, SampledLpRegression

N_SAMPLES, N_FEATURES = 20_000, 20


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_t(1.5, size=(N_SAMPLES, N_FEATURES))
    y = X @ rng.standard_normal(N_FEATURES) + 1.0 + rng.laplace(size=N_SAMPLES)
    return X, y


def main():
    X, y = _data()

    def cost(model):
        return float(np.abs(y - model.predict(X)).sum())

    def peer():
        return QuantileRegressor(quantile=0.5, alpha=0.0, solver="highs").fit(X, y)

    def exact():
        return LpRegression(p=1).fit(X, y)

    def sampled():
        return SampledLpRegression(p=1, method="lewis", n_samples=2000, random_state=0).fit(X, y)

    def check_exact(ours, theirs):
        ours_cost, peer_cost = cost(ours), cost(theirs)
        return (
            f"objective ours {ours_cost:.6f} vs QuantileRegressor {peer_cost:.6f} "
            f"(relative difference {(ours_cost - peer_cost) / peer_cost:.1e})"
        )

    def check_sampled(ours, theirs):
        ours_cost, peer_cost = cost(ours), cost(theirs)
        return (
            f"{ours.sampler_.n_samples_drawn_} rows kept; full-data objective {ours_cost:.3f} vs optimum "
            f"{peer_cost:.3f}: excess {100 * (ours_cost / peer_cost - 1):.2f}% (target <= 5%)"
        )

    compare("lp_regression_p1_exact_20k_x20", ours=exact, peer=peer, repeats=1, max_ratio=0.2, check=check_exact)
    compare(
        "lp_regression_p1_sampled_20k_x20", ours=sampled, peer=peer, repeats=1, max_ratio=0.02, check=check_sampled
    )
