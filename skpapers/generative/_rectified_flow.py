"""Rectified flow with logit-normal time sampling (FiTv2's scheduler and timestep sampler).

Also classifier-free guidance for class labels and the density of a learned
flow by the instantaneous change of variables.
"""

import functools
import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._generator import DiffusionGenerator
from ._schedules import RectifiedSchedule, time_grid
from ._score_models import GaussianScoreModel, RegressorScoreModel, _BaseScoreModel, check_score_model
from ._solvers import integrate

# sigmoid saturates to exactly 0 or 1 in float64 for |z| > ~37: keep times strictly inside (0, 1)
_T_CLIP = 1e-5


def logit_normal_timesteps(n_samples, loc=0.0, scale=1.0, random_state=None):
    """Draw times from the logit-normal distribution: ``t = sigmoid(z)``, ``z ~ N(loc, scale^2)``.

    The density ``exp(-(logit t - loc)^2 / (2 scale^2)) / (scale sqrt(2 pi) t (1 - t))``
    puts most training times at intermediate noise levels; FiTv2 trains its
    rectified flow with ``loc = 0, scale = 1``.

    Parameters
    ----------
    n_samples : int
        Number of times (>= 1).
    loc : float, default=0.0
        Mean of the underlying normal (positive values favour the noise end ``t = 1``).
    scale : float, default=1.0
        Standard deviation of the underlying normal (> 0).
    random_state : int, RandomState or None, default=None
        Seeds the draw.

    Returns
    -------
    t : ndarray of shape (n_samples,)
        Times in ``[1e-5, 1 - 1e-5]`` (saturated sigmoids are clipped).

    References
    ----------
    .. [1] Wang, Z. et al. (2024). FiTv2: Scalable and Improved Flexible Vision
       Transformer for Diffusion Model. arXiv:2410.13925.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import logit_normal_timesteps
    >>> t = logit_normal_timesteps(10000, random_state=0)
    >>> round(float(np.median(t)), 2), bool(t.min() > 0 and t.max() < 1)
    (0.5, True)
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be an integer >= 1; got {n_samples!r}.")
    for name, value in (("loc", loc), ("scale", scale)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise TypeError(f"{name} must be a finite real number; got {value!r}.")
    if scale <= 0:
        raise ValueError(f"scale must be > 0; got {scale!r}.")
    z = check_random_state(random_state).normal(loc, scale, size=n_samples)
    return np.clip(1.0 / (1.0 + np.exp(-z)), _T_CLIP, 1.0 - _T_CLIP)


def shift_timesteps(t, shift):
    """Shift times towards the noise end: ``t' = shift t / (1 + (shift - 1) t)``.

    The map fixes 0 and 1 and is increasing; ``shift > 1`` spends more of a
    time grid (or of the training times) at high noise, ``shift = 1`` is the
    identity. It is the resolution-dependent time shift of FiTv2 and SD3,
    kept here as a generic knob (``t = 1`` is noise).

    Parameters
    ----------
    t : float or array-like
        Times in ``[0, 1]``.
    shift : float
        Shift factor (> 0).

    Returns
    -------
    t_shifted : ndarray
        Same shape as ``t``.

    References
    ----------
    .. [1] Wang, Z. et al. (2024). FiTv2: Scalable and Improved Flexible Vision
       Transformer for Diffusion Model. arXiv:2410.13925.

    Examples
    --------
    >>> from skpapers.generative import shift_timesteps
    >>> shift_timesteps([0.0, 0.5, 1.0], shift=3.0)
    array([0.  , 0.75, 1.  ])
    """
    if isinstance(shift, bool) or not isinstance(shift, numbers.Real) or not np.isfinite(shift):
        raise TypeError(f"shift must be a finite real number; got {shift!r}.")
    if shift <= 0:
        raise ValueError(f"shift must be > 0; got {shift!r}.")
    t = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t)) or np.any((t < 0) | (t > 1)):
        raise ValueError("t must lie in [0, 1].")
    return shift * t / (1.0 + (shift - 1.0) * t)


def _draw_training_times(n, rng, kind, loc, scale, shift):
    """Training times for the regressor score model (module-level so that fitted models pickle)."""
    if kind == "uniform":
        t = rng.uniform(0.0, 1.0, size=n)
    else:
        t = logit_normal_timesteps(n, loc=loc, scale=scale, random_state=rng)
    return shift_timesteps(t, shift)


def _guidance_gain(t, scale, power):
    """``w(t) - 1`` of the power-cosine schedule ``w(t) = 1 + (w - 1)(1 - cos(pi t^p)) / 2``.

    ``p = 0`` gives ``t^0 = 1``, a constant ``w``; ``p > 0`` rises from 1 at
    the data end to ``w`` at the noise end. Written as ``w(t) - 1`` so that
    ``w = 1`` is exactly zero.
    """
    t = np.asarray(t, dtype=float)
    return (scale - 1.0) * 0.5 * (1.0 - np.cos(np.pi * t**power))


class _PerClassModel:
    """Each row's class model (closed-form score models: one fitted model per class)."""

    def __init__(self, models, codes):
        self.models, self.codes = models, codes
        self.schedule_ = models[0].schedule_

    def _dispatch(self, method, X, t):
        t = np.asarray(t, dtype=float)
        out = np.empty_like(X)
        for k in np.unique(self.codes):  # few classes: loop over classes, vectorised over rows
            rows = self.codes == k
            out[rows] = getattr(self.models[k], method)(X[rows], t if t.ndim == 0 else t.reshape(-1)[rows])
        return out

    def velocity(self, X, t):
        return self._dispatch("velocity", X, t)

    def score_function(self, X, t):
        return self._dispatch("score_function", X, t)


