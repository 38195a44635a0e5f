"""paired_ttest_5x2cv with n_jobs=2 against mlxtend's serial paired_ttest_5x2cv.

Both run Dietterich's 5x2cv protocol on the same seed, hence the same ten
splits: a random forest against an RBF support vector machine on a
3,000 x 20 classification problem. mlxtend fits the twenty models one
after the other; we fit clones of both models per split in two joblib
workers. Target: at least 1.6x faster (ratio <= 0.625) on two free cores.
"""

import time

import numpy as np
from _harness import compare
from joblib import Parallel, delayed
from mlxtend.evaluate import paired_ttest_5x2cv as mlxtend_5x2cv
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.svm import SVC

from skpapers.model_selection import paired_ttest_5x2cv


def _spin(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def _available_speedup(n=2_000_000):
    """Speed-up of two joblib workers over one on pure CPU work: the ceiling for any n_jobs=2 gain here."""
    Parallel(n_jobs=2)(delayed(_spin)(1) for _ in range(2))  # start the workers
    start = time.perf_counter()
    for _ in range(4):
        _spin(n)
    serial = time.perf_counter() - start
    start = time.perf_counter()
    Parallel(n_jobs=2)(delayed(_spin)(n) for _ in range(4))
    return serial / (time.perf_counter() - start)


def main():
    X, y = make_classification(n_samples=3000, n_features=20, n_informative=8, random_state=0)

    def models():
        return RandomForestClassifier(n_estimators=60, random_state=0, n_jobs=1), SVC()

    def ours():
        return paired_ttest_5x2cv(*models(), X, y, random_state=1, n_jobs=2)

    def peer():
        return mlxtend_5x2cv(*models(), X, y, random_seed=1)

    def check(ours_result, peer_result):
        t, p = peer_result
        return (f"t ours {ours_result.statistic:.12f} vs mlxtend {t:.12f} (|diff| "
                f"{abs(ours_result.statistic - t):.1e}); p ours {ours_result.pvalue:.6f} vs {p:.6f}")

    row = compare("paired_ttest_5x2cv_3000x20_njobs2", ours=ours, peer=peer, repeats=3, max_ratio=1 / 1.6,
                  check=check)
    # The machine may be shared: alternate the calls to get paired ratios less exposed to load drift.
    ratios = []
    for _ in range(3):
        start = time.perf_counter()
        ours()
        middle = time.perf_counter()
        peer()
        ratios.append((middle - start) / (time.perf_counter() - middle))
    row["paired_ratios"] = ratios
    print(f"{'':<34} alternating calls: median ratio {np.median(ratios):.3f} "
          f"(paired {', '.join(f'{r:.2f}' for r in ratios)}; speed-up {1 / np.median(ratios):.2f}x)", flush=True)
    row["available_speedup"] = _available_speedup()
    print(f"{'':<34} control: two joblib workers on pure CPU work run {row['available_speedup']:.2f}x "
          "faster than one on this machine now (2.0x on two free cores)", flush=True)
    return row


if __name__ == "__main__":
    from _harness import HEADER

    print(HEADER)
    main()
