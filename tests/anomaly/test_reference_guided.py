"""ReferenceGuidedAnomalyDetector and ResidualMetaLearner: oracles, patch mode, bad input."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors

from skpapers.anomaly import ReferenceGuidedAnomalyDetector, ResidualMetaLearner
from skpapers.datasets import make_anomaly_domains
from skpapers.utils._optim import ResidualFusionLoss


@pytest.fixture(scope="module")
def domain():
    X, y, _, anomaly_type = make_anomaly_domains(n_normal=60, n_abnormal=60, n_features=8, random_state=0)
    refs = np.r_[0:5, 60, 61]
    queries = np.setdiff1d(np.arange(len(y)), refs)
    return X[refs], y[refs], X[queries], y[queries]


@pytest.fixture(scope="module")
def meta_data():
    # Sources: 10 domains; target: an 11th domain sharing the 4 anomaly directions.
    X, y, groups, _ = make_anomaly_domains(
        n_domains=11, n_normal=100, n_abnormal=100, n_anomaly_types=4, random_state=3
    )
    source = groups < 10
    meta = ResidualMetaLearner(n_episodes=200, random_state=0).fit(X[source], y[source], groups=groups[source])
    return meta, X[~source], y[~source]


def _cosine_nn_similarity(queries, refs):
    # sklearn's cosine distance is 1 - cos; the detector's similarity is (1 + cos) / 2.
    distance = NearestNeighbors(n_neighbors=1, metric="cosine").fit(refs).kneighbors(queries)[0][:, 0]
    return 1.0 - distance / 2.0


def _residuals_loop(A, templates, match):
    out = []
    for a in A:
        if match == "dot":
            keys = templates @ a
        else:
            keys = templates @ a / (np.linalg.norm(templates, axis=1) * np.linalg.norm(a))
        out.append(a - templates[np.argmax(keys)])
    return np.array(out)


def test_normal_only_matches_cosine_nearest_neighbours(domain):
    X_ref, y_ref, X_q, _ = domain
    detector = ReferenceGuidedAnomalyDetector(mode="normal_only").fit(X_ref, y_ref)
    expected = 1.0 - _cosine_nn_similarity(X_q, X_ref[y_ref == 0])
    np.testing.assert_allclose(detector.anomaly_score(X_q), expected, rtol=1e-10, atol=1e-12)
    maps = detector.similarity_maps(X_q)
    assert maps["s_a"] is None
    np.testing.assert_allclose(maps["s_n"], 1.0 - expected, atol=1e-12)


def test_knn_mode_matches_nearest_neighbours(domain):
    X_ref, y_ref, X_q, _ = domain
    detector = ReferenceGuidedAnomalyDetector(mode="knn").fit(X_ref, y_ref)
    s_n = _cosine_nn_similarity(X_q, X_ref[y_ref == 0])
    s_a = _cosine_nn_similarity(X_q, X_ref[y_ref == 1])
    np.testing.assert_allclose(detector.anomaly_score(X_q), (s_a + 1.0 - s_n) / 2.0, atol=1e-12)
    np.testing.assert_allclose(detector.similarity_maps(X_q)["s_a"], s_a, atol=1e-12)


@pytest.mark.parametrize("match", ["dot", "cosine"])
def test_residual_mode_matches_explicit_residuals(domain, match):
    X_ref, y_ref, X_q, _ = domain
    normal, abnormal = X_ref[y_ref == 0], X_ref[y_ref == 1]
    detector = ReferenceGuidedAnomalyDetector(residual_match=match).fit(X_ref, y_ref)
    ref_residuals = _residuals_loop(abnormal, normal, match)
    np.testing.assert_allclose(detector.abnormal_residuals_, ref_residuals, atol=1e-12)
    s_a = _cosine_nn_similarity(_residuals_loop(X_q, normal, match), ref_residuals)
    s_n = _cosine_nn_similarity(X_q, normal)
    np.testing.assert_allclose(detector.anomaly_score(X_q), (s_a + 1.0 - s_n) / 2.0, atol=1e-12)


def test_dot_and_cosine_matching_differ_when_norms_differ():
    # The nearest template by inner product is the long one; by cosine, the aligned short one.
    templates = np.array([[10.0, 3.0], [1.0, 0.0]])
    query = np.array([[1.0, 0.05]])
    np.testing.assert_allclose(_residuals_loop(query, templates, "dot"), query - templates[0])
    np.testing.assert_allclose(_residuals_loop(query, templates, "cosine"), query - templates[1])
    y = np.array([0, 0, 1])
    X = np.vstack([templates, query])
    dot = ReferenceGuidedAnomalyDetector(residual_match="dot").fit(X, y)
    cosine = ReferenceGuidedAnomalyDetector(residual_match="cosine").fit(X, y)
    np.testing.assert_allclose(dot.abnormal_residuals_, query - templates[0])
    np.testing.assert_allclose(cosine.abnormal_residuals_, query - templates[1])


def test_without_abnormal_references_every_mode_is_normal_only(domain):
    X_ref, y_ref, X_q, _ = domain
    normal = X_ref[y_ref == 0]
    expected = ReferenceGuidedAnomalyDetector(mode="normal_only").fit(normal).anomaly_score(X_q)
    for mode in ("knn", "residual"):
        detector = ReferenceGuidedAnomalyDetector(mode=mode).fit(normal)
        np.testing.assert_allclose(detector.anomaly_score(X_q), expected)
        assert detector.abnormal_refs_.shape == (0, X_ref.shape[1])


def test_outlier_api(domain):
    X_ref, y_ref, X_q, _ = domain
    detector = ReferenceGuidedAnomalyDetector(threshold=0.2).fit(X_ref, y_ref)
    score = detector.anomaly_score(X_q)
    assert np.all((score >= 0) & (score <= 1))
    np.testing.assert_allclose(detector.score_samples(X_q), -score)
    np.testing.assert_allclose(detector.decision_function(X_q), 0.2 - score)
    assert detector.offset_ == -0.2
    np.testing.assert_array_equal(detector.predict(X_q), np.where(score <= 0.2, 1, -1))


def test_boolean_and_other_label_pairs(domain):
    X_ref, y_ref, X_q, _ = domain
    reference = ReferenceGuidedAnomalyDetector().fit(X_ref, y_ref).anomaly_score(X_q)
    for labels in (y_ref.astype(bool), np.where(y_ref == 1, "defect", "clean"), y_ref + 3):
        # "defect" > "clean" and 4 > 3: the larger label is the abnormal one.
        detector = ReferenceGuidedAnomalyDetector().fit(X_ref, labels)
        np.testing.assert_allclose(detector.anomaly_score(X_q), reference)


def test_patch_mode_matches_pooled_patch_neighbours():
    rng = np.random.default_rng(0)
    n_patches, dim = 6, 5
    normal = rng.normal(size=(3, n_patches * dim)) + 2.0
    abnormal = normal[:1].copy()
    abnormal[0, 2 * dim : 3 * dim] += 3.0 * rng.normal(size=dim)  # one anomalous patch
    queries = rng.normal(size=(7, n_patches * dim)) + 2.0
    X = np.vstack([normal, abnormal])
    y = np.r_[0, 0, 0, 1]
    detector = ReferenceGuidedAnomalyDetector(mode="knn", n_patches=n_patches, top_k=2).fit(X, y)
    normal_patches = normal.reshape(-1, dim)
    # Pseudo-mask: the anomalous patch is one of the 2 kept abnormal patches.
    assert detector._abnormal_patches.shape == (2, dim)
    assert any(np.allclose(p, abnormal[0, 2 * dim : 3 * dim]) for p in detector._abnormal_patches)

    s_n = _cosine_nn_similarity(queries.reshape(-1, dim), normal_patches).reshape(7, n_patches)
    s_a = _cosine_nn_similarity(queries.reshape(-1, dim), detector._abnormal_patches).reshape(7, n_patches)
    maps = detector.similarity_maps(queries)
    np.testing.assert_allclose(maps["s_n"], s_n, atol=1e-12)
    np.testing.assert_allclose(maps["s_a"], s_a, atol=1e-12)
    patch_scores = (s_a + 1.0 - s_n) / 2.0
    expected = np.sort(patch_scores, axis=1)[:, -2:].mean(axis=1)
    np.testing.assert_allclose(detector.anomaly_score(queries), expected, atol=1e-12)
    for pooling, reduce in (("max", np.max), ("mean", np.mean)):
        pooled = detector.set_params(image_pooling=pooling).fit(X, y).anomaly_score(queries)
        np.testing.assert_allclose(pooled, reduce(patch_scores, axis=1), atol=1e-12)
    # top_k larger than n_patches is clipped.
    assert ReferenceGuidedAnomalyDetector(n_patches=n_patches).fit(X, y).top_k_ == n_patches


def test_patch_mode_finds_a_local_defect_that_image_averaging_dilutes():
    # Mean-pooled embeddings barely move when one of 16 patches is defective; patch scores do.
    rng = np.random.default_rng(1)
    n_patches, dim = 16, 8
    prototypes = rng.normal(size=(n_patches, dim)) + 1.0

    def images(n, defect):
        x = prototypes + 0.2 * rng.normal(size=(n, n_patches, dim))
        if defect:
            x[np.arange(n), rng.integers(n_patches, size=n)] += 2.0 * rng.normal(size=(n, dim))
        return x

    refs, queries = images(4, False), np.concatenate([images(100, False), images(100, True)])
    y_q = np.r_[np.zeros(100), np.ones(100)]
    patch = ReferenceGuidedAnomalyDetector(mode="normal_only", n_patches=n_patches, top_k=1)
    patch_auc = roc_auc_score(y_q, patch.fit(refs.reshape(4, -1)).anomaly_score(queries.reshape(200, -1)))
    pooled = ReferenceGuidedAnomalyDetector(mode="normal_only").fit(refs.mean(axis=1))
    pooled_auc = roc_auc_score(y_q, pooled.anomaly_score(queries.mean(axis=1)))
    assert patch_auc > 0.95
    assert patch_auc > pooled_auc


def test_same_type_abnormal_reference_helps_and_mixed_types_expose_knn():
    # Spec simulation A on a few seeds (the full 30 seeds run in the reproduction entry).
    gains_same, gains_mixed = [], []
    for seed in range(6):
        X, y, _, kind = make_anomaly_domains(n_normal=154, n_abnormal=400, random_state=seed)
        normal, type0, type1 = np.flatnonzero(y == 0), np.flatnonzero(kind == 0), np.flatnonzero(kind == 1)
        refs = np.r_[normal[:4], type0[:1]]
        same = np.r_[normal[4:154], type0[1:151]]
        mixed = np.r_[normal[4:154], type0[1:76], type1[:75]]
        auc = {}
        for mode in ("normal_only", "knn"):
            detector = ReferenceGuidedAnomalyDetector(mode=mode).fit(X[refs], y[refs])
            auc[mode] = [roc_auc_score(y[q], detector.anomaly_score(X[q])) for q in (same, mixed)]
        gains_same.append(auc["knn"][0] - auc["normal_only"][0])
        gains_mixed.append(auc["knn"][1] - auc["normal_only"][1])
    assert np.mean(gains_same) > 0.05
    assert np.mean(gains_mixed) < np.mean(gains_same) - 0.05


def test_residual_fusion_loss_gradient():
    rng = np.random.default_rng(0)
    n, k, d, m = 40, 3, 6, 2
    loss = ResidualFusionLoss(
        rng.normal(size=(n, d)), rng.normal(size=(n, k, d)), rng.uniform(size=n), rng.integers(0, 2, n), m,
        sample_weight=rng.uniform(0.5, 2.0, n),
    )
    w = rng.normal(size=loss.n_params)
    value, grad = loss.value_and_gradient(w)
    numeric = approx_fprime(w, lambda v: loss.value_and_gradient(v)[0], 1e-7)
    np.testing.assert_allclose(grad, numeric, atol=1e-5)
    # Value against a direct formula with the max over references.
    P, beta = w[:-4].reshape(d, m), w[-4:]
    U = loss.R_query @ P
    V = np.einsum("nkd,dm->nkm", loss.R_ref, P)
    cos = np.einsum("nkm,nm->nk", V, U) / (np.linalg.norm(V, axis=2) * np.linalg.norm(U, axis=1)[:, None])
    z = beta[0] + beta[1] * loss.base + beta[2] * (1 + cos.max(axis=1)) / 2 + beta[3] * np.sum(U**2, axis=1)
    p = expit(z)
    direct = -np.sum(loss.weights * (loss.y * np.log(p) + (1 - loss.y) * np.log(1 - p)))
    assert value == pytest.approx(direct, rel=1e-10)


def test_meta_model_scores_are_the_trained_fusion(meta_data):
    meta, X_t, y_t = meta_data
    refs = np.r_[0:4, 100]
    detector = ReferenceGuidedAnomalyDetector(meta_model=meta).fit(X_t[refs], y_t[refs])
    queries = X_t[150:170]
    normal = X_t[:4]
    residuals = _residuals_loop(queries, normal, "dot")
    ref_residuals = _residuals_loop(X_t[[100]], normal, "dot")
    base = 1.0 - _cosine_nn_similarity(queries, normal)
    loss = ResidualFusionLoss(residuals, np.repeat(ref_residuals[None], len(queries), axis=0), base, np.zeros(20), 4)
    w = np.concatenate([meta.projection_.ravel(), [meta.fusion_intercept_], meta.fusion_coef_])
    z, similarity, _, _ = loss.scores(w)
    np.testing.assert_allclose(detector.anomaly_score(queries), expit(z), rtol=1e-10)
    np.testing.assert_allclose(detector.similarity_maps(queries)["s_a"], similarity, atol=1e-12)


def test_meta_model_transfers_to_a_new_domain(meta_data):
    meta, X_t, y_t = meta_data
    refs = np.r_[0:4, 100]
    queries = np.setdiff1d(np.arange(len(y_t)), refs)
    auc = {}
    for name, detector in (
        ("meta", ReferenceGuidedAnomalyDetector(meta_model=meta)),
        ("normal_only", ReferenceGuidedAnomalyDetector(mode="normal_only")),
        ("knn", ReferenceGuidedAnomalyDetector(mode="knn")),
    ):
        detector.fit(X_t[refs], y_t[refs])
        auc[name] = roc_auc_score(y_t[queries], detector.anomaly_score(X_t[queries]))
    assert auc["meta"] > auc["normal_only"] + 0.03
    assert auc["meta"] > auc["knn"] + 0.03
    # Anomalies lie farther from their normal neighbours along the projection: energy adds to the score.
    assert meta.fusion_coef_[2] > 0


def test_meta_projection_spans_the_shared_anomaly_directions(meta_data):
    meta, _, _ = meta_data
    # The generator's first draw: the 4 orthonormal anomaly directions shared by all domains.
    directions = np.linalg.qr(np.random.RandomState(3).standard_normal((32, 4)))[0]
    basis = np.linalg.qr(meta.projection_)[0]
    cosines = np.linalg.svd(directions.T @ basis, compute_uv=False)
    # Cosines of the principal angles; for a random 4-dimensional subspace of R^32 the smallest
    # is about 0.07 (below 0.3 in 200 draws).
    assert cosines.min() > 0.7


def test_meta_learner_is_deterministic_and_leaves_input_alone(meta_data):
    X, y, groups, _ = make_anomaly_domains(n_domains=2, n_normal=20, n_abnormal=20, random_state=0)
    X_copy = X.copy()
    first = ResidualMetaLearner(n_episodes=20, random_state=1).fit(X, y, groups=groups)
    second = ResidualMetaLearner(n_episodes=20, random_state=1).fit(X, y, groups=groups)
    np.testing.assert_array_equal(first.projection_, second.projection_)
    np.testing.assert_array_equal(X, X_copy)


def test_meta_learner_warns_when_not_converged():
    X, y, groups, _ = make_anomaly_domains(n_domains=2, n_normal=20, n_abnormal=20, random_state=0)
    with pytest.warns(ConvergenceWarning, match="ResidualMetaLearner"):
        ResidualMetaLearner(n_episodes=20, max_iter=1, random_state=0).fit(X, y, groups=groups)


# ----------------------------------------------------------------------------- bad input


def test_abnormal_references_required_by_meta_model(domain, meta_data):
    meta, X_t, y_t = meta_data
    with pytest.raises(ValueError, match="meta_model needs abnormal references"):
        ReferenceGuidedAnomalyDetector(meta_model=meta).fit(X_t[:5], y_t[:5])
    with pytest.raises(ValueError, match="mode='residual'"):
        ReferenceGuidedAnomalyDetector(mode="knn", meta_model=meta).fit(X_t[[0, 1, 100]], y_t[[0, 1, 100]])
    X_ref, y_ref, _, _ = domain
    with pytest.raises(ValueError, match="fitted on 32 features"):
        ReferenceGuidedAnomalyDetector(meta_model=meta).fit(X_ref, y_ref)
    with pytest.raises(NotFittedError):
        ReferenceGuidedAnomalyDetector(meta_model=ResidualMetaLearner()).fit(X_ref, y_ref)


def test_meta_learner_needs_abnormal_samples():
    X, y, groups, _ = make_anomaly_domains(n_domains=2, n_normal=20, n_abnormal=20, random_state=0)
    with pytest.raises(ValueError, match="abnormal"):
        ResidualMetaLearner(n_episodes=5).fit(X[y == 0], y[y == 0], groups=groups[y == 0])
    with pytest.raises(ValueError, match="requires y"):
        ResidualMetaLearner().fit(X, None)
    with pytest.raises(ValueError, match="groups has 3 entries"):
        ResidualMetaLearner().fit(X, y, groups=[0, 1, 2])


def test_no_normal_reference(domain):
    X_ref, y_ref, _, _ = domain
    with pytest.raises(ValueError, match="at least one normal reference"):
        ReferenceGuidedAnomalyDetector().fit(X_ref[y_ref == 1], y_ref[y_ref == 1])


def test_bad_labels(domain):
    X_ref, y_ref, _, _ = domain
    with pytest.raises(ValueError, match="must be binary"):
        ReferenceGuidedAnomalyDetector().fit(X_ref, np.arange(len(y_ref)) % 3)
    with pytest.raises(ValueError, match="labels but X has"):
        ReferenceGuidedAnomalyDetector().fit(X_ref, y_ref[:-1])
    with pytest.raises(ValueError, match="NaN"):
        ReferenceGuidedAnomalyDetector().fit(X_ref, np.where(y_ref == 1, np.nan, 0.0))


def test_feature_dimension_mismatch(domain):
    X_ref, y_ref, X_q, _ = domain
    detector = ReferenceGuidedAnomalyDetector().fit(X_ref, y_ref)
    with pytest.raises(ValueError, match="features"):
        detector.anomaly_score(X_q[:, :-1])
    with pytest.raises(ValueError, match="n_patches=3 must divide"):
        ReferenceGuidedAnomalyDetector(n_patches=3).fit(X_ref, y_ref)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_embeddings(domain, bad):
    X_ref, y_ref, X_q, _ = domain
    X_bad = X_ref.copy()
    X_bad[0, 0] = bad
    with pytest.raises(ValueError, match="X"):
        ReferenceGuidedAnomalyDetector().fit(X_bad, y_ref)
    detector = ReferenceGuidedAnomalyDetector().fit(X_ref, y_ref)
    X_q_bad = X_q.copy()
    X_q_bad[3, 2] = bad
    with pytest.raises(ValueError, match="X"):
        detector.anomaly_score(X_q_bad)


def test_invalid_parameters(domain):
    X_ref, y_ref, _, _ = domain
    for params in ({"mode": "both"}, {"top_k": 0}, {"threshold": 1.5}, {"residual_match": "l2"}):
        with pytest.raises(ValueError, match=next(iter(params))):
            ReferenceGuidedAnomalyDetector(**params).fit(X_ref, y_ref)


def test_degenerate_references_and_queries(domain):
    X_ref, y_ref, X_q, _ = domain
    with pytest.warns(UserWarning, match="single normal reference"):
        detector = ReferenceGuidedAnomalyDetector().fit(X_ref[[0, 5]], [0, 1])
    # With one normal reference every residual is taken to it.
    np.testing.assert_allclose(detector.abnormal_residuals_, X_ref[[5]] - X_ref[[0]])
    # A zero query has cosine 0 with every reference: similarities 1/2, no NaN.
    maps = detector.similarity_maps(np.zeros((1, X_ref.shape[1])))
    assert maps["s_n"][0] == 0.5
    # Constant (identical) references work and leave zero residuals for identical queries.
    same = np.tile(X_ref[:1], (3, 1))
    constant = ReferenceGuidedAnomalyDetector().fit(same, [0, 0, 1])
    assert np.all(np.isfinite(constant.anomaly_score(X_q)))
    X_copy = X_ref.copy()
    ReferenceGuidedAnomalyDetector().fit(X_ref, y_ref).anomaly_score(X_ref)
    np.testing.assert_array_equal(X_ref, X_copy)


@pytest.mark.parametrize("mode", ["normal_only", "knn", "residual"])
def test_order_of_references_and_queries_does_not_matter(domain, mode):
    X_ref, y_ref, X_q, _ = domain
    rng = np.random.default_rng(0)
    ref_order, query_order = rng.permutation(len(y_ref)), rng.permutation(len(X_q))
    scores = ReferenceGuidedAnomalyDetector(mode=mode).fit(X_ref, y_ref).anomaly_score(X_q)
    permuted = ReferenceGuidedAnomalyDetector(mode=mode).fit(X_ref[ref_order], y_ref[ref_order])
    np.testing.assert_allclose(permuted.anomaly_score(X_q[query_order]), scores[query_order], atol=1e-12)
