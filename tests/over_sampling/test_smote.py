import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.metrics.pairwise import ValueDifferenceMetric
from imblearn.over_sampling import SMOTE, SMOTENC
from scipy import sparse, stats
from sklearn.datasets import make_classification
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.over_sampling import OriginalSMOTE


@pytest.fixture
def data():
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, weights=[0.85], flip_y=0, random_state=0
    )
    return X, y


def _synthetic(X, y, sampler):
    X_res, y_res = sampler.fit_resample(X, y)
    return X_res[len(X) :], y_res[len(X) :], X_res, y_res


@pytest.mark.parametrize("percentage", [100, 300, 500])
def test_every_seed_used_percentage_over_100_times(data, percentage):
    X, y = data
    n_minority = int((y == 1).sum())
    sampler = OriginalSMOTE(percentage=percentage, random_state=0)
    X_new, y_new, X_res, y_res = _synthetic(X, y, sampler)
    assert X_new.shape[0] == n_minority * percentage // 100
    assert np.all(y_new == 1)
    # originals come first, unchanged
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(sampler.sample_indices_, np.arange(len(X)))
    uses = np.bincount(sampler.seed_indices_, minlength=len(X))
    assert set(uses[y == 1]) == {percentage // 100}
    assert uses[y == 0].sum() == 0


def test_percentage_below_100_uses_a_random_subset_of_seeds_once(data):
    X, y = data
    n_minority = int((y == 1).sum())
    sampler = OriginalSMOTE(percentage=40, random_state=0)
    X_new, *_ = _synthetic(X, y, sampler)
    assert X_new.shape[0] == int(np.floor(0.4 * n_minority))
    assert np.unique(sampler.seed_indices_).size == X_new.shape[0]
    other = OriginalSMOTE(percentage=40, random_state=1).fit(X, y)
    other.fit_resample(X, y)
    assert set(other.seed_indices_) != set(sampler.seed_indices_)


def test_non_multiple_of_100_is_truncated_with_a_warning(data):
    X, y = data
    with pytest.warns(UserWarning, match="not a multiple of 100"):
        X_res, _ = OriginalSMOTE(percentage=250, random_state=0).fit_resample(X, y)
    assert X_res.shape[0] - X.shape[0] == 2 * (y == 1).sum()


def test_neighbour_sets_match_imblearn(data):
    X, y = data
    rows = np.flatnonzero(y == 1)
    peer = SMOTE(k_neighbors=5, random_state=0).fit(X, y)
    peer.fit_resample(X, y)
    peer_sets = peer.nn_k_.kneighbors(X[rows], return_distance=False)[:, 1:]
    ours = OriginalSMOTE(percentage=6000, k_neighbors=5, random_state=0)
    ours.fit_resample(X, y)
    used = {}
    for seed, partner in zip(ours.seed_indices_, ours.neighbor_indices_):
        used.setdefault(seed, set()).add(partner)
    for position, seed in enumerate(rows):
        assert used[seed] == set(rows[peer_sets[position]])


def _gap_on_segment(x_new, x_seed, x_partner):
    step = x_partner - x_seed
    gap = np.sum((x_new - x_seed) * step, axis=1) / np.sum(step * step, axis=1)
    residual = x_new - (x_seed + gap[:, None] * step)
    return gap, np.abs(residual).max()


def test_segment_rows_lie_on_the_segment_with_uniform_gaps(data):
    X, y = data
    sampler = OriginalSMOTE(percentage=1000, random_state=0)
    X_new, *_ = _synthetic(X, y, sampler)
    gap, residual = _gap_on_segment(X_new, X[sampler.seed_indices_], X[sampler.neighbor_indices_])
    assert residual < 1e-10
    assert gap.min() >= 0 and gap.max() <= 1
    assert stats.kstest(gap, "uniform").pvalue > 1e-3


def test_per_feature_rows_fill_the_box_not_the_segment(data):
    X, y = data
    sampler = OriginalSMOTE(percentage=1000, interpolation="per_feature", random_state=0)
    X_new, *_ = _synthetic(X, y, sampler)
    seed, partner = X[sampler.seed_indices_], X[sampler.neighbor_indices_]
    low, high = np.minimum(seed, partner), np.maximum(seed, partner)
    assert np.all(X_new >= low - 1e-12) and np.all(X_new <= high + 1e-12)
    fraction = (X_new - seed) / (partner - seed)
    assert stats.kstest(fraction.ravel(), "uniform").pvalue > 1e-3
    _, residual = _gap_on_segment(X_new, seed, partner)
    assert residual > 0.1  # gaps differ between attributes


def test_sampling_strategy_picks_classes_and_percentage_sets_counts():
    X, y = make_classification(
        n_samples=600, n_classes=3, n_informative=4, weights=[0.2, 0.3, 0.5], flip_y=0, random_state=0
    )
    counts = np.bincount(y)
    _, y_res = OriginalSMOTE(percentage=200, sampling_strategy="not majority", random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(np.bincount(y_res), [3 * counts[0], 3 * counts[1], counts[2]])
    _, y_res = OriginalSMOTE(percentage=100, random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(np.bincount(y_res), [2 * counts[0], counts[1], counts[2]])


def test_same_seed_same_rows_and_input_untouched(data):
    X, y = data
    X_copy, y_copy = X.copy(), y.copy()
    first = OriginalSMOTE(random_state=3).fit_resample(X, y)[0]
    second = OriginalSMOTE(random_state=3).fit_resample(X, y)[0]
    other = OriginalSMOTE(random_state=4).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_sparse_input_gives_the_dense_result(data):
    X, y = data
    dense, _ = OriginalSMOTE(percentage=200, interpolation="per_feature", random_state=0).fit_resample(X, y)
    X_sparse, _ = OriginalSMOTE(percentage=200, interpolation="per_feature", random_state=0).fit_resample(
        sparse.csr_matrix(X), y
    )
    assert sparse.issparse(X_sparse)
    np.testing.assert_allclose(X_sparse.toarray(), dense)


def _mixed_data(random_state=0, n_samples=400):
    rng = np.random.RandomState(random_state)
    X, y = make_classification(
        n_samples=n_samples, n_features=4, n_informative=3, n_redundant=0, weights=[0.8], flip_y=0,
        random_state=random_state,
    )
    colour = np.where(X[:, 0] + rng.normal(0, 0.5, n_samples) > 0, "red", "blue")
    size = rng.choice(["S", "M", "L"], size=n_samples)
    X_mixed = np.empty((n_samples, 5), dtype=object)
    X_mixed[:, [0, 2, 4]] = X[:, 1:]
    X_mixed[:, 1] = colour
    X_mixed[:, 3] = size
    return X_mixed, y


def test_smotenc_distance_and_median_std_match_imblearn():
    X, y = _mixed_data()
    peer = SMOTENC(categorical_features=[1, 3], k_neighbors=5, random_state=0)
    peer.fit_resample(X, y)
    ours = OriginalSMOTE(categorical_features=[1, 3], k_neighbors=5, random_state=0)
    ours.fit_resample(X, y)
    assert ours.median_std_[1] == pytest.approx(peer.median_std_[1], rel=1e-10)
    peer_dist, peer_ind = peer.nn_k_.kneighbors()
    our_dist, our_ind = ours.nn_[1].kneighbors()
    np.testing.assert_allclose(our_dist, peer_dist, rtol=1e-10)
    np.testing.assert_array_equal(np.sort(our_ind, axis=1), np.sort(peer_ind, axis=1))


def test_smotenc_distance_is_the_papers_formula():
    X, y = _mixed_data()
    ours = OriginalSMOTE(categorical_features=[1, 3], random_state=0)
    ours.fit_resample(X, y)
    rows = np.flatnonzero(y == 1)
    cont = X[rows][:, [0, 2, 4]].astype(float)
    med = np.median(cont.std(axis=0))
    dist, ind = ours.nn_[1].kneighbors(n_neighbors=3)
    for i in range(5):
        for d, j in zip(dist[i], ind[i]):
            mismatches = np.sum(X[rows[i], [1, 3]] != X[rows[j], [1, 3]])
            expected = np.sqrt(np.sum((cont[i] - cont[j]) ** 2) + mismatches * med**2)
            assert d == pytest.approx(expected, rel=1e-10)


def test_smotenc_nominal_values_are_the_neighbours_majority():
    X, y = _mixed_data()
    ours = OriginalSMOTE(categorical_features=[1, 3], percentage=300, random_state=0)
    X_new, *_ = _synthetic(X, y, ours)
    rows = np.flatnonzero(y == 1)
    neighbours = ours.nn_[1].kneighbors(X=None, n_neighbors=5, return_distance=False)
    position = {row: i for i, row in enumerate(rows)}
    n_tied = 0
    for x_new, seed in zip(X_new, ours.seed_indices_):
        for column in (1, 3):
            values, counts = np.unique(X[rows[neighbours[position[seed]]], column], return_counts=True)
            winners = set(values[counts == counts.max()])
            assert x_new[column] in winners
            n_tied += len(winners) > 1
    # continuous columns interpolated on the seed-partner segment
    cont = [0, 2, 4]
    seed_x = X[ours.seed_indices_][:, cont].astype(float)
    partner_x = X[ours.neighbor_indices_][:, cont].astype(float)
    _, residual = _gap_on_segment(X_new[:, cont].astype(float), seed_x, partner_x)
    assert residual < 1e-10
    assert n_tied > 0  # ties were exercised


def test_smotenc_zero_median_std_still_votes_nominals():
    X, y = _mixed_data()
    X[:, [0, 2, 4]] = 1.5  # constant continuous features: Med = 0
    ours = OriginalSMOTE(categorical_features=[1, 3], random_state=0)
    X_new, *_ = _synthetic(X, y, ours)
    assert ours.median_std_[1] == 0.0
    assert np.all(X_new[:, [0, 2, 4]] == 1.5)
    assert set(X_new[:, 1]) <= {"red", "blue"} and set(X_new[:, 3]) <= {"S", "M", "L"}


def test_smoten_distance_is_imblearn_value_difference_metric():
    X, y = _mixed_data()
    X_nominal = X[:, [1, 3]]
    ours = OriginalSMOTE(categorical_features=[0, 1], random_state=0)
    X_res, y_res = ours.fit_resample(X_nominal, y)
    codes = np.column_stack([np.unique(column, return_inverse=True)[1] for column in X_nominal.T]).astype(np.int32)
    vdm = ValueDifferenceMetric(k=1, r=1).fit(codes, y)
    rows = np.flatnonzero(y == 1)
    expected = np.sort(vdm.pairwise(codes[rows]), axis=1)[:, 1:7]  # drop the zero self-distance
    dist, _ = ours.nn_[1].kneighbors()
    np.testing.assert_allclose(dist, expected, atol=1e-12)
    assert np.all(ours.neighbor_indices_ == -1)
    assert set(map(tuple, X_res[len(X):])) <= set(map(tuple, X_nominal))


def test_smoten_through_auto_on_a_string_array():
    X, y = _mixed_data()
    X_nominal = X[:, [1, 3]].astype(str)
    X_res, y_res = OriginalSMOTE(categorical_features="auto", random_state=0).fit_resample(X_nominal, y)
    assert X_res.dtype.kind == "U" and X_res.shape == (len(y) + (y == 1).sum(), 2)


def test_pandas_input_keeps_nominal_dtypes():
    X, y = _mixed_data()
    frame = pd.DataFrame(X, columns=["a", "colour", "b", "size", "c"]).astype({"a": float, "b": float, "c": float})
    frame["colour"] = frame["colour"].astype("category")
    frame["size"] = pd.Categorical(frame["size"], categories=["S", "M", "L"], ordered=True)
    X_res, y_res = OriginalSMOTE(categorical_features="auto", random_state=0).fit_resample(frame, pd.Series(y))
    assert isinstance(X_res, pd.DataFrame)
    assert X_res.dtypes.equals(frame.dtypes)
    assert len(X_res) == len(frame) + (y == 1).sum()
    by_name, _ = OriginalSMOTE(categorical_features=["colour", "size"], random_state=0).fit_resample(frame, y)
    pd.testing.assert_frame_equal(by_name, X_res)


# -- degenerate data and bad input ------------------------------------------


def test_one_class_raises():
    X = np.random.RandomState(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="class"):
        OriginalSMOTE().fit_resample(X, np.zeros(20))


def test_minority_too_small_for_k_names_k_neighbors():
    X = np.random.RandomState(0).normal(size=(30, 3))
    y = np.array([0] * 26 + [1] * 4)
    with pytest.raises(ValueError, match="k_neighbors=5 needs at least"):
        OriginalSMOTE().fit_resample(X, y)
    X_res, _ = OriginalSMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)
    assert X_res.shape == (34, 3)
    y[:] = 0
    y[-1] = 1
    with pytest.raises(ValueError, match="at least 2 rows"):
        OriginalSMOTE(k_neighbors=1).fit_resample(X, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_x_raises(data, bad):
    X, y = data
    X = X.copy()
    X[3, 2] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        OriginalSMOTE().fit_resample(X, y)
    X_mixed, y_mixed = _mixed_data()
    X_mixed[5, 0] = bad
    with pytest.raises(ValueError, match="continuous columns"):
        OriginalSMOTE(categorical_features=[1, 3]).fit_resample(X_mixed, y_mixed)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"percentage": 0}, "percentage"),
        ({"percentage": -50}, "percentage"),
        ({"k_neighbors": 0}, "k_neighbors"),
        ({"interpolation": "box"}, "interpolation"),
        ({"categorical_features": "all"}, "categorical_features"),
    ],
)
def test_invalid_parameters(data, params, match):
    X, y = data
    with pytest.raises(InvalidParameterError, match=match):
        OriginalSMOTE(**params).fit_resample(X, y)


