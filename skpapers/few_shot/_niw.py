"""Hierarchical Bayesian few-shot heads with a Normal-inverse-Wishart global prior.

Every episode has its own linear softmax head ``W`` (one row per class slot)
over frozen features. The rows are drawn from ``N(mu, Sigma)`` and
``(mu, Sigma)`` from a Normal-inverse-Wishart whose variational parameters are
shared by all episodes. A few gradient steps from the prior mean give a
Laplace point, the diagonal Gauss-Newton Hessian there makes the episode loss
quadratic, and the local posterior and the episode's bound then have closed
forms (derivation in the user guide). :class:`NIWMetaPrior` learns the global
parameters from base-class episodes; :class:`NIWEpisodeClassifier` is the
closed-form posterior head of one new episode.
"""

from numbers import Integral, Real

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from ..utils._optim import MultinomialLoss, NIWEpisodeBound, adam, gradient_descent

def _design(X, fit_intercept, normalize):
    """Feature map shared by the prior and the episode heads (a copy, never in place)."""
    Z = np.asarray(X, dtype=float)
    if normalize:
        norms = np.linalg.norm(Z, axis=1, keepdims=True)
        Z = Z / np.where(norms > 0.0, norms, 1.0)
    if fit_intercept:
        Z = np.hstack([Z, np.ones((Z.shape[0], 1))])
    return Z


def _softmax(scores):
    return np.exp(scores - special.logsumexp(scores, axis=1, keepdims=True))


def _local_step(Z, labels, n_way, m0, inner_steps, inner_lr, hessian_floor):
    """Laplace point, diagonal Gauss-Newton curvature and summed loss of one episode.

    ``labels`` are slot indices ``0..n_way-1``. The point is what ``inner_steps``
    gradient steps on the *mean* cross-entropy reach from ``m0`` in every slot:
    on a separable support set the loss has no minimiser, so the step count,
    not convergence, defines it. The curvature is that of the *summed* loss,
    the episode's log-likelihood.
    """
    n_samples, p = Z.shape
    Y = np.zeros((n_samples, n_way))
    Y[np.arange(n_samples), labels] = 1.0
    datafit = MultinomialLoss(Z, Y, fit_intercept=False)
    w0 = np.repeat(m0[:, None], n_way, axis=1).ravel()
    if inner_steps > 0:
        w = gradient_descent(datafit, w0, step=inner_lr, max_iter=inner_steps, warn=False).x
    else:
        w = w0
    M_bar = w.reshape(p, n_way).T
    log_proba = Z @ M_bar.T
    log_proba = log_proba - special.logsumexp(log_proba, axis=1, keepdims=True)
    proba = np.exp(log_proba)
    A = (proba * (1.0 - proba)).T @ (Z * Z) + hessian_floor
    loss = -float(np.sum(log_proba[np.arange(n_samples), labels]))
    return M_bar, A, loss


def _posterior(M_bar, A, m0, scale):
    """``V = (A + S^-1)^-1`` and ``m = V (A m_bar + S^-1 m0)``, written without inverting A or S."""
    sa = scale * A
    var = scale / (1.0 + sa)
    mean = (sa * M_bar + m0) / (1.0 + sa)
    return mean, var


def _niw_constant(p, dof, kappa):
    """The ``n_0, l_0`` part of one row's bound: ``[p log(n_0/2) - sum_j psi((n_0-j+1)/2) + p/l_0] / 2``."""
    j = np.arange(1, p + 1)
    return 0.5 * (p * np.log(dof / 2.0) - np.sum(special.digamma((dof - j + 1) / 2.0)) + p / kappa)


