"""Tester-learner for homogeneous halfspaces under a standard Gaussian marginal.

The learner is projected gradient descent on the sphere for a ramp loss that
only sees the points in a band around the current boundary; the tester then
checks, on rows the learner never saw, that the data look Gaussian where the
learner's guarantee needs it (globally, in the band, and orthogonally to the
learned direction) and that the learned direction is an approximate
stationary point of the same loss on fresh data.
"""

import math
import warnings
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_array, check_random_state, check_scalar
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._optim import BandRampLoss, UnitSphere, proximal_gradient
from ._tester_thresholds import GRADIENT_INFLATION

# Half-widths of the nested strips checked by the band-mass test, in units of
# sigma / 2: the learner's band itself plus two wider strips, so that a
# marginal that only distorts mass near (but not in) the band is still seen.
_STRIP_MULTIPLES = (1.0, 2.0, 4.0)
# Null draws of the fourth moment are made this many numbers at a time (32 MiB).
_CHUNK_SIZE = 2**22
# The band-conditional tests need this many band points per feature.
_MIN_BAND_POINTS_PER_FEATURE = 2

_TEST_NAMES = (
    "mean",
    "covariance",
    "fourth_moment",
    "band_mass",
    "band_covariance",
    "gradient",
    "band_error",
)


class TesterRejectionWarning(UserWarning):
    """Warning issued when the halfspace tester rejects the data.

    The fitted halfspace is kept, but its error guarantee does not hold: the
    test half of the data did not look like a standard Gaussian marginal with
    the assumed label noise around the learned boundary.  Raised by
    :class:`TestableHalfspaceClassifier` with ``on_reject="warn"``.

    Parameters
    ----------
    message : str
        Which tests failed and why.

    References
    ----------
    .. [1] A. Gollakota, A. R. Klivans, K. Stavropoulos, A. Vasilyan. "An
       Efficient Tester-Learner for Halfspaces". ICLR 2024. arXiv:2302.14853.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skpapers.linear_model import TestableHalfspaceClassifier, TesterRejectionWarning
    >>> X = np.random.default_rng(0).uniform(-3 ** 0.5, 3 ** 0.5, size=(4000, 3))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     clf = TestableHalfspaceClassifier(random_state=0).fit(X, X[:, 0] > 0)
    >>> [w.category.__name__ for w in caught]
    ['TesterRejectionWarning']
    >>> clf.test_passed_
    False
    """

    def __init__(self, message):
        super().__init__(message)


class TesterRejectedError(ValueError):
    """Error raised when the halfspace tester rejects the data.

    Raised by :class:`TestableHalfspaceClassifier` with ``on_reject="raise"``.
    A subclass of ``ValueError``, so model-selection tools that score a failed
    fit as ``error_score`` treat a rejection like any invalid input.

    Parameters
    ----------
    message : str
        Which tests failed and why.

    References
    ----------
    .. [1] A. Gollakota, A. R. Klivans, K. Stavropoulos, A. Vasilyan. "An
       Efficient Tester-Learner for Halfspaces". ICLR 2024. arXiv:2302.14853.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.linear_model import TestableHalfspaceClassifier, TesterRejectedError
    >>> X = 1.5 * np.random.default_rng(0).normal(size=(4000, 3))  # not standardised
    >>> try:
    ...     TestableHalfspaceClassifier(on_reject="raise", random_state=0).fit(X, X[:, 0] > 0)
    ... except TesterRejectedError as error:
    ...     print(str(error)[:39])
    The halfspace tester rejected the data:
    """

    def __init__(self, message):
        super().__init__(message)


@dataclass
class HalfspaceTestResult:
    """What :func:`halfspace_band_test` found.

    Attributes
    ----------
    statistic : dict
        Test name -> observed statistic (``nan`` when it could not be computed).
    pvalue : dict
        Test name -> p-value (Monte Carlo for the moment tests, exact binomial
        or chi-squared otherwise).
    threshold : dict
        Test name -> largest statistic that passes at the Bonferroni level.
    passed : bool
        Whether every test passed (the tester's ACCEPT).
    reasons : dict
        Failed test name -> one-line explanation.
    """

    statistic: dict
    pvalue: dict
    threshold: dict
    passed: bool
    reasons: dict = field(default_factory=dict)

    @property
    def tests_passed(self):
        """Test name -> whether that test passed."""
        return {name: name not in self.reasons for name in self.statistic}


