"""Plackett-Luce distillation (PLD, arXiv:2506.12542): a list-wise loss and its student.

The teacher's logits are read as Plackett-Luce worths.  Each row gets one
target ranking, the true label first and then the other classes by
decreasing teacher logit, and the student maximises the likelihood of that
ranking with every choice step weighted by the teacher's probability of the
class chosen there.  One loss carries both the label (its first step is a
weighted cross-entropy) and the teacher's ranking (the later steps), so no
separate cross-entropy term and no mixing weight are needed.

Everything is computed on all rows at once: one stable argsort gives the
target order, a reversed cumulative sum of shifted exponentials the suffix
log-sum-exps and a forward one the gradient; rows whose logits are spread so
far apart that those sums would underflow (logits of order 1e3) take
log-space ``logaddexp.accumulate`` recursions instead, so they neither
overflow nor lose their gradient.
"""

from numbers import Real

import numpy as np
from scipy import special
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params
from sklearn.utils.validation import _check_sample_weight, check_array

from ._base import MAIN_HEAD, STUDENT_PARAMETER_CONSTRAINTS, BaseDistillationClassifier
from ._losses import HeadLoss, _rows
from ._student import LossTerm
from ._teacher import RESPONSES, check_logits

RANK_WEIGHTS = ("teacher", "uniform", "onehot")


def _target_order(teacher_logits, y):
    """Per row: ``y`` first, then the other classes by decreasing teacher logit.

    The sort is stable, so tied teacher logits keep the class-index order.
    """
    n_samples, n_classes = teacher_logits.shape
    by_teacher = np.argsort(-teacher_logits, axis=1, kind="stable")
    others = by_teacher[by_teacher != y[:, None]].reshape(n_samples, n_classes - 1)
    return np.column_stack([y, others])


def _check_position_weights(rank_weights, n_classes):
    weights = check_array(rank_weights, ensure_2d=False, dtype=np.float64, input_name="rank_weights")
    if weights.ndim != 1 or weights.shape[0] != n_classes:
        raise ValueError(
            f"rank_weights as an array needs one weight per rank position, shape ({n_classes},); "
            f"got shape {weights.shape}."
        )
    if np.any(weights < 0) or not np.any(weights > 0):
        raise ValueError("rank_weights must be non-negative and not all zero.")
    return weights


def _log_rank_weights(teacher_logits, order, temperature, rank_weights):
    """``log alpha_k`` of every row and rank position, shape ``(n_samples, n_classes)``."""
    if isinstance(rank_weights, str) and rank_weights == "teacher":
        log_proba = special.log_softmax(teacher_logits / temperature, axis=1)
        return np.take_along_axis(log_proba, order, axis=1)
    n_classes = order.shape[1]
    if isinstance(rank_weights, str) and rank_weights == "uniform":
        position = np.zeros(n_classes)
    elif isinstance(rank_weights, str) and rank_weights == "onehot":
        position = np.full(n_classes, -np.inf)
        position[0] = 0.0
    else:
        with np.errstate(divide="ignore"):  # a zero weight is log 0 = -inf, which the sums handle
            position = np.log(_check_position_weights(rank_weights, n_classes))
    return np.tile(position, (order.shape[0], 1))


# Below this, a suffix sum of exp(u - max u) is too close to underflow to take
# its log or divide by it: such rows go through the log-space recursion.
_SMALLEST_SUFFIX = 1e-100


def _pl_log_space(u, log_weights, weights):
    """Loss and sorted gradient by log-sum-exp recursions: exact at any scale, slower."""
    suffix = np.logaddexp.accumulate(u[:, ::-1], axis=1)[:, ::-1]
    loss = np.sum(weights * (suffix - u), axis=1)
    # c_j = log sum_{k <= j} alpha_k exp(-Lambda_k); u_j + c_j <= log sum_k alpha_k, so exp cannot overflow.
    running = np.logaddexp.accumulate(log_weights - suffix, axis=1)
    return loss, np.exp(u + running) - weights


