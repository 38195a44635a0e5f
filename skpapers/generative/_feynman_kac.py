"""Feynman-Kac correctors: sample annealed, product and geometric-average targets of diffusion experts."""

import numbers
import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ._generator import DiffusionGenerator
from ._schedules import time_grid
from ._score_models import GaussianScoreModel, _BaseScoreModel
from ._solvers import _SDE_T_MAX, integrate

# time grid of experts given as bare score models (a generator expert brings its own)
_DEFAULT_N_STEPS = 200
_DEFAULT_T_MIN = 1e-3


def systematic_resample(weights, n_out, rng):
    """Indices of a systematic resampling of normalized ``weights`` into ``n_out`` draws."""
    positions = (rng.uniform() + np.arange(n_out)) / n_out
    cumulative = np.cumsum(weights)
    cumulative[-1] = 1.0  # guard against round-off leaving the last position uncovered
    return np.searchsorted(cumulative, positions, side="right")


class _WeightedMixture:
    """Score model of the target path, ``sum_k gamma_k s_k``, for the core SDE solver.

    The expert scores of the last call are kept so that the Feynman-Kac weight
    increment of that step costs no extra score evaluation.
    """

    def __init__(self, models, exponents, schedule):
        self.models, self.exponents, self.schedule_ = models, exponents, schedule
        self.last_scores = self.last_mixed = None

    def score_function(self, X, t):
        scores = [model.score_function(X, t) for model in self.models]
        mixed = sum(gamma * s for gamma, s in zip(self.exponents, scores))
        self.last_scores, self.last_mixed = scores, mixed
        return mixed


def _score_model(expert):
    return expert if isinstance(expert, _BaseScoreModel) else expert.model_


def _all_experts_gaussian(estimator):
    check_is_fitted(estimator)
    return all(isinstance(_score_model(e), GaussianScoreModel) for e in estimator.estimators_)


