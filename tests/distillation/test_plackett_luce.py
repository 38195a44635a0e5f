"""Plackett-Luce distillation: the loss against its definition and limits, and the student against peers."""

import choix
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special
from sklearn.datasets import make_classification
from sklearn import config_context
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.distillation import PLDistillationClassifier, plackett_luce_distillation_loss
from skpapers.distillation._losses import SoftmaxCrossEntropy
from skpapers.distillation._plackett_luce import PlackettLuceLoss, _pl_log_space, _target_order
from skpapers.distillation._student import LossTerm, StudentNetwork, StudentObjective

RANK_WEIGHTS = ["teacher", "uniform", "onehot", np.array([1.0, 0.5, 0.0, 0.25, 2.0])]


def _naive_loss(student, teacher, y, temperature=1.0, rank_weights="teacher"):
    """Row by row, straight from the definition (no log-space tricks)."""
    n, n_classes = student.shape
    losses = np.empty(n)
    for i in range(n):
        others = [c for c in sorted(range(n_classes), key=lambda c: (-teacher[i, c], c)) if c != y[i]]
        ranking = [y[i]] + others
        proba = np.exp(teacher[i] / temperature) / np.exp(teacher[i] / temperature).sum()
        if isinstance(rank_weights, str):
            weights = {
                "teacher": proba[ranking],
                "uniform": np.ones(n_classes),
                "onehot": np.eye(n_classes)[0],
            }[rank_weights]
        else:
            weights = rank_weights
        u = student[i, ranking]
        losses[i] = sum(weights[k] * (np.log(np.exp(u[k:]).sum()) - u[k]) for k in range(n_classes))
    return losses


def _numerical_gradient(fun, x, h=1e-6):
    grad = np.empty_like(x)
    flat = grad.reshape(-1)
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = h
        step = step.reshape(x.shape)
        flat[j] = (fun(x + step) - fun(x - step)) / (2 * h)
    return grad


@pytest.fixture
def logits():
    rng = np.random.default_rng(0)
    n, n_classes = 12, 5
    return rng.normal(scale=2.0, size=(n, n_classes)), rng.normal(scale=2.0, size=(n, n_classes)), rng.integers(
        0, n_classes, size=n
    )


@pytest.mark.parametrize("rank_weights", RANK_WEIGHTS, ids=["teacher", "uniform", "onehot", "positions"])
@pytest.mark.parametrize("temperature", [1.0, 3.0])
def test_loss_matches_the_per_row_definition(logits, rank_weights, temperature):
    student, teacher, y = logits
    loss_rows, _ = PlackettLuceLoss(teacher, y, temperature, rank_weights).loss_and_gradient(student)
    np.testing.assert_allclose(loss_rows, _naive_loss(student, teacher, y, temperature, rank_weights), rtol=1e-12)
    weights = np.random.default_rng(1).uniform(0.1, 3.0, size=y.shape[0])
    expected = np.average(_naive_loss(student, teacher, y, temperature, rank_weights), weights=weights)
    value = plackett_luce_distillation_loss(student, teacher, y, temperature, rank_weights, sample_weight=weights)
    np.testing.assert_allclose(value, expected, rtol=1e-12)


@pytest.mark.parametrize("rank_weights", RANK_WEIGHTS, ids=["teacher", "uniform", "onehot", "positions"])
def test_gradient_matches_finite_differences(logits, rank_weights):
    student, teacher, y = logits
    weights = np.random.default_rng(2).uniform(0.1, 3.0, size=y.shape[0])

    def value(s):
        return plackett_luce_distillation_loss(s, teacher, y, 2.0, rank_weights, sample_weight=weights)

    _, grad = plackett_luce_distillation_loss(
        student, teacher, y, 2.0, rank_weights, sample_weight=weights, return_grad=True
    )
    np.testing.assert_allclose(grad, _numerical_gradient(value, student), rtol=1e-6, atol=1e-9)


