"""The one student trainer of :mod:`skpapers.distillation`.

A student is a linear model or a network with one hidden layer (the
*backbone*), topped by one or more linear *heads*.  Each head carries a list
of weighted loss terms (:class:`~skpapers.distillation._losses.HeadLoss`);
the distillation methods differ only in which heads and terms they ask for.

Objective (the library-wide convention of the distillation estimators)::

    sum_terms weight * sum_i omega_i loss_i  +  alpha / 2 * ||weights||^2

with ``omega = sample_weight / sum(sample_weight)`` (uniform ``1/n`` without
weights) and the squared norm over every weight matrix, never over biases.
For a linear student with a single cross-entropy head this is exactly
multinomial logistic regression, ``LogisticRegression(C=1 / (alpha * n))``.

The objective is a datafit of :mod:`skpapers.utils._optim`; L-BFGS
(:func:`~skpapers.utils._optim.minimize_smooth`) solves it in full batch,
:func:`~skpapers.utils._optim.momentum_sgd` and
:func:`~skpapers.utils._optim.adam` in mini-batches.
"""

from dataclasses import dataclass, field

import numpy as np
from sklearn.utils import check_random_state

from ..utils._optim import L2, PenalizedDatafit, _warn_not_converged, adam, minimize_smooth, momentum_sgd

ACTIVATIONS = ("identity", "logistic", "tanh", "relu")


def _activate(pre, activation):
    if activation == "tanh":
        return np.tanh(pre)
    if activation == "relu":
        return np.maximum(pre, 0.0)
    if activation == "logistic":
        return 0.5 * (1.0 + np.tanh(0.5 * pre))  # overflow-free sigmoid
    return pre


def _activation_derivative(hidden, activation):
    """Derivative of the activation, written in terms of its output."""
    if activation == "tanh":
        return 1.0 - hidden * hidden
    if activation == "relu":
        return (hidden > 0.0).astype(hidden.dtype)
    if activation == "logistic":
        return hidden * (1.0 - hidden)
    return np.ones_like(hidden)


@dataclass
class StudentParameters:
    """Unpacked student parameters.

    Attributes
    ----------
    hidden : tuple of (ndarray, ndarray) or None
        Backbone weights ``(n_features, n_hidden)`` and biases, or None for a
        linear student.
    heads : dict
        Head name -> ``(coef (n_inputs, n_outputs), intercept (n_outputs,))``.
    """

    hidden: tuple | None
    heads: dict = field(default_factory=dict)


class StudentNetwork:
    """Parameter layout, forward and backward pass of a student.

    The flat parameter vector is ``[W1, b1]`` (only with a hidden layer)
    followed by ``[W_h, b_h]`` for each head in the order given.  A random
    initialisation draws the backbone first and the heads in that order, so a
    head appended last (an auxiliary head) never shifts the random stream of
    the others: the student with and without it starts from the same weights.

    Parameters
    ----------
    n_features : int
    heads : dict
        Head name -> number of outputs, in order.
    hidden_layer_size : int or None
        Width of the hidden layer; None for a linear student.
    activation : {'identity', 'logistic', 'tanh', 'relu'}
    """

    def __init__(self, n_features, heads, hidden_layer_size=None, activation="tanh"):
        self.n_features = int(n_features)
        self.heads = dict(heads)
        self.hidden_layer_size = hidden_layer_size
        self.activation = activation
        self.n_inputs = self.n_features if hidden_layer_size is None else int(hidden_layer_size)
        self._shapes = []
        if hidden_layer_size is not None:
            self._shapes.append(("hidden", self.n_features, self.n_inputs))
        self._shapes.extend((name, self.n_inputs, k) for name, k in self.heads.items())

    @property
    def n_params(self):
        return sum((n_in + 1) * n_out for _, n_in, n_out in self._shapes)

    def weight_mask(self):
        """1 on weight entries, 0 on biases: the penalty's mask."""
        parts = []
        for _, n_in, n_out in self._shapes:
            parts.extend([np.ones(n_in * n_out), np.zeros(n_out)])
        return np.concatenate(parts)

    def initial_parameters(self, random_state=None):
        """Zeros for a linear student (its problem is convex); Glorot-uniform otherwise."""
        if self.hidden_layer_size is None:
            return np.zeros(self.n_params)
        rng = check_random_state(random_state)
        factor = 2.0 if self.activation == "logistic" else 6.0
        parts = []
        for _, n_in, n_out in self._shapes:
            bound = np.sqrt(factor / (n_in + n_out))
            parts.append(rng.uniform(-bound, bound, size=n_in * n_out))
            parts.append(rng.uniform(-bound, bound, size=n_out))
        return np.concatenate(parts)

    def unpack(self, w):
        out, start = {}, 0
        for name, n_in, n_out in self._shapes:
            coef = w[start : start + n_in * n_out].reshape(n_in, n_out)
            start += n_in * n_out
            out[name] = (coef, w[start : start + n_out])
            start += n_out
        hidden = out.pop("hidden", None)
        return StudentParameters(hidden=hidden, heads=out)

    def pack(self, params):
        parts = []
        if params.hidden is not None:
            parts.extend([params.hidden[0].ravel(), params.hidden[1]])
        for name in self.heads:
            coef, intercept = params.heads[name]
            parts.extend([np.ravel(coef), intercept])
        return np.concatenate(parts)

    def features(self, X, params):
        """The backbone's output: X itself for a linear student."""
        if params.hidden is None:
            return X
        coef, intercept = params.hidden
        return _activate(X @ coef + intercept, self.activation)

    def forward(self, X, params, heads=None):
        """Backbone output and the logits of the requested heads (all by default)."""
        hidden = self.features(X, params)
        names = self.heads if heads is None else heads
        logits = {name: hidden @ params.heads[name][0] + params.heads[name][1] for name in names}
        return hidden, logits

    def backward(self, X, params, hidden, grad_logits):
        """Flat gradient from the gradients of the loss w.r.t. each head's logits."""
        grads = {}
        grad_hidden = None
        for name in self.heads:
            coef, _ = params.heads[name]
            g = grad_logits.get(name)
            if g is None:
                grads[name] = (np.zeros_like(coef), np.zeros(coef.shape[1]))
                continue
            grads[name] = (hidden.T @ g, g.sum(axis=0))
            if params.hidden is not None:
                back = g @ coef.T
                grad_hidden = back if grad_hidden is None else grad_hidden + back
        grad_params = StudentParameters(hidden=None, heads=grads)
        if params.hidden is not None:
            if grad_hidden is None:
                grad_pre = np.zeros_like(hidden)
            else:
                grad_pre = grad_hidden * _activation_derivative(hidden, self.activation)
            grad_params.hidden = (X.T @ grad_pre, grad_pre.sum(axis=0))
        return self.pack(grad_params)