@pytest.mark.parametrize(
    "categorical, error, match",
    [
        ([7], ValueError, r"indices must lie in \[0, 4\]"),
        ([1, 1], ValueError, "repeated"),
        (["colour"], ValueError, "DataFrame"),
        ([True, False], ValueError, "one entry per feature"),
        ([0.5], TypeError, "integer indices"),
        ([[1, 3]], ValueError, "1-D"),
    ],
)
def test_bad_categorical_features(categorical, error, match):
    X, y = _mixed_data()
    with pytest.raises(error, match=match):
        OriginalSMOTE(categorical_features=categorical).fit_resample(X, y)


def test_nominal_problems_raise():
    X, y = _mixed_data()
    with pytest.raises(ValueError, match="not numeric"):
        OriginalSMOTE(categorical_features=[1]).fit_resample(X, y)  # column 3 holds strings
    with pytest.raises(ValueError, match="Sparse X"):
        OriginalSMOTE(categorical_features=[0]).fit_resample(sparse.csr_matrix(np.ones((10, 2))), [0] * 4 + [1] * 6)
    X_missing = X.copy()
    X_missing[2, 1] = None
    with pytest.raises(ValueError, match="missing values in nominal column 1"):
        OriginalSMOTE(categorical_features=[1, 3]).fit_resample(X_missing, y)


