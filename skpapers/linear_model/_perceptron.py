"""The batch perceptron: the large-step limit of logistic regression trained by gradient descent."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval

from ..utils._optim import PerceptronLoss
from ._logistic_gd import _BaseSeparatingLinearClassifier


class BatchPerceptronClassifier(_BaseSeparatingLinearClassifier):
    """Batch perceptron: add the mean of the misclassified samples until all are correct.

    From ``v_0 = 0``, ``v_{t+1} = v_t + (1/n) sum_i s_i y_i a_i`` with
    ``s_i = 1`` if ``y_i <a_i, v_t> < 0``, ``tie_weight`` if it is 0 and 0
    otherwise (``a_i`` is the sample with a constant appended when
    ``fit_intercept=True``), until every margin is positive. With
    ``tie_weight=0.5`` these are exactly the limits ``lim w_t / gamma`` of
    logistic regression trained by gradient descent with step ``gamma``
    (:class:`LogisticGDClassifier`) as ``gamma -> inf``. With
    ``normalized=True`` the sum is divided by ``sum_i s_i`` instead of ``n``
    (the normalised batch perceptron, limit of Normalized LR+GD), which finds
    a separator within ``R^2 / mu^2`` iterations instead of ``n R^2 / mu^2``.

    Parameters
    ----------
    max_iter : int, default=1000
        Maximum number of batch updates. If the data are not separated by then
        a ``ConvergenceWarning`` is emitted (non-separable data never are).
    fit_intercept : bool, default=True
        Append a constant column; the bias is one more coordinate.
    intercept_scaling : float, default=1.0
        Value of that constant column (as in :class:`LogisticGDClassifier`,
        it is a feature and changes the iterates).
    tie_weight : float, default=0.5
        Weight ``s_i`` of a sample lying on the hyperplane. The first update
        (from ``v_0 = 0``, where every margin is 0) is ``tie_weight`` times the
        mean of ``y_i a_i``; 0.5 is ``expit(0)``, the logistic limit. Must be
        positive, otherwise the algorithm cannot leave ``v_0 = 0``.
    normalized : bool, default=False
        Average the update over the misclassified samples (divide by
        ``sum_i s_i``) rather than over all ``n`` samples.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
        Coefficients of the last iterate.
    intercept_ : ndarray of shape (1,)
        Bias: the last coordinate of ``v`` times ``intercept_scaling``.
    classes_ : ndarray of shape (2,)
        Class labels; ``classes_[1]`` is the positive class.
    n_iter_ : int
        Batch updates made.
    separated_ : bool
        Whether every training margin of the returned iterate is positive.
    converged_ : bool
        Whether the data were separated before ``max_iter``.
    loss_curve_ : ndarray of shape (`n_iter_` + 1,)
        Perceptron criterion ``(1/n) sum_i max(0, -y_i <a_i, v_t>)`` per iterate.
    train_error_curve_ : ndarray of shape (`n_iter_` + 1,)
        Share of training samples with margin ``<= 0`` per iterate.
    margin_curve_ : ndarray of shape (`n_iter_` + 1,)
        Normalised minimum margin ``min_i y_i <a_i, v_t> / ||v_t||`` (0 at ``v_0``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    LogisticGDClassifier : Logistic regression by gradient descent, whose
        ``step_size -> inf`` limit this is.
    sklearn.linear_model.Perceptron : The online perceptron, which updates on
        one sample at a time (and shuffles by default).

    References
    ----------
    A. Tyurin, "From Logistic Regression to the Perceptron Algorithm: Exploring
    Gradient Descent with Large Step Sizes", arXiv:2412.08424, 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.linear_model import BatchPerceptronClassifier
    >>> X = np.array([[0.5, -1.0]] + [[-0.5, -1.0]] * 19)
    >>> y = np.array([1] + [-1] * 19)
    >>> plain = BatchPerceptronClassifier(fit_intercept=False).fit(X, y)
    >>> normalized = BatchPerceptronClassifier(fit_intercept=False, normalized=True).fit(X, y)
    >>> plain.n_iter_, normalized.n_iter_
    (7, 2)
    """

    _parameter_constraints = {
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "fit_intercept": ["boolean"],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "tie_weight": [Interval(Real, 0, 1, closed="right")],
        "normalized": ["boolean"],
    }

    # The perceptron always stops at separation, has no tolerance and its
    # history is cheap: fixed choices of the shared fit.
    _stop_at_separation = True
    _tol = 0.0
    record_history = True

    def __init__(self, max_iter=1000, fit_intercept=True, intercept_scaling=1.0, tie_weight=0.5, normalized=False):
        self.max_iter = max_iter
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.tie_weight = tie_weight
        self.normalized = normalized

    def _solver_setup(self, A, y_sign):
        datafit = PerceptronLoss(A, y_sign, tie_weight=self.tie_weight)
        return datafit, 1.0, "weights" if self.normalized else None

    def fit(self, X, y):
        """Run batch perceptron updates until the training data are separated.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.
        y : array-like of shape (n_samples,)
            Binary labels.

        Returns
        -------
        self : BatchPerceptronClassifier
            The fitted estimator.
        """
        self._validate_params()
        return self._fit(X, y)