def _pl_loss_and_gradient(logits, order, log_weights, weights):
    """Weighted Plackett-Luce negative log-likelihood of ``order``, per row, and its gradient.

    With ``u_k = logits[order_k]`` and ``Lambda_k = log sum_{l >= k} exp(u_l)``
    the loss is ``sum_k alpha_k (Lambda_k - u_k)`` and the gradient with
    respect to ``u_j`` is ``-alpha_j + sum_{k <= j} alpha_k exp(u_j - Lambda_k)``.
    With ``e = exp(u - max u)`` and ``S_k = sum_{l >= k} e_l`` (a reversed
    cumulative sum) both need one exp and one log per entry:
    ``Lambda_k = max u + log S_k`` and the gradient is
    ``e_j * sum_{k <= j} alpha_k / S_k - alpha_j``.  Rows whose smallest suffix
    sum nears underflow (logits spread over more than ~230) are recomputed
    with log-sum-exp recursions instead, which hold at any scale.
    """
    u = np.take_along_axis(logits, order, axis=1)
    top = u.max(axis=1, keepdims=True)
    e = np.exp(u - top)
    suffix_sum = np.cumsum(e[:, ::-1], axis=1)[:, ::-1]
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        loss = np.sum(weights * (top + np.log(suffix_sum) - u), axis=1)
        grad_sorted = e * np.cumsum(weights / suffix_sum, axis=1) - weights
    fallback = (suffix_sum[:, -1] < _SMALLEST_SUFFIX) | ~np.isfinite(loss) | ~np.all(np.isfinite(grad_sorted), axis=1)
    if np.any(fallback):
        loss[fallback], grad_sorted[fallback] = _pl_log_space(u[fallback], log_weights[fallback], weights[fallback])
    grad = np.empty_like(grad_sorted)
    np.put_along_axis(grad, order, grad_sorted, axis=1)
    return loss, grad


class PlackettLuceLoss(HeadLoss):
    """The PLD loss of a head's logits, with the target rankings of a training set.

    Parameters
    ----------
    teacher_logits : ndarray of shape (n_samples, n_classes)
    y : ndarray of shape (n_samples,)
        Class codes ``0 .. n_classes - 1``.
    temperature : float
        Softens the teacher's probabilities used as weights (``'teacher'`` only).
    rank_weights : {'teacher', 'uniform', 'onehot'} or ndarray of shape (n_classes,)
        See :func:`plackett_luce_distillation_loss`.
    """

    def __init__(self, teacher_logits, y, temperature=1.0, rank_weights="teacher"):
        teacher_logits = np.asarray(teacher_logits, dtype=float)
        self.order = _target_order(teacher_logits, np.asarray(y, dtype=np.intp))
        self.log_weights = _log_rank_weights(teacher_logits, self.order, float(temperature), rank_weights)
        self.weights = np.exp(self.log_weights)

    def loss_and_gradient(self, logits, index=None):
        return _pl_loss_and_gradient(
            logits, _rows(self.order, index), _rows(self.log_weights, index), _rows(self.weights, index)
        )


def _check_codes(y, n_samples, n_classes):
    y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
    if y.ndim != 1 or y.shape[0] != n_samples:
        raise ValueError(f"y must be 1-D with {n_samples} entries (one per row of the logits); got shape {y.shape}.")
    if not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.floating)):
        raise TypeError(f"y must hold integer class codes 0 .. {n_classes - 1}; got dtype {y.dtype}.")
    if not np.all(np.isfinite(y)) or np.any(y != np.round(y)) or np.any((y < 0) | (y >= n_classes)):
        raise ValueError(
            f"y must hold integer class codes 0 .. {n_classes - 1} (the columns of the logits); "
            "encode labels first, e.g. with LabelEncoder."
        )
    return y.astype(np.intp)


