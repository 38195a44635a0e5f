"""Model soups: exact linear oracles, the greedy recipe's guarantee, shared starts and bad input."""

import copy
import warnings

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier, VotingRegressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    RidgeClassifier,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC, LinearSVR
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.ensemble import ModelSoupClassifier, ModelSoupRegressor, average_estimators, soup_from_search


@pytest.fixture(scope="module")
def multiclass():
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    return X, y


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16.0, y[:600]


# ---------------------------------------------------------------------------------------------
# average_estimators: the exact linear oracle
# ---------------------------------------------------------------------------------------------


def test_linear_uniform_soup_logits_equal_averaged_logits(multiclass):
    X, y = multiclass
    models = [LogisticRegression(C=C, max_iter=1000).fit(X, y) for C in (0.01, 0.1, 1.0, 10.0)]
    soup = average_estimators(models)
    averaged_logits = np.mean([m.decision_function(X) for m in models], axis=0)
    np.testing.assert_allclose(soup.decision_function(X), averaged_logits, rtol=0, atol=1e-12)
    # the multinomial soup's probabilities are the softmax of the averaged logits
    np.testing.assert_allclose(soup.predict_proba(X), softmax(averaged_logits, axis=1), atol=1e-12)
    # the ingredients are untouched
    assert models[0].coef_ is not soup.coef_
    np.testing.assert_array_equal(models[0].coef_, LogisticRegression(C=0.01, max_iter=1000).fit(X, y).coef_)


