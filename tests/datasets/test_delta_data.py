"""make_delta_learning_data: the halfspace, the teachers' cosines and their accuracies."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.datasets import make_delta_learning_data


def test_shapes_labels_and_unit_directions():
    data = make_delta_learning_data(n_samples=300, n_features=7, random_state=0)
    assert data.X.shape == (300, 7) and data.y_pairs.shape == (300, 2) and data.y_true.shape == (300,)
    assert set(np.unique(data.y_pairs)) <= {-1, 1} and set(np.unique(data.y_true)) <= {-1, 1}
    np.testing.assert_array_equal(data.w_true, np.eye(7)[0])
    for name, cosine in (("coef_student", 0.6), ("coef_chosen", 0.4), ("coef_rejected", 0.2)):
        coef = data[name]
        assert np.linalg.norm(coef) == pytest.approx(1.0)
        assert coef @ data.w_true == pytest.approx(cosine)
    np.testing.assert_array_equal(data.y_true, np.where(data.X[:, 0] >= 0, 1, -1))
    np.testing.assert_array_equal(data.y_pairs[:, 0], np.where(data.X @ data.coef_chosen >= 0, 1, -1))


def test_teacher_accuracy_is_one_minus_angle_over_pi():
    # Gaussian inputs: P(sign<a, x> != sign<b, x>) = angle(a, b) / pi for unit a, b.
    data = make_delta_learning_data(
        n_samples=100_000, n_features=5, chosen_cos=0.7, rejected_cos=-0.3, random_state=1
    )
    for column, cosine in ((0, 0.7), (1, -0.3)):
        accuracy = np.mean(data.y_pairs[:, column] == data.y_true)
        assert accuracy == pytest.approx(1 - np.arccos(cosine) / np.pi, abs=0.005)  # 3.5 binomial sd
    disagreement = np.mean(data.y_pairs[:, 0] != data.y_pairs[:, 1])
    angle = np.arccos(data.coef_chosen @ data.coef_rejected)
    assert disagreement == pytest.approx(angle / np.pi, abs=0.005)


def test_seed_reproducible_and_directions_independent():
    a = make_delta_learning_data(n_samples=50, n_features=30, random_state=3)
    b = make_delta_learning_data(n_samples=50, n_features=30, random_state=3)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y_pairs, b.y_pairs)
    # Independent off-truth parts: in 30 dimensions the teachers' cosine is near 0.4 * 0.2 = 0.08.
    assert abs(a.coef_chosen @ a.coef_rejected - 0.08) < 0.5
    assert not np.allclose(a.coef_chosen[1:], a.coef_rejected[1:])


@pytest.mark.parametrize(
    "params", [{"n_features": 1}, {"n_samples": 0}, {"chosen_cos": 1.5}, {"student_cos": -2}, {"random_state": "x"}]
)
def test_invalid_parameters(params):
    with pytest.raises(InvalidParameterError):
        make_delta_learning_data(**params)
