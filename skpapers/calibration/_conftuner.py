"""A confidence head trained with the tokenized Brier score (ConfTuner, arXiv:2508.18847).

ConfTuner fine-tunes a language model so that its softmax over the confidence
tokens ("0" ... "100") is scored by a proper rule against whether its answer
was right. The tabular counterpart is a linear softmax head over features
(embeddings, a base model's log-probabilities, or both) that predicts a
distribution over confidence levels, trained on correctness labels only.
"""

from numbers import Integral, Real

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ..utils._optim import L2, TokenizedBrierLoss, minimize_smooth
from ._metrics import _check_levels


class TokenizedBrierConfidenceClassifier(ClassifierMixin, BaseEstimator):
    """Confidence head over discrete levels, fitted with the tokenized Brier score.

    The head predicts whether a base model is right. Its logits over the
    confidence levels are ``X @ coef_ + intercept_``; a softmax turns them into
    ``p_j``, and the objective is the weighted mean of the tokenized Brier score
    ``sum_j p_j (y - c_j)^2`` plus ``alpha / 2 * ||coef_||^2`` (intercepts are
    not penalised), minimised by L-BFGS from zero with the analytic gradient.
    The score is proper, so the optimum puts mass on the level nearest the
    true probability of being right. The fit is deterministic (zero start).

    Parameters
    ----------
    n_levels : int, default=101
        Number of equally spaced confidence levels ``linspace(0, 1, n_levels)``
        (101 as the paper's "0" ... "100" tokens). Ignored when ``levels`` is given.
    levels : array-like of shape (n_levels,), default=None
        Explicit confidence levels, strictly increasing in [0, 1].
    alpha : float, default=1e-4
        L2 strength on ``coef_``. The score is linear in ``p``, so without it a
        flexible head drives its logits to infinity; a large ``alpha`` pulls
        ``p`` towards uniform, which moves the ``"mean"`` confidence towards the
        middle of the levels (stronger with many levels).
    confidence : {"argmax", "mean"}, default="argmax"
        How a confidence is read from ``p``: the most probable level (the
        paper's evaluation) or the expected level ``sum_j p_j c_j``.
    temperature : float, default=1.0
        Temperature of the softmax over the levels when predictions are read,
        ``p = softmax((X @ coef_ + intercept_) / temperature)``: the decoding
        temperature of the paper's confidence tokens. Fitting always uses
        temperature 1 (a temperature during fitting would only rescale
        ``alpha`` by ``temperature**2``), so it can be changed after ``fit``.
        Towards 0 the ``"mean"`` confidence tends to the ``"argmax"`` one (the
        paper decodes at temperature 0); large values flatten ``p`` towards
        uniform. The ``"argmax"`` confidence does not depend on it.
    max_iter : int, default=2000
        Maximum L-BFGS iterations.
    tol : float, default=1e-6
        Tolerance on the largest projected-gradient entry.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        Class labels; the larger one means "the base model was right".
    levels_ : ndarray of shape (n_levels,)
        Confidence levels.
    coef_ : ndarray of shape (n_features, n_levels)
        Head weights.
    intercept_ : ndarray of shape (n_levels,)
        Head biases.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.
    n_iter_ : int
        L-BFGS iterations run.
    loss_ : float
        Final objective (mean tokenized Brier score plus the penalty).

    See Also
    --------
    tokenized_brier_score : The training loss as a metric.
    expected_calibration_error : Calibration of the predicted confidence.
    sklearn.calibration.CalibratedClassifierCV : Recalibrates a classifier's own probabilities.

    Notes
    -----
    Language-model fine-tuning, prompting and the joint language-model loss of
    the paper do not transfer to tabular data; the loss, its properness and
    the use of confidence for routing do.

    References
    ----------
    .. [1] Y. Li, M. Xiong, J. Wu, B. Hooi. "ConfTuner: Training Large Language
       Models to Express Their Confidence Verbally". NeurIPS 2025. arXiv:2508.18847.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.calibration import TokenizedBrierConfidenceClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(400, 2))
    >>> correct = (rng.uniform(size=400) < 1 / (1 + np.exp(-2 * X[:, 0]))).astype(int)
    >>> head = TokenizedBrierConfidenceClassifier(n_levels=11).fit(X, correct)
    >>> head.predict_level_proba(X[:2]).shape
    (2, 11)
    >>> head.predict_confidence(np.array([[-2.0, 0.0], [2.0, 0.0]]))
    array([0.1, 0.9])
    """

    _parameter_constraints = {
        "n_levels": [Interval(Integral, 2, None, closed="left")],
        "levels": ["array-like", None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "confidence": [StrOptions({"argmax", "mean"})],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self, n_levels=101, levels=None, alpha=1e-4, confidence="argmax", temperature=1.0, max_iter=2000, tol=1e-6
    ):
        self.n_levels = n_levels
        self.levels = levels
        self.alpha = alpha
        self.confidence = confidence
        self.temperature = temperature
        self.max_iter = max_iter
        self.tol = tol

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X, y, sample_weight=None):
        """Fit the head on features and the base model's correctness.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features (for instance the base model's log-probabilities and the inputs).
        y : array-like of shape (n_samples,)
            Correctness labels with exactly two values (0/1, bool or any two
            labels); the larger label means "correct".
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : TokenizedBrierConfidenceClassifier
            The fitted head.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type != "binary":
            raise ValueError(
                f"Only binary classification is supported. The type of the target is {y_type}; y must "
                "hold the base model's correctness (right / wrong)."
            )
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if self.classes_.size != 2:
            raise ValueError(
                f"y has only one class ({self.classes_[0]!r}); the head needs both right and wrong answers."
            )
        sample_weight = _check_sample_weight(sample_weight, X)
        self.levels_ = _check_levels(self.levels, self.n_levels)
        n_features, n_levels = X.shape[1], self.levels_.size
        datafit = TokenizedBrierLoss(X, y_index, self.levels_, sample_weight=sample_weight)
        mask = np.concatenate([np.ones(n_features * n_levels), np.zeros(n_levels)])
        # The products inside one evaluation are small ((n_features, n_samples) by
        # (n_samples, n_levels)) and L-BFGS runs hundreds of them in sequence: a threaded BLAS
        # spends more on waking its threads than on the work, and on a busy machine a thread
        # that waits for a descheduled sibling made the 101-level fit ten times slower.
        # One BLAS thread also makes the fitted head the same whatever the machine's thread count.
        with threadpool_limits(limits=1, user_api="blas"):
            result = minimize_smooth(
                datafit, np.zeros(datafit.n_params), L2(self.alpha, mask), tol=self.tol, max_iter=self.max_iter,
                context=type(self).__name__,
            )
        coef, intercept = datafit.unpack(result.x)
        self.coef_, self.intercept_ = coef.copy(), intercept.copy()
        self.n_iter_, self.loss_ = result.n_iter, result.fun
        return self

    def predict_level_proba(self, X):
        """Probabilities over the confidence levels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        level_proba : ndarray of shape (n_samples, n_levels)
            Softmax of the head's logits divided by ``temperature``; columns
            follow ``levels_``.
        """
        return special.softmax(self._level_logits(X) / self.temperature, axis=1)

    def _level_logits(self, X):
        check_is_fitted(self)
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_ + self.intercept_

    def predict_confidence(self, X):
        """Confidence that the base model is right.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        confidence : ndarray of shape (n_samples,)
            The most probable level (``confidence="argmax"``) or the expected
            level (``"mean"``).
        """
        if self.confidence == "argmax":
            # Read from the logits, not the tempered softmax, which a huge temperature
            # could flatten into exact ties.
            logits = self._level_logits(X)
            return self.levels_[np.argmax(logits, axis=1)]
        return self.predict_level_proba(X) @ self.levels_

    def predict_proba(self, X):
        """Probabilities of wrong and right, ``[1 - confidence, confidence]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            Columns follow ``classes_``.
        """
        confidence = self.predict_confidence(X)
        return np.column_stack([1.0 - confidence, confidence])

    def predict(self, X):
        """Predict right (confidence above 0.5) or wrong.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[(self.predict_confidence(X) > 0.5).astype(np.intp)]
