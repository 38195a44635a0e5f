"""Score models: the denoiser ``D(x, t) = E[x_0 | x_t = x]`` and what follows from it.

With ``x_t = a x_0 + s eps``: ``eps_hat = (x - a D) / s``, score ``= -eps_hat / s``
and probability-flow velocity ``v = a' D + s' eps_hat``. Score models are small
plain objects fitted by a generator (``fit(X, schedule)``), not estimators.
"""

import copy
import numbers

import numpy as np
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.mixture import GaussianMixture
from sklearn.utils import check_random_state

from ._schedules import check_schedule


def _check_fitted(model):
    if not hasattr(model, "schedule_"):
        raise AttributeError(f"This {type(model).__name__} is not fitted yet; call fit(X, schedule) first.")


def _as_times(t, n):
    """Broadcast t (scalar or length-n) to a column of shape (n, 1)."""
    t = np.asarray(t, dtype=float)
    if t.ndim == 0:
        t = np.full(n, float(t))
    t = t.reshape(-1)
    if t.shape[0] != n:
        raise ValueError(f"t must be a scalar or have one value per row ({n}); got {t.shape[0]} values.")
    if not np.all(np.isfinite(t)) or np.any((t < 0) | (t > 1)):
        raise ValueError("t must lie in [0, 1] (t = 0 data, t = 1 noise).")
    return t[:, None]


class _BaseScoreModel:
    """Derives score and velocity from ``_denoise_and_noise``, which subclasses implement."""

    def _prepare(self, X, t):
        _check_fitted(self)
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have shape (n_samples, {self.n_features_in_}); got {X.shape}.")
        return X, _as_times(t, X.shape[0])

    def _fit_schedule(self, X, schedule):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[0] < 1:
            raise ValueError(f"X must be a non-empty 2-D array; got shape {X.shape}.")
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinity.")
        self.schedule_ = check_schedule(schedule)
        self.n_features_in_ = X.shape[1]
        return X

    def denoise(self, X, t):
        """Posterior mean ``E[x_0 | x_t = X]`` at time(s) ``t``."""
        X, t = self._prepare(X, t)
        return self._denoise_and_noise(X, t)[0]

    def predict_noise(self, X, t):
        """Posterior mean of the noise, ``E[eps | x_t = X]``."""
        X, t = self._prepare(X, t)
        return self._denoise_and_noise(X, t)[1]

    def score_function(self, X, t):
        """Score ``grad_x log p_t(X) = -eps_hat / s(t)``."""
        X, t = self._prepare(X, t)
        return -self._denoise_and_noise(X, t)[1] / self.schedule_.sigma(t)

    def velocity(self, X, t):
        """Probability-flow velocity ``dx/dt = a'(t) D + s'(t) eps_hat``."""
        X, t = self._prepare(X, t)
        denoised, noise = self._denoise_and_noise(X, t)
        return self.schedule_.d_alpha(t) * denoised + self.schedule_.d_sigma(t) * noise


def _check_nonnegative(name, value, owner, allow_zero=True):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value):
        raise TypeError(f"{owner}: {name} must be a finite real number; got {value!r}.")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{owner}: {name} must be {'>= 0' if allow_zero else '> 0'}; got {value!r}.")


