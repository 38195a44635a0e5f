"""Bootstrap splits and the OOB/.632/.632+ estimates: mlxtend on identical draws, closed forms."""

import numpy as np
import pytest
from mlxtend.evaluate import BootstrapOutOfBag as MlxBootstrapOutOfBag
from mlxtend.evaluate import bootstrap_point632_score
from scipy import stats
from sklearn.datasets import load_iris, make_regression
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import check_is_fitted

from skpapers.model_selection import BootstrapOutOfBag, bootstrap_score
from skpapers.model_selection._bootstrap import _no_information_error, _point632_plus_errors

X, y = load_iris(return_X_y=True)
TREE = DecisionTreeClassifier(random_state=0)


def test_splits_equal_mlxtend_and_are_out_of_bag():
    ours = list(BootstrapOutOfBag(n_splits=20, random_state=3).split(X))
    theirs = list(MlxBootstrapOutOfBag(n_splits=20, random_seed=3).split(X))
    for (train, test), (train_m, test_m) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(train, train_m)
        np.testing.assert_array_equal(test, np.sort(test_m))  # mlxtend's order is a set's order
        assert train.size == len(X) and np.intersect1d(train, test).size == 0
        assert np.union1d(train, test).size == len(X)
    assert BootstrapOutOfBag(n_splits=20).get_n_splits() == 20


def test_splitter_plugs_into_sklearn_cv():
    scores = cross_val_score(TREE, X, y, cv=BootstrapOutOfBag(n_splits=5, random_state=0))
    assert scores.shape == (5,) and np.all((0.8 < scores) & (scores <= 1))


def test_tiny_data_never_yields_an_empty_test_set():
    splits = list(BootstrapOutOfBag(n_splits=200, random_state=0).split(np.zeros((2, 1))))
    assert len(splits) == 200 and all(test.size == 1 for _, test in splits)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_splitter_rejects_bad_n_splits(bad):
    with pytest.raises(ValueError, match="n_splits"):
        list(BootstrapOutOfBag(n_splits=bad).split(X))


@pytest.mark.parametrize("method", ["oob", ".632", ".632+"])
@pytest.mark.parametrize("estimator", [TREE, KNeighborsClassifier(n_neighbors=5)], ids=["tree", "knn"])
def test_scores_equal_mlxtend_on_the_same_draws(method, estimator):
    ours = bootstrap_score(estimator, X, y, method=method, n_bootstraps=25, clip=False, random_state=7)
    theirs = bootstrap_point632_score(estimator, X, y, n_splits=25, method=method, random_seed=7)
    np.testing.assert_allclose(ours.scores, theirs, rtol=0, atol=1e-12)
    assert ours.score == pytest.approx(np.mean(theirs), abs=1e-12)
    assert ours.standard_error == pytest.approx(np.std(theirs, ddof=1), abs=1e-12)


def test_intervals():
    pct = bootstrap_score(TREE, X, y, n_bootstraps=30, random_state=0, confidence=0.9)
    np.testing.assert_allclose(tuple(pct.confidence_interval), np.percentile(pct.scores, [5, 95]))
    t = bootstrap_score(TREE, X, y, n_bootstraps=30, random_state=0, ci_method="t")
    half = stats.t.ppf(0.975, 29) * np.std(t.scores, ddof=1)
    np.testing.assert_allclose(tuple(t.confidence_interval), (t.score - half, t.score + half), rtol=1e-12)


def test_no_information_error_closed_forms_equal_all_pairs():
    rng = np.random.RandomState(0)
    labels, predicted = rng.randint(3, size=40), rng.randint(3, size=40)
    pairs = np.mean(labels[:, None] != predicted[None, :])
    assert _no_information_error("accuracy", labels, predicted) == pytest.approx(pairs, rel=1e-12)
    values, fitted = rng.randn(40), rng.randn(40)
    pairs = np.mean((values[:, None] - fitted[None, :]) ** 2)
    assert _no_information_error("squared_error", values, fitted) == pytest.approx(pairs, rel=1e-12)