class _LastVelocity:
    """Caches the last velocity call, so the sampler and the guidance share one evaluation per step."""

    def __init__(self, model):
        self.model, self.schedule_ = model, model.schedule_
        self._key, self._value = None, None

    def velocity(self, X, t):
        if self._key is not None and self._key[0] is X and np.ndim(t) == 0 and self._key[1] == t:
            return self._value
        self._value = self.model.velocity(X, t)
        self._key = (X, t)
        return self._value

    def score_function(self, X, t):
        return self.model.score_function(X, t)


class _ClassifierFreeGuidance:
    """Velocity-space guidance hook: ``(w(t) - 1) (v_cond - v_unc)`` on top of the conditional flow.

    With the conditional velocity as the integrated model, the result is
    FiTv2's ``v_unc + w(t) (v_cond - v_unc)``.
    """

    velocity_space = True

    def __init__(self, conditional, unconditional, scale, power):
        self.conditional, self.unconditional = conditional, unconditional
        self.scale, self.power = scale, power

    def __call__(self, X, t):
        gain = _guidance_gain(t, self.scale, self.power)
        return gain * (self.conditional.velocity(X, t) - self.unconditional.velocity(X, t))


class _DivergenceFlow:
    """The flow of ``(x, l)`` with ``dl/dt = div v(x, t)`` (instantaneous change of variables).

    The divergence is the sum of central finite differences along the ``d``
    coordinates: ``2 d + 1`` velocity evaluations per call, in one batch.
    """

    def __init__(self, model, step):
        self.model, self.step = model, step
        self.schedule_ = model.schedule_

    def velocity(self, Y, t):
        X = Y[:, :-1]
        n, d = X.shape
        offsets = self.step * np.eye(d)[:, None, :]
        batch = np.concatenate([X[None], X[None] + offsets, X[None] - offsets]).reshape(-1, d)
        V = self.model.velocity(batch, t).reshape(2 * d + 1, n, d)
        divergence = np.einsum("jnj->n", V[1 : d + 1] - V[d + 1 :]) / (2.0 * self.step)
        return np.hstack([V[0], divergence[:, None]])


