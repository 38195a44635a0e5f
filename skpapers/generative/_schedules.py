"""Noise schedules of the forward process, under one time convention.

Every schedule writes the forward process as ``x_t = a(t) x_0 + s(t) eps`` with
``eps ~ N(0, I)`` and ``t`` in ``[0, 1]``: ``t = 0`` is the data, ``t = 1`` the noise.
"""

import numpy as np


class _BaseSchedule:
    """Shared derived quantities; subclasses define ``alpha``, ``sigma`` and their derivatives."""

    def drift(self, t):
        """``f(t) = a'(t) / a(t)``, the drift coefficient of the forward SDE."""
        return self.d_alpha(t) / self.alpha(t)

    def diffusion_squared(self, t):
        """``g(t)^2 = d(s^2)/dt - 2 f(t) s(t)^2``, the forward SDE's squared diffusion."""
        s = self.sigma(t)
        return 2.0 * s * self.d_sigma(t) - 2.0 * self.drift(t) * s**2

    def sigma_ratio(self, t):
        """Noise-to-signal ratio ``s(t) / a(t)`` (the equivalent variance-exploding sigma)."""
        with np.errstate(divide="ignore"):
            return self.sigma(t) / self.alpha(t)

    def _check(self, t):
        return np.asarray(t, dtype=float)

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self):
        return hash((type(self).__name__, tuple(sorted(vars(self).items()))))


class VarianceExplodingSchedule(_BaseSchedule):
    """Variance-exploding schedule: ``a(t) = 1``, ``s(t)`` geometric from ``sigma_min`` to ``sigma_max``.

    The schedule of score-based generative modelling and of EDM; on
    standardized data the default range covers the data scale at both ends.

    Parameters
    ----------
    sigma_min : float, default=0.01
        Noise level at ``t = 0``.
    sigma_max : float, default=50.0
        Noise level at ``t = 1``.

    References
    ----------
    .. [1] Song, Y. et al. (2021). Score-Based Generative Modeling through
       Stochastic Differential Equations. arXiv:2011.13456.

    Examples
    --------
    >>> from skpapers.generative import VarianceExplodingSchedule
    >>> schedule = VarianceExplodingSchedule(sigma_min=0.01, sigma_max=50.0)
    >>> round(float(schedule.sigma(1.0)), 3), float(schedule.alpha(0.3))
    (50.0, 1.0)
    """

    def __init__(self, sigma_min=0.01, sigma_max=50.0):
        if not (0 < sigma_min < sigma_max and np.isfinite(sigma_max)):
            raise ValueError(
                f"VarianceExplodingSchedule needs 0 < sigma_min < sigma_max < inf; got {sigma_min}, {sigma_max}."
            )
        self.sigma_min = float(sigma_min)
        self.sigma_max = float(sigma_max)

    def alpha(self, t):
        """Signal coefficient ``a(t)``."""
        return np.ones_like(self._check(t))

    def d_alpha(self, t):
        """Derivative ``a'(t)``."""
        return np.zeros_like(self._check(t))

    def sigma(self, t):
        """Noise coefficient ``s(t)``."""
        return self.sigma_min * (self.sigma_max / self.sigma_min) ** self._check(t)

    def d_sigma(self, t):
        """Derivative ``s'(t)``."""
        return self.sigma(t) * np.log(self.sigma_max / self.sigma_min)

    def time_from_sigma_ratio(self, ratio):
        """Inverse of :meth:`sigma_ratio`."""
        return np.log(np.asarray(ratio, dtype=float) / self.sigma_min) / np.log(self.sigma_max / self.sigma_min)


