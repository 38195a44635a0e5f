"""UtilityDiversityClassifier: scores against numpy and scipy, selection logic, limit cases, bad input."""

import copy
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Perceptron, SGDClassifier
from sklearn.naive_bayes import MultinomialNB

from skpapers.sampling import UtilityDiversityClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _sgd(seed=0):
    return SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.05, random_state=seed)


@pytest.fixture
def data():
    X, y = make_classification(n_samples=240, n_features=6, n_informative=4, n_classes=3, random_state=0)
    return X, y


def _fitted(X, y, **params):
    groups = params.pop("groups", None)
    params = {"estimator": _sgd(), "random_state": 0, **params}
    return UtilityDiversityClassifier(**params).fit(X, y, groups=groups)


# ---------------------------------------------------------------- scores vs independent computations
def test_grouped_utility_is_the_nuclear_norm_of_each_groups_outputs(data):
    X, y = data
    groups = np.repeat(np.arange(60), 4)
    clf = _fitted(X, y, groups=groups)
    # unequal group lengths in one candidate batch: 1, 2, 3 and 6 rows
    cand = np.repeat([7, 3, 9, 5], [1, 2, 3, 6])
    Xc = X[:12]
    utility, _, _ = clf.score_candidates(Xc, groups=cand)
    Z = clf.estimator_.decision_function(Xc)
    expected = [np.linalg.norm(Z[cand == g], "nuc") for g in (7, 3, 9, 5)]  # order of first appearance
    assert_allclose(utility, expected, rtol=1e-12)


def test_single_row_utility_is_the_output_norm_and_binary_output_is_one_column():
    X, y = make_classification(n_samples=200, n_features=5, random_state=1)
    clf = _fitted(X, y)
    utility, _, _ = clf.score_candidates(X[:20])
    # rank one: the nuclear norm of a 1 x 1 matrix is the absolute logit, no invented second column
    assert_allclose(utility, np.abs(clf.estimator_.decision_function(X[:20])), rtol=1e-12)
    assert clf.projection_.shape[0] == 1

    proba = _fitted(X, y, output="predict_proba")
    utility, _, _ = proba.score_candidates(X[:20])
    assert_allclose(utility, np.linalg.norm(proba.estimator_.predict_proba(X[:20]), axis=1), rtol=1e-12)


def test_diversity_is_the_mean_distance_to_the_buffer_of_projected_outputs(data):
    X, y = data
    groups = np.repeat(np.arange(60), 4)
    clf = _fitted(X, y, groups=groups, alpha=0.3)
    cand = np.repeat([0, 1, 2], [4, 2, 3])
    Xc = X[100:109]
    utility, diversity, combined = clf.score_candidates(Xc, groups=cand)
    Z = clf.estimator_.decision_function(Xc)
    length = clf.projection_.shape[0] // Z.shape[1]
    assert length == 4  # the longest sample seen in training
    expected = []
    for g in range(3):
        padded = np.zeros((length, Z.shape[1]))
        padded[: np.sum(cand == g)] = Z[cand == g]
        phi = padded.ravel() @ clf.projection_
        expected.append(np.mean(np.sqrt(((clf.buffer_ - phi) ** 2).sum(axis=1))))
    assert_allclose(diversity, expected, rtol=1e-10)
    assert_allclose(combined, utility + 0.3 * diversity, rtol=1e-12)


def test_projection_is_a_johnson_lindenstrauss_map():
    X, y = make_classification(n_samples=200, n_features=30, random_state=0)
    clf = _fitted(X, y, embedding="input", n_components=2000)
    assert clf.projection_.shape == (30, 2000)
    assert_allclose(clf.projection_.var(), 1 / 2000, rtol=0.05)
    phi = X[:20] @ clf.projection_
    for i, j in [(0, 1), (2, 3), (4, 19)]:
        ratio = np.linalg.norm(phi[i] - phi[j]) / np.linalg.norm(X[i] - X[j])
        assert 0.9 < ratio < 1.1


