"""Regression discontinuity with distribution-valued outcomes (R3D)."""

import math
import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.isotonic import isotonic_regression
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

_KERNELS = {
    "triangular": lambda u: np.clip(1.0 - np.abs(u), 0.0, None),
    "epanechnikov": lambda u: 0.75 * np.clip(1.0 - u * u, 0.0, None),
    "uniform": lambda u: 0.5 * (np.abs(u) <= 1.0),
}


# floats per block of the per-level local fits (bounds their memory)
_MAX_BLOCK = 4_000_000

# --------------------------------------------------------------------------- helpers


def _unit_quantiles(samples, quantiles):
    """Empirical quantiles (numpy's "linear" rule) of every unit's sample at once.

    ``samples`` is a sequence of 1-D arrays of possibly different lengths.
    """
    lengths = np.fromiter((len(s) for s in samples), dtype=np.intp, count=len(samples))
    values = np.concatenate([np.asarray(s, dtype=np.float64).ravel() for s in samples])
    unit = np.repeat(np.arange(len(samples)), lengths)
    # one sort for all units: by unit first, by value within a unit
    values = values[np.lexsort((values, unit))]
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = (lengths[:, None] - 1) * quantiles[None, :]
    low = np.floor(position).astype(np.intp)
    high = np.minimum(low + 1, lengths[:, None] - 1)
    frac = position - low
    lo_val = values[starts[:, None] + low]
    hi_val = values[starts[:, None] + high]
    return lo_val + frac * (hi_val - lo_val)


def _is_ragged_samples(y):
    """True when ``y`` holds one sample (a 1-D sequence) per unit rather than numbers."""
    if isinstance(y, np.ndarray):
        return y.dtype == object and y.ndim == 1 and any(np.ndim(v) > 0 for v in y)
    if isinstance(y, (list, tuple)):
        return len(y) > 0 and any(np.ndim(v) > 0 for v in y)
    return False


