"""AlignDistil: teacher closed forms, the reward identity, gradients, aggregation, the estimator."""

import warnings

import numpy as np
import pytest
import sklearn
from scipy import special
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.distillation import AlignDistilClassifier, aligndistil_loss, aligndistil_teacher
from skpapers.distillation._aligndistil import AlignDistilHeadLoss
from skpapers.distillation._student import LossTerm, StudentNetwork, StudentObjective


def _numerical_gradient(fun, w, h=1e-6):
    grad = np.empty_like(w)
    flat = w.ravel()
    for j in range(flat.size):
        step = np.zeros_like(flat)
        step[j] = h
        grad.flat[j] = (fun((flat + step).reshape(w.shape)) - fun((flat - step).reshape(w.shape))) / (2 * h)
    return grad


def _kl(log_p, log_q):
    return np.sum(np.exp(log_p) * (log_p - log_q), axis=1)


@pytest.fixture
def logits():
    rng = np.random.default_rng(0)
    z_pos, z_neg, z_student = rng.normal(scale=2.0, size=(3, 12, 5))
    return z_pos, z_neg, z_student


# --- the teacher ---------------------------------------------------------------------------------


@pytest.mark.parametrize("beta0, kl_coef", [(0.1, 1.0), (0.1, 0.05), (0.5, 0.5)])
def test_reference_teacher_is_the_rlhf_optimum(logits, beta0, kl_coef):
    z_pos, z_ref, _ = logits
    teacher, scale = aligndistil_teacher(z_pos, z_ref, beta0=beta0, kl_coef=kl_coef, mode="reference")
    ratio = beta0 / kl_coef
    np.testing.assert_allclose(teacher, ratio * z_pos + (1 - ratio) * z_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scale, kl_coef)
    # The optimum of E_pi[beta0 log(pi_pos / pi_ref)] - kl_coef KL(pi || pi_ref) is
    # pi_ref * exp(reward / kl_coef), normalised, written here in probabilities.
    log_pos, log_ref = special.log_softmax(z_pos, axis=1), special.log_softmax(z_ref, axis=1)
    optimum = special.softmax(log_ref + beta0 * (log_pos - log_ref) / kl_coef, axis=1)
    np.testing.assert_allclose(special.softmax(teacher, axis=1), optimum, rtol=1e-10)


def test_contrastive_teacher(logits):
    z_pos, z_neg, _ = logits
    teacher, scale = aligndistil_teacher(z_pos, z_neg, beta0=0.1, kl_coef=0.4, mode="contrastive")
    np.testing.assert_allclose(teacher, z_pos + 0.25 * (z_pos - z_neg))
    np.testing.assert_allclose(scale, 0.4)


def test_adaptive_weight_range_and_equal_models(logits):
    z_pos, z_neg, _ = logits
    s, eps, beta0 = 10.0, 1e-3, 0.1
    teacher, scale = aligndistil_teacher(z_pos, z_neg, beta0=beta0, extrapolation_scale=s, eps=eps)
    w = beta0 / scale
    expected_w = s * np.abs(special.softmax(z_pos, axis=1) - special.softmax(z_neg, axis=1)).sum(axis=1) + eps
    np.testing.assert_allclose(w, expected_w)
    np.testing.assert_allclose(teacher, z_pos + w[:, None] * (z_pos - z_neg))
    assert np.all((w >= eps) & (w <= 2 * s + eps))
    # identical models: no extrapolation, the teacher is the positive model, scale beta0 / eps
    teacher, scale = aligndistil_teacher(z_pos, z_pos, beta0=beta0, extrapolation_scale=s, eps=eps)
    np.testing.assert_allclose(scale, beta0 / eps)
    np.testing.assert_array_equal(teacher, z_pos)
    # disjoint near-one-hot models: the upper end 2 s + eps
    hot = np.array([[60.0, 0.0, 0.0]])
    _, scale = aligndistil_teacher(hot, hot[:, ::-1], beta0=beta0, extrapolation_scale=s, eps=eps)
    np.testing.assert_allclose(beta0 / scale, 2 * s + eps)
    # s = 0: the teacher is the positive model on every row
    teacher, scale = aligndistil_teacher(z_pos, z_neg, extrapolation_scale=0.0, eps=eps)
    np.testing.assert_allclose(teacher, z_pos + eps * (z_pos - z_neg))


