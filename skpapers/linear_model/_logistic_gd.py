"""Logistic regression trained by fixed-step gradient descent (LR+GD and Normalized LR+GD).

The estimator studies the *dynamics* of gradient descent on separable data,
not the loss minimiser: it stops at the first iterate that separates the
training set, and its step size may be arbitrarily large (even infinite, in
which case the iterates, divided by the step, are those of the batch
perceptron).
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._optim import LogisticMarginLoss, PerceptronLoss, gradient_descent


class _BaseSeparatingLinearClassifier(LinearClassifierMixin, BaseEstimator):
    """Shared fit of the gradient-descent classifiers on (hopefully) separable data.

    Subclasses define ``_solver_setup(A, y)`` returning the datafit, the step
    and the normalisation handed to :func:`~skpapers.utils._optim.gradient_descent`.
    """

    def _augment(self, X):
        # The bias is one more coordinate of w, as in the paper's analysis: a
        # constant column, not an unpenalised intercept handled apart.
        if not self.fit_intercept:
            return X
        return np.hstack([X, np.full((X.shape[0], 1), float(self._intercept_scaling))])

    @property
    def _intercept_scaling(self):
        return getattr(self, "intercept_scaling", 1.0)

    def _fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type != "binary":
            raise ValueError(
                f"Only binary classification is supported. The type of the target is {y_type}; "
                f"wrap {type(self).__name__} in sklearn.multiclass.OneVsRestClassifier for more classes."
            )
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if self.classes_.size != 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of 2 classes in y; got only one class "
                f"({self.classes_[0]!r}): there is nothing to separate."
            )
        A = self._augment(X)
        y_sign = 2.0 * y_index - 1.0
        datafit, step, normalization = self._solver_setup(A, y_sign)

        record = self.record_history
        losses, errors, margins = [], [], []

        def watch(t, w, value, grad):
            m = datafit.margins(w)
            if record:
                # ||w|| scaled by its largest entry: huge steps would overflow its square.
                scale = np.max(np.abs(w), initial=0.0)
                losses.append(value)
                errors.append(float(np.mean(m <= 0)))
                margins.append(float((np.min(m) / scale) / np.linalg.norm(w / scale)) if scale > 0 else 0.0)
            return self._stop_at_separation and bool(np.all(m > 0))

        result = gradient_descent(
            datafit,
            np.zeros(A.shape[1]),
            step=step,
            normalization=normalization,
            max_iter=self.max_iter,
            tol=self._tol,
            callback=watch,
            warn=False,
        )
        w = result.x
        self.separated_ = bool(np.all(datafit.margins(w) > 0))
        self.n_iter_ = int(result.n_iter)
        self.converged_ = bool(result.converged)
        if self.fit_intercept:
            self.coef_ = w[:-1].reshape(1, -1)
            self.intercept_ = np.array([w[-1] * self._intercept_scaling])
        else:
            self.coef_ = w.reshape(1, -1)
            self.intercept_ = np.zeros(1)
        if record:
            self.loss_curve_ = np.asarray(losses, dtype=np.float64)
            self.train_error_curve_ = np.asarray(errors, dtype=np.float64)
            self.margin_curve_ = np.asarray(margins, dtype=np.float64)
        else:
            self.loss_curve_ = self.train_error_curve_ = self.margin_curve_ = None

        if self._stop_at_separation and not self.separated_:
            warnings.warn(
                f"{type(self).__name__} did not separate the training data in {self.n_iter_} iterations "
                f"(max_iter={self.max_iter}); the data may not be linearly separable. "
                f"Training error of the last iterate: {np.mean(datafit.margins(w) <= 0):.3g}.",
                ConvergenceWarning,
                stacklevel=3,
            )
        elif not self._stop_at_separation and self._tol > 0 and not self.converged_:
            warnings.warn(
                f"{type(self).__name__} did not reach tol={self._tol} in max_iter={self.max_iter} iterations.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return self

    def predict_proba(self, X):
        """Probability estimates: the sigmoid of the decision function.

        For large step sizes the scores are huge and these probabilities are
        essentially 0 or 1: they are not calibrated (gradient descent was
        stopped at separation, far from any likelihood optimum).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            Probability of ``classes_[0]`` and ``classes_[1]``.
        """
        check_is_fitted(self)
        score = self.decision_function(X)
        return np.column_stack([special.expit(-score), special.expit(score)])

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed without overflow.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, 2)
        """
        check_is_fitted(self)
        score = self.decision_function(X)
        return np.column_stack([special.log_expit(-score), special.log_expit(score)])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


