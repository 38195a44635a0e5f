"""Paired tests of two learning algorithms: mlxtend on identical splits, closed forms, dask."""

import numpy as np
import pytest
from mlxtend import evaluate as mlx
from scipy import stats
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.validation import check_is_fitted

from skpapers.model_selection import (
    combined_ftest_5x2cv,
    paired_ttest_5x2cv,
    paired_ttest_kfold_cv,
    paired_ttest_resampled,
)

X, y = load_iris(return_X_y=True)
# Cheap and deterministic: a Gaussian naive Bayes against a decision stump (clearly different)
# and against a depth-2 tree (close).
NB, STUMP, TREE = GaussianNB(), DecisionTreeClassifier(max_depth=1), DecisionTreeClassifier(max_depth=2, random_state=0)


@pytest.mark.parametrize("other", [STUMP, TREE], ids=["stump", "tree"])
@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda a, b, **kw: paired_ttest_5x2cv(a, b, X, y, random_state=kw["seed"]),
         lambda a, b, **kw: mlx.paired_ttest_5x2cv(a, b, X, y, random_seed=kw["seed"])),
        (lambda a, b, **kw: combined_ftest_5x2cv(a, b, X, y, random_state=kw["seed"]),
         lambda a, b, **kw: mlx.combined_ftest_5x2cv(a, b, X, y, random_seed=kw["seed"])),
        (lambda a, b, **kw: paired_ttest_resampled(a, b, X, y, n_rounds=12, random_state=kw["seed"]),
         lambda a, b, **kw: mlx.paired_ttest_resampled(a, b, X, y, num_rounds=12, random_seed=kw["seed"])),
        (lambda a, b, **kw: paired_ttest_kfold_cv(a, b, X, y, cv=5, shuffle=True, random_state=kw["seed"]),
         lambda a, b, **kw: mlx.paired_ttest_kfold_cv(a, b, X, y, cv=5, shuffle=True, random_seed=kw["seed"])),
    ],
    ids=["5x2cv_t", "5x2cv_f", "resampled", "kfold"],
)
def test_same_splits_same_statistics_as_mlxtend(ours, theirs, other):
    result = ours(NB, other, seed=1)
    statistic, pvalue = theirs(NB, other, seed=1)
    assert abs(result.statistic - statistic) <= 1e-12 * max(1, abs(statistic))
    assert abs(result.pvalue - pvalue) <= 1e-12


def test_statistics_recomputed_from_score_differences():
    five = paired_ttest_5x2cv(NB, STUMP, X, y, random_state=0)
    p = five.score_differences
    s2 = np.sum((p - p.mean(axis=1, keepdims=True)) ** 2, axis=1)
    assert five.statistic == pytest.approx(p[0, 0] / np.sqrt(s2.mean()), rel=1e-12)
    f = combined_ftest_5x2cv(NB, STUMP, X, y, random_state=0)
    np.testing.assert_array_equal(f.score_differences, p)  # same seed, same ten splits
    assert f.statistic == pytest.approx(np.sum(p**2) / (2 * s2.sum()), rel=1e-12)
    assert f.pvalue == pytest.approx(stats.f.sf(f.statistic, 10, 5), rel=1e-12)
    kfold = paired_ttest_kfold_cv(NB, TREE, X, y, cv=KFold(4, shuffle=True, random_state=2))
    ttest = stats.ttest_1samp(kfold.score_differences, 0.0)  # the one-sample t-test on the differences
    assert kfold.statistic == pytest.approx(ttest.statistic, rel=1e-12)
    assert kfold.pvalue == pytest.approx(ttest.pvalue, rel=1e-12)
    assert kfold.df == 3 and kfold.score_differences.shape == (4,)


def test_estimators_are_cloned_not_fitted_in_place():
    a, b = GaussianNB(), DecisionTreeClassifier(max_depth=1)
    paired_ttest_5x2cv(a, b, X, y, random_state=0)
    paired_ttest_kfold_cv(a, b, X, y, cv=KFold(3, shuffle=True, random_state=0))
    for estimator in (a, b):
        with pytest.raises(NotFittedError):
            check_is_fitted(estimator)


def test_identical_models_give_nan_and_warn():
    with pytest.warns(RuntimeWarning, match="zero spread"):
        result = paired_ttest_5x2cv(NB, GaussianNB(), X, y, random_state=0)
    assert np.isnan(result.statistic) and np.isnan(result.pvalue)
    with pytest.warns(RuntimeWarning, match="zero spread"):
        result = paired_ttest_kfold_cv(NB, GaussianNB(), X, y, cv=3)
    assert np.isnan(result.pvalue)


def test_scoring_and_regressors_and_sample_weight():
    Xr, yr = make_regression(n_samples=80, n_features=4, noise=5.0, random_state=0)
    result = combined_ftest_5x2cv(Ridge(), DecisionTreeRegressor(max_depth=2, random_state=0), Xr, yr,
                                  scoring="neg_mean_absolute_error", random_state=0)
    f, p = mlx.combined_ftest_5x2cv(Ridge(), DecisionTreeRegressor(max_depth=2, random_state=0), Xr, yr,
                                    scoring="neg_mean_absolute_error", random_seed=0)
    assert result.statistic == pytest.approx(f, rel=1e-12) and result.pvalue == pytest.approx(p, rel=1e-12)
    # unit weights change nothing; the weights are subset with the training rows
    weighted = paired_ttest_5x2cv(NB, STUMP, X, y, random_state=3, params={"sample_weight": np.ones(len(y))})
    plain = paired_ttest_5x2cv(NB, STUMP, X, y, random_state=3)
    assert weighted.statistic == plain.statistic


def test_n_jobs_gives_the_same_result():
    import joblib

    serial = paired_ttest_resampled(NB, TREE, X, y, n_rounds=6, random_state=0)
    # threads keep the test fast; the benchmark exercises the default process backend
    with joblib.parallel_backend("threading"):
        parallel = paired_ttest_resampled(NB, TREE, X, y, n_rounds=6, random_state=0, n_jobs=2)
    np.testing.assert_array_equal(serial.score_differences, parallel.score_differences)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: paired_ttest_kfold_cv(NB, STUMP, X, y, cv=1), "cv"),
        (lambda: paired_ttest_resampled(NB, STUMP, X, y, test_size=1.5), "test_size"),
        (lambda: paired_ttest_resampled(NB, STUMP, X, y, test_size=0.0), "test_size"),
        (lambda: paired_ttest_resampled(NB, STUMP, X, y, n_rounds=1), "n_rounds"),
        (lambda: paired_ttest_5x2cv(NB, STUMP, X, y[:-1]), "inconsistent numbers of samples"),
        (lambda: paired_ttest_5x2cv("nb", STUMP, X, y), "estimator1"),
        (lambda: combined_ftest_5x2cv(NB, STUMP, X, y, scoring=3), "scoring"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_nan_in_X_is_reported_by_the_estimator():
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        paired_ttest_5x2cv(NB, STUMP, X_nan, y, random_state=0)
    assert not np.isnan(X).any()  # caller's data untouched


def test_dask_backend_gives_the_serial_result():
    distributed = pytest.importorskip("distributed")
    import joblib

    serial = combined_ftest_5x2cv(NB, TREE, X, y, random_state=4)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        with joblib.parallel_backend("dask"):
            scaled = combined_ftest_5x2cv(NB, TREE, X, y, random_state=4, n_jobs=-1)
    np.testing.assert_array_equal(scaled.score_differences, serial.score_differences)
    assert scaled.statistic == serial.statistic and scaled.pvalue == serial.pvalue
