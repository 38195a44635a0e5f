import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import config_context
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import cross_validate
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sksurv.datasets import load_veterans_lung_cancer
from sksurv.linear_model import IPCRidge
from sksurv.nonparametric import ipc_weights, kaplan_meier_estimator
from sksurv.util import Surv

import skpapers.survival._km_erm as km_module
from skpapers.datasets import make_censored_regression
from skpapers.survival import KaplanMeierWeightedRegressor, beran_censoring_weights, kaplan_meier_censoring_weights


def _log_ridge(alpha=1.0):
    return TransformedTargetRegressor(Ridge(alpha=alpha), func=np.log, inverse_func=np.exp)


@pytest.fixture
def data():
    return make_censored_regression(n_samples=300, n_features=3, random_state=0)


def _tied(seed=0, n=60):
    """Small data with many tied times, ties between events and censorings included."""
    rng = np.random.RandomState(seed)
    time = rng.randint(1, 8, size=n).astype(float)
    event = rng.rand(n) < 0.6
    event[np.argmax(time)] = True
    X = rng.normal(size=(n, 2))
    return X, time, event


def _left_km_by_formula(time, event):
    """G(t-) = prod over distinct censoring times s < t of 1 - c_s / (N_s - d_s)."""
    G = np.ones(time.shape[0])
    for i, t in enumerate(time):
        for s in np.unique(time[~event]):
            if s < t:
                at_risk = np.sum(time >= s) - np.sum((time == s) & event)
                G[i] *= 1 - np.sum((time == s) & ~event) / at_risk
    return G


def _beran_by_loop(X, time, event, bandwidth):
    """The spec's Beran product, one query row at a time, tied censorings grouped."""
    Z = (X - X.mean(0)) / X.std(0)
    w = np.zeros(time.shape[0])
    for i in np.flatnonzero(event):
        K = np.exp(-0.5 * np.sum((Z - Z[i]) ** 2, axis=1) / bandwidth**2)
        G = 1.0
        for s in np.unique(time[~event]):
            if s < time[i]:
                # events at s leave before censorings at s
                at_risk = K[(time > s) | ((time == s) & ~event)].sum()
                G *= 1 - K[(time == s) & ~event].sum() / at_risk
        w[i] = 1 / G
    return w


# ---- oracles ---------------------------------------------------------------


def test_km_weights_equal_scikit_survival_ipc_weights(data):
    _, y = data
    ours = kaplan_meier_censoring_weights(y["time"], y["event"])
    np.testing.assert_allclose(ours, ipc_weights(y["event"], y["time"]), rtol=1e-12)


def test_km_weights_are_stute_jumps_of_the_duration_kaplan_meier(data):
    _, y = data
    w = kaplan_meier_censoring_weights(y["time"], y["event"])
    times, surv = kaplan_meier_estimator(y["event"], y["time"])
    jumps = -np.diff(np.concatenate(([1.0], surv)))
    idx = np.searchsorted(times, y["time"][y["event"]])
    np.testing.assert_allclose(w[y["event"]] / len(y), jumps[idx], rtol=1e-10)
    assert np.all(w[~y["event"]] == 0)


def test_km_weights_with_ties_follow_events_before_censorings():
    _, time, event = _tied()
    w = kaplan_meier_censoring_weights(time, event)
    expected = np.where(event, 1 / _left_km_by_formula(time, event), 0.0)
    np.testing.assert_allclose(w, expected, rtol=1e-12)


def test_km_weights_hand_example():
    # censored at 2 with 4 at risk (factor 3/4) and at 4 with 2 at risk (factor 1/2)
    w = kaplan_meier_censoring_weights([1, 2, 3, 4, 5], [1, 0, 1, 0, 1])
    np.testing.assert_allclose(w, [1, 0, 4 / 3, 0, 1 / (0.75 * 0.5)])


