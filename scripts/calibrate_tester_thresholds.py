"""Regenerate the calibrated constants of the halfspace tester.

Writes ``skpapers/linear_model/_tester_thresholds.py`` (or prints it with
``--print``).  Seeded (``--seed``, default 0), so the file is reproducible.
Takes about 20 seconds on one core.

What is calibrated
------------------
The stationarity test of :func:`skpapers.linear_model.halfspace_band_test`
compares ``Q = n_T ||g||^2 / mean(ramp'^2)`` with
``(1 + kappa * n_T / n_L) * chi2_{d-1}.ppf(1 - alpha)``.  At an exact
population stationary point ``Q`` is chi-squared with ``d - 1`` degrees of
freedom; the learned direction is only the stationary point of the learner's
``n_L`` rows, which adds roughly ``kappa * n_T / n_L`` times as much again.
For each setting below the learner is run on Gaussian data and ``Q`` measured
on a fresh test half; the method-of-moments estimate
``kappa = (mean(Q) / (d - 1) - 1) * n_L / n_T`` is taken per setting, and the
largest one, rounded up to a multiple of 0.05, is kept (conservative: the
null acceptance of the test must not depend on the setting).

Settings: d in {5, 10, 20}; n in {2000, 10000} split half/half; labels clean,
with random flips (rate 0.2), and with the Massart noise of the reproduction
(flip rate 0.067-0.25 depending on x_1 and x_2); 50 data sets each.

The moment tests need no constant: their thresholds are Monte Carlo
quantiles drawn inside each call.
"""

import argparse
import math
import pprint
import sys
import time
from pathlib import Path

import numpy as np

from skpapers.linear_model import TestableHalfspaceClassifier
from skpapers.utils._optim import BandRampLoss

TARGET = Path(__file__).resolve().parents[1] / "skpapers" / "linear_model" / "_tester_thresholds.py"

DIMENSIONS = (5, 10, 20)
SAMPLE_SIZES = (2000, 10000)
NOISES = ("clean", "random_flips", "massart")
REPEATS = 50
SIGMA = 0.2


def _labels(X, noise, rng):
    y = np.where(X[:, 0] > 0, 1.0, -1.0)
    if noise == "clean":
        return y
    if noise == "random_flips":
        eta = np.full(X.shape[0], 0.2)
    else:
        eta = np.where(np.abs(X[:, 0]) < 0.5, 0.1, 0.25) * (1 + 0.5 * (X[:, 1] > 0)) / 1.5
    return np.where(rng.random(X.shape[0]) < eta, -y, y)


def _gradient_statistic(X, y, w, sigma):
    loss = BandRampLoss(X, y, sigma)
    _, gradient = loss.value_and_gradient(w)
    _, slope = loss.ramp(-y * (X @ w))
    return X.shape[0] * (gradient @ gradient) / np.mean(slope**2)


def calibrate(seed=0):
    rng = np.random.default_rng(seed)
    learner = TestableHalfspaceClassifier(sigma=SIGMA)
    settings = []
    for d in DIMENSIONS:
        for n in SAMPLE_SIZES:
            n_test = n // 2
            n_learn = n - n_test
            for noise in NOISES:
                q = np.empty(REPEATS)
                for r in range(REPEATS):
                    X = rng.standard_normal((n, d))
                    y = _labels(X, noise, rng)
                    result = learner._learn(X[:n_learn], y[:n_learn], rng)
                    w = result.x / np.linalg.norm(result.x)
                    q[r] = _gradient_statistic(X[n_learn:], y[n_learn:], w, SIGMA)
                kappa = (q.mean() / (d - 1) - 1.0) * n_learn / n_test
                settings.append(
                    {
                        "d": d,
                        "n": n,
                        "noise": noise,
                        "mean_Q": round(float(q.mean()), 3),
                        "kappa": round(float(kappa), 3),
                    }
                )
                print(f"d={d:3d} n={n:6d} {noise:13s} mean Q={q.mean():7.2f} kappa={kappa:6.3f}", file=sys.stderr)
    kappa = math.ceil(max(s["kappa"] for s in settings) / 0.05) * 0.05
    return round(kappa, 2), {"seed": seed, "sigma": SIGMA, "repeats": REPEATS, "settings": settings}


def render(kappa, calibration):
    doc = TARGET.read_text().split('"""')[1] if TARGET.exists() else "Calibrated constants of the halfspace tester.\n"
    body = pprint.pformat(calibration, width=100, sort_dicts=False)
    return f'"""{doc}"""\n\nGRADIENT_INFLATION = {kappa!r}\n\nCALIBRATION = {body}\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--print", action="store_true", help="print the module instead of writing it")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    kappa, calibration = calibrate(args.seed)
    text = render(kappa, calibration)
    if args.print:
        print(text)
    else:
        TARGET.write_text(text)
        print(f"wrote {TARGET} (kappa = {kappa}) in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