def test_constant_duplicated_columns_and_n_smaller_than_p():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 100))  # n < p
    X[:, 5] = 2.0  # constant column stays constant
    X[:, 6] = X[:, 7]  # duplicated columns stay duplicated
    y = np.array([0] * 30 + [1] * 10)
    X_res, y_res = OriginalSMOTE(percentage=200, random_state=0).fit_resample(X, y)
    assert X_res.shape == (60, 100)
    assert np.all(X_res[:, 5] == 2.0)
    np.testing.assert_array_equal(X_res[:, 6], X_res[:, 7])


def test_duplicated_minority_rows_give_duplicates():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(30, 2)), np.repeat([[5.0, 5.0]], 8, axis=0)])
    y = np.array([0] * 30 + [1] * 8)
    X_res, _ = OriginalSMOTE(percentage=300, random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[38:], 5.0)


@settings(max_examples=25, deadline=None)
@given(
    n_minority=st.integers(min_value=3, max_value=25),
    percentage=st.sampled_from([30, 100, 200, 700]),
    k=st.integers(min_value=1, max_value=2),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_property_counts_and_rows_inside_the_minority_box(n_minority, percentage, k, seed):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_minority + 30, 3))
    y = np.array([1] * n_minority + [0] * 30)
    X_res, y_res = OriginalSMOTE(percentage=percentage, k_neighbors=k, random_state=seed).fit_resample(X, y)
    n_new = int(np.floor(percentage / 100 * n_minority)) if percentage < 100 else percentage // 100 * n_minority
    assert X_res.shape[0] == len(X) + n_new
    minority = X[y == 1]
    new = X_res[len(X) :]
    assert np.all(new >= minority.min(axis=0) - 1e-12) and np.all(new <= minority.max(axis=0) + 1e-12)


