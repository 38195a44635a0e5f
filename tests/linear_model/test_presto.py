import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError
from statsmodels.miscmodels.ordinal_model import OrderedModel

from skpapers.datasets import make_presto_ordinal
from skpapers.linear_model import PRESTOClassifier, PRESTOClassifierCV
from skpapers.utils._optim import CumulativeLogitLoss


@pytest.fixture(scope="module")
def data():
    return make_presto_ordinal(n_samples=600, n_features=4, intercepts=(0.0, 1.5, 3.0), random_state=0)


def _naive_proba(X, intercepts, coef):
    cumulative = special.expit(intercepts + X @ coef.T)
    n = X.shape[0]
    return np.diff(np.hstack([np.zeros((n, 1)), cumulative, np.ones((n, 1))]), axis=1)


# --- oracles -----------------------------------------------------------------


def test_infinite_alpha_without_first_penalty_is_statsmodels_proportional_odds(data):
    X, y = data
    ours = PRESTOClassifier(alpha=np.inf, penalize_first=False).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = OrderedModel(y, X, distr="logit").fit(method="bfgs", disp=False, gtol=1e-10, maxiter=10_000)
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict(X), atol=1e-5)
    # statsmodels: P(y <= j) = F(cut_j - x @ beta), so b = -beta and a = cut.
    cuts = reference.model.transform_threshold_params(reference.params)[1:-1]
    np.testing.assert_allclose(ours.coef_, np.tile(-reference.params[: X.shape[1]], (3, 1)), atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, cuts, atol=1e-4)
    np.testing.assert_array_equal(ours.coef_diff_[1:], 0.0)


def test_infinite_alpha_with_first_penalty_is_intercept_only(data):
    X, y = data
    clf = PRESTOClassifier(alpha=np.inf).fit(X, y)
    np.testing.assert_array_equal(clf.coef_, 0.0)
    cumulative = np.cumsum(np.bincount(y))[:-1] / y.size
    np.testing.assert_allclose(clf.intercept_, special.logit(cumulative), rtol=1e-12)
    np.testing.assert_allclose(clf.predict_proba(X[:3]), np.tile(np.bincount(y) / y.size, (3, 1)))


def test_zero_alpha_is_the_unpenalised_non_parallel_cumulative_logit(data):
    X, y = data
    clf = PRESTOClassifier(alpha=0.0, tol=1e-10, max_iter=100_000).fit(X, y)

    # Independent fit: BFGS (numerical gradient) on the likelihood written in (a, B) directly.
    def nll(theta):
        proba = _naive_proba(X, theta[:3], theta[3:].reshape(3, -1))[np.arange(y.size), y]
        return np.inf if np.any(proba <= 0) else -np.mean(np.log(proba))

    start = np.r_[special.logit(np.cumsum(np.bincount(y))[:-1] / y.size), np.zeros(3 * X.shape[1])]
    reference = optimize.minimize(nll, start, method="BFGS", options={"gtol": 1e-9})
    # Cumulative probabilities, not class ones: the likelihood only needs each row's
    # own class probability positive, so other classes can be negative (and get
    # clipped by predict_proba) even on training rows.
    expected = special.expit(reference.x[:3] + X @ reference.x[3:].reshape(3, -1).T)
    np.testing.assert_allclose(clf.predict_cumulative_proba(X), expected, atol=1e-5)
    np.testing.assert_allclose(clf.coef_, reference.x[3:].reshape(3, -1), atol=1e-3)
    # The joint likelihood is not K-1 separate logistic fits on 1{y <= k}.
    separate = LogisticRegression(C=np.inf, max_iter=10_000).fit(X, (y <= 2).astype(int))
    assert np.max(np.abs(separate.coef_[0] - clf.coef_[2])) > 1e-3


def test_binary_target_is_logistic_regression(data):
    # Documented behaviour for two classes: one boundary, nothing to fuse.
    X, y = data
    binary = (y >= 2).astype(int)
    ours = PRESTOClassifier(alpha=np.inf, penalize_first=False).fit(X, binary)
    reference = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, binary)
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("penalize_first", [True, False])
def test_solution_satisfies_the_lasso_optimality_conditions(data, penalize_first):
    X, y = data
    alpha = 0.01
    clf = PRESTOClassifier(alpha=alpha, penalize_first=penalize_first, tol=1e-10, max_iter=100_000).fit(X, y)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    datafit = CumulativeLogitLoss((X - mean) / scale, y, 4)
    psi = clf.coef_diff_ * scale
    w = np.r_[clf.intercept_ + clf.coef_ @ mean, psi.ravel()]
    grad = datafit.value_and_gradient(w)[1]
    np.testing.assert_allclose(grad[:3], 0.0, atol=1e-7)
    grad_psi = grad[3:].reshape(psi.shape)
    weights = np.ones_like(psi)
    weights[0] = 1.0 if penalize_first else 0.0
    active = psi != 0
    np.testing.assert_allclose(grad_psi[active], -alpha * weights[active] * np.sign(psi[active]), atol=1e-6)
    assert np.all(np.abs(grad_psi[~active]) <= alpha * weights[~active] + 1e-7)
    assert active.sum() < psi.size  # the penalty did make something sparse