class VariancePreservingSchedule(_BaseSchedule):
    """Variance-preserving schedule: linear ``beta(t)``, ``a = exp(-B(t)/2)``, ``s = sqrt(1 - a^2)``.

    ``B(t)`` is the integral of ``beta`` from 0 to ``t``; this is DDPM's
    forward process in continuous time.

    Parameters
    ----------
    beta_min : float, default=0.1
        ``beta(0)``.
    beta_max : float, default=20.0
        ``beta(1)``.

    References
    ----------
    .. [1] Song, Y. et al. (2021). Score-Based Generative Modeling through
       Stochastic Differential Equations. arXiv:2011.13456.

    Examples
    --------
    >>> from skpapers.generative import VariancePreservingSchedule
    >>> schedule = VariancePreservingSchedule()
    >>> a, s = schedule.alpha(0.5), schedule.sigma(0.5)
    >>> round(float(a**2 + s**2), 6)
    1.0
    """

    def __init__(self, beta_min=0.1, beta_max=20.0):
        if not (0 < beta_min <= beta_max and np.isfinite(beta_max)):
            raise ValueError(
                f"VariancePreservingSchedule needs 0 < beta_min <= beta_max < inf; got {beta_min}, {beta_max}."
            )
        self.beta_min = float(beta_min)
        self.beta_max = float(beta_max)

    def _integral(self, t):
        t = self._check(t)
        return self.beta_min * t + 0.5 * (self.beta_max - self.beta_min) * t**2

    def beta(self, t):
        """Instantaneous rate ``beta(t)``."""
        return self.beta_min + (self.beta_max - self.beta_min) * self._check(t)

    def alpha(self, t):
        """Signal coefficient ``a(t)``."""
        return np.exp(-0.5 * self._integral(t))

    def d_alpha(self, t):
        """Derivative ``a'(t)``."""
        return -0.5 * self.beta(t) * self.alpha(t)

    def sigma(self, t):
        """Noise coefficient ``s(t)``."""
        # -expm1(-B) = 1 - a^2 without cancellation at small t
        return np.sqrt(-np.expm1(-self._integral(t)))

    def d_sigma(self, t):
        """Derivative ``s'(t)``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return 0.5 * self.beta(t) * self.alpha(t) ** 2 / self.sigma(t)

    def time_from_sigma_ratio(self, ratio):
        """Inverse of :meth:`sigma_ratio`."""
        # a = 1 / sqrt(1 + r^2), so B(t) = log(1 + r^2): a quadratic in t
        target = np.log1p(np.asarray(ratio, dtype=float) ** 2)
        quad = 0.5 * (self.beta_max - self.beta_min)
        if quad == 0:
            return target / self.beta_min
        return (-self.beta_min + np.sqrt(self.beta_min**2 + 4 * quad * target)) / (2 * quad)


class RectifiedSchedule(_BaseSchedule):
    """Rectified-flow (straight-path) schedule: ``a(t) = 1 - t``, ``s(t) = t``.

    The interpolant of rectified flow and flow matching, as used by FiTv2's
    rectified-flow scheduler.

    References
    ----------
    .. [1] Wang, Z. et al. (2024). FiTv2: Scalable and Improved Flexible Vision
       Transformer for Diffusion Model. arXiv:2410.13925.

    Examples
    --------
    >>> from skpapers.generative import RectifiedSchedule
    >>> schedule = RectifiedSchedule()
    >>> float(schedule.alpha(0.25)), float(schedule.sigma(0.25))
    (0.75, 0.25)
    """

    def alpha(self, t):
        """Signal coefficient ``a(t)``."""
        return 1.0 - self._check(t)

    def d_alpha(self, t):
        """Derivative ``a'(t)``."""
        return -np.ones_like(self._check(t))

    def sigma(self, t):
        """Noise coefficient ``s(t)``."""
        return self._check(t) + 0.0

    def d_sigma(self, t):
        """Derivative ``s'(t)``."""
        return np.ones_like(self._check(t))

    def time_from_sigma_ratio(self, ratio):
        """Inverse of :meth:`sigma_ratio`."""
        ratio = np.asarray(ratio, dtype=float)
        return ratio / (1.0 + ratio)


_SCHEDULES = {"ve": VarianceExplodingSchedule, "vp": VariancePreservingSchedule, "rectified": RectifiedSchedule}


def check_schedule(schedule):
    """Return a schedule object from a name (``'ve'``, ``'vp'``, ``'rectified'``) or an instance."""
    if isinstance(schedule, _BaseSchedule):
        return schedule
    if isinstance(schedule, str) and schedule in _SCHEDULES:
        return _SCHEDULES[schedule]()
    raise ValueError(
        f"schedule must be one of {sorted(_SCHEDULES)} or a schedule object such as "
        f"VarianceExplodingSchedule(...); got {schedule!r}."
    )


def time_grid(schedule, n_steps, *, t_min=1e-3, t_max=1.0, spacing="uniform", rho=7.0):
    """Decreasing time grid of ``n_steps + 1`` points from ``t_max`` to ``t_min``.

    ``spacing='uniform'`` is uniform in t; ``'edm'`` is Karras et al.'s grid,
    uniform in ``ratio**(1/rho)`` with ``ratio = s/a``.
    """
    if spacing == "uniform":
        return np.linspace(t_max, t_min, n_steps + 1)
    if spacing == "edm":
        # a(1) = 0 for the rectified path: start the ratio grid just inside
        hi = float(schedule.sigma_ratio(min(t_max, 1.0 - 1e-4) if isinstance(schedule, RectifiedSchedule) else t_max))
        lo = float(schedule.sigma_ratio(t_min))
        i = np.arange(n_steps + 1) / n_steps
        ratios = (hi ** (1 / rho) + i * (lo ** (1 / rho) - hi ** (1 / rho))) ** rho
        grid = schedule.time_from_sigma_ratio(ratios)
        grid[0], grid[-1] = t_max, t_min
        return grid
    raise ValueError(f"spacing must be 'uniform' or 'edm'; got {spacing!r}.")
