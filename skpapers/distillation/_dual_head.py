"""Dual-head knowledge distillation: a logit-level loss trained on its own head.

Softmax forgets the per-row offset and scale of a logit vector, so a loss that
matches the student's *logits* to the teacher's passes on information that
Hinton's soft-target loss cannot.  Put on the same linear classifier as the
cross-entropy, the two losses pull that classifier towards different optima;
dual-head distillation gives the logit-level loss an auxiliary head on the
shared backbone instead, and predicts with the main head only.

The logit-level losses (per class, summed over classes, temperature ``T``):

* BinaryKL: ``T^2 KL_Bern(sigmoid(t / T) || sigmoid(z / T))``;
* BinaryKL-Norm: ``T^2 KL_Bern(1/2 || sigmoid((z - t) / T))``, which equals
  ``T^2 log cosh((z - t) / (2 T))``: a smooth Huber-like regression of the
  student's logits on the teacher's, with slope bounded by ``T / 2``.

Both are written in log-space (``logaddexp``), never through clamped
probabilities, whose gradient vanishes at the clamp.
"""

from numbers import Real

import numpy as np
from scipy import special
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._base import MAIN_HEAD, STUDENT_PARAMETER_CONSTRAINTS, BaseDistillationClassifier
from ._losses import HeadLoss, SoftmaxCrossEntropy, SoftTargetCrossEntropy, _rows
from ._student import LossTerm
from ._teacher import RESPONSES, check_logits

AUX_HEAD = "aux"
_LOG_2 = np.log(2.0)


def _log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


class BinaryKLLoss(HeadLoss):
    """Per-class Bernoulli KL between tempered sigmoids of teacher and student logits.

    ``loss_i = T^2 sum_k KL_Bern(sigmoid(t_ik / T) || sigmoid(z_ik / T))``,
    gradient ``T (sigmoid(z / T) - sigmoid(t / T))``.

    Parameters
    ----------
    teacher_logits : ndarray of shape (n_samples, n_outputs)
    temperature : float
        ``T > 0``.
    """

    def __init__(self, teacher_logits, temperature=2.0):
        self.temperature = float(temperature)
        scaled = np.asarray(teacher_logits, dtype=float) / self.temperature
        self.target = special.expit(scaled)
        # KL's entropy part, sum_k [p log p + (1 - p) log(1 - p)], per row.
        self.neg_entropy = np.sum(
            self.target * _log_sigmoid(scaled) + (1.0 - self.target) * _log_sigmoid(-scaled), axis=1
        )

    def loss_and_gradient(self, logits, index=None):
        T = self.temperature
        p = _rows(self.target, index)
        u = logits / T
        cross = np.sum(p * _log_sigmoid(u) + (1.0 - p) * _log_sigmoid(-u), axis=1)
        # Rounding can leave -1e-16 where the KL is zero.
        loss = T**2 * np.maximum(_rows(self.neg_entropy, index) - cross, 0.0)
        grad = T * (special.expit(u) - p)
        return loss, grad


class BinaryKLNormLoss(HeadLoss):
    """Per-class Bernoulli KL of ``1/2`` from the tempered sigmoid of the logit gap.

    ``loss_i = T^2 sum_k KL_Bern(1/2 || sigmoid((z_ik - t_ik) / T))
    = T^2 sum_k log cosh((z_ik - t_ik) / (2 T))``, gradient
    ``(T / 2) tanh((z - t) / (2 T))``.  Zero only at ``z = t``: unlike
    softmax losses it is not invariant to a per-row shift of the logits.

    Parameters
    ----------
    teacher_logits : ndarray of shape (n_samples, n_outputs)
    temperature : float
        ``T > 0``.
    """

    def __init__(self, teacher_logits, temperature=2.0):
        self.temperature = float(temperature)
        self.teacher_logits = np.asarray(teacher_logits, dtype=float)

    def loss_and_gradient(self, logits, index=None):
        T = self.temperature
        half = (logits - _rows(self.teacher_logits, index)) / (2.0 * T)
        log_cosh = np.logaddexp(half, -half) - _LOG_2
        return T**2 * np.sum(log_cosh, axis=1), 0.5 * T * np.tanh(half)


LOGIT_LOSSES = {"binary_kl": BinaryKLLoss, "binary_kl_norm": BinaryKLNormLoss}