class NIWMetaPrior(BaseEstimator):
    """Normal-inverse-Wishart prior of episode heads, learned from base-class episodes.

    Samples N-way episodes from the base classes, takes the closed-form local
    step on each (support and query rows together) and descends the mean of
    the episodes' optimal local bounds with Adam, on the prior mean ``m_0``
    and the log of the diagonal scale ``S = Lambda_0 / n_0``. Pass the fitted
    prior to :class:`NIWEpisodeClassifier` to classify new episodes, whose
    classes need not appear among the base classes.

    The degrees of freedom ``n_0 = p + 2`` and ``l_0 = 1`` are fixed: with
    ``S`` held, the bound decreases without end as they grow, so they are not
    learnable without the hyper-prior's KL term (see the user guide).

    Parameters
    ----------
    n_way : int, default=5
        Classes per training episode.
    n_shot : int, default=1
        Support rows per class in a training episode.
    n_query : int, default=15
        Query rows per class in a training episode (they join the support
        rows in the episode loss).
    n_episodes : int, default=2000
        Number of training episodes (``n_episodes / batch_episodes`` Adam steps).
    inner_steps : int, default=10
        Gradient steps of the local step, started from ``m_0``.
    inner_lr : float, default=0.5
        Step size of the local step, on the episode's mean cross-entropy.
    learning_rate : float, default=0.05
        Adam step size on ``m_0`` and ``log S``.
    batch_episodes : int, default=1
        Episodes per Adam step.
    fit_intercept : bool, default=False
        Whether each head row has a bias (an extra prior coordinate).
    normalize : bool, default=False
        Whether rows of X are scaled to unit Euclidean norm first.
    hessian_floor : float, default=1e-8
        Added to the diagonal Gauss-Newton curvature.
    random_state : int, RandomState instance or None, default=None
        Seeds the episode sampling.

    Attributes
    ----------
    mean_ : ndarray of shape (n_params,)
        Learned prior mean ``m_0`` of a head row; ``n_params`` is
        ``n_features_in_`` plus one when ``fit_intercept``.
    scale_ : ndarray of shape (n_params,)
        Learned diagonal ``S = Lambda_0 / n_0``, the prior variance of a row
        coordinate around ``m_0`` in the local posterior.
    dof_ : float
        ``n_0`` (fixed at ``n_params + 2``).
    kappa_ : float
        ``l_0`` (fixed at 1).
    loss_curve_ : ndarray of shape (n_steps,)
        Mean bound of each Adam step's episodes (per episode, before the step).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape ``(n_features_in_,)``
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    NIWEpisodeClassifier : Closed-form posterior head of one episode.
    sklearn.neighbors.NearestCentroid : Prototype classifier on frozen features.

    References
    ----------
    .. [1] M. Kim and T. Hospedales, "A Hierarchical Bayesian Model for Deep Few-Shot
       Meta Learning", arXiv:2306.09702, 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.few_shot import NIWMetaPrior
    >>> rng = np.random.RandomState(0)
    >>> means = np.zeros((30, 8))
    >>> means[:, :2] = rng.normal(scale=2.0, size=(30, 2))
    >>> y = np.repeat(np.arange(30), 20)
    >>> X = means[y] + rng.normal(size=(600, 8))
    >>> prior = NIWMetaPrior(n_way=5, n_episodes=300, random_state=0).fit(X, y)
    >>> bool(prior.scale_[:2].min() > prior.scale_[2:].max())
    True
    """

    _parameter_constraints: dict = {
        "n_way": [Interval(Integral, 2, None, closed="left")],
        "n_shot": [Interval(Integral, 1, None, closed="left")],
        "n_query": [Interval(Integral, 0, None, closed="left")],
        "n_episodes": [Interval(Integral, 1, None, closed="left")],
        "inner_steps": [Interval(Integral, 0, None, closed="left")],
        "inner_lr": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_episodes": [Interval(Integral, 1, None, closed="left")],
        "fit_intercept": ["boolean"],
        "normalize": ["boolean"],
        "hessian_floor": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_way=5,
        n_shot=1,
        n_query=15,
        n_episodes=2000,
        inner_steps=10,
        inner_lr=0.5,
        learning_rate=0.05,
        batch_episodes=1,
        fit_intercept=False,
        normalize=False,
        hessian_floor=1e-8,
        random_state=None,
    ):
        self.n_way = n_way
        self.n_shot = n_shot
        self.n_query = n_query
        self.n_episodes = n_episodes
        self.inner_steps = inner_steps
        self.inner_lr = inner_lr
        self.learning_rate = learning_rate
        self.batch_episodes = batch_episodes
        self.fit_intercept = fit_intercept
        self.normalize = normalize
        self.hessian_floor = hessian_floor
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    def fit(self, X, y):
        """Learn ``m_0`` and ``S`` from episodes of the base classes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Base-class features (embeddings).
        y : array-like of shape (n_samples,)
            Base-class labels.

        Returns
        -------
        self : NIWMetaPrior
            Fitted prior.
        """
        self._validate_params()
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        rng = check_random_state(self.random_state)
        per_episode = self.n_shot + self.n_query
        classes, y_idx, counts = np.unique(y, return_inverse=True, return_counts=True)
        eligible = np.flatnonzero(counts >= per_episode)
        if eligible.size < self.n_way:
            raise ValueError(
                f"An episode needs n_way={self.n_way} distinct classes with at least "
                f"n_shot + n_query = {per_episode} rows each; y has {eligible.size} class(es) with that many "
                f"rows (of {classes.size})."
            )
        members = [np.flatnonzero(y_idx == k) for k in eligible]
        Z = _design(X, self.fit_intercept, self.normalize)
        p = Z.shape[1]
        dof, kappa = float(p + 2), 1.0
        constant = self.n_way * _niw_constant(p, dof, kappa)
        labels = np.repeat(np.arange(self.n_way), per_episode)

        def next_datafit(t, w):
            m0 = w[:p]
            M_bars, As, losses = [], [], []
            for _ in range(self.batch_episodes):
                chosen = rng.choice(eligible.size, size=self.n_way, replace=False)
                rows = np.concatenate([rng.choice(members[k], size=per_episode, replace=False) for k in chosen])
                M_bar, A, loss = _local_step(
                    Z[rows], labels, self.n_way, m0, self.inner_steps, self.inner_lr, self.hessian_floor
                )
                M_bars.append(M_bar)
                As.append(A)
                losses.append(loss)
            return NIWEpisodeBound(np.stack(M_bars), np.stack(As), offset=np.mean(losses) + constant)

        curve = []
        n_steps = max(1, self.n_episodes // self.batch_episodes)
        result = adam(
            next_datafit,
            np.zeros(2 * p),
            n_steps=n_steps,
            learning_rate=self.learning_rate,
            callback=lambda t, w, value, grad: curve.append(value),
        )
        self.mean_ = result.x[:p]
        self.scale_ = np.exp(result.x[p:])
        self.dof_ = dof
        self.kappa_ = kappa
        self.loss_curve_ = np.asarray(curve)
        return self


class NIWEpisodeClassifier(ClassifierMixin, BaseEstimator):
    """Closed-form Bayesian linear softmax head of one few-shot episode.

    Fit on an episode's support set: ``inner_steps`` gradient steps from the
    prior mean give the Laplace point ``m_bar``; with the diagonal
    Gauss-Newton curvature ``A`` of the support loss there, the head's
    posterior is ``N(m, V)`` with ``V = (A + S^-1)^-1`` and
    ``m = V (A m_bar + S^-1 m_0)``, per class row and coordinate. Classes come
    from the support labels and need not be base classes.

    Parameters
    ----------
    prior : NIWMetaPrior or None, default=None
        A fitted prior, whose feature map (``fit_intercept``, ``normalize``)
        the head reuses. ``clone`` (cross-validation, grid search) returns an
        unfitted copy of an estimator parameter, so wrap the prior in
        :class:`sklearn.frozen.FrozenEstimator` there. None gives ``m_0 = 0`` and ``S = default_scale * I``
        without intercept: a Laplace-approximated Bayesian logistic regression.
    default_scale : float, default=1.0
        Prior variance of every coordinate when ``prior`` is None.
    inner_steps : int or None, default=None
        Gradient steps of the local step; None takes the prior's (10 without
        a prior).
    inner_lr : float or None, default=None
        Their step size on the support's mean cross-entropy; None takes the
        prior's (0.5 without a prior).
    predictive : {"mean", "sample"}, default="mean"
        ``"mean"`` plugs the posterior mean into the softmax; ``"sample"``
        averages the softmax over ``n_samples`` posterior draws of each test
        row's class scores (Gaussian, as the head is linear).
    n_samples : int, default=50
        Posterior draws for ``predictive="sample"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws of ``predictive="sample"``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Support labels.
    coef_ : ndarray of shape (n_classes, n_features)
        Posterior mean of the head's weights.
    intercept_ : ndarray of shape (n_classes,)
        Posterior mean of the biases (zeros without intercept).
    coef_var_ : ndarray of shape (n_classes, n_features)
        Posterior variances of the weights (diagonal ``V``).
    intercept_var_ : ndarray of shape (n_classes,)
        Posterior variances of the biases (zeros without intercept).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape ``(n_features_in_,)``
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    NIWMetaPrior : Learns the prior from base-class episodes.
    sklearn.neighbors.NearestCentroid : Prototype classifier on frozen features.

    References
    ----------
    .. [1] M. Kim and T. Hospedales, "A Hierarchical Bayesian Model for Deep Few-Shot
       Meta Learning", arXiv:2306.09702, 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.few_shot import NIWEpisodeClassifier
    >>> rng = np.random.RandomState(0)
    >>> X_support = np.array([[2.0, 0.0], [0.0, 2.0], [-2.0, -2.0]])
    >>> y_support = np.array(["cat", "dog", "owl"])
    >>> clf = NIWEpisodeClassifier().fit(X_support, y_support)
    >>> clf.predict([[1.5, 0.2], [-1.0, -1.5]]).tolist()
    ['cat', 'owl']
    >>> clf.coef_var_.round(2).tolist()
    [[0.73, 0.78], [0.78, 0.73], [0.84, 0.84]]
    """

    _parameter_constraints: dict = {
        "prior": [HasMethods(["fit"]), None],
        "default_scale": [Interval(Real, 0, None, closed="neither")],
        "inner_steps": [Interval(Integral, 0, None, closed="left"), None],
        "inner_lr": [Interval(Real, 0, None, closed="neither"), None],
        "predictive": [StrOptions({"mean", "sample"})],
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        prior=None,
        default_scale=1.0,
        inner_steps=None,
        inner_lr=None,
        predictive="mean",
        n_samples=50,
        random_state=None,
    ):
        self.prior = prior
        self.default_scale = default_scale
        self.inner_steps = inner_steps
        self.inner_lr = inner_lr
        self.predictive = predictive
        self.n_samples = n_samples
        self.random_state = random_state

    def _prior_parameters(self, n_features):
        """``(m_0, S, fit_intercept, normalize, inner_steps, inner_lr)`` of the head."""
        if self.prior is None:
            m0, scale = np.zeros(n_features), np.full(n_features, float(self.default_scale))
            fit_intercept, normalize, steps, lr = False, False, 10, 0.5
        else:
            prior = self.prior.estimator if isinstance(self.prior, FrozenEstimator) else self.prior
            if not isinstance(prior, NIWMetaPrior):
                raise TypeError(f"prior must be a fitted NIWMetaPrior or None; got {type(prior).__name__}.")
            check_is_fitted(prior)
            if prior.n_features_in_ != n_features:
                raise ValueError(
                    f"X has {n_features} features but the prior was fitted on "
                    f"{prior.n_features_in_}; episode features must match the prior's."
                )
            m0, scale = prior.mean_, prior.scale_
            fit_intercept, normalize = prior.fit_intercept, prior.normalize
            steps, lr = prior.inner_steps, prior.inner_lr
        steps = steps if self.inner_steps is None else self.inner_steps
        lr = lr if self.inner_lr is None else self.inner_lr
        return m0, scale, fit_intercept, normalize, steps, lr

    def fit(self, X, y):
        """Closed-form posterior of the head given the support set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Support features (embeddings).
        y : array-like of shape (n_samples,)
            Support labels; at least two classes.

        Returns
        -------
        self : NIWEpisodeClassifier
            Fitted classifier.
        """
        self._validate_params()
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        self.classes_, labels = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                f"The support set needs at least 2 classes (every class with at least one shot); "
                f"y has {self.classes_.size} class(es)."
            )
        m0, scale, fit_intercept, normalize, steps, lr = self._prior_parameters(X.shape[1])
        self._fit_intercept, self._normalize = fit_intercept, normalize
        Z = _design(X, fit_intercept, normalize)
        M_bar, A, _ = _local_step(Z, labels, self.classes_.size, m0, steps, lr, 1e-8)
        mean, var = _posterior(M_bar, A, m0, scale)
        d = X.shape[1]
        self.coef_, self.coef_var_ = mean[:, :d], var[:, :d]
        if fit_intercept:
            self.intercept_, self.intercept_var_ = mean[:, d], var[:, d]
        else:
            self.intercept_ = self.intercept_var_ = np.zeros(self.classes_.size)
        return self

    def _scores(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        if self._normalize:
            X = _design(X, False, True)
        return X, X @ self.coef_.T + self.intercept_

    def predict_proba(self, X):
        """Posterior predictive class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Query features.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, columns in the order of ``classes_``.
        """
        X, scores = self._scores(X)
        if self.predictive == "mean":
            return _softmax(scores)
        rng = check_random_state(self.random_state)
        sd = np.sqrt(X * X @ self.coef_var_.T + self.intercept_var_)
        proba = np.zeros_like(scores)
        for _ in range(self.n_samples):
            proba += _softmax(scores + sd * rng.standard_normal(scores.shape))
        return proba / self.n_samples

    def decision_function(self, X):
        """Class scores: the posterior-mean logits (``"mean"``) or log predictive probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Query features.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            For two classes, the second class's score minus the first's.
        """
        if self.predictive == "mean":
            scores = self._scores(X)[1]
        else:
            scores = np.log(np.clip(self.predict_proba(X), np.finfo(float).tiny, None))
        if self.classes_.size == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def predict(self, X):
        """Most probable class of each query row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Query features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


