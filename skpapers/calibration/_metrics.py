"""Scores of confidences against correctness: the tokenized Brier score and the ECE."""

import numbers

import numpy as np
from sklearn.utils import check_array, check_consistent_length
from sklearn.utils.validation import _check_sample_weight


def _check_levels(levels, n_levels=None, name="levels"):
    """Validate confidence levels: 1-D, finite, strictly increasing, inside [0, 1]."""
    if levels is None:
        return np.linspace(0.0, 1.0, n_levels)
    levels = check_array(levels, ensure_2d=False, dtype=np.float64, input_name=name)
    if levels.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {levels.shape}.")
    if levels.size < 2:
        raise ValueError(f"{name} needs at least 2 confidence levels; got {levels.size}.")
    if np.any(levels < 0.0) or np.any(levels > 1.0):
        raise ValueError(f"{name} must lie in [0, 1]; got values in [{levels.min()}, {levels.max()}].")
    if np.any(np.diff(levels) <= 0):
        raise ValueError(f"{name} must be strictly increasing.")
    return levels


def _check_correctness(y, name):
    """Return a float 0/1 vector from correctness labels given as bool or {0, 1}."""
    y = check_array(y, ensure_2d=False, dtype=None, input_name=name)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {y.shape}.")
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold 0/1 or boolean correctness labels; got dtype {y.dtype}.")
    y = y.astype(np.float64)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"{name} must hold 0/1 or boolean correctness labels; got values {np.unique(y)[:5]}.")
    return y


def tokenized_brier_score(y_true, level_proba, levels=None, sample_weight=None):
    """Tokenized Brier score of a distribution over confidence levels against correctness.

    For one sample with correctness ``y`` and probabilities ``p_j`` on the
    confidence levels ``c_j`` the score is ``sum_j p_j (y - c_j)^2``; the
    function returns its (weighted) mean. It is a proper scoring rule: if
    ``y ~ Bernoulli(q)``, its expectation is ``sum_j p_j (c_j - q)^2 + q (1 - q)``,
    smallest when all mass sits on the level nearest ``q``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Correctness of the base model's answers, 0/1 or boolean.
    level_proba : array-like of shape (n_samples, n_levels)
        Probabilities over the confidence levels; each row must sum to 1
        (tolerance 1e-6) and be non-negative.
    levels : array-like of shape (n_levels,), default=None
        Confidence values of the levels, strictly increasing in [0, 1].
        ``None`` means ``linspace(0, 1, n_levels)``.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    score : float
        Mean tokenized Brier score, in [0, 1]; lower is better.

    See Also
    --------
    sklearn.metrics.brier_score_loss : The Brier score of a single confidence.

    References
    ----------
    .. [1] Y. Li, M. Xiong, J. Wu, B. Hooi. "ConfTuner: Training Large Language
       Models to Express Their Confidence Verbally". NeurIPS 2025. arXiv:2508.18847.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.calibration import tokenized_brier_score
    >>> proba = np.array([[0.0, 0.2, 0.8], [0.5, 0.5, 0.0]])
    >>> round(tokenized_brier_score([1, 0], proba), 4)
    0.0875
    """
    y = _check_correctness(y_true, "y_true")
    proba = check_array(level_proba, dtype=np.float64, input_name="level_proba")
    check_consistent_length(y, proba)
    levels = _check_levels(levels, proba.shape[1])
    if levels.size != proba.shape[1]:
        raise ValueError(
            f"levels has {levels.size} entries but level_proba has {proba.shape[1]} columns; they must match."
        )
    if np.any(proba < 0) or np.any(np.abs(proba.sum(axis=1) - 1.0) > 1e-6):
        raise ValueError("level_proba rows must be non-negative and sum to 1 (tolerance 1e-6).")
    sample_weight = _check_sample_weight(sample_weight, proba)
    per_row = np.sum(proba * (y[:, None] - levels[None, :]) ** 2, axis=1)
    return float(np.average(per_row, weights=sample_weight))


def expected_calibration_error(y_correct, confidence, n_bins=15, sample_weight=None):
    """Expected calibration error of confidences against correctness, with equal-width bins.

    The interval [0, 1] is cut into ``n_bins`` equal bins, right-closed
    (``(k / n_bins, (k + 1) / n_bins]``, the first one also holds 0); the ECE
    is the share-weighted mean over non-empty bins of ``|accuracy - mean
    confidence|``.

    Parameters
    ----------
    y_correct : array-like of shape (n_samples,)
        Whether each prediction was correct, 0/1 or boolean.
    confidence : array-like of shape (n_samples,)
        Stated confidence that the prediction is correct, in [0, 1].
    n_bins : int, default=15
        Number of equal-width bins.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    ece : float
        Expected calibration error, in [0, 1]; lower is better.

    See Also
    --------
    sklearn.calibration.calibration_curve : Accuracy and confidence per bin.

    References
    ----------
    .. [1] Y. Li, M. Xiong, J. Wu, B. Hooi. "ConfTuner: Training Large Language
       Models to Express Their Confidence Verbally". NeurIPS 2025. arXiv:2508.18847.

    Examples
    --------
    >>> from skpapers.calibration import expected_calibration_error
    >>> round(expected_calibration_error([1, 1, 0, 1], [0.95, 0.85, 0.75, 0.55], n_bins=5), 4)
    0.35
    """
    y = _check_correctness(y_correct, "y_correct")
    confidence = check_array(confidence, ensure_2d=False, dtype=np.float64, input_name="confidence")
    if confidence.ndim != 1:
        raise ValueError(f"confidence must be 1-D; got an array of shape {confidence.shape}.")
    check_consistent_length(y, confidence)
    if np.any(confidence < 0) or np.any(confidence > 1):
        raise ValueError("confidence must lie in [0, 1].")
    if not isinstance(n_bins, numbers.Integral) or isinstance(n_bins, bool) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer; got {n_bins!r}.")
    sample_weight = _check_sample_weight(sample_weight, confidence)
    bins = np.clip(np.ceil(confidence * n_bins).astype(np.intp) - 1, 0, n_bins - 1)
    total = np.bincount(bins, weights=sample_weight, minlength=n_bins)
    gap = np.bincount(bins, weights=sample_weight * (y - confidence), minlength=n_bins)
    return float(np.sum(np.abs(gap)) / total.sum())
