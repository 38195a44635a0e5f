"""Nested cross-validation equals cross_validate over a GridSearchCV on the same splits."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_validate
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import check_is_fitted

from skpapers.model_selection import nested_cross_validate

X, y = load_iris(return_X_y=True)
GRID = {"max_depth": [1, 2, 3]}


def test_matches_cross_validate_of_grid_search_on_the_same_folds():
    tree = DecisionTreeClassifier(random_state=0)
    result = nested_cross_validate(tree, GRID, X, y, inner_cv=3, outer_cv=4, random_state=0)
    inner = StratifiedKFold(3, shuffle=True, random_state=0)
    outer = StratifiedKFold(4, shuffle=True, random_state=0)
    reference = cross_validate(GridSearchCV(tree, GRID, cv=inner), X, y, cv=outer, return_estimator=True)
    np.testing.assert_allclose(result["test_score"], reference["test_score"], rtol=0, atol=1e-12)
    assert result["best_params"] == [search.best_params_ for search in reference["estimator"]]
    np.testing.assert_allclose(result["inner_best_score"], [s.best_score_ for s in reference["estimator"]])
    with pytest.raises(NotFittedError):
        check_is_fitted(tree)


def test_custom_splitters_scoring_and_bad_input():
    result = nested_cross_validate(DecisionTreeClassifier(random_state=0), GRID, X, y,
                                   inner_cv=KFold(3, shuffle=True, random_state=1),
                                   outer_cv=KFold(3, shuffle=True, random_state=2), scoring="balanced_accuracy")
    assert result["test_score"].shape == (3,) and np.all(result["test_score"] > 0.8)
    with pytest.raises(ValueError, match="outer_cv"):
        nested_cross_validate(DecisionTreeClassifier(), GRID, X, y, outer_cv=1)
    with pytest.raises(ValueError, match="param_grid"):
        nested_cross_validate(DecisionTreeClassifier(), "depth", X, y)
