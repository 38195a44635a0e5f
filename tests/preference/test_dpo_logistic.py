"""PreferenceLogisticRegression: limits, the paper's fit, and bad input."""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn import config_context
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.datasets import make_delta_learning_data
from skpapers.preference import PreferenceLogisticRegression


@pytest.fixture(scope="module")
def binary():
    return make_classification(n_samples=300, n_features=5, n_informative=3, flip_y=0.1, random_state=0)


def _exact(**params):
    return PreferenceLogisticRegression(solver="lbfgs", tol=1e-10, max_iter=1000, **params)


@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("beta", [1.0, 2.5])
def test_label_limit_is_logistic_regression(binary, C, beta):
    # 1-D labels, uniform reference: the loss is the log-loss of beta * s, so beta * coef is
    # LogisticRegression's solution for C * beta^2 (the ridge is on coef, not on beta * coef).
    X, y = binary
    ours = _exact(C=C, beta=beta).fit(X, y)
    peer = LogisticRegression(C=C * beta**2, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(beta * ours.coef_, peer.coef_, atol=1e-6)
    np.testing.assert_allclose(beta * ours.intercept_, peer.intercept_, atol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), peer.predict(X))


def test_pairs_with_reference_are_logistic_regression_on_disagreements_with_offset():
    # The spec's derivation: ties drop out, and each disagreement is a logistic observation of
    # the chosen label whose log-odds are the *change* from the reference (the reference's own
    # log-odds cancel in the DPO margin).  Peer: statsmodels GLM on the disagreements.
    X, chosen = make_classification(
        n_samples=2000, n_features=4, n_informative=4, n_redundant=0, flip_y=0.3, shift=0.5, random_state=0
    )
    rejected = np.random.default_rng(0).integers(0, 2, 2000)
    reference = LogisticRegression().fit(X[:100], chosen[:100])
    ours = _exact(reference=reference).fit(X, np.column_stack([chosen, rejected]))
    disagree = chosen != rejected
    glm = sm.GLM(
        chosen[disagree].astype(float),
        sm.add_constant(X[disagree], prepend=False),
        family=sm.families.Binomial(),
    ).fit(tol=1e-12)
    np.testing.assert_allclose(ours.coef_.ravel() - reference.coef_.ravel(), glm.params[:-1], atol=1e-5)
    np.testing.assert_allclose(ours.intercept_ - reference.intercept_, glm.params[-1:], atol=1e-5)
    assert ours.n_informative_pairs_ == disagree.sum()


def test_gradient_descent_runs_the_fixed_budget_and_decreases_the_loss(binary):
    X, y = binary
    model = PreferenceLogisticRegression(learning_rate=0.5, max_iter=30).fit(X, y)
    assert model.n_iter_ == 30
    curve = np.asarray(model.loss_curve_)
    assert curve.shape == (31,)
    assert curve[0] == pytest.approx(np.log(2.0))
    assert np.all(np.diff(curve) < 0)
    # Many steps of gradient descent reach the L-BFGS minimiser.
    long = PreferenceLogisticRegression(learning_rate=1.0, max_iter=5000, C=1.0).fit(X, y)
    np.testing.assert_allclose(long.coef_, _exact(C=1.0).fit(X, y).coef_, atol=1e-6)


def test_tolerance_stops_gradient_descent_early(binary):
    X, y = binary
    model = PreferenceLogisticRegression(learning_rate=1.0, max_iter=5000, tol=1e-4, C=1.0).fit(X, y)
    assert model.n_iter_ < 5000
    with pytest.warns(Warning, match="did not converge"):
        PreferenceLogisticRegression(max_iter=2, tol=1e-8).fit(X, y)


def test_max_iter_zero_returns_the_reference(binary):
    X, y = binary
    reference = LogisticRegression().fit(X, y)
    model = PreferenceLogisticRegression(reference=reference, max_iter=0).fit(X, 1 - y)
    np.testing.assert_array_equal(model.coef_, reference.coef_)
    np.testing.assert_array_equal(model.intercept_, reference.intercept_)


