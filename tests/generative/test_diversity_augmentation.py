"""CategoricalSequenceGenerator, SyntheticDataAugmenter and the diversity metrics."""

import warnings

import numpy as np
import pytest
from scipy.spatial.distance import pdist
from sklearn.ensemble import IsolationForest
from sklearn.naive_bayes import CategoricalNB
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.generative import CategoricalSequenceGenerator, DiffusionGenerator
from skpapers.metrics import chamfer_distance_score, label_accuracy_score, remote_clique_score
from skpapers.over_sampling import SyntheticDataAugmenter


def _data(n=600, d=4, m=4, seed=0):
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(0.5 * np.ones(m), size=(3, d))
    y = rng.integers(0, 3, n)
    u = rng.random((n, d, 1))
    X = (u > np.cumsum(P[y], axis=2)).sum(axis=2)
    return np.minimum(X, m - 1), y


@pytest.mark.parametrize("alpha", [0.5, 1.0])
def test_tables_equal_categorical_nb(alpha):
    X, y = _data()
    gen = CategoricalSequenceGenerator(alpha=alpha).fit(X, y)
    nb = CategoricalNB(alpha=alpha).fit(X, y)
    for j in range(X.shape[1]):
        np.testing.assert_allclose(gen.log_prob_[j][:, 0, :], nb.feature_log_prob_[j], atol=1e-12)
    np.testing.assert_allclose(np.log(gen.class_prior_), nb.class_log_prior_, atol=1e-12)


def test_generation_frequencies_match_categorical_nb():
    X, y = _data()
    nb = CategoricalNB(alpha=0.5).fit(X, y)
    gen = CategoricalSequenceGenerator(alpha=0.5, random_state=0).fit(X, y)
    n = 20000
    X_gen = gen.sample(n, y=np.full(n, 1))
    for j in range(X.shape[1]):
        freq = np.bincount(X_gen[:, j], minlength=4) / n
        p = np.exp(nb.feature_log_prob_[j][1])
        # 5 binomial standard errors
        assert np.all(np.abs(freq - p) <= 5 * np.sqrt(p * (1 - p) / n) + 1e-12)


def test_temperature_limits_and_suppression():
    X, y = _data()
    labels = np.zeros(4000, dtype=int)
    cold = CategoricalSequenceGenerator(temperature=0.005, random_state=0).fit(X, y).sample(y=labels)
    argmax = np.array([np.argmax(t[0, 0]) for t in CategoricalSequenceGenerator().fit(X, y).log_prob_])
    assert np.mean(np.all(cold == argmax, axis=1)) > 0.99
    hot = CategoricalSequenceGenerator(temperature=100.0, random_state=0).fit(X, y).sample(y=labels)
    np.testing.assert_allclose(np.bincount(hot[:, 0], minlength=4) / 4000, 0.25, atol=0.03)
    base = CategoricalSequenceGenerator(random_state=0).fit(X, y).sample(y=labels[:300])
    supp = CategoricalSequenceGenerator(suppression=5.0, random_state=0).fit(X, y).sample(y=labels[:300])
    assert remote_clique_score(supp, metric="hamming") > remote_clique_score(base, metric="hamming")


def test_context_conditional_tables_and_sampling():
    rng = np.random.default_rng(0)
    x0 = rng.integers(0, 3, 3000)
    X = np.column_stack([x0, x0, rng.integers(0, 2, 3000)])  # feature 1 copies feature 0
    y = np.zeros(3000, dtype=int)
    gen = CategoricalSequenceGenerator(context=1, alpha=0.0, random_state=0).fit(X, y)
    assert gen.log_prob_[1].shape == (1, 3, 3)
    X_gen = gen.sample(500)
    np.testing.assert_array_equal(X_gen[:, 0], X_gen[:, 1])
    # context 0 breaks the copy
    X0 = CategoricalSequenceGenerator(alpha=0.0, random_state=0).fit(X, y).sample(500)
    assert np.mean(X0[:, 0] == X0[:, 1]) < 0.5