class GaussianScoreModel(_BaseScoreModel):
    """Closed-form score of a Gaussian fitted to the data.

    With ``x_0 ~ N(mu, Sigma)`` the noised marginal is
    ``N(a mu, a^2 Sigma + s^2 I)``; the denoiser is the Wiener filter
    ``mu + a Sigma (a^2 Sigma + s^2 I)^{-1} (x - a mu)`` and the
    probability-flow ODE has an exact solution (:meth:`pf_ode_solution`),
    which analytical teleportation uses to skip the first sampler steps.

    Parameters
    ----------
    covariance : {"full", "diag"}, default="full"
        Full covariance, or its diagonal only.
    rank : int or None, default=None
        Keep only the ``rank`` largest eigenvalues (the rest are set to
        ``reg_covar``): a low-rank Gaussian.
    reg_covar : float, default=1e-6
        Floor of the eigenvalues, so that singular data (constant columns,
        fewer rows than features) give a valid model.
    covariance_estimator : estimator or None, default=None
        An sklearn covariance estimator (e.g. ``LedoitWolf()``), cloned and
        fitted; its ``location_`` and ``covariance_`` are used. ``None`` means
        the empirical mean and (biased) covariance.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
    covariance_ : ndarray of shape (n_features, n_features)
    eigenvalues_ : ndarray of shape (n_features,)
        Floored eigenvalues of ``covariance_``, in increasing order.
    eigenvectors_ : ndarray of shape (n_features, n_features)
    schedule_ : schedule object
    n_features_in_ : int

    References
    ----------
    .. [1] Wang, B. and Vastola, J. J. (2023). The Unreasonable Effectiveness of
       Gaussian Score Approximation for Diffusion Models and its Applications.
       arXiv:2311.10892.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import GaussianScoreModel
    >>> X = np.random.RandomState(0).normal(size=(500, 2)) * [1.0, 3.0] + [2.0, -1.0]
    >>> model = GaussianScoreModel().fit(X, schedule="ve")
    >>> np.round(model.denoise(np.array([[2.0, -1.0]]), t=0.5), 3)
    array([[ 2.0..., -1.0...]])
    """

    def __init__(self, covariance="full", rank=None, reg_covar=1e-6, covariance_estimator=None):
        self.covariance = covariance
        self.rank = rank
        self.reg_covar = reg_covar
        self.covariance_estimator = covariance_estimator

    def fit(self, X, schedule="ve", random_state=None):
        """Fit the mean and covariance of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (finite).
        schedule : {"ve", "vp", "rectified"} or schedule object, default="ve"
        random_state : None
            Unused; present for a common signature.

        Returns
        -------
        self : GaussianScoreModel
        """
        X = self._fit_schedule(X, schedule)
        if self.covariance not in ("full", "diag"):
            raise ValueError(f"covariance must be 'full' or 'diag'; got {self.covariance!r}.")
        _check_nonnegative("reg_covar", self.reg_covar, "GaussianScoreModel", allow_zero=False)
        if self.covariance_estimator is not None:
            est = clone(self.covariance_estimator).fit(X)
            mean, cov = est.location_, est.covariance_
        else:
            mean = X.mean(axis=0)
            centered = X - mean
            cov = centered.T @ centered / X.shape[0]
        self.set_moments(mean, cov)
        return self

    def set_moments(self, mean, covariance):
        """Use a given mean and covariance (e.g. known ones) instead of fitted ones."""
        mean = np.asarray(mean, dtype=float).reshape(-1)
        cov = np.asarray(covariance, dtype=float)
        if cov.shape != (mean.size, mean.size) or not np.all(np.isfinite(cov)):
            raise ValueError("covariance must be a finite square matrix matching the mean.")
        if self.covariance == "diag":
            cov = np.diag(np.diag(cov))
        cov = 0.5 * (cov + cov.T)
        eigenvalues, eigenvectors = np.linalg.eigh(cov)
        if self.rank is not None:
            if not isinstance(self.rank, numbers.Integral) or not 1 <= self.rank <= mean.size:
                raise ValueError(f"rank must be an integer in [1, n_features={mean.size}]; got {self.rank!r}.")
            eigenvalues[: mean.size - self.rank] = 0.0
        self.mean_ = mean
        self.eigenvalues_ = np.maximum(eigenvalues, self.reg_covar)
        self.eigenvectors_ = eigenvectors
        self.covariance_ = (eigenvectors * self.eigenvalues_) @ eigenvectors.T
        self.n_features_in_ = mean.size
        if not hasattr(self, "schedule_"):
            self.schedule_ = check_schedule("ve")
        return self

    def _denoise_and_noise(self, X, t):
        a, s = self.schedule_.alpha(t), self.schedule_.sigma(t)
        lam = self.eigenvalues_
        # coordinates of x - a mu in the eigenbasis, one marginal variance per (row, direction)
        z = (X - a * self.mean_) @ self.eigenvectors_
        var = a**2 * lam + s**2
        denoised = self.mean_ + (a * lam / var * z) @ self.eigenvectors_.T
        # eps_hat = s (a^2 Sigma + s^2 I)^{-1} (x - a mu): no 0/0 as s -> 0
        noise = (s / var * z) @ self.eigenvectors_.T
        return denoised, noise

    def log_density(self, X, t):
        """Log density of the noised marginal ``N(a mu, a^2 Sigma + s^2 I)`` at ``X``."""
        X, t = self._prepare(X, t)
        a, s = self.schedule_.alpha(t), self.schedule_.sigma(t)
        z = (X - a * self.mean_) @ self.eigenvectors_
        var = a**2 * self.eigenvalues_ + s**2
        return -0.5 * np.sum(z**2 / var + np.log(2 * np.pi * var), axis=1)

    def pf_ode_solution(self, X, t_from, t_to):
        """Exact probability-flow ODE solution from ``t_from`` to ``t_to``.

        Whitens ``x - a(t_from) mu`` with the marginal covariance at
        ``t_from`` and re-colours it with the one at ``t_to`` (the directions
        are shared, so the flow acts on each eigen-direction separately).
        """
        _check_fitted(self)
        X = np.asarray(X, dtype=float)
        sched, lam = self.schedule_, self.eigenvalues_
        a0, s0 = float(sched.alpha(t_from)), float(sched.sigma(t_from))
        a1, s1 = float(sched.alpha(t_to)), float(sched.sigma(t_to))
        gain = np.sqrt((a1**2 * lam + s1**2) / (a0**2 * lam + s0**2))
        z = (X - a0 * self.mean_) @ self.eigenvectors_
        return a1 * self.mean_ + (gain * z) @ self.eigenvectors_.T