def test_estimator_reproduces_ipcridge(data):
    X, y = data
    for alpha in (0.1, 1.0, 10.0):
        peer = IPCRidge(alpha=alpha).fit(X, y)
        ours = KaplanMeierWeightedRegressor(_log_ridge(alpha)).fit(X, y)
        np.testing.assert_allclose(ours.estimator_.regressor_.coef_, peer.coef_, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.estimator_.regressor_.intercept_, peer.intercept_, rtol=1e-8)
        np.testing.assert_allclose(ours.predict(X), peer.predict(X), rtol=1e-8)


@pytest.mark.parametrize("n_features", [2, 10])  # both distance computations
def test_beran_matches_direct_loop_with_ties(n_features):
    _, time, event = _tied(seed=1)
    X = np.random.RandomState(1).normal(size=(time.shape[0], n_features))
    for bandwidth in (0.3, 1.0, 3.0):
        ours = beran_censoring_weights(X, time, event, bandwidth=bandwidth)
        np.testing.assert_allclose(ours, _beran_by_loop(X, time, event, bandwidth), rtol=1e-10)


def test_beran_limits():
    X, time, event = _tied(seed=2)
    # infinite bandwidth: every row counts fully, the marginal Kaplan-Meier
    np.testing.assert_allclose(
        beran_censoring_weights(X, time, event, bandwidth=np.inf), kaplan_meier_censoring_weights(time, event)
    )
    # vanishing bandwidth: each row sees only itself, nothing censored before it
    np.testing.assert_allclose(beran_censoring_weights(X, time, event, bandwidth=1e-3), event.astype(float))


def test_beran_blocks_do_not_change_the_result(monkeypatch):
    X, time, event = _tied(seed=3, n=200)
    full = beran_censoring_weights(X, time, event, bandwidth=0.5)
    monkeypatch.setattr(km_module, "_BERAN_BLOCK", 7 * 200)  # 7 rows per block
    np.testing.assert_array_equal(beran_censoring_weights(X, time, event, bandwidth=0.5), full)


def test_fully_observed_durations_reduce_to_plain_erm(data):
    X, y = data
    ours = KaplanMeierWeightedRegressor().fit(X, y["time"])
    plain = LinearRegression().fit(X, y["time"])
    np.testing.assert_allclose(ours.weights_, 1.0)
    np.testing.assert_allclose(ours.predict(X), plain.predict(X))


# ---- behaviour ---------------------------------------------------------------


@pytest.mark.parametrize("censoring", ["kaplan-meier", "beran"])
def test_integer_sample_weight_equals_repeated_rows(censoring):
    X, time, event = _tied(seed=4)
    sw = np.random.RandomState(0).randint(0, 4, size=time.shape[0])
    y = np.column_stack([time, event])
    kw = {"censoring": censoring, "bandwidth": 0.7}
    weighted = KaplanMeierWeightedRegressor(**kw).fit(X, y, sample_weight=sw)
    rep = np.repeat(np.arange(time.shape[0]), sw)
    # the kernel standardization uses the design, so give Beran the same one
    repeated = KaplanMeierWeightedRegressor(**kw).fit(X[rep], y[rep])
    if censoring == "beran":
        direct = beran_censoring_weights(X, time, event, bandwidth=0.7, sample_weight=sw)
        np.testing.assert_allclose(weighted.weights_, direct)
        # the repeated design standardizes differently: compare on the same standardized rows
        Z = km_module._standardize(X)
        surv = km_module._beran_censoring(Z[rep], time[rep], event[rep], np.ones(rep.size), 0.7)
        np.testing.assert_allclose(weighted.weights_[rep] / sw[rep], np.where(event[rep], 1 / surv, 0))
    else:
        np.testing.assert_allclose(weighted.weights_[rep] / sw[rep], repeated.weights_)
        np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-8)


@pytest.mark.parametrize(
    "layout",
    [
        lambda t, e: Surv.from_arrays(e, t),
        lambda t, e: Surv.from_arrays(e, t, name_event="dead", name_time="days"),
        lambda t, e: np.column_stack([t, e]),
        lambda t, e: pd.DataFrame({"time": t, "event": e.astype(int)}),
    ],
)
def test_target_layouts_agree(data, layout):
    X, y = data
    ref = KaplanMeierWeightedRegressor().fit(X, y)
    ours = KaplanMeierWeightedRegressor().fit(X, layout(y["time"], y["event"]))
    np.testing.assert_allclose(ours.predict(X), ref.predict(X))


