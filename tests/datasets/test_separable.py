import numpy as np
import pytest
from sklearn.svm import LinearSVC
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.datasets import make_separable_classification


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind", ["hard", "easy", "worst_case"])
def test_shapes_labels_and_separability(kind):
    X, y = make_separable_classification(kind, n_samples=150, random_state=0)
    assert X.shape[0] == y.shape[0] == 150
    assert set(np.unique(y)) == {-1.0, 1.0}
    # Separable: a hard-margin linear SVM classifies every point (through the origin, with a bias column).
    A = np.column_stack([X, np.full(len(y), 3.0)])
    svm = LinearSVC(C=1e6, fit_intercept=False, max_iter=200_000, tol=1e-8).fit(A, y)
    assert np.all(y * (A @ svm.coef_.ravel()) > 0)


def test_hard_matches_spec_recipe_and_is_reproducible():
    X, y = make_separable_classification("hard", random_state=3)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4000, 2)) * np.array([0.3, 5.0])
    x = x[np.abs(x[:, 0]) >= 0.01][:200]
    np.testing.assert_array_equal(X, x)
    np.testing.assert_array_equal(y, np.sign(x[:, 0]))
    assert np.min(np.abs(X[:, 0])) >= 0.01
    X2, _ = make_separable_classification("hard", random_state=3)
    np.testing.assert_array_equal(X, X2)


def test_easy_margin_and_worst_case_layout():
    X, y = make_separable_classification("easy", n_samples=300, random_state=1)
    assert X.shape == (300, 20)
    X, y = make_separable_classification("worst_case", n_samples=4)
    np.testing.assert_array_equal(X, [[0.5, -1], [-0.5, -1], [-0.5, -1], [-0.5, -1]])
    np.testing.assert_array_equal(y, [1, -1, -1, -1])


def test_bad_parameters():
    with pytest.raises(InvalidParameterError):
        make_separable_classification("medium")
    with pytest.raises(InvalidParameterError):
        make_separable_classification("hard", n_samples=1)