def _mixture_denoise(X, t, schedule, weights, means, eigenvalues, eigenvectors):
    """Denoiser and noise of a Gaussian mixture; components given by their eigendecompositions."""
    a, s = schedule.alpha(t), schedule.sigma(t)
    n, k = X.shape[0], means.shape[0]
    log_resp = np.empty((n, k))
    denoised = np.empty((k, n, X.shape[1]))
    for j in range(k):  # few components: loop over components, vectorised over rows
        z = (X - a * means[j]) @ eigenvectors[j]
        var = a**2 * eigenvalues[j] + s**2
        log_resp[:, j] = np.log(weights[j]) - 0.5 * np.sum(z**2 / var + np.log(var), axis=1)
        denoised[j] = means[j] + (a * eigenvalues[j] / var * z) @ eigenvectors[j].T
    log_norm = logsumexp(log_resp, axis=1, keepdims=True)
    resp = np.exp(log_resp - log_norm)
    D = np.einsum("nk,knd->nd", resp, denoised)
    return D, (X - a * D) / s, log_norm[:, 0] - 0.5 * X.shape[1] * np.log(2 * np.pi)


class GaussianMixtureScoreModel(_BaseScoreModel):
    """Closed-form score of a Gaussian mixture fitted with sklearn's ``GaussianMixture``.

    Component k is noised to ``N(a mu_k, a^2 Sigma_k + s^2 I)``; the denoiser
    is the responsibility-weighted sum of the components' Wiener filters.

    Parameters
    ----------
    n_components : int, default=5
        Number of mixture components.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        Passed to ``GaussianMixture``.
    reg_covar : float, default=1e-6
        Passed to ``GaussianMixture``.
    gaussian_mixture : GaussianMixture or None, default=None
        A configured (unfitted) mixture to clone instead of building one from
        the parameters above.

    Attributes
    ----------
    mixture_ : GaussianMixture
        The fitted mixture.
    schedule_ : schedule object
    n_features_in_ : int

    References
    ----------
    .. [1] Wang, B. and Vastola, J. J. (2023). The Unreasonable Effectiveness of
       Gaussian Score Approximation for Diffusion Models and its Applications.
       arXiv:2311.10892.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import GaussianMixtureScoreModel
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(-3, 0.5, (200, 1)), rng.normal(3, 0.5, (200, 1))])
    >>> model = GaussianMixtureScoreModel(n_components=2).fit(X, "ve", random_state=0)
    >>> np.round(model.denoise(np.array([[2.5], [-2.5]]), t=0.0), 1)
    array([[ 2.5],
           [-2.5]])
    """

    def __init__(self, n_components=5, covariance_type="full", reg_covar=1e-6, gaussian_mixture=None):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.reg_covar = reg_covar
        self.gaussian_mixture = gaussian_mixture

    def fit(self, X, schedule="ve", random_state=None):
        """Fit the mixture to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        schedule : {"ve", "vp", "rectified"} or schedule object, default="ve"
        random_state : int, RandomState or None, default=None
            Seeds the mixture's initialisation (unless the given mixture has one).

        Returns
        -------
        self : GaussianMixtureScoreModel
        """
        X = self._fit_schedule(X, schedule)
        if self.gaussian_mixture is not None:
            mixture = clone(self.gaussian_mixture)
            if mixture.random_state is None:
                mixture.set_params(random_state=random_state)
        else:
            mixture = GaussianMixture(
                n_components=min(self.n_components, X.shape[0]),
                covariance_type=self.covariance_type,
                reg_covar=self.reg_covar,
                random_state=random_state,
            )
        self.mixture_ = mixture.fit(X)
        k, d = self.mixture_.means_.shape
        cov = self.mixture_.covariances_
        kind = self.mixture_.covariance_type
        if kind == "tied":
            cov = np.broadcast_to(cov, (k, d, d))
        elif kind == "diag":
            cov = np.stack([np.diag(c) for c in cov])
        elif kind == "spherical":
            cov = cov[:, None, None] * np.eye(d)
        eigenvalues, eigenvectors = np.linalg.eigh(cov)
        self._eigenvalues = np.maximum(eigenvalues, 0.0)
        self._eigenvectors = eigenvectors
        return self

    def _denoise_and_noise(self, X, t):
        m = self.mixture_
        D, noise, _ = _mixture_denoise(
            X, t, self.schedule_, m.weights_, m.means_, self._eigenvalues, self._eigenvectors
        )
        return D, noise

    def log_density(self, X, t):
        """Log density of the noised mixture at ``X``."""
        X, t = self._prepare(X, t)
        m = self.mixture_
        return _mixture_denoise(X, t, self.schedule_, m.weights_, m.means_, self._eigenvalues, self._eigenvectors)[2]