@pytest.mark.parametrize("penalize_first", [True, False])
def test_alpha_max_is_the_edge_of_the_null_solution(data, penalize_first):
    X, y = data
    alpha_max = PRESTOClassifierCV(n_alphas=2, cv=2, penalize_first=penalize_first, random_state=0).fit(
        X, y).alphas_[0]
    rows = slice(None) if penalize_first else slice(1, None)
    above = PRESTOClassifier(alpha=1.001 * alpha_max, penalize_first=penalize_first).fit(X, y)
    below = PRESTOClassifier(alpha=0.95 * alpha_max, penalize_first=penalize_first).fit(X, y)
    np.testing.assert_array_equal(above.coef_diff_[rows], 0.0)
    assert np.any(below.coef_diff_[rows] != 0.0)


# --- properties and documented behaviour --------------------------------------


def test_standardisation_makes_the_fit_scale_invariant(data):
    X, y = data
    clf = PRESTOClassifier(alpha=0.005, tol=1e-10, max_iter=100_000).fit(X, y)
    shifted = PRESTOClassifier(alpha=0.005, tol=1e-10, max_iter=100_000).fit(10 * X + 3, y)
    np.testing.assert_allclose(shifted.predict_proba(10 * X + 3), clf.predict_proba(X), atol=1e-7)
    np.testing.assert_allclose(shifted.coef_ * 10, clf.coef_, atol=1e-6)


def test_constant_and_duplicated_columns(data):
    X, y = data
    clf = PRESTOClassifier(alpha=0.005, tol=1e-10, max_iter=100_000).fit(X, y)
    constant = PRESTOClassifier(alpha=0.005, tol=1e-10, max_iter=100_000).fit(np.c_[X, np.full(len(y), 7.0)], y)
    np.testing.assert_array_equal(constant.coef_[:, -1], 0.0)
    np.testing.assert_allclose(constant.coef_[:, :-1], clf.coef_, atol=1e-7)
    # A duplicated column splits its coefficient, but the L1 penalty of the split
    # equals that of the sum, so the probabilities are those of the original fit.
    duplicated = PRESTOClassifier(alpha=0.005, tol=1e-10, max_iter=100_000).fit(np.c_[X, X[:, :1]], y)
    np.testing.assert_allclose(duplicated.predict_proba(np.c_[X, X[:, :1]]), clf.predict_proba(X), atol=1e-5)


def test_more_features_than_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 60))
    score = X[:, 0] + X[:, 1] + 0.5 * rng.normal(size=40)
    y = np.searchsorted(np.quantile(score, [0.3, 0.6, 0.85]), score)
    clf = PRESTOClassifier(alpha=0.05).fit(X, y)
    assert np.count_nonzero(clf.coef_diff_) < 40
    with pytest.warns(ConvergenceWarning, match="separable"):
        PRESTOClassifier(alpha=0.0).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        # Without penalty the likelihood has no maximiser (separable data).
        PRESTOClassifier(alpha=0.0, max_iter=300).fit(X, y)


def test_crossing_boundaries_at_new_points_are_clipped(data):
    X, y = data
    clf = PRESTOClassifier(alpha=0.0, max_iter=5000).fit(X, y)
    far = 50 * np.eye(X.shape[1])  # far outside the data: boundaries with different slopes cross
    assert np.any(np.diff(clf.predict_cumulative_proba(far), axis=1) < 0)
    proba = clf.predict_proba(far)
    assert np.all(proba >= 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_prediction_methods_agree(data):
    X, y = data
    clf = PRESTOClassifier().fit(X, y)
    eta = clf.predict_cumulative_logit(X)
    assert eta.shape == (len(y), 3)
    np.testing.assert_allclose(clf.predict_cumulative_proba(X), special.expit(eta))
    np.testing.assert_allclose(clf.predict_proba(X), _naive_proba(X, clf.intercept_, clf.coef_), atol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[np.argmax(clf.predict_proba(X), axis=1)])
    np.testing.assert_allclose(np.cumsum(clf.coef_diff_, axis=0), clf.coef_)
    assert not hasattr(clf, "decision_function")


def test_warm_start_reuses_the_previous_solution(data):
    X, y = data
    clf = PRESTOClassifier(alpha=0.01, warm_start=True).fit(X, y)
    first_iter, first_coef = clf.n_iter_, clf.coef_.copy()
    clf.fit(X, y)
    assert clf.n_iter_ < first_iter
    np.testing.assert_allclose(clf.coef_, first_coef, atol=1e-6)


def test_ordered_categorical_sets_the_class_order(data):
    X, y = data
    names = np.array(["none", "view", "click", "buy"])
    labels = pd.Series(pd.Categorical(names[y], categories=names, ordered=True))
    clf = PRESTOClassifier().fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, names)
    np.testing.assert_allclose(clf.predict_proba(X), PRESTOClassifier().fit(X, y).predict_proba(X))
    # Plain strings are ordered alphabetically, which here is a different model.
    assert list(PRESTOClassifier().fit(X, names[y]).classes_) == sorted(names)


