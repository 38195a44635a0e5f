import warnings

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.calibration import ConfTunerCalibrator, TokenizedBrierConfidenceClassifier


def _data(n=600, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    logits = np.column_stack([X[:, 0] + X[:, 1], -X[:, 0], 0.5 * X[:, 2] * X[:, 3]])
    y = np.array([rng.choice(3, p=p) for p in np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)])
    return X, y


def _by_hand(estimator, X, y, cv, features, **head_params):
    """The calibrator's recipe written out with sklearn's pieces and the head."""
    proba = cross_val_predict(estimator, X, y, cv=cv, method="predict_proba")
    correct = (np.unique(y)[proba.argmax(axis=1)] == y).astype(int)
    blocks = {"logits": np.sort(np.log(np.clip(proba, 1e-300, None)), axis=1), "X": X}
    F = np.hstack([blocks[name] for name in features.split("+")])
    scaler = StandardScaler().fit(F)
    head = TokenizedBrierConfidenceClassifier(**head_params).fit(scaler.transform(F), correct)
    return scaler, head, correct


@pytest.mark.parametrize("features", ["logits+X", "logits", "X"])
def test_confidence_equals_the_head_fitted_by_hand_on_out_of_fold_features(features):
    X, y = _data()
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    model = ConfTunerCalibrator(GaussianNB(), features=features, cv=cv, n_levels=11).fit(X, y)
    scaler, head, correct = _by_hand(GaussianNB(), X, y, cv, features, n_levels=11)
    np.testing.assert_array_equal(model.oof_correct_, correct)
    np.testing.assert_array_equal(model.head_.coef_, head.coef_)
    X_new = _data(200, seed=1)[0]
    F_new = {"logits": np.sort(np.log(model.estimator_.predict_proba(X_new)), axis=1), "X": X_new}
    F_new = scaler.transform(np.hstack([F_new[name] for name in features.split("+")]))
    np.testing.assert_array_equal(model.predict_level_proba(X_new), head.predict_level_proba(F_new))
    np.testing.assert_array_equal(model.predict_confidence(X_new), head.predict_confidence(F_new))
    # Predictions are those of the classifier refitted on all rows.
    reference = GaussianNB().fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(X_new), reference.predict_proba(X_new))
    np.testing.assert_array_equal(model.predict(X_new), reference.predict(X_new))
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])


def test_user_estimator_is_cloned_not_fitted():
    X, y = _data(300)
    nb = GaussianNB()
    model = ConfTunerCalibrator(nb, n_levels=11).fit(X, y)
    assert not hasattr(nb, "classes_")
    assert model.estimator_ is not nb


def test_frozen_estimator_trains_the_head_on_its_predictions_without_refit():
    X, y = _data(900)
    nb = GaussianNB().fit(X[:300], y[:300])
    theta = nb.theta_.copy()
    model = ConfTunerCalibrator(FrozenEstimator(nb), n_levels=11).fit(X[300:], y[300:])
    np.testing.assert_array_equal(nb.theta_, theta)
    assert model.estimator_.estimator is nb
    proba = nb.predict_proba(X[300:])
    correct = (nb.classes_[proba.argmax(axis=1)] == y[300:]).astype(int)
    F = np.hstack([np.sort(np.log(proba), axis=1), X[300:]])
    scaler = StandardScaler().fit(F)
    head = TokenizedBrierConfidenceClassifier(n_levels=11).fit(scaler.transform(F), correct)
    np.testing.assert_array_equal(model.oof_correct_, correct)
    np.testing.assert_array_equal(model.predict_confidence(X[:300]), head.predict_confidence(
        scaler.transform(np.hstack([np.sort(np.log(nb.predict_proba(X[:300])), axis=1), X[:300]]))))


def test_black_box_right_seventy_percent_of_the_time_gets_confidence_seventy():
    # Limit case of properness: the classifier's correctness does not depend on anything the
    # head sees (a constant prediction, noise features), so with strong L2 on the weights only
    # the unpenalised biases move, and the optimum is the level nearest the accuracy.
    rng = np.random.RandomState(0)
    n = 2000
    y = np.where(np.arange(n) < 0.7 * n, "a", "b")
    X = rng.normal(size=(n, 3))
    with warnings.catch_warnings():
        # The biases head for a point mass; L-BFGS may stop on its iteration cap.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = ConfTunerCalibrator(
            DummyClassifier(strategy="most_frequent"), cv=KFold(5, shuffle=True, random_state=0), n_levels=11,
            alpha=1e3, max_iter=300,
        ).fit(X, y)
    assert model.oof_correct_.mean() == pytest.approx(0.7)
    np.testing.assert_allclose(model.predict_confidence(X[:50]), 0.7)


