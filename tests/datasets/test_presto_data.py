import numpy as np
import pytest
from scipy import special
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.datasets import make_presto_ordinal


def test_same_seed_same_data_and_documented_shapes():
    X1, y1, p1 = make_presto_ordinal(n_samples=500, n_features=6, random_state=3, return_params=True)
    X2, y2 = make_presto_ordinal(n_samples=500, n_features=6, random_state=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert X1.shape == (500, 6) and p1.coef.shape == (3, 6) and p1.proba.shape == (500, 4)
    assert set(np.unique(y1)) == {0, 1, 2, 3}
    assert np.all((X1 >= -1) & (X1 <= 1))


def test_parameters_follow_the_sparse_differences_design():
    _, _, params = make_presto_ordinal(n_samples=800, n_features=20, beta=0.5, dev_size=0.25, random_state=0,
                                       return_params=True)
    assert set(np.unique(params.coef[0])) == {0.0, 0.5}
    assert set(np.unique(np.diff(params.coef, axis=0))) == {-0.25, 0.0, 0.25}
    np.testing.assert_array_equal(params.intercepts, [0.0, 3.0, 5.0])


def test_probabilities_are_the_model_and_labels_follow_them():
    X, y, params = make_presto_ordinal(n_samples=20_000, random_state=1, return_params=True)
    cumulative = special.expit(params.intercepts + X @ params.coef.T)
    np.testing.assert_allclose(np.cumsum(params.proba, axis=1)[:, :-1], cumulative, atol=1e-12)
    assert np.all(params.proba >= 0)
    np.testing.assert_allclose(params.proba.sum(axis=1), 1.0)
    # Observed class frequencies match the mean true probabilities (binomial standard errors).
    observed = np.bincount(y, minlength=4) / y.size
    expected = params.proba.mean(axis=0)
    assert np.all(np.abs(observed - expected) < 4 * np.sqrt(expected * (1 - expected) / y.size))
    assert expected[-1] < 0.03  # the last class is rare


def test_no_deviation_gives_proportional_odds():
    _, _, params = make_presto_ordinal(n_samples=300, dev_prob=0.0, random_state=0, return_params=True)
    np.testing.assert_array_equal(params.coef, 0.0)


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="intercepts"):
        make_presto_ordinal(intercepts=(0.0, 3.0))
    with pytest.raises(ValueError, match="non-decreasing"):
        make_presto_ordinal(intercepts=(0.0, 5.0, 3.0))
    with pytest.raises(InvalidParameterError, match="n_classes"):
        make_presto_ordinal(n_classes=2)
    with pytest.raises(InvalidParameterError, match="dev_prob"):
        make_presto_ordinal(dev_prob=1.5)
    with pytest.raises(ValueError, match="No draw"):
        # Twenty rows cannot reach a class with probability below 1e-7.
        make_presto_ordinal(n_samples=20, intercepts=(0.0, 3.0, 20.0), random_state=0)