def _monte_carlo(observed, null, alpha):
    """Monte Carlo p-value and the matching threshold.

    ``p = (1 + #{null >= observed}) / (B + 1)``; the test passes when
    ``p > alpha``, which is the same as ``observed <= threshold`` with
    ``threshold`` the m-th largest null draw, ``m = floor(alpha (B + 1))``
    (or ``inf`` when ``B`` is too small to ever reject at ``alpha``).
    """
    n_draws = null.size
    pvalue = (1.0 + np.count_nonzero(null >= observed)) / (n_draws + 1.0)
    m = math.floor(alpha * (n_draws + 1))
    threshold = np.inf if m <= 0 else float(np.sort(null)[::-1][m - 1])
    return float(pvalue), threshold


def _strip_probabilities(half_widths):
    """Gaussian mass of the nested strips |t| <= h_1 < ... and of the rest."""
    inner = 2.0 * stats.norm.cdf(half_widths) - 1.0
    return np.diff(np.r_[0.0, inner, 1.0])


def _strip_statistic(counts, probabilities):
    """Pearson chi-squared of strip counts (last axis) against ``probabilities``."""
    n = counts.sum(axis=-1, keepdims=True)
    expected = n * probabilities
    return np.sum((counts - expected) ** 2 / expected, axis=-1)


def _operator_distance_to_identity(matrices):
    """``||M - I||_op`` for a stack of symmetric matrices."""
    eigenvalues = np.linalg.eigvalsh(matrices)
    return np.max(np.abs(eigenvalues - 1.0), axis=-1)


def _orthogonal_complement(w):
    """Orthonormal basis (columns) of the hyperplane orthogonal to the unit vector ``w``.

    The Householder reflection that swaps ``w`` and ``-sign(w_0) e_0`` is
    orthogonal; its other columns span w-perp.  O(d^2), no decomposition.
    """
    v = w.copy()
    v[0] += np.copysign(1.0, w[0])
    reflection = np.eye(w.size) - 2.0 * np.outer(v, v) / (v @ v)
    return reflection[:, 1:]