def test_clipped_632_plus_limit_cases():
    err_r, gamma = np.array([0.0, 0.1, 0.2, 0.1]), np.array([0.5, 0.5, 0.1, 0.5])
    err_h = np.array([0.2, 0.7, 0.3, 0.05])
    errors = _point632_plus_errors(err_h, err_r, gamma, clip=True)
    # no overfitting (R = 0): the .632 error; gamma <= err_r: R = 0 as well
    r0 = 0.2 / 0.5
    assert errors[0] == pytest.approx(0.632 / (1 - 0.368 * r0) * 0.2, rel=1e-12)
    # OOB error above gamma: Efron & Tibshirani's eq. 32 with err_h' = gamma, R' = 1
    assert errors[1] == pytest.approx(0.368 * 0.1 + 0.632 * 0.7 + (0.5 - 0.1) * 0.368, rel=1e-12)
    assert errors[2] == pytest.approx(0.368 * 0.2 + 0.632 * 0.3, rel=1e-12)
    assert errors[3] == pytest.approx(0.368 * 0.1 + 0.632 * 0.05, rel=1e-12)
    with pytest.warns(RuntimeWarning, match="clip=True"):
        _point632_plus_errors(np.array([0.1]), np.array([0.1]), np.array([0.1]), clip=False)  # 0 / 0


def test_pure_noise_632_plus_corrects_the_optimism_of_632():
    rng = np.random.RandomState(0)
    Xn, yn = rng.randn(120, 5), rng.randint(2, size=120)
    knn = KNeighborsClassifier(n_neighbors=1)
    oob, p632, plus = (bootstrap_score(knn, Xn, yn, method=m, n_bootstraps=40, random_state=0).score
                       for m in ("oob", ".632", ".632+"))
    assert abs(oob - 0.5) < 0.06 and abs(plus - 0.5) < 0.06
    # the round's 1-NN is right on its in-bag rows, so ACC_r ~ 0.632 + 0.368 OOB: .632 is optimistic
    assert p632 - oob > 0.1 and p632 - plus > 0.08


def test_dummy_classifier_is_never_better_than_chance():
    result = bootstrap_score(DummyClassifier(), X, y, method=".632+", n_bootstraps=20, random_state=0)
    assert result.score == pytest.approx(bootstrap_score(DummyClassifier(), X, y, method="oob",
                                                         n_bootstraps=20, random_state=0).score, abs=0.05)


def test_regression_632_plus_in_squared_loss():
    Xr, yr = make_regression(n_samples=60, n_features=3, noise=10.0, random_state=0)
    result = bootstrap_score(LinearRegression(), Xr, yr, method=".632+", scoring="neg_mean_squared_error",
                             n_bootstraps=20, random_state=0)
    oob = bootstrap_score(LinearRegression(), Xr, yr, method="oob", scoring="neg_mean_squared_error",
                          n_bootstraps=20, random_state=0)
    assert result.score < 0 and result.score >= oob.score  # between resubstitution and OOB loss
    with pytest.raises(ValueError, match="632\\+"):
        bootstrap_score(LinearRegression(), Xr, yr, method=".632+")


def test_estimator_is_cloned_and_bad_input():
    tree = DecisionTreeClassifier()
    bootstrap_score(tree, X, y, n_bootstraps=3, random_state=0)
    with pytest.raises(NotFittedError):
        check_is_fitted(tree)
    with pytest.raises(ValueError, match="n_bootstraps"):
        bootstrap_score(tree, X, y, n_bootstraps=1)
    with pytest.raises(ValueError, match="method"):
        bootstrap_score(tree, X, y, method=".5")
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_score(tree, X, y, confidence=1.0)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        bootstrap_score(tree, X, y[:-2])
    X_inf = X.copy()
    X_inf[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        bootstrap_score(tree, X_inf, y, n_bootstraps=2, random_state=0)


def test_dataframe_input_gives_the_array_result():
    pd = pytest.importorskip("pandas")
    frame, series = pd.DataFrame(X), pd.Series(y)
    from_frame = bootstrap_score(TREE, frame, series, method=".632+", n_bootstraps=5, random_state=0)
    from_array = bootstrap_score(TREE, X, y, method=".632+", n_bootstraps=5, random_state=0)
    np.testing.assert_array_equal(from_frame.scores, from_array.scores)


def test_one_class_is_degenerate_but_defined_when_clipped():
    y_one = np.zeros(len(y), dtype=int)
    result = bootstrap_score(TREE, X, y_one, method=".632+", n_bootstraps=4, random_state=0)
    # gamma = err_r = 0: the safeguards set R = 0 and every estimate is the perfect score
    np.testing.assert_array_equal(result.scores, np.ones(4))
    with pytest.warns(RuntimeWarning, match="clip=True"):
        unclipped = bootstrap_score(TREE, X, y_one, method=".632+", n_bootstraps=4, random_state=0, clip=False)
    assert np.all(np.isnan(unclipped.scores))
