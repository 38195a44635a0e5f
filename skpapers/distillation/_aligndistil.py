"""AlignDistil: alignment as per-position distillation from an extrapolated teacher.

Zhang et al. (2025) show that RLHF with the token-decomposable DPO implicit
reward is, position by position, a reverse-KL distillation toward a teacher
whose logits mix two models' logits.  AlignDistil replaces the DPO reward by
a contrastive one (a DPO model against a "reverse DPO" model) and picks a
per-position extrapolation strength from how much the two models disagree.

Here a row of ``X`` is one decoding position and the classes are the action
set.  Everything the method computes is per row, from three logit vectors
(student, positive model, negative model), so it transfers exactly; the
sequence-level parts (credit assignment over future tokens, on-policy
sampling) do not, and ``groups`` only carries the per-response length
normalisation.
"""

from numbers import Real

import numpy as np
from scipy import special
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import MAIN_HEAD, STUDENT_PARAMETER_CONSTRAINTS, BaseDistillationClassifier
from ._losses import HeadLoss, _rows
from ._student import LossTerm
from ._teacher import RESPONSES, check_logits, model_logits

MODES = ("reference", "contrastive", "adaptive")
DIVERGENCES = ("reverse_kl", "forward_kl")

_TEACHER_CONSTRAINTS = {
    "beta0": [Interval(Real, 0, None, closed="neither")],
    "kl_coef": [Interval(Real, 0, None, closed="neither")],
    "extrapolation_scale": [Interval(Real, 0, None, closed="left")],
    "mode": [StrOptions(set(MODES))],
}