def test_max_loss_utility_is_the_per_sample_log_loss(data):
    X, y = data
    groups = np.repeat(np.arange(80), 3)
    clf = _fitted(X, y, strategy="max_loss", groups=groups)
    cand = np.repeat([0, 1, 2, 3], 3)
    utility, _, combined = clf.score_candidates(X[:12], y[:12], groups=cand)
    proba = clf.estimator_.predict_proba(X[:12])
    row_loss = -np.log(proba[np.arange(12), np.searchsorted(clf.classes_, y[:12])])
    assert_allclose(utility, row_loss.reshape(4, 3).mean(axis=1), rtol=1e-10)
    assert_array_equal(combined, utility)
    with pytest.raises(ValueError, match="y is required"):
        clf.score_candidates(X[:12], groups=cand)


def test_zscore_standardises_both_terms_within_the_batch(data):
    X, y = data
    clf = _fitted(X, y, score_normalization="zscore", alpha=2.0)
    utility, diversity, combined = clf.score_candidates(X[:40])

    def z(v):
        return (v - v.mean()) / v.std()

    assert_allclose(combined, z(utility) + 2.0 * z(diversity), rtol=1e-10)
    for strategy, expected in [("utility", z(utility)), ("diversity", z(diversity))]:
        clf.set_params(strategy=strategy)
        assert_allclose(clf.score_candidates(X[:40])[2], expected, rtol=1e-10)
    clf.set_params(strategy="random")
    assert_array_equal(clf.score_candidates(X[:40])[2], 0.0)


# ------------------------------------------------------------------------------- selection logic
def test_a_round_trains_on_the_top_k_of_the_combined_score(data):
    X, y = data
    clf = UtilityDiversityClassifier(_sgd(), batch_size=40, selection_ratio=0.25, alpha=5.0, random_state=0)
    clf.partial_fit(X[:40], y[:40], classes=np.unique(y))  # warm start: whole batch
    assert_array_equal(clf.selection_counts_, 1)
    for start in (40, 80, 120):
        batch = slice(start, start + 40)
        before = copy.deepcopy(clf.estimator_)
        buffer_before = clf.buffer_.copy()
        _, _, combined = clf.score_candidates(X[batch])
        top = np.argsort(-combined, kind="stable")[:10]
        clf.partial_fit(X[batch], y[batch])
        assert_array_equal(np.flatnonzero(clf.selection_counts_), np.sort(top))
        # the buffer gained the 10 embeddings, scored by the model before the update
        assert clf.buffer_.shape[0] == buffer_before.shape[0] + 10
        # the estimator was updated with exactly those rows
        before.partial_fit(X[batch][np.sort(top)], y[batch][np.sort(top)])
        assert_allclose(clf.estimator_.coef_, before.coef_, rtol=1e-12)


def test_full_selection_equals_plain_partial_fit_on_every_batch(data):
    X, y = data
    classes = np.unique(y)
    plain = _sgd()
    for start in range(0, 240, 32):
        plain.partial_fit(X[start : start + 32], y[start : start + 32], classes=classes)
    for strategy in ("uds", "random", "max_loss", "utility", "diversity"):
        clf = UtilityDiversityClassifier(_sgd(), batch_size=32, selection_ratio=1.0, strategy=strategy, random_state=3)
        clf.partial_fit(X, y, classes=classes)
        assert_allclose(clf.estimator_.coef_, plain.coef_, rtol=1e-12)
        assert_array_equal(clf.selection_counts_, 1)
        assert clf.n_iter_ == 8 and clf.n_selected_ == clf.n_candidates_seen_ == 240


def test_budget_per_batch_including_the_last_incomplete_one(data):
    X, y = data
    clf = _fitted(X, y, batch_size=32, selection_ratio=0.25, strategy="random", max_epochs=2)
    # 240 = 7 full batches + 16 rows per epoch; the first batch trains whole (warm start)
    per_epoch = 7 * 8 + 4
    assert clf.n_selected_ == 32 + (per_epoch - 8) + per_epoch
    assert clf.n_candidates_seen_ == 480 and clf.n_iter_ == 16
    assert clf.selection_counts_.sum() == clf.n_selected_
    assert clf.buffer_.shape == (0, clf.n_components)  # random selection scores nothing


def test_ties_go_to_the_earlier_candidate(data):
    X, y = data
    clf = UtilityDiversityClassifier(_sgd(), batch_size=40, strategy="diversity", random_state=0)
    clf.partial_fit(X[:40], y[:40], classes=np.unique(y))
    # the buffer is still empty: every diversity is 0
    clf.partial_fit(X[40:80], y[40:80])
    assert_array_equal(np.flatnonzero(clf.selection_counts_), np.arange(10))


