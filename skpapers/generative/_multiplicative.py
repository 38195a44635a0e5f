"""Multiplicative (geometric Brownian motion) diffusion for positive data: the Dale-Langevin sampler."""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ._schedules import VarianceExplodingSchedule, time_grid
from ._score_models import GaussianScoreModel, RegressorScoreModel, _BaseScoreModel, check_score_model

# exp(700) is close to the largest finite float64
_LOG_CLIP = 700.0


def _has_closed_form_density(estimator):
    check_is_fitted(estimator)
    return hasattr(estimator.model_, "log_density")


class MultiplicativeDiffusionGenerator(DensityMixin, BaseEstimator):
    """Multiplicative-noise diffusion for positive data, sampled with sign-preserving updates.

    The forward process is geometric Brownian motion,
    ``dX = mu X dt + g X dW`` (coordinate-wise), whose logarithm
    ``Y = log X`` is an additive diffusion with shift
    ``m_t = int_0^t (mu - g^2/2)`` and variance ``s_t^2 = int_0^t g^2``: every
    marginal is log-normal around the data. The score model of the shared core
    is fitted on (standardized) log data with the variance-exploding schedule;
    the Hyvarinen score ``h(x) = x * grad_x log p(x)`` follows from the
    log-space score by the Jacobian identity ``grad_y log p_Y = h + 1``.
    The Dale-Langevin sampler steps in log space and exponentiates,
    ``x <- x * exp(-M + G (3/2 + h(x)) + sqrt(G) z)`` with
    ``G = s^2(t_k) - s^2(t_{k-1})`` and ``M`` the integrated drift, so samples
    stay positive. The ambient (sign-agnostic) Euler-Maruyama sampler
    ``x <- x * (1 - M + G (2 + h(x)) + sqrt(G) z)`` agrees to first order and
    can cross zero.

    Parameters
    ----------
    score_model : {"gaussian", "gmm", "kernel"}, score model or regressor, default="gaussian"
        Score model of the standardized log data: ``"gaussian"`` (log-normal
        data in closed form), ``"gmm"``, ``"kernel"`` (log-space kernel score,
        bandwidth 0), a score model object, or an sklearn regressor trained by
        multiplicative denoising score matching (it predicts the log-space
        noise ``z`` from ``(log x_t, t)``; ``h = -1 - z_hat / s_t``).
    sampler : {"dale", "ambient"}, default="dale"
        ``"dale"`` is the exponentiated (sign-preserving) update; ``"ambient"``
        the Euler-Maruyama update in ``x``, which warns when a value becomes
        non-positive. Rows that cross zero are frozen there (their score is
        undefined) and keep their sign in the output.
    drift : "lamperti" or float, default="lamperti"
        GBM drift ``mu``: ``"lamperti"`` means ``mu = g^2 / 2`` (the log
        process is a pure variance-exploding diffusion); a float is a constant
        drift per unit time ``t in [0, 1]``, in standardized log units.
    sigma_min : float, default=0.01
        Log-space noise level at ``t = 0``.
    sigma_max : float, default=10.0
        Log-space noise level at ``t = 1``.
    n_steps : int, default=500
        Sampler steps.
    n_noise_draws : int, default=10
        Noisy copies of each row when a regressor is trained.
    standardize : bool, default=True
        Standardize each log feature, ``x = exp(c) * x'^sd``, which keeps
        updates multiplicative in the original units.
    pseudocount : float or None, default=None
        ``None`` requires ``X > 0`` (the model: GBM has no zeros). A positive
        value is a user choice outside the paper: non-negative data are
        modelled as ``X + pseudocount`` and samples are returned with the
        pseudocount subtracted (so they are ``> -pseudocount``); densities
        and Hyvarinen scores are those of ``X + pseudocount``.
    teleport : float or None, default=None
        Fraction of the time grid (``0 <= teleport < 1``) replaced by the
        exact solution of the log-space Gaussian probability-flow ODE.
    random_state : int, RandomState or None, default=None
        Seeds the fit of random score models and, unless ``sample`` gets its
        own, the samples.

    Attributes
    ----------
    model_ : score model
        The fitted log-space score model.
    gaussian_model_ : GaussianScoreModel
        Gaussian fitted to the standardized log data (used for teleportation).
    schedule_ : VarianceExplodingSchedule
        The log-space noise schedule.
    log_mean_ : ndarray of shape (n_features,)
        Mean ``c`` of ``log X`` (zeros without standardization).
    log_scale_ : ndarray of shape (n_features,)
        Standard deviation ``sd`` of ``log X`` (ones without standardization).
    train_loss_ : float
        Training mean squared error of a regressor score model (only then).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when ``X`` has string feature names.

    See Also
    --------
    DiffusionGenerator : Additive-noise diffusion on the raw scale.
    sklearn.neighbors.KernelDensity : Kernel density with exact sampling.

    References
    ----------
    .. [1] Shetty, N., Prasath, M. and Seelamantula, C. S. (2025). Dale meets
       Langevin: A Multiplicative Denoising Diffusion Model. arXiv:2510.02730.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import MultiplicativeDiffusionGenerator
    >>> rng = np.random.RandomState(0)
    >>> X = np.exp(rng.multivariate_normal([0.5, -1.0], [[0.3, 0.1], [0.1, 0.2]], size=2000))
    >>> gen = MultiplicativeDiffusionGenerator(n_steps=200, random_state=0).fit(X)
    >>> samples = gen.sample(2000)
    >>> bool(np.all(samples > 0))
    True
    >>> np.round(np.log(samples).mean(axis=0), 1)
    array([ 0.5, -1. ])
    """

    _parameter_constraints = {
        "score_model": [StrOptions({"gaussian", "gmm", "kernel"}), _BaseScoreModel, object],
        "sampler": [StrOptions({"dale", "ambient"})],
        "drift": [StrOptions({"lamperti"}), Interval(numbers.Real, None, None, closed="neither")],
        "sigma_min": [Interval(numbers.Real, 0, None, closed="neither")],
        "sigma_max": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_noise_draws": [Interval(numbers.Integral, 1, None, closed="left")],
        "standardize": ["boolean"],
        "pseudocount": [None, Interval(numbers.Real, 0, None, closed="neither")],
        "teleport": [None, Interval(numbers.Real, 0, 1, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        score_model="gaussian",
        sampler="dale",
        drift="lamperti",
        sigma_min=0.01,
        sigma_max=10.0,
        n_steps=500,
        n_noise_draws=10,
        standardize=True,
        pseudocount=None,
        teleport=None,
        random_state=None,
    ):
        self.score_model = score_model
        self.sampler = sampler
        self.drift = drift
        self.sigma_min = sigma_min
        self.sigma_max = sigma_max
        self.n_steps = n_steps
        self.n_noise_draws = n_noise_draws
        self.standardize = standardize
        self.pseudocount = pseudocount
        self.teleport = teleport
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags

    def _check_positive(self, X, reset):
        X = validate_data(self, X, dtype=np.float64, reset=reset)
        if self.pseudocount is not None:
            if np.any(X < 0):
                raise ValueError(
                    "MultiplicativeDiffusionGenerator: Negative values in data; non-negative data are required "
                    f"with pseudocount={self.pseudocount}."
                )
            return X + self.pseudocount
        if np.any(X <= 0):
            kind = "Negative values in data" if np.any(X < 0) else "Zeros in data"
            raise ValueError(
                f"MultiplicativeDiffusionGenerator: {kind}; positive data are required (geometric Brownian "
                f"motion has no model for zeros or negatives); X has {int(np.sum(X <= 0))} values <= 0."
            )
        return X

    def fit(self, X, y=None):
        """Fit the log-space score model to positive data ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, all values > 0 and finite (else ValueError).
        y : None
            Ignored.

        Returns
        -------
        self : MultiplicativeDiffusionGenerator
        """
        self._validate_params()
        if not self.sigma_min < self.sigma_max:
            raise ValueError(f"sigma_min must be < sigma_max; got {self.sigma_min} and {self.sigma_max}.")
        X = self._check_positive(X, reset=True)
        Y = np.log(X)
        if self.standardize:
            self.log_mean_ = Y.mean(axis=0)
            scale = Y.std(axis=0)
            self.log_scale_ = np.where(scale > 1e-12 * np.maximum(1.0, np.abs(self.log_mean_)), scale, 1.0)
        else:
            self.log_mean_, self.log_scale_ = np.zeros(X.shape[1]), np.ones(X.shape[1])
        Z = (Y - self.log_mean_) / self.log_scale_
        if np.max(np.abs(Z)) > 10:
            warnings.warn(
                "MultiplicativeDiffusionGenerator: some values are more than 10 log-standard deviations from "
                "the log mean (extreme skew, e.g. values close to 0); the log-space model is dominated by them.",
                UserWarning,
            )
        self.schedule_ = VarianceExplodingSchedule(self.sigma_min, self.sigma_max)
        model = check_score_model(self.score_model)
        if isinstance(model, RegressorScoreModel) and not isinstance(self.score_model, RegressorScoreModel):
            model.n_noise_draws = self.n_noise_draws
        rng = check_random_state(self.random_state)
        self.model_ = model.fit(Z, self.schedule_, random_state=rng.randint(np.iinfo(np.int32).max))
        if hasattr(self.model_, "train_loss_"):
            self.train_loss_ = self.model_.train_loss_
        if isinstance(self.model_, GaussianScoreModel):
            self.gaussian_model_ = self.model_
        else:
            self.gaussian_model_ = GaussianScoreModel().fit(Z, self.schedule_)
        return self

    def _shift(self, t):
        """Deterministic log-space shift ``m_t`` of the forward process (0 for the Lamperti drift)."""
        if self.drift == "lamperti":
            return np.zeros_like(np.asarray(t, dtype=float))
        s2 = self.schedule_.sigma(t) ** 2 - self.sigma_min**2
        return float(self.drift) * np.asarray(t, dtype=float) - 0.5 * s2

    def _log_score(self, Y, t):
        """Score of the standardized log marginal at time ``t``."""
        return self.model_.score_function(Y - self._shift(t), t)

    def _sample(self, n_samples, random_state=None):
        """Standardized log samples at ``t = 0`` and the signs of the state (all +1 for the Dale sampler)."""
        check_is_fitted(self)
        if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be an integer >= 1; got {n_samples!r}.")
        rng = check_random_state(self.random_state if random_state is None else random_state)
        sched = self.schedule_
        grid = time_grid(sched, self.n_steps, t_min=0.0)
        Y = self._shift(grid[0]) + float(sched.sigma(grid[0])) * rng.standard_normal(
            (n_samples, self.n_features_in_)
        )
        skip = 0
        if self.teleport:
            skip = min(int(round(self.teleport * self.n_steps)), self.n_steps - 1)
            if skip > 0:
                Y = self._shift(grid[skip]) + self.gaussian_model_.pf_ode_solution(
                    Y - self._shift(grid[0]), grid[0], grid[skip]
                )
        grid = grid[skip:]
        s2 = sched.sigma(grid) ** 2
        G = s2[:-1] - s2[1:]
        # integral of mu over each step: G / 2 for the Lamperti drift, mu * dt otherwise
        M = 0.5 * G if self.drift == "lamperti" else float(self.drift) * (grid[:-1] - grid[1:])
        last = G.size - 1
        if self.sampler == "dale":
            for k in range(G.size):
                step = -M[k] + 0.5 * G[k] + G[k] * self._log_score(Y, grid[k])
                if k < last:  # the last step takes the mean, as in the additive core
                    step = step + np.sqrt(G[k]) * rng.standard_normal(Y.shape)
                Y = np.clip(Y + step, -_LOG_CLIP, _LOG_CLIP)
            return Y, np.ones_like(Y)
        # ambient: multiplicative Euler-Maruyama on x' = exp(Y); rows that cross zero are frozen
        Xa = np.exp(Y)
        alive = np.ones(n_samples, dtype=bool)
        for k in range(G.size):
            idx = np.flatnonzero(alive)
            if idx.size == 0:
                break
            x = Xa[idx]
            h = self._log_score(np.clip(np.log(x), -_LOG_CLIP, _LOG_CLIP), grid[k]) - 1.0
            factor = 1.0 - M[k] + 2.0 * G[k] + G[k] * h
            if k < last:
                factor = factor + np.sqrt(G[k]) * rng.standard_normal(x.shape)
            x = np.clip(x * factor, -np.exp(_LOG_CLIP), np.exp(_LOG_CLIP))
            Xa[idx] = x
            alive[idx] = np.all(x > 0, axis=1)
        n_bad = int(np.sum(Xa <= 0))
        if n_bad:
            warnings.warn(
                f"MultiplicativeDiffusionGenerator: the ambient sampler produced {n_bad} non-positive values "
                f"({n_bad / Xa.size:.1%}); use sampler='dale' or more n_steps.",
                UserWarning,
            )
        with np.errstate(divide="ignore"):
            return np.log(np.abs(Xa)), np.sign(Xa)

    def sample(self, n_samples=1, random_state=None):
        """Generate samples.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples (>= 1).
        random_state : int, RandomState or None, default=None
            Seeds the start noise and the sampler noise; ``None`` uses the
            estimator's ``random_state``.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Samples in the units of the training data; always positive with
            ``sampler="dale"``.
        """
        Y, sign = self._sample(n_samples, random_state)
        X = sign * np.exp(np.clip(self.log_mean_ + self.log_scale_ * Y, -_LOG_CLIP, _LOG_CLIP))
        return X if self.pseudocount is None else X - self.pseudocount

    def hyvarinen_score(self, X, t=0.0):
        """Hyvarinen score ``h_t(x) = x * grad_x log p_t(x)`` of the fitted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Positive points.
        t : float or array-like of shape (n_samples,), default=0.0
            Diffusion time(s) in ``[0, 1]``.

        Returns
        -------
        h : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = self._check_positive(X, reset=False)
        Y = (np.log(X) - self.log_mean_) / self.log_scale_
        t_arr = np.asarray(t, dtype=float)
        shift = self._shift(t_arr)
        if shift.ndim == 1:
            shift = shift[:, None]
        return self.model_.score_function(Y - shift, t) / self.log_scale_ - 1.0

    @available_if(_has_closed_form_density)
    def score_samples(self, X):
        """Log density of the fitted model at ``X`` (closed-form score models only).

        ``log p_X(x) = log p_Y((log x - c) / sd) - sum log sd - sum log x``,
        with ``p_Y`` the log-space marginal at ``t = 0`` (noise ``sigma_min``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Positive points.

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = self._check_positive(X, reset=False)
        logX = np.log(X)
        Y = (logX - self.log_mean_) / self.log_scale_
        return self.model_.log_density(Y, 0.0) - np.sum(np.log(self.log_scale_)) - logX.sum(axis=1)

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
