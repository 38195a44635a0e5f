"""EffectClusterMixture: least-squares limit, recovery, routing, bad input."""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn import config_context
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.causal import EffectClusterMixture
from skpapers.datasets import make_effect_clusters


@pytest.fixture(scope="module")
def data():
    return make_effect_clusters(n_samples=1500, random_state=0)


@pytest.fixture(scope="module")
def fitted(data):
    X, y, t, _ = data
    return EffectClusterMixture(n_init=2, random_state=0).fit(X, y, treatment=t)


def test_one_cluster_with_one_variance_is_ols_with_a_treatment_term(data):
    X, y, t, _ = data
    model = EffectClusterMixture(1, variance="cluster", tol=1e-12).fit(X, y, treatment=t)
    ols = sm.OLS(y, sm.add_constant(np.column_stack([X, t]))).fit()
    np.testing.assert_allclose(model.baseline_intercept_, ols.params[0], rtol=1e-9)
    np.testing.assert_allclose(model.baseline_coef_, ols.params[1:-1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model.cluster_effects_, [ols.params[-1]], rtol=1e-9)
    np.testing.assert_allclose(model.control_scale_**2, [ols.ssr / len(y)], rtol=1e-9)
    assert model.log_likelihood_ == pytest.approx(ols.llf / len(y), rel=1e-10)
    np.testing.assert_allclose(model.predict_proba(X[:3]), 1.0)


def test_one_cluster_with_arm_variances_is_iterated_wls(data):
    X, y, t, _ = (a[:500] for a in data)
    y = y + t * np.random.default_rng(0).normal(scale=2.0, size=y.size)  # treated arm noisier
    model = EffectClusterMixture(1, tol=1e-14, max_iter=1000).fit(X, y, treatment=t)
    design = sm.add_constant(np.column_stack([X, t]))
    variances = np.array([1.0, 1.0])
    for _ in range(200):  # feasible GLS iterated to its fixed point is the Gaussian MLE
        fit = sm.WLS(y, design, weights=1.0 / variances[t]).fit()
        resid = y - fit.fittedvalues
        variances = np.array([np.mean(resid[t == 0] ** 2), np.mean(resid[t == 1] ** 2)])
    np.testing.assert_allclose(model.cluster_effects_, [fit.params[-1]], rtol=1e-7)
    np.testing.assert_allclose(model.baseline_coef_, fit.params[1:-1], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose([model.control_scale_[0] ** 2, model.treated_scale_[0] ** 2], variances, rtol=1e-7)


def test_recovers_planted_effect_clusters(data, fitted):
    X, y, t, types = data
    np.testing.assert_allclose(fitted.cluster_effects_, [-1.0, 2.0], atol=0.2)
    assert fitted.gating_coef_[0, 1] == pytest.approx(2.0, abs=0.4)
    np.testing.assert_allclose(fitted.gating_coef_[1:, 1], 0.0, atol=0.3)
    assert fitted.baseline_coef_[1] == pytest.approx(0.5, abs=0.1)
    p1 = 1.0 / (1.0 + np.exp(-2.0 * X[:, 0]))
    bayes = np.mean(np.maximum(p1, 1 - p1))
    assert np.mean(fitted.predict_cluster(X) == types) > bayes - 0.03
    assert fitted.converged_ and np.all(np.diff(fitted.log_likelihood_trace_) > -1e-9)


def test_prediction_methods_are_consistent(data, fitted):
    X, y, t, _ = data
    proba = fitted.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    effect, std = fitted.predict(X, return_std=True)
    np.testing.assert_allclose(effect, proba @ fitted.cluster_effects_)
    np.testing.assert_allclose(std**2, proba @ fitted.cluster_effects_**2 - effect**2, atol=1e-12)
    assert fitted.ate_ == pytest.approx(effect.mean())
    resp = fitted.posterior_proba(X, y, t)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0)
    # responsibilities use the outcome: treated units are typed better than by the gating alone
    assert fitted.score(X, y, t) == pytest.approx(fitted.log_likelihood_, abs=1e-6)
    assert fitted.dim_ate_ == pytest.approx(y[t == 1].mean() - y[t == 0].mean())


def test_causal_penalty_ties_model_ate_to_difference_in_means(data):
    X, y, t, _ = data
    free = EffectClusterMixture(n_init=1, random_state=0).fit(X[:600], y[:600], treatment=t[:600])
    tied = EffectClusterMixture(n_init=1, causal_penalty=10.0, random_state=0).fit(X[:600], y[:600], treatment=t[:600])
    assert abs(tied.ate_ - tied.dim_ate_) < 1e-2
    assert abs(tied.ate_ - tied.dim_ate_) < abs(free.ate_ - free.dim_ate_)


def test_covariates_are_partialled_out(data):
    X, y, t, _ = data
    covariates = np.random.default_rng(1).normal(size=(y.size, 2))
    shifted = y + covariates @ [3.0, -2.0]
    model = EffectClusterMixture(n_init=1, random_state=0).fit(X, shifted, treatment=t, covariates=covariates)
    design = sm.add_constant(covariates)
    residualised = shifted - design @ np.linalg.lstsq(design, shifted, rcond=None)[0] + shifted.mean()
    manual = EffectClusterMixture(n_init=1, random_state=0).fit(X, residualised, treatment=t)
    np.testing.assert_allclose(model.cluster_effects_, manual.cluster_effects_, rtol=1e-8)


def test_integer_weights_equal_repeated_rows(data):
    X, y, t, _ = data
    X, y, t = X[:300], y[:300], t[:300]
    weights = np.random.default_rng(0).integers(1, 3, size=300)
    est = EffectClusterMixture(n_init=1, tol=1e-12, max_iter=500, random_state=0)
    weighted = clone(est).fit(X, y, treatment=t, sample_weight=weights)
    repeated = clone(est).fit(np.repeat(X, weights, 0), np.repeat(y, weights), treatment=np.repeat(t, weights))
    np.testing.assert_allclose(weighted.cluster_effects_, repeated.cluster_effects_, rtol=1e-5)
    np.testing.assert_allclose(weighted.gating_coef_, repeated.gating_coef_, rtol=1e-4, atol=1e-6)


def test_treatment_is_routed_through_pipeline_and_grid_search(data):
    X, y, t, _ = data
    X, y, t = X[:400], y[:400], t[:400]
    with config_context(enable_metadata_routing=True):
        est = EffectClusterMixture(n_init=1, random_state=0).set_fit_request(treatment=True)
        est = est.set_score_request(treatment=True)
        pipe = make_pipeline(StandardScaler(), est).fit(X, y, treatment=t)
        direct = clone(est).fit(StandardScaler().fit_transform(X), y, treatment=t)
        np.testing.assert_allclose(pipe[-1].cluster_effects_, direct.cluster_effects_)
        search = GridSearchCV(est, {"n_clusters": [1, 2]}, cv=3).fit(X, y, treatment=t)
    assert search.best_params_["n_clusters"] == 2


def test_same_seed_same_fit_and_row_order_invariance(data):
    X, y, t, _ = data
    X, y, t = X[:500], y[:500], t[:500]
    a = EffectClusterMixture(n_init=2, random_state=3).fit(X, y, treatment=t)
    b = EffectClusterMixture(n_init=2, random_state=3).fit(X, y, treatment=t)
    np.testing.assert_array_equal(a.cluster_effects_, b.cluster_effects_)
    order = np.random.default_rng(0).permutation(500)
    c = EffectClusterMixture(n_init=2, random_state=3).fit(X[order], y[order], treatment=t[order])
    np.testing.assert_allclose(a.cluster_effects_, c.cluster_effects_, rtol=1e-5)


def test_superfluous_clusters_stay_finite():
    # no heterogeneity at all: three types for one effect level
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    t = rng.integers(0, 2, 400)
    y = X[:, 0] + 1.5 * t + rng.normal(size=400)
    model = EffectClusterMixture(3, n_init=1, max_iter=60, random_state=0)
    with warnings.catch_warnings():
        # three types for one effect level is a flat likelihood: EM may crawl, and that is not the point here
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y, treatment=t)
    for name in ("cluster_effects_", "control_scale_", "treated_scale_", "gating_coef_"):
        assert np.all(np.isfinite(getattr(model, name))), name
    assert model.ate_ == pytest.approx(1.5, abs=0.3)


