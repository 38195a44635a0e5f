"""Nested cross-validation: an unbiased score of a whole tuning procedure."""

from numbers import Integral

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, check_cv
from sklearn.utils import _safe_indexing, indexable
from sklearn.utils._param_validation import HasMethods, Interval, validate_params
from sklearn.utils.parallel import Parallel, delayed

from ._paired_tests import _index_params


def _make_cv(cv, estimator, y, random_state):
    if isinstance(cv, Integral):
        shuffle = random_state is not None
        kind = StratifiedKFold if is_classifier(estimator) else KFold
        return kind(n_splits=cv, shuffle=shuffle, random_state=random_state if shuffle else None)
    return check_cv(cv, y, classifier=is_classifier(estimator))


def _outer_fold(estimator, param_grid, X, y, train, test, inner_cv, scoring, params):
    search = GridSearchCV(clone(estimator), param_grid, cv=inner_cv, scoring=scoring, refit=True)
    search.fit(_safe_indexing(X, train), _safe_indexing(y, train), **_index_params(params, train, len(y)))
    scorer = check_scoring(search.best_estimator_, scoring=scoring)
    test_score = scorer(search.best_estimator_, _safe_indexing(X, test), _safe_indexing(y, test))
    return test_score, search.best_params_, search.best_score_


@validate_params(
    {
        "estimator": [HasMethods(["fit"])],
        "param_grid": [dict, list],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "inner_cv": [Interval(Integral, 2, None, closed="left"), "cv_object"],
        "outer_cv": [Interval(Integral, 2, None, closed="left"), "cv_object"],
        "scoring": [str, callable, None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "params": [dict, None],
    },
    prefer_skip_nested_validation=True,
)
def nested_cross_validate(
    estimator, param_grid, X, y, *, inner_cv=5, outer_cv=5, scoring=None, n_jobs=None, random_state=None,
    params=None,
):
    """Nested cross-validation of a grid-search tuning procedure.

    The outer loop splits the data into ``outer_cv`` folds; on each outer
    training part an inner :class:`~sklearn.model_selection.GridSearchCV`
    picks the hyperparameters by ``inner_cv``-fold cross-validation and
    refits, and the refitted model is scored on the outer test fold. The
    outer scores estimate the performance of the whole procedure (tuning
    included) without the optimistic bias of reporting the inner best score,
    which is what the paper recommends for algorithm selection on small
    data sets.

    Parameters
    ----------
    estimator : estimator
        The learning algorithm to tune (cloned, never fitted in place).
    param_grid : dict or list of dict
        The grid, as for ``GridSearchCV``.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data.
    y : array-like of shape (n_samples,)
        Targets.
    inner_cv : int or cross-validation splitter, default=5
        Folds of the tuning loop.
    outer_cv : int or cross-validation splitter, default=5
        Folds of the evaluation loop. The 5/5 defaults are common practice,
        not values fixed by the paper.
    scoring : str, callable or None, default=None
        A scikit-learn scorer for both loops; ``None`` uses ``estimator.score``.
    n_jobs : int, default=None
        Outer folds run in parallel (joblib).
    random_state : int, RandomState instance or None, default=None
        With integer ``inner_cv``/``outer_cv``: ``None`` keeps the folds
        unshuffled; otherwise the (stratified for classifiers) folds are
        shuffled with this seed.
    params : dict, default=None
        Fit parameters; those of length ``n_samples`` are subset with the rows.

    Returns
    -------
    result : dict
        ``"test_score"``: ndarray of outer-fold scores; ``"best_params"``:
        list of the parameters chosen in each outer fold;
        ``"inner_best_score"``: ndarray of the inner CV score of each choice.

    References
    ----------
    .. [1] S. Raschka, "Model Evaluation, Model Selection, and Algorithm
       Selection in Machine Learning", 2018, arXiv:1811.12808.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skpapers.model_selection import nested_cross_validate
    >>> X, y = load_iris(return_X_y=True)
    >>> result = nested_cross_validate(SVC(), {"C": [0.1, 1.0, 10.0]}, X, y,
    ...                                random_state=0)
    >>> result["test_score"].shape, len(result["best_params"])
    ((5,), 5)
    >>> bool(0.9 < result["test_score"].mean() <= 1.0)
    True
    """
    X, y = indexable(X, y)
    outer = _make_cv(outer_cv, estimator, y, random_state)
    inner = _make_cv(inner_cv, estimator, y, random_state)
    folds = Parallel(n_jobs=n_jobs)(
        delayed(_outer_fold)(estimator, param_grid, X, y, train, test, inner, scoring, params or {})
        for train, test in outer.split(X, y)
    )
    test_scores, best_params, inner_scores = zip(*folds)
    return {
        "test_score": np.asarray(test_scores, dtype=np.float64),
        "best_params": list(best_params),
        "inner_best_score": np.asarray(inner_scores, dtype=np.float64),
    }