def test_adaptive_loss_is_contrastive_reward_maximisation(logits):
    # Spec step 3 (T = 1): loss_t = (beta0/w) KL(pi || pi_pos) - beta0 E_pi[log pi_pos - log pi_neg] + const_t.
    z_pos, z_neg, _ = logits
    beta0, s, eps = 0.1, 10.0, 1e-3
    log_pos, log_neg = special.log_softmax(z_pos, axis=1), special.log_softmax(z_neg, axis=1)
    w = s * np.abs(np.exp(log_pos) - np.exp(log_neg)).sum(axis=1) + eps
    teacher, scale = aligndistil_teacher(z_pos, z_neg, beta0=beta0, extrapolation_scale=s, eps=eps)
    head = AlignDistilHeadLoss(teacher, scale)
    rng = np.random.default_rng(1)
    gaps = []
    for _ in range(5):
        z = rng.normal(scale=3.0, size=z_pos.shape)
        loss, _ = head.loss_and_gradient(z)
        log_p = special.log_softmax(z, axis=1)
        rl = (beta0 / w) * _kl(log_p, log_pos) - beta0 * np.sum(np.exp(log_p) * (log_pos - log_neg), axis=1)
        gaps.append(loss - rl)
    gaps = np.array(gaps)
    # the difference depends on the row only, not on the student
    np.testing.assert_allclose(gaps, np.broadcast_to(gaps[0], gaps.shape), rtol=1e-9, atol=1e-9)


# --- the loss ------------------------------------------------------------------------------------


@pytest.mark.parametrize("divergence", ["reverse_kl", "forward_kl"])
@pytest.mark.parametrize("mode", ["adaptive", "contrastive", "reference"])
@pytest.mark.parametrize("groups, normalize", [(None, True), ([0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4], True),
                                               ([0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4], False)])
