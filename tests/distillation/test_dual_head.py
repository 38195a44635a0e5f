"""Dual-head distillation: the logit-level losses, their oracles, and the estimator."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from skpapers.distillation import (
    DualHeadDistillationClassifier,
    binary_kl_loss,
    binary_kl_norm_loss,
    kd_kl_loss,
)
from skpapers.distillation._dual_head import BinaryKLLoss, BinaryKLNormLoss
from skpapers.distillation._losses import SoftmaxCrossEntropy
from skpapers.distillation._student import LossTerm, StudentNetwork, StudentObjective, fit_student


def _numerical_gradient(fun, w, h=1e-6):
    w = np.asarray(w, dtype=float)
    grad = np.empty_like(w)
    for j in np.ndindex(w.shape):
        step = np.zeros_like(w)
        step[j] = h
        grad[j] = (fun(w + step) - fun(w - step)) / (2 * h)
    return grad


def _authors_binary_kl(student, teacher, T, eps=1e-8):
    """The authors' BinaryKL: clamped sigmoids, KLDivLoss summed over entries, divided by N."""
    s = np.clip(special.expit(student / T), eps, 1 - eps)
    t = np.clip(special.expit(teacher / T), eps, 1 - eps)
    kl = t * (np.log(t) - np.log(s)) + (1 - t) * (np.log(1 - t) - np.log(1 - s))
    return T**2 * kl.sum() / student.shape[0]


def _authors_binary_kl_norm(student, teacher, T, eps=1e-8):
    """The authors' BinaryKL-Norm: a clamped sigmoid of the gap against the target 1/2."""
    d = np.clip(special.expit((student - teacher) / T), eps, 1 - eps)
    kl = 0.5 * (np.log(0.5) - np.log(d)) + 0.5 * (np.log(0.5) - np.log(1 - d))
    return T**2 * kl.sum() / student.shape[0]


@pytest.fixture
def logits():
    rng = np.random.default_rng(0)
    return rng.normal(scale=3.0, size=(6, 4)), rng.normal(scale=3.0, size=(6, 4))


# -- the losses ---------------------------------------------------------------------------------