class FeynmanKacCorrector(BaseEstimator):
    """Sample products and powers of diffusion experts with Feynman-Kac importance weights and SMC.

    The target path is ``p_t ~ prod_k (q_t^k)^gamma_k`` where ``q_t^k`` are the
    noised marginals of fitted diffusion experts. Particles follow a reverse
    SDE driven by the mixed score ``s_bar = sum_k gamma_k s_k`` (the core
    ``'euler_maruyama'`` solver); because that SDE does not transport the
    intermediate targets, each particle carries a log weight with increment
    ``dt g(t)^2 / 2 (||s_bar||^2 - sum_k gamma_k ||s_k||^2)``, and particles
    are resampled (systematic) when the effective sample size drops below
    ``ess_threshold * n_particles``. With ``weighting=False`` this is plain
    score mixing, the uncorrected baseline.

    Targets: ``'anneal'`` is ``q^beta`` (temperature ``1 / beta``) of one expert
    fitted on ``X``; ``'product'`` is ``prod_k q_k``, expert ``k`` fitted on the
    rows of class ``classes_[k]``; ``'geometric'`` is ``q_0^(1 - beta) q_1^beta``
    with ``q_0`` fitted on all rows and ``q_1`` on the rows of ``target_class``
    (classifier-free guidance with weights).

    Parameters
    ----------
    estimators : list of generators or score models, or None, default=None
        The experts: ``DiffusionGenerator``-like generators or score models
        (:class:`GaussianScoreModel`, :class:`GaussianMixtureScoreModel`,
        :class:`KernelScoreModel`, :class:`RegressorScoreModel`). They are
        cloned and fitted unless ``prefit``; a score model is fitted inside
        ``DiffusionGenerator(score_model=model, n_steps=200)``. ``None`` means
        one ``DiffusionGenerator(score_model="gaussian", n_steps=200)``. A
        single estimator is cloned once per expert. The experts must share the
        schedule and the number of features; the time grid is that of the first
        generator (200 uniform steps down to ``t = 1e-3`` when all experts are
        score models).
    target : {"anneal", "product", "geometric"}, default="anneal"
        The target built from the experts.
    beta : float, default=2.0
        Inverse temperature (``'anneal'``) or guidance weight (``'geometric'``); > 0.
    exponents : array-like of shape (n_experts,) or None, default=None
        Overrides the exponents ``gamma_k`` implied by ``target`` and ``beta``;
        their sum must be positive.
    target_class : object or None, default=None
        Class of the conditional expert of ``'geometric'``; ``None`` means the
        last class.
    noise : {"target_score", "tempered"}, default="target_score"
        Particle noise ``nu(t)``. ``'target_score'`` is ``nu = g`` (drift
        ``g^2 s_bar``); ``'tempered'`` is ``nu^2 = g^2 / sum_k gamma_k``
        (``g^2 / beta`` for annealing) with drift ``(g^2 + nu^2) / 2 s_bar``.
        The weights are the same for both (see Notes); the tempered noise
        degenerates them for ``beta >= 2``.
    weighting : bool, default=True
        Carry Feynman-Kac weights and resample; ``False`` gives plain score mixing.
    n_particles : int or None, default=None
        Number of particles (>= 2); ``None`` means ``n_samples``.
    ess_threshold : float, default=0.5
        Resample when the effective sample size falls below this fraction of
        the particles (1 resamples at every step, 0 only at the end).
    max_log_weight_step : float or None, default=None
        Clip each step's centered log-weight increments to
        ``[-max_log_weight_step, max_log_weight_step]`` (a biased safeguard
        against weight degeneracy); ``None`` means no clipping.
    prefit : bool, default=False
        The experts are already fitted: ``fit`` only validates them and reads
        their shared standardization (a bare score model: none).
    standardize : bool, default=True
        One scaler, fitted on all of ``X``, for every expert (so that the
        scores are evaluated at the same coordinates).
    random_state : int, RandomState or None, default=None
        Seeds the experts' fit and, unless ``sample`` gets its own, the sampler.

    Attributes
    ----------
    estimators_ : list of generators or score models
        The fitted experts: generators fitted on standardized data
        (``standardize=False``), or the given experts when ``prefit``.
    classes_ : ndarray or None
        Class labels (``'product'`` and ``'geometric'``).
    exponents_ : ndarray of shape (n_experts,)
        The exponents ``gamma_k``.
    mean_ : ndarray of shape (n_features,)
        Column means of the shared scaler.
    scale_ : ndarray of shape (n_features,)
        Column scales of the shared scaler.
    schedule_ : schedule object
        The shared noise schedule.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when ``X`` has string feature names.

    See Also
    --------
    DiffusionGenerator : One expert; the sampler core this estimator drives.

    Notes
    -----
    Weights for any particle noise ``nu``. Let ``b = -f x + c s_bar`` be the
    reverse-time drift and ``G`` the log-weight rate. The weighted particle
    density follows ``p_t`` when ``G = d_tau log p + div b + <b, s_bar> -
    nu^2 / 2 (div s_bar + ||s_bar||^2)``. Each expert's forward
    Fokker-Planck equation gives ``d_tau log q^k = d f + <f x, s_k> - g^2 / 2
    (div s_k + ||s_k||^2)``; summing with the weights ``gamma_k`` the
    ``<f x, .>`` terms cancel, the Laplacian ``div s_bar`` has coefficient
    ``c - (g^2 + nu^2) / 2``, zero for ``c = (g^2 + nu^2) / 2``, and what is
    left is ``G = g^2 / 2 (||s_bar||^2 - sum_k gamma_k ||s_k||^2)`` plus a
    constant, whatever ``nu``. ``'tempered'`` only changes the move.

    For one Gaussian expert of variance ``lam`` the unweighted particle
    variance solves a linear ODE in ``u = lam + s^2``; it ends at
    ``lam / (2 beta - 1)`` with target-score noise and at
    ``lam / beta^2`` with tempered noise, against the target ``lam / beta``.
    Importance weights from a Gaussian proposal of variance ratio ``r`` to
    the target have finite variance only when ``r > 1/2``: ``beta / (2 beta -
    1)`` always is, ``1 / beta`` is not for ``beta >= 2``. This is why the
    tempered-noise weights degenerate there even while the per-step ESS looks
    healthy (``sample_weighted`` reports it).

    The weights correct the discretized SDE only up to its step error: use a
    fine grid (a few hundred steps).

    References
    ----------
    .. [1] Skreta, M. et al. (2025). Feynman-Kac Correctors in Diffusion:
       Annealing, Guidance, and Product of Experts. arXiv:2503.02819.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import FeynmanKacCorrector
    >>> X = np.random.RandomState(0).normal(size=(2000, 2))
    >>> fkc = FeynmanKacCorrector(target="anneal", beta=2.0, random_state=0).fit(X)
    >>> samples = fkc.sample(4000)
    >>> print(np.round(samples.var(axis=0), 1))
    [0.5 0.5]
    >>> baseline = FeynmanKacCorrector(beta=2.0, weighting=False, random_state=0).fit(X)
    >>> print(np.round(baseline.sample(4000).var(axis=0), 1))
    [0.3 0.3]

    Gaussian experts make the target closed-form, so ``score_samples`` exists:

    >>> print(np.round(fkc.score_samples([[0.0, 0.0]]), 2))
    [-1.11]
    """

    _parameter_constraints = {
        "estimators": [list, None],
        "target": [StrOptions({"anneal", "product", "geometric"})],
        "beta": [Interval(numbers.Real, 0, None, closed="neither")],
        "exponents": ["array-like", None],
        "target_class": [object, None],
        "noise": [StrOptions({"target_score", "tempered"})],
        "weighting": ["boolean"],
        "n_particles": [Interval(numbers.Integral, 2, None, closed="left"), None],
        "ess_threshold": [Interval(numbers.Real, 0, 1, closed="both")],
        "max_log_weight_step": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "prefit": ["boolean"],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimators=None,
        target="anneal",
        beta=2.0,
        exponents=None,
        target_class=None,
        noise="target_score",
        weighting=True,
        n_particles=None,
        ess_threshold=0.5,
        max_log_weight_step=None,
        prefit=False,
        standardize=True,
        random_state=None,
    ):
        self.estimators = estimators
        self.target = target
        self.beta = beta
        self.exponents = exponents
        self.target_class = target_class
        self.noise = noise
        self.weighting = weighting
        self.n_particles = n_particles
        self.ess_threshold = ess_threshold
        self.max_log_weight_step = max_log_weight_step
        self.prefit = prefit
        self.standardize = standardize
        self.random_state = random_state

    def _n_experts(self, n_classes):
        return {"anneal": 1, "product": n_classes, "geometric": 2}[self.target]

    def _default_exponents(self, n_experts):
        if self.target == "anneal":
            return np.array([float(self.beta)])
        if self.target == "product":
            return np.ones(n_experts)
        return np.array([1.0 - self.beta, float(self.beta)])

    def fit(self, X, y=None):
        """Fit the experts on the standardized data (or validate prefitted ones).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN or infinity raise a ValueError.
        y : array-like of shape (n_samples,) or None, default=None
            Class labels; required by ``'product'`` and ``'geometric'``.

        Returns
        -------
        self : FeynmanKacCorrector
        """
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64)
        self.classes_ = None
        if self.target != "anneal":
            if y is None:
                raise ValueError(f"target={self.target!r} needs class labels y; got y=None.")
            y = np.asarray(y)
            if y.shape != (X.shape[0],):
                raise ValueError(f"y must have shape ({X.shape[0]},); got {y.shape}.")
            self.classes_ = np.unique(y)
            if self.classes_.size < 2:
                raise ValueError(f"target={self.target!r} needs at least 2 classes in y; got {self.classes_.size}.")
        n_experts = self._n_experts(0 if self.classes_ is None else self.classes_.size)
        estimators = self.estimators
        if estimators is None:
            estimators = [DiffusionGenerator(score_model="gaussian", n_steps=200)]
        if len(estimators) == 0:
            raise ValueError("estimators must be a non-empty list or None.")
        if len(estimators) == 1 and n_experts > 1 and not self.prefit:
            estimators = list(estimators) * n_experts
        if len(estimators) != n_experts:
            raise ValueError(f"target={self.target!r} needs {n_experts} estimators here; got {len(estimators)}.")
        for est in estimators:
            if not isinstance(est, _BaseScoreModel) and not (hasattr(est, "_time_grid") and hasattr(est, "fit")):
                raise TypeError(
                    "estimators must be DiffusionGenerator-like generators or score models (GaussianScoreModel, "
                    f"KernelScoreModel, ...); got {type(est).__name__}."
                )

        if self.exponents is None:
            self.exponents_ = self._default_exponents(n_experts)
        else:
            self.exponents_ = np.asarray(self.exponents, dtype=float).reshape(-1)
            if self.exponents_.size != n_experts or not np.all(np.isfinite(self.exponents_)):
                raise ValueError(f"exponents must be {n_experts} finite numbers; got {self.exponents!r}.")
        if not self.exponents_.sum() > 0:
            raise ValueError(f"the exponents must have a positive sum; got {self.exponents_.tolist()}.")

        if self.prefit:
            self._read_prefit(estimators)
        else:
            self._fit_experts(estimators, X, y)

        schedules = [_score_model(est).schedule_ for est in self.estimators_]
        if any(s != schedules[0] for s in schedules[1:]):
            raise ValueError(f"the experts must share one schedule; got {schedules}.")
        self.schedule_ = schedules[0]
        generators = [est for est in self.estimators_ if not isinstance(est, _BaseScoreModel)]
        if generators:
            self._grid = generators[0]._time_grid()
        else:
            self._grid = time_grid(self.schedule_, _DEFAULT_N_STEPS, t_min=_DEFAULT_T_MIN)
        self._check_proper()
        return self

    def _fit_experts(self, estimators, X, y):
        if self.standardize:
            self.mean_ = X.mean(axis=0)
            scale = X.std(axis=0)
            self.scale_ = np.where(scale > 1e-12 * np.maximum(1.0, np.abs(self.mean_)), scale, 1.0)
        else:
            self.mean_, self.scale_ = np.zeros(X.shape[1]), np.ones(X.shape[1])
        Z = (X - self.mean_) / self.scale_
        if self.target == "anneal":
            subsets = [Z]
        elif self.target == "product":
            subsets = [Z[y == c] for c in self.classes_]
        else:
            target_class = self.classes_[-1] if self.target_class is None else self.target_class
            if target_class not in self.classes_:
                raise ValueError(f"target_class={self.target_class!r} is not a class of y {self.classes_.tolist()}.")
            subsets = [Z, Z[y == target_class]]
        rng = check_random_state(self.random_state)
        self.estimators_ = []
        for est, Zk in zip(estimators, subsets):
            if isinstance(est, _BaseScoreModel):
                # a bare score model gets the default generator around it (which copies it, never fits it in place)
                est = DiffusionGenerator(score_model=est, n_steps=_DEFAULT_N_STEPS, t_min=_DEFAULT_T_MIN)
            est = clone(est).set_params(standardize=False, random_state=rng.randint(np.iinfo(np.int32).max))
            self.estimators_.append(est.fit(Zk))

    def _read_prefit(self, estimators):
        for est in estimators:
            if isinstance(est, _BaseScoreModel):
                if not hasattr(est, "schedule_"):
                    raise ValueError(f"prefit=True but the {type(est).__name__} expert is not fitted.")
            else:
                check_is_fitted(est)
        self.estimators_ = list(estimators)
        n_features = {est.n_features_in_ for est in estimators}
        if n_features != {self.n_features_in_}:
            raise ValueError(f"the experts were fitted on {sorted(n_features)} features; X has {self.n_features_in_}.")
        # a bare score model works in the units it was fitted in: the identity standardization
        d = self.n_features_in_
        units = [
            (np.zeros(d), np.ones(d)) if isinstance(est, _BaseScoreModel) else (est.mean_, est.scale_)
            for est in estimators
        ]
        mean, scale = units[0]
        for other_mean, other_scale in units[1:]:
            if not (np.allclose(other_mean, mean) and np.allclose(other_scale, scale)):
                raise ValueError("prefit experts must share one standardization (mean_ and scale_); they differ.")
        self.mean_, self.scale_ = np.array(mean, dtype=float), np.array(scale, dtype=float)

    def _gaussian_target(self, a, s):
        """Mean and precision of ``prod_k N(a mu_k, a^2 Sigma_k + s^2 I)^gamma_k`` (standardized units)."""
        precision, shift = 0.0, 0.0
        for gamma, est in zip(self.exponents_, self.estimators_):
            model = _score_model(est)
            P_k = np.linalg.inv(a**2 * model.covariance_ + s**2 * np.eye(self.n_features_in_))
            precision = precision + gamma * P_k
            shift = shift + gamma * P_k @ (a * model.mean_)
        precision = 0.5 * (precision + precision.T)
        if np.linalg.eigvalsh(precision).min() <= 0:
            raise ValueError(
                f"exponents {self.exponents_.tolist()} make the product of these Gaussian experts improper "
                "(non-positive precision)."
            )
        return np.linalg.solve(precision, shift), precision

    def _check_proper(self):
        # for Gaussian experts the target's precision is sum_k gamma_k P_k: it must stay positive definite,
        # for the data (t = 0) and for the marginal the sampler ends at (t_min, which score_samples returns)
        if not _all_experts_gaussian(self):
            return
        self._gaussian_target(1.0, 0.0)
        t_end = self._grid[-1]
        self._target_mean, self._target_precision = self._gaussian_target(
            float(self.schedule_.alpha(t_end)), float(self.schedule_.sigma(t_end))
        )

    def _noise_scale(self):
        if self.noise == "target_score":
            return 1.0
        return 1.0 / np.sqrt(self.exponents_.sum())

    def _run(self, n_samples, random_state):
        check_is_fitted(self)
        if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be an integer >= 1; got {n_samples!r}.")
        # without weights the particles are independent: exactly n_samples of them
        n = n_samples if (self.n_particles is None or not self.weighting) else self.n_particles
        if self.weighting:
            n = max(n, 2)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        mixture = _WeightedMixture([_score_model(est) for est in self.estimators_], self.exponents_, self.schedule_)
        grid = self._grid
        # each expert's prior is N(0, s(1)^2 I); their product has variance s(1)^2 / sum_k gamma_k
        start = float(self.schedule_.sigma(grid[0])) / np.sqrt(self.exponents_.sum())
        X0 = start * rng.standard_normal((n, self.n_features_in_))
        log_w = np.zeros(n)
        ess_trace, n_resamples = [], 0

        def correct(step, X, t, t_next):
            nonlocal log_w, n_resamples
            scores, mixed = mixture.last_scores, mixture.last_mixed
            sq = np.einsum("ij,ij->i", mixed, mixed) - sum(
                g * np.einsum("ij,ij->i", s, s) for g, s in zip(self.exponents_, scores)
            )
            g2 = float(self.schedule_.diffusion_squared(min(t, _SDE_T_MAX)))
            increment = 0.5 * (t - t_next) * g2 * sq
            increment = increment - increment.mean()
            if self.max_log_weight_step is not None:
                increment = np.clip(increment, -self.max_log_weight_step, self.max_log_weight_step)
            log_w = log_w + increment
            w = np.exp(log_w - log_w.max())
            w /= w.sum()
            ess = 1.0 / np.sum(w**2)
            ess_trace.append(ess)
            if step < grid.size - 2 and ess < self.ess_threshold * n:
                n_resamples += 1
                idx = systematic_resample(w, n, rng)
                log_w = np.zeros(n)
                return X[idx]
            return None

        X, _ = integrate(mixture, X0, grid, solver="euler_maruyama", callback=correct if self.weighting else None,
                         random_state=rng, noise_scale=self._noise_scale())
        log_w = log_w - logsumexp(log_w)
        final_ess = float(1.0 / np.sum(np.exp(2 * log_w)))
        if self.weighting and final_ess < 0.01 * n:
            warnings.warn(
                f"final effective sample size {final_ess:.1f} of {n} particles: the weights degenerated "
                "(disjoint experts, large beta); the samples are unreliable.",
                RuntimeWarning,
            )
        diagnostics = {"ess": np.asarray(ess_trace), "n_resamples": n_resamples, "final_ess": final_ess}
        return X, log_w, diagnostics, rng

    def sample_weighted(self, n_samples=1, random_state=None):
        """Weighted particles before the final resampling, with diagnostics.

        Parameters
        ----------
        n_samples : int, default=1
            Number of particles when ``n_particles`` is None (at least 2 are used with weighting).
        random_state : int, RandomState or None, default=None
            Seeds the sampler; ``None`` uses the estimator's ``random_state``.

        Returns
        -------
        X : ndarray of shape (n_particles, n_features)
            Particles in the units of the training data.
        log_weights : ndarray of shape (n_particles,)
            Normalized log weights (``logsumexp(log_weights) == 0``).
        diagnostics : dict
            ``"ess"`` (effective sample size after each step), ``"n_resamples"``
            and ``"final_ess"``.
        """
        Z, log_w, diagnostics, _ = self._run(n_samples, random_state)
        return Z * self.scale_ + self.mean_, log_w, diagnostics

    def sample(self, n_samples=1, random_state=None):
        """Equally weighted samples of the target (the particles resampled once by weight).

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples (>= 1).
        random_state : int, RandomState or None, default=None
            Seeds the sampler; ``None`` uses the estimator's ``random_state``.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Samples in the units of the training data.
        """
        Z, log_w, _, rng = self._run(n_samples, random_state)
        if self.weighting:
            Z = Z[systematic_resample(np.exp(log_w), n_samples, rng)]
            # systematic resampling keeps the particle order: shuffle so that any prefix is a fair draw
            Z = Z[rng.permutation(n_samples)]
        return Z * self.scale_ + self.mean_

    @available_if(_all_experts_gaussian)
    def score_samples(self, X):
        """Log density of the target at ``X`` (only when every expert is a Gaussian score model).

        With Gaussian experts the target is Gaussian, with precision
        ``sum_k gamma_k C_k^{-1}`` where ``C_k = a^2 Sigma_k + s^2 I`` is expert
        ``k``'s marginal at the sampler's end time ``t_min`` (as
        :meth:`DiffusionGenerator.score_samples`), and it is normalized
        exactly. For other experts the normalizer of the target is unknown and
        this method is not available.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points, in the units of the training data.

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        diff = (X - self.mean_) / self.scale_ - self._target_mean
        _, logdet_precision = np.linalg.slogdet(self._target_precision)
        quad = np.einsum("ij,ij->i", diff @ self._target_precision, diff)
        d = self.n_features_in_
        return 0.5 * (logdet_precision - quad - d * np.log(2 * np.pi)) - np.sum(np.log(self.scale_))

    @available_if(_all_experts_gaussian)
    def score(self, X, y=None):
        """Mean log density of ``X`` under the target (see :meth:`score_samples`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points, in the units of the training data.
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))
