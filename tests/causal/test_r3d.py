import math
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from rdrobust import rdrobust
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.causal import DistributionalRDD, DistributionalRDDDisplay, gini_from_quantiles
from skpapers.datasets import make_distributional_rd

Q5 = np.array([0.1, 0.3, 0.5, 0.7, 0.9])


def _data(n=400, n_draws=30, kind="location", effect=2.0, seed=0):
    X, y, tau = make_distributional_rd(
        n_units=n, n_draws=n_draws, kind=kind, effect=effect, quantiles=Q5, random_state=seed
    )
    return X, y, tau


def _quantile_matrix(samples, q):
    return np.array([np.quantile(s, q, method="linear") for s in samples])


def _rdrobust_conventional(y, x, h, p, kernel, fuzzy=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = rdrobust(y=y, x=x, c=0, p=p, h=h, kernel=kernel, fuzzy=fuzzy)
    return float(out.coef.iloc[0, 0])


# ----------------------------------------------------------------- oracle: rdrobust


@pytest.mark.parametrize("kernel, order", [("epanechnikov", 2), ("triangular", 1), ("uniform", 2)])
def test_raw_jump_per_quantile_equals_rdrobust_conventional(kernel, order):
    X, y, _ = _data(n=300, kind="skewed", seed=1)
    h = np.array([0.35, 0.5, 0.6, 0.75, 0.9])
    rdd = DistributionalRDD(method="local_polynomial", quantiles=Q5, bandwidth=h, kernel=kernel, order=order,
                            n_bootstrap=19, random_state=0).fit(X, y)
    Q = _quantile_matrix(y, Q5)
    expected = [_rdrobust_conventional(Q[:, l], X[:, 0], h[l], order, kernel) for l in range(Q5.size)]
    np.testing.assert_allclose(rdd.coef_above_[0] - rdd.coef_below_[0], expected, rtol=1e-9, atol=1e-10)
    np.testing.assert_array_equal(rdd.bandwidth_, h)


def test_scalar_outcome_reduces_to_standard_sharp_rd():
    rng = np.random.RandomState(3)
    x = rng.uniform(-1, 1, 500)
    y = 1 + x - x**2 + 0.8 * (x >= 0) + rng.normal(0, 0.5, 500)
    rdd = DistributionalRDD(quantiles=Q5, bandwidth=0.6, n_bootstrap=19, random_state=0).fit(x[:, None], y)
    expected = _rdrobust_conventional(y, x, 0.6, 2, "epanechnikov")
    np.testing.assert_allclose(rdd.effect_, expected, rtol=1e-9)


def test_fuzzy_design_equals_rdrobust_fuzzy():
    rng = np.random.RandomState(4)
    x = rng.uniform(-1, 1, 600)
    t = (rng.uniform(size=600) < 0.2 + 0.6 * (x >= 0)).astype(float)
    y = 0.5 * x + 1.5 * t + rng.normal(0, 0.5, 600)
    rdd = DistributionalRDD(quantiles=Q5, bandwidth=0.7, bandwidth_treatment=0.7, n_bootstrap=19,
                            random_state=0).fit(x[:, None], y, treatment=t)
    np.testing.assert_allclose(rdd.effect_, _rdrobust_conventional(y, x, 0.7, 2, "epanechnikov", fuzzy=t), rtol=1e-9)
    np.testing.assert_allclose(rdd.first_stage_jump_, _rdrobust_conventional(t, x, 0.7, 2, "epanechnikov"), rtol=1e-9)
    assert rdd.bandwidth_treatment_ == 0.7


def test_fuzzy_distributional_effect_is_reduced_form_over_first_stage():
    X, y, _ = _data(n=400, seed=5)
    rng = np.random.RandomState(5)
    t = (rng.uniform(size=400) < 0.1 + 0.8 * (X[:, 0] >= 0)).astype(float)
    common = dict(quantiles=Q5, bandwidth=0.6, n_bootstrap=19, random_state=0)
    sharp = DistributionalRDD(**common).fit(X, y)
    fuzzy = DistributionalRDD(bandwidth_treatment=0.6, **common).fit(X, y, treatment=t)
    np.testing.assert_allclose(fuzzy.effect_, sharp.effect_ / fuzzy.first_stage_jump_)
    assert np.all(fuzzy.band_lower_ <= fuzzy.effect_) and np.all(fuzzy.effect_ <= fuzzy.band_upper_)


# ------------------------------------------------------------ local fits and weights


def test_intercept_weights_reproduce_intercepts_and_sum_to_one():
    X, y, _ = _data(n=300, seed=2)
    rdd = DistributionalRDD(quantiles=Q5, bandwidth=0.5, n_bootstrap=19, random_state=0).fit(X, y)
    Q = _quantile_matrix(y, Q5)
    for w, coef in ((rdd.intercept_weights_above_, rdd.coef_above_), (rdd.intercept_weights_below_, rdd.coef_below_)):
        np.testing.assert_allclose(np.sum(w * Q, axis=0), coef[0])
        np.testing.assert_allclose(w.sum(axis=0), 1.0)
    above = X[:, 0] >= 0
    assert np.all(rdd.intercept_weights_above_[~above] == 0) and np.all(rdd.intercept_weights_below_[above] == 0)
    assert np.all(rdd.intercept_weights_above_[np.abs(X[:, 0]) >= 0.5] == 0)


def test_bootstrap_draw_of_one_unit_is_its_residual_times_its_weight():
    # multiplier e_j isolates unit j: nu(q) = e_j(q) * (w_j^+(q) - w_j^-(q)), with the
    # residual taken from an independent weighted polynomial fit (numpy.polyfit)
    X, y, _ = _data(n=200, seed=6)
    x = X[:, 0]
    h = 0.7
    Q = _quantile_matrix(y, Q5)
    inside = np.flatnonzero((np.abs(x) < h * 0.9))[:25]
    xi = np.zeros((x.size, inside.size))
    xi[inside, np.arange(inside.size)] = 1.0
    rdd = DistributionalRDD(method="local_polynomial", quantiles=Q5, bandwidth=h, alpha=0.1).fit(X, y, multipliers=xi)
    for col, j in enumerate(inside):
        side = (x >= 0) == (x[j] >= 0)
        k = 0.75 * np.clip(1 - (x[side] / h) ** 2, 0, None)
        keep = k > 0
        for l in range(Q5.size):
            coef = np.polyfit(x[side][keep], Q[side, l][keep], 2, w=np.sqrt(k[keep]))
            resid = Q[j, l] - np.polyval(coef, x[j])
            weight = rdd.intercept_weights_above_[j, l] - rdd.intercept_weights_below_[j, l]
            assert rdd.bootstrap_draws_[col, l] == pytest.approx(resid * weight, rel=1e-7, abs=1e-12)


def test_critical_value_is_the_order_statistic_of_the_sup_draws():
    X, y, _ = _data(n=300, seed=7)
    rng = np.random.RandomState(0)
    xi = rng.standard_normal((300, 59))
    rdd = DistributionalRDD(quantiles=Q5, bandwidth=0.6, alpha=0.1).fit(X, y, multipliers=xi)
    sup = np.sort(np.max(np.abs(rdd.bootstrap_draws_), axis=1))
    assert rdd.critical_value_ == sup[math.ceil(0.9 * 60) - 1]
    np.testing.assert_allclose(rdd.band_upper_ - rdd.effect_, rdd.critical_value_)
    np.testing.assert_allclose(rdd.effect_ - rdd.band_lower_, rdd.critical_value_)


def test_bootstrap_follows_random_state():
    X, y, _ = _data(n=200, seed=8)
    a = DistributionalRDD(quantiles=Q5, bandwidth=0.6, random_state=1).fit(X, y)
    b = DistributionalRDD(quantiles=Q5, bandwidth=0.6, random_state=1).fit(X, y)
    c = DistributionalRDD(quantiles=Q5, bandwidth=0.6, random_state=2).fit(X, y)
    np.testing.assert_array_equal(a.bootstrap_draws_, b.bootstrap_draws_)
    assert not np.allclose(a.bootstrap_draws_, c.bootstrap_draws_)
    np.testing.assert_array_equal(a.effect_, c.effect_)


def test_positive_weight_residuals_zero_negative_weight_units():
    X, y, _ = _data(n=300, seed=9)
    common = dict(quantiles=Q5, bandwidth=0.6, method="local_polynomial", alpha=0.5)
    probe = DistributionalRDD(**common, n_bootstrap=3, random_state=0).fit(X, y)
    weight = probe.intercept_weights_above_ + probe.intercept_weights_below_  # one side is zero
    negative = np.flatnonzero((weight < 0).all(axis=1))
    positive = np.flatnonzero((weight > 0).all(axis=1))[: negative.size]
    assert negative.size >= 3
    units = np.r_[negative, positive]
    xi = np.zeros((300, units.size))
    xi[units, np.arange(units.size)] = 1.0  # draw j isolates unit units[j]
    window = DistributionalRDD(**common).fit(X, y, multipliers=xi)
    kept = DistributionalRDD(bootstrap_residuals="positive-weight", **common).fit(X, y, multipliers=xi)
    np.testing.assert_array_equal(window.effect_, kept.effect_)
    assert np.all(kept.bootstrap_draws_[: negative.size] == 0)
    assert np.all(window.bootstrap_draws_[: negative.size] != 0)
    np.testing.assert_array_equal(kept.bootstrap_draws_[negative.size :], window.bootstrap_draws_[negative.size :])


# ------------------------------------------------------------------ the two methods


def test_frechet_projects_on_monotone_curves_and_equals_sorting_when_monotone():
    X, y, _ = _data(n=150, n_draws=5, kind="scale", effect=1.0, seed=10)
    q = np.linspace(0.05, 0.95, 19)
    rdd = DistributionalRDD(quantiles=q, bandwidth=0.4, n_bootstrap=19, random_state=0).fit(X, y)
    for curve in (rdd.mean_quantile_above_, rdd.mean_quantile_below_):
        assert np.all(np.diff(curve) >= -1e-12)
    X, y, _ = _data(n=400, seed=11)
    common = dict(quantiles=Q5, bandwidth=0.6, n_bootstrap=19, random_state=0)
    fre = DistributionalRDD(**common).fit(X, y)
    lp = DistributionalRDD(method="local_polynomial", **common).fit(X, y)
    assert np.all(np.diff(fre.coef_above_[0]) > 0) and np.all(np.diff(fre.coef_below_[0]) > 0)
    np.testing.assert_allclose(fre.effect_, lp.effect_)
    np.testing.assert_allclose(fre.effect_, fre.coef_above_[0] - fre.coef_below_[0])


def test_frechet_projection_is_the_l2_closest_monotone_curve():
    X, y, _ = _data(n=120, n_draws=4, kind="scale", effect=1.0, seed=12)
    q = np.linspace(0.05, 0.95, 19)
    rdd = DistributionalRDD(quantiles=q, bandwidth=0.3, order=1, n_bootstrap=19, random_state=0).fit(X, y)
    raw, projected = rdd.coef_below_[0], rdd.mean_quantile_below_
    rng = np.random.RandomState(0)
    for _ in range(200):
        other = np.sort(projected + rng.normal(0, 0.05, q.size))
        assert np.sum((raw - projected) ** 2) <= np.sum((raw - other) ** 2) + 1e-12


def test_input_forms_agree():
    X, y, _ = _data(n=250, seed=13)
    common = dict(quantiles=Q5, bandwidth=0.6, n_bootstrap=19, random_state=0)
    from_samples = DistributionalRDD(**common).fit(X, y)
    from_matrix = DistributionalRDD(**common).fit(X, _quantile_matrix(y, Q5))
    from_object = DistributionalRDD(**common).fit(X[:, 0], np.array(y + [np.zeros(1)], dtype=object)[:-1])
    from_frame = DistributionalRDD(**common).fit(pd.DataFrame({"score": X[:, 0]}), y)
    for other in (from_matrix, from_object, from_frame):
        np.testing.assert_allclose(other.effect_, from_samples.effect_)
        np.testing.assert_allclose(other.bootstrap_draws_, from_samples.bootstrap_draws_)
    assert from_frame.n_features_in_ == 1 and list(from_frame.feature_names_in_) == ["score"]
    assert from_samples.n_features_in_ == from_object.n_features_in_ == 1


def test_ragged_samples_use_numpy_linear_quantiles_and_allow_single_draws():
    rng = np.random.RandomState(14)
    x = rng.uniform(-1, 1, 200)
    samples = [rng.normal(x_ + (x_ >= 0), 1, size=rng.randint(1, 12)) for x_ in x]
    samples[0] = np.array([3.0])
    common = dict(quantiles=Q5, bandwidth=0.8, n_bootstrap=19, random_state=0)
    ours = DistributionalRDD(**common).fit(x[:, None], samples)
    reference = DistributionalRDD(**common).fit(x[:, None], _quantile_matrix(samples, Q5))
    np.testing.assert_allclose(ours.coef_above_, reference.coef_above_, atol=1e-12)
    np.testing.assert_allclose(ours.coef_below_, reference.coef_below_, atol=1e-12)


def test_permuting_units_leaves_the_estimate_unchanged():
    X, y, _ = _data(n=300, seed=15)
    perm = np.random.RandomState(0).permutation(300)
    xi = np.random.RandomState(1).standard_normal((300, 39))
    common = dict(quantiles=Q5, method="local_polynomial")
    a = DistributionalRDD(**common).fit(X, y, multipliers=xi)
    b = DistributionalRDD(**common).fit(X[perm], [y[i] for i in perm], multipliers=xi[perm])
    np.testing.assert_allclose(a.effect_, b.effect_)
    np.testing.assert_allclose(a.bandwidth_, b.bandwidth_)
    np.testing.assert_allclose(a.bootstrap_draws_, b.bootstrap_draws_, atol=1e-12)


# ------------------------------------------------------------------------- bandwidths


@pytest.mark.parametrize("method", ["frechet", "local_polynomial"])
def test_selected_bandwidth_is_equivariant(method):
    X, y, _ = _data(n=400, kind="skewed", seed=16)
    Q = _quantile_matrix(y, Q5)
    common = dict(method=method, quantiles=Q5, n_bootstrap=19, random_state=0)
    base = DistributionalRDD(**common).fit(X, Q)
    scaled_x = DistributionalRDD(cutoff=1.0, **common).fit(1.0 + 3.0 * X, Q)
    affine_y = DistributionalRDD(**common).fit(X, 2.0 * Q - 7.0)
    np.testing.assert_allclose(scaled_x.bandwidth_, 3.0 * np.asarray(base.bandwidth_), rtol=1e-8)
    np.testing.assert_allclose(scaled_x.effect_, base.effect_, rtol=1e-8)
    np.testing.assert_allclose(affine_y.bandwidth_, base.bandwidth_, rtol=1e-8)
    np.testing.assert_allclose(affine_y.effect_, 2.0 * base.effect_, rtol=1e-8)
    assert np.ndim(base.bandwidth_) == (0 if method == "frechet" else 1)


def test_coverage_correction_shrinks_by_the_rule_of_thumb_factor():
    X, y, _ = _data(n=500, seed=17)
    common = dict(quantiles=Q5, n_bootstrap=19, random_state=0)
    plain = DistributionalRDD(**common).fit(X, y)
    corrected = DistributionalRDD(coverage_correction=True, **common).fit(X, y)
    s = 1
    assert corrected.bandwidth_ == pytest.approx(plain.bandwidth_ * 500 ** (-s / ((2 * s + 3) * (s + 3))))


def test_pilot_kernel_changes_only_the_bandwidth_selection():
    X, y, _ = _data(n=400, kind="skewed", seed=18)
    common = dict(quantiles=Q5, n_bootstrap=19, random_state=0)
    default = DistributionalRDD(**common).fit(X, y)
    package = DistributionalRDD(pilot_kernel="triangular", **common).fit(X, y)
    assert default.bandwidth_ != package.bandwidth_
    fixed = DistributionalRDD(bandwidth=package.bandwidth_, **common).fit(X, y)
    np.testing.assert_allclose(fixed.effect_, package.effect_)


@pytest.mark.parametrize("selector", ["plug-in", "package"])
def test_selected_bandwidth_shrinks_with_curvature(selector):
    # the location design is linear in X at every quantile; bending it must shrink the window
    X, y, _ = make_distributional_rd(n_units=500, n_draws=50, effect=2.0, quantiles=Q5, random_state=19)
    Q = _quantile_matrix(y, Q5)
    bent = Q + 3.0 * np.sin(4.0 * X)
    common = dict(quantiles=Q5, bandwidth_selector=selector, n_bootstrap=19, random_state=0)
    linear = DistributionalRDD(**common).fit(X, Q)
    curved = DistributionalRDD(**common).fit(X, bent)
    assert curved.bandwidth_ < 0.8 * linear.bandwidth_
    assert np.max(np.abs(linear.effect_ - 2.0)) < 0.3 and np.max(np.abs(curved.effect_ - 2.0)) < 0.5


def test_package_selector_is_not_equivariant_but_plug_in_is():
    X, y, _ = _data(n=400, kind="skewed", seed=16)
    Q = _quantile_matrix(y, Q5)
    ratios = {}
    for selector in ("plug-in", "package"):
        common = dict(quantiles=Q5, bandwidth_selector=selector, n_bootstrap=19, random_state=0)
        ratios[selector] = DistributionalRDD(**common).fit(10 * X, Q).bandwidth_ / DistributionalRDD(**common).fit(
            X, Q
        ).bandwidth_
    assert ratios["plug-in"] == pytest.approx(10.0)
    assert abs(ratios["package"] - 10.0) > 1.0


# ------------------------------------------------------------------------------ tests


def test_tests_reject_and_accept_where_they_should():
    X, y, _ = _data(n=500, kind="location", effect=2.0, seed=20)
    shift = DistributionalRDD(quantiles=Q5, random_state=0).fit(X, y)
    assert shift.test("nullity").pvalue < 0.01
    assert shift.test("homogeneity").pvalue > 0.05
    X, y, _ = _data(n=500, kind="scale", effect=1.0, seed=21)
    scale = DistributionalRDD(quantiles=Q5, random_state=0).fit(X, y)
    assert scale.test("homogeneity").pvalue < 0.01
    assert scale.test("nullity", quantile_range=(0.45, 0.55)).pvalue > 0.05
    gini = shift.test("gini")
    assert gini.gini_above == pytest.approx(gini_from_quantiles(shift.mean_quantile_above_, Q5))
    assert gini.gini_below > gini.gini_above  # same spread around a larger mean
    X, y, _ = _data(n=500, kind="location", effect=0.0, seed=22)
    null = DistributionalRDD(quantiles=Q5, random_state=0).fit(X, y)
    assert null.test("nullity").pvalue > 0.05


def test_test_result_fields_follow_the_bootstrap_draws():
    X, y, _ = _data(n=300, seed=23)
    rdd = DistributionalRDD(quantiles=Q5, bandwidth=0.6, random_state=0).fit(X, y)
    result = rdd.test("homogeneity", quantile_range=(0.3, 0.7))
    inside = slice(1, 4)
    centred = rdd.bootstrap_draws_[:, inside] - rdd.bootstrap_draws_[:, inside].mean(axis=1, keepdims=True)
    sup = np.max(np.abs(centred), axis=1)
    tau = rdd.effect_[inside] - rdd.effect_[inside].mean()
    assert result.statistic == pytest.approx(np.max(np.abs(tau)))
    assert result.pvalue == pytest.approx(np.mean(sup >= result.statistic))
    assert result.kind == "homogeneity" and result.quantile_range == (0.3, 0.7)
    assert result.critical_value == np.sort(sup)[math.ceil(0.95 * 201) - 1]


def test_gini_from_quantiles_closed_forms():
    q = np.linspace(0.0005, 0.9995, 2000)
    assert gini_from_quantiles(q, q) == pytest.approx(1 / 3, abs=1e-3)
    assert gini_from_quantiles(-np.log1p(-q), q) == pytest.approx(0.5, abs=5e-3)
    assert gini_from_quantiles(np.full(q.size, 4.0), q) == pytest.approx(0.0, abs=1e-12)
    both = gini_from_quantiles(np.vstack([q, 2 * q]), q)
    np.testing.assert_allclose(both, [gini_from_quantiles(q, q)] * 2)
    with pytest.warns(RuntimeWarning, match="positive mean"):
        assert np.isnan(gini_from_quantiles(q - 1.0, q))


# -------------------------------------------------------------------------- display


def test_display_draws_effect_and_band():
    import matplotlib.pyplot as plt

    X, y, _ = _data(n=300, seed=24)
    rdd = DistributionalRDD(quantiles=Q5, random_state=0).fit(X, y)
    display = DistributionalRDDDisplay.from_estimator(rdd, name="R3D")
    np.testing.assert_array_equal(display.line_.get_ydata(), rdd.effect_)
    assert display.band_ is not None and display.line_.get_label() == "R3D"
    assert "95% uniform band" in [t.get_text() for t in display.ax_.get_legend().get_texts()]
    plt.close(display.figure_)
    with pytest.raises(Exception, match="not fitted"):
        DistributionalRDDDisplay.from_estimator(DistributionalRDD())


# ------------------------------------------------------------------------ bad input


def test_one_sided_running_variable_is_rejected():
    X, y, _ = _data(n=100, seed=25)
    with pytest.raises(ValueError, match="no unit below the cutoff"):
        DistributionalRDD().fit(np.abs(X), y)
    with pytest.raises(ValueError, match="no unit above the cutoff"):
        DistributionalRDD(cutoff=2.0).fit(X, y)


def test_too_few_units_in_the_window_names_side_and_bandwidth():
    X, y, _ = _data(n=100, seed=26)
    with pytest.raises(ValueError, match="above the cutoff at bandwidth=0.01"):
        DistributionalRDD(quantiles=Q5, bandwidth=0.01).fit(X, y)
    X = np.r_[X[:, 0][X[:, 0] < 0], [0.1, 0.2]][:, None]
    with pytest.raises(ValueError, match="Only 2 unit.*above"):
        DistributionalRDD(quantiles=Q5).fit(X, np.arange(X.shape[0], dtype=float))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_rejected(bad):
    X, y, _ = _data(n=100, seed=27)
    Xb = X.copy()
    Xb[3, 0] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        DistributionalRDD(quantiles=Q5).fit(Xb, y)
    yb = [s.copy() for s in y]
    yb[5][2] = bad
    with pytest.raises(ValueError, match=r"y\[5\] contains NaN or infinity"):
        DistributionalRDD(quantiles=Q5).fit(X, yb)
    Q = _quantile_matrix(y, Q5)
    Q[4, 2] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        DistributionalRDD(quantiles=Q5).fit(X, Q)


def test_quantile_matrix_must_be_non_decreasing_and_match_the_grid():
    X, y, _ = _data(n=100, seed=28)
    Q = _quantile_matrix(y, Q5)
    Q[7] = Q[7, ::-1]
    with pytest.raises(ValueError, match=r"non-decreasing; rows \[7\]"):
        DistributionalRDD(quantiles=Q5).fit(X, Q)
    with pytest.raises(ValueError, match="pass the matching levels"):
        DistributionalRDD().fit(X, _quantile_matrix(y, Q5))
    with pytest.raises(ValueError, match="5 quantile columns but quantiles has 3"):
        DistributionalRDD(quantiles=[0.2, 0.5, 0.8]).fit(X, _quantile_matrix(y, Q5))


@pytest.mark.parametrize(
    "quantiles, match",
    [([0.0, 0.5], "strictly between 0 and 1"), ([0.5, 1.2], "strictly between"),
     ([0.6, 0.4], "strictly increasing"), ([0.5], "at least 2 quantile levels"), ([[0.2, 0.4]], "1-D")],
)
def test_bad_quantile_grids(quantiles, match):
    X, y, _ = _data(n=100, seed=29)
    with pytest.raises(ValueError, match=match):
        DistributionalRDD(quantiles=quantiles).fit(X, y)


def test_single_level_is_allowed_for_local_polynomial():
    X, y, _ = _data(n=200, seed=30)
    rdd = DistributionalRDD(method="local_polynomial", quantiles=[0.5], random_state=0).fit(X, y)
    assert rdd.effect_.shape == (1,)
    with pytest.raises(ValueError, match="homogeneity test needs at least 2"):
        rdd.test("homogeneity")


def test_shapes_types_and_samples():
    X, y, _ = _data(n=100, seed=31)
    with pytest.raises(ValueError, match="one column"):
        DistributionalRDD().fit(np.hstack([X, X]), y)
    with pytest.raises(ValueError, match="y has 99 units but X has 100"):
        DistributionalRDD(quantiles=Q5).fit(X, y[:-1])
    with pytest.raises(ValueError, match="y has 99 rows but X has 100"):
        DistributionalRDD(quantiles=Q5).fit(X, np.ones(99))
    with pytest.raises(ValueError, match=r"y\[2\] is an empty sample"):
        DistributionalRDD(quantiles=Q5).fit(X, y[:2] + [np.array([])] + y[3:])
    with pytest.raises(TypeError, match=r"y\[1\] must be a numeric sample"):
        DistributionalRDD(quantiles=Q5).fit(X, [y[0], ["a", "b"]] + y[2:])
    with pytest.raises(ValueError, match="target y is None"):
        DistributionalRDD().fit(X, None)
    with pytest.raises(TypeError, match="[Ss]parse"):
        import scipy.sparse as sp

        DistributionalRDD().fit(sp.csr_matrix(X), np.ones(100))


def test_bad_treatment_and_degenerate_first_stage():
    X, y, _ = _data(n=200, seed=32)
    with pytest.raises(ValueError, match="0/1 indicator"):
        DistributionalRDD(quantiles=Q5).fit(X, y, treatment=np.full(200, 0.5))
    with pytest.raises(ValueError, match="treatment must be 1-D with 200"):
        DistributionalRDD(quantiles=Q5).fit(X, y, treatment=np.ones(10))
    with pytest.warns(RuntimeWarning, match="first-stage jump"):
        rdd = DistributionalRDD(quantiles=Q5, bandwidth_treatment=0.5, random_state=0).fit(
            X, y, treatment=np.ones(200)
        )
    assert np.all(np.isnan(rdd.effect_)) and rdd.first_stage_jump_ == pytest.approx(0.0, abs=1e-12)


def test_bootstrap_size_and_multiplier_checks():
    X, y, _ = _data(n=100, seed=33)
    with pytest.raises(ValueError, match="too few for alpha=0.05.*at least 19"):
        DistributionalRDD(quantiles=Q5, n_bootstrap=10).fit(X, y)
    DistributionalRDD(quantiles=Q5, n_bootstrap=19, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="multipliers must have 100 rows"):
        DistributionalRDD(quantiles=Q5).fit(X, y, multipliers=np.ones((50, 40)))


def test_bad_parameters():
    X, y, _ = _data(n=100, seed=34)
    with pytest.raises(InvalidParameterError, match="method"):
        DistributionalRDD(method="simple").fit(X, y)
    with pytest.raises(InvalidParameterError, match="kernel"):
        DistributionalRDD(kernel="gaussian").fit(X, y)
    with pytest.raises(ValueError, match='needs method="local_polynomial"'):
        DistributionalRDD(quantiles=Q5, bandwidth=[0.5] * 5).fit(X, y)
    with pytest.raises(ValueError, match="must hold 5 positive values"):
        DistributionalRDD(method="local_polynomial", quantiles=Q5, bandwidth=[0.5] * 4).fit(X, y)
    rdd = DistributionalRDD(quantiles=Q5, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="kind must be"):
        rdd.test("normality")
    with pytest.raises(ValueError, match="holds 0 of the fitted"):
        rdd.test("nullity", quantile_range=(0.91, 0.99))
    with pytest.raises(ValueError, match="pair"):
        rdd.test("nullity", quantile_range=0.5)


# ----------------------------------------------------- what the exempted checks check


def test_fit_is_idempotent_keeps_inputs_and_pickles():
    X, y, _ = _data(n=200, seed=35)
    Q = _quantile_matrix(y, Q5)
    X0, Q0, y0 = X.copy(), Q.copy(), [s.copy() for s in y]
    rdd = DistributionalRDD(quantiles=Q5, random_state=0)
    first = rdd.fit(X, Q).effect_.copy()
    first_draws = rdd.bootstrap_draws_.copy()
    rdd.fit(X, Q)
    rdd.fit(X, y)
    np.testing.assert_array_equal(rdd.fit(X, Q).effect_, first)
    np.testing.assert_array_equal(rdd.bootstrap_draws_, first_draws)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Q, Q0)
    assert all(np.array_equal(a, b) for a, b in zip(y, y0))
    clone = pickle.loads(pickle.dumps(rdd))
    np.testing.assert_array_equal(clone.band_upper_, rdd.band_upper_)
    assert rdd.get_params()["quantiles"] is not None and rdd.n_features_in_ == 1