def test_loss_gradient_matches_finite_differences(logits, divergence, mode, groups, normalize):
    z_pos, z_neg, z = logits
    kwargs = dict(mode=mode, temperature=2.0, divergence=divergence, groups=groups, length_normalize=normalize,
                  kl_coef=0.3)
    loss, grad = aligndistil_loss(z, z_pos, z_neg, return_grad=True, **kwargs)
    numerical = _numerical_gradient(lambda v: aligndistil_loss(v, z_pos, z_neg, **kwargs), z)
    assert loss > 0
    np.testing.assert_allclose(grad, numerical, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("divergence", ["reverse_kl", "forward_kl"])
def test_loss_aggregation_closed_form(logits, divergence):
    z_pos, z_neg, z = logits
    T = 1.5
    teacher, scale = aligndistil_teacher(z_pos, z_neg)
    log_q = special.log_softmax(teacher / T, axis=1)
    log_p = special.log_softmax(z, axis=1)
    row = scale * (_kl(log_p, log_q) if divergence == "reverse_kl" else _kl(log_q, log_p))
    groups = np.array(["b", "b", "a", "c", "a", "a", "b", "d", "d", "d", "d", "e"])
    sums = {g: row[groups == g].sum() for g in np.unique(groups)}
    lengths = {g: np.sum(groups == g) for g in np.unique(groups)}
    kw = dict(temperature=T, divergence=divergence)
    assert aligndistil_loss(z, z_pos, z_neg, **kw) == pytest.approx(row.mean(), rel=1e-12)
    assert aligndistil_loss(z, z_pos, z_neg, groups=groups, **kw) == pytest.approx(
        np.mean([sums[g] / lengths[g] for g in sums]), rel=1e-12
    )
    assert aligndistil_loss(z, z_pos, z_neg, groups=groups, length_normalize=False, **kw) == pytest.approx(
        np.mean(list(sums.values())), rel=1e-12
    )
    # one response per row is the same as no groups
    assert aligndistil_loss(z, z_pos, z_neg, groups=np.arange(12), **kw) == pytest.approx(row.mean(), rel=1e-12)


def test_loss_is_zero_at_the_teacher_and_stable_for_large_logits(logits):
    z_pos, z_neg, _ = logits
    teacher, _ = aligndistil_teacher(z_pos, z_neg)
    for divergence in ("reverse_kl", "forward_kl"):
        loss, grad = aligndistil_loss(teacher, z_pos, z_neg, divergence=divergence, return_grad=True)
        assert loss == pytest.approx(0.0, abs=1e-10)
        np.testing.assert_allclose(grad, 0.0, atol=1e-10)
        loss, grad = aligndistil_loss(1e3 * z_neg, 1e3 * z_pos, -1e3 * z_pos, divergence=divergence,
                                      return_grad=True)
        assert np.isfinite(loss) and loss > 0 and np.all(np.isfinite(grad))


def test_student_objective_gradient_with_hidden_layer_and_minibatch(logits):
    z_pos, z_neg, _ = logits
    rng = np.random.default_rng(3)
    X = rng.normal(size=(12, 4))
    teacher, scale = aligndistil_teacher(z_pos, z_neg)
    network = StudentNetwork(4, {"main": 5}, 3, "tanh")
    for divergence in ("reverse_kl", "forward_kl"):
        terms = [LossTerm("main", AlignDistilHeadLoss(teacher, scale * rng.uniform(0.5, 2, 12), 2.0, divergence))]
        weights = rng.uniform(0.2, 2.0, size=12)
        for index in (None, np.array([0, 3, 4, 9])):
            objective = StudentObjective(network, X, terms, weights, index=index)
            w = network.initial_parameters(0) + rng.normal(scale=0.3, size=network.n_params)
            _, grad = objective.value_and_gradient(w)
            np.testing.assert_allclose(grad, _numerical_gradient(objective.value, w), rtol=1e-5, atol=1e-8)


# --- the estimator -------------------------------------------------------------------------------


@pytest.fixture
def data():
    X, y = make_classification(n_samples=120, n_features=5, n_informative=4, n_redundant=0, n_classes=3,
                               random_state=0)
    return X, y


@pytest.mark.parametrize("divergence", ["reverse_kl", "forward_kl"])
@pytest.mark.parametrize("mode", ["adaptive", "reference"])
def test_intercept_only_student_recovers_the_teacher(divergence, mode):
    # All rows share (z_pos, z_neg), X carries no information: the optimum is softmax(z* / T) exactly.
    z_pos, z_neg = np.array([1.5, -0.5, 0.3, 0.0]), np.array([0.2, 0.8, -1.0, 0.0])
    n = 40
    X = np.zeros((n, 1))
    y = np.arange(n) % 4
    student = AlignDistilClassifier(mode=mode, kl_coef=0.05, temperature=2.0, divergence=divergence, tol=1e-10)
    student.fit(X, y, groups=np.arange(n) // 7, positive_logits=np.tile(z_pos, (n, 1)),
                negative_logits=np.tile(z_neg, (n, 1)))
    teacher, _ = aligndistil_teacher(z_pos[None], z_neg[None], mode=mode, kl_coef=0.05)
    expected = special.softmax(teacher / 2.0, axis=1)
    np.testing.assert_allclose(student.predict_proba(X[:1]), expected, atol=1e-6)
    np.testing.assert_allclose(student.teacher_proba(X[:1], np.tile(z_pos, (1, 1)), np.tile(z_neg, (1, 1))),
                               expected, rtol=1e-12)


@pytest.mark.parametrize("divergence", ["reverse_kl", "forward_kl"])
def test_linear_student_recovers_a_linear_teacher(divergence):
    # Linear models with a constant w ('contrastive') give linear z*: an unpenalised linear
    # student reaches it.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    A, B = rng.normal(scale=0.5, size=(2, 3, 4))
    z_pos, z_neg = X @ A + 0.3, X @ B - 0.2
    y = np.arange(300) % 4
    student = AlignDistilClassifier(mode="contrastive", kl_coef=0.5, alpha=0.0, divergence=divergence, tol=1e-10)
    student.fit(X, y, positive_logits=z_pos, negative_logits=z_neg)
    X_new = rng.normal(size=(50, 3))
    teacher = X_new @ A + 0.3 + 0.2 * (X_new @ (A - B) + 0.5)
    np.testing.assert_allclose(student.predict_proba(X_new), special.softmax(teacher, axis=1), atol=1e-5)
    np.testing.assert_allclose(student.extrapolation_weight_, 0.2)
    centred = teacher - teacher.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(student.decision_function(X_new), centred, atol=1e-4)


def test_fitted_models_teacher_proba_and_weights(data):
    X, y = data
    positive = LogisticRegression().fit(X, y)
    negative = LogisticRegression().fit(X, (y + 1) % 3)
    student = AlignDistilClassifier(positive, negative, temperature=1.5).fit(X, y)
    assert student.positive_estimator_ is positive and student.negative_estimator_ is negative
    teacher, scale = aligndistil_teacher(positive.decision_function(X), negative.decision_function(X))
    np.testing.assert_allclose(student.extrapolation_weight_, 0.1 / scale)
    np.testing.assert_allclose(student.teacher_proba(X), special.softmax(teacher / 1.5, axis=1), rtol=1e-12)
    assert student.coef_.shape == (3, 5) and student.intercept_.shape == (3,)
    # the student follows its teacher
    assert np.mean(student.predict(X) == student.teacher_proba(X).argmax(axis=1)) > 0.95


def test_default_models_and_binary_decision_function(data):
    X, y = data
    yb = (y > 0).astype(int)
    student = AlignDistilClassifier().fit(X, yb)
    assert isinstance(student.positive_estimator_, LogisticRegression)
    assert isinstance(student.negative_estimator_, DummyClassifier)
    d = student.positive_estimator_.decision_function(X)
    prior = np.log(np.bincount(yb) / yb.size)
    teacher, _ = aligndistil_teacher(np.column_stack([-d / 2, d / 2]), np.tile(prior - prior.mean(), (len(yb), 1)))
    np.testing.assert_allclose(student.teacher_proba(X), special.softmax(teacher, axis=1), rtol=1e-10)
    assert student.decision_function(X).shape == (120,) and student.coef_.shape == (1, 5)
    assert student.score(X, yb) > 0.8


def test_integer_weights_repeat_rows_inside_their_response(data):
    X, y = data
    rng = np.random.default_rng(0)
    z_pos, z_neg = rng.normal(size=(2, 120, 3))
    groups = np.repeat(np.arange(24), 5)
    sw = rng.integers(0, 3, size=120)
    sw[:5] = 0  # a response with no weight drops out of the mean over responses
    rep = np.repeat(np.arange(120), sw)
    kw = dict(divergence="forward_kl", tol=1e-10, alpha=1e-2)
    weighted = AlignDistilClassifier(**kw).fit(X, y, groups=groups, sample_weight=sw, positive_logits=z_pos,
                                              negative_logits=z_neg)
    repeated = AlignDistilClassifier(**kw).fit(X[rep], y[rep], groups=groups[rep], positive_logits=z_pos[rep],
                                              negative_logits=z_neg[rep])
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-7)
    # groups change the fit (the length weights), and string ids work like integers
    plain = AlignDistilClassifier(**kw).fit(X, y, sample_weight=sw, positive_logits=z_pos, negative_logits=z_neg)
    assert np.abs(plain.predict_proba(X) - weighted.predict_proba(X)).max() > 1e-4
    named = AlignDistilClassifier(**kw).fit(X, y, groups=np.array([f"r{g}" for g in groups]), sample_weight=sw,
                                           positive_logits=z_pos, negative_logits=z_neg)
    np.testing.assert_allclose(named.predict_proba(X), weighted.predict_proba(X), atol=1e-10)


