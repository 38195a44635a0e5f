"""The shared student trainer: gradients, the logistic-regression limit, solvers, teachers."""

import numpy as np
import pytest
from scipy import special
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.svm import LinearSVC

from skpapers.distillation._losses import SoftmaxCrossEntropy, SoftTargetCrossEntropy
from skpapers.distillation._student import (
    AlignedObjective,
    LossTerm,
    StudentNetwork,
    StudentObjective,
    fit_student,
)
from skpapers.distillation._teacher import check_logits, model_logits
from skpapers.utils._optim import L2, PenalizedDatafit, SquaredLoss, momentum_sgd


def _numerical_gradient(fun, w, h=1e-6):
    grad = np.empty_like(w)
    for j in range(w.size):
        step = np.zeros_like(w)
        step[j] = h
        grad[j] = (fun(w + step) - fun(w - step)) / (2 * h)
    return grad


@pytest.fixture
def data():
    X, y = make_classification(
        n_samples=60, n_features=5, n_informative=4, n_redundant=0, n_classes=3, random_state=0
    )
    return X, y


@pytest.mark.parametrize("hidden", [None, 4])
@pytest.mark.parametrize("activation", ["tanh", "logistic", "relu", "identity"])
def test_objective_gradient_matches_finite_differences(data, hidden, activation):
    X, y = data
    rng = np.random.default_rng(0)
    teacher = rng.normal(scale=3.0, size=(X.shape[0], 3))
    network = StudentNetwork(X.shape[1], {"main": 3, "aux": 3}, hidden, activation)
    terms = [
        LossTerm("main", SoftmaxCrossEntropy(y), 1.0),
        LossTerm("main", SoftTargetCrossEntropy(teacher, temperature=4.0), 0.3),
        LossTerm("aux", SoftTargetCrossEntropy(teacher, temperature=2.0), 0.7, group="logit"),
    ]
    weights = rng.uniform(0.2, 2.0, size=X.shape[0])
    objective = StudentObjective(network, X, terms, weights)
    w = network.initial_parameters(1) + rng.normal(scale=0.1, size=network.n_params)
    value, grad = objective.value_and_gradient(w)
    numerical = _numerical_gradient(objective.value, w)
    np.testing.assert_allclose(grad, numerical, rtol=1e-5, atol=1e-7)
    # The mini-batch objective is the same formula on the selected rows.
    index = np.arange(0, X.shape[0], 3)
    batch = StudentObjective(network, X, terms, weights, index=index)
    full_on_batch = StudentObjective(network, X[index], [
        LossTerm("main", SoftmaxCrossEntropy(y[index]), 1.0),
        LossTerm("main", SoftTargetCrossEntropy(teacher[index], temperature=4.0), 0.3),
        LossTerm("aux", SoftTargetCrossEntropy(teacher[index], temperature=2.0), 0.7),
    ], weights[index])
    np.testing.assert_allclose(batch.value_and_gradient(w)[1], full_on_batch.value_and_gradient(w)[1], atol=1e-12)


def test_soft_target_loss_closed_form():
    rng = np.random.default_rng(1)
    teacher = rng.normal(size=(7, 4))
    student = rng.normal(size=(7, 4))
    tau = 3.0
    loss, grad = SoftTargetCrossEntropy(teacher, tau).loss_and_gradient(student)
    p = special.softmax(teacher / tau, axis=1)
    q = special.softmax(student / tau, axis=1)
    np.testing.assert_allclose(loss, tau**2 * np.sum(p * np.log(p / q), axis=1), rtol=1e-12)
    np.testing.assert_allclose(grad, tau * (q - p), rtol=1e-12)
    # Zero exactly at the teacher, and invariant to a per-row shift of the student.
    loss0, grad0 = SoftTargetCrossEntropy(teacher, tau).loss_and_gradient(teacher + 5.0)
    np.testing.assert_allclose(loss0, 0.0, atol=1e-12)
    np.testing.assert_allclose(grad0, 0.0, atol=1e-12)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1e3, -1e3, 0.0]])
    loss, grad = SoftmaxCrossEntropy([1]).loss_and_gradient(logits)
    assert np.isfinite(loss).all() and np.isfinite(grad).all()
    np.testing.assert_allclose(loss, [2e3])


@pytest.mark.parametrize("n_classes", [2, 3])
def test_linear_cross_entropy_student_is_logistic_regression(n_classes):
    X, y = make_classification(
        n_samples=200, n_features=6, n_informative=4, n_redundant=0, n_classes=n_classes, random_state=3
    )
    alpha = 1e-2
    n = X.shape[0]
    network = StudentNetwork(X.shape[1], {"main": n_classes})
    fitted = fit_student(network, X, [LossTerm("main", SoftmaxCrossEntropy(y))], alpha=alpha, tol=1e-10)
    coef, intercept = fitted.params.heads["main"]
    student_proba = special.softmax(X @ coef + intercept, axis=1)
    # A two-column softmax with L2 on both columns penalises half the squared
    # logit-difference weights: sklearn's single binary column needs twice C.
    C = (2.0 if n_classes == 2 else 1.0) / (alpha * n)
    reference = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(student_proba, reference.predict_proba(X), atol=1e-6)


def test_auxiliary_head_does_not_shift_the_main_initialisation():
    plain = StudentNetwork(5, {"main": 3}, hidden_layer_size=8)
    with_aux = StudentNetwork(5, {"main": 3, "aux": 3}, hidden_layer_size=8)
    w_plain = plain.unpack(plain.initial_parameters(7))
    w_aux = with_aux.unpack(with_aux.initial_parameters(7))
    np.testing.assert_array_equal(w_plain.hidden[0], w_aux.hidden[0])
    np.testing.assert_array_equal(w_plain.heads["main"][0], w_aux.heads["main"][0])


