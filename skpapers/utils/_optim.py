"""One loss / penalty / solver core for the package's convex and smooth problems.

The split follows skglm: a *datafit* knows the data and gives a value and a
gradient, a *penalty* gives a value and a proximal operator, and a *solver*
combines them without knowing what either one means.  Estimators compose the
three; new papers add a datafit or a penalty here instead of a new loop.

Conventions
-----------
* Parameters are one flat 1-D float vector ``w``; the datafit decides its
  layout (documented on each class) and unpacks it.
* ``datafit.value_and_gradient(w)`` returns ``(float, ndarray like w)``.  A
  datafit may return ``inf`` for parameters outside its domain (for instance
  cumulative-logit boundaries that cross, giving a negative probability); the
  proximal solver treats such points as infeasible and backtracks.
* ``penalty.value(w)`` and ``penalty.prox(w, step)``, the minimiser of
  ``penalty(z) + ||z - w||^2 / (2 step)``.  A penalty with ``is_smooth = True``
  also has ``gradient(w)`` and may be handed to the quasi-Newton solver.
* Losses are *means* over samples (weighted by ``sample_weight / sum``), so a
  penalty strength means the same thing whatever the number of rows.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special
from sklearn.exceptions import ConvergenceWarning

# ---------------------------------------------------------------------------
# Datafits
# ---------------------------------------------------------------------------


def _normalised_weights(sample_weight, n_samples):
    if sample_weight is None:
        return np.full(n_samples, 1.0 / n_samples)
    sample_weight = np.asarray(sample_weight, dtype=float)
    return sample_weight / sample_weight.sum()


class _LinearDatafit:
    """Shared layout for linear models: ``w = [coef.ravel(), intercept]``.

    ``coef`` has shape ``(n_features, n_outputs)`` (``n_outputs = 1`` for a
    single score) and the intercept, when fitted, has ``n_outputs`` entries at
    the end of ``w``.
    """

    n_outputs = 1

    def __init__(self, X, sample_weight=None, fit_intercept=True):
        self.X = X
        self.fit_intercept = fit_intercept
        self.weights = _normalised_weights(sample_weight, X.shape[0])

    @property
    def n_params(self):
        n_features = self.X.shape[1]
        return (n_features + self.fit_intercept) * self.n_outputs

    def unpack(self, w):
        """Split ``w`` into ``coef`` of shape (n_features, n_outputs) and intercept."""
        n_features = self.X.shape[1]
        coef = w[: n_features * self.n_outputs].reshape(n_features, self.n_outputs)
        if self.fit_intercept:
            intercept = w[n_features * self.n_outputs :]
        else:
            intercept = np.zeros(self.n_outputs)
        return coef, intercept

    def linear_predictor(self, w):
        coef, intercept = self.unpack(w)
        return self.X @ coef + intercept

    def _pack_gradient(self, grad_scores):
        """Chain rule from d loss / d scores (n_samples, n_outputs) to d loss / d w."""
        grad_coef = self.X.T @ grad_scores
        if self.fit_intercept:
            return np.concatenate([grad_coef.ravel(), grad_scores.sum(axis=0)])
        return grad_coef.ravel()

    def value(self, w):
        return self.value_and_gradient(w)[0]


class SquaredLoss(_LinearDatafit):
    """Weighted mean of ``(y - X @ coef - intercept)^2 / 2``.

    ``y`` has shape (n_samples,) or (n_samples, n_outputs).
    """

    def __init__(self, X, y, sample_weight=None, fit_intercept=True):
        super().__init__(X, sample_weight, fit_intercept)
        y = np.asarray(y, dtype=float)
        self.y = y.reshape(-1, 1) if y.ndim == 1 else y
        self.n_outputs = self.y.shape[1]

    def value_and_gradient(self, w):
        residual = self.linear_predictor(w) - self.y
        weighted = self.weights[:, None] * residual
        value = 0.5 * float(np.sum(weighted * residual))
        return value, self._pack_gradient(weighted)


class LogisticLoss(_LinearDatafit):
    """Weighted mean binary log-loss of a linear score; ``y`` in {0, 1}.

    ``value = mean_i w_i * log(1 + exp(-s_i * z_i))`` with ``s_i = 2 y_i - 1``
    and ``z = X @ coef + intercept``.
    """

    def __init__(self, X, y, sample_weight=None, fit_intercept=True):
        super().__init__(X, sample_weight, fit_intercept)
        self.sign = 2.0 * np.asarray(y, dtype=float).reshape(-1, 1) - 1.0

    def value_and_gradient(self, w):
        margin = self.sign * self.linear_predictor(w)
        value = -float(self.weights @ special.log_expit(margin).ravel())
        grad_scores = -self.weights[:, None] * self.sign * special.expit(-margin)
        return value, self._pack_gradient(grad_scores)


class MultinomialLoss(_LinearDatafit):
    """Weighted mean cross-entropy of a softmax over ``n_classes`` linear scores.

    ``Y`` is a (n_samples, n_classes) matrix of target probabilities: one-hot
    labels, or soft targets (a teacher's probabilities) whose rows sum to 1.
    ``coef`` has shape (n_features, n_classes).
    """

    def __init__(self, X, Y, sample_weight=None, fit_intercept=True):
        super().__init__(X, sample_weight, fit_intercept)
        self.Y = np.asarray(Y, dtype=float)
        self.n_outputs = self.Y.shape[1]

    def value_and_gradient(self, w):
        scores = self.linear_predictor(w)
        log_proba = scores - special.logsumexp(scores, axis=1, keepdims=True)
        value = -float(self.weights @ np.sum(self.Y * log_proba, axis=1))
        grad_scores = self.weights[:, None] * (np.exp(log_proba) - self.Y)
        return value, self._pack_gradient(grad_scores)


# ---------------------------------------------------------------------------
# Penalties
# ---------------------------------------------------------------------------


class NoPenalty:
    """The zero penalty."""

    is_smooth = True

    def value(self, w):
        return 0.0

    def gradient(self, w):
        return np.zeros_like(w)

    def prox(self, w, step):
        return w


class L2:
    """``alpha / 2 * sum_j mask_j * w_j^2``; ``mask`` (0/1 or weights) spares intercepts."""

    is_smooth = True

    def __init__(self, alpha, mask=None):
        self.alpha = alpha
        self.mask = 1.0 if mask is None else np.asarray(mask, dtype=float)

    def value(self, w):
        return 0.5 * self.alpha * float(np.sum(self.mask * w * w))

    def gradient(self, w):
        return self.alpha * self.mask * w

    def prox(self, w, step):
        return w / (1.0 + step * self.alpha * self.mask)


class WeightedL1:
    """``alpha * sum_j weights_j * |w_j|``; a zero weight leaves a parameter free."""

    is_smooth = False

    def __init__(self, alpha, weights=None):
        self.alpha = alpha
        self.weights = 1.0 if weights is None else np.asarray(weights, dtype=float)

    def value(self, w):
        return self.alpha * float(np.sum(self.weights * np.abs(w)))

    def prox(self, w, step):
        threshold = step * self.alpha * self.weights
        return np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0)


# ---------------------------------------------------------------------------
# Solvers
# ---------------------------------------------------------------------------

# Slack in the sufficient-decrease test so that rounding alone never rejects a step.
_ROUNDING = 16 * np.finfo(float).eps


@dataclass
class OptimResult:
    """What a solver returns.

    Attributes
    ----------
    x : ndarray
        The solution (flat parameter vector).
    fun : float
        Objective value at ``x`` (datafit plus penalty).
    n_iter : int
        Iterations used.
    converged : bool
        Whether the stopping criterion was met before ``max_iter``.
    """

    x: np.ndarray
    fun: float
    n_iter: int
    converged: bool


def _warn_not_converged(solver, max_iter, context):
    where = f" while fitting {context}" if context else ""
    warnings.warn(
        f"{solver} did not converge in max_iter={max_iter} iterations{where}; "
        "increase max_iter or loosen tol.",
        ConvergenceWarning,
        stacklevel=3,
    )


def minimize_smooth(datafit, w0, penalty=None, *, tol=1e-8, max_iter=1000, context=None):
    """Minimise ``datafit + penalty`` for a smooth penalty with L-BFGS (scipy).

    Parameters
    ----------
    datafit : object with ``value_and_gradient(w)``
    w0 : ndarray of shape (n_params,)
        Starting point (copied, never modified).
    penalty : smooth penalty or None
        Must have ``is_smooth = True`` and a ``gradient``.
    tol : float
        Tolerance on the projected gradient's largest entry.
    max_iter : int
        Maximum L-BFGS iterations.
    context : str or None
        Named in the ConvergenceWarning (e.g. the estimator).

    Returns
    -------
    OptimResult
    """
    penalty = NoPenalty() if penalty is None else penalty
    if not getattr(penalty, "is_smooth", False):
        raise ValueError(f"{type(penalty).__name__} is not smooth; use proximal_gradient.")

    def objective(w):
        value, grad = datafit.value_and_gradient(w)
        return value + penalty.value(w), grad + penalty.gradient(w)

    result = optimize.minimize(
        objective,
        np.array(w0, dtype=float),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": tol, "ftol": 64 * np.finfo(float).eps},
    )
    # L-BFGS-B also stops on a relative objective change below ftol, which at
    # machine precision means no further progress is possible: count it as
    # converged rather than warning about it.
    converged = bool(result.success)
    if not converged:
        _warn_not_converged("L-BFGS", max_iter, context)
    return OptimResult(x=result.x, fun=float(result.fun), n_iter=int(result.nit), converged=converged)


def proximal_gradient(
    datafit,
    penalty,
    w0,
    *,
    accelerated=True,
    step=1.0,
    tol=1e-8,
    max_iter=10_000,
    is_feasible=None,
    context=None,
):
    """Minimise ``datafit(w) + penalty(w)`` by proximal gradient with backtracking.

    With ``accelerated=True`` this is FISTA with adaptive restart: momentum is
    dropped whenever the objective goes up or the extrapolated point is
    infeasible, which keeps the method monotone and safe on datafits whose
    domain is not the whole space.

    Parameters
    ----------
    datafit : object with ``value_and_gradient(w)``
        May return ``inf`` outside its domain.
    penalty : object with ``value(w)`` and ``prox(w, step)``
    w0 : ndarray of shape (n_params,)
        A feasible starting point (copied, never modified).
    accelerated : bool, default=True
        FISTA momentum (with restarts) or plain ISTA.
    step : float, default=1.0
        Initial step; halved until the quadratic upper bound holds, and allowed
        to grow again by a factor 1.25 per iteration so one bad region does not
        slow the rest of the run.
    tol : float, default=1e-8
        Stop when a proximal step moves no parameter by more than
        ``tol * max(1, max|w|)``.
    max_iter : int, default=10000
    is_feasible : callable or None
        Extra feasibility test ``is_feasible(w) -> bool``; points failing it are
        rejected like points where the datafit is infinite.
    context : str or None
        Named in the ConvergenceWarning.

    Returns
    -------
    OptimResult
    """
    x = np.array(w0, dtype=float)

    def evaluate(w):
        if is_feasible is not None and not is_feasible(w):
            return np.inf, None
        value, grad = datafit.value_and_gradient(w)
        return value, grad

    f_x, grad_x = evaluate(x)
    if not np.isfinite(f_x):
        raise ValueError("The starting point of the proximal gradient solver is infeasible.")
    objective_x = f_x + penalty.value(x)

    y, f_y, grad_y = x, f_x, grad_x
    y_is_x = True
    momentum = 1.0
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        # Backtracking on the quadratic upper bound at y.
        while True:
            z = penalty.prox(y - step * grad_y, step)
            f_z, grad_z = evaluate(z)
            diff = z - y
            upper_bound = f_y + grad_y @ diff + (diff @ diff) / (2 * step)
            if np.isfinite(f_z) and f_z <= upper_bound + _ROUNDING * abs(f_y):
                break
            step *= 0.5
            if step < 1e-20:
                break
        objective_z = f_z + penalty.value(z) if np.isfinite(f_z) else np.inf

        if accelerated and not y_is_x and objective_z > objective_x:
            # Restart: the momentum overshot; take a plain step from x instead.
            momentum = 1.0
            y, f_y, grad_y, y_is_x = x, f_x, grad_x, True
            continue

        if not np.isfinite(objective_z):
            break
        if np.max(np.abs(diff), initial=0.0) <= tol * max(1.0, np.max(np.abs(z), initial=0.0)):
            x, f_x, grad_x, objective_x = z, f_z, grad_z, objective_z
            converged = True
            break

        if accelerated:
            next_momentum = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * momentum**2))
            y = z + ((momentum - 1.0) / next_momentum) * (z - x)
            momentum = next_momentum
            f_y, grad_y = evaluate(y)
            y_is_x = False
            if not np.isfinite(f_y):
                momentum = 1.0
                y, f_y, grad_y, y_is_x = z, f_z, grad_z, True
        else:
            y, f_y, grad_y, y_is_x = z, f_z, grad_z, True
        x, f_x, grad_x, objective_x = z, f_z, grad_z, objective_z
        step *= 1.25

    if not converged:
        _warn_not_converged("Proximal gradient", max_iter, context)
    return OptimResult(x=x, fun=float(objective_x), n_iter=n_iter, converged=converged)


# ---------------------------------------------------------------------------
# Direction-only datafit and the unit-sphere constraint (halfspace learners)
# ---------------------------------------------------------------------------


# Below this share of active rows, BandRampLoss gathers them for the gradient.
_BAND_GATHER_SHARE = 0.25


class BandRampLoss:
    """Weighted mean ramp loss of the normalised margin of a homogeneous halfspace.

    ``value(w) = mean_i weights_i * ramp(-y_i <u, x_i>)`` with ``u = w / ||w||``
    and ``y`` in {-1, +1}.  ``ramp`` rises from 0 at ``-sigma / 2`` to 1 at
    ``sigma / 2``: linearly (``shape="linear"``) or as the cubic smoothstep
    ``3 s^2 - 2 s^3`` (``shape="smoothstep"``, continuously differentiable).
    Only the points in the band ``|<u, x>| < sigma / 2`` move the gradient.

    The loss depends on the direction of ``w`` only, so its gradient is
    tangent to the sphere through ``w``: at a unit vector it equals the
    Riemannian gradient ``(I - u u^T) grad``.  Paired with :class:`UnitSphere`
    the proximal gradient solver is then projected gradient descent on the
    sphere.  ``w = 0`` is outside the domain (``inf``).
    """

    def __init__(self, X, y, sigma, sample_weight=None, shape="linear"):
        if shape not in ("linear", "smoothstep"):
            raise ValueError(f"shape must be 'linear' or 'smoothstep'; got {shape!r}.")
        self.X = X
        self.y = np.asarray(y, dtype=float)
        self.sigma = float(sigma)
        self.shape = shape
        self.weights = _normalised_weights(sample_weight, X.shape[0])

    @property
    def n_params(self):
        return self.X.shape[1]

    def ramp(self, z):
        """Return ``ramp(z)`` and its derivative, elementwise."""
        s = np.clip(z / self.sigma + 0.5, 0.0, 1.0)
        inside = (s > 0.0) & (s < 1.0)
        if self.shape == "linear":
            return s, inside / self.sigma
        return s * s * (3.0 - 2.0 * s), 6.0 * s * (1.0 - s) / self.sigma

    def value_and_gradient(self, w):
        norm = np.linalg.norm(w)
        if not np.isfinite(norm) or norm == 0.0:
            return np.inf, np.zeros_like(w)
        u = w / norm
        value, slope = self.ramp(-self.y * (self.X @ u))
        scores = self.weights * slope * -self.y
        active = np.flatnonzero(slope)
        # Only band points have a slope: for a narrow band, gathering their
        # rows is cheaper than a second pass over all of X.
        if active.size < _BAND_GATHER_SHARE * slope.size:
            grad_u = self.X[active].T @ scores[active]
        else:
            grad_u = self.X.T @ scores
        grad = (grad_u - u * (u @ grad_u)) / norm
        return float(self.weights @ value), grad

    def value(self, w):
        return self.value_and_gradient(w)[0]


class UnitSphere:
    """Indicator of the unit sphere ``{w : ||w|| = 1}``; its prox is the projection ``w / ||w||``.

    The sphere is not convex, so the proximal gradient solver becomes a
    projected (nonconvex) descent; used with direction-only datafits such as
    :class:`BandRampLoss`, whose value does not change along the projection.
    """

    is_smooth = False

    def value(self, w):
        return 0.0

    def prox(self, w, step):
        norm = np.linalg.norm(w)
        return w / norm if norm > 0.0 else w

class CumulativeLogitLoss:
    """Weighted mean negative log-likelihood of a cumulative-logit ordinal model.

    For ``n_classes = K`` ordered classes coded ``0, ..., K-1``, boundary
    ``k`` (``k = 0, ..., K-2``) has ``P(y <= k | x) = expit(a_k + x @ b_k)``
    and ``P(y = c | x) = P(y <= c) - P(y <= c - 1)``.

    Layout of ``w``: the ``K - 1`` intercepts ``a`` first, then ``Psi`` of shape
    ``(K - 1, n_features)`` in row-major order, where ``psi_0 = b_0`` and
    ``psi_k = b_k - b_{k-1}``: the slopes are ``B = cumsum(Psi, axis=0)``.  An
    L1 penalty on ``Psi`` therefore shrinks adjacent boundaries towards each
    other (PRESTO).  With ``parallel=True`` the model is proportional odds:
    ``w = [a, b]`` with one slope vector shared by every boundary.

    The value is ``inf`` (and the gradient ``nan``) when some training row gets
    a non-positive probability, i.e. its two boundaries cross; the proximal
    solver rejects such points.
    """

    def __init__(self, X, y, n_classes, sample_weight=None, parallel=False):
        self.X = X
        self.y = np.asarray(y, dtype=np.intp)
        self.n_classes = int(n_classes)
        self.parallel = parallel
        self.weights = _normalised_weights(sample_weight, X.shape[0])
        # Column c of the padded predictor is the lower boundary of class c and
        # column c + 1 its upper one; the padding stands for P(y <= -1) = 0 and
        # P(y <= K - 1) = 1.  Flat indices of each row's lower boundary:
        self._lower_index = np.arange(X.shape[0]) * (self.n_classes + 1) + self.y

    @property
    def n_params(self):
        n_boundaries, n_features = self.n_classes - 1, self.X.shape[1]
        return n_boundaries + (n_features if self.parallel else n_boundaries * n_features)

    def unpack(self, w):
        """Return ``intercepts`` (K-1,) and the slopes ``B`` (K-1, n_features)."""
        n_boundaries, n_features = self.n_classes - 1, self.X.shape[1]
        intercepts = w[:n_boundaries]
        if self.parallel:
            coef = np.broadcast_to(w[n_boundaries:], (n_boundaries, n_features))
        else:
            coef = np.cumsum(w[n_boundaries:].reshape(n_boundaries, n_features), axis=0)
        return intercepts, coef

    def linear_predictor(self, w):
        """``eta`` of shape (n_samples, K-1): ``eta[i, k] = a_k + x_i @ b_k``."""
        n_boundaries = self.n_classes - 1
        if self.parallel:
            return w[:n_boundaries] + (self.X @ w[n_boundaries:])[:, None]
        intercepts, coef = self.unpack(w)
        return intercepts + self.X @ coef.T

    def value_and_gradient(self, w):
        eta = self.linear_predictor(w)
        n_samples = eta.shape[0]
        padded = np.empty((n_samples, self.n_classes + 1))
        padded[:, 0] = -np.inf
        padded[:, -1] = np.inf
        padded[:, 1:-1] = eta
        flat = padded.ravel()
        lower = flat[self._lower_index]
        upper = flat[self._lower_index + 1]
        gap = lower - upper
        if not np.all(gap < 0):
            return np.inf, np.full_like(w, np.nan)
        # expit(u) - expit(l) = expit(u) * expit(-l) * (1 - exp(l - u)): a product
        # of terms that are each accurate, so tiny rare-class probabilities stay
        # accurate.  One expit call on the stacked (u, -l, l, -u) values.
        stacked = special.expit(np.concatenate([upper, -lower, lower, -upper]))
        s_upper, s_neg_lower, s_lower, s_neg_upper = stacked.reshape(4, n_samples)
        one_minus = -np.expm1(gap)
        log_proba = np.log(s_upper * s_neg_lower * one_minus)
        value = -float(self.weights @ log_proba)
        # d log P / d u = expit(-u) / (expit(-l) (1 - e^{l-u})) and
        # d log P / d l = -expit(l) / (expit(u) (1 - e^{l-u})).
        scaled = self.weights / one_minus
        grad_flat = np.zeros(padded.size)
        grad_flat[self._lower_index + 1] = -scaled * s_neg_upper / s_neg_lower
        grad_flat[self._lower_index] += scaled * s_lower / s_upper
        grad_eta = grad_flat.reshape(padded.shape)[:, 1:-1]
        return value, self._pack_gradient(grad_eta)

    def _pack_gradient(self, grad_eta):
        grad_intercepts = grad_eta.sum(axis=0)
        if self.parallel:
            grad_coef = self.X.T @ grad_eta.sum(axis=1)
            return np.concatenate([grad_intercepts, grad_coef])
        grad_coef = grad_eta.T @ self.X
        # B = cumsum(Psi): the gradient in Psi is the reversed cumulative sum.
        grad_psi = np.cumsum(grad_coef[::-1], axis=0)[::-1]
        return np.concatenate([grad_intercepts, grad_psi.ravel()])

    def value(self, w):
        return self.value_and_gradient(w)[0]


# ---------------------------------------------------------------------------
# Margin datafits and fixed-step gradient descent (separable classification)
# ---------------------------------------------------------------------------


class _MarginDatafit:
    """Shared layout of the margin datafits: ``w`` is the coefficient vector alone.

    ``y`` holds labels in {-1, +1}; a bias is a constant column of ``X`` chosen
    by the caller, so it is one more coordinate of ``w`` and gets no special
    treatment.  Every datafit here is ``mean_i loss(m_i)`` of the margins
    ``m_i = y_i <x_i, w>`` with gradient ``-(1/n) sum_i s_i y_i x_i``;
    :meth:`gradient_weights` returns the ``s_i``.  The margins of the latest
    evaluated point are kept, so a solver's stopping rule can read them
    without a second product with ``X``.
    """

    def __init__(self, X, y):
        self.X = X
        self.y = np.asarray(y, dtype=float)
        self._cache_w = None

    @property
    def n_params(self):
        return self.X.shape[1]

    def margins(self, w):
        """Return ``y * (X @ w)``, reusing the latest evaluation when ``w`` is unchanged."""
        if self._cache_w is None or not np.array_equal(self._cache_w, w):
            self._evaluate(w)
        return self._margin

    def gradient_weights(self, w):
        """Return the per-sample weights ``s_i`` of the gradient at ``w``."""
        self.margins(w)
        return self._weights

    def _evaluate(self, w):
        self._cache_w = np.array(w, dtype=float)
        self._margin = self.y * (self.X @ w)
        self._value, self._weights = self._loss_and_weights(self._margin)

    def value_and_gradient(self, w):
        self.margins(w)
        grad = -(self.X.T @ (self._weights * self.y)) / self.X.shape[0]
        return self._value, grad

    def value(self, w):
        self.margins(w)
        return self._value


class LogisticMarginLoss(_MarginDatafit):
    """Mean logistic loss ``(1/n) sum_i log(1 + exp(-m_i))`` with ``m_i = y_i <x_i, w>``.

    Gradient weights ``s_i = expit(-m_i)``.  Both come from the one
    exponential ``e = exp(-|m|)`` (never overflowing): the loss is
    ``max(-m, 0) + log1p(e)`` and ``s = 1 / (1 + e)`` or ``e / (1 + e)``, so
    huge margins (large step sizes) give a large finite loss, and a step costs
    a quarter of separate ``log_expit`` and ``expit`` calls.
    """

    def _loss_and_weights(self, margin):
        e = np.exp(-np.abs(margin))
        inverse = 1.0 / (1.0 + e)
        loss = np.maximum(-margin, 0.0) + np.log1p(e)
        return float(np.mean(loss)), np.where(margin >= 0, e * inverse, inverse)


class PerceptronLoss(_MarginDatafit):
    """Batch perceptron criterion ``(1/n) sum_i max(0, -m_i)``.

    Its (sub)gradient weights are ``s_i = 1`` for a misclassified sample
    (``m_i < 0``), ``tie_weight`` for a sample on the hyperplane (``m_i = 0``)
    and ``0`` otherwise, so that one gradient step of length 1 is one batch
    perceptron update.  ``tie_weight = 1/2`` is the limit of the logistic
    weights ``expit(0)``; it matters at ``w = 0``, where every margin is zero.
    """

    def __init__(self, X, y, tie_weight=0.5):
        super().__init__(X, y)
        self.tie_weight = float(tie_weight)

    def _loss_and_weights(self, margin):
        weights = (margin < 0).astype(float)
        weights[margin == 0] = self.tie_weight
        return float(np.mean(np.maximum(-margin, 0.0))), weights


def _gradient_descent_divisor(normalization, datafit, w, value, grad):
    if normalization is None:
        return 1.0
    if callable(normalization):
        return float(normalization(w, value, grad))
    if normalization == "gradient":
        return float(np.linalg.norm(grad))
    if normalization == "loss":
        return float(value)
    if normalization == "weights":
        return float(np.mean(datafit.gradient_weights(w)))
    raise ValueError(
        "normalization must be None, 'gradient', 'loss', 'weights' or a callable; " f"got {normalization!r}."
    )


def gradient_descent(
    datafit,
    w0,
    *,
    step,
    normalization=None,
    max_iter=1000,
    tol=0.0,
    callback=None,
    warn=True,
    context=None,
):
    """Gradient descent with a fixed (optionally normalised) step.

    ``w_{t+1} = w_t - step * grad f(w_t) / N(w_t)``, with no line search: the
    step is the method's parameter, not a safeguard (large-step dynamics on
    separable data are the object of study, not a bug to correct).

    Parameters
    ----------
    datafit : object with ``value_and_gradient(w)``
    w0 : ndarray of shape (n_params,)
        Starting point (copied, never modified).
    step : float
        The step size ``gamma > 0``.
    normalization : None, {"gradient", "loss", "weights"} or callable, default=None
        The divisor ``N(w_t)``: ``1`` (plain gradient descent), the gradient's
        Euclidean norm, the datafit value, the mean of the datafit's gradient
        weights ``mean_i s_i`` (margin datafits only), or
        ``normalization(w, value, grad) -> float``.
    max_iter : int, default=1000
        Maximum number of steps.
    tol : float, default=0.0
        Stop (converged) when no gradient entry exceeds ``tol`` in absolute
        value; with 0 only an exactly vanishing gradient stops the run.
    callback : callable or None
        ``callback(t, w, value, grad) -> bool`` is called at every iterate
        ``w_t`` (``t = 0`` is ``w0``) before its step; returning True stops the
        run as converged, with ``n_iter = t``.
    warn : bool, default=True
        Whether to warn ``ConvergenceWarning`` when no stopping rule fired.
    context : str or None
        Named in the ConvergenceWarning.

    Returns
    -------
    OptimResult
        ``n_iter`` is the number of steps taken; ``x`` is the last iterate and
        ``fun`` its datafit value.  A divisor that is zero or not finite (the
        normalising quantity underflowed) ends the run; it counts as converged
        only if the gradient is within ``tol``.
    """
    w = np.array(w0, dtype=float)
    for t in range(max_iter + 1):
        value, grad = datafit.value_and_gradient(w)
        if callback is not None and callback(t, w, value, grad):
            return OptimResult(x=w, fun=float(value), n_iter=t, converged=True)
        if np.max(np.abs(grad), initial=0.0) <= tol:
            return OptimResult(x=w, fun=float(value), n_iter=t, converged=True)
        if t == max_iter:
            break
        divisor = np.float64(_gradient_descent_divisor(normalization, datafit, w, value, grad))
        with np.errstate(over="ignore", divide="ignore"):
            scale = step / divisor
        if not (divisor > 0.0 and np.isfinite(scale)):
            return OptimResult(x=w, fun=float(value), n_iter=t, converged=False)
        w = w - scale * grad
    if warn:
        _warn_not_converged("Gradient descent", max_iter, context)
    return OptimResult(x=w, fun=float(value), n_iter=max_iter, converged=False)


# ---------------------------------------------------------------------------
# l_p regression: the l_p loss, a reweighted Newton solver and an exact LAD solver
# ---------------------------------------------------------------------------

# Residuals below this are clipped in the curvature of the l_p loss for p < 2,
# where |r|^(p-2) is unbounded at r = 0.
_LP_RESIDUAL_FLOOR = 1e-8
# Relative singular-value cut of the Newton system: the Hessian's condition
# number is the square of the design's, so this drops only directions the
# design leaves (numerically) undetermined.
_NEWTON_RCOND = 1e-13


class LpLoss(_LinearDatafit):
    """Weighted mean of ``|y - X @ coef - intercept|^p`` for ``p >= 1``.

    The gradient is exact for ``p > 1``; at ``p = 1`` it is the subgradient
    with ``sign(0) = 0`` (use :func:`least_absolute_deviations` to solve that
    case exactly).  ``curvature(w)`` gives per-sample weights ``c`` such that
    ``X^T diag(c) X`` (intercept column included) is the Hessian for
    ``p >= 2`` and, for ``p < 2``, the majoriser of iteratively reweighted
    least squares, with residuals clipped at ``1e-8``.
    """

    def __init__(self, X, y, p, sample_weight=None, fit_intercept=True):
        super().__init__(X, sample_weight, fit_intercept)
        self.y = np.asarray(y, dtype=float).ravel()
        self.p = float(p)

    def residual(self, w):
        return self.y - self.linear_predictor(w).ravel()

    def value_and_gradient(self, w):
        residual = self.residual(w)
        abs_residual = np.abs(residual)
        value = float(self.weights @ abs_residual**self.p)
        grad_scores = -self.p * self.weights * np.sign(residual) * abs_residual ** (self.p - 1.0)
        return value, self._pack_gradient(grad_scores[:, None])

    def curvature(self, w):
        abs_residual = np.abs(self.residual(w))
        if self.p < 2.0:
            # The IRLS majoriser of |r|^p at r0 is p |r0|^(p-2) r^2 / 2 + const.
            return self.p * self.weights * np.maximum(abs_residual, _LP_RESIDUAL_FLOOR) ** (self.p - 2.0)
        return self.p * (self.p - 1.0) * self.weights * abs_residual ** (self.p - 2.0)

    def design(self):
        """The design matrix with the intercept column appended when fitted."""
        if self.fit_intercept:
            return np.column_stack([self.X, np.ones(self.X.shape[0])])
        return self.X


def reweighted_newton(datafit, w0, *, tol=1e-8, max_iter=100, context=None):
    """Minimise a datafit whose curvature is diagonal in the samples.

    Each iteration solves ``(D^T diag(c) D) delta = -grad`` with the datafit's
    ``design()`` ``D`` and ``curvature(w)`` ``c``, then backtracks on
    ``delta`` until the objective decreases (Armijo).  For :class:`LpLoss`
    this is Newton's method when ``p >= 2`` and iteratively reweighted least
    squares (a majorise-minimise scheme, monotone) when ``1 < p < 2``.

    Parameters
    ----------
    datafit : object with ``value_and_gradient``, ``curvature`` and ``design``
    w0 : ndarray of shape (n_params,)
        Starting point (copied, never modified).
    tol : float, default=1e-8
        Stop when a step moves no parameter by more than ``tol * max(1, max|w|)``
        or the objective decreases by less than ``tol`` relative.
    max_iter : int, default=100
    context : str or None
        Named in the ConvergenceWarning.

    Returns
    -------
    OptimResult
    """
    from scipy import linalg

    design = datafit.design()
    x = np.array(w0, dtype=float)
    value, grad = datafit.value_and_gradient(x)
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        curvature = datafit.curvature(x)
        hessian = design.T @ (curvature[:, None] * design)
        # A pseudo-inverse, so that a rank-deficient design (duplicated or
        # collinear columns) still gives the minimum-norm descent step.
        delta = linalg.lstsq(hessian, -grad, cond=_NEWTON_RCOND, check_finite=False)[0]
        slope = float(grad @ delta)
        if not slope < 0.0:
            converged = True  # no descent direction left: stationary up to rounding
            break
        step = 1.0
        while True:
            candidate = x + step * delta
            new_value, new_grad = datafit.value_and_gradient(candidate)
            if new_value <= value + 1e-4 * step * slope + _ROUNDING * abs(value):
                break
            step *= 0.5
            if step < 1e-12:
                break
        if step < 1e-12:
            converged = True  # the line search cannot decrease the objective any more
            break
        moved = np.max(np.abs(candidate - x), initial=0.0)
        decrease = value - new_value
        x, value, grad = candidate, new_value, new_grad
        if moved <= tol * max(1.0, np.max(np.abs(x), initial=0.0)) or decrease <= tol * abs(value):
            converged = True
            break
    if not converged:
        _warn_not_converged("Reweighted Newton", max_iter, context)
    return OptimResult(x=x, fun=float(value), n_iter=n_iter, converged=converged)


def least_absolute_deviations(X, y, sample_weight=None, fit_intercept=True, *, context=None):
    """Solve weighted least absolute deviations exactly through its dual linear program.

    ``min_w sum_i s_i |y_i - D_i w|`` (``D`` = ``X`` plus an intercept column)
    has the dual ``max_u y^T u`` subject to ``D^T u = 0`` and
    ``-s_i <= u_i <= s_i``: ``n_params`` equality rows instead of the
    ``n_samples`` rows of the primal, which is what makes it fast for
    ``n_samples >> n_features``.  HiGHS returns the primal solution as the
    multipliers of the equality rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,) or None
        Non-negative weights ``s``.
    fit_intercept : bool, default=True
    context : str or None
        Named in the ConvergenceWarning if HiGHS does not reach optimality.

    Returns
    -------
    OptimResult
        ``fun`` is the loss of :class:`LpLoss` with ``p = 1`` (the weighted
        mean absolute residual); ``n_iter`` counts simplex / interior-point
        iterations.
    """
    datafit = LpLoss(X, y, 1.0, sample_weight=sample_weight, fit_intercept=fit_intercept)
    design = datafit.design()
    bound = np.full(X.shape[0], 1.0) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    result = optimize.linprog(
        -datafit.y,
        A_eq=design.T,
        b_eq=np.zeros(design.shape[1]),
        bounds=np.column_stack([-bound, bound]),
        method="highs",
    )
    if result.status != 0 or result.eqlin is None:
        warnings.warn(
            f"HiGHS stopped without an optimal solution ({result.message})"
            + (f" while fitting {context}" if context else "")
            + "; the coefficients are zero.",
            ConvergenceWarning,
            stacklevel=2,
        )
        x = np.zeros(design.shape[1])
        return OptimResult(x=x, fun=datafit.value(x), n_iter=int(result.nit), converged=False)
    # linprog minimises -y^T u, so the primal coefficients are minus the multipliers.
    x = -np.asarray(result.eqlin.marginals, dtype=float)
    return OptimResult(x=x, fun=datafit.value(x), n_iter=int(result.nit), converged=True)


# ---------------------------------------------------------------------------
# Preference (DPO) loss on a linear softmax policy
# ---------------------------------------------------------------------------


class PreferenceLoss(_LinearDatafit):
    """Weighted mean DPO loss ``-log sigmoid(m_i)`` of a linear softmax policy.

    Pair ``i`` is (row ``rows[i]`` of ``X``, chosen class ``chosen[i]``,
    rejected class ``rejected[i]``), and its margin is

    ``m_i = beta * [(s_c - s_r)(w) - (s_c - s_r)(reference)]``

    with ``s_k`` the class-``k`` linear score at that row.  The softmax
    normaliser cancels inside a pair, so only score differences enter.  For
    two classes the policy has one score ``z`` (the log-odds of class 1, as in
    scikit-learn's binary classifiers) and class 0 scores 0; otherwise ``coef``
    has shape (n_features, n_classes).  A tied pair (chosen == rejected) has
    margin 0 and no gradient.

    ``reference_scores`` (n_samples, n_outputs), the reference policy's scores
    on ``X``, or None for the uniform policy (all scores 0).  ``sample_weight``
    weighs pairs.
    """

    def __init__(
        self,
        X,
        chosen,
        rejected,
        n_classes,
        *,
        beta=1.0,
        reference_scores=None,
        rows=None,
        sample_weight=None,
        fit_intercept=True,
    ):
        self.chosen = np.asarray(chosen, dtype=np.intp)
        self.rejected = np.asarray(rejected, dtype=np.intp)
        super().__init__(X, sample_weight=None, fit_intercept=fit_intercept)
        self.weights = _normalised_weights(sample_weight, self.chosen.shape[0])
        self.n_classes = int(n_classes)
        self.n_outputs = 1 if self.n_classes == 2 else self.n_classes
        self.beta = float(beta)
        self.rows = np.arange(X.shape[0]) if rows is None else np.asarray(rows, dtype=np.intp)
        self.reference_margin = (
            np.zeros(self.chosen.shape[0]) if reference_scores is None else self._score_gap(reference_scores)
        )

    def _class_scores(self, scores):
        # Binary policies carry the class-1 score only; class 0 is the zero baseline.
        if self.n_outputs == 1:
            return np.column_stack([np.zeros(scores.shape[0]), scores[:, 0]])
        return scores

    def _score_gap(self, scores):
        full = self._class_scores(np.asarray(scores, dtype=float).reshape(-1, self.n_outputs))
        return full[self.rows, self.chosen] - full[self.rows, self.rejected]

    def margins(self, w):
        """Return the pair margins ``m`` at ``w``."""
        return self.beta * (self._score_gap(self.linear_predictor(w)) - self.reference_margin)

    def value_and_gradient(self, w):
        margin = self.margins(w)
        value = -float(self.weights @ special.log_expit(margin))
        slope = -self.beta * self.weights * special.expit(-margin)
        # d m / d scores is +1 at (row, chosen) and -1 at (row, rejected); rows can
        # repeat (one sample against several rejected classes), hence bincount.
        n_cells = self.X.shape[0] * self.n_classes
        grad_full = np.bincount(self.rows * self.n_classes + self.chosen, slope, n_cells)
        grad_full -= np.bincount(self.rows * self.n_classes + self.rejected, slope, n_cells)
        grad_full = grad_full.reshape(self.X.shape[0], self.n_classes)
        grad_scores = grad_full[:, 1:] if self.n_outputs == 1 else grad_full
        return value, self._pack_gradient(grad_scores)


class CenteredL2:
    """``alpha / 2 * sum_j mask_j * (w_j - center_j)^2``: a ridge towards a given point.

    With ``center = 0`` this is :class:`L2`; preference tuning uses the
    reference model's parameters as the centre.
    """

    is_smooth = True

    def __init__(self, alpha, center, mask=None):
        self.alpha = alpha
        self.center = np.asarray(center, dtype=float)
        self.mask = 1.0 if mask is None else np.asarray(mask, dtype=float)

    def value(self, w):
        shift = w - self.center
        return 0.5 * self.alpha * float(np.sum(self.mask * shift * shift))

    def gradient(self, w):
        return self.alpha * self.mask * (w - self.center)

    def prox(self, w, step):
        return self.center + (w - self.center) / (1.0 + step * self.alpha * self.mask)


class PenalizedDatafit:
    """``datafit + penalty`` as one datafit, for solvers that take a datafit alone.

    Used with :func:`gradient_descent` when a smooth penalty (``is_smooth``)
    must enter the fixed-step iteration.
    """

    def __init__(self, datafit, penalty):
        if not getattr(penalty, "is_smooth", False):
            raise ValueError(f"{type(penalty).__name__} is not smooth.")
        self.datafit = datafit
        self.penalty = penalty

    def value_and_gradient(self, w):
        value, grad = self.datafit.value_and_gradient(w)
        return value + self.penalty.value(w), grad + self.penalty.gradient(w)

    def value(self, w):
        return self.value_and_gradient(w)[0]

# Products of norms below this count as zero: the cosine is then taken as 0.
_COSINE_EPS = 1e-12

class ResidualFusionLoss:
    """Query log-loss of a projected-residual fusion score (reference-guided anomaly detection).

    Parameters are ``w = [P.ravel(), b0, b1, b2, b3]`` with ``P`` of shape
    ``(n_features, n_components)``. For query ``i`` with residual ``r_i``,
    normal dissimilarity ``base_i`` and abnormal-reference residuals
    ``R_ref[i, k]``, with ``u = P^T r_i`` and ``v_k = P^T R_ref[i, k]``::

        s_i = max_k (1 + cos(u, v_k)) / 2
        z_i = b0 + b1 * base_i + b2 * s_i + b3 * ||u||^2

    and the loss is the weighted mean binary log-loss of ``z`` against
    ``y`` in {0, 1}. The max is differentiated at its argmax (the loss is
    differentiable wherever the argmax is unique); a zero projected
    residual has cosine 0 and no cosine gradient.
    """

    def __init__(self, R_query, R_ref, base, y, n_components, sample_weight=None):
        self.R_query = np.asarray(R_query, dtype=float)
        self.R_ref = np.asarray(R_ref, dtype=float)
        self.base = np.asarray(base, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.n_components = int(n_components)
        self.weights = _normalised_weights(sample_weight, self.R_query.shape[0])

    @property
    def n_params(self):
        return self.R_query.shape[1] * self.n_components + 4

    def unpack(self, w):
        n_features = self.R_query.shape[1]
        return w[:-4].reshape(n_features, self.n_components), w[-4:]

    def scores(self, w):
        """Return ``z``, ``s``, ``||u||^2`` and what the gradient needs."""
        P, beta = self.unpack(w)
        U = self.R_query @ P
        V = (self.R_ref.reshape(-1, P.shape[0]) @ P).reshape(*self.R_ref.shape[:2], P.shape[1])
        norm_u = np.linalg.norm(U, axis=1)
        norm_v = np.linalg.norm(V, axis=2)
        denominator = norm_u[:, None] * norm_v
        defined = denominator > _COSINE_EPS
        cosine = np.where(defined, np.einsum("nkm,nm->nk", V, U) / np.where(defined, denominator, 1.0), 0.0)
        best = np.argmax(cosine, axis=1)
        rows = np.arange(U.shape[0])
        similarity = (1.0 + cosine[rows, best]) / 2.0
        energy = norm_u**2
        z = beta[0] + beta[1] * self.base + beta[2] * similarity + beta[3] * energy
        return z, similarity, energy, (U, V[rows, best], norm_u, norm_v[rows, best], defined[rows, best], best)

    def value_and_gradient(self, w):
        P, beta = self.unpack(w)
        z, similarity, energy, (U, v, norm_u, norm_v, defined, best) = self.scores(w)
        value = float(self.weights @ (np.logaddexp(0.0, z) - self.y * z))
        g = self.weights * (special.expit(z) - self.y)
        grad_beta = np.array([g.sum(), g @ self.base, g @ similarity, g @ energy])
        cosine = 2.0 * similarity - 1.0
        safe_uv = np.where(defined, norm_u * norm_v, 1.0)
        safe_u2 = np.where(defined, norm_u**2, 1.0)
        safe_v2 = np.where(defined, norm_v**2, 1.0)
        d_cos = np.where(defined, 0.5 * beta[2] * g, 0.0)[:, None]
        grad_u = d_cos * (v / safe_uv[:, None] - cosine[:, None] * U / safe_u2[:, None])
        grad_u += (2.0 * beta[3] * g)[:, None] * U
        grad_v = d_cos * (U / safe_uv[:, None] - cosine[:, None] * v / safe_v2[:, None])
        chosen = self.R_ref[np.arange(U.shape[0]), best]
        grad_P = self.R_query.T @ grad_u + chosen.T @ grad_v
        return value, np.concatenate([grad_P.ravel(), grad_beta])


class MultiBranchLogitLoss:
    """AMU-Tuning's multi-branch cross-entropy over standardised auxiliary logits.

    Layout: ``w = W.ravel()`` with ``W`` of shape (n_classes, n_aux_features).
    The auxiliary logits ``z = G W^T`` are standardised across classes per row,
    ``s_aux = (z - mean_c z) / sqrt(var_c(z) + eps)`` (variance with ``C - 1``),
    and fused with fixed zero-shot logits ``s = S0 + alpha * phi * s_aux``. The
    loss is the weighted mean of
    ``lambda_merge * CE(s, y) + (1 - lambda_merge) * CE(s_aux, y)``.
    With ``zero_shot_logits=None`` there is no fused branch and the loss is
    ``CE(s_aux, y)`` alone.

    ``eps`` keeps the standardisation defined when every class scores the same
    (``W = 0``, or a symmetric binary ``W``).
    """

    def __init__(self, G, Y, zero_shot_logits=None, fusion=None, alpha=0.5, lambda_merge=0.35,
                 sample_weight=None, eps=1e-12):
        self.G = np.asarray(G, dtype=float)
        self.Y = np.asarray(Y, dtype=float)
        self.n_classes = self.Y.shape[1]
        self.S0 = None if zero_shot_logits is None else np.asarray(zero_shot_logits, dtype=float)
        n_samples = self.G.shape[0]
        self.fusion = np.ones(n_samples) if fusion is None else np.asarray(fusion, dtype=float)
        self.alpha = float(alpha)
        self.lambda_merge = float(lambda_merge)
        self.weights = _normalised_weights(sample_weight, n_samples)
        self.eps = float(eps)

    @property
    def n_params(self):
        return self.n_classes * self.G.shape[1]

    def standardised_logits(self, w):
        """Return ``(s_aux, scale)``: standardised logits and the per-row scale."""
        W = w.reshape(self.n_classes, self.G.shape[1])
        z = self.G @ W.T
        centred = z - z.mean(axis=1, keepdims=True)
        scale = np.sqrt(np.sum(centred**2, axis=1) / (self.n_classes - 1) + self.eps)
        return centred / scale[:, None], scale

    def value_and_gradient(self, w):
        s_aux, scale = self.standardised_logits(w)
        log_aux = s_aux - special.logsumexp(s_aux, axis=1, keepdims=True)
        ce_aux = -np.sum(self.Y * log_aux, axis=1)
        grad_s = np.exp(log_aux) - self.Y
        if self.S0 is None:
            per_row = ce_aux
        else:
            gain = self.alpha * self.fusion[:, None]
            fused = self.S0 + gain * s_aux
            log_fused = fused - special.logsumexp(fused, axis=1, keepdims=True)
            ce_fused = -np.sum(self.Y * log_fused, axis=1)
            per_row = self.lambda_merge * ce_fused + (1.0 - self.lambda_merge) * ce_aux
            grad_s = (1.0 - self.lambda_merge) * grad_s + self.lambda_merge * gain * (
                np.exp(log_fused) - self.Y
            )
        grad_s *= self.weights[:, None]
        # Chain rule through the per-row standardisation: the Jacobian of
        # s = (z - mean z) / scale removes the mean and the component along s.
        along = np.sum(s_aux * grad_s, axis=1, keepdims=True) / (self.n_classes - 1)
        grad_z = (grad_s - grad_s.mean(axis=1, keepdims=True) - s_aux * along) / scale[:, None]
        return float(self.weights @ per_row), (grad_z.T @ self.G).ravel()


# ---------------------------------------------------------------------------
# Hierarchical few-shot heads: the closed-form episode bound of a diagonal
# Normal-inverse-Wishart prior, and Adam for a stream of episode datafits
# ---------------------------------------------------------------------------


class NIWEpisodeBound:
    """Mean over episodes of the optimal local negative ELBO of a NIW few-shot head.

    Each episode ``i`` has a local linear head whose rows ``c`` (class slots)
    are ``p``-dimensional, a Laplace point ``M_bar[i, c]`` and the diagonal of
    the Hessian of its summed episode loss there, ``A[i, c]``. With the prior
    mean ``m0`` and the diagonal scale ``S = Lambda_0 / n_0``, the inner
    problem is solved in closed form and leaves, per row and coordinate,
    ``r^2 a / (2 (1 + s a)) + log(1 + s a) / 2`` with ``r = m_bar - m0``:
    the curvature enters only through ``a / (1 + s a)``, which stays finite
    when ``a`` vanishes (confident predictions), so ``A`` is never inverted.

    ``w = [m0 (p,), log S (p,)]``. ``offset`` is added to the value (the
    episode losses at their Laplace points and the ``n_0, l_0`` terms, which
    do not depend on ``w``).
    """

    def __init__(self, M_bar, A, offset=0.0):
        self.M_bar = np.asarray(M_bar, dtype=float)
        self.A = np.asarray(A, dtype=float)
        self.offset = float(offset)
        self.n_episodes = self.M_bar.shape[0]

    @property
    def n_params(self):
        return 2 * self.M_bar.shape[-1]

    def value_and_gradient(self, w):
        p = self.M_bar.shape[-1]
        m0, log_s = w[:p], w[p:]
        s = np.exp(log_s)
        a = self.A
        r = self.M_bar - m0
        shrunk = a / (1.0 + s * a)  # (A^-1 + S)^-1, diagonal
        value = 0.5 * np.sum(r * r * shrunk) + 0.5 * np.sum(np.log1p(s * a))
        grad_m0 = -np.sum(r * shrunk, axis=(0, 1))
        # d/ds of the two terms: -r^2 a^2 / (1 + s a)^2 / 2 + a / (1 + s a) / 2; times s for log s.
        grad_log_s = s * 0.5 * np.sum(shrunk - r * r * shrunk * shrunk, axis=(0, 1))
        n = self.n_episodes
        return value / n + self.offset, np.concatenate([grad_m0, grad_log_s]) / n

    def value(self, w):
        return self.value_and_gradient(w)[0]


def adam(next_datafit, w0, *, n_steps, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, callback=None):
    """Adam over a stream of datafits, one step per datafit.

    Stochastic meta-learning draws a fresh mini-batch (of episodes) at every
    step, and the batch's datafit may depend on the current iterate (its local
    problems start there, with no gradient through them), so the solver asks
    ``next_datafit(t, w)`` for the datafit of step ``t`` at ``w`` and takes one
    Adam step on it. There is no convergence test: the number of steps is the
    method's parameter.

    Parameters
    ----------
    next_datafit : callable
        ``next_datafit(t, w) -> datafit`` with ``value_and_gradient``.
    w0 : ndarray of shape (n_params,)
        Starting point (copied, never modified).
    n_steps : int
        Number of steps.
    learning_rate, beta1, beta2, eps : float
        Adam's step size, moment decays and denominator guard.
    callback : callable or None
        ``callback(t, w, value, grad)`` at every step, before the update.  A
        callback that returns True stops the run there (an early-stopping rule).

    Returns
    -------
    OptimResult
        ``x`` is the last iterate, ``fun`` the value of the last datafit seen
        (at the iterate before the last step), ``n_iter`` the steps taken and
        ``converged`` True.
    """
    first = np.zeros(np.shape(w0))
    second = np.zeros(np.shape(w0))

    def update(t, w, grad):
        nonlocal first, second
        first = beta1 * first + (1.0 - beta1) * grad
        second = beta2 * second + (1.0 - beta2) * grad * grad
        first_hat = first / (1.0 - beta1 ** (t + 1))
        second_hat = second / (1.0 - beta2 ** (t + 1))
        return w - learning_rate * first_hat / (np.sqrt(second_hat) + eps)

    return _stream_of_steps(next_datafit, w0, n_steps, update, callback)


def _stream_of_steps(next_datafit, w0, n_steps, update, callback):
    """The loop shared by the stochastic solvers: one datafit, one ``update(t, w, grad)`` per step."""
    w = np.array(w0, dtype=float)
    value = np.nan
    for t in range(n_steps):
        value, grad = next_datafit(t, w).value_and_gradient(w)
        if callback is not None and callback(t, w, value, grad):
            return OptimResult(x=w, fun=float(value), n_iter=t, converged=True)
        w = update(t, w, grad)
    return OptimResult(x=w, fun=float(value), n_iter=int(n_steps), converged=True)


class TokenizedBrierLoss(_LinearDatafit):
    """Weighted mean tokenized Brier score of a softmax over confidence levels (ConfTuner).

    A linear head gives ``n_levels`` logits per row, ``p = softmax(X coef + intercept)``,
    and the row's score is ``sum_j p_j (y - c_j)^2`` with ``y`` in {0, 1} the correctness
    label and ``c_j`` the confidence levels.  ``coef`` has shape (n_features, n_levels).
    The gradient with respect to logit ``j`` is ``p_j (d_j - score)``, ``d_j = (y - c_j)^2``.
    """

    def __init__(self, X, y, levels, sample_weight=None, fit_intercept=True):
        super().__init__(X, sample_weight, fit_intercept)
        levels = np.asarray(levels, dtype=float)
        self.n_outputs = levels.shape[0]
        self.distances = (np.asarray(y, dtype=float)[:, None] - levels[None, :]) ** 2

    def value_and_gradient(self, w):
        # L-BFGS calls this hundreds of times on an (n_samples, n_levels) block (101 levels in
        # the paper): the softmax and the chain rule work in place on one buffer, which makes an
        # evaluation about 2.5 times cheaper than with temporaries and scipy's softmax.
        proba = self.linear_predictor(w)
        proba -= proba.max(axis=1, keepdims=True)
        np.exp(proba, out=proba)
        proba /= proba.sum(axis=1, keepdims=True)
        per_row = np.einsum("ij,ij->i", proba, self.distances)
        grad_scores = self.distances - per_row[:, None]
        grad_scores *= proba
        grad_scores *= self.weights[:, None]
        return float(self.weights @ per_row), self._pack_gradient(grad_scores)


def momentum_sgd(next_datafit, w0, *, n_steps, learning_rate=1e-2, momentum=0.9, callback=None):
    """Stochastic gradient descent with heavy-ball momentum over a stream of datafits.

    The stochastic counterpart of :func:`adam` with the same contract:
    ``next_datafit(t, w)`` gives the datafit of step ``t`` (typically a
    mini-batch), one step is taken on it, and a ``callback`` returning True
    stops the run.  The update is ``v <- momentum * v - learning_rate * grad``,
    ``w <- w + v``, the form deep-learning recipes (and their weight-decay
    conventions) are stated in.

    Parameters
    ----------
    next_datafit : callable
        ``next_datafit(t, w) -> datafit`` with ``value_and_gradient``.
    w0 : ndarray of shape (n_params,)
        Starting point (copied, never modified).
    n_steps : int
        Maximum number of steps.
    learning_rate : float
        Step size.
    momentum : float
        Heavy-ball coefficient in [0, 1); 0 is plain SGD.
    callback : callable or None
        ``callback(t, w, value, grad)`` at every step, before the update;
        returning True stops the run.

    Returns
    -------
    OptimResult
    """
    velocity = np.zeros(np.shape(w0))

    def update(t, w, grad):
        nonlocal velocity
        velocity = momentum * velocity - learning_rate * grad
        return w + velocity

    return _stream_of_steps(next_datafit, w0, n_steps, update, callback)