@pytest.mark.parametrize("T", [0.5, 2.0, 5.0])
def test_binary_kl_norm_log_cosh_form_equals_the_sigmoid_kl_definition(logits, T):
    z, t = logits
    d = special.expit((z - t) / T)
    definition = T**2 * np.sum(0.5 * np.log(0.5 / d) + 0.5 * np.log(0.5 / (1 - d)), axis=1)
    loss, grad = BinaryKLNormLoss(t, T).loss_and_gradient(z)
    np.testing.assert_allclose(loss, definition, rtol=1e-10)
    np.testing.assert_allclose(loss, T**2 * np.sum(np.log(np.cosh((z - t) / (2 * T))), axis=1), rtol=1e-10)
    np.testing.assert_allclose(grad, T * (d - 0.5), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("T", [1.0, 2.0])
def test_losses_match_the_authors_formulas(logits, T):
    z, t = logits
    np.testing.assert_allclose(binary_kl_loss(z, t, temperature=T), _authors_binary_kl(z, t, T), rtol=1e-7)
    np.testing.assert_allclose(binary_kl_norm_loss(z, t, temperature=T), _authors_binary_kl_norm(z, t, T), rtol=1e-7)
    # Hinton KD, the authors' DistillKL: sum of p_t (log p_t - log p_s) * T^2 / N.
    p = special.softmax(t / T, axis=1)
    log_q = special.log_softmax(z / T, axis=1)
    expected = np.sum(p * (np.log(p) - log_q)) * T**2 / z.shape[0]
    np.testing.assert_allclose(kd_kl_loss(z, t, temperature=T), expected, rtol=1e-10)


@pytest.mark.parametrize("loss", [binary_kl_loss, binary_kl_norm_loss, kd_kl_loss])
@pytest.mark.parametrize("T", [0.7, 2.0])
def test_loss_gradients_match_finite_differences(logits, loss, T):
    z, t = logits
    value, grad = loss(z, t, temperature=T, return_grad=True)
    assert value == loss(z, t, temperature=T)
    numerical = _numerical_gradient(lambda s: loss(s, t, temperature=T), z)
    np.testing.assert_allclose(grad, numerical, rtol=1e-6, atol=1e-9)


def test_binary_kl_norm_sees_the_row_offset_and_kd_does_not(logits):
    z, t = logits
    assert binary_kl_norm_loss(t, t) == 0.0
    assert binary_kl_norm_loss(t + 3.0, t) > 0.1
    assert abs(kd_kl_loss(t + 3.0, t)) < 1e-12
    assert abs(binary_kl_loss(t, t)) < 1e-12


def test_losses_are_finite_with_huge_logits():
    z = np.array([[1e3, -1e3, 0.0]])
    t = np.array([[-1e3, 1e3, 5.0]])
    for loss in (binary_kl_loss, binary_kl_norm_loss, kd_kl_loss):
        value, grad = loss(z, t, return_grad=True)
        assert np.isfinite(value) and np.all(np.isfinite(grad))
    # Far from the teacher, BinaryKL-Norm grows linearly with slope T/2 per class (no vanishing
    # gradient, unlike the clamped sigmoid form) and its gradient saturates at T/2.
    _, grad = binary_kl_norm_loss(z, t, temperature=2.0, return_grad=True)
    np.testing.assert_allclose(grad[0, :2], [1.0, -1.0])
    value = binary_kl_norm_loss(z, np.zeros_like(z), temperature=2.0)
    np.testing.assert_allclose(value, 4 * 2 * (1e3 / 4 - np.log(2.0)), rtol=1e-12)


def test_head_losses_select_mini_batch_rows(logits):
    z, t = logits
    index = np.array([1, 4])
    for cls in (BinaryKLLoss, BinaryKLNormLoss):
        loss_all, grad_all = cls(t, 1.5).loss_and_gradient(z)
        loss_batch, grad_batch = cls(t, 1.5).loss_and_gradient(z[index], index)
        np.testing.assert_allclose(loss_batch, loss_all[index])
        np.testing.assert_allclose(grad_batch, grad_all[index])


@pytest.mark.parametrize("hidden", [None, 5])
@pytest.mark.parametrize("loss_cls", [BinaryKLLoss, BinaryKLNormLoss])
def test_dual_head_objective_gradient_matches_finite_differences(hidden, loss_cls):
    X, y = make_classification(n_samples=40, n_features=4, n_informative=3, n_redundant=0, n_classes=3,
                               random_state=1)
    rng = np.random.default_rng(1)
    teacher = rng.normal(scale=4.0, size=(40, 3))
    network = StudentNetwork(4, {"main": 3, "aux": 3}, hidden, "tanh")
    terms = [
        LossTerm("main", SoftmaxCrossEntropy(y), 1.0, group="ce"),
        LossTerm("aux", loss_cls(teacher, 2.0), 0.8, group="logit"),
    ]
    objective = StudentObjective(network, X, terms, rng.uniform(0.5, 2.0, size=40))
    w = network.initial_parameters(0) + rng.normal(scale=0.2, size=network.n_params)
    _, grad = objective.value_and_gradient(w)
    np.testing.assert_allclose(grad, _numerical_gradient(objective.value, w), rtol=1e-5, atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_rows=st.integers(1, 6), n_classes=st.integers(2, 6),
       scale=st.floats(0.1, 200.0), T=st.floats(0.2, 8.0))
def test_logit_loss_properties(seed, n_rows, n_classes, scale, T):
    rng = np.random.default_rng(seed)
    z, t = rng.normal(scale=scale, size=(2, n_rows, n_classes))
    shift = rng.normal(scale=scale, size=(n_rows, 1))
    perm = rng.permutation(n_rows)
    value, grad = binary_kl_norm_loss(z, t, temperature=T, return_grad=True)
    # A symmetric, non-negative regression loss with a gradient bounded by T / 2 per entry (row mean).
    assert value >= 0.0
    np.testing.assert_allclose(value, binary_kl_norm_loss(t, z, temperature=T), rtol=1e-12, atol=1e-12)
    assert np.all(np.abs(grad) <= T / 2 / n_rows + 1e-15)
    # It depends on the gap only: shifting both sides leaves it unchanged.
    np.testing.assert_allclose(value, binary_kl_norm_loss(z + shift, t + shift, temperature=T), rtol=1e-9,
                               atol=1e-9)
    for loss in (binary_kl_loss, binary_kl_norm_loss, kd_kl_loss):
        # Row order is irrelevant; every loss is non-negative.
        base = loss(z, t, temperature=T)
        assert base >= 0.0
        np.testing.assert_allclose(base, loss(z[perm], t[perm], temperature=T), rtol=1e-12, atol=1e-12)
    # KD sees probabilities only: a per-row shift of the student changes nothing.
    np.testing.assert_allclose(kd_kl_loss(z + shift, t, temperature=T), kd_kl_loss(z, t, temperature=T),
                               rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"temperature": 0.0}, InvalidParameterError, "temperature"),
        ({"temperature": -1.0}, InvalidParameterError, "temperature"),
        ({"teacher_logits": np.zeros((3, 2))}, ValueError, r"teacher_logits has shape \(3, 2\)"),
        ({"teacher_logits": np.full((3, 4), np.nan)}, ValueError, "teacher_logits contains NaN"),
        ({"student_logits": np.zeros(4)}, ValueError, "student_logits must be 2-D"),
        ({"student_logits": [[np.inf, 0, 0, 0]] * 3}, ValueError, "student_logits contains NaN or infinite"),
        ({"student_logits": [["a", "b", "c", "d"]] * 3}, TypeError, "student_logits must be a numeric"),
    ],
)
def test_loss_functions_reject_bad_input(kwargs, error, match):
    args = {"student_logits": np.zeros((3, 4)), "teacher_logits": np.ones((3, 4)), **kwargs}
    for loss in (binary_kl_loss, binary_kl_norm_loss, kd_kl_loss):
        with pytest.raises(error, match=match):
            loss(**args)