def test_drop_censored_false_gives_the_same_linear_fit(data):
    X, y = data
    dropped = KaplanMeierWeightedRegressor(drop_censored=True).fit(X, y)
    kept = KaplanMeierWeightedRegressor(drop_censored=False).fit(X, y)
    np.testing.assert_allclose(kept.estimator_.coef_, dropped.estimator_.coef_, rtol=1e-8)
    np.testing.assert_array_equal(kept.weights_, dropped.weights_)


def test_drop_censored_controls_the_rows_the_regressor_sees(data):
    X, y = data
    dropped = KaplanMeierWeightedRegressor(_Recorder(), drop_censored=True).fit(X, y)
    kept = KaplanMeierWeightedRegressor(_Recorder(), drop_censored=False).fit(X, y)
    assert dropped.estimator_.n_rows_ == y["event"].sum() and kept.estimator_.n_rows_ == len(y)
    np.testing.assert_array_equal(kept.estimator_.sample_weight_, kept.weights_)
    # a forest draws censored rows into its bootstraps when they are kept
    forest = RandomForestRegressor(n_estimators=5, random_state=0)
    a = KaplanMeierWeightedRegressor(forest, drop_censored=True).fit(X, y).predict(X)
    b = KaplanMeierWeightedRegressor(forest, drop_censored=False).fit(X, y).predict(X)
    assert not np.allclose(a, b)


def test_fitted_attributes(data):
    X, y = data
    km = KaplanMeierWeightedRegressor().fit(X, y)
    times, surv = kaplan_meier_estimator(y["event"], y["time"], reverse=True)
    jumps = np.flatnonzero(np.diff(np.concatenate(([1.0], surv))) < 0)
    np.testing.assert_allclose(km.censoring_times_, times[jumps])
    np.testing.assert_allclose(km.censoring_survival_, surv[jumps])
    assert km.weights_.shape == (len(y),) and km.n_features_in_ == 3
    assert abs(km.weights_.mean() - 1) < 0.15
    beran = KaplanMeierWeightedRegressor(censoring="beran").fit(X, y)
    assert beran.bandwidth_ == pytest.approx(len(y) ** (-1 / 7))
    assert not hasattr(beran, "censoring_times_")


def test_max_weight_caps_and_large_weights_warn():
    X = np.arange(6.0)[:, None]
    y = np.column_stack([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [1, 0, 0, 0, 0, 1]])
    with pytest.warns(UserWarning, match="max_weight"):
        free = KaplanMeierWeightedRegressor().fit(X, y)
    assert free.weights_[-1] == pytest.approx(5.0)  # G(6-) = 4/5 * 3/4 * 2/3 * 1/2 = 1/5
    with pytest.warns(UserWarning, match="max_weight"):  # 2 of 3 is still large
        capped = KaplanMeierWeightedRegressor(max_weight=2.0).fit(X, y)
    np.testing.assert_allclose(capped.weights_, [1, 0, 0, 0, 0, 2])


def test_inputs_are_not_modified(data):
    X, y = data
    X0, y0 = X.copy(), y.copy()
    sw = np.ones(len(y))
    KaplanMeierWeightedRegressor(censoring="beran").fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(sw, 1.0)


def test_score_is_ipcw_r2_for_censored_y(data):
    X, y = data
    reg = KaplanMeierWeightedRegressor().fit(X, y)
    w = ipc_weights(y["event"], y["time"])
    e = y["event"]
    assert reg.score(X, y) == pytest.approx(r2_score(y["time"][e], reg.predict(X[e]), sample_weight=w[e]))
    assert reg.score(X, y["time"]) == pytest.approx(r2_score(y["time"], reg.predict(X)))