def test_alpha_zero_unseen_context_falls_back_uniform():
    X = np.array([[0, 0], [1, 1], [2, 0]])
    y = np.array([0, 0, 1])
    gen = CategoricalSequenceGenerator(alpha=0.0, context=1, random_state=0).fit(X, y)
    assert np.isneginf(gen.log_prob_[1]).any() and not np.isnan(gen.log_prob_[1]).any()
    # Ancestral draws with alpha=0 only reach seen contexts: class 1 only ever produces (2, 0).
    # Unseen contexts stay in the tables but are never visited: no warning, no NaN.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_gen = gen.sample(y=np.ones(200, dtype=int))
    np.testing.assert_array_equal(np.unique(X_gen, axis=0), [[2, 0]])
    # The guard for a row with every value impossible.
    with pytest.warns(RuntimeWarning, match="uniform"):
        drawn = gen._draw(np.full((2000, 3), -np.inf), np.random.RandomState(0))
    np.testing.assert_allclose(np.bincount(drawn) / 2000, 1 / 3, atol=0.04)


def test_same_seed_same_rows_and_no_input_mutation():
    X, y = _data()
    X_copy = X.copy()
    gen = CategoricalSequenceGenerator(suppression=1.0).fit(X, y)
    np.testing.assert_array_equal(gen.sample(50, random_state=3), gen.sample(50, random_state=3))
    np.testing.assert_array_equal(X, X_copy)
    X_s, y_s = gen.sample_labeled(y=[2, 0, 2])
    np.testing.assert_array_equal(y_s, [2, 0, 2])


@pytest.mark.parametrize(
    "params, match",
    [({"temperature": 0}, "temperature"), ({"temperature": -1}, "temperature"),
     ({"suppression": -0.1}, "suppression"), ({"alpha": -1}, "alpha")],
)
def test_bad_parameters(params, match):
    X, y = _data()
    with pytest.raises(InvalidParameterError, match=match):
        CategoricalSequenceGenerator(**params).fit(X, y)


def test_bad_input():
    X, y = _data()
    with pytest.raises(ValueError, match="integer category codes"):
        CategoricalSequenceGenerator().fit(X + 0.5, y)
    with pytest.raises(ValueError, match="Negative"):
        CategoricalSequenceGenerator().fit(X - 1, y)
    X_nan = X.astype(float)
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        CategoricalSequenceGenerator().fit(X_nan, y)
    gen = CategoricalSequenceGenerator().fit(X, y)
    with pytest.raises(ValueError, match="n_samples"):
        gen.sample(0)
    with pytest.raises(ValueError, match="not seen in fit"):
        gen.sample(y=[7])


def test_metrics_against_scipy_and_neighbors():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    X[1] = X[0]  # a duplicate pair: Chamfer counts 0 for both
    assert remote_clique_score(X) == pytest.approx(pdist(X).mean(), rel=1e-10)
    assert remote_clique_score(X, metric="hamming") == pytest.approx(pdist(X, "hamming").mean(), rel=1e-10)
    dist, _ = NearestNeighbors(n_neighbors=2).fit(X).kneighbors(X)
    assert chamfer_distance_score(X) == pytest.approx(dist[:, 1].mean(), rel=1e-7)
    with pytest.raises(ValueError, match="at least 2"):
        remote_clique_score(X[:1])
    with pytest.raises(ValueError):
        chamfer_distance_score(np.array([[np.inf], [0.0]]))
    with pytest.raises(TypeError, match="oracle"):
        label_accuracy_score(X, np.zeros(300), oracle="nope")
    with pytest.raises(ValueError, match="y_gen"):
        label_accuracy_score(X, np.zeros(5), oracle=CategoricalNB())