def test_an_auxiliary_head_on_a_linear_student_leaves_the_main_head_alone(data):
    # Without a shared backbone the heads are decoupled: the main head's
    # optimum cannot depend on what the auxiliary head is asked to fit.
    X, y = data
    teacher = np.random.default_rng(0).normal(scale=4.0, size=(X.shape[0], 3))
    ce = [LossTerm("main", SoftmaxCrossEntropy(y))]
    plain = fit_student(StudentNetwork(5, {"main": 3}), X, ce, alpha=1e-2, tol=1e-10)
    both = fit_student(
        StudentNetwork(5, {"main": 3, "aux": 3}), X, ce + [LossTerm("aux", SoftTargetCrossEntropy(teacher))],
        alpha=1e-2, tol=1e-10,
    )
    np.testing.assert_allclose(plain.params.heads["main"][0], both.params.heads["main"][0], atol=1e-6)


def test_aligned_gradient_never_opposes_the_primary_group(data):
    X, y = data
    rng = np.random.default_rng(2)
    network = StudentNetwork(5, {"main": 3, "aux": 3}, 4)
    opposite = -10.0 * np.eye(3)[y]  # a teacher that disagrees with the labels
    terms = [
        LossTerm("main", SoftmaxCrossEntropy(y), group="ce"),
        LossTerm("main", SoftTargetCrossEntropy(opposite), 5.0, group="kd"),
    ]
    objective = StudentObjective(network, X, terms)
    penalty = L2(1e-3, network.weight_mask())
    aligned = AlignedObjective(objective, penalty, "ce", "kd")
    w = network.initial_parameters(0) + rng.normal(scale=0.1, size=network.n_params)
    groups = objective._group_gradients(w)
    g_ce = groups["ce"][1] + penalty.gradient(w)
    g_kd = groups["kd"][1]
    assert g_kd @ g_ce < 0  # the set-up must actually conflict
    value, grad = aligned.value_and_gradient(w)
    projected = grad - g_ce
    np.testing.assert_allclose(projected @ g_ce, 0.0, atol=1e-10 * np.linalg.norm(g_ce) ** 2)
    np.testing.assert_allclose(value, objective.value(w) + penalty.value(w))


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_stochastic_solvers_reach_the_convex_optimum(data, solver):
    X, y = data
    network = StudentNetwork(5, {"main": 3})
    terms = [LossTerm("main", SoftmaxCrossEntropy(y))]
    exact = fit_student(network, X, terms, alpha=1e-2, tol=1e-10)
    stochastic = fit_student(
        network, X, terms, alpha=1e-2, solver=solver, batch_size=20, max_iter=400, learning_rate_init=0.05,
        tol=1e-6, random_state=0,
    )
    # The full objective at the stochastic solution: no lower than the optimum, and
    # above it only by the noise floor of a constant step (measured 7e-4 and 8e-4).
    full = PenalizedDatafit(StudentObjective(network, X, terms), L2(1e-2, network.weight_mask()))
    gap = full.value(network.pack(stochastic.params)) - exact.loss
    assert -1e-10 <= gap < 2e-3
    assert len(stochastic.loss_curve) == stochastic.n_iter


def test_stochastic_solver_warns_when_it_runs_out_of_epochs(data):
    X, y = data
    with pytest.warns(ConvergenceWarning, match="'sgd'"):
        fit_student(
            StudentNetwork(5, {"main": 3}), X, [LossTerm("main", SoftmaxCrossEntropy(y))], solver="sgd", max_iter=2
        )


def test_momentum_sgd_on_least_squares():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    datafit = SquaredLoss(X, y)
    result = momentum_sgd(lambda t, w: datafit, np.zeros(4), n_steps=2000, learning_rate=0.05)
    solution = np.linalg.lstsq(np.column_stack([X, np.ones(50)]), y, rcond=None)[0]
    np.testing.assert_allclose(result.x, solution, atol=1e-8)


def test_model_logits_binary_decision_function_and_probabilities():
    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    svc = LinearSVC().fit(X, y)
    logits = model_logits(svc, X, np.array([0, 1]))
    d = svc.decision_function(X)
    np.testing.assert_allclose(logits, np.column_stack([-d / 2, d / 2]))
    nb = GaussianNB().fit(X, y)
    logits = model_logits(nb, X, np.array([0, 1]))
    np.testing.assert_allclose(logits.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(special.softmax(logits, axis=1), np.clip(nb.predict_proba(X), 1e-12, None), atol=1e-12)


def test_model_logits_rejects_unfitted_or_mismatched_teachers():
    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    with pytest.raises(NotFittedError, match="teacher must be a fitted"):
        model_logits(LogisticRegression(), X, np.array([0, 1]))
    teacher = LogisticRegression().fit(X, np.where(y == 1, "b", "a"))
    with pytest.raises(ValueError, match="differs from the classes of y"):
        model_logits(teacher, X, np.array([0, 1]))
    with pytest.raises(ValueError, match="has no decision_function"):
        model_logits(GaussianNB().fit(X, y), X, np.array([0, 1]), response="decision_function")


def test_check_logits_rejects_bad_arrays():
    with pytest.raises(ValueError, match=r"shape \(3, 2\); expected \(3, 3\)"):
        check_logits(np.zeros((3, 2)), 3, 3, "teacher_logits")
    with pytest.raises(ValueError, match="NaN"):
        check_logits([[0.0, np.nan]], 1, 2, "teacher_logits")
    with pytest.raises(TypeError, match="numeric"):
        check_logits([["a", "b"]], 1, 2, "teacher_logits")
