"""Constants of the halfspace tester that were calibrated by simulation.

Regenerate with ``python scripts/calibrate_tester_thresholds.py`` (seeded; it
rewrites this file).  The paper's own thresholds are poly(1/eps)
constants with no practical calibration, so none of them is used here.

``GRADIENT_INFLATION`` (kappa)
    The stationarity test compares ``Q = n_T ||g||^2 / mean(ramp'^2)`` (the
    ramp-loss gradient ``g`` on the test half, tangent to the sphere) with
    ``(1 + kappa * n_T / n_L) * chi2_{d-1}.ppf(1 - alpha)``.  At an exact
    population stationary point ``Q`` is ``chi2_{d-1}``; the learner's own
    sampling error on its ``n_L`` rows adds ``kappa * n_T / n_L`` times as much
    again.  kappa is the largest moment estimate
    ``(mean(Q) / (d - 1) - 1) * n_L / n_T`` over the simulated settings
    (standard Gaussian marginals; clean, random-flip and Massart labels;
    d in {5, 10, 20}; n in {2000, 10000}), rounded up to a multiple of 0.05.
``CALIBRATION``
    The settings and per-setting estimates behind ``GRADIENT_INFLATION``.
"""

GRADIENT_INFLATION = 1.15

CALIBRATION = {'seed': 0,
 'sigma': 0.2,
 'repeats': 50,
 'settings': [{'d': 5, 'n': 2000, 'noise': 'clean', 'mean_Q': 7.436, 'kappa': 0.859},
              {'d': 5, 'n': 2000, 'noise': 'random_flips', 'mean_Q': 6.089, 'kappa': 0.522},
              {'d': 5, 'n': 2000, 'noise': 'massart', 'mean_Q': 7.52, 'kappa': 0.88},
              {'d': 5, 'n': 10000, 'noise': 'clean', 'mean_Q': 7.209, 'kappa': 0.802},
              {'d': 5, 'n': 10000, 'noise': 'random_flips', 'mean_Q': 8.553, 'kappa': 1.138},
              {'d': 5, 'n': 10000, 'noise': 'massart', 'mean_Q': 6.799, 'kappa': 0.7},
              {'d': 10, 'n': 2000, 'noise': 'clean', 'mean_Q': 18.932, 'kappa': 1.104},
              {'d': 10, 'n': 2000, 'noise': 'random_flips', 'mean_Q': 18.686, 'kappa': 1.076},
              {'d': 10, 'n': 2000, 'noise': 'massart', 'mean_Q': 17.472, 'kappa': 0.941},
              {'d': 10, 'n': 10000, 'noise': 'clean', 'mean_Q': 16.404, 'kappa': 0.823},
              {'d': 10, 'n': 10000, 'noise': 'random_flips', 'mean_Q': 17.834, 'kappa': 0.982},
              {'d': 10, 'n': 10000, 'noise': 'massart', 'mean_Q': 17.544, 'kappa': 0.949},
              {'d': 20, 'n': 2000, 'noise': 'clean', 'mean_Q': 35.176, 'kappa': 0.851},
              {'d': 20, 'n': 2000, 'noise': 'random_flips', 'mean_Q': 32.032, 'kappa': 0.686},
              {'d': 20, 'n': 2000, 'noise': 'massart', 'mean_Q': 35.743, 'kappa': 0.881},
              {'d': 20, 'n': 10000, 'noise': 'clean', 'mean_Q': 37.928, 'kappa': 0.996},
              {'d': 20, 'n': 10000, 'noise': 'random_flips', 'mean_Q': 37.869, 'kappa': 0.993},
              {'d': 20, 'n': 10000, 'noise': 'massart', 'mean_Q': 36.98, 'kappa': 0.946}]}
