"""Minority guidance: steer a diffusion sampler towards the low-density part of the data.

Um, Lee and Ye (2024), "Don't Play Favorites: Minority Guidance for Diffusion
Models", arXiv:2301.12334.
"""

import numbers
import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._generator import DiffusionGenerator
from ._schedules import _BaseSchedule
from ._score_models import KernelScoreModel, _BaseScoreModel, _check_fitted, _time_features
from ._solvers import SOLVERS

_METRICS = ("sqeuclidean", "mahalanobis")

# hidden activations of MLPClassifier and their derivatives, written in terms of the activation's output
_ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda a: (a > 0).astype(float)),
    "tanh": (np.tanh, lambda a: 1.0 - a**2),
    "logistic": (lambda z: 1.0 / (1.0 + np.exp(-z)), lambda a: a * (1.0 - a)),
    "identity": (lambda z: z, lambda a: np.ones_like(a)),
}


def minority_score(score_model, X, minority_noise=1.0, n_draws=5, metric="sqeuclidean", random_state=None):
    """Minority score: expected Tweedie reconstruction error of noised copies of ``X``.

    ``l(x) = E_eps d(x, D(a x + s eps, t))`` with ``D`` the denoiser of a
    fitted score model, evaluated at the single time ``t`` where the
    noise-to-signal ratio ``s / a`` equals ``minority_noise``. Denoisers pull
    towards the bulk of the data, so rows in low-density regions get larger
    scores.

    Parameters
    ----------
    score_model : fitted score model
        A score model of :mod:`skpapers.generative` fitted with ``fit(X, schedule)``.
    X : array-like of shape (n_samples, n_features)
        Rows to score, in the units the score model was fitted on.
    minority_noise : float, default=1.0
        Noise-to-signal ratio ``s / a`` (> 0) of the perturbation.
    n_draws : int, default=5
        Monte Carlo draws of the noise per row.
    metric : {"sqeuclidean", "mahalanobis"}, default="sqeuclidean"
        Distance ``d``; ``"mahalanobis"`` uses the covariance of ``X``.
    random_state : int, RandomState or None, default=None
        Seeds the noise draws.

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        Larger means more unique.

    References
    ----------
    .. [1] Um, S., Lee, S. and Ye, J. C. (2024). Don't Play Favorites: Minority
       Guidance for Diffusion Models. arXiv:2301.12334.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import KernelScoreModel, minority_score
    >>> X = np.vstack([np.random.RandomState(0).normal(size=(200, 2)), [[4.0, 4.0]]])
    >>> model = KernelScoreModel(bandwidth=0.2).fit(X, "vp")
    >>> scores = minority_score(model, X, minority_noise=1.0, random_state=0)
    >>> bool(scores[200] > 3 * np.median(scores))  # the isolated row against a typical one
    True
    """
    _check_fitted(score_model)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != score_model.n_features_in_ or X.shape[0] < 1:
        raise ValueError(f"X must have shape (n_samples, {score_model.n_features_in_}); got {X.shape}.")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinity.")
    if isinstance(minority_noise, bool) or not isinstance(minority_noise, numbers.Real) or not (
        np.isfinite(minority_noise) and minority_noise > 0
    ):
        raise ValueError(f"minority_noise must be a finite number > 0; got {minority_noise!r}.")
    if isinstance(n_draws, bool) or not isinstance(n_draws, numbers.Integral) or n_draws < 1:
        raise ValueError(f"n_draws must be an integer >= 1; got {n_draws!r}.")
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {_METRICS}; got {metric!r}.")
    rng = check_random_state(random_state)
    sched = score_model.schedule_
    t = float(np.clip(sched.time_from_sigma_ratio(minority_noise), 1e-6, 1.0 - 1e-6))
    a, s = float(sched.alpha(t)), float(sched.sigma(t))
    n, d = X.shape
    noisy = a * np.repeat(X, n_draws, axis=0) + s * rng.standard_normal((n * n_draws, d))
    diff = np.repeat(X, n_draws, axis=0) - score_model.denoise(noisy, t)
    if metric == "mahalanobis" and n > 1:
        precision = np.linalg.pinv(np.atleast_2d(np.cov(X, rowvar=False)))
        dist = np.einsum("ij,jk,ik->i", diff, precision, diff)
    else:
        dist = np.einsum("ij,ij->i", diff, diff)
    return dist.reshape(n, n_draws).mean(axis=1)


