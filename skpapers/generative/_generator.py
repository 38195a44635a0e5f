"""The generic diffusion generator: a score model, a schedule and a solver."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ._schedules import _BaseSchedule, check_schedule, time_grid
from ._score_models import GaussianScoreModel, _BaseScoreModel, check_score_model
from ._solvers import SOLVERS, integrate


def _has_closed_form_density(estimator):
    check_is_fitted(estimator)
    return hasattr(estimator.model_, "log_density")


class DiffusionGenerator(DensityMixin, BaseEstimator):
    """Diffusion generative model: fit a score model, sample by integrating backwards in time.

    The forward process is ``x_t = a(t) x_0 + s(t) eps`` (``t = 0`` data,
    ``t = 1`` noise). Sampling starts from ``N(0, s(1)^2 I)`` at ``t = 1`` and
    integrates the probability-flow ODE (or the reverse SDE) to ``t_min``.
    With ``teleport`` the first part of the time grid is replaced by the exact
    solution of the Gaussian model fitted to the data (analytical
    teleportation); the score model then takes over for the remaining steps.

    Parameters
    ----------
    score_model : {"gaussian", "gmm", "kernel"}, score model or regressor, default="gaussian"
        ``"gaussian"`` is :class:`GaussianScoreModel`, ``"gmm"``
        :class:`GaussianMixtureScoreModel`, ``"kernel"`` :class:`KernelScoreModel`
        (bandwidth 0: the training set). An sklearn regressor is wrapped in
        :class:`RegressorScoreModel`. The given object is copied, never fitted in place.
    schedule : {"ve", "vp", "rectified"} or schedule object, default="ve"
        Noise schedule (see :class:`VarianceExplodingSchedule` and siblings).
    solver : {"auto", "exact", "euler", "heun", "euler_maruyama", "rk45"}, default="auto"
        ``"exact"`` jumps from ``t = 1`` to ``t_min`` with the closed-form
        Gaussian solution (Gaussian score model only); ``"auto"`` means
        ``"exact"`` for the Gaussian score model and ``"heun"`` otherwise.
    n_steps : int, default=50
        Steps of the fixed-step solvers.
    time_spacing : {"uniform", "edm"}, default="uniform"
        Time grid: uniform in t, or Karras et al.'s ``rho = 7`` grid in ``s/a``.
    t_min : float, default=1e-3
        End time of sampling (and time of the density returned by ``score_samples``).
    teleport : float or None, default=None
        Fraction of the time grid (``0 <= teleport < 1``) replaced by the exact
        Gaussian solution; ``None`` or 0 means off. Exact only for Gaussian
        data; the start noise ``N(0, s(1)^2 I)`` ignores the data mean and
        covariance, a small bias when ``s(1)`` is large.
    standardize : bool, default=True
        Fit on standardized columns (constant columns get scale 1) and return
        samples in the original units.
    random_state : int, RandomState or None, default=None
        Seeds the fit of random score models and, unless ``sample`` gets its
        own, the samples.

    Attributes
    ----------
    model_ : score model
        The fitted score model (in standardized units).
    gaussian_model_ : GaussianScoreModel
        Gaussian fitted to the standardized data, used for teleportation.
    gaussian_mean_ : ndarray of shape (n_features,)
        Its mean.
    gaussian_cov_ : ndarray of shape (n_features, n_features)
        Its covariance.
    schedule_ : schedule object
        The schedule (an object, also when given by name).
    solver_ : str
        The solver used (``"auto"`` resolved).
    mean_ : ndarray of shape (n_features,)
        Column means (zeros without standardization).
    scale_ : ndarray of shape (n_features,)
        Column scales (ones without standardization).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when ``X`` has string feature names.

    See Also
    --------
    sklearn.mixture.GaussianMixture : Mixture density with exact sampling.
    sklearn.neighbors.KernelDensity : Kernel density with exact sampling.

    References
    ----------
    .. [1] Wang, B. and Vastola, J. J. (2023). The Unreasonable Effectiveness of
       Gaussian Score Approximation for Diffusion Models and its Applications.
       arXiv:2311.10892.
    .. [2] Wang, Z. et al. (2024). FiTv2: Scalable and Improved Flexible Vision
       Transformer for Diffusion Model. arXiv:2410.13925.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import DiffusionGenerator
    >>> X = np.random.RandomState(0).multivariate_normal([1, -1], [[1, 0.8], [0.8, 1]], size=2000)
    >>> gen = DiffusionGenerator(score_model="gaussian", random_state=0).fit(X)
    >>> samples = gen.sample(4000)
    >>> np.round(np.corrcoef(samples.T)[0, 1], 1)
    np.float64(0.8)
    >>> gen = DiffusionGenerator(score_model="kernel", schedule="vp", n_steps=20, teleport=0.3, random_state=0)
    >>> gen.fit(X).sample(3).shape
    (3, 2)
    """

    _parameter_constraints = {
        "score_model": [StrOptions({"gaussian", "gmm", "kernel"}), _BaseScoreModel, object],
        "schedule": [StrOptions({"ve", "vp", "rectified"}), _BaseSchedule],
        "solver": [StrOptions({"auto", "exact", *SOLVERS})],
        "n_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "time_spacing": [StrOptions({"uniform", "edm"})],
        "t_min": [Interval(numbers.Real, 0, 0.5, closed="neither")],
        "teleport": [None, Interval(numbers.Real, 0, 1, closed="left")],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        score_model="gaussian",
        schedule="ve",
        solver="auto",
        n_steps=50,
        time_spacing="uniform",
        t_min=1e-3,
        teleport=None,
        standardize=True,
        random_state=None,
    ):
        self.score_model = score_model
        self.schedule = schedule
        self.solver = solver
        self.n_steps = n_steps
        self.time_spacing = time_spacing
        self.t_min = t_min
        self.teleport = teleport
        self.standardize = standardize
        self.random_state = random_state

    def fit(self, X, y=None):
        """Fit the score model (and the teleportation Gaussian) to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN or infinity raise a ValueError.
        y : None
            Ignored.

        Returns
        -------
        self : DiffusionGenerator
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
        self.schedule_ = check_schedule(self.schedule)
        model = check_score_model(self.score_model)
        self.solver_ = self.solver
        if self.solver == "auto":
            self.solver_ = "exact" if isinstance(model, GaussianScoreModel) else "heun"
        if self.solver_ == "exact" and not isinstance(model, GaussianScoreModel):
            raise ValueError("solver='exact' needs score_model='gaussian' (a GaussianScoreModel).")
        rng = check_random_state(self.random_state)
        self.model_ = model.fit(Z, self.schedule_, random_state=rng.randint(np.iinfo(np.int32).max))
        if isinstance(model, GaussianScoreModel):
            self.gaussian_model_ = self.model_
        else:
            self.gaussian_model_ = GaussianScoreModel().fit(Z, self.schedule_)
        self.gaussian_mean_ = self.gaussian_model_.mean_
        self.gaussian_cov_ = self.gaussian_model_.covariance_
        return self

    def _time_grid(self):
        return time_grid(self.schedule_, self.n_steps, t_min=self.t_min, spacing=self.time_spacing)

    def _sample(self, n_samples, random_state=None, guidance=None, callback=None, model=None):
        """Samples in standardized units and the number of score-model evaluations.

        ``guidance`` and ``callback`` are the solver hooks (see ``_solvers``);
        subclasses implementing guided or reweighted samplers pass them here.
        ``model`` replaces ``model_`` as the integrated score model (e.g. a
        class-conditional one); the exact Gaussian jump then does not apply.
        """
        check_is_fitted(self)
        if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be an integer >= 1; got {n_samples!r}.")
        rng = check_random_state(self.random_state if random_state is None else random_state)
        grid = self._time_grid()
        start = float(self.schedule_.sigma(grid[0])) * rng.standard_normal((n_samples, self.n_features_in_))
        if self.solver_ == "exact" and guidance is None and callback is None and model is None:
            return self.gaussian_model_.pf_ode_solution(start, grid[0], grid[-1]), 0
        skip = 0
        if self.teleport:
            skip = min(int(round(self.teleport * self.n_steps)), self.n_steps - 1)
            if skip > 0:
                start = self.gaussian_model_.pf_ode_solution(start, grid[0], grid[skip])
        solver = "heun" if self.solver_ == "exact" else self.solver_
        model = self.model_ if model is None else model
        return integrate(model, start, grid[skip:], solver=solver, guidance=guidance, callback=callback,
                         random_state=rng)

    def sample(self, n_samples=1, random_state=None):
        """Generate samples.

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
        Z, _ = self._sample(n_samples, random_state)
        return Z * self.scale_ + self.mean_

    @available_if(_has_closed_form_density)
    def score_samples(self, X):
        """Log density of the ``t_min`` marginal at ``X`` (closed-form score models only).

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
        return self.model_.log_density(Z, self.t_min) - np.sum(np.log(self.scale_))

    @available_if(_has_closed_form_density)
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