def test_groups_are_routed_in_a_pipeline(data):
    X, y = data
    groups = np.repeat(np.arange(12), 10)[::-1]
    positive = LogisticRegression().fit(StandardScaler().fit_transform(X), y)
    expected = AlignDistilClassifier(positive).fit(StandardScaler().fit_transform(X), y, groups=groups)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(StandardScaler(), AlignDistilClassifier(positive).set_fit_request(groups=True))
        pipe.fit(X, y, groups=groups)
        np.testing.assert_allclose(pipe.predict_proba(X), expected.predict_proba(StandardScaler().fit_transform(X)))
        unrequested = make_pipeline(StandardScaler(), AlignDistilClassifier(positive))
        with pytest.raises(ValueError, match="groups"):
            unrequested.fit(X, y, groups=groups)
    # without routing, the step-name prefix passes it
    pipe = make_pipeline(StandardScaler(), AlignDistilClassifier(positive))
    pipe.fit(X, y, aligndistilclassifier__groups=groups)
    np.testing.assert_allclose(pipe.predict_proba(X), expected.predict_proba(StandardScaler().fit_transform(X)))


def test_hidden_layer_and_stochastic_solvers(data):
    X, y = data
    mlp = AlignDistilClassifier(hidden_layer_size=6, temperature=5.0, alpha=1e-2, tol=1e-5, max_iter=500,
                                random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        mlp.fit(X, y)
    assert len(mlp.coefs_) == 2 and not hasattr(mlp, "coef_")
    assert np.mean(mlp.predict(X) == mlp.teacher_proba(X).argmax(axis=1)) > 0.9
    adam = AlignDistilClassifier(solver="adam", max_iter=30, learning_rate_init=1e-2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        adam.fit(X, y)
    assert len(adam.loss_curve_) == adam.n_iter_ and adam.loss_curve_[-1] < adam.loss_curve_[0]


def test_not_converged_warns(data):
    X, y = data
    with pytest.warns(ConvergenceWarning):
        AlignDistilClassifier(max_iter=1).fit(X, y)


# --- bad input -----------------------------------------------------------------------------------


def test_bad_logits(logits):
    z_pos, z_neg, z = logits
    bad = z_pos.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="positive_logits contains NaN"):
        aligndistil_teacher(bad, z_neg)
    with pytest.raises(ValueError, match="negative_logits contains NaN"):
        aligndistil_loss(z, z_pos, np.where(bad > 0, np.inf, z_neg))
    with pytest.raises(ValueError, match="negative_logits has shape"):
        aligndistil_teacher(z_pos, z_neg[:, :3])
    with pytest.raises(ValueError, match="student_logits has shape"):
        aligndistil_loss(z[:5], z_pos, z_neg)
    with pytest.raises(ValueError, match="positive_logits must be a 2-D"):
        aligndistil_teacher(z_pos[:, 0], z_neg)
    with pytest.raises(TypeError, match="positive_logits must be a numeric"):
        aligndistil_teacher([["a", "b"]], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="groups must be 1-D"):
        aligndistil_loss(z, z_pos, z_neg, groups=[0, 1])
    with pytest.raises(ValueError, match="groups contains NaN"):
        aligndistil_loss(z, z_pos, z_neg, groups=np.r_[np.nan, np.arange(11.0)])


@pytest.mark.parametrize(
    "param, value",
    [("temperature", 0.0), ("temperature", -1.0), ("beta0", 0.0), ("kl_coef", 0.0), ("extrapolation_scale", -0.1),
     ("mode", "dpo"), ("divergence", "js"), ("eps", 0.0)],
)
def test_bad_function_parameters(logits, param, value):
    z_pos, z_neg, z = logits
    with pytest.raises(InvalidParameterError, match=param):
        aligndistil_loss(z, z_pos, z_neg, **{param: value})


@pytest.mark.parametrize(
    "param, value",
    [("temperature", 0.0), ("beta0", -0.1), ("kl_coef", 0.0), ("extrapolation_scale", -1.0), ("mode", "x"),
     ("divergence", "js"), ("teacher_response", "proba"), ("positive_estimator", "lr")],
)
def test_bad_estimator_parameters(data, param, value):
    X, y = data
    with pytest.raises(InvalidParameterError, match=param):
        AlignDistilClassifier(**{param: value}).fit(X, y)


def test_bad_fit_input(data):
    X, y = data
    z = np.zeros((120, 3))
    nan = z.copy()
    nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="positive_logits contains NaN"):
        AlignDistilClassifier().fit(X, y, positive_logits=nan)
    with pytest.raises(ValueError, match="negative_logits has shape"):
        AlignDistilClassifier().fit(X, y, negative_logits=z[:, :2])
    with pytest.raises(ValueError, match="groups must be 1-D with one entry per row"):
        AlignDistilClassifier().fit(X, y, groups=np.arange(10))
    wrong_classes = LogisticRegression().fit(X, (y > 0).astype(int))
    with pytest.raises(ValueError, match="negative_estimator.classes_"):
        AlignDistilClassifier(negative_estimator=wrong_classes).fit(X, y)
    with pytest.raises(NotFittedError, match="positive_estimator must be a fitted"):
        AlignDistilClassifier(LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="single class"):
        AlignDistilClassifier().fit(X, np.zeros(120))
    with pytest.raises(ValueError, match="X has 4 features"):
        AlignDistilClassifier().fit(X, y).predict(X[:, :4])
    # fitted from logits: the teacher on new rows needs them again
    student = AlignDistilClassifier().fit(X, y, positive_logits=z + np.eye(3)[y])
    with pytest.raises(ValueError, match="pass positive_logits"):
        student.teacher_proba(X)
    assert student.teacher_proba(X, positive_logits=z).shape == (120, 3)
    with pytest.raises(NotFittedError):
        AlignDistilClassifier().teacher_proba(X)


def test_inputs_are_not_modified(data):
    X, y = data
    rng = np.random.default_rng(0)
    z_pos, z_neg = rng.normal(size=(2, 120, 3))
    copies = [a.copy() for a in (X, y, z_pos, z_neg)]
    AlignDistilClassifier().fit(X, y, groups=np.arange(120) // 4, positive_logits=z_pos, negative_logits=z_neg)
    aligndistil_loss(z_pos, z_pos, z_neg, return_grad=True)
    for before, after in zip(copies, (X, y, z_pos, z_neg)):
        np.testing.assert_array_equal(before, after)