@pytest.mark.parametrize(
    "make, grid",
    [
        (lambda: LogisticRegression(max_iter=1000), {"C": [0.1, 1.0, 10.0]}),
        (RidgeClassifier, {"alpha": [0.1, 1.0, 10.0]}),
        (lambda: SGDClassifier(random_state=0), {"alpha": [1e-4, 1e-2, 1e-1]}),
        (lambda: LinearSVC(max_iter=10_000), {"C": [0.01, 0.1, 1.0]}),
    ],
)
@pytest.mark.parametrize("binary", [False, True])
def test_linear_classifiers_soup_logits_equal_averaged_logits(multiclass, make, grid, binary):
    X, y = multiclass
    if binary:
        X, y = X[y < 2], y[y < 2]
    soup = ModelSoupClassifier(make(), param_grid=grid, recipe="uniform", random_state=0).fit(X, y)
    averaged = np.mean([m.decision_function(X) for m in soup.ingredients_], axis=0)
    np.testing.assert_allclose(soup.decision_function(X), averaged, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(soup.predict(X), soup.classes_[
        (averaged > 0).astype(int) if binary else averaged.argmax(axis=1)
    ])


@pytest.mark.parametrize(
    "make, grid",
    [
        (Ridge, {"alpha": [0.1, 10.0]}),
        (LinearRegression, {"fit_intercept": [True, False]}),
        (lambda: SGDRegressor(random_state=0), {"alpha": [1e-4, 1e-1]}),
        (lambda: LinearSVR(max_iter=10_000), {"C": [0.1, 1.0]}),
    ],
)
def test_linear_regressors_soup_equals_averaged_predictions(make, grid):
    X, y = make_regression(n_samples=150, n_features=6, noise=5.0, random_state=0)
    y = y / y.std()
    soup = ModelSoupRegressor(make(), param_grid=grid, recipe="uniform", random_state=0).fit(X, y)
    np.testing.assert_allclose(soup.predict(X), soup.ensemble_predict(X), rtol=1e-10, atol=1e-10)


def test_uniform_average_ignores_ingredient_order(multiclass):
    X, y = multiclass
    models = [LogisticRegression(C=C, max_iter=1000).fit(X, y) for C in (0.01, 0.1, 1.0)]
    forward, backward = average_estimators(models), average_estimators(models[::-1])
    np.testing.assert_allclose(forward.coef_, backward.coef_, atol=1e-14)
    np.testing.assert_allclose(forward.intercept_, backward.intercept_, atol=1e-14)


def test_weighted_soup_is_the_weighted_parameter_average(multiclass):
    X, y = multiclass
    models = [LogisticRegression(C=C, max_iter=1000).fit(X, y) for C in (0.1, 1.0)]
    soup = average_estimators(models, weights=[3.0, 1.0])
    np.testing.assert_allclose(soup.coef_, 0.75 * models[0].coef_ + 0.25 * models[1].coef_, atol=1e-14)
    np.testing.assert_allclose(soup.intercept_, 0.75 * models[0].intercept_ + 0.25 * models[1].intercept_)


def test_ridge_uniform_soup_equals_voting_regressor():
    X, y = make_regression(n_samples=200, n_features=10, noise=10.0, random_state=0)
    X_val, y_val = X[:50], y[:50]
    alphas = [0.1, 1.0, 10.0, 100.0]
    soup = ModelSoupRegressor(Ridge(), param_grid={"alpha": alphas}, recipe="uniform").fit(
        X, y, X_val=X_val, y_val=y_val
    )
    voting = VotingRegressor([(f"r{a}", Ridge(alpha=a)) for a in alphas]).fit(X, y)
    X_new = np.random.RandomState(1).normal(size=(100, 10))
    np.testing.assert_allclose(soup.predict(X_new), voting.predict(X_new), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(soup.ensemble_predict(X_new), voting.predict(X_new), rtol=1e-12, atol=1e-9)


def test_ridge_without_intercept_keeps_a_float_intercept():
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    models = [Ridge(alpha=a, fit_intercept=False).fit(X, y) for a in (1.0, 2.0)]
    soup = average_estimators(models)
    assert isinstance(soup.intercept_, float) and soup.intercept_ == 0.0


def test_mlp_soup_averages_every_layer(digits):
    X, y = digits
    start = MLPClassifier(hidden_layer_sizes=(16,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start.fit(X, y)
        models = []
        for alpha in (1e-4, 1e-1):
            model = copy.deepcopy(start).set_params(warm_start=True, alpha=alpha)
            models.append(model.fit(X, y))
    soup = average_estimators(models)
    for layer in range(2):
        np.testing.assert_allclose(soup.coefs_[layer], (models[0].coefs_[layer] + models[1].coefs_[layer]) / 2)
        np.testing.assert_allclose(
            soup.intercepts_[layer], (models[0].intercepts_[layer] + models[1].intercepts_[layer]) / 2
        )
    # hand-computed forward pass of the averaged weights
    hidden = np.maximum(X @ soup.coefs_[0] + soup.intercepts_[0], 0)
    np.testing.assert_allclose(soup.predict_proba(X), softmax(hidden @ soup.coefs_[1] + soup.intercepts_[1], axis=1))


# ---------------------------------------------------------------------------------------------
# average_estimators: bad input
# ---------------------------------------------------------------------------------------------


def test_average_rejects_mixed_classes(multiclass):
    X, y = multiclass
    with pytest.raises(ValueError, match="one class"):
        average_estimators([LogisticRegression().fit(X, y), SGDClassifier(random_state=0).fit(X, y)])


def test_average_rejects_different_classes_order_and_shapes(multiclass):
    X, y = multiclass
    a = LogisticRegression().fit(X, y)
    relabelled = LogisticRegression().fit(X, np.array(["a", "b", "c"])[y])
    with pytest.raises(ValueError, match="classes_"):
        average_estimators([a, relabelled])
    binary = LogisticRegression().fit(X[y < 2], y[y < 2])  # coef_ (1, d) against multinomial (3, d)
    with pytest.raises(ValueError, match="classes_"):
        average_estimators([a, binary])
    with pytest.raises(ValueError, match="n_features_in_"):
        average_estimators([a, LogisticRegression().fit(X[:, :5], y)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
        large = MLPClassifier(hidden_layer_sizes=(5,), max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="shapes"):
        average_estimators([small, large])


def test_average_rejects_unsupported_unfitted_and_bad_weights(multiclass):
    X, y = multiclass
    with pytest.raises(TypeError, match="MLPClassifier"):
        average_estimators([RandomForestClassifier(n_estimators=2).fit(X, y)] * 2)
    with pytest.raises(NotFittedError):
        average_estimators([LogisticRegression(), LogisticRegression()])
    with pytest.raises(ValueError, match="empty"):
        average_estimators([])
    with pytest.raises(TypeError, match="list"):
        average_estimators(LogisticRegression().fit(X, y))
    models = [LogisticRegression().fit(X, y)] * 2
    for weights, match in [([1.0], "shape"), ([-1.0, 2.0], "non-negative"), ([0.0, 0.0], "non-negative"),
                           ([np.nan, 1.0], "finite")]:
        with pytest.raises(ValueError, match=match):
            average_estimators(models, weights=weights)


# ---------------------------------------------------------------------------------------------
# ModelSoupClassifier / ModelSoupRegressor
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mlp_soups(digits):
    X, y = digits
    template = MLPClassifier(hidden_layer_sizes=(32,), max_iter=15, random_state=0)
    grid = {"alpha": [1e-4, 1e-2, 1e-1], "learning_rate_init": [1e-3, 3e-3]}
    greedy = ModelSoupClassifier(template, param_grid=grid, validation_fraction=0.2, random_state=0).fit(X, y)
    uniform = ModelSoupClassifier(
        template, param_grid=grid, recipe="uniform", validation_fraction=0.2, random_state=0
    ).fit(X, y)
    return greedy, uniform


def test_greedy_soup_is_at_least_the_best_ingredient_on_validation(mlp_soups):
    greedy, _ = mlp_soups
    scores = greedy.ingredient_validation_scores_
    assert len(greedy.ingredients_) == 6
    assert greedy.selected_[0] == np.argmax(scores)
    np.testing.assert_array_equal(greedy.soup_order_, np.argsort(-scores, kind="stable"))
    assert greedy.soup_score_ >= scores.max()
    assert greedy.best_ingredient_ is greedy.ingredients_[int(np.argmax(scores))]
    assert set(greedy.selected_) <= set(range(6))


def test_soup_predicts_with_one_model(mlp_soups, digits):
    X, _ = digits
    greedy, uniform = mlp_soups
    np.testing.assert_array_equal(greedy.predict(X), greedy.soup_.predict(X))
    np.testing.assert_allclose(greedy.predict_proba(X), greedy.soup_.predict_proba(X))
    # one model's parameter count, whatever the number of ingredients
    assert sum(w.size for w in greedy.soup_.coefs_) == sum(w.size for w in greedy.ingredients_[0].coefs_)
    np.testing.assert_array_equal(uniform.selected_, np.arange(6))
    expected = average_estimators(uniform.ingredients_)
    np.testing.assert_allclose(uniform.predict_proba(X), expected.predict_proba(X))
    np.testing.assert_allclose(
        uniform.ensemble_predict_proba(X), np.mean([m.predict_proba(X) for m in uniform.ingredients_], axis=0)
    )
    assert not hasattr(greedy, "decision_function")  # MLPClassifier has none


def test_shared_start_ingredients_do_not_share_state(mlp_soups):
    greedy, _ = mlp_soups
    first, second = greedy.ingredients_[:2]
    assert first.coefs_[0] is not second.coefs_[0]
    assert not np.allclose(first.coefs_[0], second.coefs_[0])
    # the template was pre-fit (15 epochs) and each ingredient fine-tuned another 15 from it
    assert all(len(model.loss_curve_) == 30 for model in greedy.ingredients_)
    np.testing.assert_allclose(greedy.ingredients_[0].loss_curve_[:15], greedy.ingredients_[1].loss_curve_[:15])
    assert [m.alpha for m in greedy.ingredients_] == [p["alpha"] for p in greedy.ingredient_params_]


def test_fitted_init_is_the_common_start(digits):
    X, y = digits
    start = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start.fit(X, y)
    before = [w.copy() for w in start.coefs_]
    soup = ModelSoupClassifier(
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=1, random_state=0),
        param_grid={"alpha": [1e-4, 1e-3]},
        init=start,
        random_state=0,
    ).fit(X, y)
    for model in soup.ingredients_:  # three epochs of the start, then one of fine-tuning
        assert model.loss_curve_[:3] == start.loss_curve_ and len(model.loss_curve_) == 4
    for w, b in zip(start.coefs_, before):  # the passed start is not modified
        np.testing.assert_array_equal(w, b)
    with pytest.raises(TypeError, match="init must be"):
        ModelSoupClassifier(MLPClassifier(), init=LogisticRegression().fit(X, y)).fit(X, y)
    with pytest.raises(NotFittedError):
        ModelSoupClassifier(MLPClassifier(), init=MLPClassifier()).fit(X, y)


def test_independent_init_warns(digits):
    X, y = digits
    with pytest.warns(UserWarning, match="collapse"):
        soup = ModelSoupClassifier(
            MLPClassifier(hidden_layer_sizes=(8,), max_iter=3),
            param_grid={"alpha": [1e-4, 1e-3]},
            init="independent",
            random_state=0,
        ).fit(X, y)
    # different random initialisations
    assert not np.allclose(soup.ingredients_[0].coefs_[0], soup.ingredients_[1].coefs_[0])


def test_strict_rule_drops_ties(multiclass):
    X, y = multiclass
    X_val, y_val = X[:100], y[:100]
    # Equal-valued ingredients tie on validation: >= keeps them, > drops them.
    grid = {"C": [1.0, 1.0, 1.0]}
    loose = ModelSoupClassifier(LogisticRegression(), param_grid=grid).fit(X, y, X_val=X_val, y_val=y_val)
    strict = ModelSoupClassifier(LogisticRegression(), param_grid=grid, strict=True).fit(
        X, y, X_val=X_val, y_val=y_val
    )
    np.testing.assert_array_equal(loose.selected_, [0, 1, 2])
    np.testing.assert_array_equal(strict.selected_, [0])


def test_sample_weight_reaches_the_ingredients():
    X, y = make_regression(n_samples=120, n_features=5, noise=5.0, random_state=0)
    w = np.random.RandomState(0).uniform(0.1, 3.0, size=120)
    soup = ModelSoupRegressor(Ridge(), param_grid={"alpha": [0.1, 10.0]}, recipe="uniform").fit(
        X, y, sample_weight=w, X_val=X[:20], y_val=y[:20]
    )
    manual = average_estimators([Ridge(alpha=a).fit(X, y, sample_weight=w) for a in (0.1, 10.0)])
    np.testing.assert_allclose(soup.soup_.coef_, manual.coef_, rtol=1e-10)
    unweighted = ModelSoupRegressor(Ridge(), param_grid={"alpha": [0.1, 10.0]}, recipe="uniform").fit(
        X, y, X_val=X[:20], y_val=y[:20]
    )
    assert not np.allclose(unweighted.soup_.coef_, manual.coef_)


def test_multioutput_ridge_soup():
    X, Y = make_regression(n_samples=100, n_features=4, n_targets=2, random_state=0)
    soup = ModelSoupRegressor(Ridge(), recipe="uniform", random_state=0).fit(X, Y)
    assert soup.predict(X).shape == (100, 2)
    np.testing.assert_allclose(soup.predict(X), soup.ensemble_predict(X), atol=1e-9)


def test_default_grids(multiclass):
    X, y = multiclass
    soup = ModelSoupClassifier(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup.fit(X, y)
    assert isinstance(soup.soup_, MLPClassifier) and len(soup.ingredients_) == 8
    assert ModelSoupClassifier(LogisticRegression(), random_state=0).fit(X, y).ingredient_params_[0] == {"C": 0.01}
    with pytest.raises(ValueError, match="param_grid is required"):
        ModelSoupRegressor(LinearRegression()).fit(X, y.astype(float))


def test_soup_composes_with_grid_search_and_pipeline(multiclass):
    X, y = multiclass
    pipe = make_pipeline(StandardScaler(), ModelSoupClassifier(LogisticRegression(), random_state=0))
    search = GridSearchCV(pipe, {"modelsoupclassifier__recipe": ["uniform", "greedy"]}, cv=3).fit(X, y)
    assert search.best_score_ > 0.6


def test_bad_input(multiclass, digits):
    X, y = multiclass
    with pytest.raises(TypeError, match="MLPClassifier"):
        ModelSoupClassifier(RandomForestClassifier(), param_grid={"max_depth": [1, 2]}).fit(X, y)
    with pytest.raises(ValueError, match="early_stopping"):
        ModelSoupClassifier(MLPClassifier(early_stopping=True)).fit(X, y)
    with pytest.raises(ValueError, match="X_val and y_val"):
        ModelSoupClassifier(LogisticRegression()).fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="empty"):
        ModelSoupClassifier(LogisticRegression(), param_grid={}).fit(X, y)
    with pytest.raises(ValueError, match="at least 2"):
        ModelSoupClassifier(LogisticRegression(), param_grid={"C": [1.0]}).fit(X, y)
    with pytest.raises(ValueError, match="2 classes"):
        ModelSoupClassifier(LogisticRegression()).fit(X, np.zeros(len(y)))
    y_rare = y.copy()
    y_rare[0] = 7  # a class with one member cannot be in both parts of a stratified split
    with pytest.raises(ValueError, match="least populated class"):
        ModelSoupClassifier(LogisticRegression()).fit(X, y_rare)
    with pytest.raises(InvalidParameterError, match="recipe"):
        ModelSoupClassifier(recipe="learned").fit(X, y)
    with pytest.raises(InvalidParameterError, match="validation_fraction"):
        ModelSoupClassifier(validation_fraction=1.5).fit(X, y)
    with pytest.raises(InvalidParameterError, match="init"):
        ModelSoupClassifier(init="pretrained").fit(X, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ModelSoupClassifier(LogisticRegression()).fit(X_nan, y)
    with pytest.raises(ValueError, match="features"):
        ModelSoupClassifier(LogisticRegression()).fit(X, y, X_val=X[:, :3], y_val=y)
    with pytest.raises(ValueError, match="rows"):
        ModelSoupClassifier(LogisticRegression()).fit(X, y, X_val=X, y_val=y[:10])
    with pytest.raises(ValueError, match="Unknown label type"):
        ModelSoupClassifier(LogisticRegression()).fit(X, np.linspace(0, 1, len(y)))


# ---------------------------------------------------------------------------------------------
# soup_from_search
# ---------------------------------------------------------------------------------------------


def test_soup_from_search_refits_every_candidate(multiclass):
    X, y = multiclass
    X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    # a tight tol: warm-started and cold fits then reach the same optimum of the convex loss
    template = LogisticRegression(tol=1e-10, max_iter=10_000)
    search = GridSearchCV(template, {"C": [0.001, 0.01, 0.1, 1.0, 10.0]}, cv=3)
    search.fit(X_tr, y_tr)
    soup = soup_from_search(search, X_tr, y_tr, X_val=X_val, y_val=y_val)
    assert isinstance(soup, ModelSoupClassifier)
    assert soup.ingredient_params_ == list(search.cv_results_["params"])
    np.testing.assert_allclose(soup.ingredient_scores_, search.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(
        soup.soup_order_, np.argsort(-search.cv_results_["mean_test_score"], kind="stable")
    )
    best = soup.ingredients_[search.best_index_]
    np.testing.assert_allclose(best.coef_, search.best_estimator_.coef_, rtol=0, atol=1e-6)  # L-BFGS precision
    # greedy acceptance on (X_val, y_val) starting from the CV-best candidate
    assert soup.selected_[0] == search.best_index_
    assert soup.soup_score_ >= soup.ingredient_validation_scores_[search.best_index_]


def test_soup_from_search_regressor_and_bad_input():
    X, y = make_regression(n_samples=120, n_features=5, noise=5.0, random_state=0)
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0, 10.0]}, cv=3).fit(X, y)
    soup = soup_from_search(search, X, y, recipe="uniform", random_state=0)
    assert isinstance(soup, ModelSoupRegressor) and soup.selected_.tolist() == [0, 1, 2]
    with pytest.raises(TypeError, match="fitted GridSearchCV"):
        soup_from_search(GridSearchCV(Ridge(), {"alpha": [1.0]}), X, y)
    multi = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, scoring=["r2", "neg_mean_squared_error"], refit="r2", cv=3)
    with pytest.raises(ValueError, match="single metric"):
        soup_from_search(multi.fit(X, y), X, y)
    forest = GridSearchCV(MLPRegressor(), {"alpha": [0.1]}, cv=2)
    forest.cv_results_ = {"params": [{"alpha": 0.1}], "mean_test_score": np.array([0.5])}
    with pytest.raises(ValueError, match="at least 2"):
        soup_from_search(forest, X, y)
