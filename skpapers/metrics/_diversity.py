"""Diversity and label-accuracy scores of a generated data set."""

import numpy as np
from sklearn.metrics import pairwise_distances_chunked
from sklearn.utils import check_array

__all__ = ["chamfer_distance_score", "label_accuracy_score", "remote_clique_score"]


def _check_rows(X):
    X = check_array(X, dtype=np.float64, ensure_all_finite=True, input_name="X")
    if X.shape[0] < 2:
        raise ValueError(f"X needs at least 2 rows to measure diversity, got {X.shape[0]}.")
    return X


def remote_clique_score(X, metric="euclidean"):
    """Remote-clique diversity: the mean distance over all pairs of distinct rows.

    Computed in row chunks (:func:`~sklearn.metrics.pairwise_distances_chunked`),
    so no ``n x n`` matrix is held in memory.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Generated rows (features, one-hot codes or embeddings), ``n_samples >= 2``.
    metric : str or callable, default="euclidean"
        Any metric accepted by :func:`~sklearn.metrics.pairwise_distances`
        (``"hamming"`` suits integer-coded categorical rows).

    Returns
    -------
    score : float
        ``sum_{i != j} d(x_i, x_j) / (n (n - 1))``. Larger is more diverse.

    See Also
    --------
    chamfer_distance_score : Mean nearest-neighbour distance.

    References
    ----------
    .. [1] J. J. Y. Chung, E. Kamar and S. Amershi, "Increasing Diversity While
       Maintaining Accuracy: Text Data Generation with Large Language Models
       and Human Interventions", 2023, arXiv:2306.04140.

    Examples
    --------
    >>> from skpapers.metrics import remote_clique_score
    >>> round(remote_clique_score([[0, 0], [0, 1], [1, 1]], metric="hamming"), 3)
    0.667
    """
    X = _check_rows(X)
    n = X.shape[0]
    total = sum(chunk.sum() for chunk in pairwise_distances_chunked(X, metric=metric))
    return float(total / (n * (n - 1)))


def chamfer_distance_score(X, metric="euclidean"):
    """Chamfer diversity: the mean over rows of the distance to the nearest other row.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Generated rows, ``n_samples >= 2``.
    metric : str or callable, default="euclidean"
        Any metric accepted by :func:`~sklearn.metrics.pairwise_distances`.

    Returns
    -------
    score : float
        ``mean_i min_{j != i} d(x_i, x_j)``. Exact duplicates count 0, so a
        repetitive set scores low even when it spans a wide range.

    See Also
    --------
    remote_clique_score : Mean pairwise distance.

    References
    ----------
    .. [1] J. J. Y. Chung, E. Kamar and S. Amershi, "Increasing Diversity While
       Maintaining Accuracy: Text Data Generation with Large Language Models
       and Human Interventions", 2023, arXiv:2306.04140.

    Examples
    --------
    >>> from skpapers.metrics import chamfer_distance_score
    >>> round(chamfer_distance_score([[0, 0], [0, 0], [3, 4]]), 3)
    1.667
    """
    X = _check_rows(X)

    def reduce(chunk, start):
        # Mask each row's distance to itself, not to its duplicates.
        rows = np.arange(chunk.shape[0])
        chunk = chunk.copy()
        chunk[rows, start + rows] = np.inf
        return chunk.min(axis=1)

    nearest = np.concatenate(list(pairwise_distances_chunked(X, metric=metric, reduce_func=reduce)))
    return float(nearest.mean())


def label_accuracy_score(X_gen, y_gen, oracle):
    """Share of generated rows whose intended label the oracle classifier agrees with.

    Parameters
    ----------
    X_gen : array-like of shape (n_samples, n_features)
        Generated rows, in the format ``oracle`` expects.
    y_gen : array-like of shape (n_samples,)
        The labels the rows were generated for.
    oracle : fitted classifier
        Stand-in for the human judge (e.g. a classifier trained on a large
        real set); only its ``predict`` is used.

    Returns
    -------
    score : float
        ``mean(oracle.predict(X_gen) == y_gen)``.

    References
    ----------
    .. [1] J. J. Y. Chung, E. Kamar and S. Amershi, "Increasing Diversity While
       Maintaining Accuracy: Text Data Generation with Large Language Models
       and Human Interventions", 2023, arXiv:2306.04140.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skpapers.metrics import label_accuracy_score
    >>> oracle = DecisionTreeClassifier().fit([[0], [1]], [0, 1])
    >>> label_accuracy_score(np.array([[0], [1], [1]]), [0, 1, 0], oracle)
    0.6666666666666666
    """
    if not hasattr(oracle, "predict"):
        raise TypeError("oracle must be a fitted classifier with a predict method.")
    y_gen = np.asarray(y_gen)
    if y_gen.ndim != 1 or y_gen.shape[0] != len(X_gen):
        raise ValueError(f"y_gen must be 1-d with one label per row of X_gen ({len(X_gen)}), got shape {y_gen.shape}.")
    return float(np.mean(oracle.predict(X_gen) == y_gen))
