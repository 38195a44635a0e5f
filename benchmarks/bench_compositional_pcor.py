"""CompositionalPartialCorrelation vs pingouin's ``DataFrame.pcorr`` on alr coordinates, 2,000 parts.

Both estimate the partial correlations of the parts given all the others. pingouin
works on the (invertible) alr coordinates with reference = last part and returns the
1,999 x 1,999 block; we return all 2,000 x 2,000 values (the reference included).
"""

import warnings

import numpy as np
import pandas as pd
import pingouin  # noqa: F401  (registers DataFrame.pcorr)
from _harness import compare

from skpapers.compositional import CompositionalPartialCorrelation

N_PARTS = 2000
N_SAMPLES = 5000


def main():
    rng = np.random.default_rng(0)
    log_parts = rng.standard_normal((N_SAMPLES, N_PARTS))
    log_parts[:, 1:] += 0.5 * log_parts[:, :-1]  # neighbouring parts partially correlated
    X = np.exp(log_parts)
    X /= X.sum(axis=1, keepdims=True)

    def ours():
        # n_samples < 5 * n_parts warns that the estimate is noisy; timing is the point here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return CompositionalPartialCorrelation().fit(X).partial_correlation_

    def peer():
        log_X = np.log(X)
        alr = pd.DataFrame(log_X[:, :-1] - log_X[:, [-1]])
        return alr.pcorr().to_numpy()

    def check(ours_rho, peer_rho):
        difference = np.abs(ours_rho[:-1, :-1] - peer_rho).max()
        return f"max |ours - pingouin| over the alr block = {difference:.1e}"

    compare(
        f"compositional_pcor D={N_PARTS} n={N_SAMPLES}",
        ours=ours,
        peer=peer,
        repeats=2,  # the peer takes over a minute per call on a shared 2-core machine
        max_ratio=1.0,
        check=check,
    )


if __name__ == "__main__":
    main()