def test_logits_of_order_1e3_neither_overflow_nor_lose_the_gradient(logits):
    student, teacher, y = logits
    huge = 1e3 * student
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        assert not np.all(np.isfinite(_naive_loss(huge, teacher, y)))  # the definition itself overflows here
    loss, grad = plackett_luce_distillation_loss(huge, 1e3 * teacher, y, return_grad=True)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))

    def value(s):
        return plackett_luce_distillation_loss(s, 1e3 * teacher, y)

    np.testing.assert_allclose(grad, _numerical_gradient(value, huge, h=1e-4), atol=1e-7)
    # A per-row offset of 1e3 changes neither the loss nor its gradient (translation invariance).
    offsets = 1e3 * np.arange(y.shape[0])[:, None]
    base, base_grad = plackett_luce_distillation_loss(student, teacher, y, return_grad=True)
    shifted, shifted_grad = plackett_luce_distillation_loss(student + offsets, teacher, y, return_grad=True)
    np.testing.assert_allclose(shifted, base, rtol=1e-10)
    np.testing.assert_allclose(shifted_grad, base_grad, atol=1e-12)


def test_fast_and_log_space_evaluations_agree(logits):
    # Rows spread over less than ~230 use shifted exponentials, wider rows the log-space recursion:
    # on a mixed batch each row must get the value either route gives.
    student, teacher, y = logits
    student = student.copy()
    student[::3] *= 300.0  # these rows take the log-space route
    head = PlackettLuceLoss(teacher, y)
    loss, grad = head.loss_and_gradient(student)
    u = np.take_along_axis(student, head.order, axis=1)
    log_loss, log_grad_sorted = _pl_log_space(u, head.log_weights, head.weights)
    log_grad = np.empty_like(log_grad_sorted)
    np.put_along_axis(log_grad, head.order, log_grad_sorted, axis=1)
    np.testing.assert_allclose(loss, log_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, log_grad, atol=1e-14)
    moderate = np.arange(y.shape[0]) % 3 != 0
    np.testing.assert_allclose(loss[moderate], _naive_loss(student[moderate], teacher[moderate], y[moderate]),
                               rtol=1e-12)


def test_underflowing_teacher_weights_are_harmless():
    # softmax(t) of the last ranks underflows to exactly 0: log 0 = -inf must not produce NaN.
    teacher = np.array([[0.0, -1e4, -2e4], [-3e3, 0.0, -1e4]])
    student = np.array([[0.3, -0.2, 0.1], [2.0, 1.0, -1.0]])
    y = np.array([0, 1])
    loss, grad = plackett_luce_distillation_loss(student, teacher, y, return_grad=True)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    # Only the first step carries weight (alpha_1 = 1): the loss is the cross-entropy.
    ce, ce_grad = SoftmaxCrossEntropy(y).loss_and_gradient(student)
    np.testing.assert_allclose(loss, ce.mean(), rtol=1e-12)
    np.testing.assert_allclose(grad, ce_grad / 2, atol=1e-15)


def test_onehot_weights_are_exactly_the_cross_entropy(logits):
    student, teacher, y = logits
    loss, grad = PlackettLuceLoss(teacher, y, rank_weights="onehot").loss_and_gradient(student)
    ce, ce_grad = SoftmaxCrossEntropy(y).loss_and_gradient(student)
    np.testing.assert_allclose(loss, ce, rtol=1e-13)
    np.testing.assert_allclose(grad, ce_grad, atol=1e-15)


@pytest.mark.parametrize("temperature", [0.5, 1.0, 4.0])
def test_two_classes_is_teacher_confidence_weighted_cross_entropy(temperature):
    rng = np.random.default_rng(3)
    student, teacher = rng.normal(size=(20, 2)), rng.normal(scale=3.0, size=(20, 2))
    y = rng.integers(0, 2, size=20)
    loss, grad = PlackettLuceLoss(teacher, y, temperature).loss_and_gradient(student)
    p_true = special.softmax(teacher / temperature, axis=1)[np.arange(20), y]
    ce, ce_grad = SoftmaxCrossEntropy(y).loss_and_gradient(student)
    np.testing.assert_allclose(loss, p_true * ce, rtol=1e-12)
    np.testing.assert_allclose(grad, p_true[:, None] * ce_grad, atol=1e-15)


