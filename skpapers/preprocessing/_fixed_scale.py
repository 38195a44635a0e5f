"""Row normalisation (LayerNorm, RMSNorm, L2) with a per-row or a fitted fixed scale."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data


def _row_statistic(X, norm, eps):
    """The divisor each row gets under per-sample normalisation, shape (n_samples,)."""
    if norm == "layer":
        stat = np.sqrt(X.var(axis=1) + eps)
    elif norm == "rms":
        stat = np.sqrt(np.einsum("ij,ij->i", X, X) / X.shape[1] + eps)
    else:  # "l2", as sklearn.preprocessing.Normalizer computes it
        stat = np.sqrt(np.einsum("ij,ij->i", X, X))
    return stat


def _per_sample_divisor(X, norm, eps):
    stat = _row_statistic(X, norm, eps)
    # A zero divisor (eps=0 on a constant row, an all-zero row for "l2") leaves
    # the row unscaled, as sklearn's Normalizer does, instead of producing NaN.
    return np.where(stat == 0.0, 1.0, stat)


class FixedScaleNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Normalise rows like LayerNorm, RMSNorm or L2, with a fitted fixed scale or per sample.

    Per-sample normalisation divides every row by its own statistic (its
    standard deviation after centring for LayerNorm, its root mean square
    for RMSNorm, its Euclidean norm for L2). That is a nonlinearity coupling
    all the features of a row, so a linear model placed after it is not
    linear in its input and per-feature attributions are only approximate.
    With ``scale="fixed"`` the divisor is instead one constant, the average
    of the row statistic over the training rows, as in the paper's removal
    of LayerNorm from GPT-2 (its "FakeLayerNorm"). The transform is then a
    linear map, exposed as ``linear_map_`` so that it can be folded into the
    weights of a following linear model, and attributions of that model are
    exact (see :func:`skpapers.inspection.direct_logit_attribution`).

    Parameters
    ----------
    norm : {"layer", "rms", "l2"}, default="layer"
        The row statistic. ``"layer"``: subtract the row mean, then divide
        by ``sqrt(var(row) + eps)`` (LayerNorm without its affine part).
        ``"rms"``: divide by ``sqrt(mean(row ** 2) + eps)`` (RMSNorm).
        ``"l2"``: divide by the row's Euclidean norm, without ``eps``
        (per sample, this is exactly :class:`sklearn.preprocessing.Normalizer`
        with ``norm="l2"``).

    scale : {"fixed", "per_sample"}, default="fixed"
        ``"fixed"`` divides every row by ``scale_``, the mean over the
        training rows of the row statistic; ``"per_sample"`` divides each row
        by its own statistic (the usual LayerNorm, RMSNorm or Normalizer).

    eps : float, default=1e-5
        Added to the variance (``"layer"``) or to the mean square (``"rms"``)
        before the square root, as in LayerNorm; ignored for ``"l2"``. Per
        sample, a statistic equal to zero (a constant row with ``eps=0``, an all-zero
        row for ``"l2"``) is replaced by 1, leaving that row unscaled.

    Attributes
    ----------
    scale_ : float
        The fixed divisor: the mean training row statistic (replaced by 1 if
        it is zero). Only set when ``scale="fixed"``.

    linear_map_ : ndarray of shape (n_features, n_features)
        The matrix ``A`` with ``transform(X) == X @ A``: ``(I - 11'/d) /
        scale_`` for ``"layer"`` (centring is part of the map), ``I /
        scale_`` otherwise. Only set when ``scale="fixed"``.

    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during :meth:`fit`, when ``X`` has string
        column names.

    See Also
    --------
    sklearn.preprocessing.Normalizer : Per-sample scaling to unit norm.
    sklearn.preprocessing.StandardScaler : Per-feature (column) scaling.
    skpapers.inspection.direct_logit_attribution : Attributions of a linear
        read-out behind this normaliser.

    Notes
    -----
    A constant row has zero variance: per-sample LayerNorm divides it by
    ``sqrt(eps)``, amplifying rounding noise, while the fixed scale is
    unaffected. With ``norm="layer"`` and a single feature every row is
    centred to zero. Fit the fixed scale on training data only (inside a
    :class:`~sklearn.pipeline.Pipeline`), so that no test rows leak into it.

    References
    ----------
    .. [1] L. Baroni, G. Khara, J. Schaeffer, M. Subkhankulov and S. Heimersheim,
       "Transformers Don't Need LayerNorm at Inference Time: Scaling LayerNorm
       Removal to GPT-2 XL and the Implications for Mechanistic
       Interpretability", arXiv:2507.02559, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.preprocessing import FixedScaleNormalizer
    >>> X = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
    >>> normalizer = FixedScaleNormalizer(norm="rms", eps=0.0).fit(X)
    >>> round(normalizer.scale_, 4)
    3.2404
    >>> np.allclose(normalizer.transform(X), X @ normalizer.linear_map_)
    True
    >>> FixedScaleNormalizer(norm="l2", scale="per_sample").fit_transform(X).round(3)
    array([[0.267, 0.535, 0.802],
           [0.267, 0.535, 0.802]])
    """

    _parameter_constraints: dict = {
        "norm": [StrOptions({"layer", "rms", "l2"})],
        "scale": [StrOptions({"fixed", "per_sample"})],
        "eps": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, norm="layer", scale="fixed", eps=1e-5):
        self.norm = norm
        self.scale = scale
        self.eps = eps

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the fixed scale: the mean row statistic of the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted normaliser.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        if self.scale == "fixed":
            X64 = X.astype(np.float64, copy=False)
            scale = float(np.mean(_row_statistic(X64, self.norm, self.eps)))
            self.scale_ = scale if scale > 0.0 else 1.0
            n_features = X.shape[1]
            identity = np.eye(n_features)
            if self.norm == "layer":
                identity -= 1.0 / n_features
            self.linear_map_ = identity / self.scale_
        return self

    def row_scale(self, X):
        """Return the divisor applied to each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to normalise.

        Returns
        -------
        divisor : ndarray of shape (n_samples,)
            ``scale_`` for every row when ``scale="fixed"``, else each row's
            own statistic.
        """
        check_is_fitted(self, "n_features_in_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self._row_scale(X.astype(np.float64, copy=False))

    def _row_scale(self, X):
        if self.scale == "fixed":
            return np.full(X.shape[0], self.scale_)
        return _per_sample_divisor(X, self.norm, self.eps)

    def transform(self, X):
        """Normalise the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to normalise.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            The normalised rows, in the dtype of ``X`` (float64 or float32).
        """
        check_is_fitted(self, "n_features_in_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        X64 = X.astype(np.float64, copy=False)
        divisor = self._row_scale(X64)[:, None]
        if self.norm == "layer":
            # centre into a new array, then divide it in place: one data-sized copy
            X_new = X64 - X64.mean(axis=1, keepdims=True)
            X_new /= divisor
        else:
            X_new = X64 / divisor
        return X_new.astype(X.dtype, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