# --- bad input ----------------------------------------------------------------


def test_bad_input_is_refused_with_a_clear_message(data):
    X, y = data
    with pytest.raises(ValueError, match="unordered"):
        PRESTOClassifier().fit(X, pd.Categorical(y))
    with pytest.raises(ValueError, match="class"):
        PRESTOClassifier().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="NaN"):
        PRESTOClassifier().fit(np.where(np.eye(*X.shape) == 1, np.nan, X), y)
    with pytest.raises(ValueError, match="infinity"):
        PRESTOClassifier().fit(np.where(np.eye(*X.shape) == 1, np.inf, X), y)
    with pytest.raises(ValueError, match="Unknown label type"):
        PRESTOClassifier().fit(X, y + 0.5)
    with pytest.raises(InvalidParameterError, match="alpha"):
        PRESTOClassifier(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        PRESTOClassifier().fit(X, y).predict(X[:, :2])
    with pytest.raises(ValueError, match="sample_weight"):
        PRESTOClassifier().fit(X, y, sample_weight=np.where(y == 3, 0.0, 1.0))


# --- cross-validation -----------------------------------------------------------


def test_cv_scores_are_the_brier_scores_of_independent_fits(data):
    X, y = data
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    cv = PRESTOClassifierCV(n_alphas=4, cv=folds, tol=1e-10, max_iter=100_000).fit(X, y)
    assert cv.cv_scores_.shape == (4, 3)
    assert np.all(np.diff(cv.alphas_) < 0)
    for f, (train, test) in enumerate(folds.split(X, y)):
        for i in (1, 3):
            proba = PRESTOClassifier(alpha=cv.alphas_[i], tol=1e-10, max_iter=100_000).fit(
                X[train], y[train]).predict_proba(X[test])
            brier = np.mean(np.sum((proba - np.eye(4)[y[test]]) ** 2, axis=1))
            assert cv.cv_scores_[i, f] == pytest.approx(brier, abs=1e-8)
    best = np.argmin(cv.cv_scores_.mean(axis=1))
    assert cv.alpha_ == cv.alphas_[best]
    refit = PRESTOClassifier(alpha=cv.alpha_, tol=1e-10, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(cv.predict_proba(X), refit.predict_proba(X), atol=1e-7)


def test_cv_ties_choose_the_largest_alpha(data):
    X, y = data
    # Every alpha above alpha_max gives the same intercept-only model: exact ties.
    cv = PRESTOClassifierCV(alphas=[10.0, 20.0, 5.0], cv=3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(cv.alphas_, [20.0, 10.0, 5.0])
    np.testing.assert_allclose(cv.cv_scores_.mean(axis=1), cv.cv_scores_.mean(axis=1)[0], rtol=1e-12)
    assert cv.alpha_ == 20.0


def test_cv_parallel_folds_and_seeds(data):
    X, y = data
    one = PRESTOClassifierCV(n_alphas=3, cv=2, random_state=1).fit(X, y)
    two = PRESTOClassifierCV(n_alphas=3, cv=2, random_state=1, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(one.cv_scores_, two.cv_scores_)
    assert one.alpha_ == two.alpha_


def test_cv_refuses_a_fold_without_the_rare_class():
    X, y = make_presto_ordinal(n_samples=200, n_features=3, random_state=0)
    assert np.sum(y == 3) < 10
    from sklearn.model_selection import KFold

    # Unstratified, unshuffled folds on rows sorted by class leave the rare class out of a training fold.
    order = np.argsort(y, kind="stable")
    with pytest.raises(ValueError, match="training fold lacks class"):
        PRESTOClassifierCV(n_alphas=3, cv=KFold(5)).fit(X[order], y[order])


def test_integer_weights_equal_repeated_rows(data):
    # The common check wants 1e-7 at the default tolerance; a tight solver tolerance gets there.
    X, y = data
    weights = np.random.default_rng(0).integers(0, 3, size=len(y))
    weighted = PRESTOClassifier(alpha=0.01, tol=1e-10, max_iter=100_000).fit(X, y, sample_weight=weights)
    repeated = PRESTOClassifier(alpha=0.01, tol=1e-10, max_iter=100_000).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-7, atol=1e-9)
    default_weighted = PRESTOClassifier(alpha=0.01).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(default_weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-5)