def _check_logit_pair(student_logits, teacher_logits):
    student = np.asarray(student_logits)
    if student.ndim != 2:
        raise ValueError(f"student_logits must be 2-D (n_samples, n_classes); got shape {student.shape}.")
    student = check_logits(student, student.shape[0], student.shape[1], "student_logits")
    teacher = check_logits(teacher_logits, student.shape[0], student.shape[1], "teacher_logits")
    if student.shape[0] == 0:
        raise ValueError("student_logits has no rows.")
    return student, teacher


def _mean_loss(loss, student_logits, teacher_logits, temperature, return_grad):
    student, teacher = _check_logit_pair(student_logits, teacher_logits)
    rows, grad = loss(teacher, temperature).loss_and_gradient(student)
    value = float(rows.mean())
    if return_grad:
        return value, grad / student.shape[0]
    return value


_LOSS_CONSTRAINTS = {
    "student_logits": ["array-like"],
    "teacher_logits": ["array-like"],
    "temperature": [Interval(Real, 0, None, closed="neither")],
    "return_grad": ["boolean"],
}


@validate_params(_LOSS_CONSTRAINTS, prefer_skip_nested_validation=True)
def binary_kl_loss(student_logits, teacher_logits, temperature=2.0, return_grad=False):
    """BinaryKL distillation loss: per-class Bernoulli KL of tempered sigmoids.

    Each logit is read as an independent binary probability
    ``sigmoid(z / T)``; the loss is
    ``T^2 sum_k KL(sigmoid(t_k / T) || sigmoid(z_k / T))``, summed over
    classes and averaged over rows (the authors' reduction).  Computed in
    log-space, so it stays finite and keeps its gradient for logits of any
    size (the authors clamp the probabilities to ``[1e-8, 1 - 1e-8]``
    instead; both agree wherever the clamp is inactive).

    Parameters
    ----------
    student_logits : array-like of shape (n_samples, n_classes)
    teacher_logits : array-like of shape (n_samples, n_classes)
    temperature : float, default=2.0
        ``T > 0``; the ``T^2`` factor keeps the gradient's scale comparable
        across temperatures.
    return_grad : bool, default=False
        Also return the gradient with respect to ``student_logits``.

    Returns
    -------
    loss : float
    grad : ndarray of shape (n_samples, n_classes)
        Only with ``return_grad=True``: ``T (sigmoid(z / T) - sigmoid(t / T)) / n``.

    See Also
    --------
    binary_kl_norm_loss : The loss dual-head distillation puts on its auxiliary head.

    References
    ----------
    .. [1] P. Yang, C. Zong, S.-J. Huang, L. Feng, B. An, "Dual-Head Knowledge
       Distillation: Enhancing Logits Utilization with an Auxiliary Head",
       arXiv:2411.08937, 2024.

    Examples
    --------
    >>> from skpapers.distillation import binary_kl_loss
    >>> round(binary_kl_loss([[1.0, -1.0]], [[1.0, -1.0]]), 6)
    0.0
    >>> round(binary_kl_loss([[0.0, 0.0]], [[2.0, -2.0]]), 4)
    0.8876
    """
    return _mean_loss(BinaryKLLoss, student_logits, teacher_logits, temperature, return_grad)


@validate_params(_LOSS_CONSTRAINTS, prefer_skip_nested_validation=True)
def binary_kl_norm_loss(student_logits, teacher_logits, temperature=2.0, return_grad=False):
    """BinaryKL-Norm distillation loss: a smooth regression of student on teacher logits.

    With ``d_k = sigmoid((z_k - t_k) / T)`` the loss is
    ``T^2 sum_k KL(1/2 || d_k)``, which equals
    ``T^2 sum_k log cosh((z_k - t_k) / (2 T))``: quadratic for small gaps,
    linear (slope ``T / 2``) for large ones.  Summed over classes, averaged
    over rows.  It depends on each row's offset, so teacher logits from
    ``decision_function`` and from ``log(predict_proba)`` are different
    targets.

    Parameters
    ----------
    student_logits : array-like of shape (n_samples, n_classes)
    teacher_logits : array-like of shape (n_samples, n_classes)
    temperature : float, default=2.0
        ``T > 0``.
    return_grad : bool, default=False
        Also return the gradient with respect to ``student_logits``.

    Returns
    -------
    loss : float
    grad : ndarray of shape (n_samples, n_classes)
        Only with ``return_grad=True``: ``(T / 2) tanh((z - t) / (2 T)) / n``.

    See Also
    --------
    binary_kl_loss : The unnormalised variant on the logits themselves.
    DualHeadDistillationClassifier : A student trained with this loss on an auxiliary head.

    References
    ----------
    .. [1] P. Yang, C. Zong, S.-J. Huang, L. Feng, B. An, "Dual-Head Knowledge
       Distillation: Enhancing Logits Utilization with an Auxiliary Head",
       arXiv:2411.08937, 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.distillation import binary_kl_norm_loss
    >>> t = np.array([[2.0, 3.0, 4.0]])
    >>> round(binary_kl_norm_loss(t + 1.0, t), 4)  # 3 * 4 * log cosh(1/4)
    0.3712
    """
    return _mean_loss(BinaryKLNormLoss, student_logits, teacher_logits, temperature, return_grad)


