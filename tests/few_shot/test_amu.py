"""AMUTuningClassifier: loss gradient, fusion statistic, limit cases and bad input."""

import numpy as np
import pytest
from scipy import special, stats
from scipy.optimize import approx_fprime
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import NearestCentroid
from sklearn.preprocessing import normalize

from skpapers.datasets import make_clip_like_episode
from skpapers.few_shot import AMUTuningClassifier
from skpapers.utils._optim import MultiBranchLogitLoss

D1 = 32


@pytest.fixture(scope="module")
def episode():
    return make_clip_like_episode(n_shots=4, n_test_per_class=20, random_state=0)


@pytest.mark.parametrize("with_zero_shot", [False, True])
@pytest.mark.parametrize("eps", [1e-12, 1e-2])
def test_multi_branch_gradient_matches_finite_differences(with_zero_shot, eps):
    rng = np.random.default_rng(1)
    n, C, d = 15, 4, 6
    G = rng.normal(size=(n, d))
    Y = np.eye(C)[rng.integers(0, C, n)]
    S0 = rng.normal(scale=3, size=(n, C)) if with_zero_shot else None
    datafit = MultiBranchLogitLoss(G, Y, S0, rng.uniform(0.5, 3, n), alpha=0.7, lambda_merge=0.3,
                                   sample_weight=rng.uniform(0.5, 2, n), eps=eps)
    w = rng.normal(size=C * d)
    _, grad = datafit.value_and_gradient(w)
    numeric = approx_fprime(w, lambda v: datafit.value_and_gradient(v)[0], 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-6)


def test_multi_branch_value_by_hand():
    rng = np.random.default_rng(2)
    n, C, d = 8, 3, 5
    G, W = rng.normal(size=(n, d)), rng.normal(size=(C, d))
    y = rng.integers(0, C, n)
    S0, phi = rng.normal(size=(n, C)), rng.uniform(1, 2, n)
    z = G @ W.T
    s_aux = (z - z.mean(1, keepdims=True)) / z.std(1, ddof=1, keepdims=True)
    fused = S0 + 0.5 * phi[:, None] * s_aux
    rows = np.arange(n)
    expected = np.mean(-0.35 * special.log_softmax(fused, 1)[rows, y]
                       - 0.65 * special.log_softmax(s_aux, 1)[rows, y])
    value, _ = MultiBranchLogitLoss(G, np.eye(C)[y], S0, phi, eps=0.0).value_and_gradient(W.ravel())
    assert value == pytest.approx(expected, rel=1e-12)


def test_fusion_factor_is_scipy_kurtosis(episode):
    X, y, X_test, _, T = episode
    clf = AMUTuningClassifier(T, D1).fit(X, y)
    p = special.softmax(clf.zero_shot_logits(X_test), axis=1)
    C = T.shape[1]
    # Unbiased std in the reference code: scipy's Pearson kurtosis times ((C - 1) / C) ** 2.
    kappa = stats.kurtosis(p, axis=1, fisher=False) * ((C - 1) / C) ** 2
    np.testing.assert_allclose(clf.fusion_factor(X_test), (kappa / 250.0) ** -0.4, rtol=1e-10)
    none = clone(clf).set_params(uncertainty="none").fit(X, y)
    np.testing.assert_array_equal(none.fusion_factor(X_test), 1.0)


def test_zero_shot_limit(episode):
    X, y, X_test, _, T = episode
    clf = AMUTuningClassifier(2 * T, D1, alpha=0.0).fit(X, y)
    f = normalize(X_test[:, :D1])
    np.testing.assert_allclose(clf.predict_proba(X_test), special.softmax(100 * f @ T, axis=1), rtol=1e-10)
    np.testing.assert_array_equal(clf.predict(X_test), np.argmax(X_test[:, :D1] @ T, axis=1))


def test_initialisation_is_nearest_class_mean(episode):
    X, y, X_test, _, _ = episode
    G = normalize(X[:, D1:])
    # Unequal shots: drop some rows so the class means are not N / C scaled sums.
    keep = np.r_[0:30, 33:40]
    centroids = NearestCentroid().fit(G[keep], y[keep]).centroids_
    clf = AMUTuningClassifier(max_iter=0).fit(X[keep, D1:], y[keep])
    np.testing.assert_allclose(clf.coef_, centroids, rtol=1e-12)
    expected = np.argmax(normalize(X_test[:, D1:]) @ centroids.T, axis=1)
    np.testing.assert_array_equal(clf.predict(X_test[:, D1:]), expected)


def test_training_lowers_the_loss_and_stays_anchored(episode):
    X, y, _, _, T = episode
    start = AMUTuningClassifier(T, D1, max_iter=0).fit(X, y)
    fitted = AMUTuningClassifier(T, D1).fit(X, y)
    assert fitted.n_iter_ > 0
    assert fitted.loss_ < start.loss_
    np.testing.assert_array_equal(fitted.init_coef_, start.coef_)
    # A very strong anchor keeps W at its initialisation.
    stiff = AMUTuningClassifier(T, D1, l2_reg=1e8).fit(X, y)
    np.testing.assert_allclose(stiff.coef_, stiff.init_coef_, atol=1e-6)


def test_classes_order_follows_zero_shot_columns(episode):
    X, y, X_test, _, T = episode
    base = AMUTuningClassifier(T, D1).fit(X, y)
    order = np.random.default_rng(0).permutation(T.shape[1])
    names = np.array([f"c{k}" for k in range(T.shape[1])])
    permuted = AMUTuningClassifier(T[:, order], D1, classes=names[order]).fit(X, names[y])
    np.testing.assert_array_equal(permuted.predict(X_test), names[base.predict(X_test)])
    np.testing.assert_allclose(permuted.predict_proba(X_test), base.predict_proba(X_test)[:, order], rtol=1e-6)


