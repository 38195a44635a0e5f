import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.linear_model import BatchPerceptronClassifier, LogisticGDClassifier
from skpapers.utils._optim import LogisticMarginLoss, PerceptronLoss, gradient_descent


def hard_separable(seed):
    """The spec's badly conditioned 2-D DGP (labels sign(x_1), constant feature 3 added by the caller)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4000, 2)) * np.array([0.3, 5.0])
    x = x[np.abs(x[:, 0]) >= 0.01][:200]
    return x, np.sign(x[:, 0])


def worst_case(n):
    """Dataset of the paper's Theorem 5.1: one (0.5, -1) of class 1, n - 1 copies of (-0.5, -1) of class -1."""
    X = np.array([[0.5, -1.0]] + [[-0.5, -1.0]] * (n - 1))
    return X, np.array([1] + [-1] * (n - 1))


def _iterates(datafit, step, normalization, n_steps):
    path = []
    gradient_descent(
        datafit,
        np.zeros(datafit.n_params),
        step=step,
        normalization=normalization,
        max_iter=n_steps,
        callback=lambda t, w, v, g: path.append(w.copy()) and False,
        warn=False,
    )
    return np.array(path)


@pytest.mark.parametrize("normalization", [None, "weights"])
def test_huge_step_iterates_are_the_batch_perceptron_step_for_step(normalization):
    # Oracle: w_t / gamma -> v_t (batch perceptron, or its normalised version) as gamma -> inf.
    x, y = hard_separable(0)
    A = np.column_stack([x, np.full(len(y), 3.0)])
    gamma = 1e8
    logistic = _iterates(LogisticMarginLoss(A, y), gamma, normalization, 50)
    perceptron = _iterates(PerceptronLoss(A, y), 1.0, normalization, 50)
    rel = np.linalg.norm(logistic[1:] / gamma - perceptron[1:], axis=1) / np.linalg.norm(perceptron[1:], axis=1)
    assert rel.max() < 1e-12

    # Same at the estimator level: both stop at the same iteration, same direction.
    fitted = LogisticGDClassifier(step_size=gamma, normalization=normalization, intercept_scaling=3.0).fit(x, y)
    limit = LogisticGDClassifier(step_size=np.inf, normalization=normalization, intercept_scaling=3.0).fit(x, y)
    assert fitted.separated_ and limit.separated_
    assert fitted.n_iter_ == limit.n_iter_
    np.testing.assert_allclose(fitted.coef_ / gamma, limit.coef_, rtol=1e-10)
    np.testing.assert_allclose(fitted.intercept_ / gamma, limit.intercept_, rtol=1e-10)


def test_infinite_step_is_the_batch_perceptron_estimator():
    x, y = hard_separable(1)
    inf = LogisticGDClassifier(step_size=np.inf).fit(x, y)
    perceptron = BatchPerceptronClassifier().fit(x, y)
    assert inf.n_iter_ == perceptron.n_iter_
    np.testing.assert_array_equal(inf.coef_, perceptron.coef_)
    np.testing.assert_array_equal(inf.loss_curve_, perceptron.loss_curve_)


def test_spec_prototype_iteration_counts():
    # Counts measured by the spec's independent prototype on seed 0 (gamma in 0.1 ... 1e4; perceptron 329),
    # and its median pre-separation losses growing with gamma.
    x, y = hard_separable(0)
    counts, losses = [], []
    for gamma in [0.1, 1.0, 10.0, 100.0, 1e4]:
        clf = LogisticGDClassifier(step_size=gamma, intercept_scaling=3.0, max_iter=5000).fit(x, y)
        assert clf.separated_ and clf.converged_
        counts.append(clf.n_iter_)
        losses.append(np.median(clf.loss_curve_[:-1]))
    assert counts == [1050, 316, 333, 334, 345]
    np.testing.assert_allclose(losses, [0.36, 0.51, 4.6, 46, 4533], rtol=0.02)
    assert LogisticGDClassifier(step_size=np.inf, intercept_scaling=3.0).fit(x, y).n_iter_ == 329


