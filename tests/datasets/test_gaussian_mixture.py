"""The Gaussian-mixture generator of Zheng et al. (2023) and the Bayes error of shared-covariance classes."""

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.datasets import gaussian_bayes_error, make_gaussian_mixture_classification


def test_easy_design_matches_the_paper():
    X, y, params = make_gaussian_mixture_classification(
        40_000, 6, n_classes=4, return_params=True, random_state=0
    )
    np.testing.assert_array_equal(np.bincount(y), [10_000] * 4)
    np.testing.assert_array_equal(params["means"][:, 0], [-1.0, 1.0, 2.0, 4.0])
    np.testing.assert_array_equal(np.diag(params["covariance"]), [6, 6, 6, 1, 1, 1])
    np.testing.assert_allclose(params["priors"], 0.25)
    for k in range(4):
        np.testing.assert_allclose(X[y == k].mean(axis=0), params["means"][k], atol=0.1)
        np.testing.assert_allclose(np.cov(X[y == k].T), params["covariance"], atol=0.3)


def test_seeded_and_shuffled():
    a = make_gaussian_mixture_classification(50, 3, random_state=1)
    b = make_gaussian_mixture_classification(50, 3, random_state=1)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.all(np.diff(a[1]) >= 0)  # labels are not left sorted


def test_hard_covariance_is_used_when_positive_definite_and_refused_otherwise():
    X, y, params = make_gaussian_mixture_classification(
        60_000, 3, n_classes=2, covariance="hard", return_params=True, random_state=0
    )
    cov = params["covariance"]
    np.testing.assert_allclose(np.diag(cov), [3, 1, 1])
    assert np.count_nonzero(cov - np.diag(np.diag(cov))) == 6
    np.testing.assert_allclose(np.cov(X[y == 0].T), cov, atol=0.1)
    # Fixed seed 0, as in the paper: the matrix does not depend on random_state.
    other = make_gaussian_mixture_classification(10, 3, covariance="hard", return_params=True, random_state=5)
    np.testing.assert_array_equal(other[2]["covariance"], cov)
    # For larger dimensions this construction is not positive definite.
    with pytest.raises(ValueError, match="not positive definite"):
        make_gaussian_mixture_classification(10, 100, covariance="hard")


def test_custom_means_and_covariance():
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    means = np.array([[0.0, 0.0], [3.0, 3.0]])
    X, y = make_gaussian_mixture_classification(50_000, 2, covariance=cov, means=means, random_state=0)
    np.testing.assert_allclose(np.cov(X[y == 1].T), cov, atol=0.05)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), means[1], atol=0.03)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_classes": 1}, InvalidParameterError, "n_classes"),
        ({"covariance": "medium"}, InvalidParameterError, "covariance"),
        ({"covariance": np.eye(3)}, ValueError, "covariance must have shape"),
        ({"covariance": np.array([[1.0, 0.5], [0.0, 1.0]])}, ValueError, "symmetric"),
        ({"covariance": np.array([[1.0, 2.0], [2.0, 1.0]])}, ValueError, "not positive definite"),
        ({"means": np.zeros((3, 2))}, ValueError, "means must have shape"),
        ({"means": np.array([[0.0, np.nan], [1.0, 1.0]])}, ValueError, "NaN"),
    ],
)
def test_generator_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_gaussian_mixture_classification(10, 2, **kwargs)


def test_two_class_bayes_error_closed_form():
    cov = np.array([[2.0, 0.3], [0.3, 0.5]])
    means = np.array([[0.0, 0.0], [1.0, -0.5]])
    diff = means[1] - means[0]
    delta = np.sqrt(diff @ np.linalg.solve(cov, diff))
    assert gaussian_bayes_error(means, cov) == pytest.approx(norm.cdf(-delta / 2), rel=1e-12)
    # Unequal priors: the closed form against a large Monte Carlo run of the Bayes rule.
    rng = np.random.RandomState(0)
    priors = np.array([0.8, 0.2])
    n = 400_000
    y = (rng.uniform(size=n) < priors[1]).astype(int)
    X = means[y] + rng.multivariate_normal(np.zeros(2), cov, size=n)
    # The Bayes rule with the true parameters, applied to the draws.
    W = np.linalg.solve(cov, means.T).T
    b = np.log(priors) - 0.5 * np.sum(W * means, axis=1)
    mc = np.mean(np.argmax(X @ W.T + b, axis=1) != y)
    assert gaussian_bayes_error(means, cov, priors) == pytest.approx(mc, abs=3 * np.sqrt(mc * (1 - mc) / n))


def test_multiclass_bayes_error_against_collinear_closed_form():
    # Three unit-variance classes spaced by 2 on a line: the middle class errs on
    # both sides, so the Bayes error is (4/3) Phi(-1).
    means = np.array([[0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [4.0, 0.0, 0.0]])
    estimate = gaussian_bayes_error(means, np.eye(3), n_mc=200_000, random_state=0)
    assert estimate == pytest.approx(4 / 3 * norm.cdf(-1.0), abs=0.003)


def test_lda_on_many_samples_approaches_the_bayes_error():
    X, y, params = make_gaussian_mixture_classification(
        60_000, 4, n_classes=3, covariance=np.diag([4.0, 4.0, 1.0, 1.0]) + 0.2,
        means=np.array([[-0.5] * 4, [0.5] * 4, [1.0] * 4]), return_params=True, random_state=0,
    )
    bayes = gaussian_bayes_error(params["means"], params["covariance"], random_state=0)
    lda = LinearDiscriminantAnalysis().fit(X[:40_000], y[:40_000])
    assert 1 - lda.score(X[40_000:], y[40_000:]) == pytest.approx(bayes, abs=0.01)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (([[0.0, 0.0]], np.eye(2)), {}, "at least 2 classes"),
        (([[0.0, 0.0], [1.0, 1.0]], np.eye(3)), {}, "cov must have shape"),
        (([[0.0, 0.0], [1.0, 1.0]], [[1.0, 0.0], [0.5, 1.0]]), {}, "symmetric"),
        (([[0.0, 0.0], [1.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]]), {}, "not positive definite"),
        (([[0.0, 0.0], [1.0, 1.0]], np.eye(2)), {"priors": [0.5, 0.6]}, "priors"),
        (([[0.0, 0.0], [1.0, 1.0]], np.eye(2)), {"priors": [1.0, 0.0]}, "priors"),
        (([[0.0, np.inf], [1.0, 1.0]], np.eye(2)), {}, "infinity"),
    ],
)
def test_bayes_error_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        gaussian_bayes_error(*args, **kwargs)


def test_identical_means_give_the_larger_class_error():
    assert gaussian_bayes_error([[1.0, 1.0], [1.0, 1.0]], np.eye(2), priors=[0.7, 0.3]) == pytest.approx(0.3)