def test_per_level_windows_by_blocks_match_one_block(monkeypatch):
    import skpapers.causal._r3d as module

    X, y, _ = _data(n=200, seed=36)
    h = np.array([0.4, 0.5, 0.6, 0.7, 0.8])
    common = dict(method="local_polynomial", quantiles=Q5, bandwidth=h, n_bootstrap=19, random_state=0)
    whole = DistributionalRDD(**common).fit(X, y)
    monkeypatch.setattr(module, "_MAX_BLOCK", 200 * 3 * 2)  # two levels per block
    blocks = DistributionalRDD(**common).fit(X, y)
    np.testing.assert_allclose(blocks.coef_above_, whole.coef_above_)
    np.testing.assert_allclose(blocks.intercept_weights_below_, whole.intercept_weights_below_)
    np.testing.assert_allclose(blocks.bootstrap_draws_, whole.bootstrap_draws_)


@settings(max_examples=40, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 15), min_size=1, max_size=12),
    levels=st.lists(st.floats(0.001, 0.999), min_size=1, max_size=6, unique=True),
    seed=st.integers(0, 2**31 - 1),
)
def test_unit_quantiles_equal_numpy_linear_quantiles(lengths, levels, seed):
    from skpapers.causal._r3d import _unit_quantiles

    rng = np.random.RandomState(seed)
    samples = [np.round(rng.normal(size=m), 1) for m in lengths]  # ties included
    q = np.sort(np.asarray(levels))
    np.testing.assert_allclose(_unit_quantiles(samples, q), _quantile_matrix(samples, q), atol=1e-12)
