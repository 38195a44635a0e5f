"""One EM core for mixtures of experts with a softmax gating network.

A mixture of experts models ``p(y | x) = sum_k pi_k(x) f_k(y | x)``. The core
alternates an E-step (responsibilities ``r_ik``) with an M-step in two parts:
the gating ``pi_k(x) = softmax_k(x' G + c)`` is a multinomial logistic
regression on soft targets ``r_ik`` (solved by :mod:`skpapers.utils._optim`),
and the experts are updated by their own weighted M-step. An "expert model" is
any object with

``initial_params(rng, perturb)``
    Starting parameters; ``perturb=False`` for the deterministic first start.
``log_likelihood(params)``
    ``(n_samples, n_components)`` array of ``log f_k(y_i | x_i)``.
``m_step(params, resp, weights, gate_proba)``
    New parameters maximising (or increasing) the ``weights * resp``-weighted
    complete-data log-likelihood; ``gate_proba`` is the current gating.
``penalty(params, gate_proba)`` (optional)
    Extra term subtracted from the monitored objective.

The expert model holds its own data; the core never looks inside it.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import special
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import ThreadpoolController

from ..utils._optim import L2, MultinomialLoss, minimize_smooth

# A component whose total responsibility falls below this share of the sample
# carries no information: its M-step would divide by (almost) zero.
_EMPTY_SHARE = 1e-8

_THREADPOOL_CONTROLLER = None


def _single_threaded_blas():
    # Every EM iteration runs an L-BFGS solve on a few parameters; threaded BLAS
    # only adds synchronisation to those tiny updates (ten times slower on a
    # loaded machine), and the per-iteration products are thin (n x K).
    global _THREADPOOL_CONTROLLER
    if _THREADPOOL_CONTROLLER is None:
        _THREADPOOL_CONTROLLER = ThreadpoolController()
    return _THREADPOOL_CONTROLLER.limit(limits=1, user_api="blas")


@dataclass
class EMResult:
    """The best of the EM starts.

    Attributes
    ----------
    params : object
        The expert model's parameters.
    gating_coef : ndarray of shape (n_gating_features, n_components)
    gating_intercept : ndarray of shape (n_components,)
        Reference-coded: column 0 of both is zero.
    resp : ndarray of shape (n_samples, n_components)
        Responsibilities at the returned parameters.
    log_likelihood : float
        Weighted mean log-likelihood (the monitored objective adds the
        penalties back; see ``objective``).
    objective : float
        ``log_likelihood`` minus the gating L2 term and any expert penalty.
    trace : list of float
        ``objective`` after every iteration of the kept start.
    n_iter : int
    converged : bool
    n_reseeded : int
        How often an empty component was re-seeded in the kept start.
    """

    params: object
    gating_coef: np.ndarray
    gating_intercept: np.ndarray
    resp: np.ndarray
    log_likelihood: float
    objective: float
    trace: list = field(default_factory=list)
    n_iter: int = 0
    converged: bool = False
    n_reseeded: int = 0


class SoftmaxGating:
    """Multinomial logistic gating fitted to soft targets with an L2 penalty.

    The penalty ``alpha / 2 * ||G||^2`` (intercepts free) is added to the
    weighted *mean* cross-entropy, so ``alpha`` does not scale with the sample
    size; it keeps the coefficients finite when the classes are separable.
    """

    def __init__(self, X, n_components, alpha, weights):
        self.X = X
        self.n_components = n_components
        self.alpha = alpha
        self.weights = weights
        n_features = X.shape[1]
        mask = np.concatenate([np.ones(n_features * n_components), np.zeros(n_components)])
        self._penalty = L2(alpha, mask)
        self.w = np.zeros((n_features + 1) * n_components)

    def unpack(self, w=None):
        w = self.w if w is None else w
        n_features = self.X.shape[1]
        coef = w[: n_features * self.n_components].reshape(n_features, self.n_components)
        intercept = w[n_features * self.n_components :]
        return coef, intercept

    def log_proba(self, X=None):
        X = self.X if X is None else X
        coef, intercept = self.unpack()
        scores = X @ coef + intercept
        return scores - special.logsumexp(scores, axis=1, keepdims=True)

    def penalty_value(self):
        return self._penalty.value(self.w)

    def fit(self, resp, context):
        if self.n_components == 1:  # the softmax of one score is 1 whatever the coefficients
            return self
        datafit = MultinomialLoss(self.X, resp, sample_weight=self.weights)
        result = minimize_smooth(datafit, self.w, self._penalty, tol=1e-10, max_iter=500, context=context)
        self.w = result.x
        return self

    def reference_coded(self):
        """Coefficients and intercepts with component 0 as the zero reference."""
        coef, intercept = self.unpack()
        return coef - coef[:, :1], intercept - intercept[0]


def _reseed_empty(resp, log_density, weights):
    """Hand the worst-explained units to components that lost all responsibility."""
    n_samples, n_components = resp.shape
    mass = weights @ resp
    empty = np.flatnonzero(mass < _EMPTY_SHARE * weights.sum())
    if empty.size == 0:
        return resp, 0
    resp = resp.copy()
    fit_quality = special.logsumexp(log_density + np.log(np.maximum(resp, 1e-300)), axis=1)
    n_take = max(1, n_samples // (2 * n_components))
    order = np.argsort(fit_quality, kind="stable")
    for j, k in enumerate(empty):
        rows = order[j * n_take : (j + 1) * n_take]
        resp[rows] = 0.0
        resp[rows, k] = 1.0
    return resp, empty.size


def fit_mixture_em(
    expert,
    X_gate,
    n_components,
    *,
    sample_weight=None,
    gating_alpha=1e-4,
    max_iter=200,
    tol=1e-6,
    n_init=1,
    random_state=None,
    context="mixture EM",
):
    """Fit a mixture of experts by EM from ``n_init`` starts; keep the best.

    Parameters
    ----------
    expert : expert model
        See the module docstring.
    X_gate : ndarray of shape (n_samples, n_gating_features)
        Gating inputs; zero columns give a constant gating (a plain mixture).
    n_components : int
    sample_weight : ndarray of shape (n_samples,) or None
    gating_alpha : float
        L2 penalty of the gating coefficients (on the mean cross-entropy).
    max_iter : int
        EM iterations per start.
    tol : float
        Stop when the objective gains less than ``tol * max(1, |objective|)``.
    n_init : int
        Number of starts; the first is unperturbed.
    random_state : numpy Generator or RandomState
    context : str
        Named in warnings.

    Returns
    -------
    EMResult
    """
    n_samples = X_gate.shape[0]
    weights = np.ones(n_samples) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    weights = weights * (n_samples / weights.sum())
    best = None
    with _single_threaded_blas():
        for start in range(n_init):
            result = _single_start(
                expert, X_gate, n_components, weights, gating_alpha, max_iter, tol, random_state, start > 0, context
            )
            if best is None or result.objective > best.objective:
                best = result
    if best.n_reseeded:
        warnings.warn(
            f"{context}: {best.n_reseeded} time(s) a component lost all responsibility and was "
            "re-seeded with the worst-explained units; fewer components may suit the data.",
            UserWarning,
            stacklevel=3,
        )
    if not best.converged:
        warnings.warn(
            f"{context}: EM did not converge in {max_iter} iterations "
            f"(objective still changing by more than tol={tol}); increase max_iter or tol.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return best


def _objective(expert, params, gating, weights):
    log_density = expert.log_likelihood(params)
    log_gate = gating.log_proba()
    joint = log_density + log_gate
    log_norm = special.logsumexp(joint, axis=1)
    log_likelihood = float(weights @ log_norm) / weights.sum()
    penalty = gating.penalty_value()
    if hasattr(expert, "penalty"):
        penalty += expert.penalty(params, np.exp(log_gate))
    resp = np.exp(joint - log_norm[:, None])
    return log_likelihood, log_likelihood - penalty, resp, log_density


def _single_start(expert, X_gate, n_components, weights, gating_alpha, max_iter, tol, rng, perturb, context):
    params = expert.initial_params(rng, perturb)
    gating = SoftmaxGating(X_gate, n_components, gating_alpha, weights)
    log_likelihood, objective, resp, log_density = _objective(expert, params, gating, weights)
    trace = [objective]
    converged = False
    n_reseeded = 0
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        resp, n_empty = _reseed_empty(resp, log_density, weights)
        n_reseeded += n_empty
        # Inner solver warnings would repeat every iteration; the EM loop reports once.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gating.fit(resp, context)
        params = expert.m_step(params, resp, weights, np.exp(gating.log_proba()))
        previous = objective
        log_likelihood, objective, resp, log_density = _objective(expert, params, gating, weights)
        trace.append(objective)
        if n_empty == 0 and abs(objective - previous) <= tol * max(1.0, abs(objective)):
            converged = True
            break
    coef, intercept = gating.reference_coded()
    return EMResult(
        params=params,
        gating_coef=coef,
        gating_intercept=intercept,
        resp=resp,
        log_likelihood=log_likelihood,
        objective=objective,
        trace=trace,
        n_iter=n_iter,
        converged=converged,
        n_reseeded=n_reseeded,
    )


def softmax_proba(X, coef, intercept):
    """Gating probabilities ``softmax(X @ coef + intercept)``, row-wise."""
    scores = X @ coef + intercept
    return special.softmax(scores, axis=1)