# -- the estimator ------------------------------------------------------------------------------


@pytest.fixture
def task():
    X, y = make_classification(n_samples=120, n_features=6, n_informative=4, n_redundant=0, n_classes=3,
                               random_state=0)
    teacher = LogisticRegression(max_iter=1000).fit(X, y)
    return X, y, teacher


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("aux_head", ["linear", None])
def test_linear_student_without_teacher_on_the_main_head_is_logistic_regression(n_classes, aux_head):
    X, y = make_classification(n_samples=150, n_features=5, n_informative=4, n_redundant=0,
                               n_classes=n_classes, random_state=2)
    alpha, n = 1e-2, X.shape[0]
    # With aux_head='linear' the auxiliary head fits the teacher, but a linear student has no
    # shared backbone: the main head is still multinomial logistic regression.
    aux_weight = 1.0 if aux_head == "linear" else 0.0
    student = DualHeadDistillationClassifier(
        hidden_layer_size=None, aux_head=aux_head, aux_weight=aux_weight, alpha=alpha, tol=1e-10,
        max_iter=5000,
    ).fit(X, y)
    C = (2.0 if n_classes == 2 else 1.0) / (alpha * n)
    reference = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(student.predict_proba(X), reference.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(student.coef_, reference.coef_, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(student.decision_function(X), reference.decision_function(X), atol=1e-4)


def test_linear_aux_head_recovers_linear_teacher_logits_exactly():
    # Teacher logits linear in X are reachable by a linear auxiliary head, where BinaryKL-Norm is
    # zero: without a penalty the head recovers the teacher's weights.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 4))
    B, c = rng.normal(size=(4, 3)), rng.normal(size=3)
    teacher_logits = X @ B + c
    y = np.argmax(teacher_logits + rng.gumbel(size=(80, 3)), axis=1)
    student = DualHeadDistillationClassifier(hidden_layer_size=None, alpha=0.0, tol=1e-10, max_iter=5000)
    student.fit(X, y, teacher_logits=teacher_logits)
    np.testing.assert_allclose(student.aux_coef_, B, atol=1e-5)
    np.testing.assert_allclose(student.aux_intercept_, c, atol=1e-5)
    np.testing.assert_allclose(student.aux_decision_function(X), teacher_logits, atol=1e-5)
    assert student.teacher_ is None


def test_zero_aux_weight_is_exactly_the_cross_entropy_student(task):
    X, y, teacher = task
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        student = DualHeadDistillationClassifier(
            teacher=teacher, hidden_layer_size=6, aux_weight=0.0, alpha=1e-3, max_iter=60, random_state=4
        ).fit(X, y)
        network = StudentNetwork(X.shape[1], {"main": 3}, 6, "tanh")
        # The estimator fits on one BLAS thread; so does the reference, for bit-equal sums.
        with threadpool_limits(limits=1, user_api="blas"):
            plain = fit_student(
                network, X, [LossTerm("main", SoftmaxCrossEntropy(y))], alpha=1e-3, max_iter=60, tol=1e-6,
                random_state=4,
            )
    assert student.aux_coef_ is None and student.aux_intercept_ is None
    assert not hasattr(student, "aux_decision_function")
    assert set(student._params.heads) == {"main"}
    np.testing.assert_array_equal(student.coefs_[0], plain.params.hidden[0])
    np.testing.assert_array_equal(student.coefs_[1], plain.params.heads["main"][0])
    np.testing.assert_array_equal(student.intercepts_[1], plain.params.heads["main"][1])
    # And the auxiliary head, when present, is drawn last: the shared weights start the same.
    with_aux = DualHeadDistillationClassifier(teacher=teacher, hidden_layer_size=6, max_iter=1, random_state=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with_aux.fit(X, y)
    assert with_aux.aux_coef_.shape == (6, 3)


def test_the_auxiliary_head_changes_the_backbone_but_not_the_prediction_path(task):
    X, y, teacher = task
    kwargs = dict(teacher=teacher, hidden_layer_size=6, alpha=1e-2, tol=1e-5, random_state=0)
    dual = DualHeadDistillationClassifier(**kwargs).fit(X, y)
    single = DualHeadDistillationClassifier(aux_head=None, **kwargs).fit(X, y)
    ce_only = DualHeadDistillationClassifier(aux_weight=0.0, **kwargs).fit(X, y)
    # The logit loss moves the shared backbone...
    assert not np.allclose(dual.coefs_[0], ce_only.coefs_[0], atol=1e-3)
    # ...predictions come from the main head: the logits the auxiliary head fits are different.
    main_logits = dual._head_logits(X, "main")
    np.testing.assert_allclose(dual.predict_proba(X), special.softmax(main_logits, axis=1))
    assert not np.allclose(dual.aux_decision_function(X), main_logits)
    # The single-head baseline pulls the main head's logits towards the teacher's, offset included.
    teacher_logits = teacher.decision_function(X)
    gap_single = np.abs(single._head_logits(X, "main") - teacher_logits).mean()
    gap_dual = np.abs(main_logits - teacher_logits).mean()
    assert gap_single < gap_dual
    assert not hasattr(single, "aux_decision_function") and single.aux_coef_ is None
    # The auxiliary head tracks the teacher more closely than the CE-trained main head does.
    assert np.abs(dual.aux_decision_function(X) - teacher_logits).mean() < gap_dual


def test_binary_kl_option_and_kd_term_fit(task):
    X, y, teacher = task
    for kwargs in ({"logit_loss": "binary_kl"}, {"kd_weight": 1.0, "aux_weight": 0.0}):
        student = DualHeadDistillationClassifier(teacher=teacher, hidden_layer_size=4, alpha=1e-2, tol=1e-5,
                                                 random_state=0, **kwargs).fit(X, y)
        assert student.score(X, y) > 0.8


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_gradient_alignment_with_a_stochastic_solver(task, solver):
    X, y, teacher = task
    kwargs = dict(teacher=teacher, hidden_layer_size=4, solver=solver, max_iter=300, batch_size=40,
                  learning_rate_init=0.05, alpha=1e-3, random_state=0)
    aligned = DualHeadDistillationClassifier(gradient_alignment=True, **kwargs).fit(X, y)
    plain = DualHeadDistillationClassifier(gradient_alignment=False, **kwargs).fit(X, y)
    assert len(aligned.loss_curve_) == aligned.n_iter_
    assert aligned.score(X, y) > 0.8
    # The projection changes the trajectory (it is not a no-op on this teacher).
    assert not np.allclose(aligned.coefs_[0], plain.coefs_[0])


def test_gradient_alignment_requires_a_stochastic_solver(task):
    X, y, teacher = task
    with pytest.raises(ValueError, match="gradient_alignment=True .* solver='sgd'"):
        DualHeadDistillationClassifier(teacher=teacher, gradient_alignment=True).fit(X, y)


def test_teacher_logits_override_the_teacher_and_default_teacher(task):
    X, y, teacher = task
    logits = teacher.decision_function(X)
    kwargs = dict(hidden_layer_size=4, alpha=1e-2, tol=1e-5, random_state=0)
    a = DualHeadDistillationClassifier(teacher=teacher, **kwargs).fit(X, y)
    b = DualHeadDistillationClassifier(**kwargs).fit(X, y, teacher_logits=logits)
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0])
    assert a.teacher_ is teacher and b.teacher_ is None
    default = DualHeadDistillationClassifier(**kwargs).fit(X, y)
    assert isinstance(default.teacher_, LogisticRegression)
    # teacher_response: LDA's decision_function carries a row offset (here -1.79) that its centred
    # log-probabilities do not, and the logit-level loss passes it on to the auxiliary head.
    lda = LinearDiscriminantAnalysis().fit(X, y)
    offset = lda.decision_function(X).mean(axis=1).mean()
    assert abs(offset) > 1.0
    by_decision = DualHeadDistillationClassifier(teacher=lda, **kwargs).fit(X, y)
    by_proba = DualHeadDistillationClassifier(teacher=lda, teacher_response="predict_proba", **kwargs).fit(X, y)
    assert abs(by_decision.aux_decision_function(X).mean() - offset) < 0.3
    assert abs(by_proba.aux_decision_function(X).mean()) < 0.3


def test_string_labels_and_sample_weight(task):
    X, y, _ = task
    labels = np.array(["c", "a", "b"])[y]
    teacher = LogisticRegression(max_iter=1000).fit(X, labels)
    student = DualHeadDistillationClassifier(teacher=teacher, hidden_layer_size=4, alpha=1e-2, random_state=0)
    student.fit(X, labels, sample_weight=np.linspace(0.5, 2.0, X.shape[0]))
    assert set(student.predict(X)) <= {"a", "b", "c"}
    np.testing.assert_array_equal(student.classes_, ["a", "b", "c"])


class _ReorderedTeacher(ClassifierMixin, BaseEstimator):
    """A fitted teacher whose classes_ are in another order than sorted(y)."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)[::-1]
        return self

    def decision_function(self, X):
        return np.zeros((X.shape[0], self.classes_.shape[0]))

    def predict(self, X):
        return self.classes_[np.zeros(X.shape[0], dtype=int)]


def test_bad_teachers_and_teacher_logits_are_rejected(task):
    X, y, teacher = task
    student = DualHeadDistillationClassifier(hidden_layer_size=4)
    with pytest.raises(ValueError, match=r"teacher.classes_ = \[2, 1, 0\] differs from the classes of y"):
        DualHeadDistillationClassifier(teacher=_ReorderedTeacher().fit(X, y)).fit(X, y)
    with pytest.raises(ValueError, match="differs from the classes of y"):
        DualHeadDistillationClassifier(teacher=LogisticRegression().fit(X[y < 2], y[y < 2])).fit(X, y)
    with pytest.raises(NotFittedError, match="teacher must be a fitted classifier"):
        DualHeadDistillationClassifier(teacher=LogisticRegression()).fit(X, y)
    bad = teacher.decision_function(X)
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="teacher_logits contains NaN"):
        student.fit(X, y, teacher_logits=bad)
    with pytest.raises(ValueError, match=r"teacher_logits has shape \(120, 2\); expected \(120, 3\)"):
        student.fit(X, y, teacher_logits=bad[:, :2])
    with pytest.raises(InvalidParameterError, match="teacher"):
        DualHeadDistillationClassifier(teacher="logistic").fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"logit_temperature": 0.0}, "logit_temperature"),
        ({"logit_temperature": -2.0}, "logit_temperature"),
        ({"kd_temperature": 0.0}, "kd_temperature"),
        ({"aux_weight": -1.0}, "aux_weight"),
        ({"ce_weight": -0.5}, "ce_weight"),
        ({"kd_weight": -0.5}, "kd_weight"),
        ({"aux_head": "mlp"}, "aux_head"),
        ({"logit_loss": "mse"}, "logit_loss"),
        ({"solver": "newton"}, "solver"),
        ({"gradient_alignment": "yes"}, "gradient_alignment"),
        ({"teacher_response": "logits"}, "teacher_response"),
    ],
)
def test_invalid_parameters_are_named(task, params, match):
    X, y, _ = task
    with pytest.raises(InvalidParameterError, match=match):
        DualHeadDistillationClassifier(**params).fit(X, y)


def test_degenerate_inputs(task):
    X, y, teacher = task
    with pytest.raises(ValueError, match="single class"):
        DualHeadDistillationClassifier().fit(X, np.zeros(X.shape[0]))
    with pytest.raises(ValueError, match="main head receives no loss"):
        DualHeadDistillationClassifier(teacher=teacher, ce_weight=0.0).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        X_nan = X.copy()
        X_nan[0, 0] = np.nan
        DualHeadDistillationClassifier(teacher=teacher).fit(X_nan, y)
    # Only the teacher on the main head (no labels) is allowed: pure distillation.
    pure = DualHeadDistillationClassifier(teacher=teacher, hidden_layer_size=None, ce_weight=0.0, kd_weight=1.0,
                                          aux_weight=0.0, alpha=1e-2).fit(X, y)
    assert np.mean(pure.predict(X) == teacher.predict(X)) > 0.9
    # n < p and constant columns: the penalty keeps the problem well posed.
    rng = np.random.default_rng(0)
    X_wide = np.column_stack([rng.normal(size=(10, 30)), np.ones(10)])
    y_wide = np.arange(10) % 2
    wide = DualHeadDistillationClassifier(hidden_layer_size=3, alpha=1e-1, random_state=0).fit(X_wide, y_wide)
    assert np.all(np.isfinite(wide.predict_proba(X_wide)))
    # Inputs are never modified in place.
    X_copy, logits = X.copy(), teacher.decision_function(X)
    logits_copy = logits.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        DualHeadDistillationClassifier(hidden_layer_size=3, max_iter=5).fit(X, y, teacher_logits=logits)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(logits, logits_copy)


def test_non_convergence_warns(task):
    X, y, teacher = task
    with pytest.warns(ConvergenceWarning, match="DualHeadDistillationClassifier"):
        DualHeadDistillationClassifier(teacher=teacher, max_iter=2, random_state=0).fit(X, y)


def test_aux_decision_function_needs_a_fit(task):
    X, _, _ = task
    with pytest.raises(NotFittedError):
        DualHeadDistillationClassifier().aux_decision_function(X)


def test_a_dataframe_teacher_sees_its_column_names(task):
    pd = pytest.importorskip("pandas")
    X, y, _ = task
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    teacher = LogisticRegression(max_iter=1000).fit(frame, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "X does not have valid feature names"
        student = DualHeadDistillationClassifier(teacher=teacher, hidden_layer_size=3, alpha=1e-2, tol=1e-4,
                                                 random_state=0).fit(frame, y)
    np.testing.assert_array_equal(student.feature_names_in_, frame.columns)
