"""AMU-Tuning: a learned logit bias on top of zero-shot CLIP logits."""

import numbers

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._optim import CenteredL2, MultiBranchLogitLoss, minimize_smooth

# The fusion factor is clipped to this range: a near-uniform zero-shot
# softmax has a tiny kurtosis, and (kappa / scale) ** -beta would explode.
_FUSION_CLIP = (1e-3, 1e3)
# Variance floor of the per-row standardisations (logits and softmax).
_EPS = 1e-12


def _row_normalise(A):
    norms = np.linalg.norm(A, axis=1, keepdims=True)
    # An all-zero row stays zero rather than becoming NaN.
    return A / np.maximum(norms, np.finfo(float).tiny)


class AMUTuningClassifier(ClassifierMixin, BaseEstimator):
    """AMU-Tuning few-shot classifier over precomputed CLIP-like and auxiliary features.

    The prediction is the zero-shot CLIP logit plus a learned logit bias
    (Tang et al., 2024). Each row of ``X`` is ``hstack([f, g])``: a CLIP image
    feature ``f`` (the first ``n_clip_features`` columns) and an auxiliary
    feature ``g`` (the rest, e.g. MoCo v3). Both are L2-normalised. With
    class text embeddings ``T`` (``zero_shot_weights``):

    * zero-shot logits ``s0 = logit_scale * f^T T``;
    * auxiliary logits ``z = W g``, standardised across classes per row,
      ``s_aux = (z - mean_c z) / std_c z``; ``W`` starts at the class means of
      the normalised auxiliary features (**A**\\ uxiliary features, feature
      initialisation);
    * uncertainty fusion ``s = s0 + alpha * phi * s_aux`` with
      ``phi = (kurtosis(softmax(s0)) / kurtosis_scale) ** -uncertainty_power``:
      a confident (peaked) zero-shot prediction takes less bias
      (**U**\\ ncertainty);
    * multi-branch loss ``lambda_merge * CE(s, y) + (1 - lambda_merge) * CE(s_aux, y)``
      (**M**\\ ulti-branch), minimised over ``W`` only.

    Without ``zero_shot_weights`` there is no zero-shot branch: the model is
    the feature-initialised linear probe ``s = s_aux`` trained on
    ``CE(s_aux, y)``.

    Read more in the :doc:`user guide </user_guide/amu-tuning>`.

    Parameters
    ----------
    zero_shot_weights : array-like of shape (n_clip_features, n_classes) or None, default=None
        Class text embeddings as columns, in the order of ``classes`` (or of
        the sorted labels of ``y``). Columns are L2-normalised in ``fit``. A
        constructor parameter rather than a fit parameter, so that ``clone``
        and ``GridSearchCV`` carry it to every fit. None: no zero-shot branch.
    n_clip_features : int or None, default=None
        Number of leading columns of ``X`` that are CLIP features. Required
        with ``zero_shot_weights`` (and must equal its first dimension); with
        None every column is auxiliary.
    classes : array-like of shape (n_classes,) or None, default=None
        Class labels in the column order of ``zero_shot_weights``. None: the
        sorted unique labels of ``y``. Every class needs at least one shot.
    alpha : float, default=0.5
        Weight of the auxiliary logits in the fused logits.
    lambda_merge : float, default=0.35
        Weight of the fused branch in the multi-branch loss; ``1 - lambda_merge``
        goes to the auxiliary branch alone.
    uncertainty : {"kurtosis", "none"}, default="kurtosis"
        ``"kurtosis"`` scales the bias by ``phi`` above; ``"none"`` uses
        ``phi = 1`` (the reference code's default).
    uncertainty_power : float, default=0.4
        ``beta`` in ``phi = (kappa / kurtosis_scale) ** -beta``.
    kurtosis_scale : float, default=250.0
        Reference kurtosis; 250 suits 1000 classes (ImageNet). ``phi`` is
        clipped to ``[1e-3, 1e3]``.
    logit_scale : float, default=100.0
        CLIP's logit scale applied to the cosine ``f^T T``.
    init : {"class_mean", "random"}, default="class_mean"
        Initialisation of ``W``: the exact class means of the normalised
        auxiliary features (also with unequal shots), or uniform draws in
        ``[-1/sqrt(d2), 1/sqrt(d2)]`` (PyTorch's default for a linear layer).
    l2_reg : float, default=1.0
        Strength of a ridge ``l2_reg / 2 * ||W - W_init||^2`` towards the
        initialisation. The standardised logits do not depend on the scale of
        ``W``, so a ridge towards zero would only shrink it into the
        ``eps`` floor; anchoring at the initialisation plays the role of the
        reference code's short, small-learning-rate AdamW run.
    max_iter : int, default=200
        Maximum L-BFGS iterations.
    tol : float, default=1e-5
        Tolerance of L-BFGS on the projected gradient.
    random_state : int, RandomState instance or None, default=None
        Seed of ``init="random"``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_classes, n_aux_features)
        The trained auxiliary classifier ``W``.
    init_coef_ : ndarray of shape (n_classes, n_aux_features)
        ``W`` at initialisation.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    zero_shot_weights_ : ndarray of shape (n_clip_features, n_classes) or None
        Column-normalised text embeddings.
    n_clip_features_ : int
        Number of CLIP columns of ``X`` (0 without a zero-shot branch).
    n_iter_ : int
        L-BFGS iterations run.
    loss_ : float
        Final value of the penalised multi-branch loss.
    n_features_in_ : int
        Number of columns of ``X`` seen in ``fit``.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : the linear-probe baseline.
    sklearn.neighbors.NearestCentroid : AMU at initialisation without the
        zero-shot branch, on normalised features.

    Notes
    -----
    The reference code trains ``W`` with minibatch AdamW (learning rate
    1e-3, 50 epochs, cosine schedule). Here the same loss is minimised with
    full-batch L-BFGS and the ridge towards the initialisation described at
    ``l2_reg``; the model and its loss are otherwise those of the paper.
    The kurtosis uses the unbiased standard deviation (``C - 1``), as the
    reference code does: it equals ``scipy.stats.kurtosis(p, fisher=False)``
    times ``((C - 1) / C) ** 2``.

    References
    ----------
    Tang, Lin, Wang, Zhu and Hu, "AMU-Tuning: Effective Logit Bias for
    CLIP-based Few-shot Learning", CVPR 2024, arXiv:2404.08958.

    Examples
    --------
    >>> from skpapers.datasets import make_clip_like_episode
    >>> from skpapers.few_shot import AMUTuningClassifier
    >>> X, y, X_test, y_test, T = make_clip_like_episode(n_shots=4, random_state=0)
    >>> clf = AMUTuningClassifier(zero_shot_weights=T, n_clip_features=32).fit(X, y)
    >>> clf.coef_.shape
    (10, 32)
    >>> bool(clf.score(X_test, y_test) > (clf.zero_shot_logits(X_test).argmax(1) == y_test).mean())
    True
    """

    _parameter_constraints = {
        "zero_shot_weights": ["array-like", None],
        "n_clip_features": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "classes": ["array-like", None],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "lambda_merge": [Interval(numbers.Real, 0, 1, closed="both")],
        "uncertainty": [StrOptions({"kurtosis", "none"})],
        "uncertainty_power": [Interval(numbers.Real, None, None, closed="neither")],
        "kurtosis_scale": [Interval(numbers.Real, 0, None, closed="neither")],
        "logit_scale": [Interval(numbers.Real, 0, None, closed="neither")],
        "init": [StrOptions({"class_mean", "random"})],
        "l2_reg": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        zero_shot_weights=None,
        n_clip_features=None,
        classes=None,
        *,
        alpha=0.5,
        lambda_merge=0.35,
        uncertainty="kurtosis",
        uncertainty_power=0.4,
        kurtosis_scale=250.0,
        logit_scale=100.0,
        init="class_mean",
        l2_reg=1.0,
        max_iter=200,
        tol=1e-5,
        random_state=None,
    ):
        self.zero_shot_weights = zero_shot_weights
        self.n_clip_features = n_clip_features
        self.classes = classes
        self.alpha = alpha
        self.lambda_merge = lambda_merge
        self.uncertainty = uncertainty
        self.uncertainty_power = uncertainty_power
        self.kurtosis_scale = kurtosis_scale
        self.logit_scale = logit_scale
        self.init = init
        self.l2_reg = l2_reg
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _validate_zero_shot(self, n_features):
        if self.zero_shot_weights is None:
            if self.n_clip_features is not None:
                raise ValueError("n_clip_features is given but zero_shot_weights is None; give both or neither.")
            return None, 0
        T = np.asarray(self.zero_shot_weights)
        if T.dtype.kind not in "biuf":
            raise TypeError(f"zero_shot_weights must be numeric, got dtype {T.dtype}.")
        T = T.astype(float)
        if T.ndim != 2:
            raise ValueError(f"zero_shot_weights must be 2-D (n_clip_features, n_classes), got shape {T.shape}.")
        if not np.all(np.isfinite(T)):
            raise ValueError("zero_shot_weights contains NaN or infinity.")
        if self.n_clip_features is None:
            raise ValueError("n_clip_features is required with zero_shot_weights (the CLIP columns of X).")
        if T.shape[0] != self.n_clip_features:
            raise ValueError(
                f"zero_shot_weights has {T.shape[0]} rows but n_clip_features={self.n_clip_features}: "
                "the text embeddings and the CLIP features must have the same dimension."
            )
        if self.n_clip_features >= n_features:
            raise ValueError(
                f"n_clip_features={self.n_clip_features} leaves no auxiliary column in X "
                f"({n_features} features)."
            )
        norms = np.linalg.norm(T, axis=0)
        if np.any(norms == 0):
            raise ValueError("zero_shot_weights has an all-zero column (a class without a text embedding).")
        return T / norms, self.n_clip_features

    def _split(self, X):
        d1 = self.n_clip_features_
        return _row_normalise(X[:, :d1]), _row_normalise(X[:, d1:])

    def _fusion(self, s0):
        if self.uncertainty == "none":
            return np.ones(s0.shape[0])
        return self._fusion_from_logits(s0)

    def _fusion_from_logits(self, s0):
        p = special.softmax(s0, axis=1)
        centred = p - p.mean(axis=1, keepdims=True)
        var = np.sum(centred**2, axis=1) / (p.shape[1] - 1)
        kurt = np.mean(centred**4, axis=1) / np.maximum(var**2, np.finfo(float).tiny)
        with np.errstate(divide="ignore", over="ignore"):
            phi = (np.maximum(kurt, np.finfo(float).tiny) / self.kurtosis_scale) ** (-self.uncertainty_power)
        # A uniform zero-shot softmax has no defined kurtosis: treat it as the
        # least confident prediction (largest bias).
        phi = np.where(var > _EPS**2, phi, _FUSION_CLIP[1] if self.uncertainty_power > 0 else _FUSION_CLIP[0])
        return np.clip(phi, *_FUSION_CLIP)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the auxiliary classifier ``W`` on a support set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            ``hstack([clip_features, aux_features])``; all columns are
            auxiliary when ``zero_shot_weights`` is None.
        y : array-like of shape (n_samples,)
            Labels; every class needs at least one sample.

        Returns
        -------
        self : AMUTuningClassifier
            Fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        T, d1 = self._validate_zero_shot(X.shape[1])
        if self.classes is None:
            classes = np.unique(y)
        else:
            classes = np.asarray(self.classes)
            if classes.ndim != 1 or np.unique(classes).size != classes.size:
                raise ValueError("classes must be a 1-D array of distinct labels.")
            unknown = np.setdiff1d(np.unique(y), classes)
            if unknown.size:
                raise ValueError(f"y has labels {unknown.tolist()} that are not in classes.")
        if classes.size < 2:
            raise ValueError(
                f"AMUTuningClassifier needs at least 2 classes; got {classes.size} class "
                "(the per-sample standardisation uses C - 1)."
            )
        if T is not None and T.shape[1] != classes.size:
            raise ValueError(
                f"zero_shot_weights has {T.shape[1]} columns but there are {classes.size} classes "
                f"{classes.tolist()}; the columns must match the classes one to one."
            )
        y_index = _index_of(classes, y)
        counts = np.bincount(y_index, minlength=classes.size)
        if np.any(counts == 0):
            empty = classes[counts == 0].tolist()
            raise ValueError(f"classes {empty} have zero shots in y; every class needs at least one sample.")

        self.classes_ = classes
        self.zero_shot_weights_ = T
        self.n_clip_features_ = d1
        F, G = self._split(X)
        n_classes = classes.size
        Y = np.eye(n_classes)[y_index]
        if self.init == "class_mean":
            W0 = (Y.T @ G) / counts[:, None]
        else:
            rng = check_random_state(self.random_state)
            bound = 1.0 / np.sqrt(G.shape[1])
            W0 = rng.uniform(-bound, bound, size=(n_classes, G.shape[1]))

        if T is None:
            s0, phi = None, None
        else:
            s0 = self.logit_scale * (F @ T)
            phi = self._fusion(s0)
        datafit = MultiBranchLogitLoss(
            G, Y, s0, phi, alpha=self.alpha, lambda_merge=self.lambda_merge, eps=_EPS
        )
        penalty = CenteredL2(self.l2_reg, W0.ravel())
        if self.max_iter == 0:
            w, n_iter = W0.ravel(), 0
            loss = datafit.value_and_gradient(w)[0]
        else:
            result = minimize_smooth(
                datafit, W0.ravel(), penalty, tol=self.tol, max_iter=self.max_iter, context=type(self).__name__
            )
            w, n_iter, loss = result.x, result.n_iter, result.fun
        self.init_coef_ = W0
        self.coef_ = w.reshape(n_classes, G.shape[1])
        self.n_iter_ = n_iter
        self.loss_ = float(loss)
        return self

    def _check_X(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=np.float64)

    def _aux_logits(self, G):
        z = G @ self.coef_.T
        centred = z - z.mean(axis=1, keepdims=True)
        scale = np.sqrt(np.sum(centred**2, axis=1) / (z.shape[1] - 1) + _EPS)
        return centred / scale[:, None]

    def zero_shot_logits(self, X):
        """Zero-shot CLIP logits ``logit_scale * f^T T``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features laid out as in ``fit``.

        Returns
        -------
        logits : ndarray of shape (n_samples, n_classes)
            Zero-shot logits.
        """
        X = self._check_X(X)
        if self.zero_shot_weights_ is None:
            raise ValueError("zero_shot_logits needs zero_shot_weights; this model has no zero-shot branch.")
        F, _ = self._split(X)
        return self.logit_scale * (F @ self.zero_shot_weights_)

    def aux_logits(self, X):
        """Standardised auxiliary logits ``s_aux`` (the learned bias before fusion).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features laid out as in ``fit``.

        Returns
        -------
        logits : ndarray of shape (n_samples, n_classes)
            Per-row standardised ``W g``.
        """
        X = self._check_X(X)
        return self._aux_logits(self._split(X)[1])

    def fusion_factor(self, X):
        """Uncertainty factor ``phi`` of each row (ones with ``uncertainty="none"``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features laid out as in ``fit``.

        Returns
        -------
        phi : ndarray of shape (n_samples,)
            ``(kurtosis / kurtosis_scale) ** -uncertainty_power``, clipped to ``[1e-3, 1e3]``.
        """
        return self._fusion(self.zero_shot_logits(X))

    def decision_function(self, X):
        """Fused logits ``s0 + alpha * phi * s_aux`` (``s_aux`` alone without zero-shot branch).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features laid out as in ``fit``.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            Fused logits; for two classes, the second minus the first, as in
            scikit-learn's binary classifiers.
        """
        scores = self._fused(X)
        if scores.shape[1] == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def _fused(self, X):
        X = self._check_X(X)
        F, G = self._split(X)
        s_aux = self._aux_logits(G)
        if self.zero_shot_weights_ is None:
            return s_aux
        s0 = self.logit_scale * (F @ self.zero_shot_weights_)
        return s0 + self.alpha * self._fusion(s0)[:, None] * s_aux

    def predict_proba(self, X):
        """Softmax of the fused logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features laid out as in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, columns in the order of ``classes_``.
        """
        return special.softmax(self._fused(X), axis=1)

    def predict_log_proba(self, X):
        """Log-softmax of the fused logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features laid out as in ``fit``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log class probabilities.
        """
        return special.log_softmax(self._fused(X), axis=1)

    def predict(self, X):
        """Class with the largest fused logit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features laid out as in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        scores = self._fused(X)
        return self.classes_[np.argmax(scores, axis=1)]


def _index_of(classes, y):
    # Position of each label in a user-ordered ``classes`` (all labels known to be present).
    order = np.argsort(classes, kind="stable")
    return order[np.searchsorted(classes[order], y)]
