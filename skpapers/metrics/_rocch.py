"""The ROC convex hull (ROCCH) of a set of crisp classifiers, and its best operating point.

Used by the SMOTE paper (Chawla et al., arXiv:1106.1813) to compare methods
over many operating points, after Provost and Fawcett.
"""

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

__all__ = [
    "roc_convex_hull",
    "roc_convex_hull_auc",
    "rocch_operating_point",
    "roc_points_from_predictions",
]


def _check_roc_points(fpr, tpr):
    points = []
    for name, values in (("fpr", fpr), ("tpr", tpr)):
        try:
            values = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be an array of numbers; {exc}.") from exc
        if values.ndim == 0:
            values = values.reshape(1)
        if values.ndim != 1:
            raise ValueError(f"{name} must be 1-D; got shape {values.shape}.")
        if not np.isfinite(values).all():
            raise ValueError(f"{name} contains NaN or infinity.")
        if values.size and (values.min() < 0 or values.max() > 1):
            raise ValueError(f"{name} values must lie in [0, 1]; got range [{values.min()}, {values.max()}].")
        points.append(values)
    fpr, tpr = points
    if fpr.shape != tpr.shape:
        raise ValueError(f"fpr and tpr must have the same length; got {fpr.size} and {tpr.size}.")
    return fpr, tpr


def _upper_hull(fpr, tpr):
    """Indices (into the stacked points) of the upper hull, left to right.

    Points are sorted by FPR, then TPR ascending, so that a vertical run at
    FPR = 0 starts from its lowest point and one at FPR = 1 ends at its
    highest; collinear points are dropped, leaving vertices only.
    """
    order = np.lexsort((tpr, fpr))
    hull = []
    for index in order:
        while len(hull) >= 2:
            o, a = hull[-2], hull[-1]
            cross = (fpr[a] - fpr[o]) * (tpr[index] - tpr[o]) - (tpr[a] - tpr[o]) * (fpr[index] - fpr[o])
            if cross >= 0:  # not a clockwise turn: ``a`` is under or on the chord
                hull.pop()
            else:
                break
        if hull and fpr[hull[-1]] == fpr[index] and tpr[hull[-1]] == tpr[index]:
            continue  # a repeated point
        hull.append(index)
    return np.asarray(hull, dtype=int)


