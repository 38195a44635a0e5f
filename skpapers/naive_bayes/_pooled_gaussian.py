"""Gaussian naive Bayes with one diagonal variance shared by all classes."""

from numbers import Real

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, validate_data


def _class_statistics(X, y_codes, weights, n_classes):
    """Weighted count, mean and biased variance of every class (zeros for absent classes)."""
    n_features = X.shape[1]
    counts = np.zeros(n_classes)
    means = np.zeros((n_classes, n_features))
    variances = np.zeros((n_classes, n_features))
    # One pass per class (not per sample): the two-pass variance avoids the
    # cancellation of E[x^2] - E[x]^2 on features with a large mean.
    for k in range(n_classes):
        mask = y_codes == k
        w = weights[mask]
        total = w.sum()
        if total <= 0:
            continue
        Xk = X[mask]
        # einsum rather than a BLAS matrix-vector product: as fast on one
        # thread, and not slowed down by thread contention on a busy machine.
        mean = np.einsum("i,ij->j", w, Xk) / total
        counts[k] = total
        means[k] = mean
        variances[k] = np.einsum("i,ij->j", w, (Xk - mean) ** 2) / total
    return counts, means, variances


class PooledGaussianNB(ClassifierMixin, BaseEstimator):
    """Gaussian naive Bayes with a diagonal variance shared by all classes.

    Each class is modelled as a Gaussian with its own mean and a common
    diagonal covariance ``diag(var_)``: the pooled within-class variance. The
    class-independent quadratic term then cancels between classes, so the
    decision rule is linear, ``argmax_c x @ coef_[c] + intercept_[c]`` with
    ``coef_[c] = theta_[c] / var_`` and
    ``intercept_[c] = log(class_prior_[c]) - sum(theta_[c] ** 2 / var_) / 2``.
    It is the generative partner of multinomial logistic regression studied
    by Zheng et al. (2023): it needs far fewer samples to approach its
    asymptotic error, at the price of a possibly higher asymptotic error when
    the features are correlated within classes.

    Unlike :class:`sklearn.naive_bayes.GaussianNB`, whose class-specific
    variances give a quadratic rule, one variance is estimated from all the
    samples; with equal priors the rule is the nearest class mean after
    scaling each feature by ``1 / sqrt(var_)``.

    Parameters
    ----------
    priors : array-like of shape (n_classes,), default=None
        Prior probabilities of the classes, positive and summing to one, in
        the order of ``classes_``. None uses the (weighted) class frequencies.
        The pooled variance always weights the classes by their sample
        counts, whatever the priors.
    var_smoothing : float, default=1e-9
        Added to the pooled variance of every feature, for numerical
        stability and so that constant features do not divide by zero. With
        ``var_smoothing=0`` a feature of zero pooled variance raises
        ``ValueError``.
    smoothing : {"absolute", "relative"}, default="absolute"
        How ``var_smoothing`` is scaled. ``"absolute"`` adds it as is, as in
        the paper's code; it is then scale dependent (negligible for features
        of large variance, dominant for features of tiny variance).
        ``"relative"`` multiplies it by the largest variance of the features
        over all the samples seen, as :class:`~sklearn.naive_bayes.GaussianNB`
        does.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    class_count_ : ndarray of shape (n_classes,)
        (Weighted) number of training samples per class.
    class_prior_ : ndarray of shape (n_classes,)
        Prior probability of each class (``priors`` or the class frequencies).
    theta_ : ndarray of shape (n_classes, n_features)
        Mean of each feature per class.
    var_per_class_ : ndarray of shape (n_classes, n_features)
        Biased (divide by the count) variance of each feature within each
        class, before pooling and smoothing.
    var_ : ndarray of shape (n_features,)
        Pooled variance, ``class_count_ @ var_per_class_ / class_count_.sum()``
        plus ``epsilon_``.
    epsilon_ : float
        The value added to the pooled variance.
    coef_ : ndarray of shape (n_classes, n_features)
        Weights of the linear decision rule, ``theta_ / var_``.
    intercept_ : ndarray of shape (n_classes,)
        Intercepts of the linear decision rule; ``-inf`` for a class declared
        in ``partial_fit`` but not seen yet, which is never predicted.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of the features, when ``X`` has string feature names.

    See Also
    --------
    sklearn.naive_bayes.GaussianNB : Class-specific variances (quadratic rule).
    sklearn.discriminant_analysis.LinearDiscriminantAnalysis : Shared full covariance.
    sklearn.neighbors.NearestCentroid : Nearest class mean, unscaled.

    References
    ----------
    .. [1] C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li and J. Zhu, "Revisiting
       Discriminative vs. Generative Classifiers: Theory and Implications",
       ICML 2023, arXiv:2302.02334.
    .. [2] A. Y. Ng and M. I. Jordan, "On discriminative vs. generative
       classifiers: A comparison of logistic regression and naive Bayes",
       NeurIPS 2001.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.naive_bayes import PooledGaussianNB
    >>> X = np.array([[-1.0, -1.0], [-2.0, -1.0], [-3.0, -2.0],
    ...               [1.0, 1.0], [2.0, 1.0], [3.0, 2.0]])
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> clf = PooledGaussianNB().fit(X, y)
    >>> clf.predict([[-0.8, -1.0]])
    array([0])
    >>> clf.var_.round(3)
    array([0.667, 0.222])
    >>> incremental = PooledGaussianNB().partial_fit(X[:4], y[:4], classes=[0, 1])
    >>> incremental = incremental.partial_fit(X[4:], y[4:])
    >>> bool(np.allclose(incremental.var_, clf.var_))
    True
    """

    _parameter_constraints = {
        "priors": ["array-like", None],
        "var_smoothing": [Interval(Real, 0, None, closed="left")],
        "smoothing": [StrOptions({"absolute", "relative"})],
    }

    def __init__(self, *, priors=None, var_smoothing=1e-9, smoothing="absolute"):
        self.priors = priors
        self.var_smoothing = var_smoothing
        self.smoothing = smoothing

    def fit(self, X, y, sample_weight=None):
        """Fit the class means and the pooled variance.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training vectors.
        y : array-like of shape (n_samples,)
            Target labels; at least two classes.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples (an integer weight acts as
            repeating the sample).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, reset=True, dtype=np.float64)
        check_classification_targets(y)
        classes, y_codes = np.unique(y, return_inverse=True)
        if classes.shape[0] < 2:
            raise ValueError(
                f"PooledGaussianNB needs samples of at least 2 classes; got 1 class ({classes[0]!r})."
            )
        self.classes_ = classes
        self._reset_statistics(X.shape[1])
        return self._update(X, y_codes, sample_weight)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the fit with a batch of samples.

        The class counts, means and within-class sums of squared deviations
        are merged exactly (Chan et al.'s parallel formula), so fitting
        batches one after the other gives the same model as one ``fit`` on
        their concatenation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training vectors of this batch.
        y : array-like of shape (n_samples,)
            Target labels of this batch, all among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class that can appear. Required on the first call (at
            least two classes), ignored or checked on later calls.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples of this batch.

        Returns
        -------
        self : object
            The updated classifier.
        """
        first_call = not hasattr(self, "classes_")
        if first_call:
            self._validate_params()
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            classes = np.unique(check_array(classes, ensure_2d=False, dtype=None))
            if classes.shape[0] < 2:
                raise ValueError(f"classes must hold at least 2 classes; got {classes.tolist()!r}.")
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()!r} differs from the classes of the first "
                f"call to partial_fit, {self.classes_.tolist()!r}."
            )
        X, y = validate_data(self, X, y, reset=first_call, dtype=np.float64)
        check_classification_targets(y)
        known = self.classes_ if not first_call else classes
        unseen = np.setdiff1d(np.unique(y), known)
        if unseen.size:
            raise ValueError(
                f"y holds classes {unseen.tolist()!r} that are not in classes={known.tolist()!r}."
            )
        if not first_call:
            return self._update(X, np.searchsorted(self.classes_, y), sample_weight)
        self.classes_ = classes
        self._reset_statistics(X.shape[1])
        try:
            return self._update(X, np.searchsorted(self.classes_, y), sample_weight)
        except ValueError:
            # A rejected first batch leaves the estimator unfitted.
            del self.classes_
            raise

    def _reset_statistics(self, n_features):
        n_classes = self.classes_.shape[0]
        self.class_count_ = np.zeros(n_classes)
        self.theta_ = np.zeros((n_classes, n_features))
        self.var_per_class_ = np.zeros((n_classes, n_features))

    def _check_sample_weight(self, sample_weight, n_samples):
        if sample_weight is None:
            return np.ones(n_samples)
        sample_weight = check_array(
            sample_weight, ensure_2d=False, dtype=np.float64, input_name="sample_weight"
        )
        if sample_weight.ndim != 1 or sample_weight.shape[0] != n_samples:
            raise ValueError(
                f"sample_weight must have shape ({n_samples},); got {sample_weight.shape}."
            )
        if np.any(sample_weight < 0):
            raise ValueError("sample_weight must be non-negative.")
        return sample_weight

    def _update(self, X, y_codes, sample_weight):
        weights = self._check_sample_weight(sample_weight, X.shape[0])
        if self.class_count_.sum() + weights.sum() <= 0:
            raise ValueError("sample_weight must not all be zero.")
        n_classes = self.classes_.shape[0]
        new_count, new_mean, new_var = _class_statistics(X, y_codes, weights, n_classes)
        old_count = self.class_count_
        total = old_count + new_count
        # Classes absent from both the old fit and this batch keep zeros.
        safe_total = np.where(total > 0, total, 1.0)[:, None]
        mean = (old_count[:, None] * self.theta_ + new_count[:, None] * new_mean) / safe_total
        ssd = (
            old_count[:, None] * self.var_per_class_
            + new_count[:, None] * new_var
            + (old_count * new_count)[:, None] / safe_total * (self.theta_ - new_mean) ** 2
        )
        # Derive (and validate) everything before touching the fitted state,
        # so that a rejected batch leaves the model as it was.
        derived = self._derive(total, mean, ssd / safe_total)
        self.class_count_ = total
        self.theta_ = mean
        self.var_per_class_ = ssd / safe_total
        for name, value in derived.items():
            setattr(self, name, value)
        return self

    def _derive(self, counts, theta, var_per_class):
        n_total = counts.sum()
        pooled = counts @ var_per_class / n_total
        if self.smoothing == "absolute":
            epsilon = float(self.var_smoothing)
        else:
            # Variance of each feature over all samples, recovered exactly from
            # the class statistics so that partial_fit matches fit.
            grand_mean = counts @ theta / n_total
            total_var = pooled + counts @ (theta - grand_mean) ** 2 / n_total
            epsilon = float(self.var_smoothing * total_var.max())
        var = pooled + epsilon
        if np.any(var <= 0):
            raise ValueError(
                f"{int(np.sum(var <= 0))} feature(s) have zero pooled within-class variance "
                "(constant within every class); set var_smoothing > 0 (and, with "
                "smoothing='relative', give at least one non-constant feature)."
            )
        if self.priors is None:
            prior = counts / n_total
        else:
            prior = check_array(self.priors, ensure_2d=False, dtype=np.float64, input_name="priors")
            if prior.ndim != 1 or prior.shape[0] != self.classes_.shape[0]:
                raise ValueError(
                    f"priors must have one entry per class ({self.classes_.shape[0]}); "
                    f"got shape {prior.shape}."
                )
            if np.any(prior <= 0) or not np.isclose(prior.sum(), 1.0):
                raise ValueError(f"priors must be positive and sum to 1; got {prior.tolist()!r}.")
        with np.errstate(divide="ignore"):
            log_prior = np.log(prior)
        intercept = log_prior - 0.5 * np.sum(theta**2 / var, axis=1)
        return {
            "epsilon_": epsilon,
            "var_": var,
            "class_prior_": prior,
            "coef_": theta / var,
            "intercept_": np.where(counts > 0, intercept, -np.inf),
        }

    def __sklearn_is_fitted__(self):
        # validate_data sets n_features_in_ before a first batch can be rejected.
        return hasattr(self, "coef_")

    def _linear_scores(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X, X @ self.coef_.T + self.intercept_

    def decision_function(self, X):
        """Linear decision scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input vectors.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            ``X @ coef_.T + intercept_``, which differs from the joint
            log-likelihood by a term common to all classes. With two classes,
            the log-odds of ``classes_[1]`` against ``classes_[0]``.
        """
        _, scores = self._linear_scores(X)
        if scores.shape[1] == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def predict(self, X):
        """Predict the class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input vectors.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The class of largest posterior probability.
        """
        _, scores = self._linear_scores(X)
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_joint_log_proba(self, X):
        """Joint log-probability ``log P(x, c)`` of each sample and class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input vectors.

        Returns
        -------
        joint_log_proba : ndarray of shape (n_samples, n_classes)
            ``log P(c) + log N(x; theta_[c], diag(var_))``.
        """
        X, scores = self._linear_scores(X)
        common = -0.5 * (X**2 @ (1.0 / self.var_)) - 0.5 * np.sum(np.log(2.0 * np.pi * self.var_))
        return scores + common[:, None]

    def predict_log_proba(self, X):
        """Log of the posterior probability of each class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input vectors.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        _, scores = self._linear_scores(X)
        return scores - logsumexp(scores, axis=1, keepdims=True)

    def predict_proba(self, X):
        """Posterior probability of each class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input vectors.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; rows sum to one.
        """
        return np.exp(self.predict_log_proba(X))
