"""runs_test against statsmodels' runstest_1samp on one million binary decisions.

Both compute the Wald-Wolfowitz z-score and its two-sided normal p-value
without continuity correction. Informative (no target): ours adds label
checking and the result object; statsmodels counts runs with its own helper.
"""

import numpy as np
from _harness import compare
from statsmodels.sandbox.stats.runs import runstest_1samp

from skpapers.audit import runs_test


def main():
    x = (np.random.default_rng(0).random(1_000_000) < 0.45).astype(int)

    def ours():
        return runs_test(x)

    def peer():
        return runstest_1samp(x, cutoff=0.5, correction=False)

    def check(ours_result, peer_result):
        z, p = peer_result
        return (f"z ours {ours_result.statistic:.10f} vs statsmodels {z:.10f}; "
                f"p ours {ours_result.pvalue:.6f} vs {p:.6f}")

    return compare("runs_test_1e6", ours=ours, peer=peer, repeats=5, check=check)


if __name__ == "__main__":
    from _harness import HEADER

    print(HEADER)
    main()
