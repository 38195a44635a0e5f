"""Cost of the Feynman-Kac correction over the uncorrected (score-mixing) sampler, at equal n and steps.

Row ``fkc_anneal_vs_mixing``: ``FeynmanKacCorrector(beta=2)`` with weights and
systematic resampling vs the same estimator with ``weighting=False``; a
Gaussian expert on 2-D ``N(0, I)`` data, 200 Euler-Maruyama steps, 10000
particles. Both make the same score evaluations; the ratio is the price of
the weights (one extra inner product per expert and step), the ESS and the
resampling. The agreement line reports both variances next to the target 0.5.
"""

import numpy as np
from _harness import compare

from skpapers.generative import FeynmanKacCorrector

N = 10000


def main():
    X = np.random.RandomState(0).normal(size=(2000, 2))
    fkc = FeynmanKacCorrector(beta=2.0, standardize=False, random_state=0).fit(X)
    mixing = FeynmanKacCorrector(beta=2.0, weighting=False, standardize=False, random_state=0).fit(X)
    target = np.diag(fkc.estimators_[0].model_.covariance_).mean() / 2

    def agree(ours, peer):
        return (f"variance FKC {ours.var(axis=0).mean():.3f}, score mixing {peer.var(axis=0).mean():.3f}, "
                f"target {target:.3f}")

    compare("fkc_anneal_vs_mixing", ours=lambda: fkc.sample(N), peer=lambda: mixing.sample(N), repeats=3,
            max_ratio=1.5, check=agree)


if __name__ == "__main__":
    main()