def test_first_step_moves_along_the_teacher_gap():
    # At the reference the DPO gradient is -(beta / 2n) sum_disagree yc x: one step adds it.
    data = make_delta_learning_data(n_samples=2000, n_features=10, random_state=1)
    reference = LogisticRegression(fit_intercept=False).fit(data.X[:300], data.y_true[:300])
    model = PreferenceLogisticRegression(reference=reference, max_iter=1, learning_rate=0.1, fit_intercept=False)
    model.fit(data.X, data.y_pairs)
    disagree = data.y_pairs[:, 0] != data.y_pairs[:, 1]
    step = 0.1 / (2 * 2000) * (data.y_pairs[disagree, 0] @ data.X[disagree])
    np.testing.assert_allclose(model.coef_.ravel(), reference.coef_.ravel() + step, rtol=1e-10)


def test_rejected_parameter_equals_two_column_y_and_swapping_reverses_the_step():
    data = make_delta_learning_data(n_samples=500, n_features=5, random_state=2)
    chosen, rejected = data.y_pairs[:, 0], data.y_pairs[:, 1]
    a = PreferenceLogisticRegression(max_iter=1).fit(data.X, data.y_pairs)
    b = PreferenceLogisticRegression(max_iter=1).fit(data.X, chosen, rejected=rejected)
    c = PreferenceLogisticRegression(max_iter=1).fit(data.X, rejected, rejected=chosen)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_allclose(c.coef_, -a.coef_)


def test_multiclass_one_dimensional_labels_reject_every_other_class():
    X, y = make_classification(n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=0)
    implicit = _exact(C=1.0).fit(X, y)
    assert implicit.coef_.shape == (3, 6)
    rows = np.repeat(np.arange(300), 2)
    others = np.array([[1, 2], [0, 2], [0, 1]])[y].ravel()
    # Each sample's two pairs share its weight, so the explicit pairs weigh 1/2.
    explicit = _exact(C=1.0).fit(X[rows], y[rows], rejected=others, sample_weight=np.full(600, 0.5))
    np.testing.assert_allclose(implicit.coef_, explicit.coef_, atol=1e-6)
    proba = implicit.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(implicit.predict_log_proba(X)), proba)
    # Not the multinomial loss, but the same kind of linear rule: accuracy within 3 points of it.
    peer = LogisticRegression().fit(X, y)
    assert abs(implicit.score(X, y) - peer.score(X, y)) < 0.03


def test_string_labels_and_reference_classes():
    X, y = make_classification(n_samples=200, n_features=4, random_state=3)
    labels = np.array(["bad", "good"])[y]
    reference = LogisticRegression().fit(X, labels)
    pairs = np.column_stack([labels, labels[::-1]])
    model = PreferenceLogisticRegression(reference=reference).fit(X, pairs)
    np.testing.assert_array_equal(model.classes_, ["bad", "good"])
    assert set(model.predict(X)) <= {"bad", "good"}


def test_fit_intercept_false_keeps_the_reference_intercept(binary):
    X, y = binary
    reference = LogisticRegression().fit(X, y)
    model = PreferenceLogisticRegression(reference=reference, fit_intercept=False).fit(X, 1 - y)
    np.testing.assert_array_equal(model.intercept_, reference.intercept_)
    assert not np.allclose(model.coef_, reference.coef_)


def test_zero_weights_equal_dropped_pairs(binary):
    X, y = binary
    weights = np.r_[np.zeros(100), np.ones(200)]
    weighted = PreferenceLogisticRegression(max_iter=5).fit(X, y, sample_weight=weights)
    dropped = PreferenceLogisticRegression(max_iter=5).fit(X[100:], y[100:])
    np.testing.assert_allclose(weighted.coef_, dropped.coef_, rtol=1e-12)


def test_inputs_and_reference_are_not_modified(binary):
    X, y = binary
    reference = LogisticRegression().fit(X, y)
    coef, X_copy = reference.coef_.copy(), X.copy()
    PreferenceLogisticRegression(reference=reference).fit(X, 1 - y)
    np.testing.assert_array_equal(reference.coef_, coef)
    np.testing.assert_array_equal(X, X_copy)


def test_metadata_routing_passes_rejected_through_a_pipeline():
    data = make_delta_learning_data(n_samples=300, n_features=4, random_state=4)
    with config_context(enable_metadata_routing=True):
        model = PreferenceLogisticRegression(max_iter=3).set_fit_request(rejected=True)
        pipe = make_pipeline(StandardScaler(), model)
        pipe.fit(data.X, data.y_pairs[:, 0], rejected=data.y_pairs[:, 1])
    direct = PreferenceLogisticRegression(max_iter=3).fit(StandardScaler().fit_transform(data.X), data.y_pairs)
    np.testing.assert_allclose(pipe[-1].coef_, direct.coef_)