def test_normalized_lr_gd_matches_paper_table_1():
    # Paper, Table 1, "worst-case" dataset of Theorem 5.1 (n = 1000, no bias):
    # Normalized LR+GD with steps 100 / 10 / 1 / 0.1 -> 2 / 2 / 16 / 157 iterations; LR+GD step 100 -> 308.
    X, y = worst_case(1000)
    normalized = [
        LogisticGDClassifier(step_size=g, normalization="weights", fit_intercept=False).fit(X, y).n_iter_
        for g in [100.0, 10.0, 1.0, 0.1]
    ]
    plain = LogisticGDClassifier(step_size=100.0, fit_intercept=False).fit(X, y).n_iter_
    assert normalized == [2, 2, 16, 157]
    assert plain == 308


def test_gradient_descent_reaches_logistic_regression_minimiser_on_overlapping_classes():
    # Non-separable data: the loss has a finite minimiser, which plain GD with a
    # safe step reaches; LogisticRegression without penalty is the oracle.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X @ [1.0, -2.0, 0.5] + 0.3 + rng.logistic(size=300) > 0).astype(int)
    reference = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    clf = LogisticGDClassifier(step_size=4.0, stop_at_separation=False, tol=1e-10, max_iter=100_000).fit(X, y)
    assert clf.converged_ and not clf.separated_
    np.testing.assert_allclose(clf.coef_, reference.coef_, rtol=1e-6)
    np.testing.assert_allclose(clf.intercept_, reference.intercept_, rtol=1e-6)
    np.testing.assert_allclose(clf.predict_proba(X), reference.predict_proba(X), atol=1e-8)
    # Loss decreases monotonically with a step below 2 / L.
    assert np.all(np.diff(clf.loss_curve_) <= 1e-15)


def test_first_step_uses_half_weights_and_curves():
    X, y = worst_case(10)
    clf = LogisticGDClassifier(step_size=2.0, fit_intercept=False, stop_at_separation=False, max_iter=1).fit(X, y)
    y_sign = np.where(y == 1, 1.0, -1.0)
    np.testing.assert_allclose(clf.coef_.ravel(), 2.0 * 0.5 * np.mean(y_sign[:, None] * X, axis=0), rtol=1e-14)
    assert clf.loss_curve_[0] == pytest.approx(np.log(2.0))
    assert clf.train_error_curve_[0] == 1.0 and clf.margin_curve_[0] == 0.0
    assert clf.loss_curve_.shape == (2,) and clf.loss_curve_.dtype == np.float64


def test_huge_step_loss_is_finite_and_proba_well_defined():
    x, y = hard_separable(0)
    clf = LogisticGDClassifier(step_size=1e200, intercept_scaling=3.0).fit(x, y)
    assert clf.separated_
    assert np.all(np.isfinite(clf.loss_curve_)) and clf.loss_curve_.max() > 1e190
    assert np.all(np.isfinite(clf.margin_curve_)) and clf.margin_curve_[-1] > 0
    proba = clf.predict_proba(x)
    assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)
    assert np.array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(x))
    assert np.all(np.isfinite(clf.predict_log_proba(x[:5])))


def test_margin_curve_positive_exactly_when_separated():
    x, y = hard_separable(2)
    clf = LogisticGDClassifier(step_size=10.0, intercept_scaling=3.0).fit(x, y)
    separated = clf.train_error_curve_ == 0
    assert separated[-1] and not separated[:-1].any()
    assert clf.margin_curve_[-1] > 0 and np.all(clf.margin_curve_[:-1] <= 0)


def test_labels_are_mapped_back():
    X, y = worst_case(20)
    labels = np.where(y == 1, "yes", "no")
    clf = LogisticGDClassifier(step_size=10.0).fit(X, labels)
    assert list(clf.classes_) == ["no", "yes"]
    assert np.array_equal(clf.predict(X), labels)