def test_buffer_is_a_fifo_of_the_latest_selected_embeddings(data):
    X, y = data
    clf = UtilityDiversityClassifier(_sgd(), batch_size=20, buffer_size=12, embedding="input", random_state=0)
    clf.partial_fit(X[:20], y[:20], classes=np.unique(y))
    for start in range(20, 120, 20):
        clf.partial_fit(X[start : start + 20], y[start : start + 20])
    # the last round kept 5 rows; input embeddings do not depend on the model
    last = np.flatnonzero(clf.selection_counts_)
    assert clf.buffer_.shape == (12, clf.n_components)
    assert_allclose(clf.buffer_[-5:], X[100:120][last] @ clf.projection_)


def test_groups_are_selected_whole_and_projection_grows_consistently(data):
    X, y = data
    groups = np.repeat(np.arange(48), 5)
    clf = _fitted(X, y, groups=groups, batch_size=8, selection_ratio=0.25)
    counts = clf.selection_counts_.reshape(48, 5)
    assert np.all(counts == counts[:, :1])
    assert clf.projection_.shape == (5 * 3, clf.n_components)
    first_rows = clf.projection_.copy()
    # a longer sample arrives in streaming: rows are appended, earlier ones unchanged
    clf.partial_fit(X[:8], y[:8], groups=np.zeros(8))
    assert clf.projection_.shape == (8 * 3, clf.n_components)
    assert_array_equal(clf.projection_[:15], first_rows)


def test_same_seed_same_model_and_different_seed_differs(data):
    X, y = data
    a = UtilityDiversityClassifier(random_state=0).fit(X, y)
    b = UtilityDiversityClassifier(random_state=0).fit(X, y)
    c = UtilityDiversityClassifier(random_state=1).fit(X, y)
    assert_array_equal(a.estimator_.coef_, b.estimator_.coef_)
    assert_array_equal(a.selection_counts_, b.selection_counts_)
    assert not np.array_equal(a.selection_counts_, c.selection_counts_)


def test_inputs_are_not_modified_and_sample_weight_follows_the_rows(data):
    X, y = data
    X0, y0 = X.copy(), y.copy()
    weight = np.ones(len(y))
    weight[::2] = 0.0
    clf = _fitted(X, y, strategy="max_loss")
    clf.fit(X, y, sample_weight=weight)
    assert_array_equal(X, X0) and assert_array_equal(y, y0)
    # zero-weight rows teach nothing and are never selected, not even in the warm start
    assert clf.selection_counts_[::2].sum() == 0
    assert clf.selection_counts_[1::2].sum() == clf.n_selected_ > 0


def test_works_with_other_partial_fit_classifiers(data):
    X, y = data
    nb = UtilityDiversityClassifier(MultinomialNB(), output="predict_log_proba", random_state=0)
    nb.fit(X - X.min(), y)
    assert nb.score(X - X.min(), y) > 0.4
    assert not hasattr(nb, "decision_function")
    perceptron = UtilityDiversityClassifier(Perceptron(random_state=0), random_state=0).fit(X, y)
    assert not hasattr(perceptron, "predict_proba")
    assert perceptron.predict(X).shape == (240,)