def test_dataframe_with_categories_through_a_pipeline():
    X, y = load_veterans_lung_cancer()
    categorical = ["Celltype", "Prior_therapy", "Treatment"]
    pipe = make_pipeline(
        ColumnTransformer([("cat", OneHotEncoder(), categorical)], remainder=StandardScaler()), Ridge(alpha=1.0)
    )
    reg = KaplanMeierWeightedRegressor(pipe).fit(X, y)
    assert reg.predict(X).shape == (len(y),)
    assert list(reg.feature_names_in_) == list(X.columns)
    # the pipeline's last step received the censoring weights
    manual = pipe.fit(X[y["Status"]], y["Survival_in_days"][y["Status"]], ridge__sample_weight=reg.weights_[y["Status"]])
    np.testing.assert_allclose(reg.predict(X), manual.predict(X))


# ---- metadata routing --------------------------------------------------------


class _Recorder(RegressorMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None, extra=None):
        self.sample_weight_, self.extra_, self.n_rows_ = sample_weight, extra, len(X)
        self.mean_ = np.average(y, weights=sample_weight)
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_fit_params_pass_through_without_routing(data):
    X, y = data
    reg = KaplanMeierWeightedRegressor(_Recorder()).fit(X, y, extra="x")
    assert reg.estimator_.extra_ == "x"
    np.testing.assert_allclose(reg.estimator_.sample_weight_, reg.weights_[y["event"]])


def test_metadata_routing(data):
    X, y = data
    sw = np.random.RandomState(0).uniform(0.5, 2, size=len(y))
    with config_context(enable_metadata_routing=True):
        reg = KaplanMeierWeightedRegressor(_Recorder().set_fit_request(extra=True))
        reg.fit(X, y, sample_weight=sw, extra=3)
        assert reg.estimator_.extra_ == 3
        # the regressor gets the censoring weights (user weights folded in), not the raw user weights
        np.testing.assert_allclose(reg.estimator_.sample_weight_, reg.weights_[y["event"]])
        np.testing.assert_allclose(reg.weights_, kaplan_meier_censoring_weights(y["time"], y["event"], sample_weight=sw))

        # a nested meta-estimator: its own regressor must request sample_weight
        nested = TransformedTargetRegressor(Ridge().set_fit_request(sample_weight=True), func=np.log, inverse_func=np.exp)
        routed = KaplanMeierWeightedRegressor(nested).fit(X, y)
        # user weights routed from a cross-validation to this estimator
        scores = cross_validate(
            KaplanMeierWeightedRegressor().set_fit_request(sample_weight=True).set_score_request(sample_weight=True),
            X,
            y,
            params={"sample_weight": sw},
            cv=3,
        )
        assert np.isfinite(scores["test_score"]).all()
    np.testing.assert_allclose(routed.predict(X), IPCRidge().fit(X, y).predict(X), rtol=1e-8)


# ---- bad input -----------------------------------------------------------------


def test_regressor_without_sample_weight_is_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="KNeighborsRegressor does not accept sample_weight"):
        KaplanMeierWeightedRegressor(KNeighborsRegressor()).fit(X, y)
    with pytest.raises(ValueError, match="does not accept sample_weight"):
        KaplanMeierWeightedRegressor(make_pipeline(StandardScaler(), KNeighborsRegressor())).fit(X, y)


