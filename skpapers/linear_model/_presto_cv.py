"""PRESTO with the penalty chosen by cross-validation along a warm-started path."""

import numbers

import numpy as np
from joblib import Parallel, delayed
from scipy import special
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ..utils._optim import CumulativeLogitLoss
from ._presto import (
    _alpha_max,
    _BasePRESTO,
    _drop_weightless_rows,
    _proba_from_cumulative,
    _solve,
    _standardize,
    _to_original_scale,
)


def _fit_path(X, codes, sample_weight, n_classes, alphas, penalize_first, standardize, tol, max_iter):
    """Solutions for decreasing ``alphas``, each started from the previous one.

    Returns the standardisation, the list of standardised solutions and the
    total number of iterations.
    """
    X, codes, sample_weight = _drop_weightless_rows(X, codes, sample_weight)
    mean, scale = _standardize(X, sample_weight, standardize)
    datafit = CumulativeLogitLoss((X - mean) / scale, codes, n_classes, sample_weight)
    _, w = _alpha_max(datafit, penalize_first, tol, max_iter)
    solutions, total_iter = [], 0
    for alpha in alphas:
        w, n_iter = _solve(datafit, alpha, penalize_first, w, tol, max_iter, "PRESTOClassifierCV")
        solutions.append(w)
        total_iter += n_iter
    return mean, scale, solutions, total_iter


def _score(proba, codes, sample_weight, scoring):
    """Mean loss per row (lower is better)."""
    onehot = np.zeros_like(proba)
    onehot[np.arange(codes.size), codes] = 1.0
    if scoring == "brier":
        losses = np.sum((proba - onehot) ** 2, axis=1)
    else:
        losses = -np.log(np.clip(proba[np.arange(codes.size), codes], 1e-15, None))
    return float(np.average(losses, weights=sample_weight))


def _fold_scores(X, codes, sample_weight, train, test, n_classes, alphas, params):
    train_classes = np.unique(codes[train][sample_weight[train] > 0])
    if train_classes.size < n_classes:
        raise ValueError(
            f"A training fold lacks class index(es) {sorted(set(range(n_classes)) - set(train_classes))}; "
            "use fewer folds (cv) or more data for the rare classes."
        )
    mean, scale, solutions, _ = _fit_path(
        X[train], codes[train], sample_weight[train], n_classes, alphas, params["penalize_first"],
        params["standardize"], params["tol"], params["max_iter"],
    )
    scores = []
    for w in solutions:
        intercept, coef, _ = _to_original_scale(w, n_classes, mean, scale)
        proba = _proba_from_cumulative(special.expit(intercept + X[test] @ coef.T))
        scores.append(_score(proba, codes[test], sample_weight[test], params["scoring"]))
    return scores