# ------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "params, match",
    [
        ({"estimator": LogisticRegression()}, "estimator"),
        ({"selection_ratio": 0.0}, "selection_ratio"),
        ({"selection_ratio": 1.5}, "selection_ratio"),
        ({"batch_size": 0}, "batch_size"),
        ({"buffer_size": 0}, "buffer_size"),
        ({"n_components": 0}, "n_components"),
        ({"alpha": -1.0}, "alpha"),
        ({"strategy": "greedy"}, "strategy"),
        ({"output": "logits"}, "output"),
        ({"embedding": "fft"}, "embedding"),
        ({"score_normalization": "minmax"}, "score_normalization"),
        ({"warm_start_batches": 0}, "warm_start_batches"),
        ({"estimator": SGDClassifier(), "strategy": "max_loss"}, "strategy='max_loss' needs an estimator with predict_proba"),
        ({"estimator": SGDClassifier(), "output": "predict_proba"}, "output='predict_proba' needs an estimator"),
        ({"estimator": MultinomialNB()}, "output='decision_function' needs an estimator"),
    ],
)
def test_bad_parameters_raise_naming_the_parameter(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        UtilityDiversityClassifier(**params).fit(np.abs(X), y)


def test_bad_data_raise(data):
    X, y = data
    clf = UtilityDiversityClassifier(random_state=0)
    with pytest.raises(ValueError, match="groups must be a 1-D array with one entry per row"):
        clf.fit(X, y, groups=np.arange(10))
    with pytest.raises(ValueError, match="groups must not contain NaN"):
        clf.fit(X, y, groups=np.r_[np.nan, np.arange(239.0)])
    with pytest.raises(ValueError, match="1 class"):
        clf.fit(X, np.zeros(240))
    X_nan = X.copy()
    X_nan[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(X_nan, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(X, np.linspace(0, 1, 240))
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        UtilityDiversityClassifier().partial_fit(X, y)
    fitted = UtilityDiversityClassifier(random_state=0).partial_fit(X[:40], y[:40], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="labels not in classes"):
        fitted.partial_fit(X[:40], y[:40] + 5)
    with pytest.raises(ValueError, match="differs from the classes"):
        fitted.partial_fit(X[:40], y[:40], classes=[0, 1])
    with pytest.raises(ValueError, match="y must have shape"):
        fitted.score_candidates(X[:10], y[:5])
    with pytest.raises(ValueError, match="labels not in classes_"):
        fitted.score_candidates(X[:10], y[:10] + 7)


def test_too_small_a_budget_warns_and_keeps_one(data):
    X, y = data
    clf = UtilityDiversityClassifier(_sgd(), batch_size=4, selection_ratio=0.1, random_state=0)
    with pytest.warns(UserWarning, match="one sample per candidate batch"):
        clf.fit(X, y)
    # warm-start batch of 4, then one of each of the 59 remaining batches of 4
    assert clf.n_selected_ == 4 + 59


def test_degenerate_data_constant_columns_and_more_features_than_rows():
    rng = np.random.RandomState(0)
    X = np.hstack([rng.standard_normal((30, 50)), np.ones((30, 3))])
    y = np.tile([0, 1, 2], 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = UtilityDiversityClassifier(random_state=0, batch_size=8, score_normalization="zscore").fit(X, y)
    assert np.all(np.isfinite(clf.estimator_.coef_))
    # identical candidates: z-scores of a constant are zero, not NaN
    _, _, combined = clf.score_candidates(np.repeat(X[:1], 5, axis=0))
    assert_array_equal(combined, 0.0)


def test_groups_reach_the_classifier_through_metadata_routing(data):
    import sklearn
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = data
    groups = np.repeat(np.arange(60), 4)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = UtilityDiversityClassifier(_sgd(), random_state=0).set_fit_request(groups=True)
        pipe = make_pipeline(StandardScaler(), clf).fit(X, y, groups=groups)
    # 4-row samples, 3 decision columns: the projection covers 4 x 3 inputs
    assert pipe[-1].projection_.shape[0] == 12
    counts = pipe[-1].selection_counts_.reshape(60, 4)
    assert np.all(counts == counts[:, :1])


def test_scores_follow_the_candidates_when_rows_are_permuted(data):
    X, y = data
    groups = np.repeat(np.arange(60), 4)
    clf = _fitted(X, y, groups=groups, alpha=0.5)
    cand = np.repeat([10, 11, 12, 13, 14], 4)
    scores = np.column_stack(clf.score_candidates(X[:20], groups=cand))
    # shuffling the rows (within and across groups) reorders rows inside a group: its
    # nuclear norm is unchanged, its zero-padded embedding is not, so only the utility is invariant
    order = np.random.RandomState(0).permutation(20)
    first_seen = cand[order][np.sort(np.unique(cand[order], return_index=True)[1])]
    permuted = np.column_stack(clf.score_candidates(X[order], groups=cand[order]))
    assert_allclose(permuted[:, 0], scores[first_seen - 10, 0], rtol=1e-10)
    # ... and reordering whole groups keeps every score of every group
    block = np.r_[16:20, 0:4, 8:12, 4:8, 12:16]
    reordered = np.column_stack(clf.score_candidates(X[block], groups=cand[block]))
    assert_allclose(reordered, scores[[4, 0, 2, 1, 3]], rtol=1e-10)