def test_all_right_out_of_fold_gives_the_top_level():
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(-10, 1, size=(100, 2)), rng.normal(10, 1, size=(100, 2))]
    y = np.repeat([0, 1], 100)
    model = ConfTunerCalibrator(LogisticRegression(), n_levels=5).fit(X, y)
    assert model.head_ is None and model.oof_correct_.all() and model.n_iter_ == 0
    np.testing.assert_array_equal(model.predict_confidence(X[:3]), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(model.predict_level_proba(X[:2]), [[0, 0, 0, 0, 1]] * 2)


def test_temperature_and_confidence_reach_the_head():
    X, y = _data(400)
    sharp = ConfTunerCalibrator(GaussianNB(), n_levels=11, confidence="mean", temperature=1e-6).fit(X, y)
    argmax = ConfTunerCalibrator(GaussianNB(), n_levels=11).fit(X, y)
    assert sharp.head_.temperature == 1e-6
    np.testing.assert_allclose(sharp.predict_confidence(X), argmax.predict_confidence(X), atol=1e-12)


def test_grid_search_over_head_and_nested_estimator_parameters():
    X, y = _data(400)
    search = GridSearchCV(
        ConfTunerCalibrator(LogisticRegression(), n_levels=11, cv=3),
        {"alpha": [1e-4, 1e-1], "temperature": [0.5, 1.0], "estimator__C": [0.1, 1.0]},
        cv=2,
    ).fit(X, y)
    assert set(search.best_params_) == {"alpha", "temperature", "estimator__C"}
    best = search.best_estimator_
    assert best.estimator_.C == search.best_params_["estimator__C"]
    assert best.head_.alpha == search.best_params_["alpha"]


def test_parallel_folds_give_the_same_head():
    X, y = _data(300)
    serial = ConfTunerCalibrator(GaussianNB(), n_levels=11).fit(X, y)
    with parallel_backend("threading"):
        parallel = ConfTunerCalibrator(GaussianNB(), n_levels=11, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(serial.head_.coef_, parallel.head_.coef_)


class _NaNProba(ClassifierMixin, BaseEstimator):
    """A classifier whose probabilities are broken, as a faulty base model's could be."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def predict_proba(self, X):
        proba = np.full((len(X), self.classes_.size), 1.0 / self.classes_.size)
        proba[0] = np.nan
        return proba


@pytest.mark.parametrize("features", ["logits+X", "X"])
def test_nan_in_the_estimator_output_is_an_error(features):
    X, y = _data(100)
    with pytest.raises(ValueError, match="predict_proba returned NaN"):
        ConfTunerCalibrator(_NaNProba(), features=features, n_levels=5).fit(X, y)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"temperature": 0.0}, InvalidParameterError, "temperature"),
        ({"temperature": -1.0}, InvalidParameterError, "temperature"),
        ({"levels": [0.0, 0.5, 1.2]}, ValueError, "levels must lie in"),
        ({"levels": [0.3, 0.2, 1.0]}, ValueError, "strictly increasing"),
        ({"n_levels": 1}, InvalidParameterError, "n_levels"),
        ({"features": "embeddings"}, InvalidParameterError, "features"),
        ({"estimator": LinearSVC()}, InvalidParameterError, "estimator"),
        ({"cv": "prefit"}, InvalidParameterError, "cv"),
    ],
)
def test_bad_parameters(params, error, match):
    X, y = _data(100)
    with pytest.raises(error, match=match):
        ConfTunerCalibrator(**{"estimator": GaussianNB(), **params}).fit(X, y)


def test_bad_data():
    X, y = _data(100)
    Xnan = X.copy()
    Xnan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ConfTunerCalibrator(GaussianNB()).fit(Xnan, y)
    with pytest.raises(ValueError, match="one class"):
        ConfTunerCalibrator(GaussianNB()).fit(X, np.zeros(100))
    model = ConfTunerCalibrator(GaussianNB(), n_levels=5).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict_confidence(X[:, :3])
    with pytest.raises(ValueError, match="NaN"):
        model.predict_confidence(Xnan)


def test_missing_values_reach_a_classifier_that_handles_them_only_with_logit_features():
    X, y = _data(300)
    X[::7, 1] = np.nan
    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    model = ConfTunerCalibrator(tree, features="logits", n_levels=5).fit(X, y)
    assert model.__sklearn_tags__().input_tags.allow_nan
    assert np.isfinite(model.predict_confidence(X)).all()
    assert not ConfTunerCalibrator(tree).__sklearn_tags__().input_tags.allow_nan
    with pytest.raises(ValueError, match="NaN"):
        ConfTunerCalibrator(tree, n_levels=5).fit(X, y)