@validate_params(
    {
        "student_logits": ["array-like"],
        "teacher_logits": ["array-like"],
        "y": ["array-like"],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "rank_weights": [StrOptions(set(RANK_WEIGHTS)), "array-like"],
        "sample_weight": ["array-like", None],
        "return_grad": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def plackett_luce_distillation_loss(
    student_logits, teacher_logits, y, temperature=1.0, rank_weights="teacher", sample_weight=None,
    return_grad=False,
):
    """Plackett-Luce distillation loss: a confidence-weighted list-wise likelihood.

    For each row the target ranking ``pi`` puts the true class ``y`` first and
    the other classes after it by decreasing teacher logit (a stable sort:
    tied teacher logits keep the class-index order).  With the student's
    logits in that order, ``u_k = s[pi_k]``, the row's loss is

    ``L = sum_k alpha_k * (log sum_{l >= k} exp(u_l) - u_k)``,

    the negative log-likelihood of ``pi`` under a Plackett-Luce model with
    worths ``exp(s)``, each choice step weighted by ``alpha_k``.  The PLD
    weights are the teacher's probabilities of the class placed at each rank,
    ``alpha_k = softmax(t / temperature)[pi_k]``; the first step is then
    ``p_T(y)`` times the cross-entropy, and with two classes the whole loss
    is exactly ``p_T(y) * CE``.  The loss is convex in the student's logits
    and unchanged when a constant is added to a row of them.

    Parameters
    ----------
    student_logits : array-like of shape (n_samples, n_classes)
        The student's logits, the argument of the loss.
    teacher_logits : array-like of shape (n_samples, n_classes)
        The teacher's logits, columns in the same class order.
    y : array-like of shape (n_samples,)
        True classes as integer codes ``0 .. n_classes - 1`` (column indices).
    temperature : float, default=1.0
        Teacher temperature of the weights ``softmax(t / temperature)``; it
        does not change the target ranking.  Only used by ``'teacher'``.
    rank_weights : {'teacher', 'uniform', 'onehot'} or array-like of shape (n_classes,), default='teacher'
        The weight of each choice step: ``'teacher'`` is PLD; ``'uniform'``
        (every ``alpha_k = 1``) is ListMLE on the same ranking; ``'onehot'``
        (``alpha = (1, 0, ..., 0)``) is the cross-entropy; an array gives fixed
        non-negative weights per rank position (P-ListMLE).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights; the loss is their weighted mean.
    return_grad : bool, default=False
        Also return the gradient of the returned loss with respect to
        ``student_logits``.

    Returns
    -------
    loss : float
        The (weighted) mean of the per-row losses.
    grad : ndarray of shape (n_samples, n_classes)
        Only with ``return_grad=True``: the gradient of ``loss``; each row
        sums to zero.

    Notes
    -----
    When the teacher is confidently wrong, ``alpha_1 = p_T(y)`` is tiny and
    the row hardly pulls the student towards its label: the loss trusts the
    teacher's confidence by design.  The computation is in log-space and
    stays finite for logits of order 1e3.

    References
    ----------
    .. [1] E. Bassam, D. Zhu, K. Bian. "PLD: A Choice-Theoretic List-Wise
       Knowledge Distillation". NeurIPS 2025. arXiv:2506.12542.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.distillation import plackett_luce_distillation_loss
    >>> teacher = np.array([[2.0, 1.0, -1.0], [0.5, 0.0, 3.0]])
    >>> student = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    >>> y = np.array([0, 2])
    >>> round(plackett_luce_distillation_loss(student, teacher, y), 4)
    0.5532
    >>> loss, grad = plackett_luce_distillation_loss(student, teacher, y, return_grad=True)
    >>> np.round(grad.sum(axis=1), 12)
    array([0., 0.])
    """
    student_logits = check_array(student_logits, dtype=np.float64, input_name="student_logits")
    n_samples, n_classes = student_logits.shape
    if n_classes < 2:
        raise ValueError(f"student_logits needs at least 2 classes (columns); got {n_classes}.")
    teacher_logits = check_logits(teacher_logits, n_samples, n_classes, "teacher_logits")
    y = _check_codes(y, n_samples, n_classes)
    if not isinstance(rank_weights, str):
        rank_weights = _check_position_weights(rank_weights, n_classes)
    # Rejects negative weights and an all-zero vector with scikit-learn's own messages.
    sample_weight = _check_sample_weight(sample_weight, student_logits, ensure_non_negative=True)
    head = PlackettLuceLoss(teacher_logits, y, temperature, rank_weights)
    loss, grad = head.loss_and_gradient(student_logits)
    row_weights = sample_weight / sample_weight.sum()
    value = float(row_weights @ loss)
    if return_grad:
        return value, row_weights[:, None] * grad
    return value


class PLDistillationClassifier(BaseDistillationClassifier):
    """Student classifier distilled with the Plackett-Luce (PLD) loss alone.

    The student (a linear softmax model, or one hidden layer) minimises

    ``sum_i w_i L_PLD(s_i; t_i, y_i) / sum_i w_i + alpha / 2 * ||weights||^2``

    (biases unpenalised) where ``L_PLD`` is
    :func:`plackett_luce_distillation_loss`: the likelihood of the ranking
    "true label first, then the other classes by decreasing teacher logit",
    each step weighted by the teacher's probability of the class chosen there.
    Its first step is the cross-entropy weighted by ``p_T(y)``, so PLD needs
    neither a separate cross-entropy term nor a mixing weight.  The problem is
    convex for a linear student; L-BFGS solves it from zero.

    Parameters
    ----------
    teacher : fitted classifier, default=None
        Source of the teacher logits, never refitted; its ``classes_`` must
        equal those of ``y``.  None fits ``LogisticRegression()`` on ``(X, y)``
        inside ``fit`` (self-distillation).  Ignored when ``teacher_logits``
        is passed to ``fit``.
    temperature : float, default=1.0
        Teacher temperature of the rank weights ``softmax(t / temperature)``.
        The paper weights each rank by the teacher's softmax probability; we
        found no other value stated for it, so 1 is the default.
    rank_weights : {'teacher', 'uniform', 'onehot'} or array-like of shape (n_classes,), default='teacher'
        ``'teacher'`` is PLD; ``'uniform'`` is ListMLE on the same target
        ranking; ``'onehot'`` is plain cross-entropy (multinomial logistic
        regression for a linear student); an array gives fixed position
        weights (P-ListMLE).
    hidden_layer_size : int, default=None
        Width of the student's hidden layer; None for a linear student.
    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='tanh'
        Activation of the hidden layer.
    alpha : float, default=1e-4
        L2 strength on the weights (not the biases).
    solver : {'lbfgs', 'sgd', 'adam'}, default='lbfgs'
        Full-batch L-BFGS, or mini-batch momentum SGD / Adam.
    max_iter : int, default=1000
        L-BFGS iterations, or epochs of the stochastic solvers.
    tol : float, default=1e-6
        L-BFGS gradient tolerance; the smallest epoch-loss decrease that
        counts as progress for the stochastic solvers.
    batch_size : int, default=None
        Mini-batch size of the stochastic solvers; None means ``min(200, n)``.
    learning_rate_init : float, default=1e-2
        Step size of the stochastic solvers.
    teacher_response : {'auto', 'decision_function', 'predict_proba'}, default='auto'
        Which teacher output becomes the logits: ``'auto'`` prefers
        ``decision_function``; probabilities become row-centred logs.
    random_state : int, RandomState instance or None, default=None
        Initial weights of a hidden-layer student and the mini-batch order.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    teacher_ : classifier or None
        The teacher whose logits were used (the internal logistic regression
        when ``teacher=None``); None when ``teacher_logits`` was passed to
        ``fit``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.
    coefs_ : list of ndarray
        Weight matrices, input layer first (MLP layout).
    intercepts_ : list of ndarray
        Bias vectors, input layer first.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Linear students only, in scikit-learn's layout (one row of logit
        differences for two classes).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Linear students only; centred to zero mean for more than two classes
        (logits are defined up to a common shift).
    n_iter_ : int
        Iterations (L-BFGS) or epochs run.
    loss_ : float
        Final objective value.
    loss_curve_ : list of float
        Mean loss of each epoch (stochastic solvers only).

    See Also
    --------
    plackett_luce_distillation_loss : The loss itself, with its gradient.
    sklearn.linear_model.LogisticRegression : The ``rank_weights='onehot'`` linear student.

    Notes
    -----
    With two classes the PLD loss is the cross-entropy weighted by the
    teacher's probability of the true label, so a linear PLD student is
    logistic regression with sample weights ``p_T(y)``.  Rows on which the
    teacher is confidently wrong contribute little, by design.  The paper's
    image-model training recipes and its combination with feature-based
    losses do not transfer to precomputed features; the loss does, exactly.

    References
    ----------
    .. [1] E. Bassam, D. Zhu, K. Bian. "PLD: A Choice-Theoretic List-Wise
       Knowledge Distillation". NeurIPS 2025. arXiv:2506.12542.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skpapers.distillation import PLDistillationClassifier
    >>> X, y = make_classification(n_samples=600, n_features=8, n_informative=5,
    ...                            n_classes=3, random_state=0)
    >>> teacher = RandomForestClassifier(random_state=0).fit(X[:400], y[:400])
    >>> student = PLDistillationClassifier(teacher=teacher, alpha=1e-3).fit(X[400:500], y[400:500])
    >>> student.coef_.shape
    (3, 8)
    >>> round(student.score(X[500:], y[500:]), 2)
    0.81
    """

    _parameter_constraints = {
        "teacher": [HasMethods(["predict"]), None],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "rank_weights": [StrOptions(set(RANK_WEIGHTS)), "array-like"],
        "teacher_response": [StrOptions(set(RESPONSES))],
        **STUDENT_PARAMETER_CONSTRAINTS,
    }

    def __init__(
        self,
        teacher=None,
        temperature=1.0,
        rank_weights="teacher",
        hidden_layer_size=None,
        activation="tanh",
        alpha=1e-4,
        solver="lbfgs",
        max_iter=1000,
        tol=1e-6,
        batch_size=None,
        learning_rate_init=1e-2,
        teacher_response="auto",
        random_state=None,
    ):
        self.teacher = teacher
        self.temperature = temperature
        self.rank_weights = rank_weights
        self.hidden_layer_size = hidden_layer_size
        self.activation = activation
        self.alpha = alpha
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.teacher_response = teacher_response
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None, teacher_logits=None):
        """Fit the student on ``(X, y)`` and the teacher's logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features.
        y : array-like of shape (n_samples,)
            Class labels; at least two classes.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights (also used to fit the internal teacher
            when ``teacher=None``).
        teacher_logits : array-like of shape (n_samples, n_classes), default=None
            Teacher logits with columns in the order of ``classes_`` (sorted
            labels); overrides ``teacher``.  Must be finite.

        Returns
        -------
        self : PLDistillationClassifier
            The fitted student.
        """
        self._validate_params()
        X_in = X
        X, y_codes, sample_weight = self._validate_training_data(X, y, sample_weight)
        n_classes = self.classes_.shape[0]
        rank_weights = self.rank_weights
        if not isinstance(rank_weights, str):
            rank_weights = _check_position_weights(rank_weights, n_classes)
        self.teacher_, logits = self._teacher_logits(
            X_in, X, y_codes, sample_weight, self.teacher, teacher_logits, LogisticRegression(),
            "teacher", "teacher_logits",
        )
        loss = PlackettLuceLoss(logits, y_codes, self.temperature, rank_weights)
        return self._fit_student(X, [LossTerm(MAIN_HEAD, loss)], sample_weight)
