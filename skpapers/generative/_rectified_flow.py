"""Rectified flow with logit-normal time sampling (FiTv2's scheduler and timestep sampler)."""

import functools
import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._generator import DiffusionGenerator
from ._schedules import RectifiedSchedule, time_grid
from ._score_models import GaussianScoreModel, RegressorScoreModel, _BaseScoreModel, check_score_model

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
    teleport : float or None, default=None
        Fraction of the time grid replaced by the exact Gaussian solution
        (see :class:`DiffusionGenerator`).
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
        The fitted score model (standardized units).
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
    ``score_samples`` exists only for closed-form score models (the log
    density of their ``t_min`` marginal). Class-conditional training with
    classifier-free guidance is not implemented.

    References
    ----------
    .. [1] Wang, Z. et al. (2024). FiTv2: Scalable and Improved Flexible Vision
       Transformer for Diffusion Model. arXiv:2410.13925.
    .. [2] Liu, X., Gong, C. and Liu, Q. (2022). Flow Straight and Fast:
       Learning to Generate and Transfer Data with Rectified Flow. arXiv:2209.03003.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import RectifiedFlowGenerator
    >>> X = np.random.RandomState(0).multivariate_normal([1, -1], [[1, 0.8], [0.8, 1]], size=2000)
    >>> gen = RectifiedFlowGenerator(score_model="gaussian", solver="heun", n_steps=20, random_state=0).fit(X)
    >>> samples = gen.sample(4000)
    >>> np.round(samples.mean(axis=0), 1), np.round(np.corrcoef(samples.T)[0, 1], 1)
    (array([ 1., -1.]), np.float64(0.8))
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
        """Fit the velocity (score) model to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN or infinity raise a ValueError.
        y : None
            Ignored.

        Returns
        -------
        self : RectifiedFlowGenerator
        """
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64)
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
        self.model_ = model.fit(Z, self.schedule_, random_state=rng.randint(np.iinfo(np.int32).max))
        if isinstance(self.model_, GaussianScoreModel):
            self.gaussian_model_ = self.model_
        else:
            self.gaussian_model_ = GaussianScoreModel().fit(Z, self.schedule_)
        self.gaussian_mean_ = self.gaussian_model_.mean_
        self.gaussian_cov_ = self.gaussian_model_.covariance_
        if hasattr(self.model_, "train_loss_"):
            self.train_loss_ = self.model_.train_loss_
        return self

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

    def velocity(self, X, t):
        """Flow velocity ``dx/dt`` at ``(X, t)`` in the units of the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        t : float or array-like of shape (n_samples,)
            Times in ``[0, 1]`` (``t = 0`` data, ``t = 1`` noise).

        Returns
        -------
        v : ndarray of shape (n_samples, n_features)
        """
        return self.model_.velocity(self._standardize(X, t), t) * self.scale_

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
