import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.datasets import make_classification
from sklearn.model_selection import cross_val_predict
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.over_sampling import OriginalSMOTE, SMOTEUnderSampler


def _paper_example():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(250, 3))
    y = np.array([0] * 200 + [1] * 50)
    return X, y


def test_paper_example_minority_50_majority_200_u_200_keeps_25():
    X, y = _paper_example()
    X_res, y_res = SMOTEUnderSampler(smote_percentage=0, under_sampling_percentage=200, random_state=0).fit_resample(
        X, y
    )
    assert np.bincount(y_res).tolist() == [25, 50]


@pytest.mark.parametrize(
    "smote_percentage, under, expected",
    [(200, 100, [150, 150]), (200, 50, [200, 150]), (100, 300, [33, 100]), (500, 2000, [15, 300])],
)
def test_under_sampling_counts_minority_after_smote(smote_percentage, under, expected):
    X, y = _paper_example()
    sampler = SMOTEUnderSampler(smote_percentage=smote_percentage, under_sampling_percentage=under, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    # floor(n_minority_after / (U / 100)), capped at the 200 majority rows
    assert np.bincount(y_res).tolist() == expected


def test_pure_under_sampling_agrees_with_imblearn_random_under_sampler():
    X, y = _paper_example()
    ours = SMOTEUnderSampler(smote_percentage=0, under_sampling_percentage=40, random_state=0)
    X_res, y_res = ours.fit_resample(X, y)
    # the paper's U% is imblearn's ratio minority / majority = U / 100
    peer_X, peer_y = RandomUnderSampler(sampling_strategy=0.4, random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == np.bincount(peer_y).tolist() == [125, 50]
    np.testing.assert_array_equal(X_res, X[ours.sample_indices_])


def test_output_is_kept_rows_then_smote_rows():
    X, y = _paper_example()
    sampler = SMOTEUnderSampler(smote_percentage=300, under_sampling_percentage=150, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    kept = sampler.sample_indices_
    assert np.all(np.diff(kept) > 0)
    assert set(np.flatnonzero(y == 1)) <= set(kept)  # all minority rows stay
    np.testing.assert_array_equal(X_res[: kept.size], X[kept])
    synthetic = X_res[kept.size :]
    assert synthetic.shape[0] == 150 and np.all(y_res[kept.size :] == 1)
    # the SMOTE step is OriginalSMOTE's: same seed usage, rows on the segments
    assert set(np.bincount(sampler.seed_indices_)[y == 1]) == {3}
    seed, partner = X[sampler.seed_indices_], X[sampler.neighbor_indices_]
    step = partner - seed
    gap = np.sum((synthetic - seed) * step, axis=1) / np.sum(step * step, axis=1)
    np.testing.assert_allclose(synthetic, seed + gap[:, None] * step, atol=1e-10)
    smote_only = OriginalSMOTE(percentage=300, random_state=0).fit_resample(X, y)[0]
    assert smote_only.shape[0] - len(X) == synthetic.shape[0]


def test_multiclass_smotes_the_smallest_and_caps_the_others():
    X, y = make_classification(
        n_samples=600, n_classes=3, n_informative=4, weights=[0.1, 0.3, 0.6], flip_y=0, random_state=0
    )
    counts = np.bincount(y)
    sampler = SMOTEUnderSampler(smote_percentage=100, under_sampling_percentage=50, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    n_min = 2 * counts[0]
    assert sampler.minority_class_ == 0
    assert np.bincount(y_res).tolist() == [n_min, min(counts[1], 2 * n_min), min(counts[2], 2 * n_min)]


def test_inside_a_pipeline_only_training_folds_are_resampled():
    X, y = make_classification(n_samples=500, weights=[0.9], flip_y=0, random_state=0)
    model = Pipeline(
        [("resample", SMOTEUnderSampler(random_state=0)), ("tree", DecisionTreeClassifier(random_state=0))]
    )
    predictions = cross_val_predict(model, X, y, cv=5)
    assert predictions.shape == y.shape  # one prediction per original row


def test_one_class_and_bad_parameters():
    X, y = _paper_example()
    with pytest.raises(ValueError, match="class"):
        SMOTEUnderSampler().fit_resample(X, np.zeros(len(y)))
    with pytest.raises(InvalidParameterError, match="under_sampling_percentage"):
        SMOTEUnderSampler(under_sampling_percentage=0).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="smote_percentage"):
        SMOTEUnderSampler(smote_percentage=-1).fit_resample(X, y)
    with pytest.raises(ValueError, match="k_neighbors=5 needs"):
        SMOTEUnderSampler().fit_resample(X[:205], y[:205])


def test_nominal_features_pass_through():
    rng = np.random.RandomState(0)
    X = np.empty((120, 2), dtype=object)
    X[:, 0] = rng.normal(size=120)
    X[:, 1] = rng.choice(["a", "b"], size=120)
    y = np.array([0] * 100 + [1] * 20)
    X_res, y_res = SMOTEUnderSampler(categorical_features=[1], random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [60, 60]
    assert set(X_res[:, 1]) == {"a", "b"}


def test_at_least_one_row_of_each_class_is_kept():
    X, y = _paper_example()
    X, y = X[:205], y[:205]  # 200 majority, 5 minority rows
    _, y_res = SMOTEUnderSampler(smote_percentage=0, under_sampling_percentage=1000, random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [1, 5]  # floor(5 / 10) = 0, kept at 1