def _null_fourth_moments(n_samples, n_draws, rng):
    """``mean(t^4)`` of ``n_samples`` standard normals, ``n_draws`` times, in bounded memory."""
    out = np.empty(n_draws)
    chunk = max(1, _CHUNK_SIZE // n_samples)
    for start in range(0, n_draws, chunk):
        t = rng.standard_normal((min(chunk, n_draws - start), n_samples))
        np.square(t, out=t)
        out[start : start + t.shape[0]] = np.mean(np.square(t, out=t), axis=1)
    return out


def _validate_labels(y, n_samples):
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n_samples:
        raise ValueError(f"y must be a 1-D array with one label per row of X ({n_samples}); got shape {y.shape}.")
    labels = np.unique(y)
    if set(labels.tolist()) <= {-1, 1}:
        return np.where(y == 1, 1.0, -1.0)
    if labels.size != 2:
        raise ValueError(
            f"y must hold labels in {{-1, +1}} or exactly two classes (the larger is +1); got {labels.size} "
            f"distinct label(s)."
        )
    return np.where(y == labels[1], 1.0, -1.0)


def halfspace_band_test(
    X,
    y,
    w,
    *,
    sigma=0.2,
    noise="massart",
    massart_eta=0.49,
    n_learn=None,
    grad_tol=0.0,
    test_level=0.05,
    n_calibration=200,
    random_state=None,
):
    """Test whether a halfspace's error guarantee can be trusted on this sample.

    The label-aware tester of a tester-learner for halfspaces: given fresh
    rows ``X, y`` (not used to learn ``w``) it checks the assumptions behind
    the learner's guarantee, for a standard Gaussian target marginal
    ``N(0, I_d)``:

    * ``mean``, ``covariance``: ``||mean(X)||_2`` and ``||Cov(X) - I||_op``;
    * ``fourth_moment``: ``|mean(<w, x>^4) - 3|`` along the learned direction;
    * ``band_mass``: Pearson chi-squared of the mass of nested strips
      ``|<w, x>| <= m sigma / 2`` (``m`` = 1, 2, 4) against the Gaussian's;
    * ``band_covariance``: ``||E[x_perp x_perp^T | band] - I||_op`` for the
      component of ``x`` orthogonal to ``w`` inside the band
      ``|<w, x>| <= sigma / 2``;
    * ``gradient``: ``w`` is an approximate stationary point of the ramp loss
      on these rows, ``Q = n ||g||^2 / mean(ramp'^2) <= (1 + kappa n / n_learn)
      chi2_{d-1}.ppf(1 - alpha)`` with ``kappa`` calibrated by simulation;
    * ``band_error`` (``noise="massart"`` only): the share of band points on
      the wrong side of ``w`` is consistent with a noise rate at most
      ``massart_eta`` (one-sided exact binomial test).

    Each test runs at level ``alpha = test_level / k`` (Bonferroni over the
    ``k`` tests).  The first five are calibrated by Monte Carlo under the
    null, drawing each statistic's exact null distribution ``n_calibration``
    times (by rotation invariance, for a fixed direction).  These thresholds
    replace the paper's poly(1/eps) constants, which have no practical value:
    passing is a statistical sanity certificate, not the paper's formal
    guarantee.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Test rows, already standardised to the target (the test checks that
        they are standard Gaussian; do not whiten them with their own moments).
        Needs ``n_samples >= 2 * n_features``.
    y : array-like of shape (n_samples,)
        Labels in {-1, +1}, or any two labels (the larger one is +1).
    w : array-like of shape (n_features,)
        Normal vector of the halfspace ``sign(<w, x>)``; normalised here.
    sigma : float, default=0.2
        Width of the band ``|<w, x>| <= sigma / 2`` (the learner's ramp width).
    noise : {"massart", "agnostic"}, default="massart"
        With ``"massart"`` the band error rate is also tested.
    massart_eta : float in [0, 0.5), default=0.49
        Upper bound on the Massart flip probability.
    n_learn : int or None, default=None
        Rows the learner used to find ``w``; its sampling error inflates the
        stationarity threshold by ``kappa * n_samples / n_learn``.  ``None``
        means ``w`` was fixed in advance (no inflation).
    grad_tol : float, default=0.0
        The gradient test also passes when ``||g||_2 <= grad_tol``.
    test_level : float in (0, 1), default=0.05
        Family-wise level of the tests.
    n_calibration : int, default=200
        Monte Carlo draws of each null statistic.
    random_state : int, RandomState instance or None, default=None
        Seeds the Monte Carlo calibration.

    Returns
    -------
    result : HalfspaceTestResult
        ``statistic``, ``pvalue`` and ``threshold`` dicts keyed by test name,
        ``passed`` (the verdict) and ``reasons`` for the failed tests.

    References
    ----------
    .. [1] A. Gollakota, A. R. Klivans, K. Stavropoulos, A. Vasilyan. "An
       Efficient Tester-Learner for Halfspaces". ICLR 2024. arXiv:2302.14853.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.linear_model import halfspace_band_test
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(4000, 5))
    >>> y = np.sign(X[:, 0])
    >>> halfspace_band_test(X, y, np.eye(5)[0], random_state=0).passed
    True
    >>> U = rng.uniform(-3 ** 0.5, 3 ** 0.5, size=(4000, 5))  # unit variance, not Gaussian
    >>> result = halfspace_band_test(U, np.sign(U[:, 0]), np.eye(5)[0], random_state=0)
    >>> result.passed, sorted(result.reasons)
    (False, ['band_mass', 'fourth_moment'])
    """
    sigma = check_scalar(sigma, "sigma", Real, min_val=0.0, include_boundaries="neither")
    if noise not in ("massart", "agnostic"):
        raise ValueError(f"noise must be 'massart' or 'agnostic'; got {noise!r}.")
    massart_eta = check_scalar(massart_eta, "massart_eta", Real, min_val=0.0, max_val=0.5, include_boundaries="left")
    grad_tol = check_scalar(grad_tol, "grad_tol", Real, min_val=0.0)
    test_level = check_scalar(test_level, "test_level", Real, min_val=0.0, max_val=1.0, include_boundaries="neither")
    n_calibration = check_scalar(n_calibration, "n_calibration", Integral, min_val=1)
    if n_learn is not None:
        n_learn = check_scalar(n_learn, "n_learn", Integral, min_val=1)

    X = check_array(X, dtype=np.float64, input_name="X")
    n_samples, n_features = X.shape
    if n_samples < 2 * n_features:
        raise ValueError(
            f"The halfspace test needs at least 2 * n_features = {2 * n_features} rows; got n_samples={n_samples}."
        )
    y = _validate_labels(y, n_samples)
    w = check_array(np.asarray(w).reshape(1, -1), dtype=np.float64, input_name="w").ravel()
    if w.shape[0] != n_features:
        raise ValueError(f"w must have n_features={n_features} entries; got {w.shape[0]}.")
    norm = np.linalg.norm(w)
    if norm == 0.0:
        raise ValueError("w must be a nonzero vector.")
    w = w / norm
    rng = check_random_state(random_state)

    names = _TEST_NAMES if noise == "massart" else _TEST_NAMES[:-1]
    alpha = test_level / len(names)
    statistic, pvalue, threshold, reasons = {}, {}, {}, {}

    def record(name, value, p, limit, reason):
        statistic[name], pvalue[name], threshold[name] = float(value), float(p), float(limit)
        if not p > alpha:
            reasons[name] = reason

    # (a) Global moments.  The sample mean is N(0, I/n) and (n - 1) Cov is
    # Wishart(n - 1, I), independently, under the null.
    mean_stat = np.linalg.norm(X.mean(axis=0))
    null = np.linalg.norm(rng.normal(scale=1.0 / np.sqrt(n_samples), size=(n_calibration, n_features)), axis=1)
    p, limit = _monte_carlo(mean_stat, null, alpha)
    record("mean", mean_stat, p, limit, f"||mean(X)|| = {mean_stat:.3g} > {limit:.3g}: X is not centred")

    cov_stat = _operator_distance_to_identity(np.cov(X, rowvar=False).reshape(n_features, n_features))
    wishart = stats.wishart(df=n_samples - 1, scale=np.eye(n_features))
    null_cov = wishart.rvs(size=n_calibration, random_state=rng).reshape(n_calibration, n_features, n_features)
    null = _operator_distance_to_identity(null_cov / (n_samples - 1))
    p, limit = _monte_carlo(cov_stat, null, alpha)
    record("covariance", cov_stat, p, limit, f"||Cov(X) - I||_op = {cov_stat:.3g} > {limit:.3g}: X is not isotropic")

    margins = X @ w
    fourth_stat = abs(np.mean(np.square(np.square(margins))) - 3.0)
    null = np.abs(_null_fourth_moments(n_samples, n_calibration, rng) - 3.0)
    p, limit = _monte_carlo(fourth_stat, null, alpha)
    record(
        "fourth_moment",
        fourth_stat,
        p,
        limit,
        f"|E<w,x>^4 - 3| = {fourth_stat:.3g} > {limit:.3g}: tails along w are not Gaussian",
    )

    # (b) Strip masses around the boundary.
    half_widths = 0.5 * sigma * np.asarray(_STRIP_MULTIPLES)
    probabilities = _strip_probabilities(half_widths)
    strip_index = np.searchsorted(half_widths, np.abs(margins), side="left")
    counts = np.bincount(strip_index, minlength=probabilities.size)
    mass_stat = _strip_statistic(counts, probabilities)
    null = _strip_statistic(rng.multinomial(n_samples, probabilities, size=n_calibration), probabilities)
    p, limit = _monte_carlo(mass_stat, null, alpha)
    band_share = counts[0] / n_samples
    record(
        "band_mass",
        mass_stat,
        p,
        limit,
        f"strip masses differ from the Gaussian's (chi2 {mass_stat:.3g} > {limit:.3g}; band mass "
        f"{band_share:.3g} vs {probabilities[0]:.3g})",
    )

    # (c), (d): conditional on the band.  Too few band points cannot certify
    # anything, so those tests fail with that reason.
    in_band = np.abs(margins) <= half_widths[0]
    n_band = int(np.count_nonzero(in_band))
    min_band = _MIN_BAND_POINTS_PER_FEATURE * n_features
    # An orthonormal basis of w-perp: conditional moments are then those of a
    # (d - 1)-dimensional vector, as in the Monte Carlo null.
    basis = _orthogonal_complement(w)
    too_few = f"only {n_band} test points in the band |<w,x>| <= sigma/2; at least {min_band} are needed"

    if n_band < min_band:
        for name in names[4:]:
            record(name, np.nan, 0.0, np.nan, too_few)
    else:
        perp = X[in_band] @ basis
        if n_features > 1:
            band_cov_stat = _operator_distance_to_identity(perp.T @ perp / n_band)
            # Conditional on the band count, x_perp in the band is N(0, I_{d-1}).
            null_scatter = stats.wishart(df=n_band, scale=np.eye(n_features - 1)).rvs(
                size=n_calibration, random_state=rng
            )
            null = _operator_distance_to_identity(
                null_scatter.reshape(n_calibration, n_features - 1, n_features - 1) / n_band
            )
            p, limit = _monte_carlo(band_cov_stat, null, alpha)
        else:
            band_cov_stat, p, limit = 0.0, 1.0, np.inf
        record(
            "band_covariance",
            band_cov_stat,
            p,
            limit,
            f"||Cov(x_perp | band) - I||_op = {band_cov_stat:.3g} > {limit:.3g}: the band is not Gaussian "
            "orthogonally to w",
        )

        loss = BandRampLoss(X, y, sigma)
        _, gradient = loss.value_and_gradient(w)
        _, slope = loss.ramp(-y * margins)
        grad_stat = n_samples * (gradient @ gradient) / np.mean(slope**2)
        inflation = 1.0 if n_learn is None else 1.0 + GRADIENT_INFLATION * n_samples / n_learn
        if n_features > 1:
            p = float(stats.chi2.sf(grad_stat / inflation, n_features - 1))
            limit = float(inflation * stats.chi2.isf(alpha, n_features - 1))
            if np.linalg.norm(gradient) <= grad_tol:
                p = 1.0
        else:
            p, limit = 1.0, np.inf
        record(
            "gradient",
            grad_stat,
            p,
            limit,
            f"w is not a stationary point of the ramp loss on fresh data (Q = {grad_stat:.3g} > {limit:.3g})",
        )

        if noise == "massart":
            errors = int(np.count_nonzero(y[in_band] * margins[in_band] < 0))
            p = float(stats.binom.sf(errors - 1, n_band, massart_eta))
            limit = float(stats.binom.isf(alpha, n_band, massart_eta)) / n_band
            record(
                "band_error",
                errors / n_band,
                p,
                limit,
                f"band error rate {errors / n_band:.3g} > {limit:.3g}: more noise than massart_eta={massart_eta}",
            )

    return HalfspaceTestResult(
        statistic=statistic, pvalue=pvalue, threshold=threshold, passed=not reasons, reasons=reasons
    )


class TestableHalfspaceClassifier(ClassifierMixin, BaseEstimator):
    """Homogeneous halfspace learned with a built-in test of its assumptions.

    A tester-learner: ``fit`` splits the rows, learns a unit vector ``w`` on
    one part by projected gradient descent on the sphere for a ramp loss
    localised to the band ``|<w, x>| <= sigma / 2`` (started at the Chow
    vector ``mean(y x)``), then runs :func:`halfspace_band_test` on the other
    part.  If the tester accepts (``test_passed_``), the data look like a
    standard Gaussian marginal with bounded (Massart) label noise around the
    boundary, where the learner's error is near the best halfspace's; if it
    rejects, the halfspace is still fitted but the guarantee does not hold,
    and ``on_reject`` decides whether to warn, raise or stay silent.

    **X must already be standardised to the target N(0, I)** (for instance
    with a :class:`~sklearn.preprocessing.StandardScaler` fitted on other
    data, or known population moments).  Nothing is standardised inside:
    whitening with the sample's own moments would make the moment tests
    vacuous.  Non-standardised input is rejected by the tester.

    The test thresholds are calibrated by simulation (Monte Carlo under the
    Gaussian null in each fit, plus one constant fitted offline by
    ``scripts/calibrate_tester_thresholds.py``), not the paper's poly(1/eps)
    constants; acceptance is a statistical sanity certificate, not the
    paper's formal guarantee.

    Parameters
    ----------
    sigma : float, default=0.2
        Width of the band where the ramp loss rises from 0 to 1.
    noise : {"massart", "agnostic"}, default="massart"
        Label-noise model; ``"massart"`` also tests the band error rate
        against ``massart_eta``.
    massart_eta : float in [0, 0.5), default=0.49
        Upper bound on the Massart flip probability.
    max_iter : int, default=3000
        Maximum projected-gradient iterations per start.
    learning_rate : float, default=0.05
        Initial step of the projected gradient descent (adapted by
        backtracking).
    tol : float, default=1e-6
        Stop when a step moves no coordinate of ``w`` by more than ``tol``.
    n_restarts : int, default=1
        Starts of the learner: the Chow vector, then random unit vectors; the
        one with the smallest ramp loss on the learning rows is kept.
    test_size : float in (0, 1), default=0.5
        Share of rows held out for the tester (rounded up); must give at
        least ``2 * n_features`` rows.
    test_level : float in (0, 1), default=0.05
        Family-wise level of the tests (Bonferroni across them).
    n_calibration : int, default=200
        Monte Carlo draws of each null statistic.
    grad_tol : float, default=0.0
        The stationarity test also passes when the gradient norm on the test
        rows is at most ``grad_tol``.
    on_reject : {"warn", "raise", "ignore"}, default="warn"
        On rejection: issue a :class:`TesterRejectionWarning` and keep the
        fit, raise :class:`TesterRejectedError`, or do nothing.
    random_state : int, RandomState instance or None, default=None
        Seeds the split, the random restarts and the calibration.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        Class labels; ``classes_[1]`` is the positive side of ``w``.
    coef_ : ndarray of shape (1, n_features)
        The unit normal vector ``w``.
    intercept_ : ndarray of shape (1,)
        Always 0: the halfspaces are homogeneous, as in the paper.
    test_passed_ : bool
        The tester's verdict (ACCEPT).
    test_results_ : dict
        Test name -> ``{"statistic", "threshold", "pvalue", "passed"}``, and
        ``"reason"`` for a failed test.
    n_iter_ : int
        Iterations of the kept start.
    sigma_ : float
        The band width used.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when ``X`` has string column names.

    See Also
    --------
    halfspace_band_test : The tester alone, for a given halfspace.
    sklearn.linear_model.LogisticRegression : The usual learner, with no
        check of the marginal.

    Notes
    -----
    The stationarity test's threshold ``(1 + kappa n_T / n_L) chi2_{d-1}``
    accounts for the learner's own sampling error; ``kappa`` was calibrated
    on Gaussian data with clean, random-flip and Massart labels.

    References
    ----------
    .. [1] A. Gollakota, A. R. Klivans, K. Stavropoulos, A. Vasilyan. "An
       Efficient Tester-Learner for Halfspaces". ICLR 2024. arXiv:2302.14853.
    .. [2] I. Diakonikolas, V. Kontonis, C. Tzamos, N. Zarifis. "Learning
       Halfspaces with Massart Noise Under Structured Distributions". COLT
       2020. arXiv:2002.05632.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.linear_model import TestableHalfspaceClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(4000, 5))
    >>> y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    >>> flip = rng.random(4000) < 0.1
    >>> y[flip] = 1 - y[flip]
    >>> clf = TestableHalfspaceClassifier(random_state=0).fit(X, y)
    >>> clf.test_passed_
    True
    >>> np.round(clf.coef_, 1)
    array([[ 0.9,  0.4, -0. , -0. ,  0. ]])
    """

    _parameter_constraints = {
        "sigma": [Interval(Real, 0, None, closed="neither")],
        "noise": [StrOptions({"massart", "agnostic"})],
        "massart_eta": [Interval(Real, 0, 0.5, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_restarts": [Interval(Integral, 1, None, closed="left")],
        "test_size": [Interval(Real, 0, 1, closed="neither")],
        "test_level": [Interval(Real, 0, 1, closed="neither")],
        "n_calibration": [Interval(Integral, 1, None, closed="left")],
        "grad_tol": [Interval(Real, 0, None, closed="left")],
        "on_reject": [StrOptions({"warn", "raise", "ignore"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        sigma=0.2,
        noise="massart",
        massart_eta=0.49,
        max_iter=3000,
        learning_rate=0.05,
        tol=1e-6,
        n_restarts=1,
        test_size=0.5,
        test_level=0.05,
        n_calibration=200,
        grad_tol=0.0,
        on_reject="warn",
        random_state=None,
    ):
        self.sigma = sigma
        self.noise = noise
        self.massart_eta = massart_eta
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.tol = tol
        self.n_restarts = n_restarts
        self.test_size = test_size
        self.test_level = test_level
        self.n_calibration = n_calibration
        self.grad_tol = grad_tol
        self.on_reject = on_reject
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def _learn(self, X, y, rng):
        """Projected gradient descent on the sphere from each start; keep the best."""
        n_features = X.shape[1]
        loss = BandRampLoss(X, y, self.sigma)
        chow = (y[:, None] * X).mean(axis=0)
        starts = [chow] if np.linalg.norm(chow) > 0 else []
        while len(starts) < self.n_restarts:
            starts.append(rng.standard_normal(n_features))
        best = None
        for start in starts:
            result = proximal_gradient(
                loss,
                UnitSphere(),
                start / np.linalg.norm(start),
                accelerated=True,
                step=self.learning_rate,
                tol=self.tol,
                max_iter=self.max_iter,
                context=type(self).__name__,
            )
            if best is None or result.fun < best.fun:
                best = result
        return best

    def fit(self, X, y):
        """Learn the halfspace on part of the rows and test it on the rest.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows, standardised to the target N(0, I).
        y : array-like of shape (n_samples,)
            Binary labels (any two values).

        Returns
        -------
        self : TestableHalfspaceClassifier
            The fitted classifier.

        Raises
        ------
        TesterRejectedError
            When the tester rejects and ``on_reject="raise"``.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_min_samples=2)
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y")
        if y_type != "binary":
            raise ValueError(f"Only binary classification is supported. The type of the target is {y_type}.")
        self.classes_ = np.unique(y)
        if self.classes_.size != 2:
            raise ValueError(
                "TestableHalfspaceClassifier needs samples of 2 classes in y; got 1 class "
                f"({self.classes_[0]!r})."
            )
        signs = np.where(y == self.classes_[1], 1.0, -1.0)
        n_samples, n_features = X.shape
        n_test = math.ceil(self.test_size * n_samples)
        if n_test < 2 * n_features:
            raise ValueError(
                f"test_size={self.test_size} leaves {n_test} test rows; the tester needs at least "
                f"2 * n_features = {2 * n_features}. Increase test_size or the number of samples."
            )
        if n_test >= n_samples:
            raise ValueError(f"test_size={self.test_size} leaves no rows to learn from (n_samples={n_samples}).")

        rng = check_random_state(self.random_state)
        order = rng.permutation(n_samples)
        test, learn = order[:n_test], order[n_test:]
        best = self._learn(X[learn], signs[learn], rng)
        w = best.x / np.linalg.norm(best.x)

        result = halfspace_band_test(
            X[test],
            signs[test],
            w,
            sigma=self.sigma,
            noise=self.noise,
            massart_eta=self.massart_eta,
            n_learn=learn.size,
            grad_tol=self.grad_tol,
            test_level=self.test_level,
            n_calibration=self.n_calibration,
            random_state=rng,
        )

        self.coef_ = w.reshape(1, -1)
        self.intercept_ = np.zeros(1)
        self.n_iter_ = best.n_iter
        self.sigma_ = float(self.sigma)
        self.test_passed_ = result.passed
        self.test_results_ = {
            name: {
                "statistic": result.statistic[name],
                "threshold": result.threshold[name],
                "pvalue": result.pvalue[name],
                "passed": name not in result.reasons,
                **({"reason": result.reasons[name]} if name in result.reasons else {}),
            }
            for name in result.statistic
        }
        if not result.passed and self.on_reject != "ignore":
            message = "The halfspace tester rejected the data: " + "; ".join(
                f"{name}: {reason}" for name, reason in result.reasons.items()
            )
            message += ". The fitted halfspace carries no error guarantee (is X standardised to N(0, I)?)."
            if self.on_reject == "raise":
                raise TesterRejectedError(message)
            warnings.warn(message, TesterRejectionWarning, stacklevel=2)
        return self

    def decision_function(self, X):
        """Signed margin ``<w, x>`` of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Positive scores are predicted as ``classes_[1]``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict(self, X):
        """Predict the class of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to classify.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            ``classes_[1]`` where the margin is positive, else ``classes_[0]``.
        """
        check_is_fitted(self)
        return self.classes_[(self.decision_function(X) > 0).astype(int)]