# central differences of the velocity in standardized units: O(h^2) truncation, ~1e-12 rounding
_FD_STEP = 1e-4
# rows per change-of-variables batch, times (2 d + 1) d velocity entries
_DENSITY_BATCH = 2**20


class RectifiedFlowGenerator(DiffusionGenerator):
    """Rectified-flow generator trained with logit-normal time sampling (FiTv2).

    The straight path ``x_t = (1 - t) x_0 + t eps`` joins the standardized
    data (``t = 0``) to ``N(0, I)`` noise (``t = 1``). A regressor learns the
    velocity ``u = eps - x_0`` by least squares on ``[x_t, phi(t)]`` rows
    whose times are drawn from the logit-normal law (``sigmoid(N(m, s^2))``,
    FiTv2's default ``m = 0, s = 1``) instead of uniformly; samples come from
    integrating ``dx/dt = v(x, t)`` from noise at ``t = 1`` down to ``t_min``.
    Closed-form score models (``"gaussian"``, ``"gmm"``, ``"kernel"``) give the
    exact velocity of their density and need no training times.

    Given class labels ``y``, the model is class-conditional and samples with
    classifier-free guidance: ``v = v_unc + w(t) (v_cond - v_unc)`` with
    FiTv2's power-cosine schedule ``w(t) = 1 + (w - 1)(1 - cos(pi t^p)) / 2``.

    Parameters
    ----------
    score_model : None, {"gaussian", "gmm", "kernel"}, score model or regressor, default=None
        ``None`` means ``RegressorScoreModel(MLPRegressor(hidden_layer_sizes=(64, 64),
        max_iter=200), target="velocity")``; an sklearn regressor is wrapped
        the same way. Both use this estimator's ``time_sampler``,
        ``logit_mean``, ``logit_std``, ``time_shift``, ``n_noise_draws`` and
        ``t_min``. A :class:`RegressorScoreModel` given as such keeps its own settings.
    time_sampler : {"logit_normal", "uniform"}, default="logit_normal"
        Law of the training times of a regressor score model.
    logit_mean : float, default=0.0
        Mean ``m`` of the logit-normal law.
    logit_std : float, default=1.0
        Standard deviation ``s`` of the logit-normal law (> 0).
    time_shift : float, default=1.0
        Shift of the training times and of the sampling grid (see
        :func:`shift_timesteps`); 1 is the identity, > 1 favours high noise.
    n_noise_draws : int, default=10
        Noisy copies of each training row (regressor score models).
    solver : {"euler", "heun", "euler_maruyama", "rk45"}, default="euler"
        Integrator of the flow (``"euler_maruyama"``: the reverse SDE).
    n_steps : int, default=50
        Steps of the fixed-step solvers.
    guidance_scale : float, default=1.0
        Classifier-free guidance scale ``w`` (>= 0) of class-conditional
        sampling: 1 samples the class-conditional model, 0 the unconditional
        one, ``w > 1`` pushes samples towards their class (FiTv2 samples with 1.5).
        Unused without ``y``.
    guidance_power : float, default=0.0
        Power ``p`` (>= 0) of the guidance schedule ``w(t) = 1 + (w - 1)(1 -
        cos(pi t^p)) / 2`` (``t = 1`` noise); 0 keeps ``w`` constant, ``p > 0``
        fades the guidance out towards the data end.
    label_dropout : float, default=0.1
        Probability (in ``[0, 1)``) that a noisy training copy of a regressor
        score model gets the null label (all-zero one-hot) instead of its
        class, so that the same regressor learns the unconditional velocity.
        Closed-form score models fit one model per class plus one on all rows
        instead, and ignore it.
    teleport : float or None, default=None
        Fraction of the time grid replaced by the exact Gaussian solution
        (see :class:`DiffusionGenerator`); unconditional sampling only.
    standardize : bool, default=True
        Fit on standardized columns (constant columns get scale 1).
    t_min : float, default=1e-3
        End time of sampling, smallest training time, and time of the density
        returned by ``score_samples``.
    random_state : int, RandomState or None, default=None
        Seeds the training noise and times, the regressor (if it has no seed
        of its own) and, unless ``sample`` gets its own, the samples.

    Attributes
    ----------
    model_ : score model
        The fitted score model (standardized units); with ``y``, the
        unconditional one (a regressor predicts it with the null label).
    class_models_ : list of score models
        One fitted closed-form score model per class, in the order of
        ``classes_``. Only when fitted with ``y`` and a closed-form score model.
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in ``fit``. Only when fitted with ``y``.
    gaussian_model_ : GaussianScoreModel
        Gaussian fitted to the standardized data (teleportation).
    schedule_ : RectifiedSchedule
    solver_ : str
    train_loss_ : float
        Mean squared velocity error on the training rows; only for regressor score models.
    mean_ : ndarray of shape (n_features,)
    scale_ : ndarray of shape (n_features,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when ``X`` has string feature names.

    See Also
    --------
    DiffusionGenerator : The generic generator this class specialises.
    sklearn.mixture.GaussianMixture : Mixture density with exact sampling.

    Notes
    -----
    ``score_samples`` is the log density of the ``t_min`` marginal: exact for
    closed-form score models; for regressor score models it integrates the
    instantaneous change of variables ``log p(x) = log N(x_1; 0, I) +
    integral of div v(x_t, t) dt`` from ``t_min`` to 1 along the flow, with
    the sampling solver and grid (``"euler_maruyama"`` uses Heun) and the
    divergence by central finite differences (``2 d + 1`` velocity
    evaluations per step), so its error shrinks with ``n_steps``. With ``y``
    it is the density of the unconditional model.

    References
    ----------
    .. [1] Wang, Z. et al. (2024). FiTv2: Scalable and Improved Flexible Vision
       Transformer for Diffusion Model. arXiv:2410.13925.
    .. [2] Liu, X., Gong, C. and Liu, Q. (2022). Flow Straight and Fast:
       Learning to Generate and Transfer Data with Rectified Flow. arXiv:2209.03003.
    .. [3] Ho, J. and Salimans, T. (2022). Classifier-Free Diffusion Guidance.
       arXiv:2207.12598.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import RectifiedFlowGenerator
    >>> X = np.random.RandomState(0).multivariate_normal([1, -1], [[1, 0.8], [0.8, 1]], size=2000)
    >>> gen = RectifiedFlowGenerator(score_model="gaussian", solver="heun", n_steps=20, random_state=0).fit(X)
    >>> samples = gen.sample(4000)
    >>> np.round(samples.mean(axis=0), 1), np.round(np.corrcoef(samples.T)[0, 1], 1)
    (array([ 1., -1.]), np.float64(0.8))

    Class-conditional sampling with classifier-free guidance (two classes
    centred at -1 and +1): a larger scale moves samples further into their class.

    >>> rng = np.random.RandomState(0)
    >>> y = np.repeat([0, 1], 500)
    >>> X = rng.normal(size=(1000, 1)) + np.where(y == 1, 1.0, -1.0)[:, None]
    >>> gen = RectifiedFlowGenerator(score_model="gaussian", solver="heun", n_steps=20, random_state=0).fit(X, y)
    >>> [round(float(gen.set_params(guidance_scale=w).sample(2000, y=1).mean()), 1) for w in (1.0, 3.0)]
    [0.9, 1.9]
    """

    _parameter_constraints = {
        "score_model": [None, StrOptions({"gaussian", "gmm", "kernel"}), _BaseScoreModel, object],
        "time_sampler": [StrOptions({"logit_normal", "uniform"})],
        "logit_mean": [Interval(numbers.Real, None, None, closed="neither")],
        "logit_std": [Interval(numbers.Real, 0, None, closed="neither")],
        "time_shift": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_noise_draws": [Interval(numbers.Integral, 1, None, closed="left")],
        "solver": [StrOptions({"euler", "heun", "euler_maruyama", "rk45"})],
        "n_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "guidance_scale": [Interval(numbers.Real, 0, None, closed="left")],
        "guidance_power": [Interval(numbers.Real, 0, None, closed="left")],
        "label_dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "teleport": [None, Interval(numbers.Real, 0, 1, closed="left")],
        "standardize": ["boolean"],
        "t_min": [Interval(numbers.Real, 0, 0.5, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        score_model=None,
        time_sampler="logit_normal",
        logit_mean=0.0,
        logit_std=1.0,
        time_shift=1.0,
        n_noise_draws=10,
        solver="euler",
        n_steps=50,
        guidance_scale=1.0,
        guidance_power=0.0,
        label_dropout=0.1,
        teleport=None,
        standardize=True,
        t_min=1e-3,
        random_state=None,
    ):
        self.score_model = score_model
        self.time_sampler = time_sampler
        self.logit_mean = logit_mean
        self.logit_std = logit_std
        self.time_shift = time_shift
        self.n_noise_draws = n_noise_draws
        self.solver = solver
        self.n_steps = n_steps
        self.guidance_scale = guidance_scale
        self.guidance_power = guidance_power
        self.label_dropout = label_dropout
        self.teleport = teleport
        self.standardize = standardize
        self.t_min = t_min
        self.random_state = random_state

    def _make_score_model(self):
        sampler = functools.partial(
            _draw_training_times, kind=self.time_sampler, loc=float(self.logit_mean),
            scale=float(self.logit_std), shift=float(self.time_shift),
        )
        if self.score_model is None:
            from sklearn.neural_network import MLPRegressor

            estimator = MLPRegressor(hidden_layer_sizes=(64, 64), max_iter=200)
        elif isinstance(self.score_model, str) or isinstance(self.score_model, _BaseScoreModel):
            return check_score_model(self.score_model)
        elif hasattr(self.score_model, "fit") and hasattr(self.score_model, "predict"):
            estimator = self.score_model
        else:
            return check_score_model(self.score_model)  # raises the TypeError
        return RegressorScoreModel(estimator, target="velocity", n_noise_draws=self.n_noise_draws,
                                   time_sampler=sampler, t_min=self.t_min)

    def fit(self, X, y=None):
        """Fit the velocity (score) model to ``X``, class-conditional if ``y`` is given.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN or infinity raise a ValueError.
        y : array-like of shape (n_samples,) or None, default=None
            Class labels (at least two classes) for class-conditional sampling
            with classifier-free guidance. A regressor score model gets the
            one-hot label appended to its input (the null label with
            probability ``label_dropout``); a closed-form score model is fitted
            once per class and once on all rows.

        Returns
        -------
        self : RectifiedFlowGenerator
        """
        self._validate_params()
        if y is None:
            X = validate_data(self, X, dtype=np.float64)
        else:
            X, y = validate_data(self, X, y, dtype=np.float64)
            check_classification_targets(y)
            classes, codes = np.unique(y, return_inverse=True)
            if classes.size < 2:
                raise ValueError(
                    f"y must contain at least 2 classes for classifier-free guidance; got 1 class "
                    f"({classes[0]}). Fit without y for an unconditional model."
                )
        for name in ("classes_", "class_models_"):  # a refit without y forgets the classes
            self.__dict__.pop(name, None)
        if self.standardize:
            self.mean_ = X.mean(axis=0)
            scale = X.std(axis=0)
            self.scale_ = np.where(scale > 1e-12 * np.maximum(1.0, np.abs(self.mean_)), scale, 1.0)
        else:
            self.mean_, self.scale_ = np.zeros(X.shape[1]), np.ones(X.shape[1])
        Z = (X - self.mean_) / self.scale_
        self.schedule_ = RectifiedSchedule()
        self.solver_ = self.solver
        model = self._make_score_model()
        rng = check_random_state(self.random_state)
        seed = rng.randint(np.iinfo(np.int32).max)
        if y is not None and isinstance(model, RegressorScoreModel):
            onehot = np.eye(classes.size)[codes]
            self.model_ = model.fit(Z, self.schedule_, random_state=seed, condition=onehot,
                                    condition_dropout=float(self.label_dropout))
        else:
            self.model_ = model.fit(Z, self.schedule_, random_state=seed)
            if y is not None:
                self.class_models_ = [self._fit_class_model(Z[codes == k], classes[k], rng)
                                      for k in range(classes.size)]
        if y is not None:
            self.classes_ = classes
            self._null_label_trained = not isinstance(model, RegressorScoreModel) or self.label_dropout > 0
        if isinstance(self.model_, GaussianScoreModel):
            self.gaussian_model_ = self.model_
        else:
            self.gaussian_model_ = GaussianScoreModel().fit(Z, self.schedule_)
        self.gaussian_mean_ = self.gaussian_model_.mean_
        self.gaussian_cov_ = self.gaussian_model_.covariance_
        if hasattr(self.model_, "train_loss_"):
            self.train_loss_ = self.model_.train_loss_
        return self

    def _fit_class_model(self, Z, label, rng):
        try:
            return self._make_score_model().fit(Z, self.schedule_, random_state=rng.randint(np.iinfo(np.int32).max))
        except ValueError as err:  # e.g. a mixture on a class with a single row
            raise ValueError(f"Fitting the score model to class {label} of y ({Z.shape[0]} row(s)) failed: "
                             f"{err}") from err

    def _time_grid(self):
        grid = time_grid(self.schedule_, self.n_steps, t_min=self.t_min)
        if self.time_shift != 1.0:
            grid = shift_timesteps(grid, float(self.time_shift))
            grid[-1] = self.t_min
        return grid

    def _standardize(self, X, t):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return (X - self.mean_) / self.scale_

    def _class_codes(self, y, n):
        """Class indices of ``y`` (a scalar class or one label per row) for ``n`` rows."""
        if not hasattr(self, "classes_"):
            raise ValueError("y was given, but this model was fitted without class labels; fit(X, y) first.")
        labels = np.asarray(y)
        if labels.ndim == 0:
            labels = np.repeat(labels.reshape(1), n)
        if labels.ndim != 1 or labels.shape[0] != n:
            raise ValueError(f"y must be a scalar class or an array of {n} labels; got shape {np.shape(y)}.")
        known = np.isin(labels, self.classes_)
        if not np.all(known):
            raise ValueError(
                f"y contains classes not seen in fit: {np.unique(labels[~known])[:5].tolist()}; "
                f"the fitted classes are {self.classes_.tolist()}."
            )
        return np.searchsorted(self.classes_, labels)

    def _conditional_model(self, codes):
        if hasattr(self, "class_models_"):
            return _PerClassModel(self.class_models_, codes)
        return self.model_.with_condition(np.eye(self.classes_.size)[codes])

    def _check_guidance(self):
        # set_params between fit and sample (e.g. a new guidance_scale) bypasses fit's validation
        self._validate_params()
        if self.guidance_scale != 1 and not self._null_label_trained:
            raise ValueError(
                f"guidance_scale={self.guidance_scale} needs the unconditional velocity, which a regressor "
                "score model learns only with label_dropout > 0; refit with label_dropout > 0 or use "
                "guidance_scale=1."
            )

    def velocity(self, X, t, y=None):
        """Flow velocity ``dx/dt`` at ``(X, t)`` in the units of the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        t : float or array-like of shape (n_samples,)
            Times in ``[0, 1]`` (``t = 0`` data, ``t = 1`` noise).
        y : label, array-like of shape (n_samples,) or None, default=None
            Class(es) of the rows: the guided velocity ``v_unc + w(t) (v_cond -
            v_unc)`` that ``sample(y=...)`` integrates. ``None``: the
            unconditional velocity.

        Returns
        -------
        v : ndarray of shape (n_samples, n_features)
        """
        Z = self._standardize(X, t)
        if y is None:
            return self.model_.velocity(Z, t) * self.scale_
        codes = self._class_codes(y, Z.shape[0])
        self._check_guidance()
        v = self._conditional_model(codes).velocity(Z, t)
        if self.guidance_scale != 1:
            gain = _guidance_gain(t, float(self.guidance_scale), float(self.guidance_power))
            gain = gain.reshape(-1, 1) if gain.ndim else gain
            v = v + gain * (v - self.model_.velocity(Z, t))
        return v * self.scale_

    def denoise(self, X, t):
        """Posterior mean ``E[x_0 | x_t = X]`` in the units of the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        t : float or array-like of shape (n_samples,)

        Returns
        -------
        x0 : ndarray of shape (n_samples, n_features)
        """
        return self.model_.denoise(self._standardize(X, t), t) * self.scale_ + self.mean_

    def score_function(self, X, t):
        """Score ``grad_x log p_t(X)`` in the units of the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        t : float or array-like of shape (n_samples,)
            Times in ``(0, 1]``.

        Returns
        -------
        score : ndarray of shape (n_samples, n_features)
        """
        return self.model_.score_function(self._standardize(X, t), t) / self.scale_

    def sample(self, n_samples=1, random_state=None, y=None):
        """Generate samples, class-conditional with classifier-free guidance if ``y`` is given.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples (>= 1).
        random_state : int, RandomState or None, default=None
            Seeds the start noise and the SDE noise; ``None`` uses the
            estimator's ``random_state``.
        y : label, array-like of shape (n_samples,) or None, default=None
            Class of every sample (a scalar) or of each sample; needs a model
            fitted with ``y``. ``None`` samples the unconditional model.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Samples in the units of the training data.
        """
        check_is_fitted(self)
        if y is None:
            return super().sample(n_samples, random_state)
        if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be an integer >= 1; got {n_samples!r}.")
        codes = self._class_codes(y, n_samples)
        self._check_guidance()
        if self.teleport:
            raise ValueError("teleport applies to unconditional sampling only (its Gaussian ignores the classes); "
                             "set teleport=None to sample with y.")
        conditional = _LastVelocity(self._conditional_model(codes))
        guidance = None
        if self.guidance_scale != 1:
            guidance = _ClassifierFreeGuidance(conditional, self.model_, float(self.guidance_scale),
                                               float(self.guidance_power))
        Z, _ = self._sample(n_samples, random_state, guidance=guidance, model=conditional)
        return Z * self.scale_ + self.mean_

    def score_samples(self, X):
        """Log density of the ``t_min`` marginal at ``X``.

        Exact for closed-form score models; for regressor score models, the
        instantaneous change of variables along the flow (see Notes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        Z = (X - self.mean_) / self.scale_
        log_scale = np.sum(np.log(self.scale_))
        if hasattr(self.model_, "log_density"):
            return self.model_.log_density(Z, self.t_min) - log_scale
        if hasattr(self, "classes_") and not self._null_label_trained:
            raise ValueError("score_samples needs the unconditional velocity, which a regressor score model "
                             "learns only with label_dropout > 0.")
        n, d = Z.shape
        grid = self._time_grid()[::-1]  # from the data end (t_min) forward to the noise at t = 1
        solver = "heun" if self.solver_ == "euler_maruyama" else self.solver_
        flow = _DivergenceFlow(self.model_, _FD_STEP)
        out = np.empty(n)
        batch = max(1, _DENSITY_BATCH // ((2 * d + 1) * d))
        for start in range(0, n, batch):
            rows = slice(start, start + batch)
            Y, _ = integrate(flow, np.hstack([Z[rows], np.zeros((Z[rows].shape[0], 1))]), grid, solver=solver)
            x1, divergence_integral = Y[:, :d], Y[:, d]
            out[rows] = -0.5 * np.sum(x1**2, axis=1) - 0.5 * d * np.log(2 * np.pi) + divergence_integral
        return out - log_scale

    def score(self, X, y=None):
        """Mean log density of ``X`` (see :meth:`score_samples`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))