@validate_params(_LOSS_CONSTRAINTS, prefer_skip_nested_validation=True)
def kd_kl_loss(student_logits, teacher_logits, temperature=4.0, return_grad=False):
    """Hinton's distillation loss: ``T^2 KL(softmax(t / T) || softmax(z / T))``, row mean.

    The probability-level baseline the logit-level losses are compared with;
    invariant to a per-row shift of either logit vector.

    Parameters
    ----------
    student_logits : array-like of shape (n_samples, n_classes)
    teacher_logits : array-like of shape (n_samples, n_classes)
    temperature : float, default=4.0
        ``T > 0`` (4 is the value of the paper's KD baseline).
    return_grad : bool, default=False
        Also return the gradient with respect to ``student_logits``.

    Returns
    -------
    loss : float
    grad : ndarray of shape (n_samples, n_classes)
        Only with ``return_grad=True``: ``T (softmax(z / T) - softmax(t / T)) / n``.

    References
    ----------
    .. [1] P. Yang, C. Zong, S.-J. Huang, L. Feng, B. An, "Dual-Head Knowledge
       Distillation: Enhancing Logits Utilization with an Auxiliary Head",
       arXiv:2411.08937, 2024 (the KD baseline, after G. Hinton, O. Vinyals,
       J. Dean, "Distilling the Knowledge in a Neural Network",
       arXiv:1503.02531, 2015).

    Examples
    --------
    >>> from skpapers.distillation import kd_kl_loss
    >>> round(kd_kl_loss([[1.0, 2.0, 3.0]], [[11.0, 12.0, 13.0]]), 6)  # shift-invariant
    0.0
    >>> round(kd_kl_loss([[0.0, 0.0, 0.0]], [[4.0, 0.0, 0.0]]), 4)
    1.9726
    """
    return _mean_loss(SoftTargetCrossEntropy, student_logits, teacher_logits, temperature, return_grad)


def _has_aux_head(estimator):
    return estimator.aux_head is not None and estimator.aux_weight != 0