def test_augmenter_relabel_filter_and_counts():
    X, y = _data()
    aug = SyntheticDataAugmenter(generator=CategoricalSequenceGenerator(temperature=2.0), n_synthetic=0.5,
                                 random_state=0)
    X_res, y_res = aug.fit_resample(X, y)
    assert aug.n_generated_ == sum(round(0.5 * c) for c in np.bincount(y))
    assert X_res.shape[0] == X.shape[0] + aug.n_generated_
    np.testing.assert_array_equal(X_res[: X.shape[0]], X)
    # relabelled rows carry the relabeler's predictions
    np.testing.assert_array_equal(y_res[X.shape[0]:], aug.relabeler_.predict(X_res[X.shape[0]:]))
    assert aug.n_relabeled_ > 0
    no_lr = SyntheticDataAugmenter(relabel=False, n_synthetic=10, keep_original=False, random_state=0)
    X_s, y_s = no_lr.fit_resample(X, y)
    np.testing.assert_array_equal(np.bincount(y_s), [10, 10, 10])
    assert no_lr.relabeler_ is None
    filt = SyntheticDataAugmenter(outlier_detector=IsolationForest(random_state=0), min_confidence=0.6,
                                  random_state=0)
    X_f, _ = filt.fit_resample(X, y)
    assert filt.n_filtered_ > 0 and X_f.shape[0] == X.shape[0] + filt.n_generated_ - filt.n_filtered_


def test_augmenter_prefit_oracle_is_used_as_is_and_filter_all_warns():
    X, y = _data()
    oracle = CategoricalNB().fit(X, y)
    aug = SyntheticDataAugmenter(relabeler=oracle, min_confidence=1.0, random_state=0)
    with pytest.warns(UserWarning, match="removed every generated row"):
        X_res, y_res = aug.fit_resample(X, y)
    assert aug.relabeler_ is oracle
    np.testing.assert_array_equal(X_res, X)


def test_augmenter_with_shared_core_generator():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(5, 1, (100, 2))])
    y = np.repeat([0, 1], 100)
    aug = SyntheticDataAugmenter(generator=DiffusionGenerator(), relabel=False, n_synthetic=200,
                                 keep_original=False, random_state=0)
    X_s, y_s = aug.fit_resample(X, y)
    assert X_s.shape == (400, 2)
    np.testing.assert_allclose(X_s[y_s == 1].mean(axis=0), X[y == 1].mean(axis=0), atol=0.3)


def test_estimator_instead_of_counts():
    from sklearn.linear_model import LogisticRegression

    X, y = _data(n=1500)
    X[:, 3] = 2  # a constant feature is always generated as is
    gen = CategoricalSequenceGenerator(estimator=LogisticRegression(max_iter=1000), random_state=0).fit(X, y)
    assert gen.estimators_[3] is None and len(gen.estimators_) == 4
    X_gen = gen.sample(y=np.full(20000, 1))
    assert np.all(X_gen[:, 3] == 2)
    # the first feature sees only the class: its logistic fit is the class-conditional frequency
    p = np.bincount(X[y == 1, 0], minlength=4) / np.sum(y == 1)
    np.testing.assert_allclose(np.bincount(X_gen[:, 0], minlength=4) / 20000, p, atol=0.03)
    X_supp = CategoricalSequenceGenerator(estimator=LogisticRegression(max_iter=1000), suppression=2.0,
                                          random_state=0).fit(X, y).sample(y=np.zeros(50, dtype=int))
    assert X_supp.shape == (50, 4)
    with pytest.raises(InvalidParameterError, match="estimator"):
        CategoricalSequenceGenerator(estimator="counts").fit(X, y)


def test_score_samples_is_categorical_nb_marginal_and_normalised():
    from scipy.special import logsumexp

    X, y = _data()
    nb = CategoricalNB(alpha=0.5).fit(X, y)
    gen = CategoricalSequenceGenerator(alpha=0.5).fit(X, y)
    np.testing.assert_allclose(gen.score_samples(X), logsumexp(nb.predict_joint_log_proba(X), axis=1), atol=1e-10)
    # the tempered density sums to 1 over all 4**4 rows, with and without context
    grid = np.array(np.meshgrid(*[np.arange(4)] * 4, indexing="ij")).reshape(4, -1).T
    for params in ({"temperature": 2.0}, {"temperature": 0.5, "context": 2}):
        dens = CategoricalSequenceGenerator(**params).fit(X, y).score_samples(grid)
        assert np.exp(dens).sum() == pytest.approx(1.0, abs=1e-10)
    assert np.isneginf(gen.score_samples(np.array([[9, 0, 0, 0]])))[0]
