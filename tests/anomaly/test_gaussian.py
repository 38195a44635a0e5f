"""GaussianAnomalyDetector against sklearn's covariance estimators, PCA and the chi-square law."""

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2, kstest
from scipy.stats import f as f_law
from sklearn.covariance import OAS, EmpiricalCovariance, LedoitWolf, MinCovDet, ShrunkCovariance
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.anomaly import GaussianAnomalyDetector


def _correlated(n_samples, n_features, seed=0):
    rng = np.random.default_rng(seed)
    mixing = rng.standard_normal((n_features, n_features)) / np.sqrt(n_features) + np.eye(n_features)
    return rng.standard_normal((n_samples, n_features)) @ mixing.T + rng.standard_normal(n_features)


# --- oracle: sklearn's covariance estimators (their mahalanobis is SQUARED) -----------------------------


@pytest.mark.parametrize(
    "covariance, peer",
    [
        ("ledoit_wolf", LedoitWolf()),
        ("oas", OAS()),
        ("empirical", EmpiricalCovariance()),
        (0.3, ShrunkCovariance(shrinkage=0.3)),
        ("mcd", MinCovDet(random_state=0)),
    ],
)
def test_squared_distances_equal_sklearn_mahalanobis(covariance, peer):
    X = _correlated(300, 8)
    X_test = _correlated(100, 8, seed=1) * 1.5
    detector = GaussianAnomalyDetector(covariance=covariance, random_state=0).fit(X)
    peer.fit(X)
    np.testing.assert_allclose(detector.mahalanobis(X_test) ** 2, peer.mahalanobis(X_test), rtol=1e-10)
    np.testing.assert_allclose(detector.covariance_, peer.covariance_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(detector.location_, peer.location_, rtol=1e-12)
    np.testing.assert_allclose(detector.precision_, np.linalg.inv(peer.covariance_), rtol=1e-8)
    expected_shrinkage = getattr(peer, "shrinkage_", getattr(peer, "shrinkage", 0.0))
    assert detector.shrinkage_ == pytest.approx(expected_shrinkage)


@pytest.mark.parametrize("assume_centered", [False, True])
def test_ledoit_wolf_oracle_when_n_below_p_and_with_degenerate_columns(assume_centered):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((20, 30))
    X[:, 5] = 2.0  # constant
    X[:, 7] = X[:, 6]  # duplicated
    X_test = rng.standard_normal((50, 30))
    detector = GaussianAnomalyDetector(assume_centered=assume_centered).fit(X)
    peer = LedoitWolf(assume_centered=assume_centered).fit(X)
    np.testing.assert_allclose(detector.mahalanobis(X_test) ** 2, peer.mahalanobis(X_test), rtol=1e-10)
    assert np.all(np.isfinite(detector.dist_))


def test_score_samples_decision_function_predict_are_consistent():
    X = _correlated(400, 5)
    X_test = _correlated(200, 5, seed=2) * 2
    detector = GaussianAnomalyDetector(fpr=0.1).fit(X)
    distances = detector.mahalanobis(X_test)
    np.testing.assert_array_equal(detector.score_samples(X_test), -distances)
    np.testing.assert_allclose(detector.decision_function(X_test), detector.threshold_ - distances)
    np.testing.assert_array_equal(detector.predict(X_test), np.where(distances <= detector.threshold_, 1, -1))
    assert detector.offset_ == -detector.threshold_
    np.testing.assert_allclose(detector.dist_, detector.mahalanobis(X))


# --- component selection: sklearn PCA is the oracle ----------------------------------------------------


def _low_rank_data(n_samples, seed=0):
    """Five strong directions plus weak isotropic noise in 20 dimensions."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.standard_normal((20, 20)))[0][:, :5]
    return 5 * rng.standard_normal((n_samples, 5)) @ basis.T + 0.1 * rng.standard_normal((n_samples, 20)) + 3.0


@pytest.mark.parametrize("selection", ["pca", "npca"])
@pytest.mark.parametrize("threshold", [0.5, 0.9, 0.99, 0.999])
def test_component_selection_matches_sklearn_pca_then_ledoit_wolf(selection, threshold):
    X = _low_rank_data(500)
    X_test = _low_rank_data(100, seed=1) + np.random.default_rng(2).standard_normal((100, 20))
    detector = GaussianAnomalyDetector(component_selection=selection, variance_threshold=threshold).fit(X)

    pca = PCA(svd_solver="full").fit(X)
    cumulative = np.cumsum(pca.explained_variance_ratio_)
    last = int(np.argmax(cumulative > threshold))
    keep = np.arange(last + 1) if selection == "pca" else np.arange(max(last - 1, 0), 20)
    assert detector.n_components_ == keep.size
    # Same axes up to sign, same explained-variance shares.
    np.testing.assert_allclose(np.abs(detector.components_ @ pca.components_[keep].T), np.eye(keep.size), atol=1e-8)
    np.testing.assert_allclose(detector.explained_variance_ratio_, pca.explained_variance_ratio_[keep], rtol=1e-10)
    np.testing.assert_allclose(detector.pca_mean_, pca.mean_)

    scores = pca.transform(X)[:, keep]
    peer = LedoitWolf().fit(scores)
    np.testing.assert_allclose(
        detector.mahalanobis(X_test) ** 2, peer.mahalanobis(pca.transform(X_test)[:, keep]), rtol=1e-8
    )


def test_keeping_every_component_is_a_rotation_so_empirical_distances_are_unchanged():
    # Limit case: npca with a tiny threshold keeps all axes; the empirical Mahalanobis distance is
    # invariant under the orthogonal change of basis.
    X = _correlated(300, 6)
    X_test = _correlated(50, 6, seed=4) * 3
    full = GaussianAnomalyDetector(covariance="empirical").fit(X)
    rotated = GaussianAnomalyDetector(covariance="empirical", component_selection="npca", variance_threshold=1e-6)
    rotated.fit(X)
    assert rotated.n_components_ == 6
    np.testing.assert_allclose(rotated.mahalanobis(X_test), full.mahalanobis(X_test), rtol=1e-9)


def test_npca_finds_anomalies_in_low_variance_directions_that_pca_misses():
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.standard_normal((20, 20)))[0]
    X = 5 * rng.standard_normal((600, 5)) @ basis[:, :5].T + 0.1 * rng.standard_normal((600, 20))
    normal = 5 * rng.standard_normal((200, 5)) @ basis[:, :5].T + 0.1 * rng.standard_normal((200, 20))
    shift = rng.standard_normal((200, 15)) @ basis[:, 5:].T
    anomalies = normal + shift / np.linalg.norm(shift, axis=1, keepdims=True)
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.zeros(200), np.ones(200)]
    auc = {}
    for selection in ["pca", "npca"]:
        detector = GaussianAnomalyDetector(component_selection=selection).fit(X)
        auc[selection] = roc_auc_score(y, detector.mahalanobis(np.r_[normal, anomalies]))
    assert auc["npca"] > 0.99
    assert auc["pca"] < 0.65


def test_assume_centered_pca_uses_uncentred_axes():
    X = _low_rank_data(200)  # mean 3 in every column
    detector = GaussianAnomalyDetector(component_selection="pca", variance_threshold=0.5, assume_centered=True)
    detector.fit(X)
    np.testing.assert_array_equal(detector.pca_mean_, np.zeros(20))
    # The uncentred leading axis points along the mean.
    mean_direction = X.mean(axis=0) / np.linalg.norm(X.mean(axis=0))
    assert abs(detector.components_[0] @ mean_direction) > 0.9


# --- thresholds ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fpr", [0.01, 0.05, 0.1])
def test_chi2_threshold_formula_and_realised_false_positive_rate(fpr):
    rng = np.random.default_rng(7)
    cholesky = np.linalg.cholesky(np.cov(rng.standard_normal((10, 20))))
    X = rng.standard_normal((5000, 10)) @ cholesky.T
    fresh = rng.standard_normal((20000, 10)) @ cholesky.T
    detector = GaussianAnomalyDetector(fpr=fpr).fit(X)
    assert detector.threshold_ == pytest.approx(np.sqrt(chi2.ppf(1 - fpr, 10)), rel=1e-12)
    realised = np.mean(detector.predict(fresh) == -1)
    # Binomial noise of 20000 draws is at most 0.0021; estimation error adds a little more.
    assert abs(realised - fpr) < 0.01


def test_estimation_error_inflates_the_chi2_false_positive_rate_as_the_hotelling_law_predicts():
    # Documented behaviour (Notes): with the empirical covariance, a fresh Gaussian sample's scaled squared
    # distance d2 * (n - 1) / n * (n - k) / (k * (n + 1)) follows F(k, n - k) exactly, so the chi-square
    # threshold for 5% gives about 9.5% false positives when k = 50 and n = 1000.
    n, k = 1000, 50
    rng = np.random.default_rng(11)
    threshold = chi2.ppf(0.95, k)
    predicted = f_law.sf(threshold * (n - 1) / n * (n - k) / (k * (n + 1)), k, n - k)
    realised = [
        np.mean(
            GaussianAnomalyDetector(covariance="empirical").fit(rng.standard_normal((n, k))).predict(
                rng.standard_normal((20000, k))
            )
            == -1
        )
        for _ in range(3)
    ]
    assert predicted == pytest.approx(0.095, abs=0.002)
    # Three draws of 20000: binomial sd 0.0012; the training draw adds a similar amount.
    assert abs(np.mean(realised) - predicted) < 0.006


def test_empirical_threshold_is_the_training_quantile():
    X = np.random.default_rng(0).standard_t(df=3, size=(1000, 4))
    detector = GaussianAnomalyDetector(threshold="empirical", fpr=0.1).fit(X)
    assert detector.threshold_ == pytest.approx(np.quantile(detector.dist_, 0.9))
    assert np.mean(detector.predict(X) == -1) == pytest.approx(0.1, abs=0.002)


def test_score_pvalues_follow_the_chi2_law_on_gaussian_data():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4000, 6))
    fresh = rng.standard_normal((3000, 6))
    detector = GaussianAnomalyDetector().fit(X)
    pvalues = detector.score_pvalues(fresh)
    np.testing.assert_allclose(pvalues, chi2.sf(detector.mahalanobis(fresh) ** 2, 6))
    assert kstest(pvalues, "uniform").pvalue > 0.01


# --- feature groups -----------------------------------------------------------------------------------


@pytest.mark.parametrize("aggregate", ["sum", "mean"])
def test_groups_aggregate_per_group_distances(aggregate):
    X = _correlated(300, 9)
    X_test = _correlated(40, 9, seed=5) * 2
    groups = [np.arange(4), slice(4, 9)]
    detector = GaussianAnomalyDetector(feature_groups=groups, aggregate=aggregate, threshold="empirical")
    detector.fit(X)
    parts = [GaussianAnomalyDetector().fit(X[:, g]).mahalanobis(X_test[:, g]) for g in groups]
    expected = np.sum(parts, axis=0) / (2 if aggregate == "mean" else 1)
    np.testing.assert_allclose(detector.mahalanobis(X_test), expected, rtol=1e-12)
    assert detector.n_components_ == [4, 5]
    assert len(detector.covariance_) == 2
    np.testing.assert_array_equal(detector.groups_[1], np.arange(4, 9))


def test_groups_with_component_selection_fit_one_selection_per_group():
    X = np.c_[_low_rank_data(300), _low_rank_data(300, seed=1)]
    groups = [np.arange(20), np.arange(20, 40)]
    detector = GaussianAnomalyDetector(
        feature_groups=groups, component_selection="pca", threshold="empirical", variance_threshold=0.9
    ).fit(X)
    for group, components in zip(groups, detector.components_):
        single = GaussianAnomalyDetector(component_selection="pca", variance_threshold=0.9).fit(X[:, group])
        np.testing.assert_allclose(components, single.components_)


def test_groups_need_the_empirical_threshold():
    X = _correlated(100, 4)
    with pytest.raises(ValueError, match="threshold='chi2' needs a single feature group"):
        GaussianAnomalyDetector(feature_groups=[[0, 1], [2, 3]]).fit(X)
    detector = GaussianAnomalyDetector(feature_groups=[[0, 1], [2, 3]], threshold="empirical").fit(X)
    with pytest.raises(ValueError, match="score_pvalues needs a single feature group"):
        detector.score_pvalues(X)


def test_overlapping_groups_warn_and_unused_columns_are_ignored():
    X = _correlated(100, 5)
    with pytest.warns(UserWarning, match=re.escape("column(s) [1] belong to several groups")):
        GaussianAnomalyDetector(feature_groups=[[0, 1], [1, 2]], threshold="empirical").fit(X)
    detector = GaussianAnomalyDetector(feature_groups=[[0, 1]]).fit(X)
    X_changed = X.copy()
    X_changed[:, 4] += 100.0
    np.testing.assert_allclose(detector.mahalanobis(X_changed), detector.mahalanobis(X))


@pytest.mark.parametrize(
    "groups, message",
    [
        ([], "at least one group"),
        ([[0, 7]], r"outside \[0, 5\)"),
        ([[0.5, 1.0]], "integer column indices"),
        ([[[0, 1]]], "integer column indices"),
        ([[0, 0, 1]], "repeats a column"),
        ([slice(3, 3)], "selects no column"),
    ],
)
def test_invalid_feature_groups(groups, message):
    with pytest.raises(ValueError, match=rf"feature_groups.*{message}|{message}"):
        GaussianAnomalyDetector(feature_groups=groups, threshold="empirical").fit(_correlated(50, 5))


# --- bad input and degenerate data --------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, name",
    [
        ({"fpr": 0.0}, "fpr"),
        ({"fpr": 1.0}, "fpr"),
        ({"fpr": -0.1}, "fpr"),
        ({"fpr": "5%"}, "fpr"),
        ({"variance_threshold": 1.0}, "variance_threshold"),
        ({"variance_threshold": 0.0}, "variance_threshold"),
        ({"covariance": "ledoitwolf"}, "covariance"),
        ({"covariance": 1.5}, "covariance"),
        ({"component_selection": "ica"}, "component_selection"),
        ({"aggregate": "max"}, "aggregate"),
        ({"threshold": "gaussian"}, "threshold"),
        ({"feature_groups": np.arange(3)}, "feature_groups"),
    ],
)
def test_invalid_parameters_name_the_parameter(params, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        GaussianAnomalyDetector(**params).fit(_correlated(50, 3))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_are_rejected(bad):
    X = _correlated(50, 3)
    X[4, 1] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        GaussianAnomalyDetector().fit(X)
    detector = GaussianAnomalyDetector().fit(_correlated(50, 3))
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        detector.mahalanobis(X)


@pytest.mark.parametrize("covariance", ["empirical", 0.0, "mcd"])
@pytest.mark.parametrize("case", ["constant column", "duplicated column", "n < p"])
def test_singular_covariance_without_shrinkage_raises(covariance, case):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40 if case == "n < p" else 200, 60 if case == "n < p" else 5))
    if case == "constant column":
        X[:, 2] = 1.0
    elif case == "duplicated column":
        X[:, 3] = X[:, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match=r"singular \(covariance=.*Use a shrinkage estimator"):
            GaussianAnomalyDetector(covariance=covariance, random_state=0).fit(X)


@pytest.mark.parametrize("covariance", ["ledoit_wolf", "oas", 0.2])
def test_shrinkage_handles_constant_and_duplicated_columns_and_n_below_p(covariance):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 60))
    X[:, 2] = 1.0
    X[:, 3] = X[:, 1]
    detector = GaussianAnomalyDetector(covariance=covariance).fit(X)
    assert np.all(np.isfinite(detector.mahalanobis(rng.standard_normal((10, 60)))))


def test_all_constant_data_raises():
    X = np.ones((20, 3))
    with pytest.raises(ValueError, match="singular"):
        GaussianAnomalyDetector().fit(X)
    with pytest.raises(ValueError, match="zero variance in every column"):
        GaussianAnomalyDetector(component_selection="npca").fit(X)


def test_npca_without_shrinkage_drops_zero_variance_components_with_a_warning():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((15, 40))  # centred rank 14: the last of 15 axes has zero variance
    with pytest.warns(UserWarning, match="dropped 1 component"):
        detector = GaussianAnomalyDetector(covariance="empirical", component_selection="npca").fit(X)
    assert np.all(np.isfinite(detector.dist_))
    # With shrinkage the zero-variance axis is kept, silently.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shrunk = GaussianAnomalyDetector(component_selection="npca").fit(X)
    assert shrunk.n_components_ == detector.n_components_ + 1


def test_pca_with_fewer_samples_than_features_keeps_at_most_the_centred_rank():
    X = np.random.default_rng(0).standard_normal((12, 50))
    detector = GaussianAnomalyDetector(component_selection="pca", variance_threshold=0.999999).fit(X)
    # 12 centred samples span 11 directions: the 12th axis carries no variance and is never needed.
    assert detector.components_.shape == (11, 50)


def test_one_sample_wrong_width_and_one_feature():
    with pytest.raises(ValueError, match="1 sample"):
        GaussianAnomalyDetector().fit(np.ones((1, 3)))
    detector = GaussianAnomalyDetector().fit(_correlated(50, 3))
    with pytest.raises(ValueError, match="3 features"):
        detector.predict(np.zeros((2, 4)))
    single = GaussianAnomalyDetector().fit(np.random.default_rng(0).standard_normal((100, 1)))
    assert single.n_components_ == 1


def test_input_not_modified_and_feature_names_recorded():
    pd = pytest.importorskip("pandas")
    X = _correlated(100, 3)
    frame = pd.DataFrame(X.copy(), columns=["a", "b", "c"])
    GaussianAnomalyDetector(component_selection="npca").fit(frame)
    np.testing.assert_array_equal(frame.to_numpy(), X)
    detector = GaussianAnomalyDetector().fit(frame)
    np.testing.assert_array_equal(detector.feature_names_in_, ["a", "b", "c"])


def test_works_in_a_pipeline():
    X = _correlated(200, 4)
    pipeline = make_pipeline(StandardScaler(), GaussianAnomalyDetector(fpr=0.2)).fit(X)
    assert set(np.unique(pipeline.predict(X))) <= {-1, 1}


# --- properties ---------------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), selection=st.sampled_from([None, "pca", "npca"]))
def test_invariant_to_row_order_and_to_rotations_of_the_data(seed, selection):
    rng = np.random.default_rng(seed)
    X = _correlated(80, 6, seed=seed)
    X_test = rng.standard_normal((10, 6)) * 3
    detector = GaussianAnomalyDetector(component_selection=selection, variance_threshold=0.9)
    reference = detector.fit(X).mahalanobis(X_test)
    permuted = detector.fit(X[rng.permutation(80)]).mahalanobis(X_test)
    np.testing.assert_allclose(permuted, reference, rtol=1e-8)
    # Ledoit-Wolf shrinks towards a multiple of the identity, so an orthogonal change of basis
    # leaves every distance unchanged (and so does the component selection).
    rotation = np.linalg.qr(rng.standard_normal((6, 6)))[0]
    rotated = detector.fit(X @ rotation).mahalanobis(X_test @ rotation)
    np.testing.assert_allclose(rotated, reference, rtol=1e-8)