def _local_polynomial(x, Y, h, order, side, kernel, label):
    """Kernel-weighted polynomial fit on one side of the cutoff, for every column of ``Y``.

    Parameters
    ----------
    x : ndarray of shape (n,)
        Centred running variable.
    Y : ndarray of shape (n, m)
    h : float or ndarray of shape (m,)
        One bandwidth for all columns, or one per column.
    order : int
    side : {"above", "below"}
    kernel : callable
    label : str
        What the bandwidth is called in error messages.

    Returns
    -------
    coef : ndarray of shape (order + 1, m)
        Coefficients in the scaled basis ``(x / h) ** k``.
    weights : ndarray of shape (n, m)
        Intercept weights: ``coef[0] == weights.T @ Y`` column by column.
    fitted : ndarray of shape (n, m)
        The fitted polynomial at every unit (meaningful on ``side`` only).
    """
    common = np.ndim(h) == 0
    block = max(1, _MAX_BLOCK // (x.size * (order + 1)))
    if not common and Y.shape[1] > block:
        # per-level windows cost n * levels * (order + 1) floats: go by blocks of levels
        parts = [
            _local_polynomial(x, Y[:, i : i + block], h[i : i + block], order, side, kernel, label)
            for i in range(0, Y.shape[1], block)
        ]
        return tuple(np.concatenate(arrays, axis=1) for arrays in zip(*parts))
    on_side = x >= 0 if side == "above" else x < 0
    powers = np.arange(order + 1)
    hs = np.atleast_1d(np.asarray(h, dtype=np.float64))
    u = x[:, None] / hs[None, :]  # (n, k) with k = 1 or m
    k = kernel(u) * on_side[:, None]
    counts = np.count_nonzero(k > 0, axis=0)
    if np.any(counts < order + 1):
        bad = int(np.argmax(counts < order + 1))
        raise ValueError(
            f"Only {counts[bad]} unit(s) with positive kernel weight {side} the cutoff at "
            f"{label}={hs[bad]:.6g}; the local polynomial of order {order} needs at least "
            f"{order + 1}. Use a larger bandwidth or a lower order."
        )
    basis = u[..., None] ** powers  # (n, k, order + 1)
    gram = np.einsum("ik,ika,ikb->kab", k, basis, basis)
    try:
        # hat rows: Gamma^{-1} r(u_i) K(u_i), for every bandwidth at once
        hat = np.linalg.solve(gram, np.transpose(basis * k[..., None], (1, 2, 0)))
    except np.linalg.LinAlgError:
        raise ValueError(
            f"The local polynomial {side} the cutoff is singular at {label}={hs}: too few "
            "distinct running-variable values inside the window. Use a larger bandwidth."
        ) from None
    if common:
        hat0 = hat[0]  # (order + 1, n)
        coef = hat0 @ Y
        fitted = basis[:, 0, :] @ coef
        weights = np.broadcast_to(hat0[0][:, None], Y.shape).copy()
    else:
        coef = np.einsum("man,nm->am", hat, Y)
        fitted = np.einsum("nma,am->nm", basis, coef)
        weights = hat[:, 0, :].T.copy()
    return coef, weights, fitted


def _kernel_constants(kernel, order):
    """Gamma, Lambda and Psi of each half line (Riemann sums on a 1000-point grid of [-1, 1])."""
    grid = np.linspace(-1.0, 1.0, 1000)
    step = 2.0 / grid.size
    out = {}
    for side, mask in (("above", grid >= 0), ("below", grid < 0)):
        u = grid[mask]
        k = kernel(u)
        r = u[:, None] ** np.arange(order + 1)
        gamma = (r * k[:, None]).T @ r * step
        lam = (r * (k * u ** (order + 1))[:, None]).sum(axis=0) * step
        psi = (r * (k * k)[:, None]).T @ r * step
        out[side] = (gamma, lam, psi)
    return out


def _global_polynomial(x, Y, order):
    """Least-squares polynomial of ``order`` in raw ``x``: coefficients and residual variances."""
    design = x[:, None] ** np.arange(order + 1)
    coef, *_ = np.linalg.lstsq(design, Y, rcond=None)
    resid = Y - design @ coef
    return coef, resid.var(axis=0, ddof=1)


def _rule_of_thumb(x, order):
    return 1.06 * np.std(x, ddof=1) * x.size ** (-1.0 / (2 * order + 1))


def _smallest_workable_bandwidth(x, order):
    """Smallest bandwidth that leaves ``order + 1`` units strictly inside the window on each side."""
    need = []
    for dist in (x[x >= 0], -x[x < 0]):
        if dist.size < order + 1:
            return 0.0  # the fit itself reports the missing units
        need.append(np.partition(dist, order)[order])
    return max(need) * (1.0 + 1e-6) + np.finfo(float).tiny


def _optimal_bandwidth(bias_diff, variance, f0, n, s, integrated, dq, fallback):
    """(I)MSE-optimal bandwidth from bias differences and summed variances per column."""
    if integrated:
        a = np.sum(bias_diff**2) * dq
        b = np.sum(variance / f0) * dq
        h = (b / (2 * (s + 1) * a)) ** (1.0 / (2 * s + 3)) * n ** (-1.0 / (2 * s + 3)) if a > 1e-14 else fallback
        return fallback if not np.isfinite(h) or h <= 0 else float(h)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = (variance / f0 / (2 * (s + 1) * bias_diff**2)) ** (1.0 / (2 * s + 3)) * n ** (-1.0 / (2 * s + 3))
    bad = (np.abs(bias_diff) <= 1e-14) | ~np.isfinite(h) | (h <= 0)
    return np.where(bad, fallback, h)


def _select_bandwidth(
    x, Y, quantiles, integrated, s, order, kernel, pilot_kernel, coverage_correction, selector, label
):
    """Three-step plug-in bandwidth (MSE per column, or one IMSE for all columns).

    ``selector="plug-in"`` re-estimates in step 2 the (s + 1)-th derivative with a
    local polynomial of order s + 1 at the pilot bandwidth, so every step is in
    the units of ``x`` and the bandwidth is equivariant to rescaling ``x``.
    ``selector="package"`` is the R package's step 2: the top coefficient of an
    order-s fit in the scaled basis and the intercept-weighted residual variance,
    which is not equivariant (a bandwidth chosen for ``x`` in percent is not 100
    times the one chosen for ``x`` as a fraction).
    """
    n = x.size
    sd = np.std(x, ddof=1)
    c_n = 1.06 * sd * n ** (-0.2)
    f0 = np.mean(kernel(x / c_n)) / c_n
    fallback = _rule_of_thumb(x, s)
    dq = (quantiles[-1] - quantiles[0]) / (quantiles.size - 1) if quantiles.size > 1 else 1.0
    constants = _kernel_constants(kernel, s)

    # Step 1: global polynomials of order s + 1 on each side give a pilot bandwidth.
    bias, var, bias_constant, var_constant = {}, {}, {}, {}
    for side in ("above", "below"):
        mask = x >= 0 if side == "above" else x < 0
        gamma, lam, psi = constants[side]
        g_inv_e1 = np.linalg.solve(gamma, np.eye(s + 1)[0])
        bias_constant[side] = g_inv_e1 @ lam
        var_constant[side] = g_inv_e1 @ psi @ g_inv_e1
        if np.count_nonzero(mask) > s + 1:
            coef, v = _global_polynomial(x[mask], Y[mask], s + 1)
            top = coef[s + 1]
        else:
            top, v = np.zeros(Y.shape[1]), np.ones(Y.shape[1])
        bias[side] = bias_constant[side] * top
        var[side] = v * var_constant[side]
    pilot = _optimal_bandwidth(
        bias["above"] - bias["below"], var["above"] + var["below"], f0, n, s, integrated, dq, fallback
    )

    # Step 2: local fits at the pilot bandwidth re-estimate bias and variance.
    pilot_order = s + 1 if selector == "plug-in" else s
    # Plug-in values can collapse on small or rough samples; never go below a
    # window that keeps enough units on each side for the polynomial to exist.
    pilot = np.maximum(pilot, _smallest_workable_bandwidth(x, pilot_order))
    for side in ("above", "below"):
        coef, weights, fitted = _local_polynomial(x, Y, pilot, pilot_order, side, pilot_kernel, f"pilot {label}")
        if selector == "plug-in":
            on_side = x >= 0 if side == "above" else x < 0
            k = pilot_kernel(x[:, None] / np.atleast_1d(pilot)[None, :]) * on_side[:, None]
            bias[side] = bias_constant[side] * coef[s + 1] / np.asarray(pilot) ** (s + 1)
            with np.errstate(divide="ignore", invalid="ignore"):
                sigma2 = np.sum(k * (Y - fitted) ** 2, axis=0) / np.sum(k, axis=0)
            var[side] = sigma2 * var_constant[side]
        else:
            bias[side] = coef[s] / math.factorial(s + 1)
            # the package averages over the units with positive intercept weight only
            w = np.where(weights > 0, weights, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                var[side] = np.sum(w * (Y - fitted) ** 2, axis=0) / np.sum(w, axis=0)

    # Step 3: the same formula with the refined estimates.
    h = _optimal_bandwidth(
        bias["above"] - bias["below"], var["above"] + var["below"], f0, n, s, integrated, dq, fallback
    )
    if coverage_correction:
        h = h * n ** (-s / ((2 * s + 3) * (s + 3)))
    h = np.maximum(h, _smallest_workable_bandwidth(x, order))
    return float(h) if integrated else h


def gini_from_quantiles(quantile_values, quantiles):
    """Gini coefficient of a distribution given by its quantile function on a grid.

    The quantile function is extended as a constant to ``q = 0`` and ``q = 1``,
    the Lorenz curve is its normalised running integral (trapezoid rule) and the
    Gini coefficient is one minus twice the area under the Lorenz curve.

    Parameters
    ----------
    quantile_values : array-like of shape (n_quantiles,) or (n_curves, n_quantiles)
        Values of the quantile function(s) at ``quantiles``.
    quantiles : array-like of shape (n_quantiles,)
        Increasing quantile levels in (0, 1).

    Returns
    -------
    gini : float or ndarray of shape (n_curves,)
        ``nan`` (with a ``RuntimeWarning``) where the distribution's mean is not
        positive, since the Gini coefficient is then undefined.

    References
    ----------
    .. [1] D. Van Dijcke, "Regression Discontinuity Design with
       Distribution-Valued Outcomes", arXiv:2504.03992, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.causal import gini_from_quantiles
    >>> q = np.linspace(0.001, 0.999, 999)
    >>> round(float(gini_from_quantiles(q, q)), 3)  # uniform on (0, 1): 1/3
    0.333
    """
    q = check_array(quantiles, ensure_2d=False, input_name="quantiles").ravel()
    values = np.asarray(quantile_values, dtype=np.float64)
    single = values.ndim == 1
    values = np.atleast_2d(values)
    if values.shape[1] != q.size:
        raise ValueError(
            f"quantile_values has {values.shape[1]} columns but quantiles has {q.size} levels."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError("quantile_values must be finite.")
    grid = np.concatenate(([0.0], q, [1.0]))
    padded = np.concatenate([values[:, :1], values, values[:, -1:]], axis=1)
    pieces = 0.5 * (padded[:, 1:] + padded[:, :-1]) * np.diff(grid)
    running = np.concatenate([np.zeros((values.shape[0], 1)), np.cumsum(pieces, axis=1)], axis=1)
    mean = running[:, -1]
    gini = np.full(values.shape[0], np.nan)
    positive = mean > 0
    if not np.all(positive):
        warnings.warn("The Gini coefficient needs a positive mean; returning nan.", RuntimeWarning, stacklevel=2)
    lorenz = running[positive] / mean[positive, None]
    area = np.sum(0.5 * (lorenz[:, 1:] + lorenz[:, :-1]) * np.diff(grid), axis=1)
    gini[positive] = 1.0 - 2.0 * area
    return float(gini[0]) if single else gini


@dataclass(frozen=True)
class DistributionalRDDTestResult:
    """Outcome of :meth:`DistributionalRDD.test` (scipy.stats style).

    Attributes
    ----------
    statistic : float
        Sup-norm statistic (nullity, homogeneity) or absolute Gini difference.
    pvalue : float
        Share of bootstrap statistics at least as large as ``statistic``.
    critical_value : float
        Bootstrap critical value at the estimator's ``alpha``.
    kind : str
        ``"nullity"``, ``"homogeneity"`` or ``"gini"``.
    quantile_range : tuple of float
        The quantile levels the test used (lowest, highest).
    gini_above, gini_below : float or None
        Gini coefficients of the estimated quantile functions on each side
        (``kind="gini"`` only).
    """

    statistic: float
    pvalue: float
    critical_value: float
    kind: str
    quantile_range: tuple
    gini_above: float | None = None
    gini_below: float | None = None


class DistributionalRDD(BaseEstimator):
    """Regression discontinuity design with distribution-valued outcomes (R3D).

    Each unit ``i`` has a scalar running variable ``X_i`` and, as outcome, a
    whole distribution observed through a sample of draws. Treatment switches
    at ``X = cutoff``. The estimand is the local average quantile treatment
    effect ``tau(q) = E[Q_Y(q) | X = c+] - E[Q_Y(q) | X = c-]``: the jump of
    the *average quantile function* of the units at the cutoff, not the jump of
    the quantiles of the pooled draws (a different, mixture quantity).

    Each unit's empirical quantile function is regressed on the running
    variable with a side-wise local polynomial; the intercepts of both sides
    give the two limits. ``method="frechet"`` (local Fréchet regression in
    the 2-Wasserstein space) uses one bandwidth for all levels and projects
    each side's curve on monotone functions (isotonic regression);
    ``method="local_polynomial"`` fits each level with its own bandwidth and
    rearranges (sorts) each side's curve. With a ``treatment`` indicator the
    design is fuzzy and the jump is divided by the first-stage jump of the
    treatment probability. A multiplier bootstrap gives uniform confidence
    bands over the quantile levels and the tests of :meth:`test`.

    Parameters
    ----------
    method : {"frechet", "local_polynomial"}, default="frechet"
        Local Fréchet regression (one IMSE-optimal bandwidth, isotonic
        projection) or quantile-by-quantile local polynomials (per-level
        MSE-optimal bandwidths, monotone rearrangement).
    cutoff : float, default=0.0
        Threshold of the running variable; units with ``X >= cutoff`` are
        above (treated side).
    order : int, default=2
        Order ``p`` of the local polynomial.
    pilot_order : int, default=1
        Order ``s`` of the pilot fits of the bandwidth selector.
    quantiles : array-like of shape (n_quantiles,), default=None
        Increasing quantile levels in (0, 1) at which the effect is estimated;
        ``None`` means ``0.01, 0.02, ..., 0.99``. Must match the columns of
        ``y`` when ``y`` is a quantile matrix.
    kernel : {"epanechnikov", "triangular", "uniform"}, default="epanechnikov"
        Kernel on [-1, 1].
    bandwidth : "auto", float or array-like of shape (n_quantiles,), default="auto"
        ``"auto"`` selects it from the data (per level for
        ``"local_polynomial"``, one IMSE-optimal value for ``"frechet"``). An
        array (one bandwidth per level) is allowed for ``"local_polynomial"``
        only.
    bandwidth_treatment : "auto" or float, default="auto"
        Bandwidth of the first stage (fuzzy design only).
    pilot_kernel : {"epanechnikov", "triangular", "uniform"} or None, default=None
        Kernel of the second step of the bandwidth selector; ``None`` uses
        ``kernel``. ``"triangular"`` reproduces the R package ``R3D``, whose
        second step always uses it.
    bandwidth_selector : {"plug-in", "package"}, default="plug-in"
        Second step of the three-step bandwidth selector. ``"plug-in"``
        re-estimates the ``(s + 1)``-th derivative by a local polynomial of
        order ``s + 1`` at the pilot bandwidth, which keeps the selected
        bandwidth equivariant to the units of ``X``. ``"package"`` is the R
        package's step (top coefficient of an order-``s`` fit in the scaled
        basis), kept to reproduce its bandwidths; it is not equivariant to
        rescaling ``X``.
    coverage_correction : bool, default=False
        Shrink the selected bandwidths by ``n ** (-s / ((2s + 3)(s + 3)))``,
        the coverage-error rule of thumb of Calonico, Cattaneo and Farrell.
    n_bootstrap : int, default=200
        Number of multiplier-bootstrap draws (ignored when ``multipliers`` is
        passed to :meth:`fit`). Must be at least ``(1 - alpha) / alpha``.
    alpha : float, default=0.05
        Level of the uniform band and of the tests' critical values.
    bootstrap_residuals : {"window", "positive-weight"}, default="window"
        ``"window"`` uses the residuals of every unit in the kernel window;
        ``"positive-weight"`` zeroes those of units with a negative intercept
        weight, as the R package does.
    random_state : int, RandomState instance or None, default=None
        Seed of the N(0, 1) bootstrap multipliers.

    Attributes
    ----------
    quantiles_ : ndarray of shape (n_quantiles,)
        Quantile levels of the estimates.
    effect_ : ndarray of shape (n_quantiles,)
        Estimated local average quantile treatment effect ``tau(q)``.
    mean_quantile_above_, mean_quantile_below_ : ndarray of shape (n_quantiles,)
        Estimated average quantile functions at the cutoff on each side
        (after the isotonic projection or rearrangement).
    bandwidth_ : float or ndarray of shape (n_quantiles,)
        Bandwidth used (one per level for ``"local_polynomial"``).
    bandwidth_treatment_ : float or None
        First-stage bandwidth (fuzzy design), else ``None``.
    first_stage_jump_ : float or None
        Jump of the treatment probability at the cutoff (fuzzy design), else
        ``None``.
    coef_above_, coef_below_ : ndarray of shape (order + 1, n_quantiles)
        Local polynomial coefficients in the scaled basis ``(x / h) ** k``;
        row 0 holds the raw (unprojected) limits.
    intercept_weights_above_, intercept_weights_below_ : ndarray of shape (n_samples, n_quantiles)
        Weights ``w_i(q)`` with ``coef_*_[0] = sum_i w_i(q) Q_i(q)``.
    bootstrap_draws_ : ndarray of shape (n_bootstrap, n_quantiles)
        Bootstrap draws of the centred effect process.
    critical_value_ : float
        Bootstrap critical value of the uniform band.
    band_lower_, band_upper_ : ndarray of shape (n_quantiles,)
        Uniform ``1 - alpha`` confidence band of ``effect_``.
    n_features_in_ : int
        Always 1 (the running variable).
    feature_names_in_ : ndarray of shape (1,)
        Name of the running variable when ``X`` is a DataFrame.

    See Also
    --------
    DistributionalRDDDisplay : Plot of the effect with its uniform band.

    Notes
    -----
    ``y`` may be given three ways: a 2-D float array ``(n_samples,
    n_quantiles)`` of each unit's quantiles at ``quantiles``; a list (or 1-D
    object array) of per-unit samples of any lengths, whose empirical
    quantiles (numpy's ``"linear"`` rule) are computed here; or a 1-D float
    array of scalar outcomes, which makes every unit a point mass and reduces
    the method to a standard sharp (or fuzzy) regression discontinuity.

    With ``method="local_polynomial"``, the raw jump ``coef_above_[0] -
    coef_below_[0]`` equals the conventional estimate of ``rdrobust`` run on
    each quantile with the same bandwidth, kernel and order.

    References
    ----------
    .. [1] D. Van Dijcke, "Regression Discontinuity Design with
       Distribution-Valued Outcomes", arXiv:2504.03992, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.causal import DistributionalRDD
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-1, 1, size=(500, 1))
    >>> samples = [rng.normal(x + 1.0 * (x >= 0), 1.0, size=50) for x in X[:, 0]]
    >>> rdd = DistributionalRDD(quantiles=[0.25, 0.5, 0.75], random_state=0)
    >>> rdd.fit(X, samples).effect_.round(1)
    array([1. , 0.9, 0.9])
    >>> result = rdd.test("nullity")
    >>> bool(result.pvalue < 0.05)
    True
    """

    _parameter_constraints: dict = {
        "method": [StrOptions({"frechet", "local_polynomial"})],
        "cutoff": [Real],
        "order": [Interval(Integral, 0, None, closed="left")],
        "pilot_order": [Interval(Integral, 0, None, closed="left")],
        "quantiles": ["array-like", None],
        "kernel": [StrOptions(set(_KERNELS))],
        "bandwidth": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither"), "array-like"],
        "bandwidth_treatment": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "pilot_kernel": [StrOptions(set(_KERNELS)), None],
        "bandwidth_selector": [StrOptions({"plug-in", "package"})],
        "coverage_correction": ["boolean"],
        "n_bootstrap": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "bootstrap_residuals": [StrOptions({"window", "positive-weight"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        method="frechet",
        cutoff=0.0,
        order=2,
        pilot_order=1,
        quantiles=None,
        kernel="epanechnikov",
        bandwidth="auto",
        bandwidth_treatment="auto",
        pilot_kernel=None,
        bandwidth_selector="plug-in",
        coverage_correction=False,
        n_bootstrap=200,
        alpha=0.05,
        bootstrap_residuals="window",
        random_state=None,
    ):
        self.method = method
        self.cutoff = cutoff
        self.order = order
        self.pilot_order = pilot_order
        self.quantiles = quantiles
        self.kernel = kernel
        self.bandwidth = bandwidth
        self.bandwidth_treatment = bandwidth_treatment
        self.pilot_kernel = pilot_kernel
        self.bandwidth_selector = bandwidth_selector
        self.coverage_correction = coverage_correction
        self.n_bootstrap = n_bootstrap
        self.alpha = alpha
        self.bootstrap_residuals = bootstrap_residuals
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # the running variable is one column; a 1-D array is accepted too
        tags.input_tags.one_d_array = True
        tags.target_tags.required = True
        return tags

    # ------------------------------------------------------------------ input

    def _validate_quantile_grid(self, y_is_matrix, n_columns):
        if self.quantiles is None:
            if y_is_matrix and n_columns != 99:
                raise ValueError(
                    f"y is a matrix of {n_columns} quantile columns; pass the matching levels "
                    "as `quantiles` (the default grid has 99 levels)."
                )
            return np.arange(1, 100) / 100.0
        q = check_array(self.quantiles, ensure_2d=False, input_name="quantiles", dtype=np.float64)
        if q.ndim != 1:
            raise ValueError(f"quantiles must be 1-D; got shape {q.shape}.")
        if np.any(q <= 0) or np.any(q >= 1):
            raise ValueError("quantiles must lie strictly between 0 and 1.")
        if np.any(np.diff(q) <= 0):
            raise ValueError("quantiles must be strictly increasing.")
        if self.method == "frechet" and q.size < 2:
            raise ValueError('method="frechet" needs at least 2 quantile levels in `quantiles`.')
        if y_is_matrix and q.size != n_columns:
            raise ValueError(f"y has {n_columns} quantile columns but quantiles has {q.size} levels.")
        return q

    def _quantile_matrix(self, y, n_samples):
        """Turn any accepted form of ``y`` into the (n_samples, n_quantiles) matrix."""
        if y is None:
            raise ValueError("DistributionalRDD requires y to be passed, but the target y is None.")
        if _is_ragged_samples(y):
            samples = []
            for i, unit in enumerate(y):
                try:
                    draws = np.asarray(unit, dtype=np.float64).ravel()
                except (TypeError, ValueError):
                    raise TypeError(f"y[{i}] must be a numeric sample; got {type(unit).__name__}.") from None
                if draws.size == 0:
                    raise ValueError(f"y[{i}] is an empty sample; every unit needs at least one draw.")
                if not np.all(np.isfinite(draws)):
                    raise ValueError(f"y[{i}] contains NaN or infinity.")
                samples.append(draws)
            if len(samples) != n_samples:
                raise ValueError(f"y has {len(samples)} units but X has {n_samples} samples.")
            quantiles = self._validate_quantile_grid(False, None)
            return _unit_quantiles(samples, quantiles), quantiles
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if y.shape[0] != n_samples:
            raise ValueError(f"y has {y.shape[0]} rows but X has {n_samples} samples.")
        if y.ndim == 1:
            quantiles = self._validate_quantile_grid(False, None)
            # point masses: every quantile of a unit equals its scalar outcome
            return np.repeat(y[:, None], quantiles.size, axis=1), quantiles
        if y.ndim != 2:
            raise ValueError(f"y must be 1-D or 2-D; got {y.ndim} dimensions.")
        quantiles = self._validate_quantile_grid(True, y.shape[1])
        scale = max(1.0, float(np.max(np.abs(y))))
        if np.any(np.diff(y, axis=1) < -1e-12 * scale):
            rows = np.flatnonzero(np.any(np.diff(y, axis=1) < -1e-12 * scale, axis=1))
            raise ValueError(
                f"Each row of the quantile matrix y must be non-decreasing; rows {rows[:5].tolist()} are not."
            )
        return y.copy(), quantiles

    # ------------------------------------------------------------------ fit

    def fit(self, X, y, treatment=None, multipliers=None):
        """Estimate the quantile treatment effect at the cutoff, its band and bootstrap draws.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1) or (n_samples,)
            Running variable of each unit.
        y : array-like of shape (n_samples, n_quantiles) or (n_samples,), or list of array-like
            Each unit's quantiles at ``quantiles`` (2-D float array), each
            unit's sample (list or 1-D object array of 1-D samples, lengths
            may differ) or scalar outcomes (1-D float array). See Notes.
        treatment : array-like of shape (n_samples,), default=None
            0/1 treatment indicator. Given, the design is fuzzy.
        multipliers : array-like of shape (n_samples, n_draws), default=None
            Bootstrap multipliers replacing the N(0, 1) draws (for instance to
            reproduce another implementation's draws).

        Returns
        -------
        self : DistributionalRDD
            The fitted estimator.
        """
        self._validate_params()
        if y is None:
            raise ValueError("DistributionalRDD requires y to be passed, but the target y is None.")
        X = validate_data(self, X, ensure_2d=False, dtype=np.float64, ensure_min_samples=2)
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != 1:
            raise ValueError(
                f"X must hold the running variable only (one column); got shape {X.shape}."
            )
        self.n_features_in_ = 1
        x = X[:, 0] - self.cutoff
        n = x.size
        n_above = int(np.count_nonzero(x >= 0))
        if n_above == 0 or n_above == n:
            side = "below" if n_above == 0 else "above"
            raise ValueError(
                f"The running variable X has no unit {'above' if n_above == 0 else 'below'} the "
                f"cutoff={self.cutoff!r} (all {n} units are {side}); a discontinuity needs units on both sides."
            )
        Q, quantiles = self._quantile_matrix(y, n)
        n_q = quantiles.size
        kernel = _KERNELS[self.kernel]
        pilot_kernel = _KERNELS[self.pilot_kernel or self.kernel]

        t = None
        if treatment is not None:
            t = check_array(treatment, ensure_2d=False, dtype=np.float64, input_name="treatment")
            if t.ndim != 1 or t.size != n:
                raise ValueError(f"treatment must be 1-D with {n} entries; got shape {t.shape}.")
            if not np.all((t == 0) | (t == 1)):
                raise ValueError("treatment must be a 0/1 indicator.")

        xi = self._multipliers(multipliers, n)

        # bandwidths
        integrated = self.method == "frechet"
        if isinstance(self.bandwidth, str):
            h = _select_bandwidth(
                x, Q, quantiles, integrated, self.pilot_order, self.order, kernel, pilot_kernel,
                self.coverage_correction, self.bandwidth_selector, "bandwidth",
            )
        elif np.ndim(self.bandwidth) == 0:
            h = float(self.bandwidth)
        else:
            if self.method != "local_polynomial":
                raise ValueError('An array of bandwidths needs method="local_polynomial".')
            h = check_array(self.bandwidth, ensure_2d=False, dtype=np.float64, input_name="bandwidth")
            if h.shape != (n_q,) or np.any(h <= 0):
                raise ValueError(f"bandwidth as an array must hold {n_q} positive values; got shape {h.shape}.")
        # a bandwidth shared by all levels takes the cheaper single-window path
        h_fit = float(np.ravel(h)[0]) if np.ndim(h) == 0 or np.all(h == np.ravel(h)[0]) else h
        fits = {
            side: _local_polynomial(x, Q, h_fit, self.order, side, kernel, "bandwidth") for side in ("above", "below")
        }
        if not integrated and np.ndim(h) == 0:
            h = np.full(n_q, h)
        (coef_a, w_a, fit_a), (coef_b, w_b, fit_b) = fits["above"], fits["below"]
        if integrated:
            m_a = isotonic_regression(coef_a[0])
            m_b = isotonic_regression(coef_b[0])
        else:
            m_a, m_b = np.sort(coef_a[0]), np.sort(coef_b[0])
        jump = m_a - m_b

        # residuals of every unit from its own side's fitted curve
        above = x >= 0
        fitted = np.where(above[:, None], fit_a, fit_b)
        if integrated:
            fitted = _project_rows(fitted)
        resid = Q - fitted
        if self.bootstrap_residuals == "positive-weight":
            resid = np.where(np.where(above[:, None], w_a, w_b) < 0, 0.0, resid)
        nu_a = xi.T @ (resid * w_a)
        nu_b = xi.T @ (resid * w_b)
        nu = nu_a - nu_b

        self.bandwidth_treatment_ = None
        self.first_stage_jump_ = None
        if t is None:
            effect = jump
        else:
            if isinstance(self.bandwidth_treatment, str):
                h_t = float(
                    _select_bandwidth(
                        x, t[:, None], quantiles[:1], False, self.pilot_order, self.order, kernel,
                        pilot_kernel, self.coverage_correction, self.bandwidth_selector, "bandwidth_treatment",
                    )[0]
                )
            else:
                h_t = float(self.bandwidth_treatment)
            tfits = {
                side: _local_polynomial(x, t[:, None], h_t, self.order, side, kernel, "bandwidth_treatment")
                for side in ("above", "below")
            }
            dt = float(tfits["above"][0][0, 0] - tfits["below"][0][0, 0])
            t_fitted = np.where(above, tfits["above"][2][:, 0], tfits["below"][2][:, 0])
            t_resid = t - t_fitted
            wt = tfits["above"][1][:, 0] - tfits["below"][1][:, 0]
            eta = xi.T @ (t_resid * wt)
            self.bandwidth_treatment_ = h_t
            self.first_stage_jump_ = dt
            if abs(dt) < 1e-14:
                warnings.warn(
                    "The treatment probability does not jump at the cutoff (first-stage jump ~ 0); "
                    "the fuzzy effect is not identified and is set to nan.",
                    RuntimeWarning,
                    stacklevel=2,
                )
                effect = np.full(n_q, np.nan)
                nu = np.full_like(nu, np.nan)
            else:
                effect = jump / dt
                nu = (dt * nu - jump[None, :] * eta[:, None]) / dt**2

        self.quantiles_ = quantiles
        self.effect_ = effect
        self.mean_quantile_above_ = m_a
        self.mean_quantile_below_ = m_b
        self.bandwidth_ = h
        self.coef_above_ = coef_a
        self.coef_below_ = coef_b
        self.intercept_weights_above_ = w_a
        self.intercept_weights_below_ = w_b
        self.bootstrap_draws_ = nu
        self._bootstrap_sides = (nu_a, nu_b)
        self.critical_value_ = self._critical(np.max(np.abs(nu), axis=1))
        self.band_lower_ = effect - self.critical_value_
        self.band_upper_ = effect + self.critical_value_
        return self

    def _multipliers(self, multipliers, n):
        if multipliers is not None:
            xi = check_array(multipliers, dtype=np.float64, input_name="multipliers")
            if xi.shape[0] != n:
                raise ValueError(f"multipliers must have {n} rows (one per unit); got shape {xi.shape}.")
        else:
            rng = check_random_state(self.random_state)
            xi = rng.standard_normal((n, self.n_bootstrap))
        n_draws = xi.shape[1]
        if math.ceil((1 - self.alpha) * (n_draws + 1)) > n_draws:
            raise ValueError(
                f"{n_draws} bootstrap draws are too few for alpha={self.alpha}: the "
                f"{1 - self.alpha:g} critical value needs at least "
                f"{math.ceil((1 - self.alpha) / self.alpha)} draws (n_bootstrap)."
            )
        return xi

    def _critical(self, statistics):
        """The ceil((1 - alpha)(B + 1))-th smallest bootstrap statistic."""
        k = math.ceil((1 - self.alpha) * (statistics.size + 1))
        return float(np.sort(statistics)[k - 1])

    # ------------------------------------------------------------------ tests

    def test(self, kind="nullity", quantile_range=None):
        """Test a hypothesis on the quantile effect with the fitted bootstrap draws.

        Parameters
        ----------
        kind : {"nullity", "homogeneity", "gini"}, default="nullity"
            ``"nullity"``: ``tau(q) = 0`` for all levels in the range;
            ``"homogeneity"``: ``tau(q)`` constant over the range; ``"gini"``:
            equal Gini coefficients of the average quantile functions above
            and below the cutoff (whole grid).
        quantile_range : tuple of (float, float), default=None
            Lowest and highest level tested (inclusive); ``None`` uses all of
            ``quantiles_``. Ignored by ``"gini"``.

        Returns
        -------
        result : DistributionalRDDTestResult
            With ``statistic``, ``pvalue``, ``critical_value``, ``kind`` and
            ``quantile_range`` (and ``gini_above``/``gini_below`` for
            ``"gini"``).
        """
        check_is_fitted(self)
        if kind not in ("nullity", "homogeneity", "gini"):
            raise ValueError(f'kind must be "nullity", "homogeneity" or "gini"; got {kind!r}.')
        q = self.quantiles_
        if kind == "gini":
            if q.size < 2:
                raise ValueError("The Gini test needs at least 2 quantile levels.")
            nu_a, nu_b = self._bootstrap_sides
            g_a = gini_from_quantiles(self.mean_quantile_above_, q)
            g_b = gini_from_quantiles(self.mean_quantile_below_, q)
            diff = g_a - g_b
            boot = gini_from_quantiles(self.mean_quantile_above_ + nu_a, q) - gini_from_quantiles(
                self.mean_quantile_below_ + nu_b, q
            )
            # centred at the estimate: the bootstrap law of the estimation error
            deviations = np.abs(boot - diff)
            return DistributionalRDDTestResult(
                statistic=float(abs(diff)),
                pvalue=float(np.mean(deviations >= abs(diff))),
                critical_value=self._critical(deviations),
                kind=kind,
                quantile_range=(float(q[0]), float(q[-1])),
                gini_above=g_a,
                gini_below=g_b,
            )
        if quantile_range is None:
            low, high = q[0], q[-1]
        else:
            try:
                low, high = (float(v) for v in quantile_range)
            except (TypeError, ValueError):
                raise ValueError(f"quantile_range must be a pair (low, high); got {quantile_range!r}.") from None
            if not low <= high:
                raise ValueError(f"quantile_range must satisfy low <= high; got {quantile_range!r}.")
        inside = (q >= low - 1e-12) & (q <= high + 1e-12)
        needed = 2 if kind == "homogeneity" else 1
        if np.count_nonzero(inside) < needed:
            raise ValueError(
                f"quantile_range={quantile_range!r} holds {np.count_nonzero(inside)} of the fitted "
                f"quantile levels; the {kind} test needs at least {needed}."
            )
        tau = self.effect_[inside]
        draws = self.bootstrap_draws_[:, inside]
        if kind == "homogeneity":
            tau = tau - tau.mean()
            draws = draws - draws.mean(axis=1, keepdims=True)
        statistic = float(np.max(np.abs(tau)))
        sup = np.max(np.abs(draws), axis=1)
        return DistributionalRDDTestResult(
            statistic=statistic,
            pvalue=float(np.mean(sup >= statistic)),
            critical_value=self._critical(sup),
            kind=kind,
            quantile_range=(float(q[inside][0]), float(q[inside][-1])),
        )


def _project_rows(curves):
    """Isotonic projection of each row, touching only the rows that are not monotone."""
    out = curves.copy()
    for i in np.flatnonzero(np.any(np.diff(curves, axis=1) < 0, axis=1)):
        out[i] = isotonic_regression(curves[i])
    return out
