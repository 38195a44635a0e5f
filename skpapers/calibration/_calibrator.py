"""ConfTuner as a meta-estimator: a classifier plus a confidence head on its out-of-fold correctness.

``ConfTunerCalibrator`` is the side-by-side partner of sklearn's
``CalibratedClassifierCV``: both wrap a classifier and use cross-validation so
that the calibration step only sees predictions on rows the classifier was not
fitted on. ``CalibratedClassifierCV`` reshapes the classifier's own
probabilities; this one fits a separate tokenized-Brier head (arXiv:2508.18847)
that predicts whether the classifier's answer is right.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import check_cv, cross_val_predict
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils import get_tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._conftuner import TokenizedBrierConfidenceClassifier
from ._metrics import _check_levels


class ConfTunerCalibrator(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Classifier with a tokenized-Brier confidence head trained on its out-of-fold correctness.

    ``fit`` gets out-of-fold class probabilities of a clone of ``estimator``
    with :func:`~sklearn.model_selection.cross_val_predict`, marks each row
    right or wrong (most probable class against ``y``), and fits a
    :class:`TokenizedBrierConfidenceClassifier` to that correctness from the
    standardised features ``[sorted log-probabilities | X]`` (``features``).
    The clone is then refitted on all rows. Predictions come from the
    refitted classifier; :meth:`predict_confidence` is the head's confidence
    that the prediction is right.

    Parameters
    ----------
    estimator : classifier with ``predict_proba``, default=None
        The base classifier; it is cloned, never fitted in place. ``None``
        means :class:`~sklearn.linear_model.LogisticRegression`. To use an
        already fitted classifier, wrap it in
        :class:`~sklearn.frozen.FrozenEstimator` (as for
        :class:`~sklearn.calibration.CalibratedClassifierCV`): then no
        cross-validation or refit happens, all rows passed to ``fit`` train
        the head, and they must not be the rows the classifier was fitted on.
    features : {"logits+X", "logits", "X"}, default="logits+X"
        Head features: the classifier's sorted log-probabilities (the
        counterpart of the paper's answer logits), the inputs, or both.
        ``"logits"`` passes ``X`` to the classifier unconverted, so
        non-numeric or missing values are allowed if the classifier accepts them.
    cv : int, cross-validation generator or iterable, default=5
        Splits for the out-of-fold predictions, as in
        :func:`~sklearn.model_selection.cross_val_predict` (an integer means
        stratified folds). Ignored for a :class:`~sklearn.frozen.FrozenEstimator`.
    n_jobs : int, default=None
        Jobs for the cross-validation fits (joblib).
    n_levels : int, default=101
        Number of confidence levels of the head, ``linspace(0, 1, n_levels)``.
    levels : array-like of shape (n_levels,), default=None
        Explicit confidence levels, strictly increasing in [0, 1].
    alpha : float, default=1e-4
        L2 strength on the head's weights.
    confidence : {"argmax", "mean"}, default="argmax"
        Read the most probable level or the expected level.
    temperature : float, default=1.0
        Temperature of the head's softmax over the levels when predicting
        (see :class:`TokenizedBrierConfidenceClassifier`); must be positive.
        Like ``confidence`` it is passed to the head at ``fit``; to try other
        readings without refitting, set them on ``head_``.
    max_iter : int, default=2000
        Maximum L-BFGS iterations of the head.
    tol : float, default=1e-6
        L-BFGS tolerance of the head.

    Attributes
    ----------
    estimator_ : classifier
        The classifier refitted on all rows (the frozen one, unchanged).
    head_ : TokenizedBrierConfidenceClassifier or None
        The confidence head; ``None`` when the out-of-fold predictions were
        all right or all wrong, in which case the confidence is the level
        nearest that accuracy (1 or 0), the optimum of the proper score.
    scaler_ : StandardScaler
        Standardisation of the head features, fitted on the out-of-fold features.
    levels_ : ndarray of shape (n_levels,)
        Confidence levels.
    oof_correct_ : ndarray of shape (n_samples,)
        Out-of-fold correctness (1 right, 0 wrong) the head was trained on.
    n_iter_ : int
        L-BFGS iterations of the head (0 without a head).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    TokenizedBrierConfidenceClassifier : The head on features you build yourself.
    sklearn.calibration.CalibratedClassifierCV : Recalibrates the classifier's own probabilities.

    Notes
    -----
    The prediction whose correctness the head judges is the class of largest
    probability, which is what ``predict`` returns; for sklearn's
    probabilistic classifiers it is their own ``predict`` (``SVC`` with
    ``probability=True`` is an exception). Isotonic recalibration can reach a
    lower ECE than the head, while the head, which also sees ``X``, ranks
    errors better (see the user guide).

    References
    ----------
    .. [1] Y. Li, M. Xiong, J. Wu, B. Hooi. "ConfTuner: Training Large Language
       Models to Express Their Confidence Verbally". NeurIPS 2025. arXiv:2508.18847.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from skpapers.calibration import ConfTunerCalibrator
    >>> X, y = make_classification(n_samples=1000, n_features=6, n_informative=3, n_classes=3,
    ...                            random_state=0)
    >>> model = ConfTunerCalibrator(GaussianNB(), n_levels=11).fit(X[:600], y[:600])
    >>> model.predict(X[600:603])
    array([2, 2, 2])
    >>> model.predict_confidence(X[600:603])
    array([0.7, 0.9, 0.9])

    On held-out rows the mean confidence matches the accuracy (naive Bayes
    alone claims 0.91 on average):

    >>> round(float(model.predict_confidence(X[600:]).mean()), 2)
    0.85
    >>> round(float((model.predict(X[600:]) == y[600:]).mean()), 2)
    0.85
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict", "predict_proba"]), None],
        "features": [StrOptions({"logits+X", "logits", "X"})],
        "cv": ["cv_object"],
        "n_jobs": [Integral, None],
        # The head's own parameters, validated by the same rules as the head.
        **TokenizedBrierConfidenceClassifier._parameter_constraints,
    }

    def __init__(
        self,
        estimator=None,
        *,
        features="logits+X",
        cv=5,
        n_jobs=None,
        n_levels=101,
        levels=None,
        alpha=1e-4,
        confidence="argmax",
        temperature=1.0,
        max_iter=2000,
        tol=1e-6,
    ):
        self.estimator = estimator
        self.features = features
        self.cv = cv
        self.n_jobs = n_jobs
        self.n_levels = n_levels
        self.levels = levels
        self.alpha = alpha
        self.confidence = confidence
        self.temperature = temperature
        self.max_iter = max_iter
        self.tol = tol

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Missing values reach only the classifier when the inputs are not head features.
        estimator = LogisticRegression() if self.estimator is None else self.estimator
        tags.input_tags.allow_nan = self.features == "logits" and get_tags(estimator).input_tags.allow_nan
        return tags

    def _head(self):
        return TokenizedBrierConfidenceClassifier(
            n_levels=self.n_levels, levels=self.levels, alpha=self.alpha, confidence=self.confidence,
            temperature=self.temperature, max_iter=self.max_iter, tol=self.tol,
        )

    def _validate_X(self, X, y="no_validation", reset=False):
        # With the inputs among the head features they must be numeric and finite; with the
        # log-probabilities alone X only goes to the classifier, which decides what it accepts.
        if "X" in self.features.split("+"):
            kwargs = {"dtype": np.float64}
        else:
            kwargs = {"dtype": None, "ensure_all_finite": False}
        return validate_data(self, X, y, reset=reset, **kwargs)

    def _head_features(self, X, proba):
        blocks = []
        if self.features != "X":
            _check_proba(proba)
            # Sorted so that the features do not depend on which class is predicted; the floor
            # keeps a probability of exactly 0 finite.
            blocks.append(np.sort(np.log(np.clip(proba, 1e-300, None)), axis=1))
        if self.features != "logits":
            blocks.append(X)
        return np.hstack(blocks)

    def fit(self, X, y):
        """Fit the classifier and the confidence head on its out-of-fold correctness.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : ConfTunerCalibrator
            The fitted meta-estimator.
        """
        self._validate_params()
        X, y = self._validate_X(X, y, reset=True)
        check_classification_targets(y)
        classes = np.unique(y)
        if classes.size < 2:
            raise ValueError(f"y has only one class ({classes[0]!r}); a classifier needs at least 2 classes.")
        estimator = LogisticRegression() if self.estimator is None else self.estimator
        if isinstance(estimator, FrozenEstimator):
            self.estimator_ = estimator
            proba = estimator.predict_proba(X)
            fitted_classes = estimator.classes_
        else:
            cv = check_cv(self.cv, y, classifier=True)
            proba = cross_val_predict(clone(estimator), X, y, cv=cv, method="predict_proba", n_jobs=self.n_jobs)
            fitted_classes = classes
            self.estimator_ = clone(estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        _check_proba(proba)
        self.oof_correct_ = (fitted_classes[np.argmax(proba, axis=1)] == y).astype(np.intp)

        features = self._head_features(X, proba)
        self.scaler_ = StandardScaler().fit(features)
        head = self._head()
        if np.unique(self.oof_correct_).size == 2:
            self.head_ = head.fit(self.scaler_.transform(features), self.oof_correct_)
            self.levels_, self.n_iter_ = self.head_.levels_, self.head_.n_iter_
        else:
            # All right (or all wrong): the proper score's optimum is all mass on the extreme level.
            head._validate_params()
            self.head_ = None
            self.levels_, self.n_iter_ = _check_levels(self.levels, self.n_levels), 0
            self._constant_level = 0 if self.oof_correct_[0] == 0 else self.levels_.size - 1
        return self

    def _features_for(self, X):
        check_is_fitted(self)
        X = self._validate_X(X)
        proba = self.estimator_.predict_proba(X) if self.features != "X" else None
        return self.scaler_.transform(self._head_features(X, proba))

    def predict_proba(self, X):
        """Class probabilities of the classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            ``estimator_.predict_proba(X)``; columns follow ``classes_``.
        """
        check_is_fitted(self)
        return self.estimator_.predict_proba(self._validate_X(X))

    def predict(self, X):
        """Most probable class of the classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Class labels; the predictions the confidence refers to.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def predict_level_proba(self, X):
        """The head's probabilities over the confidence levels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        level_proba : ndarray of shape (n_samples, n_levels)
            Columns follow ``levels_``.
        """
        features = self._features_for(X)
        if self.head_ is None:
            return np.tile(np.eye(self.levels_.size)[self._constant_level], (features.shape[0], 1))
        return self.head_.predict_level_proba(features)

    def predict_confidence(self, X):
        """Confidence that :meth:`predict` is right.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        confidence : ndarray of shape (n_samples,)
            The head's most probable or expected level (``confidence``).
        """
        features = self._features_for(X)
        if self.head_ is None:
            return np.full(features.shape[0], self.levels_[self._constant_level])
        return self.head_.predict_confidence(features)


def _check_proba(proba):
    if not np.all(np.isfinite(proba)):
        raise ValueError(
            "The estimator's predict_proba returned NaN or infinite values; the confidence head needs finite "
            "class probabilities."
        )