@pytest.mark.parametrize(
    "make_y, error, match",
    [
        (lambda t, e: np.column_stack([t, np.where(e, 2, 0)]), ValueError, "event indicator"),
        (lambda t, e: np.column_stack([t, np.zeros_like(t)]), ValueError, "censored"),
        (lambda t, e: np.column_stack([np.where(e, np.nan, t), e]), ValueError, "NaN"),
        (lambda t, e: np.column_stack([np.where(e, np.inf, t), e]), ValueError, "infinity"),
        (lambda t, e: np.column_stack([t, e])[:-1], ValueError, "inconsistent numbers of samples"),
        (lambda t, e: None, ValueError, "requires y"),
    ],
)
def test_bad_targets(data, make_y, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        KaplanMeierWeightedRegressor().fit(X, make_y(y["time"], y["event"]))


def test_negative_times_warn(data):
    X, y = data
    with pytest.warns(UserWarning, match="negative times"):
        KaplanMeierWeightedRegressor().fit(X, np.column_stack([y["time"] - 1, y["event"]]))


def test_bad_parameters_and_weights(data):
    X, y = data
    with pytest.raises(InvalidParameterError, match="censoring"):
        KaplanMeierWeightedRegressor(censoring="cox").fit(X, y)
    with pytest.raises(InvalidParameterError, match="bandwidth"):
        KaplanMeierWeightedRegressor(censoring="beran", bandwidth=-1.0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="max_weight"):
        KaplanMeierWeightedRegressor(max_weight=0).fit(X, y)
    with pytest.raises(ValueError, match="non-negative"):
        KaplanMeierWeightedRegressor().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="length"):
        KaplanMeierWeightedRegressor().fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="zero on every uncensored row"):
        KaplanMeierWeightedRegressor().fit(X, y, sample_weight=(~y["event"]).astype(float))
    Xnan = X.copy()
    Xnan[np.argmax(y["event"]), 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        KaplanMeierWeightedRegressor(censoring="beran").fit(Xnan, y)
    with pytest.raises(ValueError, match="NaN"):
        KaplanMeierWeightedRegressor().fit(Xnan, y)  # raised by the regressor


def test_weight_functions_validate():
    with pytest.raises(ValueError, match="censored"):
        kaplan_meier_censoring_weights([1, 2], [0, 0])
    with pytest.raises(ValueError, match="event indicator"):
        kaplan_meier_censoring_weights([1, 2], [1, 3])
    with pytest.raises(ValueError, match="inconsistent"):
        kaplan_meier_censoring_weights([1, 2, 3], [1, 0])
    with pytest.raises(ValueError, match="NaN"):
        kaplan_meier_censoring_weights([1, np.nan], [1, 0])
    with pytest.raises(ValueError, match="inconsistent"):
        beran_censoring_weights(np.ones((3, 2)), [1, 2], [1, 0])


def test_constant_feature_and_single_event():
    X = np.column_stack([np.ones(5), np.arange(5.0)])
    y = np.column_stack([[1.0, 2, 3, 4, 5], [0, 0, 1, 0, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # one row holds all the weight
        reg = KaplanMeierWeightedRegressor(censoring="beran").fit(X, y)
    assert np.isfinite(reg.weights_).all() and reg.weights_[2] > 1


# ---- properties ------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), bandwidth=st.sampled_from([0.5, 2.0, np.inf]))
def test_weights_are_permutation_equivariant(seed, bandwidth):
    X, time, event = _tied(seed=seed, n=30)
    perm = np.random.RandomState(seed).permutation(30)
    w = beran_censoring_weights(X, time, event, bandwidth=bandwidth)
    np.testing.assert_allclose(beran_censoring_weights(X[perm], time[perm], event[perm], bandwidth=bandwidth), w[perm])
    assert (w >= 0).all() and (w[event] >= 1).all() and (w[~event] == 0).all()


def test_sparse_and_dataframe_inputs_give_the_dense_fit(data):
    import scipy.sparse as sp

    X, y = data
    dense = KaplanMeierWeightedRegressor().fit(X, y).predict(X)
    for container in (sp.csr_matrix, sp.coo_matrix, sp.csc_array):
        np.testing.assert_allclose(KaplanMeierWeightedRegressor().fit(container(X), y).predict(container(X)), dense)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    reg = KaplanMeierWeightedRegressor(censoring="beran").fit(frame, y)
    np.testing.assert_allclose(reg.predict(frame), KaplanMeierWeightedRegressor(censoring="beran").fit(X, y).predict(X))
    with pytest.raises(TypeError, match="Sparse data"):
        KaplanMeierWeightedRegressor(censoring="beran").fit(sp.csr_matrix(X), y)


@pytest.mark.parametrize("censoring", ["kaplan-meier", "beran"])
def test_zero_weight_rows_stay_finite(censoring):
    # with the last row weightless, nothing of weight is at risk after the censoring at 2: G(3-) = 0
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.column_stack([[1.0, 2.0, 3.0, 0.5], [1, 0, 1, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        reg = KaplanMeierWeightedRegressor(censoring=censoring).fit(X, y, sample_weight=[1, 1, 0, 1])
    np.testing.assert_array_equal(reg.weights_, [1, 0, 0, 1])