def test_dict_sampling_strategy_names_classes_and_its_counts_are_ignored(data):
    X, y = data
    n_minority = int((y == 1).sum())
    _, y_res = OriginalSMOTE(percentage=200, sampling_strategy={1: 10_000}, random_state=0).fit_resample(X, y)
    assert (y_res == 1).sum() == 3 * n_minority  # the percentage, not the 10,000 asked by the dict
    _, y_res = OriginalSMOTE(percentage=100, sampling_strategy="all", random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(np.bincount(y_res), 2 * np.bincount(y))


def test_tiny_percentage_can_make_no_rows(data):
    X, y = data
    n_minority = int((y == 1).sum())
    sampler = OriginalSMOTE(percentage=100 / (n_minority + 1), random_state=0)  # floor(< 1) seeds
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)
    assert sampler.seed_indices_.size == 0 and sampler.neighbor_indices_.size == 0


def test_nominal_ties_are_broken_uniformly_at_random():
    from skpapers.over_sampling._smote import _vote

    codes = np.array([[0, 0, 1, 1, 2], [3, 3, 3, 1, 2]])
    rows = np.repeat([0, 1], 4000)
    winners = _vote(codes, rows, np.random.RandomState(0))
    assert set(winners[rows == 1]) == {3}
    first = winners[rows == 0]
    assert set(first) == {0, 1}
    assert stats.binomtest(int((first == 0).sum()), first.size, 0.5).pvalue > 1e-3