class LogisticGDClassifier(_BaseSeparatingLinearClassifier):
    """Logistic regression trained by fixed-step gradient descent, stopped at separation.

    Runs LR+GD, ``w_{t+1} = w_t - gamma * grad f(w_t)`` from ``w_0 = 0`` on
    the mean logistic loss ``f(w) = (1/n) sum_i log(1 + exp(-y_i <a_i, w>))``
    (``a_i`` is the sample with a constant column appended when
    ``fit_intercept=True``), and stops at the first iterate that classifies
    every training sample strictly correctly. On separable data this happens
    for *any* step size: as ``gamma`` grows, ``w_t / gamma`` tends to the
    iterates of the batch perceptron (:class:`BatchPerceptronClassifier`),
    which is why huge steps still find a separator while the logistic loss
    along the way is huge.

    Parameters
    ----------
    step_size : float, default=1.0
        The step ``gamma > 0``. ``np.inf`` runs the limit algorithm directly:
        the batch perceptron (or its normalised version), whose iterates are
        ``lim w_t / gamma``; ``loss_curve_`` is then the perceptron criterion.
    normalization : {None, "weights", "gradient", "loss"}, default=None
        None is plain LR+GD. ``"weights"`` is the paper's Normalized LR+GD:
        the step is multiplied by ``beta_t = 1 / mean_i expit(-y_i <a_i, w_t>)``,
        the inverse mean of the per-sample gradient weights; as ``gamma`` grows
        it becomes the normalised batch perceptron (average, not ``1/n``-sum,
        of the misclassified samples), with an iteration bound
        ``R^2 / mu^2 + 2 log(2n - 1) / (gamma mu^2)`` free of the factor ``n``
        of plain LR+GD. This normalisation was read from the paper's Section 6
        (its display "Normalized LR+GD"); it is neither of the two other
        choices, kept for comparison with related work: ``"gradient"``
        divides the gradient by its Euclidean norm (normalised gradient
        descent) and ``"loss"`` by the loss value (risk-adaptive steps).
        ``"loss"`` has no ``gamma -> inf`` limit and cannot be combined with
        ``step_size=np.inf``.
    max_iter : int, default=1000
        Maximum number of gradient steps.
    stop_at_separation : bool, default=True
        Stop at the first iterate with every training margin
        ``y_i <a_i, w_t>`` positive. If the data are not separated within
        ``max_iter`` steps a ``ConvergenceWarning`` is emitted. With False the
        run lasts ``max_iter`` steps (or until the gradient falls below
        ``tol``).
    fit_intercept : bool, default=True
        Append a constant column to ``X``; the bias is then one more
        coordinate of ``w``, treated like the others.
    intercept_scaling : float, default=1.0
        Value of that constant column. It changes the dynamics (the bias
        moves by ``intercept_scaling`` times the mean signed weight per step),
        as in the paper's setting where the constant is a feature.
    tol : float, default=0.0
        Also stop when no gradient entry exceeds ``tol`` in absolute value.
    record_history : bool, default=True
        Record ``loss_curve_``, ``train_error_curve_`` and ``margin_curve_``.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
        Coefficients of the last iterate (not rescaled: they grow like
        ``step_size``).
    intercept_ : ndarray of shape (1,)
        Bias: the last coordinate of ``w`` times ``intercept_scaling``.
    classes_ : ndarray of shape (2,)
        Class labels; ``classes_[1]`` is the positive class (``y = +1``).
    n_iter_ : int
        Gradient steps taken (the iteration ``t`` of the returned iterate).
    separated_ : bool
        Whether every training margin of the returned iterate is positive.
    converged_ : bool
        Whether a stopping rule (separation or ``tol``) fired before
        ``max_iter``.
    loss_curve_ : ndarray of shape (`n_iter_` + 1,) or None
        Logistic loss ``f(w_t)`` for ``t = 0, ..., n_iter_``; it may be huge
        for huge steps (computed with ``log_expit``, never overflowing).
    train_error_curve_ : ndarray of shape (`n_iter_` + 1,) or None
        Share of training samples with margin ``<= 0`` at each iterate.
    margin_curve_ : ndarray of shape (`n_iter_` + 1,) or None
        Normalised minimum margin ``min_i y_i <a_i, w_t> / ||w_t||`` (0 at
        ``w_0 = 0``); positive exactly when ``w_t`` separates the data.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    BatchPerceptronClassifier : The ``step_size -> inf`` limit.
    sklearn.linear_model.LogisticRegression : The loss minimiser (which does
        not exist on separable data without a penalty).
    sklearn.linear_model.SGDClassifier : Stochastic, per-sample updates.

    Notes
    -----
    Binary only. The returned model is the first separating iterate, not a
    minimiser of the logistic loss; on separable data there is none. Because
    only the signs of the margins matter for ``predict``, the scale of
    ``coef_`` (proportional to the step size) carries no information, and
    ``predict_proba`` is not calibrated.

    References
    ----------
    A. Tyurin, "From Logistic Regression to the Perceptron Algorithm: Exploring
    Gradient Descent with Large Step Sizes", arXiv:2412.08424, 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.datasets import make_separable_classification
    >>> from skpapers.linear_model import LogisticGDClassifier
    >>> X, y = make_separable_classification("hard", random_state=0)
    >>> small = LogisticGDClassifier(step_size=0.1, intercept_scaling=3.0, max_iter=5000).fit(X, y)
    >>> large = LogisticGDClassifier(step_size=100.0, intercept_scaling=3.0).fit(X, y)
    >>> small.n_iter_, large.n_iter_, large.score(X, y)
    (1050, 334, 1.0)
    >>> round(float(np.median(small.loss_curve_)), 2), round(float(np.median(large.loss_curve_)), 1)
    (0.36, 46.0)
    """

    _parameter_constraints = {
        "step_size": [Interval(Real, 0, None, closed="neither"), Options(Real, {np.inf})],
        "normalization": [StrOptions({"weights", "gradient", "loss"}), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "stop_at_separation": ["boolean"],
        "fit_intercept": ["boolean"],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "record_history": ["boolean"],
    }

    def __init__(
        self,
        step_size=1.0,
        normalization=None,
        max_iter=1000,
        stop_at_separation=True,
        fit_intercept=True,
        intercept_scaling=1.0,
        tol=0.0,
        record_history=True,
    ):
        self.step_size = step_size
        self.normalization = normalization
        self.max_iter = max_iter
        self.stop_at_separation = stop_at_separation
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.tol = tol
        self.record_history = record_history

    @property
    def _stop_at_separation(self):
        return self.stop_at_separation

    @property
    def _tol(self):
        return self.tol

    def _solver_setup(self, A, y_sign):
        if np.isinf(self.step_size):
            if self.normalization == "loss":
                raise ValueError(
                    "step_size=np.inf has no limit with normalization='loss' (the loss grows like the "
                    "step, so the normalised step stays finite); use a finite step_size."
                )
            return PerceptronLoss(A, y_sign, tie_weight=0.5), 1.0, self.normalization
        return LogisticMarginLoss(A, y_sign), float(self.step_size), self.normalization

    def fit(self, X, y):
        """Run gradient descent on the logistic loss until the data are separated.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.
        y : array-like of shape (n_samples,)
            Binary labels.

        Returns
        -------
        self : LogisticGDClassifier
            The fitted estimator.
        """
        self._validate_params()
        return self._fit(X, y)
