"""Normal-abnormal guided anomaly detection from a few reference embeddings of the target domain."""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator, OutlierMixin, _fit_context
from sklearn.utils import ClassifierTags, gen_batches
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

# Norm products below this count as zero: the cosine is then taken as 0 (similarity 1/2).
_EPS = 1e-12
# Query rows per block, so that a block of similarities stays near 2**22 floats.
_BLOCK_FLOATS = 2**22


def _unit_rows(A):
    norms = np.linalg.norm(A, axis=-1, keepdims=True)
    # Zero rows stay zero: their cosine with anything is then 0.
    return A * np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > _EPS)


def _batches(n_rows, n_columns):
    return gen_batches(n_rows, max(1, _BLOCK_FLOATS // max(n_columns, 1)))


def _max_similarity(Q, R, normalized=False):
    """``max_k (1 + cos(q, r_k)) / 2`` for every row ``q`` of Q, in blocks of rows.

    ``normalized=True`` says the rows of Q already have unit (or zero) norm.
    """
    R_unit = _unit_rows(R)
    out = np.empty(Q.shape[0])
    for block in _batches(Q.shape[0], R.shape[0]):
        Q_block = Q[block] if normalized else _unit_rows(Q[block])
        out[block] = (Q_block @ R_unit.T).max(axis=1)
    out += 1.0
    out /= 2.0
    return out


def _residuals(A, templates, match):
    """``a - b*(a)`` with ``b*(a)`` the template ranked first by inner product or cosine."""
    keys = templates if match == "dot" else _unit_rows(templates)
    nearest = np.empty(A.shape[0], dtype=np.intp)
    for block in _batches(A.shape[0], templates.shape[0]):
        nearest[block] = np.argmax(A[block] @ keys.T, axis=1)
    return A - templates[nearest]


def _check_binary_y(y, n_samples, name="y"):
    """Map reference labels to 0 (normal) / 1 (abnormal); None means all normal.

    Labels within {0, 1} (or booleans) are taken as they are. Any other
    pair of labels is mapped as scikit-learn's binary classifiers do: the
    larger (last sorted) label is the abnormal one. A single label other
    than 1 or True means every reference is normal.
    """
    if y is None:
        return np.zeros(n_samples, dtype=int)
    y = column_or_1d(y, warn=True)
    if y.shape[0] != n_samples:
        raise ValueError(f"{name} has {y.shape[0]} labels but X has {n_samples} rows.")
    if y.dtype.kind in "fc" and not np.all(np.isfinite(y)):
        raise ValueError(f"{name} contains NaN or infinity.")
    labels = np.unique(y)
    if labels.size > 2:
        raise ValueError(
            f"{name} must be binary, 0 (normal) or 1 (abnormal); got {labels.size} labels "
            f"{labels[:5].tolist()}."
        )
    if y.dtype.kind == "b" or (y.dtype.kind in "iuf" and np.all(np.isin(labels, (0, 1)))):
        return (y == 1).astype(int)
    if labels.size == 1:
        return np.zeros(n_samples, dtype=int)
    return (y == labels[1]).astype(int)


class ReferenceGuidedAnomalyDetector(OutlierMixin, BaseEstimator):
    """Score anomalies against a few normal and abnormal reference embeddings.

    A generalist detector for a new (target) domain that is described only
    by a handful of labelled references: a few normal embeddings and,
    optionally, a few abnormal ones. ``X`` holds precomputed features of a
    frozen backbone. Writing ``s(a, b) = (1 + cos(a, b)) / 2``:

    * normal similarity ``s_n(x) = max_p s(x, p)`` over the normal
      references (training-free nearest neighbour);
    * ``mode="normal_only"``: anomaly score ``1 - s_n(x)``;
    * ``mode="knn"``, the paper's naive training-free baseline:
      ``(s_a(x) + 1 - s_n(x)) / 2`` with ``s_a(x) = max_k s(x, a_k)`` over
      the abnormal references ``a_k``. It fires on normal samples that
      merely lie close to an abnormal reference;
    * ``mode="residual"``, the paper's remedy: compare *residuals* instead
      of positions. With ``r(x) = x - b*(x)`` and ``b*(x)`` the normal
      reference nearest to ``x``, ``s_a(x) = max_k s(r(x), r_k)`` over the
      abnormal-reference residuals ``r_k = r(a_k)``, and the score is
      ``(s_a(x) + 1 - s_n(x)) / 2``. With a fitted
      :class:`ResidualMetaLearner` (``meta_model``), residuals are projected
      and fused by the weights it learned on source domains.

    Without abnormal references, ``"knn"`` and ``"residual"`` both reduce
    to ``1 - s_n`` (as in the paper's code). Scores lie in [0, 1], higher
    meaning more anomalous.

    Parameters
    ----------
    mode : {"residual", "knn", "normal_only"}, default="residual"
        Scoring rule, see above.

    n_patches : int, default=1
        If greater than 1, each row of ``X`` is ``n_patches`` patch
        embeddings concatenated (row ``i`` is reshaped to ``(n_patches,
        n_features // n_patches)``); similarities and residuals are then
        patch-wise, with the patches of all normal references pooled, and
        patch scores are pooled into one score per row (``image_pooling``).
        Must divide the number of features.

    image_pooling : {"topk_mean", "max", "mean"}, default="topk_mean"
        How patch scores make a row score: mean of the ``top_k`` largest
        (the paper's image-level score), maximum, or mean. Ignored when
        ``n_patches=1``.

    top_k : int, default=20
        Patches in the top-k mean, clipped to ``n_patches``. In patch mode
        it also sets how many patches of each abnormal reference serve as
        abnormal patches (see Notes).

    meta_model : ResidualMetaLearner or None, default=None
        A fitted meta learner, trained on source domains with the same
        feature (patch) dimension. Only with ``mode="residual"``; it needs
        abnormal references. None uses the identity projection and the
        fixed fusion ``(s_a + 1 - s_n) / 2``.

    residual_match : {"dot", "cosine"}, default="dot"
        How the normal reference ``b*(x)`` of a residual is chosen: largest
        raw inner product (as in the authors' code) or largest cosine.

    threshold : float, default=0.5
        Anomaly-score threshold of :meth:`predict`, in [0, 1]. The scores
        of un-centred embeddings cluster close to 0 (cosines close to 1),
        so set it from held-out data for a useful decision.

    Attributes
    ----------
    normal_refs_ : ndarray of shape (n_normal, n_features)
        Normal references (rows with ``y == 0``).

    abnormal_refs_ : ndarray of shape (n_abnormal, n_features)
        Abnormal references (rows with ``y == 1``); may have zero rows.

    abnormal_residuals_ : ndarray of shape (n_abnormal_patches, patch_dim)
        Residuals of the abnormal (patches of the) references to their
        nearest normal reference patch.

    patch_dim_ : int
        ``n_features_in_ // n_patches``.

    top_k_ : int
        ``min(top_k, n_patches)``.

    offset_ : float
        ``-threshold``, so that ``decision_function = score_samples -
        offset_``.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    ResidualMetaLearner : Learns the residual projection and fusion on
        source domains.
    sklearn.neighbors.LocalOutlierFactor : Normal-only density baseline.

    Notes
    -----
    The paper learns the abnormal similarity with attention blocks over the
    patches of an image (residual mining and anomaly feature learning);
    when a sample is a single vector such attention has one key per query
    and is trivial, so this estimator uses the training-free residual
    matching above, or the linear :class:`ResidualMetaLearner`.

    The paper restricts abnormal references to their masked (anomalous)
    patches. Masks are not taken here: in patch mode, each abnormal
    reference contributes its ``top_k_`` patches least similar to the
    normal references, the same assumption as the top-k pooling (an
    anomaly covers at most ``top_k`` patches).

    Cosines are taken on the raw embeddings, as in the paper. Centring the
    embeddings by the mean of the normal references (or whitening them)
    spreads the similarities out and changes the results; do it in a
    pipeline step if wanted. A zero vector (or zero residual) has cosine 0
    with everything. With a single normal reference, ``s_n`` is one
    similarity and every residual is taken to that reference (a warning
    says so).

    References
    ----------
    .. [1] Wang, Y., Wang, X., Gong, Y., Xiao, J. "Normal-Abnormal Guided
       Generalist Anomaly Detection", NeurIPS 2025. arXiv:2510.00495.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.anomaly import ReferenceGuidedAnomalyDetector
    >>> from skpapers.datasets import make_anomaly_domains
    >>> X, y, _, _ = make_anomaly_domains(n_normal=204, n_abnormal=201, random_state=0)
    >>> refs = np.r_[0:4, 204]                  # 4 normal and 1 abnormal reference
    >>> queries = np.setdiff1d(np.arange(len(y)), refs)
    >>> detector = ReferenceGuidedAnomalyDetector().fit(X[refs], y[refs])
    >>> scores = detector.anomaly_score(X[queries])
    >>> from sklearn.metrics import roc_auc_score
    >>> round(roc_auc_score(y[queries], scores), 2)
    0.65
    """

    _parameter_constraints: dict = {
        "mode": [StrOptions({"residual", "knn", "normal_only"})],
        "n_patches": [Interval(Integral, 1, None, closed="left")],
        "image_pooling": [StrOptions({"topk_mean", "max", "mean"})],
        "top_k": [Interval(Integral, 1, None, closed="left")],
        "meta_model": [HasMethods(["fit"]), None],
        "residual_match": [StrOptions({"dot", "cosine"})],
        "threshold": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        *,
        mode="residual",
        n_patches=1,
        image_pooling="topk_mean",
        top_k=20,
        meta_model=None,
        residual_match="dot",
        threshold=0.5,
    ):
        self.mode = mode
        self.n_patches = n_patches
        self.image_pooling = image_pooling
        self.top_k = top_k
        self.meta_model = meta_model
        self.residual_match = residual_match
        self.threshold = threshold

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # y marks references normal or abnormal: binary labels only.
        tags.classifier_tags = ClassifierTags(multi_class=False)
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Store the target domain's references.

        Parameters
        ----------
        X : array-like of shape (n_references, n_features)
            Reference embeddings (rows of concatenated patch embeddings
            when ``n_patches > 1``).

        y : array-like of shape (n_references,), default=None
            0 for a normal reference, 1 for an abnormal one (booleans
            accepted; another pair of labels is mapped with the larger one
            abnormal, as in binary classification). At least one reference
            must be normal. None means every reference is normal.

        Returns
        -------
        self : object
            The fitted detector.
        """
        X = validate_data(self, X, dtype=np.float64)
        y = _check_binary_y(y, X.shape[0])
        if X.shape[1] % self.n_patches:
            raise ValueError(
                f"n_patches={self.n_patches} must divide the number of features of X ({X.shape[1]})."
            )
        if not np.any(y == 0):
            raise ValueError(
                "y holds only one class, abnormal references: at least one normal reference (label 0) is needed."
            )
        self.patch_dim_ = X.shape[1] // self.n_patches
        self.top_k_ = min(self.top_k, self.n_patches)
        self.normal_refs_ = X[y == 0]
        self.abnormal_refs_ = X[y == 1]
        if self.normal_refs_.shape[0] == 1:
            warnings.warn(
                "A single normal reference: s_n is one similarity and every residual is taken to that reference.",
                UserWarning,
            )
        self._normal_patches = self.normal_refs_.reshape(-1, self.patch_dim_)

        if self.meta_model is not None:
            if self.mode != "residual":
                raise ValueError(f"meta_model needs mode='residual'; got mode={self.mode!r}.")
            check_is_fitted(self.meta_model, "projection_")
            if self.meta_model.n_features_in_ != self.patch_dim_:
                raise ValueError(
                    f"meta_model was fitted on {self.meta_model.n_features_in_} features, but the references "
                    f"have {self.patch_dim_} features per patch."
                )
            if self.abnormal_refs_.shape[0] == 0:
                raise ValueError(
                    "meta_model needs abnormal references (label 1 in y); y holds only normal references."
                )

        abnormal = self.abnormal_refs_.reshape(-1, self.n_patches, self.patch_dim_)
        if self.n_patches > 1 and abnormal.shape[0]:
            # No masks: keep each abnormal reference's top_k patches farthest from the normal ones.
            s_n = _max_similarity(abnormal.reshape(-1, self.patch_dim_), self._normal_patches)
            order = np.argsort(s_n.reshape(abnormal.shape[:2]), axis=1, kind="stable")[:, : self.top_k_]
            abnormal = np.take_along_axis(abnormal, order[:, :, None], axis=1)
        self._abnormal_patches = abnormal.reshape(-1, self.patch_dim_)
        self.abnormal_residuals_ = _residuals(self._abnormal_patches, self._normal_patches, self.residual_match)
        self.offset_ = -float(self.threshold)
        return self

    def _patch_maps(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        patches = X.reshape(-1, self.patch_dim_)
        patches_unit = _unit_rows(patches)
        s_n = _max_similarity(patches_unit, self._normal_patches, normalized=True)
        s_a = None
        if self.mode == "normal_only" or self._abnormal_patches.shape[0] == 0:
            score = 1.0 - s_n
        elif self.mode == "knn":
            s_a = _max_similarity(patches_unit, self._abnormal_patches, normalized=True)
            score = (s_a + 1.0 - s_n) / 2.0
        else:
            residuals = _residuals(patches, self._normal_patches, self.residual_match)
            if self.meta_model is None:
                s_a = _max_similarity(residuals, self.abnormal_residuals_)
                score = (s_a + 1.0 - s_n) / 2.0
            else:
                z, s_a = self.meta_model._fusion_logit(1.0 - s_n, residuals, self.abnormal_residuals_)
                score = special.expit(z)
        shape = (X.shape[0], self.n_patches)
        maps = {"s_n": s_n.reshape(shape), "s_a": None if s_a is None else s_a.reshape(shape)}
        return score.reshape(shape), maps

    def _pool(self, patch_scores):
        if self.n_patches == 1:
            return patch_scores[:, 0]
        if self.image_pooling == "max":
            return patch_scores.max(axis=1)
        if self.image_pooling == "mean":
            return patch_scores.mean(axis=1)
        return np.sort(patch_scores, axis=1)[:, -self.top_k_ :].mean(axis=1)

    def anomaly_score(self, X):
        """Anomaly score in [0, 1]: higher means more anomalous.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Query embeddings.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Pooled patch scores (the patch score itself when
            ``n_patches=1``).
        """
        return self._pool(self._patch_maps(X)[0])

    def similarity_maps(self, X):
        """Normal and abnormal similarities of each query (patch).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Query embeddings.

        Returns
        -------
        maps : dict
            ``"s_n"``: normal similarity, ``"s_a"``: abnormal similarity
            (the projected one with a ``meta_model``; None in
            ``"normal_only"`` mode or without abnormal references). Arrays
            of shape (n_samples,) when ``n_patches=1``, else (n_samples,
            n_patches).
        """
        _, maps = self._patch_maps(X)
        if self.n_patches == 1:
            maps = {name: None if value is None else value[:, 0] for name, value in maps.items()}
        return maps

    def score_samples(self, X):
        """Opposite of the anomaly score (larger means more normal).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Query embeddings.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``-anomaly_score(X)``.
        """
        return -self.anomaly_score(X)

    def decision_function(self, X):
        """Shifted score: negative for outliers, positive for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Query embeddings.

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            ``score_samples(X) - offset_ = threshold - anomaly_score(X)``.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Label queries as inliers (+1) or outliers (-1).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Query embeddings.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            +1 where ``decision_function(X) >= 0``, -1 elsewhere.
        """
        return np.where(self.decision_function(X) >= 0, 1, -1)