def test_grid_search_carries_the_zero_shot_weights(episode):
    X, y, _, _, T = episode
    search = GridSearchCV(AMUTuningClassifier(T, D1), {"alpha": [0.0, 0.5]}, cv=2).fit(X, y)
    assert search.best_estimator_.zero_shot_weights_.shape == T.shape
    assert clone(search.best_estimator_).zero_shot_weights is not None


def test_uniform_zero_shot_prediction_takes_the_largest_bias(episode):
    X, y, X_test, _, T = episode
    clf = AMUTuningClassifier(T, D1).fit(X, y)
    blank = X_test.copy()
    blank[:, :D1] = 0.0
    np.testing.assert_array_equal(clf.fusion_factor(blank), 1e3)
    assert np.all(np.isfinite(clf.predict_proba(blank)))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_random_init_is_seeded(episode):
    X, y, _, _, T = episode
    a = AMUTuningClassifier(T, D1, init="random", random_state=3, max_iter=20).fit(X, y)
    b = AMUTuningClassifier(T, D1, init="random", random_state=3, max_iter=20).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_input_not_modified(episode):
    X, y, _, _, T = episode
    X0, T0 = X.copy(), T.copy()
    AMUTuningClassifier(T, D1).fit(X, y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(T, T0)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_clip_features": D1}, "n_clip_features is given but zero_shot_weights is None"),
        ({"zero_shot": True}, "n_clip_features is required"),
        ({"zero_shot": True, "n_clip_features": 16}, "same dimension"),
        ({"zero_shot": True, "n_clip_features": D1, "classes": np.arange(11)}, r"zero shots in y"),
        ({"zero_shot": True, "n_clip_features": D1, "classes": np.arange(9)}, "not in classes"),
    ],
)
def test_bad_parameters(episode, params, match):
    X, y, _, _, T = episode
    params = dict(params)
    if params.pop("zero_shot", False):
        params["zero_shot_weights"] = T
    if "classes" in params and params["classes"].size == 11:
        T11 = np.hstack([T, T[:, :1]])
        params["zero_shot_weights"] = T11
    with pytest.raises(ValueError, match=match):
        AMUTuningClassifier(**params).fit(X, y)


def test_zero_shot_columns_must_match_classes(episode):
    X, y, _, _, T = episode
    with pytest.raises(ValueError, match="leaves no auxiliary column"):
        AMUTuningClassifier(T, D1).fit(X[:, :D1], y)
    with pytest.raises(ValueError, match="columns must match the classes"):
        AMUTuningClassifier(T[:, :9], D1).fit(X, y)


def test_a_class_with_zero_shots_is_rejected(episode):
    X, y, _, _, T = episode
    keep = y != 3
    with pytest.raises(ValueError, match=r"classes \[3\] have zero shots"):
        AMUTuningClassifier(T, D1, classes=np.arange(10)).fit(X[keep], y[keep])


def test_non_finite_input(episode):
    X, y, X_test, _, T = episode
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        AMUTuningClassifier(T, D1).fit(bad, y)
    T_bad = T.copy()
    T_bad[1, 1] = np.inf
    with pytest.raises(ValueError, match="zero_shot_weights contains NaN or infinity"):
        AMUTuningClassifier(T_bad, D1).fit(X, y)
    clf = AMUTuningClassifier(T, D1).fit(X, y)
    bad_test = X_test.copy()
    bad_test[2, 40] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        clf.predict(bad_test)
    with pytest.raises(ValueError, match="zero_shot_weights has an all-zero column"):
        T_zero = T.copy()
        T_zero[:, 0] = 0
        AMUTuningClassifier(T_zero, D1).fit(X, y)


def test_wrong_types_and_shapes(episode):
    X, y, _, _, T = episode
    with pytest.raises(TypeError, match="zero_shot_weights must be numeric"):
        AMUTuningClassifier(T.astype(str), D1).fit(X, y)
    with pytest.raises(ValueError, match="must be 2-D"):
        AMUTuningClassifier(T[:, 0], D1).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        AMUTuningClassifier().fit(X[:4], np.zeros(4))
    clf = AMUTuningClassifier(T, D1).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :40])
    with pytest.raises(ValueError, match="no zero-shot branch"):
        AMUTuningClassifier().fit(X, y).zero_shot_logits(X)


def test_constant_aux_columns_and_binary(episode):
    X, y, X_test, _, _ = episode
    two = y < 2
    Xc = X[two].copy()
    Xc[:, -5:] = 1.0
    clf = AMUTuningClassifier().fit(Xc, y[two])
    assert clf.decision_function(X_test).shape == (X_test.shape[0],)
    assert np.all(np.isfinite(clf.predict_proba(X_test)))


def test_generator_rejects_too_few_clip_dimensions():
    with pytest.raises(ValueError, match="must exceed n_classes"):
        make_clip_like_episode(n_classes=10, n_clip_features=10)


def test_row_order_does_not_matter(episode):
    X, y, X_test, _, T = episode
    perm = np.random.default_rng(5).permutation(len(y))
    a = AMUTuningClassifier(T, D1).fit(X, y)
    b = AMUTuningClassifier(T, D1).fit(X[perm], y[perm])
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-4)
    np.testing.assert_allclose(a.predict_proba(X_test), b.predict_proba(X_test), atol=1e-4)