def _check_logit_pair(positive_logits, negative_logits):
    try:
        positive = np.asarray(positive_logits, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("positive_logits must be a numeric array of shape (n_samples, n_classes).") from exc
    if positive.ndim != 2 or positive.shape[1] < 2:
        raise ValueError(
            f"positive_logits must be a 2-D array (n_samples, n_classes >= 2); got shape {positive.shape}."
        )
    n_samples, n_classes = positive.shape
    positive = check_logits(positive, n_samples, n_classes, "positive_logits")
    negative = check_logits(negative_logits, n_samples, n_classes, "negative_logits")
    return positive, negative


def _teacher_parts(positive_logits, negative_logits, beta0, kl_coef, extrapolation_scale, mode, eps):
    """Teacher logits ``z_pos + w (z_pos - z_neg)``, the row scale and ``w``, for every mode."""
    n_samples = positive_logits.shape[0]
    if mode == "adaptive":
        # w is computed from the temperature-1 distributions, as in the authors' code; the
        # temperature only softens the teacher afterwards.
        diff = special.softmax(positive_logits, axis=1) - special.softmax(negative_logits, axis=1)
        weight = extrapolation_scale * np.abs(diff).sum(axis=1) + eps
        row_scale = beta0 / weight
    else:
        # reference: (b0/b) z_pos + (1 - b0/b) z_neg = z_pos + (b0/b - 1)(z_pos - z_neg)
        constant = beta0 / kl_coef - (1.0 if mode == "reference" else 0.0)
        weight = np.full(n_samples, constant)
        row_scale = np.full(n_samples, float(kl_coef))
    teacher = positive_logits + weight[:, None] * (positive_logits - negative_logits)
    return teacher, row_scale, weight


@validate_params(
    {
        "positive_logits": ["array-like"],
        "negative_logits": ["array-like"],
        **_TEACHER_CONSTRAINTS,
        "eps": [Interval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def aligndistil_teacher(
    positive_logits, negative_logits, *, beta0=0.1, kl_coef=1.0, extrapolation_scale=10.0, mode="adaptive", eps=1e-3
):
    """Teacher logits and per-row loss scale of AlignDistil.

    With ``z_pos`` the logits of the positive (DPO) model and ``z_neg`` those
    of the negative model, every mode builds ``z* = z_pos + w (z_pos - z_neg)``
    row by row:

    - ``'reference'`` (the paper's Theorem 1): ``z_neg`` plays the reference
      policy, ``z* = (beta0/kl_coef) z_pos + (1 - beta0/kl_coef) z_neg``, the
      optimum of RLHF with the DPO reward ``beta0 log(pi_pos / pi_ref)`` and KL
      weight ``kl_coef``; row scale ``kl_coef``.
    - ``'contrastive'``: reward ``beta0 log(pi_pos / pi_neg)``,
      ``w = beta0 / kl_coef``; row scale ``kl_coef``.
    - ``'adaptive'`` (AlignDistil): ``w = s ||pi_pos - pi_neg||_1 + eps`` per
      row, with ``s = extrapolation_scale`` and the L1 distance of the
      temperature-1 distributions, so ``w`` lies in ``[eps, 2 s + eps]``; row
      scale ``beta0 / w``.

    Parameters
    ----------
    positive_logits : array-like of shape (n_samples, n_classes)
        Logits of the positive (DPO) model.
    negative_logits : array-like of shape (n_samples, n_classes)
        Logits of the negative model: the reverse-DPO model, or the reference
        policy in ``'reference'`` mode.
    beta0 : float, default=0.1
        The DPO temperature of the reward, ``> 0``.
    kl_coef : float, default=1.0
        The RLHF KL weight ``beta > 0`` ('reference' and 'contrastive' modes).
    extrapolation_scale : float, default=10.0
        The scale ``s >= 0`` of the adaptive extrapolation.
    mode : {'adaptive', 'contrastive', 'reference'}, default='adaptive'
    eps : float, default=1e-3
        Floor of the adaptive weight, ``> 0``.

    Returns
    -------
    teacher_logits : ndarray of shape (n_samples, n_classes)
        The logits ``z*`` (soften them by a temperature before use if wanted).
    row_scale : ndarray of shape (n_samples,)
        The factor ``c_t`` of each row's divergence.

    See Also
    --------
    aligndistil_loss : The loss built on this teacher.

    References
    ----------
    .. [1] S. Zhang, X. Zhang, T. Zhang, B. Hu, Y. Chen, J. Xu, "AlignDistil:
       Token-Level Language Model Alignment as Adaptive Policy Distillation",
       ACL 2025, arXiv:2503.02832.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.distillation import aligndistil_teacher
    >>> z_pos = np.array([[2.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    >>> z_neg = np.array([[0.0, 0.0, 2.0], [1.0, 0.0, 0.0]])
    >>> teacher, scale = aligndistil_teacher(z_pos, z_neg)
    >>> [round(float(c), 3) for c in scale]  # the models agree on row 2: w = eps, scale beta0 / eps
    [0.007, 100.0]
    >>> np.round(teacher[1], 3)
    array([1., 0., 0.])
    """
    positive, negative = _check_logit_pair(positive_logits, negative_logits)
    teacher, row_scale, _ = _teacher_parts(positive, negative, beta0, kl_coef, extrapolation_scale, mode, eps)
    return teacher, row_scale


def _response_weights(groups, sample_weight, length_normalize, n_samples):
    """Per-row factors ``f`` with ``sum_i omega_i f_i l_i`` = mean over responses of their (normalised) sums.

    ``omega = sample_weight / sum(sample_weight)`` is the trainer's row
    weighting.  A response's length is the total weight of its rows, so an
    integer weight acts exactly like repeating the row inside its response;
    responses with no weight drop out of the mean.
    """
    sample_weight = np.ones(n_samples) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if groups is None:
        return np.ones(n_samples)
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.shape[0] != n_samples:
        raise ValueError(f"groups must be 1-D with one entry per row ({n_samples}); got shape {groups.shape}.")
    try:
        _, codes = np.unique(groups, return_inverse=True)
    except TypeError as exc:
        raise TypeError("groups must hold comparable labels (all numbers or all strings).") from exc
    if groups.dtype.kind == "f" and np.isnan(groups).any():
        raise ValueError("groups contains NaN; every row needs a response id.")
    length = np.bincount(codes, weights=sample_weight)
    n_responses = np.count_nonzero(length > 0)
    total = sample_weight.sum()
    row_length = length[codes]
    safe = np.where(row_length > 0, row_length, 1.0)
    if length_normalize:
        factor = total / (n_responses * safe)
    else:
        factor = np.full(n_samples, total / n_responses)
    return np.where(row_length > 0, factor, 0.0)


class AlignDistilHeadLoss(HeadLoss):
    """Per-row AlignDistil divergence ``c_t D(pi_theta, softmax(z*_t / T))``.

    ``row_scale`` holds ``c_t`` times any per-row aggregation factor (the
    response-length weights); the trainer adds the sample weights.  The
    student's logits are not tempered.

    Parameters
    ----------
    teacher_logits : ndarray of shape (n_samples, n_classes)
    row_scale : ndarray of shape (n_samples,)
    temperature : float
    divergence : {'reverse_kl', 'forward_kl'}
        ``KL(pi_theta || q)`` (the paper's) or ``KL(q || pi_theta)`` (convex in
        a linear student's weights).
    """

    def __init__(self, teacher_logits, row_scale, temperature=1.0, divergence="reverse_kl"):
        self.log_target = special.log_softmax(np.asarray(teacher_logits, dtype=float) / float(temperature), axis=1)
        self.row_scale = np.asarray(row_scale, dtype=float)
        self.divergence = divergence

    def loss_and_gradient(self, logits, index=None):
        log_q = _rows(self.log_target, index)
        scale = _rows(self.row_scale, index)
        log_p = special.log_softmax(logits, axis=1)
        p = np.exp(log_p)
        if self.divergence == "reverse_kl":
            gap = log_p - log_q
            kl = np.sum(p * gap, axis=1)
            # d KL(p||q) / dz_k = p_k (log p_k - log q_k - KL(p||q))
            grad = p * (gap - kl[:, None])
        else:
            q = np.exp(log_q)
            kl = np.sum(q * (log_q - log_p), axis=1)
            grad = p - q
        return scale * kl, scale[:, None] * grad


@validate_params(
    {
        "student_logits": ["array-like"],
        "positive_logits": ["array-like"],
        "negative_logits": ["array-like"],
        **_TEACHER_CONSTRAINTS,
        "eps": [Interval(Real, 0, None, closed="neither")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "divergence": [StrOptions(set(DIVERGENCES))],
        "groups": ["array-like", None],
        "length_normalize": ["boolean"],
        "return_grad": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def aligndistil_loss(
    student_logits,
    positive_logits,
    negative_logits,
    *,
    beta0=0.1,
    kl_coef=1.0,
    extrapolation_scale=10.0,
    mode="adaptive",
    eps=1e-3,
    temperature=1.0,
    divergence="reverse_kl",
    groups=None,
    length_normalize=True,
    return_grad=False,
):
    """AlignDistil loss of student logits, averaged over responses.

    Per row ``t``, ``loss_t = c_t KL(pi_theta || softmax(z*_t / T))`` with
    ``z*_t`` and ``c_t`` from :func:`aligndistil_teacher` (teacher and scale
    are constants: no gradient flows through them).  With ``T = 1`` in
    adaptive mode this is, up to a constant per row,
    ``(beta0 / w_t) KL(pi_theta || pi_pos) - beta0 E_pi_theta[log pi_pos -
    log pi_neg]``: one step of contrastive-reward maximisation with a
    per-row KL weight toward the positive model.

    Rows are summed within each response (``groups``), divided by the
    response's length when ``length_normalize`` (the authors'
    ``reward_len_norm``), and averaged over responses.  Without ``groups``
    every row is its own response, so the loss is the mean over rows.

    Parameters
    ----------
    student_logits : array-like of shape (n_samples, n_classes)
    positive_logits : array-like of shape (n_samples, n_classes)
        Logits of the positive (DPO) model.
    negative_logits : array-like of shape (n_samples, n_classes)
        Logits of the negative (reverse-DPO, or reference) model.
    beta0 : float, default=0.1
        The DPO temperature of the reward, ``> 0``.
    kl_coef : float, default=1.0
        The RLHF KL weight ('reference' and 'contrastive' modes), ``> 0``.
    extrapolation_scale : float, default=10.0
        The adaptive extrapolation scale ``s >= 0``.
    mode : {'adaptive', 'contrastive', 'reference'}, default='adaptive'
    eps : float, default=1e-3
        Floor of the adaptive weight.
    temperature : float, default=1.0
        Softens the teacher only, ``> 0``.
    divergence : {'reverse_kl', 'forward_kl'}, default='reverse_kl'
        The paper's reverse KL ``KL(pi_theta || q)``, or ``KL(q || pi_theta)``.
    groups : array-like of shape (n_samples,), default=None
        Response id of each row.
    length_normalize : bool, default=True
        Divide each response's sum by its number of rows.
    return_grad : bool, default=False
        Also return the gradient with respect to ``student_logits``.

    Returns
    -------
    loss : float
    grad : ndarray of shape (n_samples, n_classes)
        Only when ``return_grad``.

    See Also
    --------
    aligndistil_teacher : The teacher logits and row scales.
    AlignDistilClassifier : A student trained on this loss.

    References
    ----------
    .. [1] S. Zhang, X. Zhang, T. Zhang, B. Hu, Y. Chen, J. Xu, "AlignDistil:
       Token-Level Language Model Alignment as Adaptive Policy Distillation",
       ACL 2025, arXiv:2503.02832.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.distillation import aligndistil_loss
    >>> rng = np.random.default_rng(0)
    >>> z_pos, z_neg, z = rng.normal(size=(3, 6, 4))
    >>> round(aligndistil_loss(z, z_pos, z_neg, groups=[0, 0, 0, 1, 1, 2]), 4)
    0.1871
    """
    positive, negative = _check_logit_pair(positive_logits, negative_logits)
    n_samples, n_classes = positive.shape
    student = check_logits(student_logits, n_samples, n_classes, "student_logits")
    teacher, row_scale, _ = _teacher_parts(positive, negative, beta0, kl_coef, extrapolation_scale, mode, eps)
    factor = _response_weights(groups, None, length_normalize, n_samples)
    head = AlignDistilHeadLoss(teacher, row_scale * factor / n_samples, temperature, divergence)
    per_row, grad = head.loss_and_gradient(student)
    loss = float(per_row.sum())
    return (loss, grad) if return_grad else loss


class AlignDistilClassifier(BaseDistillationClassifier):
    """Student trained by AlignDistil: per-row distillation toward an extrapolated teacher.

    Each row of ``X`` is one decoding position (its features represent the
    prefix) and the classes are the action set.  The positive model (a DPO
    model) and the negative model (a reverse-DPO model, or the reference
    policy) give logits per row; :func:`aligndistil_teacher` mixes them into
    teacher logits ``z*`` and a row scale ``c_t``, and the student minimises
    the weighted mean of ``c_t KL(pi_theta || softmax(z*/T))`` plus an L2
    penalty.  ``y`` only fixes ``classes_`` (and fits the default positive
    model): the loss uses no labels.

    Only the per-position, one-step form of the paper's equivalence
    transfers to tabular rows: there is no generated continuation, hence no
    credit assignment over future tokens and no on-policy sampling.  Rows
    of one response share a ``groups`` id, which divides the response's sum
    by its length (``length_normalize``) before the mean over responses.

    The row scales span roughly ``[beta0 / (2 s), beta0 / eps]`` (0.005 to
    100 with the defaults), so the objective is divided by the weighted mean
    of the row factors: this leaves every row's relative weight and the
    unpenalised minimiser unchanged, and lets ``alpha`` mean the same in
    every mode.

    Parameters
    ----------
    positive_estimator : fitted classifier, default=None
        The positive (DPO) model; never refitted.  None fits a
        ``LogisticRegression(tol=1e-8, max_iter=1000)`` on ``(X, y)`` inside
        ``fit`` (self-distillation).
    negative_estimator : fitted classifier, default=None
        The negative model (reverse DPO; the reference policy in
        'reference' mode); never refitted.  None fits
        ``DummyClassifier(strategy="prior")``, the class prior.
    beta0 : float, default=0.1
        The DPO temperature of the reward.
    kl_coef : float, default=1.0
        The RLHF KL weight ('reference' and 'contrastive' modes).
    extrapolation_scale : float, default=10.0
        The adaptive extrapolation scale ``s``:
        ``w = s ||pi_pos - pi_neg||_1 + 0.001`` per row.
    mode : {'adaptive', 'contrastive', 'reference'}, default='adaptive'
        See :func:`aligndistil_teacher`.
    temperature : float, default=1.0
        Softens the teacher (after the adaptive weight is computed).
    divergence : {'reverse_kl', 'forward_kl'}, default='reverse_kl'
        The paper's reverse KL (non-convex in a linear student's weights;
        the student starts from zero weights, so fits are deterministic), or
        the convex forward KL.
    length_normalize : bool, default=True
        Divide each response's sum by its length.
    teacher_response : {'auto', 'decision_function', 'predict_proba'}, default='auto'
        Which output of the two models gives their logits: 'auto' prefers
        ``decision_function`` (a binary ``d`` becomes ``[-d/2, d/2]``);
        probabilities become row-centred log-probabilities.
    hidden_layer_size : int or None, default=None
        None for a linear student, else the width of its hidden layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='tanh'
        Hidden-layer activation.
    alpha : float, default=1e-4
        L2 strength on the weights (biases are free).
    solver : {'lbfgs', 'sgd', 'adam'}, default='lbfgs'
    max_iter : int, default=1000
        L-BFGS iterations or epochs.
    tol : float, default=1e-6
    batch_size : int or None, default=None
        Mini-batch size of 'sgd'/'adam'; None means ``min(200, n_samples)``.
    learning_rate_init : float, default=1e-3
        Step size of 'sgd'/'adam'.
    random_state : int, RandomState instance or None, default=None
        Initial weights of a hidden layer and the mini-batch order.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Defined when ``X`` has string column names.
    positive_estimator_, negative_estimator_ : classifier or None
        The models used (None when their logits were passed to ``fit``).
    extrapolation_weight_ : ndarray of shape (n_samples,)
        ``w`` of each training row, ``z* = z_pos + w (z_pos - z_neg)``.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Linear students only, in scikit-learn's layout.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Linear students only.
    coefs_, intercepts_ : list of ndarray
        Weights and biases per layer.
    n_iter_ : int
    loss_ : float
        Final value of the (normalised) objective.
    loss_curve_ : list of float
        Epoch losses of the stochastic solvers.

    See Also
    --------
    aligndistil_teacher : The teacher and row scales.
    aligndistil_loss : The loss on given student logits.

    References
    ----------
    .. [1] S. Zhang, X. Zhang, T. Zhang, B. Hu, Y. Chen, J. Xu, "AlignDistil:
       Token-Level Language Model Alignment as Adaptive Policy Distillation",
       ACL 2025, arXiv:2503.02832.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skpapers.distillation import AlignDistilClassifier
    >>> X, y = make_classification(n_samples=300, n_classes=3, n_informative=4, random_state=0)
    >>> positive = LogisticRegression().fit(X, y)
    >>> negative = LogisticRegression().fit(X, (y + 1) % 3)  # prefers the wrong class
    >>> groups = np.repeat(np.arange(30), 10)  # 30 responses of 10 positions
    >>> student = AlignDistilClassifier(positive, negative).fit(X, y, groups=groups)
    >>> round(float(student.extrapolation_weight_.min()), 2), round(float(student.extrapolation_weight_.max()), 2)
    (1.1, 20.0)
    >>> agree = np.mean(student.predict(X) == student.teacher_proba(X).argmax(axis=1))
    >>> round(float(agree), 3)  # the student follows the extrapolated teacher
    0.997
    """

    _parameter_constraints = {
        "positive_estimator": [HasMethods(["predict_proba"]), HasMethods(["decision_function"]), None],
        "negative_estimator": [HasMethods(["predict_proba"]), HasMethods(["decision_function"]), None],
        **_TEACHER_CONSTRAINTS,
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "divergence": [StrOptions(set(DIVERGENCES))],
        "length_normalize": ["boolean"],
        "teacher_response": [StrOptions(set(RESPONSES))],
        **STUDENT_PARAMETER_CONSTRAINTS,
    }

    def __init__(
        self,
        positive_estimator=None,
        negative_estimator=None,
        *,
        beta0=0.1,
        kl_coef=1.0,
        extrapolation_scale=10.0,
        mode="adaptive",
        temperature=1.0,
        divergence="reverse_kl",
        length_normalize=True,
        teacher_response="auto",
        hidden_layer_size=None,
        activation="tanh",
        alpha=1e-4,
        solver="lbfgs",
        max_iter=1000,
        tol=1e-6,
        batch_size=None,
        learning_rate_init=1e-3,
        random_state=None,
    ):
        self.positive_estimator = positive_estimator
        self.negative_estimator = negative_estimator
        self.beta0 = beta0
        self.kl_coef = kl_coef
        self.extrapolation_scale = extrapolation_scale
        self.mode = mode
        self.temperature = temperature
        self.divergence = divergence
        self.length_normalize = length_normalize
        self.teacher_response = teacher_response
        self.hidden_layer_size = hidden_layer_size
        self.activation = activation
        self.alpha = alpha
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.random_state = random_state

    def _model_logits(self, model, X, logits, name):
        if logits is not None:
            return check_logits(logits, X.shape[0], self.classes_.shape[0], f"{name.split('_')[0]}_logits")
        if model is None:
            raise ValueError(
                f"{name} was not used in fit ({name.split('_')[0]}_logits were passed); "
                f"pass {name.split('_')[0]}_logits for these rows."
            )
        return model_logits(model, X, self.classes_, self.teacher_response, name=name)

    def _teacher(self, positive, negative):
        return _teacher_parts(
            positive, negative, self.beta0, self.kl_coef, self.extrapolation_scale, self.mode, eps=1e-3
        )

    def fit(self, X, y, groups=None, sample_weight=None, positive_logits=None, negative_logits=None):
        """Fit the student on the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One row per decoding position.
        y : array-like of shape (n_samples,)
            Labels; they fix ``classes_`` and fit the default positive model.
        groups : array-like of shape (n_samples,), default=None
            Response id of each row (for the length normalisation).  Routed
            as metadata: ``set_fit_request(groups=True)``.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights; a response's length is the total weight of its rows.
        positive_logits : array-like of shape (n_samples, n_classes), default=None
            Overrides ``positive_estimator``; columns in the order of ``classes_``.
        negative_logits : array-like of shape (n_samples, n_classes), default=None
            Overrides ``negative_estimator``.

        Returns
        -------
        self : AlignDistilClassifier
        """
        self._validate_params()
        X_in = X
        X, y_codes, sample_weight = self._validate_training_data(X, y, sample_weight)
        factor = _response_weights(groups, sample_weight, self.length_normalize, X.shape[0])

        # A tight tolerance: weighted and repeated rows must give the same default teacher.
        self.positive_estimator_, positive = self._teacher_logits(
            X_in, X, y_codes, sample_weight, self.positive_estimator, positive_logits,
            LogisticRegression(tol=1e-8, max_iter=1000), "positive_estimator", "positive_logits",
        )
        self.negative_estimator_, negative = self._teacher_logits(
            X_in, X, y_codes, sample_weight, self.negative_estimator, negative_logits,
            DummyClassifier(strategy="prior"), "negative_estimator", "negative_logits",
        )
        teacher, row_scale, weight = self._teacher(positive, negative)
        self.extrapolation_weight_ = weight
        multiplier = row_scale * factor
        # A constant factor: alpha keeps its meaning whatever the range of the row scales.
        multiplier = multiplier / (sample_weight @ multiplier / sample_weight.sum())
        loss = AlignDistilHeadLoss(teacher, multiplier, self.temperature, self.divergence)
        return self._fit_student(X, [LossTerm(MAIN_HEAD, loss)], sample_weight)

    def teacher_proba(self, X, positive_logits=None, negative_logits=None):
        """The teacher distribution ``softmax(z* / T)`` on ``X``, for diagnostics.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        positive_logits : array-like of shape (n_samples, n_classes), default=None
            Overrides the fitted positive model (required if ``fit`` used
            logits instead of a model).
        negative_logits : array-like of shape (n_samples, n_classes), default=None
            Overrides the fitted negative model.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "_params")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        positive = self._model_logits(self.positive_estimator_, X, positive_logits, "positive_estimator")
        negative = self._model_logits(self.negative_estimator_, X, negative_logits, "negative_estimator")
        teacher, _, _ = self._teacher(positive, negative)
        return special.softmax(teacher / self.temperature, axis=1)