class KernelScoreModel(_BaseScoreModel):
    """Closed-form score of a Gaussian kernel density on the training rows.

    Row ``x_i`` is the component ``N(a x_i, (a^2 h^2 + s^2) I)``. With
    ``bandwidth=0`` this is the empirical (delta-mixture) score, whose exact
    sampler reproduces training rows: it memorizes.

    Parameters
    ----------
    bandwidth : float, default=0.0
        Kernel bandwidth ``h`` (in the units the generator fits on).
    chunk_size : int, default=100_000
        Largest number of (query, training row) pairs held in memory at once
        (small blocks stay in cache: faster than one large block).

    Attributes
    ----------
    X_train_ : ndarray of shape (n_samples, n_features)
    schedule_ : schedule object
    n_features_in_ : int

    References
    ----------
    .. [1] Wang, B. and Vastola, J. J. (2023). The Unreasonable Effectiveness of
       Gaussian Score Approximation for Diffusion Models and its Applications.
       arXiv:2311.10892.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import KernelScoreModel
    >>> X = np.array([[0.0], [1.0], [5.0]])
    >>> model = KernelScoreModel(bandwidth=0.0).fit(X, "ve")
    >>> np.round(model.denoise(np.array([[0.9]]), t=0.0), 3)
    array([[1.]])
    """

    def __init__(self, bandwidth=0.0, chunk_size=100_000):
        self.bandwidth = bandwidth
        self.chunk_size = chunk_size

    def fit(self, X, schedule="ve", random_state=None):
        """Store the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        schedule : {"ve", "vp", "rectified"} or schedule object, default="ve"
        random_state : None
            Unused; present for a common signature.

        Returns
        -------
        self : KernelScoreModel
        """
        X = self._fit_schedule(X, schedule)
        _check_nonnegative("bandwidth", self.bandwidth, "KernelScoreModel")
        self.X_train_ = X.copy()
        self._sq_norms = np.einsum("ij,ij->i", X, X)
        return self

    def _chunks(self, n):
        step = max(1, int(self.chunk_size) // max(1, self.X_train_.shape[0]))
        return range(0, n, step), step

    def _weights(self, X, a, var):
        # squared distances ||x - a x_i||^2 without forming differences of shape (n, m, d)
        d2 = np.einsum("ij,ij->i", X, X)[:, None] - 2 * a * (X @ self.X_train_.T) + a**2 * self._sq_norms
        logits = -0.5 * np.maximum(d2, 0.0) / var
        # one max shift and one exp (scipy's logsumexp plus a second exp is several times slower here)
        top = logits.max(axis=1, keepdims=True)
        weights = np.exp(logits - top)
        total = weights.sum(axis=1, keepdims=True)
        weights /= total
        return weights, (top + np.log(total))[:, 0]

    def _denoise_and_noise(self, X, t):
        sched, h2 = self.schedule_, float(self.bandwidth) ** 2
        D = np.empty_like(X)
        starts, step = self._chunks(X.shape[0])
        for start in starts:
            sl = slice(start, start + step)
            a, s = sched.alpha(t[sl]), sched.sigma(t[sl])
            var = a**2 * h2 + s**2
            w, _ = self._weights(X[sl], a, var)
            mean = w @ self.X_train_
            gain = a * h2 / var
            D[sl] = (1 - a * gain) * mean + gain * X[sl]
        a, s = sched.alpha(t), sched.sigma(t)
        return D, (X - a * D) / s

    def log_density(self, X, t):
        """Log density of the noised kernel mixture at ``X`` (needs ``t > 0`` or ``bandwidth > 0``)."""
        X, t = self._prepare(X, t)
        sched, h2 = self.schedule_, float(self.bandwidth) ** 2
        d, m = X.shape[1], self.X_train_.shape[0]
        out = np.empty(X.shape[0])
        starts, step = self._chunks(X.shape[0])
        for start in starts:
            sl = slice(start, start + step)
            var = sched.alpha(t[sl]) ** 2 * h2 + sched.sigma(t[sl]) ** 2
            _, log_norm = self._weights(X[sl], sched.alpha(t[sl]), var)
            out[sl] = log_norm - np.log(m) - 0.5 * d * np.log(2 * np.pi * var[:, 0])
        return out


def _time_features(t):
    k = np.arange(1, 4)
    return np.hstack([t, np.sin(np.pi * k * t), np.cos(np.pi * k * t)])


_TARGETS = ("noise", "velocity", "x0")
_TIME_SAMPLERS = ("uniform", "logit_normal")


class RegressorScoreModel(_BaseScoreModel):
    """Score model learned by any sklearn regressor (denoising score matching / flow matching).

    Training rows are ``[x_t, phi(t)]`` with ``x_t = a(t) x_0 + s(t) eps``,
    ``phi(t) = (t, sin(k pi t), cos(k pi t), k = 1..3)``; the target is the
    noise ``eps``, the velocity ``a' x_0 + s' eps`` or ``x_0`` itself. Every
    target is converted to the denoiser and the noise by solving
    ``x = a D + s eps_hat`` (and ``v = a' D + s' eps_hat`` for velocity).

    Parameters
    ----------
    estimator : regressor or None, default=None
        Cloned and fitted; a regressor without multi-output support is
        wrapped in ``MultiOutputRegressor`` (one model per feature). ``None`` means
        ``MLPRegressor(hidden_layer_sizes=(64, 64), max_iter=200)``.
    target : {"noise", "velocity", "x0"}, default="noise"
        What the regressor predicts.
    n_noise_draws : int, default=10
        Noisy copies of each training row.
    time_sampler : {"uniform", "logit_normal"} or callable, default="uniform"
        Distribution of training times on ``[t_min, 1 - t_min]``; a callable
        ``time_sampler(n, random_state) -> t`` draws ``n`` times itself
        (clipped to that interval).
    t_min : float, default=1e-3
        Smallest training (and evaluation) time.

    Attributes
    ----------
    estimator_ : regressor
        The fitted regressor.
    train_loss_ : float
        Mean squared error of the fitted regressor on its training rows.
    schedule_ : schedule object
    n_features_in_ : int

    References
    ----------
    .. [1] Wang, Z. et al. (2024). FiTv2: Scalable and Improved Flexible Vision
       Transformer for Diffusion Model. arXiv:2410.13925.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from skpapers.generative import RegressorScoreModel
    >>> X = np.random.RandomState(0).normal(size=(300, 2))
    >>> model = RegressorScoreModel(Ridge(alpha=1e-3), target="x0").fit(X, "rectified", random_state=0)
    >>> model.denoise(X[:3], t=0.5).shape
    (3, 2)
    """

    def __init__(self, estimator=None, target="noise", n_noise_draws=10, time_sampler="uniform", t_min=1e-3):
        self.estimator = estimator
        self.target = target
        self.n_noise_draws = n_noise_draws
        self.time_sampler = time_sampler
        self.t_min = t_min

    def fit(self, X, schedule="ve", random_state=None, condition=None, condition_dropout=0.0):
        """Train the regressor on noised copies of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        schedule : {"ve", "vp", "rectified"} or schedule object, default="ve"
        random_state : int, RandomState or None, default=None
            Seeds the noise, the times and (if it has none) the regressor.
        condition : array-like of shape (n_samples, n_conditions) or None, default=None
            Extra regressor inputs per row (e.g. a one-hot class label),
            repeated for each noisy copy. Predictions use the condition set
            by :meth:`with_condition`, zeros (the null condition) otherwise.
        condition_dropout : float, default=0.0
            Probability that a noisy copy is trained with the null condition
            instead of its own, so that one regressor learns both the
            conditional and the unconditional target (classifier-free guidance).

        Returns
        -------
        self : RegressorScoreModel
        """
        X = self._fit_schedule(X, schedule)
        if condition is not None:
            condition = np.asarray(condition, dtype=float)
            if condition.ndim != 2 or condition.shape[0] != X.shape[0] or not np.all(np.isfinite(condition)):
                raise ValueError(f"condition must be a finite 2-D array with {X.shape[0]} rows.")
        if not (isinstance(condition_dropout, numbers.Real) and 0 <= condition_dropout < 1):
            raise ValueError(f"condition_dropout must be in [0, 1); got {condition_dropout!r}.")
        if self.target not in _TARGETS:
            raise ValueError(f"target must be one of {_TARGETS}; got {self.target!r}.")
        if not callable(self.time_sampler) and self.time_sampler not in _TIME_SAMPLERS:
            raise ValueError(
                f"time_sampler must be one of {_TIME_SAMPLERS} or a callable; got {self.time_sampler!r}."
            )
        if not isinstance(self.n_noise_draws, numbers.Integral) or self.n_noise_draws < 1:
            raise ValueError(f"n_noise_draws must be an integer >= 1; got {self.n_noise_draws!r}.")
        if not (isinstance(self.t_min, numbers.Real) and 0 < self.t_min < 0.5):
            raise ValueError(f"t_min must be in (0, 0.5); got {self.t_min!r}.")
        rng = check_random_state(random_state)
        x0 = np.repeat(X, self.n_noise_draws, axis=0)
        n = x0.shape[0]
        if callable(self.time_sampler):
            t = np.asarray(self.time_sampler(n, rng), dtype=float).reshape(n, 1)
            t = np.clip(t, self.t_min, 1 - self.t_min)
        elif self.time_sampler == "uniform":
            t = rng.uniform(self.t_min, 1 - self.t_min, size=(n, 1))
        else:
            t = 1.0 / (1.0 + np.exp(-rng.normal(size=(n, 1))))
            t = np.clip(t, self.t_min, 1 - self.t_min)
        eps = rng.normal(size=x0.shape)
        sched = self.schedule_
        xt = sched.alpha(t) * x0 + sched.sigma(t) * eps
        y = {"noise": eps, "velocity": sched.d_alpha(t) * x0 + sched.d_sigma(t) * eps, "x0": x0}[self.target]
        if self.estimator is None:
            from sklearn.neural_network import MLPRegressor

            estimator = MLPRegressor(hidden_layer_sizes=(64, 64), max_iter=200)
        else:
            estimator = clone(self.estimator)
        tags = estimator.__sklearn_tags__() if hasattr(estimator, "__sklearn_tags__") else None
        if tags is not None and not tags.target_tags.multi_output:
            from sklearn.multioutput import MultiOutputRegressor

            estimator = MultiOutputRegressor(estimator)
        if "random_state" in estimator.get_params() and estimator.get_params()["random_state"] is None:
            estimator.set_params(random_state=rng.randint(np.iinfo(np.int32).max))
        features = np.hstack([xt, _time_features(t)])
        self.n_conditions_ = 0
        if condition is not None:
            # drawn after everything else: unconditional fits keep their random streams
            C = np.repeat(condition, self.n_noise_draws, axis=0)
            C[rng.uniform(size=n) < condition_dropout] = 0.0
            features = np.hstack([features, C])
            self.n_conditions_ = condition.shape[1]
        self.estimator_ = estimator.fit(features, y)
        pred = np.asarray(self.estimator_.predict(features)).reshape(y.shape)
        self.train_loss_ = float(np.mean((pred - y) ** 2))
        return self

    def with_condition(self, condition):
        """A view of this fitted model that predicts with ``condition`` rows.

        Parameters
        ----------
        condition : array-like of shape (n_conditions,) or (n_rows, n_conditions), or None
            One condition for every row, or one per row of the later calls;
            ``None`` is the null condition (zeros).

        Returns
        -------
        model : RegressorScoreModel
            A shallow copy sharing the fitted regressor.
        """
        _check_fitted(self)
        k = getattr(self, "n_conditions_", 0)
        view = copy.copy(self)
        if condition is None:
            view._condition = None
            return view
        condition = np.atleast_2d(np.asarray(condition, dtype=float))
        if k == 0 or condition.shape[1] != k:
            raise ValueError(f"condition must have {k} columns (the fitted conditions); got {condition.shape}.")
        view._condition = condition
        return view

    def _regressor_input(self, X, t):
        features = [X, _time_features(t)]
        k = getattr(self, "n_conditions_", 0)
        if k:
            condition = getattr(self, "_condition", None)
            if condition is None:
                condition = np.zeros((1, k))
            if condition.shape[0] not in (1, X.shape[0]):
                raise ValueError(f"the condition has {condition.shape[0]} rows for {X.shape[0]} rows of X.")
            features.append(np.broadcast_to(condition, (X.shape[0], k)))
        return np.hstack(features)

    def _denoise_and_noise(self, X, t):
        t = np.clip(t, self.t_min, 1 - self.t_min)
        pred = np.asarray(self.estimator_.predict(self._regressor_input(X, t))).reshape(X.shape)
        sched = self.schedule_
        a, s = sched.alpha(t), sched.sigma(t)
        if self.target == "noise":
            return (X - s * pred) / a, pred
        if self.target == "x0":
            return pred, (X - a * pred) / s
        da, ds = sched.d_alpha(t), sched.d_sigma(t)
        det = a * ds - s * da
        return (ds * X - s * pred) / det, (a * pred - da * X) / det


_SCORE_MODELS = {"gaussian": GaussianScoreModel, "gmm": GaussianMixtureScoreModel, "kernel": KernelScoreModel}


def check_score_model(score_model):
    """A fresh (unfitted) score model from a name or an instance; sklearn regressors are wrapped."""
    import copy

    if isinstance(score_model, str):
        if score_model not in _SCORE_MODELS:
            raise ValueError(
                f"score_model must be one of {sorted(_SCORE_MODELS)}, a score model or a regressor; "
                f"got {score_model!r}."
            )
        return _SCORE_MODELS[score_model]()
    if isinstance(score_model, _BaseScoreModel):
        return copy.deepcopy(score_model)
    if hasattr(score_model, "fit") and hasattr(score_model, "predict"):
        return RegressorScoreModel(estimator=score_model)
    raise TypeError(
        f"score_model must be a name {sorted(_SCORE_MODELS)}, a score model or an sklearn regressor; "
        f"got {type(score_model).__name__}."
    )