@dataclass
class LossTerm:
    """One weighted loss on one head; ``group`` names the gradient it belongs to."""

    head: str
    loss: object
    weight: float = 1.0
    group: str = "main"


class StudentObjective:
    """Weighted mean of the loss terms over (a subset of) the training rows: a datafit.

    Parameters
    ----------
    network : StudentNetwork
    X : ndarray of shape (n_samples, n_features)
    terms : list of LossTerm
    sample_weight : ndarray of shape (n_samples,) or None
    index : ndarray of int or None
        The rows this objective covers (a mini-batch); None for all.
    """

    def __init__(self, network, X, terms, sample_weight=None, index=None):
        self.network = network
        self.terms = [term for term in terms if term.weight != 0.0]
        self.index = index
        self.X = X if index is None else X[index]
        weights = np.ones(self.X.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
        if index is not None and sample_weight is not None:
            weights = weights[index]
        self.row_weights = weights / weights.sum()
        self._heads = list(dict.fromkeys(term.head for term in self.terms))

    def _group_gradients(self, w):
        params = self.network.unpack(w)
        hidden, logits = self.network.forward(self.X, params, heads=self._heads)
        values, grad_logits = {}, {}
        for term in self.terms:
            loss, grad = term.loss.loss_and_gradient(logits[term.head], self.index)
            values[term.group] = values.get(term.group, 0.0) + term.weight * float(self.row_weights @ loss)
            scaled = (term.weight * self.row_weights)[:, None] * grad
            per_head = grad_logits.setdefault(term.group, {})
            per_head[term.head] = per_head[term.head] + scaled if term.head in per_head else scaled
        return {
            group: (values[group], self.network.backward(self.X, params, hidden, grad_logits[group]))
            for group in values
        }

    def value_and_gradient(self, w):
        value, grad = 0.0, np.zeros_like(w)
        for group_value, group_grad in self._group_gradients(w).values():
            value += group_value
            grad += group_grad
        return value, grad

    def value(self, w):
        return self.value_and_gradient(w)[0]


class AlignedObjective:
    """Sum of two gradient groups where the second never opposes the first.

    When ``<g_secondary, g_primary> < 0`` the secondary gradient is replaced
    by its projection on the plane normal to the primary one (the PCGrad
    rule), so a step on the sum cannot increase the primary objective to
    first order.  Only meaningful step by step: a line-search solver would see
    a direction that is not the gradient of the value it reports.
    """

    def __init__(self, objective, penalty, primary, secondary):
        self.objective = objective
        self.penalty = penalty
        self.primary = primary
        self.secondary = secondary

    def value_and_gradient(self, w):
        groups = self.objective._group_gradients(w)
        zero = (0.0, np.zeros_like(w))
        value_p, grad_p = groups.get(self.primary, zero)
        value_s, grad_s = groups.get(self.secondary, zero)
        grad_p = grad_p + self.penalty.gradient(w)
        dot = float(grad_s @ grad_p)
        norm2 = float(grad_p @ grad_p)
        if dot < 0.0 and norm2 > 0.0:
            grad_s = grad_s - (dot / norm2) * grad_p
        others = sum(v for g, (v, _) in groups.items() if g not in (self.primary, self.secondary))
        value = value_p + value_s + others + self.penalty.value(w)
        grad = grad_p + grad_s
        for g, (_, other_grad) in groups.items():
            if g not in (self.primary, self.secondary):
                grad = grad + other_grad
        return value, grad


@dataclass
class StudentFit:
    """What :func:`fit_student` returns."""

    params: StudentParameters
    n_iter: int
    loss: float
    loss_curve: list | None
    converged: bool


def fit_student(
    network,
    X,
    terms,
    *,
    sample_weight=None,
    alpha=1e-4,
    solver="lbfgs",
    max_iter=500,
    tol=1e-6,
    batch_size=None,
    learning_rate_init=1e-2,
    momentum=0.9,
    n_iter_no_change=10,
    gradient_alignment=None,
    random_state=None,
    context=None,
):
    """Fit a student network on a list of loss terms.

    Parameters
    ----------
    network : StudentNetwork
    X : ndarray of shape (n_samples, n_features)
    terms : list of LossTerm
    sample_weight : ndarray or None
    alpha : float
        L2 strength on the weights (biases are free).
    solver : {'lbfgs', 'sgd', 'adam'}
        Full-batch L-BFGS, or mini-batch momentum SGD / Adam.
    max_iter : int
        L-BFGS iterations, or epochs for the stochastic solvers.
    tol : float
        L-BFGS gradient tolerance; for the stochastic solvers, the smallest
        decrease of the epoch loss that counts as progress.
    batch_size : int or None
        Mini-batch size; None means ``min(200, n_samples)``.
    learning_rate_init, momentum : float
        Step size of the stochastic solvers; momentum of 'sgd'.
    n_iter_no_change : int
        Stochastic solvers stop after this many epochs without progress.
    gradient_alignment : tuple of (str, str) or None
        ``(primary_group, secondary_group)``: project the secondary group's
        gradient off the primary one when they conflict (stochastic solvers).
    random_state : int, RandomState or None
        Initial weights and mini-batch order.
    context : str or None
        Named in convergence warnings.

    Returns
    -------
    StudentFit
    """
    rng = check_random_state(random_state)
    w0 = network.initial_parameters(rng)
    penalty = L2(alpha, network.weight_mask())
    if solver == "lbfgs":
        objective = StudentObjective(network, X, terms, sample_weight)
        result = minimize_smooth(objective, w0, penalty, tol=tol, max_iter=max_iter, context=context)
        return StudentFit(network.unpack(result.x), result.n_iter, result.fun, None, result.converged)

    n_samples = X.shape[0]
    batch = min(200, n_samples) if batch_size is None else min(int(batch_size), n_samples)
    n_batches = int(np.ceil(n_samples / batch))
    order = {}

    def next_datafit(t, w):
        epoch, step = divmod(t, n_batches)
        if epoch not in order:
            order.clear()
            order[epoch] = rng.permutation(n_samples)
        index = np.sort(order[epoch][step * batch : (step + 1) * batch])
        objective = StudentObjective(network, X, terms, sample_weight, index=index)
        if gradient_alignment is not None:
            return AlignedObjective(objective, penalty, *gradient_alignment)
        return PenalizedDatafit(objective, penalty)

    curve, running = [], []
    state = {"best": np.inf, "stall": 0}

    def end_of_epoch(t, w, value, grad):
        running.append(value)
        if len(running) < n_batches:
            return False
        curve.append(float(np.mean(running)))
        running.clear()
        if curve[-1] > state["best"] - tol:
            state["stall"] += 1
        else:
            state["stall"] = 0
        state["best"] = min(state["best"], curve[-1])
        return state["stall"] >= n_iter_no_change

    step = momentum_sgd if solver == "sgd" else adam
    kwargs = {"momentum": momentum} if solver == "sgd" else {}
    result = step(
        next_datafit, w0, n_steps=max_iter * n_batches, learning_rate=learning_rate_init,
        callback=end_of_epoch, **kwargs,
    )
    converged = state["stall"] >= n_iter_no_change
    if not converged:
        _warn_not_converged(f"Stochastic solver {solver!r}", max_iter, context)
    return StudentFit(network.unpack(result.x), len(curve), curve[-1] if curve else np.nan, curve, converged)