class PRESTOClassifierCV(_BasePRESTO):
    """PRESTO with ``alpha`` chosen by K-fold cross-validation (authors' defaults).

    A path of ``n_alphas`` penalties, log-spaced from ``alpha_max`` (the
    smallest penalty whose solution has no penalised slope) down to
    ``alpha_min_ratio * alpha_max``, is fitted on each training fold with warm
    starts. The penalty with the lowest mean validation score is kept (the
    largest one in case of a tie, scores within a relative 1e-10 counting as
    tied) and the model is refitted on all the data.
    See :class:`PRESTOClassifier` for the model.

    Parameters
    ----------
    n_alphas : int, default=20
        Length of the automatic path.
    alpha_min_ratio : float, default=0.01
        Smallest penalty of the path relative to ``alpha_max``.
    alphas : array-like of float or None, default=None
        Penalties to try instead of the automatic path (sorted decreasing).
    cv : int, cross-validation generator or iterable, default=5
        An integer gives shuffled stratified folds seeded by ``random_state``.
    scoring : {"brier", "log_loss"}, default="brier"
        Validation loss: the multi-class Brier score
        ``sum_k (p_ik - 1{y_i = k})^2`` averaged over rows (the authors'), or
        the log-loss.
    penalize_first : bool, default=True
        Penalise the first boundary's slope too (see
        :class:`PRESTOClassifier`).
    standardize : bool, default=True
        Fit on standardised features (statistics of each training fold).
    max_iter : int, default=10000
        Maximum solver iterations per penalty.
    tol : float, default=1e-8
        Solver tolerance.
    n_jobs : int or None, default=None
        Folds fitted in parallel (joblib).
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling of the folds when ``cv`` is an integer.

    Attributes
    ----------
    alpha_ : float
        Chosen penalty.
    alphas_ : ndarray of shape (n_alphas,)
        Penalties tried, decreasing.
    cv_scores_ : ndarray of shape (n_alphas, n_folds)
        Validation score of every penalty on every fold (lower is better).
    classes_ : ndarray of shape (n_classes,)
        The classes in their ordinal order.
    coef_ : ndarray of shape (n_classes - 1, n_features)
        Slopes of the refitted model.
    intercept_ : ndarray of shape (n_classes - 1,)
        Intercepts of the refitted model.
    coef_diff_ : ndarray of shape (n_classes - 1, n_features)
        ``b_1`` and the differences ``b_k - b_{k-1}`` of the refitted model.
    n_iter_ : int
        Solver iterations of the final path on all the data.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X has string column names.

    See Also
    --------
    PRESTOClassifier : The model with a fixed penalty.

    References
    ----------
    .. [1] G. Faletto and J. Bien, "Predicting Rare Events by Shrinking
       Towards Proportional Odds", ICML 2023, arXiv:2305.18700.

    Examples
    --------
    >>> from skpapers.datasets import make_presto_ordinal
    >>> from skpapers.linear_model import PRESTOClassifierCV
    >>> X, y = make_presto_ordinal(n_samples=1000, random_state=0)
    >>> clf = PRESTOClassifierCV(n_alphas=10, cv=3, random_state=0).fit(X, y)
    >>> clf.cv_scores_.shape
    (10, 3)
    >>> bool(clf.alphas_[-1] <= clf.alpha_ <= clf.alphas_[0])
    True
    """

    _parameter_constraints = {
        "n_alphas": [Interval(numbers.Integral, 1, None, closed="left")],
        "alpha_min_ratio": [Interval(numbers.Real, 0, 1, closed="right")],
        "alphas": ["array-like", None],
        "cv": ["cv_object"],
        "scoring": [StrOptions({"brier", "log_loss"})],
        "penalize_first": ["boolean"],
        "standardize": ["boolean"],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "n_jobs": [numbers.Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(self, *, n_alphas=20, alpha_min_ratio=0.01, alphas=None, cv=5, scoring="brier",
                 penalize_first=True, standardize=True, max_iter=10000, tol=1e-8, n_jobs=None,
                 random_state=None):
        self.n_alphas = n_alphas
        self.alpha_min_ratio = alpha_min_ratio
        self.alphas = alphas
        self.cv = cv
        self.scoring = scoring
        self.penalize_first = penalize_first
        self.standardize = standardize
        self.max_iter = max_iter
        self.tol = tol
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Choose ``alpha`` by cross-validation, then refit on all the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN and infinite values are refused.
        y : array-like of shape (n_samples,)
            Ordinal labels (at least three classes), ordered as in
            :class:`PRESTOClassifier`.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights (used in the fits and the scores).

        Returns
        -------
        self : PRESTOClassifierCV
            The fitted estimator.
        """
        self._validate_params()
        X, codes, sample_weight = self._prepare_fit(X, y, sample_weight)
        n_classes = self.classes_.size
        alphas = self._alpha_grid(X, codes, sample_weight, n_classes)

        if isinstance(self.cv, numbers.Integral):
            splitter = StratifiedKFold(self.cv, shuffle=True, random_state=check_random_state(self.random_state))
        else:
            splitter = check_cv(self.cv, codes, classifier=True)
        folds = list(splitter.split(X, codes))
        params = {
            "penalize_first": self.penalize_first,
            "standardize": self.standardize,
            "tol": self.tol,
            "max_iter": self.max_iter,
            "scoring": self.scoring,
        }
        scores = Parallel(n_jobs=self.n_jobs)(
            delayed(_fold_scores)(X, codes, sample_weight, train, test, n_classes, alphas, params)
            for train, test in folds
        )
        self.alphas_ = alphas
        self.cv_scores_ = np.array(scores).T
        # Largest alpha among the minimisers.  Scores closer than the solver's
        # accuracy (alphas above alpha_max give the same model up to rounding)
        # count as ties.
        mean_scores = self.cv_scores_.mean(axis=1)
        best = int(np.flatnonzero(mean_scores <= mean_scores.min() * (1 + 1e-10) + 1e-14)[0])
        self.alpha_ = float(alphas[best])

        mean, scale, solutions, self.n_iter_ = _fit_path(
            X, codes, sample_weight, n_classes, alphas[: best + 1], self.penalize_first, self.standardize,
            self.tol, self.max_iter,
        )
        self._set_coefficients(solutions[-1], n_classes, mean, scale)
        return self

    def _alpha_grid(self, X, codes, sample_weight, n_classes):
        if self.alphas is not None:
            alphas = np.sort(np.asarray(self.alphas, dtype=float).ravel())[::-1]
            if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
                raise ValueError(f"alphas must be a non-empty list of finite non-negative numbers; got {self.alphas}.")
            return alphas
        X, codes, sample_weight = _drop_weightless_rows(X, codes, sample_weight)
        mean, scale = _standardize(X, sample_weight, self.standardize)
        datafit = CumulativeLogitLoss((X - mean) / scale, codes, n_classes, sample_weight)
        alpha_max, _ = _alpha_max(datafit, self.penalize_first, self.tol, self.max_iter)
        if alpha_max <= 0:
            # Nothing to select (e.g. every feature constant): a one-point path.
            return np.array([0.0])
        return alpha_max * np.logspace(0.0, np.log10(self.alpha_min_ratio), self.n_alphas)