def _levels_from_scores(scores, n_levels):
    """Quantile levels 0 (most common) .. L - 1 (most unique); fewer levels when ties merge cut points."""
    cuts = np.quantile(scores, np.arange(1, n_levels) / n_levels)
    cuts = np.unique(cuts)
    levels = np.searchsorted(cuts, scores, side="left")
    # drop empty levels (ties) and renumber consecutively
    used, levels = np.unique(levels, return_inverse=True)
    if used.size < n_levels:
        warnings.warn(
            f"Only {used.size} distinct minority levels could be formed from the scores (ties); "
            f"n_levels={n_levels} was reduced to {used.size}.",
            UserWarning,
        )
    thresholds = np.array([scores[levels <= k].max() for k in range(used.size - 1)])
    return levels, thresholds


class MinorityGuidedGenerator(DiffusionGenerator):
    """Diffusion generator with minority guidance towards low-density regions of the data.

    Fitting scores every training row by its minority score (see
    :func:`minority_score`), cuts the scores at their quantiles into
    ``n_levels`` ordinal levels and builds a noise-conditioned classifier
    ``p(l | x_t)``. Sampling adds ``guidance_scale * grad log p(l_target | x_t)``
    to the score through the solver's guidance hook, which targets the tilted
    density ``p_t(x) p(l_target | x)^w``.

    With the kernel score model (components ``N(a x_i, v I)``,
    ``v = a^2 h^2 + s^2``) the classifier is exact: ``p(l | x_t)`` is the
    share of the mixture weight carried by the rows of level ``l``. Then
    ``guidance_scale=1`` samples the kernel density of the target level's rows
    alone, ``guidance_scale=0`` the plain model.

    Parameters
    ----------
    score_model : {"kernel", "gaussian", "gmm"}, score model or regressor, default="kernel"
        Score model (see :class:`DiffusionGenerator`); ``"kernel"`` is
        :class:`KernelScoreModel` with bandwidth 0.
    schedule : {"vp", "ve", "rectified"} or schedule object, default="vp"
        Noise schedule.
    n_levels : int, default=5
        Number of ordinal minority levels (>= 2).
    target_level : int, default=-1
        Level to steer towards; negative values count from the most unique
        level (``-1``).
    guidance_scale : float, default=1.0
        Guidance weight ``w >= 0``; 0 is the unguided sampler.
    minority_noise : float, default=1.0
        Noise-to-signal ratio ``s / a`` (standardized units) at which the
        minority scores are computed (> 0).
    n_score_draws : int, default=5
        Monte Carlo draws per training row for the minority score.
    metric : {"sqeuclidean", "mahalanobis"}, default="sqeuclidean"
        Reconstruction distance.
    classifier : {"auto", "exact", "logistic", "mlp"}, default="auto"
        ``"exact"`` is the closed-form posterior (kernel score model only);
        ``"logistic"`` a multinomial ``LogisticRegression`` on
        ``[x_t, phi(t)]`` trained on noised rows; ``"mlp"`` an
        ``MLPClassifier(hidden_layer_sizes=(32,))`` on the same rows, its
        input gradient back-propagated through ``coefs_``; ``"auto"`` is
        ``"exact"`` for a kernel score model and ``"logistic"`` otherwise.
    solver : {"euler_maruyama", "euler", "heun", "rk45"}, default="euler_maruyama"
        Sampler (the reverse SDE by default, as in ancestral sampling).
    n_steps : int, default=200
        Steps of the fixed-step solvers.
    time_spacing : {"uniform", "edm"}, default="uniform"
        Time grid.
    t_min : float, default=1e-3
        End time of sampling.
    teleport : float or None, default=None
        Fraction of the grid replaced by the exact Gaussian solution (unguided).
    standardize : bool, default=True
        Fit on standardized columns.
    random_state : int, RandomState or None, default=None
        Seeds the minority scores, the classifier's training noise and,
        unless ``sample`` gets its own, the samples.

    Attributes
    ----------
    model_ : score model
        The fitted score model (standardized units).
    minority_scores_ : ndarray of shape (n_samples,)
        Minority scores of the training rows.
    levels_ : ndarray of shape (n_samples,)
        Minority level of each training row (0 most common).
    level_thresholds_ : ndarray of shape (`n_levels_` - 1,)
        Largest score of each level but the last.
    n_levels_ : int
        Number of levels actually formed (fewer than ``n_levels`` with ties).
    target_level_ : int
        The resolved (non-negative) target level.
    classifier_ : str, LogisticRegression or MLPClassifier
        ``"exact"`` or the fitted classifier.
    gaussian_model_ : GaussianScoreModel
        Gaussian of the standardized data (teleportation).
    gaussian_mean_ : ndarray of shape (n_features,)
    gaussian_cov_ : ndarray of shape (n_features, n_features)
    schedule_ : schedule object
    solver_ : str
    mean_ : ndarray of shape (n_features,)
    scale_ : ndarray of shape (n_features,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when ``X`` has string feature names.

    See Also
    --------
    DiffusionGenerator : The unguided generator.
    sklearn.neighbors.KernelDensity : Kernel density; with the exact
        classifier and ``guidance_scale=1`` the sampler targets the kernel
        density of the target level.

    References
    ----------
    .. [1] Um, S., Lee, S. and Ye, J. C. (2024). Don't Play Favorites: Minority
       Guidance for Diffusion Models. arXiv:2301.12334.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import KernelScoreModel, MinorityGuidedGenerator
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(size=(190, 2)), rng.normal(3, 0.3, size=(10, 2))])
    >>> gen = MinorityGuidedGenerator(KernelScoreModel(bandwidth=0.2), n_steps=50, guidance_scale=2.0,
    ...                               random_state=0).fit(X)
    >>> gen.n_levels_, gen.minority_scores_.shape
    (5, (200,))
    >>> plain = gen.set_params(guidance_scale=0.0).sample(500)
    >>> guided = gen.set_params(guidance_scale=2.0).sample(500)
    >>> bool(gen.score_samples(guided).mean() < gen.score_samples(plain).mean())
    True
    """

    _parameter_constraints = {
        "score_model": [StrOptions({"gaussian", "gmm", "kernel"}), _BaseScoreModel, object],
        "schedule": [StrOptions({"ve", "vp", "rectified"}), _BaseSchedule],
        "n_levels": [Interval(numbers.Integral, 2, None, closed="left")],
        "target_level": [Interval(numbers.Integral, None, None, closed="neither")],
        "guidance_scale": [Interval(numbers.Real, 0, None, closed="left")],
        "minority_noise": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_score_draws": [Interval(numbers.Integral, 1, None, closed="left")],
        "metric": [StrOptions(set(_METRICS))],
        "classifier": [StrOptions({"auto", "exact", "logistic", "mlp"})],
        "solver": [StrOptions(set(SOLVERS))],
        "n_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "time_spacing": [StrOptions({"uniform", "edm"})],
        "t_min": [Interval(numbers.Real, 0, 0.5, closed="neither")],
        "teleport": [None, Interval(numbers.Real, 0, 1, closed="left")],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        score_model="kernel",
        schedule="vp",
        n_levels=5,
        target_level=-1,
        guidance_scale=1.0,
        minority_noise=1.0,
        n_score_draws=5,
        metric="sqeuclidean",
        classifier="auto",
        solver="euler_maruyama",
        n_steps=200,
        time_spacing="uniform",
        t_min=1e-3,
        teleport=None,
        standardize=True,
        random_state=None,
    ):
        super().__init__(
            score_model=score_model, schedule=schedule, solver=solver, n_steps=n_steps,
            time_spacing=time_spacing, t_min=t_min, teleport=teleport, standardize=standardize,
            random_state=random_state,
        )
        self.n_levels = n_levels
        self.target_level = target_level
        self.guidance_scale = guidance_scale
        self.minority_noise = minority_noise
        self.n_score_draws = n_score_draws
        self.metric = metric
        self.classifier = classifier

    def fit(self, X, y=None):
        """Fit the score model, the minority levels of the training rows and the classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (finite, at least 2 rows).
        y : None
            Ignored.

        Returns
        -------
        self : MinorityGuidedGenerator
        """
        self._validate_params()
        # the parent validates again (and records feature names from the original X)
        X_checked = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        super().fit(X)
        X = X_checked
        if self.classifier == "exact" and not isinstance(self.model_, KernelScoreModel):
            raise ValueError("classifier='exact' needs the kernel score model (score_model='kernel').")
        rng = check_random_state(self.random_state)
        Z = (X - self.mean_) / self.scale_
        # training box in standardized units: samples far outside it signal too strong guidance
        self._box = (Z.min(axis=0), Z.max(axis=0))
        self.minority_scores_ = self.minority_score(X, random_state=rng.randint(np.iinfo(np.int32).max))
        self.levels_, self.level_thresholds_ = _levels_from_scores(self.minority_scores_, self.n_levels)
        self.n_levels_ = self.level_thresholds_.size + 1
        if not -self.n_levels_ <= self.target_level < self.n_levels_:
            raise ValueError(
                f"target_level must be in [-{self.n_levels_}, {self.n_levels_ - 1}]; got {self.target_level!r}."
            )
        self.target_level_ = int(self.target_level % self.n_levels_)
        kind = self.classifier
        if kind == "auto":
            kind = "exact" if isinstance(self.model_, KernelScoreModel) else "logistic"
        if kind == "exact":
            self.classifier_ = "exact"
        else:
            self.classifier_ = self._fit_classifier(Z, rng, kind)
        return self

    def _fit_classifier(self, Z, rng, kind, n_copies=20):
        sched = self.schedule_
        x0 = np.repeat(Z, n_copies, axis=0)
        t = rng.uniform(self.t_min, 1.0, size=(x0.shape[0], 1))
        xt = sched.alpha(t) * x0 + sched.sigma(t) * rng.standard_normal(x0.shape)
        features = np.hstack([xt, _time_features(t)])
        if kind == "mlp":
            clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=300,
                                random_state=rng.randint(np.iinfo(np.int32).max))
        else:
            clf = LogisticRegression(max_iter=1000)
        with warnings.catch_warnings():
            # a classifier of noised inputs is only a guide: an unfinished fit is still usable, and says so below
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(features, np.repeat(self.levels_, n_copies))
        n_iter = np.max(clf.n_iter_)
        if n_iter >= clf.max_iter:
            warnings.warn(f"The minority classifier stopped after max_iter={clf.max_iter} iterations without "
                          "converging.", ConvergenceWarning)
        return clf

    def minority_score(self, X, random_state=None):
        """Minority scores of ``X`` under the fitted score model (larger = more unique).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows in the units of the training data.
        random_state : int, RandomState or None, default=None
            Seeds the noise draws; ``None`` uses the estimator's ``random_state``.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "model_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        Z = (X - self.mean_) / self.scale_
        return minority_score(
            self.model_, Z, minority_noise=self.minority_noise, n_draws=self.n_score_draws, metric=self.metric,
            random_state=self.random_state if random_state is None else random_state,
        )

    def _exact_log_posterior_gradient(self, X, t):
        """``grad log p(l_target | x)`` of the kernel mixture: ``(a / v) (E[x_i | l, x] - E[x_i | x])``."""
        model = self.model_
        a = float(model.schedule_.alpha(t))
        v = a**2 * float(model.bandwidth) ** 2 + float(model.schedule_.sigma(t)) ** 2
        in_level = self.levels_ == self.target_level_
        X_train = model.X_train_
        out = np.empty_like(X)
        starts, step = model._chunks(X.shape[0])
        for start in starts:
            sl = slice(start, start + step)
            d2 = (np.einsum("ij,ij->i", X[sl], X[sl])[:, None] - 2 * a * (X[sl] @ X_train.T)
                  + a**2 * model._sq_norms)
            logits = -0.5 * np.maximum(d2, 0.0) / v
            # two softmaxes, each with its own shift, so a far-away level never underflows to 0/0
            w_all = np.exp(logits - logsumexp(logits, axis=1, keepdims=True))
            sub = logits[:, in_level]
            w_level = np.exp(sub - logsumexp(sub, axis=1, keepdims=True))
            out[sl] = (a / v) * (w_level @ X_train[in_level] - w_all @ X_train)
        return out

    def _mlp_log_posterior_gradient(self, X, t):
        """Back-propagate ``d log p(l_target | x) / d x`` through the fitted network."""
        clf = self.classifier_
        d = X.shape[1]
        activations = [np.hstack([X, _time_features(np.full((X.shape[0], 1), float(t)))])]
        for i, (W, b) in enumerate(zip(clf.coefs_, clf.intercepts_)):
            z = activations[-1] @ W + b
            if i < len(clf.coefs_) - 1:
                z = _ACTIVATIONS[clf.activation][0](z)
            activations.append(z)
        logits = activations[-1]
        k = int(np.searchsorted(clf.classes_, self.target_level_))
        if logits.shape[1] == 1:  # binary: one logistic output unit
            p1 = 1.0 / (1.0 + np.exp(-logits))
            delta = (1.0 - p1) if k == 1 else -p1
        else:
            proba = np.exp(logits - logsumexp(logits, axis=1, keepdims=True))
            delta = -proba
            delta[:, k] += 1.0
        for i in range(len(clf.coefs_) - 1, 0, -1):
            delta = (delta @ clf.coefs_[i].T) * _ACTIVATIONS[clf.activation][1](activations[i])
        return (delta @ clf.coefs_[0].T)[:, :d]

    def _logistic_log_posterior_gradient(self, X, t):
        clf = self.classifier_
        if isinstance(clf, MLPClassifier):
            return self._mlp_log_posterior_gradient(X, t)
        d = X.shape[1]
        features = np.hstack([X, _time_features(np.full((X.shape[0], 1), float(t)))])
        proba = clf.predict_proba(features)
        W = clf.coef_[:, :d]
        k = int(np.searchsorted(clf.classes_, self.target_level_))
        if W.shape[0] == 1:  # binary: one weight vector w, p(1 | x) = sigmoid(w x + b)
            p1 = proba[:, 1:2]
            return (1.0 - p1) * W[0] if k == 1 else -p1 * W[0]
        return W[k] - proba @ W

    def _guidance(self):
        if self.guidance_scale == 0:
            return None
        gradient = (self._exact_log_posterior_gradient if self.classifier_ == "exact"
                    else self._logistic_log_posterior_gradient)
        scale = float(self.guidance_scale)
        return lambda X, t: scale * gradient(X, t)

    def sample(self, n_samples=1, random_state=None):
        """Generate samples steered towards the target minority level.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples (>= 1).
        random_state : int, RandomState or None, default=None
            Seeds the start noise and the SDE noise; ``None`` uses the
            estimator's ``random_state``.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Samples in the units of the training data.
        """
        check_is_fitted(self, "classifier_")
        # set_params between fit and sample (e.g. a new guidance_scale) bypasses fit's validation
        self._validate_params()
        Z, _ = self._sample(n_samples, random_state, guidance=self._guidance())
        lo, hi = self._box
        outside = np.any((Z < lo - 3.0) | (Z > hi + 3.0), axis=1)
        if np.any(outside):
            warnings.warn(
                f"{int(outside.sum())} of {n_samples} samples lie more than 3 standard deviations outside the "
                f"training data's bounding box; guidance_scale={self.guidance_scale} may be too large.",
                UserWarning,
            )
        return Z * self.scale_ + self.mean_
