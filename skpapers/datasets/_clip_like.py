"""Synthetic CLIP-like few-shot episodes (the AMU-Tuning reproduction's data)."""

import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params


@validate_params(
    {
        "n_classes": [Interval(numbers.Integral, 2, None, closed="left")],
        "n_shots": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_test_per_class": [Interval(numbers.Integral, 0, None, closed="left")],
        "n_clip_features": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_aux_features": [Interval(numbers.Integral, 1, None, closed="left")],
        "clip_signal": [Interval(numbers.Real, 0, None, closed="left")],
        "clip_noise": [Interval(numbers.Real, 0, None, closed="left")],
        "aux_noise": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_clip_like_episode(
    n_classes=10,
    n_shots=16,
    n_test_per_class=100,
    n_clip_features=32,
    n_aux_features=32,
    *,
    clip_signal=0.1,
    clip_noise=0.05,
    aux_noise=2.0,
    random_state=None,
):
    """Draw a few-shot episode of CLIP-like and auxiliary features with class text embeddings.

    Class text embeddings ``T_c`` are unit vectors. A CLIP image feature is
    ``u + clip_signal * T_y + clip_noise * e`` where ``u`` is one unit vector
    orthogonal to every ``T_c`` (the large shared component of real CLIP image
    embeddings), so the zero-shot classifier ``argmax_c f^T T_c`` is informative
    but imperfect. An auxiliary feature is ``M_y + aux_noise * e'`` with class
    means ``M_c ~ N(0, I)`` drawn independently of ``T``: it carries
    complementary information, as MoCo features do next to CLIP's.

    Parameters
    ----------
    n_classes : int, default=10
        Number of classes ``C`` (at least 2).
    n_shots : int, default=16
        Training samples per class.
    n_test_per_class : int, default=100
        Test samples per class.
    n_clip_features : int, default=32
        Dimension ``d1`` of the CLIP features; must exceed ``n_classes`` so that
        the shared direction ``u`` exists.
    n_aux_features : int, default=32
        Dimension ``d2`` of the auxiliary features.
    clip_signal : float, default=0.1
        Weight of the class text embedding in a CLIP image feature.
    clip_noise : float, default=0.05
        Standard deviation of the CLIP feature noise.
    aux_noise : float, default=2.0
        Standard deviation of the auxiliary feature noise.
    random_state : int, RandomState instance or None, default=None
        Seed of the draw.

    Returns
    -------
    X_train : ndarray of shape (n_classes * n_shots, n_clip_features + n_aux_features)
        ``hstack([clip_features, aux_features])`` of the support set.
    y_train : ndarray of shape (n_classes * n_shots,)
        Labels ``0 .. n_classes - 1``.
    X_test : ndarray of shape (n_classes * n_test_per_class, n_clip_features + n_aux_features)
        Query set, same layout.
    y_test : ndarray of shape (n_classes * n_test_per_class,)
        Query labels.
    text_weights : ndarray of shape (n_clip_features, n_classes)
        Unit-norm class text embeddings (columns), the zero-shot weights.

    References
    ----------
    Tang, Lin, Wang, Zhu and Hu, "AMU-Tuning: Effective Logit Bias for
    CLIP-based Few-shot Learning", CVPR 2024, arXiv:2404.08958.

    Examples
    --------
    >>> from skpapers.datasets import make_clip_like_episode
    >>> X, y, X_test, y_test, T = make_clip_like_episode(n_shots=4, random_state=0)
    >>> X.shape, X_test.shape, T.shape
    ((40, 64), (1000, 64), (32, 10))
    """
    if n_clip_features <= n_classes:
        raise ValueError(
            f"n_clip_features={n_clip_features} must exceed n_classes={n_classes}: the shared "
            "direction of the CLIP features is orthogonal to every class embedding."
        )
    rng = check_random_state(random_state)
    text = rng.standard_normal((n_classes, n_clip_features))
    text /= np.linalg.norm(text, axis=1, keepdims=True)
    shared = rng.standard_normal(n_clip_features)
    basis, _ = np.linalg.qr(text.T)
    shared -= basis @ (basis.T @ shared)
    shared /= np.linalg.norm(shared)
    aux_means = rng.standard_normal((n_classes, n_aux_features))

    def draw(n_per_class):
        y = np.repeat(np.arange(n_classes), n_per_class)
        clip = shared + clip_signal * text[y] + clip_noise * rng.standard_normal((y.size, n_clip_features))
        aux = aux_means[y] + aux_noise * rng.standard_normal((y.size, n_aux_features))
        return np.hstack([clip, aux]), y

    X_train, y_train = draw(n_shots)
    X_test, y_test = draw(n_test_per_class)
    return X_train, y_train, X_test, y_test, text.T.copy()
