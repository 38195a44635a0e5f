"""Weak-teacher preference pairs for a halfspace (the delta-learning setting)."""

import numbers

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, validate_params


def _direction(cosine, n_features, rng):
    # cosine * e_1 + sqrt(1 - cosine^2) * u with u a uniform unit vector orthogonal to e_1.
    u = rng.standard_normal(n_features - 1)
    u /= np.linalg.norm(u)
    return np.r_[cosine, np.sqrt(1.0 - cosine**2) * u]


def _halfspace_labels(X, coef):
    # sign(0) has probability zero for Gaussian X; send it to +1 so labels stay in {-1, +1}.
    return np.where(X @ coef >= 0.0, 1, -1)


@validate_params(
    {
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_features": [Interval(numbers.Integral, 2, None, closed="left")],
        "student_cos": [Interval(numbers.Real, -1, 1, closed="both")],
        "chosen_cos": [Interval(numbers.Real, -1, 1, closed="both")],
        "rejected_cos": [Interval(numbers.Real, -1, 1, closed="both")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_delta_learning_data(
    n_samples=1000,
    n_features=50,
    *,
    student_cos=0.6,
    chosen_cos=0.4,
    rejected_cos=0.2,
    random_state=None,
):
    """Generate preference pairs labelled by two weak teachers of a halfspace.

    Inputs are standard Gaussian, ``X ~ N(0, I)``, and the truth is the
    halfspace ``y = sign(<w*, x>)`` with ``w* = e_1``.  The student and the two
    teachers are unit vectors ``c * e_1 + sqrt(1 - c^2) * u``, each with its
    own uniform random unit ``u`` orthogonal to ``e_1``, so a model with cosine
    ``c`` to the truth has accuracy ``1 - arccos(c) / pi``.  Each pair holds
    the chosen teacher's label and the rejected teacher's label of the same
    input; where they agree the pair is a tie.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of inputs (and of pairs).
    n_features : int, default=50
        Dimension ``d >= 2``.
    student_cos : float, default=0.6
        Cosine between the student and ``w*``.
    chosen_cos : float, default=0.4
        Cosine between the chosen teacher and ``w*``.
    rejected_cos : float, default=0.2
        Cosine between the rejected teacher and ``w*``.
    random_state : int, RandomState instance or None, default=None
        Seed for the inputs and the random directions.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With fields ``X`` (n_samples, n_features); ``y_true`` (n_samples,) in
        {-1, +1}; ``y_pairs`` (n_samples, 2), the chosen and the rejected
        teacher's labels; ``w_true``, ``coef_student``, ``coef_chosen`` and
        ``coef_rejected``, unit vectors of shape (n_features,).

    References
    ----------
    S. Geng, H. Ivison, C.-L. Li, M. Sap, J. Li, R. Krishna, P. W. Koh.
    "The Delta Learning Hypothesis: Preference Tuning on Weak Data can Yield
    Strong Gains." COLM 2025. arXiv:2507.06187.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.datasets import make_delta_learning_data
    >>> data = make_delta_learning_data(n_samples=2000, n_features=20, random_state=0)
    >>> data.X.shape, data.y_pairs.shape
    ((2000, 20), (2000, 2))
    >>> round(float(data.coef_chosen @ data.w_true), 2)
    0.4
    >>> bool(np.mean(data.y_pairs[:, 0] == data.y_true) > np.mean(data.y_pairs[:, 1] == data.y_true))
    True
    """
    rng = check_random_state(random_state)
    w_true = np.zeros(n_features)
    w_true[0] = 1.0
    coef_student = _direction(student_cos, n_features, rng)
    coef_chosen = _direction(chosen_cos, n_features, rng)
    coef_rejected = _direction(rejected_cos, n_features, rng)
    X = rng.standard_normal((n_samples, n_features))
    y_pairs = np.column_stack([_halfspace_labels(X, coef_chosen), _halfspace_labels(X, coef_rejected)])
    return Bunch(
        X=X,
        y_true=_halfspace_labels(X, w_true),
        y_pairs=y_pairs,
        w_true=w_true,
        coef_student=coef_student,
        coef_chosen=coef_chosen,
        coef_rejected=coef_rejected,
    )
