"""Diffusion sampling throughput against scikit-learn's exact samplers, at equal n.

Rows (fitted models, 5000 samples drawn per call, 2-D moons, 1000 training rows):

- ``gaussian_exact_vs_gmm1``: ``DiffusionGenerator(score_model='gaussian')``
  (one closed-form jump) vs ``GaussianMixture(1).sample``;
- ``kernel_heun17_vs_kde``: kernel score (bandwidth 0.1) with 17 Heun steps
  on EDM's grid (34 score evaluations) vs ``KernelDensity(bandwidth=0.1).sample``
  on the same standardized data;
- ``kernel_teleport10_vs_kde``: the same with 10 of 17 steps teleported
  (14 evaluations).

The printed cost per step divides our time by the number of score
evaluations. The agreement line is the energy distance of our samples to
the peer's, next to that of two halves of the peer's own sample.
"""

import time

import numpy as np
from _harness import compare
from sklearn.datasets import make_moons
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import KernelDensity

from skpapers.generative import DiffusionGenerator, KernelScoreModel, VarianceExplodingSchedule
from skpapers.reproduce.gaussian_teleport import energy_distance

N = 5000


def main():
    X, _ = make_moons(1000, noise=0.05, random_state=0)
    Z = (X - X.mean(0)) / X.std(0)

    def agree(ours, peer):
        noise = energy_distance(peer[:2000], peer[2000:4000])
        ours_vs_peer = energy_distance(ours[:2000], peer[:2000])
        return f"energy distance ours vs peer = {ours_vs_peer:.4f} (peer vs itself {noise:.4f})"

    gauss = DiffusionGenerator(random_state=0).fit(Z)
    gmm = GaussianMixture(1, random_state=0).fit(Z)
    compare("gaussian_exact_vs_gmm1", ours=lambda: gauss.sample(N), peer=lambda: gmm.sample(N)[0], repeats=5,
            max_ratio=3.0, check=agree)

    kde = KernelDensity(bandwidth=0.1).fit(Z)
    schedule = VarianceExplodingSchedule(0.002, 80.0)
    for name, teleport in (("kernel_heun17_vs_kde", None), ("kernel_teleport10_vs_kde", 10 / 17)):
        gen = DiffusionGenerator(KernelScoreModel(bandwidth=0.1), schedule=schedule, solver="heun", n_steps=17,
                                 time_spacing="edm", t_min=1e-9, teleport=teleport, random_state=0).fit(Z)
        row = compare(name, ours=lambda: gen.sample(N), peer=lambda: kde.sample(N, random_state=0), repeats=3,
                      check=agree)
        _, n_eval = gen._sample(10)
        start = time.perf_counter()
        gen.model_.velocity(Z[:1] + np.zeros((N, 2)), 0.5)
        one = time.perf_counter() - start
        print(f"{'':<34} {n_eval} score evaluations: {row['ours_s'] / n_eval * 1e3:.1f} ms per evaluation "
              f"(one kernel-score call on {N} rows: {one * 1e3:.1f} ms)", flush=True)


if __name__ == "__main__":
    main()