class DualHeadDistillationClassifier(BaseDistillationClassifier):
    """Student trained by dual-head knowledge distillation (DHKD).

    A linear or one-hidden-layer student has a *main head* trained with
    cross-entropy on the labels (plus, optionally, Hinton's KD loss) and an
    *auxiliary head* trained with a logit-level loss (BinaryKL-Norm by
    default) against the teacher's logits.  Both losses train the shared
    hidden layer; only the main head predicts.  The objective is::

        ce_weight * CE(z_main, y) + kd_weight * KD(z_main, t)
            + aux_weight * logit_loss(z_aux, t) + alpha / 2 * ||weights||^2

    with the losses averaged over rows (weighted by ``sample_weight``) and the
    biases unpenalised.

    Parameters
    ----------
    teacher : fitted classifier or None, default=None
        Any fitted scikit-learn classifier whose ``classes_`` equal the
        classes of ``y`` (never refitted).  None fits
        ``LogisticRegression()`` on ``(X, y)`` inside ``fit`` (a
        self-distillation default).  Ignored when ``teacher_logits`` is
        passed to :meth:`fit`.
    hidden_layer_size : int or None, default=64
        Width of the hidden layer (the backbone).  None gives a linear
        student: its heads are then decoupled, and the main head is L2
        multinomial logistic regression whatever the auxiliary head does.
    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='tanh'
        Activation of the hidden layer.
    aux_head : {'linear'} or None, default='linear'
        'linear' adds a linear auxiliary head on the backbone.  None puts the
        logit-level loss on the main head itself: the single-head baseline
        that the method is designed to improve on.  The authors' non-linear
        auxiliary head (a small MLP with dropout and batch normalisation) is
        not provided.
    aux_weight : float, default=1.0
        Weight of the logit-level loss (``alpha`` in the authors' code).  With
        0 no auxiliary head is created: the fit equals the cross-entropy-only
        student with the same ``random_state``.
    ce_weight : float, default=1.0
        Weight of the cross-entropy on the main head (``gamma`` in the
        authors' code).
    kd_weight : float, default=0.0
        Weight of Hinton's KD loss on the main head.
    kd_temperature : float, default=4.0
        Temperature of the KD loss.
    logit_temperature : float, default=2.0
        Temperature ``T`` of the logit-level loss.
    logit_loss : {'binary_kl_norm', 'binary_kl'}, default='binary_kl_norm'
        The logit-level loss; see :func:`binary_kl_norm_loss` and
        :func:`binary_kl_loss`.
    gradient_alignment : bool, default=False
        At each step, when the gradient of the teacher terms (logit-level and
        KD) opposes that of the cross-entropy (with the weight penalty), keep
        only its component orthogonal to it.  Defined per step, so it requires
        ``solver='sgd'`` or ``'adam'``.
    alpha : float, default=1e-4
        L2 strength on all weight matrices (biases are free).
    solver : {'lbfgs', 'sgd', 'adam'}, default='lbfgs'
        Full-batch L-BFGS, or mini-batch momentum SGD / Adam.
    max_iter : int, default=500
        L-BFGS iterations, or epochs of the stochastic solvers.
    tol : float, default=1e-6
        L-BFGS gradient tolerance; for the stochastic solvers the smallest
        decrease of the epoch loss that counts as progress.
    batch_size : int or None, default=None
        Mini-batch size of the stochastic solvers; None means
        ``min(200, n_samples)``.
    learning_rate_init : float, default=1e-2
        Step size of the stochastic solvers.
    teacher_response : {'auto', 'decision_function', 'predict_proba'}, default='auto'
        How the teacher's logits are read: 'auto' prefers
        ``decision_function`` (a binary score ``d`` becomes ``[-d/2, d/2]``);
        probabilities become row-centred ``log(p)``.  Logit-level losses see
        the row offset, so the two choices are different targets.
    random_state : int, RandomState instance or None, default=None
        Initial weights (hidden layer, main head, then auxiliary head, so the
        auxiliary head never changes the others' draws) and mini-batch order.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Only when ``X`` has string column names.
    teacher_ : fitted classifier or None
        The teacher used; None when ``teacher_logits`` were passed.
    coefs_ : list of ndarray
        Weights of the hidden layer (if any) and of the main head, each of
        shape ``(n_inputs, n_outputs)`` as in ``MLPClassifier``.
    intercepts_ : list of ndarray
        The matching biases.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Linear students only: the main head in scikit-learn's linear layout.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Linear students only.
    aux_coef_ : ndarray of shape (n_inputs, n_classes) or None
        Weights of the auxiliary head on the backbone's output (hidden units,
        or the features for a linear student); None without an auxiliary head.
    aux_intercept_ : ndarray of shape (n_classes,) or None
    n_iter_ : int
        L-BFGS iterations or epochs run.
    loss_ : float
        Final objective (L-BFGS) or last epoch's mean mini-batch objective.
    loss_curve_ : list of float
        Stochastic solvers only: the mean objective of each epoch.

    See Also
    --------
    binary_kl_norm_loss : The default logit-level loss.
    sklearn.neural_network.MLPClassifier : The same student without a teacher.

    Notes
    -----
    The paper motivates the auxiliary head by deep networks in which the
    logit loss and cross-entropy, sharing one classifier, degrade it.  A
    small tabular student need not show that effect; see the user guide for
    what was measured here.

    References
    ----------
    .. [1] P. Yang, C. Zong, S.-J. Huang, L. Feng, B. An, "Dual-Head Knowledge
       Distillation: Enhancing Logits Utilization with an Auxiliary Head",
       arXiv:2411.08937, 2024.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skpapers.distillation import DualHeadDistillationClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> teacher = LogisticRegression().fit(X, y)
    >>> student = DualHeadDistillationClassifier(
    ...     teacher=teacher, hidden_layer_size=8, alpha=1e-2, random_state=0).fit(X, y)
    >>> student.aux_decision_function(X[:1]).shape
    (1, 3)
    >>> round(student.score(X, y), 2)
    0.98
    """

    _parameter_constraints = {
        **STUDENT_PARAMETER_CONSTRAINTS,
        "teacher": [HasMethods(["predict"]), None],
        "aux_head": [StrOptions({"linear"}), None],
        "aux_weight": [Interval(Real, 0, None, closed="left")],
        "ce_weight": [Interval(Real, 0, None, closed="left")],
        "kd_weight": [Interval(Real, 0, None, closed="left")],
        "kd_temperature": [Interval(Real, 0, None, closed="neither")],
        "logit_temperature": [Interval(Real, 0, None, closed="neither")],
        "logit_loss": [StrOptions(set(LOGIT_LOSSES))],
        "gradient_alignment": ["boolean"],
        "teacher_response": [StrOptions(set(RESPONSES))],
    }

    def __init__(
        self,
        teacher=None,
        hidden_layer_size=64,
        activation="tanh",
        aux_head="linear",
        aux_weight=1.0,
        ce_weight=1.0,
        kd_weight=0.0,
        kd_temperature=4.0,
        logit_temperature=2.0,
        logit_loss="binary_kl_norm",
        gradient_alignment=False,
        alpha=1e-4,
        solver="lbfgs",
        max_iter=500,
        tol=1e-6,
        batch_size=None,
        learning_rate_init=1e-2,
        teacher_response="auto",
        random_state=None,
    ):
        self.teacher = teacher
        self.hidden_layer_size = hidden_layer_size
        self.activation = activation
        self.aux_head = aux_head
        self.aux_weight = aux_weight
        self.ce_weight = ce_weight
        self.kd_weight = kd_weight
        self.kd_temperature = kd_temperature
        self.logit_temperature = logit_temperature
        self.logit_loss = logit_loss
        self.gradient_alignment = gradient_alignment
        self.alpha = alpha
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.teacher_response = teacher_response
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None, teacher_logits=None):
        """Fit the student to the labels and the teacher's logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights of every loss term.
        teacher_logits : array-like of shape (n_samples, n_classes), default=None
            The teacher's logits on ``X``, columns in the order of the sorted
            classes of ``y``; they override ``teacher``.

        Returns
        -------
        self : DualHeadDistillationClassifier
        """
        self._validate_params()
        if self.gradient_alignment and self.solver == "lbfgs":
            raise ValueError(
                "gradient_alignment=True projects each step's gradient, which L-BFGS cannot use; "
                "set solver='sgd' or solver='adam'."
            )
        main_has_loss = self.ce_weight > 0 or self.kd_weight > 0 or (self.aux_head is None and self.aux_weight > 0)
        if not main_has_loss:
            raise ValueError(
                "The main head receives no loss: set ce_weight > 0 or kd_weight > 0 "
                "(or aux_head=None with aux_weight > 0)."
            )
        X_checked, y_codes, sample_weight = self._validate_training_data(X, y, sample_weight)
        self.teacher_, teacher = self._teacher_logits(
            X, X_checked, y_codes, sample_weight, self.teacher, teacher_logits, LogisticRegression(),
            "teacher", "teacher_logits",
        )

        terms = [LossTerm(MAIN_HEAD, SoftmaxCrossEntropy(y_codes), self.ce_weight, "ce")]
        if self.kd_weight > 0:
            kd = SoftTargetCrossEntropy(teacher, self.kd_temperature)
            terms.append(LossTerm(MAIN_HEAD, kd, self.kd_weight, "logit"))
        extra_heads = ()
        if self.aux_weight > 0:
            logit_head = MAIN_HEAD if self.aux_head is None else AUX_HEAD
            loss = LOGIT_LOSSES[self.logit_loss](teacher, self.logit_temperature)
            terms.append(LossTerm(logit_head, loss, self.aux_weight, "logit"))
            if logit_head == AUX_HEAD:
                extra_heads = ((AUX_HEAD, self.classes_.shape[0]),)
        self._fit_student(
            X_checked,
            [term for term in terms if term.weight > 0],
            sample_weight,
            extra_heads=extra_heads,
            gradient_alignment=("ce", "logit") if self.gradient_alignment else None,
        )
        if extra_heads:
            self.aux_coef_, self.aux_intercept_ = self._params.heads[AUX_HEAD]
        else:
            self.aux_coef_ = self.aux_intercept_ = None
        return self

    @available_if(_has_aux_head)
    def aux_decision_function(self, X):
        """Raw logits of the auxiliary head (for diagnostics; never used to predict).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Not centred: the logit-level loss fits the teacher's offset too.
        """
        check_is_fitted(self, "_params")
        return self._head_logits(X, AUX_HEAD)