def test_input_not_modified_and_record_history_off():
    x, y = hard_separable(0)
    x_copy, y_copy = x.copy(), y.copy()
    clf = LogisticGDClassifier(record_history=False, intercept_scaling=3.0).fit(x, y)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(y, y_copy)
    assert clf.loss_curve_ is None and clf.margin_curve_ is None and clf.separated_


def test_intercept_scaling_is_a_feature():
    x, y = hard_separable(0)
    A = np.column_stack([x, np.full(len(y), 3.0)])
    clf = LogisticGDClassifier(step_size=10.0, intercept_scaling=3.0).fit(x, y)
    plain = LogisticGDClassifier(step_size=10.0, fit_intercept=False).fit(A, y)
    assert clf.n_iter_ == plain.n_iter_
    np.testing.assert_allclose(clf.coef_.ravel(), plain.coef_.ravel()[:2], rtol=1e-12)
    np.testing.assert_allclose(clf.intercept_[0], 3.0 * plain.coef_[0, 2], rtol=1e-12)


def test_non_separable_data_warn_and_run_to_max_iter():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 1, 0, 1])
    with pytest.warns(ConvergenceWarning, match="may not be linearly separable"):
        clf = LogisticGDClassifier(step_size=10.0, max_iter=50).fit(X, y)
    assert clf.n_iter_ == 50 and not clf.separated_ and not clf.converged_
    assert clf.loss_curve_.shape == (51,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticGDClassifier(step_size=10.0, max_iter=50, stop_at_separation=False).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"step_size": 0.0},
        {"step_size": -1.0},
        {"step_size": np.nan},
        {"step_size": "big"},
        {"normalization": "l2"},
        {"max_iter": 0},
        {"intercept_scaling": 0.0},
        {"tol": -1.0},
    ],
)
def test_invalid_parameters(params):
    X, y = worst_case(10)
    with pytest.raises(InvalidParameterError):
        LogisticGDClassifier(**params).fit(X, y)


def test_bad_input():
    X, y = worst_case(10)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LogisticGDClassifier().fit(X_nan, y)
    with pytest.raises(ValueError, match="Only binary classification"):
        LogisticGDClassifier().fit(np.arange(9.0).reshape(-1, 1), np.arange(9) % 3)
    with pytest.raises(ValueError, match="only one class"):
        LogisticGDClassifier().fit(X, np.ones(len(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticGDClassifier().fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LogisticGDClassifier().fit(X, y[:-1])
    with pytest.raises(ValueError, match="normalization='loss'"):
        LogisticGDClassifier(step_size=np.inf, normalization="loss").fit(X, y)
    clf = LogisticGDClassifier(step_size=10.0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(np.ones((2, 3)))


def test_constant_column_and_multiclass_through_one_vs_rest():
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 5.0], [5.0, -5.0], [-5.0, -5.0]])
    labels = np.repeat(np.arange(3), 30)
    X = centers[labels] + rng.normal(scale=0.5, size=(90, 2))
    X = np.column_stack([X, np.ones(90)])  # a constant column is harmless
    ovr = OneVsRestClassifier(LogisticGDClassifier(step_size=10.0)).fit(X, labels)
    assert ovr.score(X, labels) == 1.0


@pytest.mark.parametrize("normalization", ["weights", "gradient", "loss"])
def test_normalized_run_past_separation_stops_cleanly_when_the_gradient_underflows(normalization):
    # Past separation the weights expit(-m_i) underflow to 0: the run must stop, not divide by 0.
    X, y = worst_case(100)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = LogisticGDClassifier(
            step_size=100.0, normalization=normalization, stop_at_separation=False, fit_intercept=False, max_iter=3000
        ).fit(X, y)
    assert clf.n_iter_ < 3000 and clf.separated_
    assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.loss_curve_))
