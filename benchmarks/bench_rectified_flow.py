"""Rectified-flow sampling throughput against scikit-learn's exact samplers, at equal n.

Rows (fitted models, 5000 samples per call, 2-D moons, 1000 training rows):

- ``rf_gmm10_euler50_vs_gmm10``: ``RectifiedFlowGenerator`` with the closed-form
  velocity of a 10-component mixture, 50 Euler steps (the spec's default),
  vs ``GaussianMixture(10).sample``;
- ``rf_gmm10_heun10_vs_gmm10``: the same with 10 Heun steps (20 evaluations);
- ``rf_kernel_heun10_vs_kde``: kernel velocity (bandwidth 0.1), 10 Heun steps,
  vs ``KernelDensity(bandwidth=0.1).sample`` on the same standardized data;
- ``rf_cnf_heun50_vs_gmm10_density``: ``score_samples`` of 1000 rows by the
  instantaneous change of variables (50 Heun steps, finite-difference
  divergence) through the velocity of the 10-component mixture with its
  closed-form density hidden, vs ``GaussianMixture.score_samples``.

A rectified flow pays one velocity evaluation per step where the peers draw
exactly in one pass, so the ratio is large by construction; the printed cost
per evaluation is the number to watch. The agreement line is the energy
distance of our samples to the peer's, next to that of two halves of the
peer's own sample (for the density row: the largest log-density difference).
"""

import numpy as np
from _harness import compare
from sklearn.datasets import make_moons
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import KernelDensity

from skpapers.generative import GaussianMixtureScoreModel, KernelScoreModel, RectifiedFlowGenerator
from skpapers.generative._score_models import _BaseScoreModel
from skpapers.reproduce.fitv2_rectified_flow import energy_distance

N = 5000


def _agree(ours, peer):
    # GaussianMixture.sample returns its rows grouped by component: shuffle before splitting
    peer = peer[np.random.RandomState(0).permutation(len(peer))]
    noise = energy_distance(peer[:2000], peer[2000:4000])
    return f"energy distance ours vs peer = {energy_distance(ours[:2000], peer[:2000]):.4f} (peer vs itself {noise:.4f})"


class _VelocityOnly(_BaseScoreModel):
    """A mixture's velocity without its closed-form density: score_samples takes the change of variables."""

    def __init__(self, inner):
        self.inner = inner

    def fit(self, X, schedule, random_state=None):
        self.inner.fit(X, schedule, random_state=random_state)
        self.schedule_, self.n_features_in_ = self.inner.schedule_, self.inner.n_features_in_
        return self

    def _denoise_and_noise(self, X, t):
        return self.inner._denoise_and_noise(X, t)


def main():
    X, _ = make_moons(1000, noise=0.05, random_state=0)
    Z = (X - X.mean(0)) / X.std(0)
    gmm = GaussianMixture(10, random_state=0).fit(Z)
    kde = KernelDensity(bandwidth=0.1).fit(Z)
    rows = (
        ("rf_gmm10_euler50_vs_gmm10", GaussianMixtureScoreModel(n_components=10), "euler", 50,
         lambda: gmm.sample(N)[0]),
        ("rf_gmm10_heun10_vs_gmm10", GaussianMixtureScoreModel(n_components=10), "heun", 10,
         lambda: gmm.sample(N)[0]),
        ("rf_kernel_heun10_vs_kde", KernelScoreModel(bandwidth=0.1), "heun", 10,
         lambda: kde.sample(N, random_state=0)),
    )
    for name, model, solver, n_steps, peer in rows:
        gen = RectifiedFlowGenerator(score_model=model, solver=solver, n_steps=n_steps, standardize=False,
                                     random_state=0).fit(Z)
        row = compare(name, ours=lambda: gen.sample(N), peer=peer, repeats=3, check=_agree)
        n_eval = n_steps * (2 if solver == "heun" else 1)
        print(f"{'':<34} {n_eval} velocity evaluations: {row['ours_s'] / n_eval * 1e3:.2f} ms each, "
              f"one evaluation costs {row['ours_s'] / n_eval / row['peer_s']:.2f} whole peer draws", flush=True)

    gen = RectifiedFlowGenerator(score_model=_VelocityOnly(GaussianMixtureScoreModel(n_components=10)),
                                 solver="heun", n_steps=50, standardize=False, random_state=0).fit(Z)
    Q = Z[:1000]
    # ours is the density of the t_min marginal: its exact value separates the solver error from t_min
    exact = gen.model_.inner.log_density(Q, gen.t_min)
    compare("rf_cnf_heun50_vs_gmm10_density", ours=lambda: gen.score_samples(Q),
            peer=lambda: gen.model_.inner.mixture_.score_samples(Q), repeats=3,
            check=lambda ours, peer: f"max |log p ours - log p peer| = {np.max(np.abs(ours - peer)):.4f} "
            f"(mean {np.mean(np.abs(ours - peer)):.4f}); vs the exact t_min = {gen.t_min} marginal: max "
            f"{np.max(np.abs(ours - exact)):.4f}, mean {np.mean(np.abs(ours - exact)):.4f} (second order in n_steps)")


if __name__ == "__main__":
    main()