def test_high_temperature_tends_to_listmle_over_n_classes(logits):
    # tau -> inf makes every teacher weight 1 / C: PLD becomes ListMLE / C.
    student, teacher, y = logits
    pld = plackett_luce_distillation_loss(student, teacher, y, temperature=1e8)
    listmle = plackett_luce_distillation_loss(student, teacher, y, rank_weights="uniform")
    np.testing.assert_allclose(pld, listmle / 5, rtol=1e-6)


def test_translation_invariance_and_zero_sum_gradients(logits):
    student, teacher, y = logits
    for rank_weights in RANK_WEIGHTS:
        loss, grad = plackett_luce_distillation_loss(student, teacher, y, rank_weights=rank_weights, return_grad=True)
        np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)
        shift = np.random.default_rng(4).normal(scale=5.0, size=(y.shape[0], 1))
        np.testing.assert_allclose(
            plackett_luce_distillation_loss(student + shift, teacher, y, rank_weights=rank_weights), loss, rtol=1e-12
        )


def test_loss_is_convex_in_the_student_logits(logits):
    _, teacher, y = logits
    rng = np.random.default_rng(5)
    head = PlackettLuceLoss(teacher, y)
    a, b = rng.normal(scale=3.0, size=(2, 200) + teacher.shape)
    lam = rng.uniform(size=(200, 1, 1))
    f = np.array([head.loss_and_gradient(x)[0] for x in lam * a + (1 - lam) * b])
    fa = np.array([head.loss_and_gradient(x)[0] for x in a])
    fb = np.array([head.loss_and_gradient(x)[0] for x in b])
    assert np.all(f <= lam[:, :, 0] * fa + (1 - lam[:, :, 0]) * fb + 1e-12)
    # Hessian of one row by differentiating the analytic gradient: positive semi-definite.
    s0 = rng.normal(size=teacher.shape[1])
    h = 1e-6
    hessian = np.array([
        (head.loss_and_gradient((s0 + h * e)[None], np.array([0]))[1][0]
         - head.loss_and_gradient((s0 - h * e)[None], np.array([0]))[1][0]) / (2 * h)
        for e in np.eye(teacher.shape[1])
    ])
    np.testing.assert_allclose(hessian, hessian.T, atol=1e-7)
    eigenvalues = np.linalg.eigvalsh((hessian + hessian.T) / 2)
    assert eigenvalues.min() > -1e-7 and eigenvalues.max() > 1e-3
    np.testing.assert_allclose(hessian.sum(axis=1), 0.0, atol=1e-7)  # the all-ones direction is flat


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_rows=st.integers(1, 8), n_classes=st.integers(2, 7),
       scale=st.floats(0.1, 50.0))
def test_relabelling_classes_or_reordering_rows_changes_nothing(seed, n_rows, n_classes, scale):
    # The loss has no preferred class or row: permuting the class columns (and recoding y) permutes the
    # gradient's columns the same way, and permuting the rows permutes the per-row losses.
    rng = np.random.default_rng(seed)
    student = rng.normal(scale=scale, size=(n_rows, n_classes))
    teacher = rng.normal(scale=scale, size=(n_rows, n_classes))  # continuous: no ties, so the order is unique
    y = rng.integers(0, n_classes, size=n_rows)
    loss, grad = PlackettLuceLoss(teacher, y, 1.5).loss_and_gradient(student)
    columns = rng.permutation(n_classes)
    recoded = np.argsort(columns)[y]
    loss_c, grad_c = PlackettLuceLoss(teacher[:, columns], recoded, 1.5).loss_and_gradient(student[:, columns])
    np.testing.assert_allclose(loss_c, loss, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_c, grad[:, columns], rtol=1e-12, atol=1e-14)
    rows = rng.permutation(n_rows)
    loss_r, grad_r = PlackettLuceLoss(teacher[rows], y[rows], 1.5).loss_and_gradient(student[rows])
    np.testing.assert_array_equal(loss_r, loss[rows])
    np.testing.assert_array_equal(grad_r, grad[rows])


