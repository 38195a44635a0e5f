import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.datasets import make_separable_classification
from skpapers.linear_model import BatchPerceptronClassifier


def reference_batch_perceptron(A, y, n_steps, normalized=False):
    """The paper's Batch Perceptron written out directly: first step (1/2n) sum y_i a_i,
    then add the (1/n or 1/|S_t|) sum over S_t = {i: y_i <a_i, v> <= 0} while S_t is not empty."""
    n = len(y)
    v = np.mean(y[:, None] * A, axis=0) * (1.0 if normalized else 0.5)
    path = [np.zeros(A.shape[1]), v.copy()]
    for _ in range(n_steps - 1):
        wrong = y * (A @ v) <= 0
        if not wrong.any():
            break
        v = v + (y[wrong, None] * A[wrong]).sum(axis=0) / (wrong.sum() if normalized else n)
        path.append(v.copy())
    return np.array(path)


@pytest.mark.parametrize("normalized", [False, True])
def test_matches_direct_implementation(normalized):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    w_star = rng.normal(size=5)
    keep = np.abs(X @ w_star + 0.5) > 0.3
    X = X[keep]
    y = np.sign(X @ w_star + 0.5)
    A = np.column_stack([X, np.ones(len(y))])
    path = reference_batch_perceptron(A, y, 5000, normalized=normalized)
    clf = BatchPerceptronClassifier(max_iter=5000, normalized=normalized).fit(X, y)
    assert clf.separated_ and clf.converged_
    assert clf.n_iter_ == len(path) - 1
    np.testing.assert_allclose(np.r_[clf.coef_.ravel(), clf.intercept_], path[-1], rtol=1e-10, atol=1e-12)
    assert clf.score(X, y) == 1.0


@pytest.mark.parametrize("n", [10, 20, 100, 1000])
def test_theorem_5_1_needs_order_n_iterations(n):
    # Worked out from the paper's proof: after k >= 1 steps v_k = (1/4 + (k-1)/(2n), (n-2k)/(2n)), and the
    # lone class-1 sample becomes correct at the first k > 0.3 n + 0.2 (the others stay correct for k < n/2).
    X = np.array([[0.5, -1.0]] + [[-0.5, -1.0]] * (n - 1))
    y = np.array([1] + [-1] * (n - 1))
    plain = BatchPerceptronClassifier(fit_intercept=False, max_iter=10 * n).fit(X, y)
    assert plain.n_iter_ == int(np.floor(0.3 * n + 0.2)) + 1
    k = plain.n_iter_
    np.testing.assert_allclose(plain.coef_.ravel(), [0.25 + (k - 1) / (2 * n), (n - 2 * k) / (2 * n)], atol=1e-12)
    # The normalised version is free of n (R^2 / mu^2 bound): two steps here.
    assert BatchPerceptronClassifier(fit_intercept=False, normalized=True).fit(X, y).n_iter_ == 2


def test_differs_from_online_perceptron_but_both_separate():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    X = X[np.abs(X[:, 0] - X[:, 1]) > 0.2]
    y = (X[:, 0] > X[:, 1]).astype(int)
    batch = BatchPerceptronClassifier().fit(X, y)
    online = Perceptron(tol=None, max_iter=1000, shuffle=False).fit(X, y)
    assert batch.score(X, y) == 1.0 and online.score(X, y) == 1.0
    assert not np.allclose(batch.coef_ / np.linalg.norm(batch.coef_), online.coef_ / np.linalg.norm(online.coef_))


def test_intercept_scaling_is_a_constant_feature():
    X, y = make_separable_classification("hard", random_state=0)
    scaled = BatchPerceptronClassifier(intercept_scaling=3.0).fit(X, y)
    explicit = BatchPerceptronClassifier(fit_intercept=False).fit(np.column_stack([X, np.full(len(y), 3.0)]), y)
    assert scaled.n_iter_ == explicit.n_iter_ == 329  # the spec prototype's count
    np.testing.assert_allclose(scaled.intercept_[0], 3.0 * explicit.coef_[0, 2], rtol=1e-12)


def test_tie_weight_sets_first_step_and_loss_curve():
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [2.0, -1.0]])
    y = np.array([1, 0, 1])
    clf = BatchPerceptronClassifier(fit_intercept=False, tie_weight=0.2, max_iter=1).fit(X, y)
    signs = np.array([1.0, -1.0, 1.0])
    np.testing.assert_allclose(clf.coef_.ravel(), 0.2 * np.mean(signs[:, None] * X, axis=0))
    assert clf.loss_curve_[0] == 0.0  # every margin is 0 at v_0
    assert clf.separated_ and clf.n_iter_ == 1


def test_non_separable_warns():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 1, 0, 1])
    with pytest.warns(ConvergenceWarning, match="may not be linearly separable"):
        clf = BatchPerceptronClassifier(max_iter=30).fit(X, y)
    assert not clf.separated_ and clf.n_iter_ == 30 and clf.loss_curve_.shape == (31,)


@pytest.mark.parametrize(
    "params", [{"tie_weight": 0.0}, {"tie_weight": 1.5}, {"max_iter": 0}, {"normalized": "yes"}]
)
def test_invalid_parameters(params):
    X = np.array([[1.0], [-1.0]])
    with pytest.raises(InvalidParameterError):
        BatchPerceptronClassifier(**params).fit(X, [0, 1])


def test_bad_input():
    with pytest.raises(ValueError, match="only one class"):
        BatchPerceptronClassifier().fit(np.ones((4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="Only binary"):
        BatchPerceptronClassifier().fit(np.arange(6.0).reshape(-1, 1), [0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="inf"):
        BatchPerceptronClassifier().fit([[np.inf], [1.0]], [0, 1])