@validate_params(
    {"fpr": ["array-like"], "tpr": ["array-like"], "return_indices": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def roc_convex_hull(fpr, tpr, return_indices=False):
    """ROC convex hull (ROCCH) of a set of operating points.

    The hull is the upper convex boundary of the points together with the
    trivial classifiers (0, 0) and (1, 1). A classifier below it is never
    optimal, whatever the class prior and misclassification costs; any point
    on it can be reached by randomly mixing the two hull vertices around it.

    Parameters
    ----------
    fpr : array-like of shape (n_points,)
        False positive rates, in [0, 1].
    tpr : array-like of shape (n_points,)
        True positive rates, in [0, 1].
    return_indices : bool, default=False
        Also return, for each hull vertex, its index in ``fpr``/``tpr``
        (-1 for the added (0, 0) and (1, 1) when they are not input points).

    Returns
    -------
    hull_fpr : ndarray
        FPR of the hull vertices, increasing, from 0 to 1.
    hull_tpr : ndarray
        TPR of the hull vertices, non-decreasing, from 0 to 1.
    indices : ndarray of int
        Only with ``return_indices=True``.

    See Also
    --------
    roc_convex_hull_auc : Area under the hull.
    rocch_operating_point : The hull vertex with the lowest expected cost.

    Notes
    -----
    Points are sorted by FPR (ties by TPR) and scanned once with Andrew's
    monotone chain, keeping clockwise turns: O(n log n). Collinear points are
    not vertices. A hull can have a vertical first edge at FPR = 0 and a
    horizontal last edge at TPR = 1.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       Synthetic Minority Over-sampling Technique", Journal of Artificial
       Intelligence Research 16, 321-357 (2002). arXiv:1106.1813.
    .. [2] F. Provost and T. Fawcett, "Robust classification for imprecise
       environments", Machine Learning 42, 203-231 (2001).

    Examples
    --------
    >>> from skpapers.metrics import roc_convex_hull
    >>> hull_fpr, hull_tpr = roc_convex_hull([0.1, 0.3, 0.5, 0.4], [0.5, 0.6, 0.9, 0.7])
    >>> hull_fpr.tolist(), hull_tpr.tolist()
    ([0.0, 0.1, 0.5, 1.0], [0.0, 0.5, 0.9, 1.0])
    """
    fpr, tpr = _check_roc_points(fpr, tpr)
    n_points = fpr.size
    all_fpr = np.concatenate([fpr, [0.0, 1.0]])
    all_tpr = np.concatenate([tpr, [0.0, 1.0]])
    hull = _upper_hull(all_fpr, all_tpr)
    hull_fpr, hull_tpr = all_fpr[hull], all_tpr[hull]
    if not return_indices:
        return hull_fpr, hull_tpr
    # The added corners were appended last; report an input point that sits on a
    # corner instead, so an index is -1 only when no input classifier is there.
    indices = hull.copy()
    for position in np.flatnonzero(indices >= n_points):
        on_corner = np.flatnonzero((fpr == hull_fpr[position]) & (tpr == hull_tpr[position]))
        indices[position] = on_corner[0] if on_corner.size else -1
    return hull_fpr, hull_tpr, indices


@validate_params({"fpr": ["array-like"], "tpr": ["array-like"]}, prefer_skip_nested_validation=True)
def roc_convex_hull_auc(fpr, tpr):
    """Area under the ROC convex hull of a set of operating points.

    Parameters
    ----------
    fpr : array-like of shape (n_points,)
        False positive rates, in [0, 1].
    tpr : array-like of shape (n_points,)
        True positive rates, in [0, 1].

    Returns
    -------
    auc : float
        Trapezoidal area under :func:`roc_convex_hull`, in [0.5, 1].

    See Also
    --------
    roc_convex_hull : The hull itself.
    sklearn.metrics.auc : Area under any curve.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       Synthetic Minority Over-sampling Technique", Journal of Artificial
       Intelligence Research 16, 321-357 (2002). arXiv:1106.1813.

    Examples
    --------
    >>> from skpapers.metrics import roc_convex_hull_auc
    >>> round(roc_convex_hull_auc([0.2], [0.8]), 3)
    0.8
    """
    hull_fpr, hull_tpr = roc_convex_hull(fpr, tpr)
    return float(np.sum(np.diff(hull_fpr) * (hull_tpr[1:] + hull_tpr[:-1]) / 2.0))


@validate_params(
    {
        "fpr": ["array-like"],
        "tpr": ["array-like"],
        "pos_prior": [Interval(numbers.Real, 0, 1, closed="neither")],
        "cost_fp": [Interval(numbers.Real, 0, None, closed="neither")],
        "cost_fn": [Interval(numbers.Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def rocch_operating_point(fpr, tpr, pos_prior, cost_fp=1.0, cost_fn=1.0):
    """Index of the classifier with the lowest expected cost, read off the ROC convex hull.

    With positive-class prior ``p`` and costs ``c_FP``, ``c_FN``, iso-cost
    lines in ROC space have slope ``m = c_FP (1 - p) / (c_FN p)``; the best
    classifier is the hull vertex maximising ``TPR - m FPR``.

    Parameters
    ----------
    fpr : array-like of shape (n_points,)
        False positive rates of the candidate classifiers, in [0, 1].
    tpr : array-like of shape (n_points,)
        True positive rates, in [0, 1].
    pos_prior : float
        Prior probability of the positive class, in (0, 1).
    cost_fp : float, default=1.0
        Cost of a false positive, > 0.
    cost_fn : float, default=1.0
        Cost of a false negative, > 0.

    Returns
    -------
    index : int
        Position in ``fpr``/``tpr`` of the best input classifier (ties: the
        one with lower FPR).

    Notes
    -----
    Only input classifiers are candidates. The trivial classifiers at
    (0, 0) ("always negative") and (1, 1) ("always positive") can be cheaper
    still: compare ``tpr[index] - m * fpr[index]`` with 0 and ``1 - m``.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       Synthetic Minority Over-sampling Technique", Journal of Artificial
       Intelligence Research 16, 321-357 (2002). arXiv:1106.1813.
    .. [2] F. Provost and T. Fawcett, "Robust classification for imprecise
       environments", Machine Learning 42, 203-231 (2001).

    Examples
    --------
    >>> from skpapers.metrics import rocch_operating_point
    >>> fpr, tpr = [0.05, 0.2, 0.5], [0.4, 0.75, 0.95]
    >>> rocch_operating_point(fpr, tpr, pos_prior=0.1)  # rare positives: be strict
    0
    >>> rocch_operating_point(fpr, tpr, pos_prior=0.5)
    1
    """
    fpr, tpr = _check_roc_points(fpr, tpr)
    if fpr.size == 0:
        raise ValueError("fpr and tpr must hold at least one classifier.")
    slope = cost_fp * (1.0 - pos_prior) / (cost_fn * pos_prior)
    _, _, indices = roc_convex_hull(fpr, tpr, return_indices=True)
    # The maximum of a linear function over a point set sits on its hull.
    candidates = indices[indices >= 0]
    if candidates.size == 0:  # every input point is under the hull's corners only
        candidates = np.arange(fpr.size)
    gain = tpr[candidates] - slope * fpr[candidates]
    best = candidates[np.flatnonzero(gain >= gain.max() - 1e-12)]
    return int(best[np.argmin(fpr[best])])


@validate_params(
    {"y_true": ["array-like"], "predictions": ["array-like"], "pos_label": [None, numbers.Integral, str, bool]},
    prefer_skip_nested_validation=True,
)
def roc_points_from_predictions(y_true, predictions, pos_label=None):
    """ROC points (FPR, TPR) of several crisp classifiers on the same labels.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary true labels.
    predictions : array-like of shape (n_classifiers, n_samples)
        Crisp predicted labels, one row per classifier (a list of arrays
        works).
    pos_label : int, str, bool or None, default=None
        The positive class. None means 1 when the labels are {0, 1} or
        {-1, 1}, otherwise it must be given.

    Returns
    -------
    fpr : ndarray of shape (n_classifiers,)
        False positive rate of each classifier.
    tpr : ndarray of shape (n_classifiers,)
        True positive rate of each classifier.

    See Also
    --------
    sklearn.metrics.roc_curve : ROC curve of one scoring classifier.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       Synthetic Minority Over-sampling Technique", Journal of Artificial
       Intelligence Research 16, 321-357 (2002). arXiv:1106.1813.

    Examples
    --------
    >>> from skpapers.metrics import roc_points_from_predictions
    >>> y = [0, 0, 0, 1, 1]
    >>> fpr, tpr = roc_points_from_predictions(y, [[0, 0, 1, 1, 0], [1, 0, 1, 1, 1]])
    >>> fpr.round(3).tolist(), tpr.tolist()
    ([0.333, 0.667], [0.5, 1.0])
    """
    y_true = column_or_1d(y_true)
    if type_of_target(y_true) != "binary" or np.unique(y_true).size != 2:
        raise ValueError(
            f"y_true must hold exactly two classes; got {np.unique(y_true).size} distinct value(s)."
        )
    classes = np.unique(y_true)
    if pos_label is None:
        if set(classes.tolist()) in ({0, 1}, {-1, 1}):
            pos_label = 1
        else:
            raise ValueError(f"y_true has labels {classes.tolist()}; pass pos_label to name the positive class.")
    elif pos_label not in classes.tolist():
        raise ValueError(f"pos_label={pos_label!r} is not a label of y_true ({classes.tolist()}).")

    predictions = np.asarray(predictions)
    if predictions.ndim == 1:
        predictions = predictions.reshape(1, -1)
    if predictions.ndim != 2 or predictions.shape[1] != y_true.size:
        raise ValueError(
            f"predictions must have shape (n_classifiers, {y_true.size}) to match y_true; "
            f"got {predictions.shape}."
        )
    positive = y_true == pos_label
    predicted_positive = predictions == pos_label
    tpr = (predicted_positive & positive).sum(axis=1) / positive.sum()
    fpr = (predicted_positive & ~positive).sum(axis=1) / (~positive).sum()
    return fpr.astype(np.float64), tpr.astype(np.float64)
