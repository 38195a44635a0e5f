"""make_logistic_normal: planted partial correlations from the population clr covariance."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.datasets import make_logistic_normal


@pytest.mark.parametrize("n_parts, off_diagonal", [(3, 0.3), (8, -0.4), (12, 0.45)])
def test_planted_partial_correlation_is_pinv_of_population_clr_covariance(n_parts, off_diagonal):
    _, rho = make_logistic_normal(n_samples=2, n_parts=n_parts, off_diagonal=off_diagonal, random_state=0)
    k = n_parts - 1
    theta = np.eye(k) + off_diagonal * (np.eye(k, k=1) + np.eye(k, k=-1))
    embed = np.vstack([np.eye(k), np.zeros((1, k))])  # log-parts = [alr, 0]
    centre = np.eye(n_parts) - 1.0 / n_parts
    gamma = centre @ embed @ np.linalg.inv(theta) @ embed.T @ centre
    omega = np.linalg.pinv(gamma, hermitian=True)
    d = np.sqrt(np.diag(omega))
    expected = -omega / np.outer(d, d)
    np.fill_diagonal(expected, 1.0)
    np.testing.assert_allclose(rho, expected, atol=1e-10)
    np.testing.assert_allclose(rho[np.arange(k - 1), np.arange(1, k)], -off_diagonal)


def test_draws_are_closed_seeded_and_have_the_alr_covariance():
    X, _ = make_logistic_normal(n_samples=20000, n_parts=4, random_state=1)
    again, _ = make_logistic_normal(n_samples=20000, n_parts=4, random_state=1)
    np.testing.assert_array_equal(X, again)
    np.testing.assert_allclose(X.sum(axis=1), 1.0)
    assert (X > 0).all()
    alr = np.log(X[:, :3] / X[:, [3]])
    theta = np.eye(3) - 0.4 * (np.eye(3, k=1) + np.eye(3, k=-1))
    np.testing.assert_allclose(np.cov(alr, rowvar=False), np.linalg.inv(theta), atol=0.05)


def test_bad_parameters():
    with pytest.raises(ValueError, match="indefinite; use \\|off_diagonal\\| < 0.5"):
        make_logistic_normal(n_parts=10, off_diagonal=0.6)
    with pytest.raises(InvalidParameterError, match="n_parts"):
        make_logistic_normal(n_parts=2)
    with pytest.raises(InvalidParameterError, match="off_diagonal"):
        make_logistic_normal(off_diagonal=1.0)