@pytest.mark.parametrize(
    "treatment, match",
    [
        (None, "treatment is required"),
        (np.full(100, 2.0), "binary"),
        (np.linspace(0, 1, 100), "binary"),
        (np.zeros(100), "both treated"),
        (np.ones(100), "both treated"),
        (np.zeros(99), "100 entries"),
    ],
)
def test_bad_treatment(treatment, match):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=match):
        EffectClusterMixture().fit(rng.normal(size=(100, 2)), rng.normal(size=100), treatment=treatment)


def test_bad_inputs():
    rng = np.random.default_rng(0)
    X, y, t = rng.normal(size=(100, 2)), rng.normal(size=100), rng.integers(0, 2, 100)
    y_nan = y.copy()
    y_nan[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        EffectClusterMixture().fit(X, y_nan, treatment=t)
    t_nan = t.astype(float)
    t_nan[0] = np.nan
    with pytest.raises(ValueError, match="treatment"):
        EffectClusterMixture().fit(X, y, treatment=t_nan)
    with pytest.raises(ValueError, match="more units than mean parameters"):
        EffectClusterMixture().fit(rng.normal(size=(10, 20)), y[:10], treatment=t[:10])
    with pytest.raises(ValueError, match="covariates must have 100 rows"):
        EffectClusterMixture().fit(X, y, treatment=t, covariates=np.ones((99, 1)))
    with pytest.raises(InvalidParameterError, match="variance"):
        EffectClusterMixture(variance="pooled").fit(X, y, treatment=t)
    with pytest.raises(InvalidParameterError, match="n_clusters"):
        EffectClusterMixture(0).fit(X, y, treatment=t)
    X_copy, y_copy = X.copy(), y.copy()
    EffectClusterMixture(n_init=1).fit(X, y, treatment=t)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
