"""A linear residual projection and score fusion learned on source domains."""

from numbers import Integral, Real

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import ClassifierTags
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_random_state, column_or_1d, validate_data

from ..utils._optim import L2, LogisticLoss, ResidualFusionLoss, minimize_smooth
from ._reference_guided import _EPS, _check_binary_y, _max_similarity, _residuals


class ResidualMetaLearner(BaseEstimator):
    """Learn, on source domains, how to compare residuals to abnormal references.

    A linear stand-in for the attention blocks (residual mining and anomaly
    feature learning) that the paper trains on a source domain: it keeps
    the paper's episodic training and its residual features, but replaces
    the learned proxies and attention by a linear projection ``P`` of
    residual space and a logistic fusion of three scores. Episodes are drawn
    within one group (a domain or class) at a time: ``n_normal_refs``
    normal and ``n_abnormal_refs`` abnormal references, and ``n_queries``
    queries (half abnormal) from the group's other samples. A query ``x``
    has the residual ``r(x) = x - b*(x)`` to its nearest normal reference,
    and the abnormal references have residuals ``r_k``; the model is::

        logit = b0 + b1 (1 - s_n) + b2 s_a^P + b3 ||P^T r(x)||^2
        s_a^P = max_k (1 + cos(P^T r(x), P^T r_k)) / 2

    fitted by minimising the queries' mean log-loss plus an L2 penalty
    (L-BFGS). ``P`` starts from the top generalized eigenvectors of the
    second moments of abnormal and normal query residuals, the directions
    along which anomalies move away from their normal neighbours.
    Pass the fitted learner as ``meta_model`` of
    :class:`ReferenceGuidedAnomalyDetector` to score a new domain.

    Parameters
    ----------
    n_components : int, default=4
        Columns of the projection ``P`` (clipped to the number of features).

    n_normal_refs : int, default=4
        Normal references per episode.

    n_abnormal_refs : int, default=1
        Abnormal references per episode.

    n_queries : int, default=16
        Queries per episode, half of them (rounded down) normal.

    n_episodes : int, default=500
        Number of episodes.

    alpha : float, default=1e-4
        L2 penalty on ``P`` and on the fusion weights (not the intercept).

    residual_match : {"dot", "cosine"}, default="dot"
        How the normal reference of a residual is chosen; use the same value
        as the detector.

    max_iter : int, default=500
        Maximum L-BFGS iterations of the joint fit.

    tol : float, default=1e-6
        L-BFGS tolerance on the projected gradient.

    random_state : int, RandomState instance or None, default=None
        Seeds the episode sampling.

    Attributes
    ----------
    projection_ : ndarray of shape (n_features, `n_components_`)
        The learned projection ``P`` of residuals.

    fusion_coef_ : ndarray of shape (3,)
        ``(b1, b2, b3)``: weights of ``1 - s_n``, ``s_a^P`` and the
        projected residual energy.

    fusion_intercept_ : float
        ``b0``.

    n_components_ : int
        Columns of ``projection_``.

    n_iter_ : int
        L-BFGS iterations of the joint fit.

    loss_ : float
        Final penalised episode log-loss.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    ReferenceGuidedAnomalyDetector : Uses the fitted learner on a target
        domain.

    Notes
    -----
    This is not the paper's network. Its attention blocks build
    instance-aware anomaly proxies from the patches of each query; with
    one vector per sample that attention is trivial, and a linear
    projection with a logistic fusion is the honest tabular counterpart.
    With patch embeddings, fit the learner on patch vectors (one row per
    patch, labelled by its mask) and set ``n_patches`` on the detector.

    References
    ----------
    .. [1] Wang, Y., Wang, X., Gong, Y., Xiao, J. "Normal-Abnormal Guided
       Generalist Anomaly Detection", NeurIPS 2025. arXiv:2510.00495.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import roc_auc_score
    >>> from skpapers.anomaly import ReferenceGuidedAnomalyDetector, ResidualMetaLearner
    >>> from skpapers.datasets import make_anomaly_domains
    >>> X, y, groups, _ = make_anomaly_domains(
    ...     n_domains=11, n_normal=100, n_abnormal=100, n_anomaly_types=4, random_state=0)
    >>> source = groups < 10
    >>> meta = ResidualMetaLearner(n_episodes=200, random_state=0)
    >>> meta = meta.fit(X[source], y[source], groups=groups[source])
    >>> meta.projection_.shape
    (32, 4)
    >>> X_t, y_t = X[~source], y[~source]
    >>> refs = np.r_[0:4, 100]
    >>> queries = np.setdiff1d(np.arange(len(y_t)), refs)
    >>> detector = ReferenceGuidedAnomalyDetector(meta_model=meta).fit(X_t[refs], y_t[refs])
    >>> bool(roc_auc_score(y_t[queries], detector.anomaly_score(X_t[queries])) > 0.6)
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "n_normal_refs": [Interval(Integral, 1, None, closed="left")],
        "n_abnormal_refs": [Interval(Integral, 1, None, closed="left")],
        "n_queries": [Interval(Integral, 2, None, closed="left")],
        "n_episodes": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "residual_match": [StrOptions({"dot", "cosine"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        n_components=4,
        n_normal_refs=4,
        n_abnormal_refs=1,
        n_queries=16,
        n_episodes=500,
        alpha=1e-4,
        residual_match="dot",
        max_iter=500,
        tol=1e-6,
        random_state=None,
    ):
        self.n_components = n_components
        self.n_normal_refs = n_normal_refs
        self.n_abnormal_refs = n_abnormal_refs
        self.n_queries = n_queries
        self.n_episodes = n_episodes
        self.alpha = alpha
        self.residual_match = residual_match
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        # y marks samples normal or abnormal: binary labels only.
        tags.classifier_tags = ClassifierTags(multi_class=False)
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, groups=None):
        """Learn the projection and fusion weights from source-domain episodes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Source-domain embeddings.

        y : array-like of shape (n_samples,)
            0 for normal, 1 for abnormal samples (booleans accepted;
            another pair of labels is mapped with the larger one abnormal).

        groups : array-like of shape (n_samples,), default=None
            Domain (or class) of each sample; an episode never mixes groups.
            None means one group.

        Returns
        -------
        self : object
            The fitted learner.
        """
        if y is None:
            raise ValueError(
                "ResidualMetaLearner requires y to be passed, but the target y is None: label the source "
                "samples 0 (normal) or 1 (abnormal)."
            )
        # An episode needs its references plus one normal and one abnormal query.
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=self.n_normal_refs + self.n_abnormal_refs + 2)
        y = _check_binary_y(y, X.shape[0])
        groups = np.zeros(X.shape[0], dtype=int) if groups is None else column_or_1d(groups)
        if groups.shape[0] != X.shape[0]:
            raise ValueError(f"groups has {groups.shape[0]} entries but X has {X.shape[0]} rows.")
        rng = check_random_state(self.random_state)
        R_query, R_ref, base, labels = self._episodes(X, y, groups, rng)

        n_features = X.shape[1]
        self.n_components_ = min(self.n_components, n_features)
        P = self._initial_projection(R_query, labels)

        # Fusion weights for the initial projection: a plain logistic regression on the three scores.
        start = ResidualFusionLoss(R_query, R_ref, base, labels, self.n_components_)
        w_p = np.concatenate([P.ravel(), np.zeros(4)])
        _, similarity, energy, _ = start.scores(w_p)
        scores = np.column_stack([base, similarity, energy])
        logistic = minimize_smooth(
            LogisticLoss(scores, labels), np.zeros(4), L2(self.alpha, np.r_[1.0, 1.0, 1.0, 0.0]),
            tol=self.tol, max_iter=self.max_iter, context="ResidualMetaLearner (fusion start)",
        )
        w0 = np.concatenate([P.ravel(), [logistic.x[3]], logistic.x[:3]])

        mask = np.concatenate([np.ones(P.size), [0.0, 1.0, 1.0, 1.0]])
        result = minimize_smooth(
            start, w0, L2(self.alpha, mask), tol=self.tol, max_iter=self.max_iter, context="ResidualMetaLearner"
        )
        P, beta = start.unpack(result.x)
        self.projection_ = P.copy()
        self.fusion_intercept_ = float(beta[0])
        self.fusion_coef_ = beta[1:].copy()
        self.n_iter_ = result.n_iter
        self.loss_ = result.fun
        return self

    def _episodes(self, X, y, groups, rng):
        pools = []
        for group in np.unique(groups):
            normal = np.flatnonzero((groups == group) & (y == 0))
            abnormal = np.flatnonzero((groups == group) & (y == 1))
            if normal.size > self.n_normal_refs and abnormal.size > self.n_abnormal_refs:
                pools.append((normal, abnormal))
        if not pools:
            raise ValueError(
                "No group has enough samples for an episode: one needs more than n_normal_refs="
                f"{self.n_normal_refs} normal (y=0) and more than n_abnormal_refs={self.n_abnormal_refs} "
                f"abnormal (y=1) samples. Got {int(np.sum(y == 0))} normal and {int(np.sum(y == 1))} "
                "abnormal samples in all."
            )
        n_abnormal_queries = self.n_queries - self.n_queries // 2
        R_query, R_ref, base, labels = [], [], [], []
        for _ in range(self.n_episodes):
            normal, abnormal = pools[rng.randint(len(pools))]
            normal, abnormal = rng.permutation(normal), rng.permutation(abnormal)
            refs_n, rest_n = normal[: self.n_normal_refs], normal[self.n_normal_refs :]
            refs_a, rest_a = abnormal[: self.n_abnormal_refs], abnormal[self.n_abnormal_refs :]
            queries = np.concatenate([
                rng.choice(rest_n, self.n_queries // 2, replace=rest_n.size < self.n_queries // 2),
                rng.choice(rest_a, n_abnormal_queries, replace=rest_a.size < n_abnormal_queries),
            ])
            templates = X[refs_n]
            R_query.append(_residuals(X[queries], templates, self.residual_match))
            ref_residuals = _residuals(X[refs_a], templates, self.residual_match)
            R_ref.append(np.broadcast_to(ref_residuals, (queries.size, *ref_residuals.shape)))
            base.append(1.0 - _max_similarity(X[queries], templates))
            labels.append(y[queries])
        return np.concatenate(R_query), np.concatenate(R_ref), np.concatenate(base), np.concatenate(labels)

    def _initial_projection(self, R_query, labels):
        abnormal, normal = R_query[labels == 1], R_query[labels == 0]
        A = abnormal.T @ abnormal / abnormal.shape[0]
        B = normal.T @ normal / normal.shape[0]
        n_features = B.shape[0]
        # A ridge keeps B positive definite when normal residuals span fewer directions than features.
        B += (1e-3 * np.trace(B) / n_features + _EPS) * np.eye(n_features)
        _, vectors = linalg.eigh(A, B, subset_by_index=[n_features - self.n_components_, n_features - 1])
        return vectors[:, ::-1]

    def _fusion_logit(self, base, residuals, reference_residuals):
        """Fusion logit and projected abnormal similarity of queries against shared references."""
        U = residuals @ self.projection_
        V = reference_residuals @ self.projection_
        norm_u = np.linalg.norm(U, axis=1)
        # A zero projected residual has cosine 0 (similarity 1/2), as in the training loss.
        similarity = _max_similarity(U, V)
        coef = self.fusion_coef_
        z = self.fusion_intercept_ + coef[0] * base + coef[1] * similarity + coef[2] * norm_u**2
        return z, similarity
