"""Shared base class of the distillation classifiers.

It owns what every distiller does the same way: validating ``X``, ``y`` and
``sample_weight``, encoding the classes, building the student network,
calling the one trainer, storing the fitted weights and predicting from the
main head.  A subclass only builds its loss terms in ``fit``.
"""

from numbers import Integral, Real

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ._student import ACTIVATIONS, StudentNetwork, fit_student
from ._teacher import check_logits, model_logits

MAIN_HEAD = "main"

STUDENT_PARAMETER_CONSTRAINTS = {
    "hidden_layer_size": [Interval(Integral, 1, None, closed="left"), None],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), None],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "random_state": ["random_state"],
}


class BaseDistillationClassifier(ClassifierMixin, BaseEstimator):
    """Student classifier trained by :func:`~skpapers.distillation._student.fit_student`.

    Subclasses declare the student parameters listed in
    ``STUDENT_PARAMETER_CONSTRAINTS`` in their ``__init__`` and call
    :meth:`_validate_training_data` then :meth:`_fit_student` from ``fit``.
    """

    def _validate_training_data(self, X, y, sample_weight):
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_codes = np.unique(y, return_inverse=True)
        if self.classes_.shape[0] < 2:
            raise ValueError(
                f"y has a single class ({self.classes_[0]!r}); a student needs at least two classes, not one class."
            )
        sample_weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        if sample_weight.sum() <= 0:
            raise ValueError("sample_weight sums to zero; at least one row must have a positive weight.")
        return X, y_codes, sample_weight

    def _teacher_logits(self, X_in, X, y_codes, sample_weight, model, logits, default, name, logits_name):
        """Return ``(model_used, logits)`` for one teacher-like model.

        Logits passed to ``fit`` win (``model_used`` is then None); otherwise
        the user's fitted ``model`` is read, or, when it is None, a clone of
        ``default`` is fitted on ``(X, y)`` (the self-distillation default
        that lets the estimator run with no teacher at all).
        """
        if logits is not None:
            return None, check_logits(logits, X.shape[0], self.classes_.shape[0], logits_name)
        if model is None:
            with threadpool_limits(limits=1, user_api="blas"):
                model = clone(default).fit(X, self.classes_[y_codes], sample_weight=sample_weight)
            model_X = X
        else:
            # A user's model sees X as given: a DataFrame keeps the column names it was fitted on.
            model_X = X_in if hasattr(X_in, "columns") else X
        return model, model_logits(model, model_X, self.classes_, self.teacher_response, name=name)

    def _fit_student(self, X, terms, sample_weight, extra_heads=(), gradient_alignment=None):
        """Train the student on ``terms``; the main head has one output per class.

        ``extra_heads`` is a sequence of ``(name, n_outputs)`` appended after
        the main head, so they never change the main head's initialisation.
        """
        heads = {MAIN_HEAD: self.classes_.shape[0], **dict(extra_heads)}
        self._network = StudentNetwork(X.shape[1], heads, self.hidden_layer_size, self.activation)
        # A student makes many small matrix products, where BLAS threads cost more in
        # synchronisation than they save (fits were 6 to 50 times slower with them on
        # a busy two-core machine, for identical results).
        with threadpool_limits(limits=1, user_api="blas"):
            fitted = fit_student(
                self._network,
                X,
                terms,
                sample_weight=sample_weight,
                alpha=self.alpha,
                solver=self.solver,
                max_iter=self.max_iter,
                tol=self.tol,
                batch_size=self.batch_size,
                learning_rate_init=self.learning_rate_init,
                gradient_alignment=gradient_alignment,
                random_state=self.random_state,
                context=type(self).__name__,
            )
        params = fitted.params
        coef, intercept = params.heads[MAIN_HEAD]
        if params.hidden is None:
            self.coefs_, self.intercepts_ = [coef], [intercept]
            # Logits are defined up to a common shift per row; the centred
            # intercept is the unique representative with zero mean.
            if coef.shape[1] == 2:
                # scikit-learn's binary layout: one row, the logit difference.
                self.coef_ = (coef[:, 1] - coef[:, 0])[None, :]
                self.intercept_ = np.array([intercept[1] - intercept[0]])
            else:
                self.coef_ = coef.T.copy()
                self.intercept_ = intercept - intercept.mean()
        else:
            self.coefs_ = [params.hidden[0], coef]
            self.intercepts_ = [params.hidden[1], intercept]
        self._params = params
        self.n_iter_ = fitted.n_iter
        self.loss_ = fitted.loss
        if fitted.loss_curve is not None:
            self.loss_curve_ = fitted.loss_curve
        return self

    def _head_logits(self, X, head):
        check_is_fitted(self, "_params")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        _, logits = self._network.forward(X, self._params, heads=[head])
        return logits[head]

    def decision_function(self, X):
        """Logits of the main head.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the logit difference ``z_1 - z_0`` (positive
            favours ``classes_[1]``), as in scikit-learn's linear classifiers.
        """
        logits = self._head_logits(X, MAIN_HEAD)
        if logits.shape[1] == 2:
            return logits[:, 1] - logits[:, 0]
        return logits - logits.mean(axis=1, keepdims=True)

    def predict_proba(self, X):
        """Softmax of the main head's logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return special.softmax(self._head_logits(X, MAIN_HEAD), axis=1)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed without underflow.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return special.log_softmax(self._head_logits(X, MAIN_HEAD), axis=1)

    def predict(self, X):
        """Class with the largest main-head logit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        logits = self._head_logits(X, MAIN_HEAD)  # checks fitted before classes_ is read
        return self.classes_[np.argmax(logits, axis=1)]