def test_target_order_puts_the_label_first_and_breaks_ties_by_class_index():
    teacher = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    order = _target_order(teacher, np.array([3, 2]))
    np.testing.assert_array_equal(order, [[3, 1, 2, 0], [2, 0, 1, 3]])


def test_mini_batch_rows_are_the_same_formula(logits):
    student, teacher, y = logits
    index = np.array([1, 4, 7, 10])
    head = PlackettLuceLoss(teacher, y)
    loss, grad = head.loss_and_gradient(student[index], index)
    sub_loss, sub_grad = PlackettLuceLoss(teacher[index], y[index]).loss_and_gradient(student[index])
    np.testing.assert_array_equal(loss, sub_loss)
    np.testing.assert_array_equal(grad, sub_grad)


@pytest.mark.parametrize("hidden", [None, 3])
def test_student_objective_gradient_with_the_pld_term(hidden):
    X, y = make_classification(n_samples=40, n_features=4, n_informative=3, n_redundant=0, n_classes=3,
                               random_state=1)
    teacher = np.random.default_rng(0).normal(scale=2.0, size=(40, 3))
    network = StudentNetwork(4, {"main": 3}, hidden, "tanh")
    objective = StudentObjective(network, X, [LossTerm("main", PlackettLuceLoss(teacher, y, 2.0))],
                                 np.linspace(0.5, 2.0, 40))
    w = network.initial_parameters(0) + np.random.default_rng(1).normal(scale=0.3, size=network.n_params)
    _, grad = objective.value_and_gradient(w)
    np.testing.assert_allclose(grad, _numerical_gradient(objective.value, w), rtol=1e-6, atol=1e-9)


# ----------------------------------------------------------------------------- the estimator


@pytest.fixture
def binary():
    X, y = make_classification(n_samples=150, n_features=5, n_informative=3, n_redundant=0, random_state=0)
    teacher = LogisticRegression(C=0.05).fit(X, y)
    return X, y, teacher