# ----------------------------------------------------------------------------- bad input


def test_all_ties_warn_and_return_the_reference(binary):
    X, y = binary
    reference = LogisticRegression().fit(X, y)
    with pytest.warns(UserWarning, match="tie"):
        model = PreferenceLogisticRegression(reference=reference).fit(X, np.column_stack([y, y]))
    assert model.n_informative_pairs_ == 0 and model.n_iter_ == 0
    np.testing.assert_array_equal(model.coef_, reference.coef_)


@pytest.mark.parametrize(
    "params, match",
    [({"beta": 0.0}, "beta"), ({"beta": -1.0}, "beta"), ({"learning_rate": 0}, "learning_rate"),
     ({"C": 0.0}, "C"), ({"solver": "sgd"}, "solver"), ({"max_iter": -1}, "max_iter"),
     ({"reference": "student"}, "reference")],
)
def test_invalid_parameters(binary, params, match):
    X, y = binary
    with pytest.raises(InvalidParameterError, match=match):
        PreferenceLogisticRegression(**params).fit(X, y)


def test_bad_pairs(binary):
    X, y = binary
    model = PreferenceLogisticRegression()
    with pytest.raises(ValueError, match=r"\(n_samples, 2\)"):
        model.fit(X, np.column_stack([y, y, y]))
    with pytest.raises(ValueError, match="rejected must be None"):
        model.fit(X, np.column_stack([y, 1 - y]), rejected=y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y, rejected=y[:-1])
    with pytest.raises(ValueError, match="one class"):
        model.fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        model.fit(X, y + 0.5)
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.where(np.eye(len(y), 5, dtype=bool), np.nan, X), y)


def test_bad_reference(binary):
    X, y = binary
    reference = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"labels \[2\] that are not among the reference's classes_"):
        PreferenceLogisticRegression(reference=reference).fit(X, np.column_stack([y, np.full(len(y), 2)]))
    with pytest.raises(ValueError, match=r"coef_ of shape \(1, 4\)"):
        PreferenceLogisticRegression(reference=reference).fit(X[:, :4], y)
    with pytest.raises(NotFittedError, match="FrozenEstimator"):
        PreferenceLogisticRegression(reference=LogisticRegression()).fit(X, y)
    with pytest.raises(NotFittedError):
        PreferenceLogisticRegression().predict(X)


def test_row_order_and_label_names_do_not_matter(binary):
    # Property: permuting the pairs, or renaming the classes (order kept), leaves the fit unchanged.
    X, y = binary
    pairs = np.column_stack([y, np.random.default_rng(5).integers(0, 2, len(y))])
    order = np.random.default_rng(6).permutation(len(y))
    base = PreferenceLogisticRegression(max_iter=10).fit(X, pairs)
    permuted = PreferenceLogisticRegression(max_iter=10).fit(X[order], pairs[order])
    renamed = PreferenceLogisticRegression(max_iter=10).fit(X, np.array(["a", "b"])[pairs])
    np.testing.assert_allclose(permuted.coef_, base.coef_, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(renamed.coef_, base.coef_)
    np.testing.assert_array_equal(renamed.predict(X), np.array(["a", "b"])[base.predict(X)])


def test_frozen_reference_survives_cross_validation(binary):
    X, y = binary
    reference = LogisticRegression().fit(X[:50], y[:50])
    model = PreferenceLogisticRegression(reference=FrozenEstimator(reference), max_iter=5)
    scores = cross_val_score(model, X, y, cv=3, error_score="raise")
    assert scores.shape == (3,)
    np.testing.assert_allclose(
        model.fit(X, y).coef_, PreferenceLogisticRegression(reference=reference, max_iter=5).fit(X, y).coef_
    )


@pytest.mark.parametrize("n_classes", [2, 3])
def test_policy_at_the_reference_is_the_reference_classifier(n_classes):
    # Zero steps: the policy's probabilities are the reference's own (sigmoid / softmax of its scores).
    X, y = make_classification(n_samples=200, n_features=5, n_informative=3, n_classes=n_classes, random_state=1)
    reference = LogisticRegression().fit(X, y)
    model = PreferenceLogisticRegression(reference=reference, max_iter=0).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X), rtol=1e-10)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
