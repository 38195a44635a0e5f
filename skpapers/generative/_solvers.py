"""Samplers: integrate the probability-flow ODE or the reverse SDE along a decreasing time grid.

Hooks (call-backs), shared by every generator of the subpackage:

``guidance(X, t) -> ndarray``
    An additive term to the score (classifier-free or minority guidance). It
    enters the ODE velocity as ``-g(t)^2 / 2 * guidance`` and the SDE drift as
    ``-g(t)^2 * guidance``. A guidance object whose ``velocity_space``
    attribute is true returns an additive term to the ODE velocity instead
    (classifier-free guidance, ``w(t) (v_cond - v_unc)``); the SDE converts it
    to the score as ``-2 / g(t)^2 * term``. The straight path's ``g(1)^2`` is
    infinite, so only a velocity-space term is finite at ``t = 1``.
``callback(step, X, t, t_next) -> ndarray or None``
    Called after each step with the new state at ``t_next``; returning an array
    replaces the state (e.g. Feynman-Kac/SMC resampling of particles).
``noise_scale``
    The reverse SDE's noise ``nu(t) = noise_scale * g(t)``; the drift's score
    coefficient is ``(g^2 + nu^2) / 2``, which keeps the marginals for any
    ``noise_scale`` (1: the usual reverse SDE, 0 would be the
    probability-flow ODE). Feynman-Kac correctors use ``noise_scale < 1``
    for tempered noise.
Teleportation is not a solver concern: the caller starts the grid later, from
the exact Gaussian solution.
"""

import numpy as np
from scipy.integrate import solve_ivp
from sklearn.utils import check_random_state

SOLVERS = ("euler", "heun", "euler_maruyama", "rk45")

# the SDE coefficients of the straight path diverge at t = 1 (a = 0): evaluate them just inside
_SDE_T_MAX = 1.0 - 1e-3


class _Counter:
    def __init__(self, model, guidance, noise_scale=1.0):
        self.model, self.guidance, self.n = model, guidance, 0
        self.noise_scale = noise_scale

    def velocity(self, X, t):
        self.n += 1
        v = self.model.velocity(X, t)
        if self.guidance is not None:
            if getattr(self.guidance, "velocity_space", False):
                return v + self.guidance(X, t)
            v = v - 0.5 * self.model.schedule_.diffusion_squared(t) * self.guidance(X, t)
        return v

    def sde_drift(self, X, t):
        self.n += 1
        sched = self.model.schedule_
        t = min(t, _SDE_T_MAX)
        score = self.model.score_function(X, t)
        if self.guidance is not None and getattr(self.guidance, "velocity_space", False):
            score = score - 2.0 * self.guidance(X, t) / sched.diffusion_squared(t)
        elif self.guidance is not None:
            score = score + self.guidance(X, t)
        g2 = sched.diffusion_squared(t)
        # 0.5 * (1 + 1) == 1 exactly: noise_scale=1 is bit-for-bit the usual reverse SDE
        return sched.drift(t) * X - 0.5 * (1.0 + self.noise_scale**2) * g2 * score, self.noise_scale * np.sqrt(g2)


def integrate(model, X, grid, *, solver="heun", guidance=None, callback=None, random_state=None, rtol=1e-6,
              atol=1e-8, noise_scale=1.0):
    """Move ``X`` (at time ``grid[0]``) along the decreasing ``grid`` with a fitted score model.

    Returns ``(X_end, n_evaluations)``; ``n_evaluations`` counts score-model calls.
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}; got {solver!r}.")
    counter = _Counter(model, guidance, noise_scale)
    X = np.array(X, dtype=float, copy=True)
    grid = np.asarray(grid, dtype=float)
    if grid.size < 2:
        return X, 0
    if solver == "rk45":
        shape = X.shape
        sol = solve_ivp(
            lambda t, y: counter.velocity(y.reshape(shape), t).ravel(),
            (grid[0], grid[-1]), X.ravel(), method="RK45", rtol=rtol, atol=atol,
        )
        return sol.y[:, -1].reshape(shape), counter.n
    rng = check_random_state(random_state)
    last = grid.size - 2
    for i, (t, t_next) in enumerate(zip(grid[:-1], grid[1:])):
        dt = t_next - t
        if solver == "euler":
            X = X + dt * counter.velocity(X, t)
        elif solver == "heun":
            v = counter.velocity(X, t)
            X_pred = X + dt * v
            X = X + 0.5 * dt * (v + counter.velocity(X_pred, t_next))
        else:
            drift, g = counter.sde_drift(X, t)
            X = X + dt * drift
            if i < last:  # the last step takes the mean: no fresh noise at the data end
                X = X + g * np.sqrt(-dt) * rng.standard_normal(X.shape)
        if callback is not None:
            replaced = callback(i, X, t, t_next)
            if replaced is not None:
                X = np.asarray(replaced, dtype=float)
    return X, counter.n