@pytest.mark.parametrize("weighted", [False, True])
def test_binary_linear_student_is_teacher_weighted_logistic_regression(binary, weighted):
    # Two classes: PLD = p_T(y) * CE.  Our objective sum_i (s_i / S) p_i CE_i + alpha/2 ||W||^2 with a
    # two-column W at its optimum (columns -d/2, d/2) has penalty alpha/4 ||d||^2; times 2/alpha it is
    # sklearn's (C sum_i s_i p_i CE_i + ||d||^2 / 2) with C = 2 / (alpha S).
    X, y, teacher = binary
    alpha = 1e-2
    s = np.random.default_rng(0).uniform(0.2, 3.0, size=y.shape[0]) if weighted else np.ones(y.shape[0])
    student = PLDistillationClassifier(teacher=teacher, alpha=alpha, tol=1e-12, max_iter=10_000)
    student.fit(X, y, sample_weight=s if weighted else None)
    p_true = special.softmax(
        np.column_stack([-teacher.decision_function(X) / 2, teacher.decision_function(X) / 2]), axis=1
    )[np.arange(y.shape[0]), y]
    reference = LogisticRegression(C=2.0 / (alpha * s.sum()), tol=1e-12, max_iter=10_000)
    reference.fit(X, y, sample_weight=s * p_true)
    np.testing.assert_allclose(student.predict_proba(X), reference.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(student.coef_, reference.coef_, atol=1e-5)
    np.testing.assert_allclose(student.intercept_, reference.intercept_, atol=1e-5)


def test_onehot_linear_student_is_multinomial_logistic_regression():
    X, y = make_classification(n_samples=200, n_features=6, n_informative=4, n_redundant=0, n_classes=4,
                               random_state=2)
    alpha = 1e-2
    student = PLDistillationClassifier(rank_weights="onehot", alpha=alpha, tol=1e-12, max_iter=10_000).fit(X, y)
    reference = LogisticRegression(C=1.0 / (alpha * X.shape[0]), tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(student.predict_proba(X), reference.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(student.intercept_, reference.intercept_ - reference.intercept_.mean(), atol=1e-5)


def test_uniform_intercept_only_student_is_the_plackett_luce_mle():
    # ListMLE with no features fits one worth per class to the target rankings: the PL MLE (choix).
    rng = np.random.default_rng(6)
    n, n_classes = 300, 4
    worth = np.array([1.0, 0.3, -0.2, -1.1])
    teacher = worth + rng.gumbel(size=(n, n_classes))
    y = np.argmax(worth + rng.gumbel(size=(n, n_classes)), axis=1)
    X = np.zeros((n, 1))
    student = PLDistillationClassifier(rank_weights="uniform", tol=1e-12, max_iter=10_000)
    student.fit(X, y, teacher_logits=teacher)
    rankings = [tuple(row) for row in _target_order(teacher, y)]
    mle = choix.opt_rankings(n_classes, rankings, alpha=0.0, method="BFGS", tol=1e-12)
    np.testing.assert_allclose(student.coef_, 0.0)
    np.testing.assert_allclose(student.intercept_, mle - mle.mean(), atol=1e-5)


def test_teacher_logits_override_the_teacher_and_self_distillation_default(binary):
    X, y, teacher = binary
    d = teacher.decision_function(X)
    from_teacher = PLDistillationClassifier(teacher=teacher).fit(X, y)
    from_logits = PLDistillationClassifier().fit(X, y, teacher_logits=np.column_stack([-d / 2, d / 2]))
    np.testing.assert_allclose(from_teacher.coef_, from_logits.coef_, atol=1e-8)
    assert from_teacher.teacher_ is teacher and from_logits.teacher_ is None
    default = PLDistillationClassifier().fit(X, y)
    assert isinstance(default.teacher_, LogisticRegression)
    np.testing.assert_array_equal(default.teacher_.classes_, [0, 1])


def test_teacher_logits_are_routed_through_a_pipeline(binary):
    X, y, teacher = binary
    d = teacher.decision_function(X)
    logits = np.column_stack([-d / 2, d / 2])
    with config_context(enable_metadata_routing=True):
        student = PLDistillationClassifier().set_fit_request(teacher_logits=True)
        pipeline = make_pipeline(StandardScaler(), student).fit(X, y, teacher_logits=logits)
    direct = PLDistillationClassifier().fit(StandardScaler().fit_transform(X), y, teacher_logits=logits)
    np.testing.assert_allclose(pipeline[-1].coef_, direct.coef_, atol=1e-10)
    assert pipeline[-1].teacher_ is None


def test_hidden_layer_student_with_stochastic_solver():
    X, y = make_classification(n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=0)
    teacher = LogisticRegression().fit(X, y)
    student = PLDistillationClassifier(teacher=teacher, hidden_layer_size=8, solver="adam", max_iter=200,
                                       learning_rate_init=0.02, random_state=0).fit(X, y)
    assert [c.shape for c in student.coefs_] == [(6, 8), (8, 3)]
    assert not hasattr(student, "coef_")
    assert len(student.loss_curve_) == student.n_iter_
    assert student.loss_curve_[-1] < student.loss_curve_[0]
    assert student.score(X, y) > 0.75


def test_a_confidently_wrong_teacher_row_barely_pulls_towards_its_label():
    student = np.zeros((1, 3))
    right = plackett_luce_distillation_loss(student, [[5.0, 0.0, 0.0]], [0], return_grad=True)[1]
    wrong = plackett_luce_distillation_loss(student, [[-5.0, 5.0, 0.0]], [0], return_grad=True)[1]
    # The pull on the label's logit (minus the gradient) is much weaker under the wrong teacher.
    assert -wrong[0, 0] < 0.05 * -right[0, 0]


# ----------------------------------------------------------------------------- bad input


def test_teacher_with_other_classes_or_order_is_rejected(binary):
    X, y, _ = binary
    y3 = np.where(X[:, 0] > 1, 2, y)
    teacher = LogisticRegression().fit(X, y3)
    teacher.classes_ = teacher.classes_[::-1]
    with pytest.raises(ValueError, match="differs from the classes of y"):
        PLDistillationClassifier(teacher=teacher).fit(X, y3)
    two_class_teacher = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="differs from the classes of y"):
        PLDistillationClassifier(teacher=two_class_teacher).fit(X, y3)


def test_bad_teacher_logits_are_rejected(binary):
    X, y, _ = binary
    logits = np.zeros((X.shape[0], 2))
    logits[3, 1] = np.nan
    with pytest.raises(ValueError, match="teacher_logits contains NaN"):
        PLDistillationClassifier().fit(X, y, teacher_logits=logits)
    with pytest.raises(ValueError, match=r"teacher_logits has shape \(150, 3\)"):
        PLDistillationClassifier().fit(X, y, teacher_logits=np.zeros((150, 3)))
    with pytest.raises(ValueError, match="teacher_logits contains NaN"):
        plackett_luce_distillation_loss(np.zeros((150, 2)), logits, y)


@pytest.mark.parametrize("temperature", [0.0, -1.0])
def test_non_positive_temperature_is_rejected(binary, temperature):
    X, y, _ = binary
    with pytest.raises(InvalidParameterError, match="temperature"):
        PLDistillationClassifier(temperature=temperature).fit(X, y)
    with pytest.raises(InvalidParameterError, match="temperature"):
        plackett_luce_distillation_loss(np.zeros((2, 2)), np.zeros((2, 2)), [0, 1], temperature=temperature)


@pytest.mark.parametrize(
    "rank_weights, match",
    [([1.0, -1.0], "non-negative"), ([0.0, 0.0], "not all zero"), ([1.0, 1.0, 1.0], r"shape \(2,\)"),
     ("listnet", "rank_weights")],
)
def test_bad_rank_weights_are_rejected(binary, rank_weights, match):
    X, y, _ = binary
    with pytest.raises(ValueError, match=match):
        PLDistillationClassifier(rank_weights=rank_weights).fit(X, y)
    with pytest.raises(ValueError, match=match):
        plackett_luce_distillation_loss(np.zeros((2, 2)), np.zeros((2, 2)), [0, 1], rank_weights=rank_weights)


def test_loss_function_rejects_bad_labels_and_shapes():
    zeros = np.zeros((3, 3))
    with pytest.raises(ValueError, match=r"integer class codes 0 \.\. 2"):
        plackett_luce_distillation_loss(zeros, zeros, [0, 1, 3])
    with pytest.raises(ValueError, match=r"integer class codes 0 \.\. 2"):
        plackett_luce_distillation_loss(zeros, zeros, [0, 1.5, 2])
    with pytest.raises(TypeError, match="integer class codes"):
        plackett_luce_distillation_loss(zeros, zeros, ["a", "b", "c"])
    with pytest.raises(ValueError, match="1-D with 3 entries"):
        plackett_luce_distillation_loss(zeros, zeros, [0, 1])
    with pytest.raises(ValueError, match="at least 2 classes"):
        plackett_luce_distillation_loss(np.zeros((3, 1)), np.zeros((3, 1)), [0, 0, 0])
    with pytest.raises(ValueError, match=r"teacher_logits has shape \(3, 2\)"):
        plackett_luce_distillation_loss(zeros, np.zeros((3, 2)), [0, 1, 2])
    with pytest.raises(ValueError, match="at least one non-zero"):
        plackett_luce_distillation_loss(zeros, zeros, [0, 1, 2], sample_weight=[0.0, 0.0, 0.0])


def test_single_class_and_unfitted_teacher_are_rejected(binary):
    X, y, _ = binary
    with pytest.raises(ValueError, match="single class"):
        PLDistillationClassifier().fit(X, np.zeros_like(y))
    with pytest.raises(Exception, match="teacher must be a fitted classifier"):
        PLDistillationClassifier(teacher=LogisticRegression()).fit(X, y)
