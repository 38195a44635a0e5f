"""Model soups: one network whose weights are the average of fine-tuned ingredients."""

import copy
import numbers
import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    clone,
    is_classifier,
)
from sklearn import linear_model
from sklearn.metrics import check_scoring
from sklearn.model_selection import ParameterGrid, train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.svm import LinearSVC, LinearSVR
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    has_fit_parameter,
    validate_data,
)

# Linear models whose predictions are a function of X @ coef_.T + intercept_ only (subclasses included).
_LINEAR_NAMES = (
    "LogisticRegression", "RidgeClassifier", "SGDClassifier", "Perceptron", "PassiveAggressiveClassifier",
    "Ridge", "LinearRegression", "SGDRegressor", "Lasso", "ElasticNet", "Lars", "LassoLars",
    "OrthogonalMatchingPursuit", "BayesianRidge", "ARDRegression", "HuberRegressor", "QuantileRegressor",
    "PoissonRegressor", "GammaRegressor", "TweedieRegressor", "PassiveAggressiveRegressor",
)
_LINEAR_TYPES = tuple(getattr(linear_model, name) for name in _LINEAR_NAMES if hasattr(linear_model, name)) + (
    LinearSVC,
    LinearSVR,
)
_MLP_TYPES = (MLPClassifier, MLPRegressor)
_SUPPORTED = (
    "MLPClassifier/MLPRegressor (coefs_/intercepts_) and linear models with coef_/intercept_: "
    + ", ".join(cls.__name__ for cls in _LINEAR_TYPES)
)


def _carrier(estimator):
    """Which attributes hold ``estimator``'s parameters: 'mlp', 'linear', or a TypeError."""
    if isinstance(estimator, _MLP_TYPES):
        return "mlp"
    if isinstance(estimator, _LINEAR_TYPES):
        return "linear"
    raise TypeError(f"Model soups average parameters of {_SUPPORTED}; got {type(estimator).__name__}.")


def _parameters(estimator):
    """The fitted parameters of ``estimator`` as a list of arrays (one per tensor)."""
    if _carrier(estimator) == "mlp":
        check_is_fitted(estimator, "coefs_")
        return [np.asarray(a) for a in (*estimator.coefs_, *estimator.intercepts_)]
    check_is_fitted(estimator, "coef_")
    return [np.asarray(estimator.coef_), np.asarray(estimator.intercept_)]


def _set_parameters(estimator, arrays):
    if _carrier(estimator) == "mlp":
        n_layers = len(estimator.coefs_)
        estimator.coefs_ = [a.copy() for a in arrays[:n_layers]]
        estimator.intercepts_ = [a.copy() for a in arrays[n_layers:]]
        return estimator
    coef, intercept = arrays
    estimator.coef_ = coef.copy()
    # Ridge and LinearRegression without an intercept store the float 0.0: keep that type.
    estimator.intercept_ = float(intercept) if np.ndim(estimator.intercept_) == 0 else intercept.copy()
    return estimator


def average_estimators(estimators, weights=None):
    """Average the parameters of fitted estimators into one estimator (a model soup).

    The result is a deep copy of the first estimator whose parameters
    (``coef_``/``intercept_`` for linear models, ``coefs_``/``intercepts_``
    for multi-layer perceptrons) are replaced by the weighted average of the
    ingredients' parameters. Predicting with it costs exactly one model.

    Parameters
    ----------
    estimators : list of fitted estimators
        Ingredients of one class, fitted on the same features (same
        ``n_features_in_``), with the same ``classes_`` in the same order and
        parameters of the same shapes.
    weights : array-like of shape (n_estimators,), default=None
        Non-negative mixing weights, normalised to sum to one. ``None`` gives
        the uniform soup.

    Returns
    -------
    soup : estimator
        A new fitted estimator of the ingredients' class.

    Raises
    ------
    TypeError
        If an ingredient's class carries no supported parameters.
    ValueError
        If the ingredients differ in class, ``classes_``, ``n_features_in_`` or
        parameter shapes, or if ``weights`` is invalid.

    See Also
    --------
    ModelSoupClassifier : Uniform and greedy soups cooked from a parameter grid.

    Notes
    -----
    For a linear model the soup's decision function is the weighted average
    of the ingredients' decision functions, so its logits equal those of the
    logit-averaging ensemble. For networks, averaging only works when the
    ingredients were fine-tuned from one shared starting point; networks from
    different random initialisations live in different basins (their hidden
    units are permuted) and their soup collapses.

    References
    ----------
    .. [1] M. Wortsman et al., "Model soups: averaging weights of multiple
       fine-tuned models improves accuracy without increasing inference time",
       ICML 2022, arXiv:2203.05482.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skpapers.ensemble import average_estimators
    >>> X, y = make_classification(random_state=0)
    >>> a = LogisticRegression(C=0.1).fit(X, y)
    >>> b = LogisticRegression(C=10.0).fit(X, y)
    >>> soup = average_estimators([a, b])
    >>> bool(abs(soup.coef_ - (a.coef_ + b.coef_) / 2).max() < 1e-12)
    True
    """
    if isinstance(estimators, BaseEstimator) or not hasattr(estimators, "__len__"):
        raise TypeError(f"estimators must be a list of fitted estimators; got {type(estimators).__name__}.")
    estimators = list(estimators)
    if len(estimators) == 0:
        raise ValueError("estimators must hold at least one fitted estimator; got an empty list.")
    first = estimators[0]
    _carrier(first)
    reference = _parameters(first)
    for i, other in enumerate(estimators[1:], start=1):
        if type(other) is not type(first):
            raise ValueError(
                f"estimators must all be of one class; estimators[0] is {type(first).__name__}, "
                f"estimators[{i}] is {type(other).__name__}."
            )
        n_first, n_other = getattr(first, "n_features_in_", None), getattr(other, "n_features_in_", None)
        if n_other != n_first:
            raise ValueError(
                f"estimators must be fitted on the same features; estimators[0] has n_features_in_={n_first}, "
                f"estimators[{i}] has {n_other}."
            )
        if hasattr(first, "classes_") or hasattr(other, "classes_"):
            a, b = getattr(first, "classes_", None), getattr(other, "classes_", None)
            if a is None or b is None or len(a) != len(b) or not np.array_equal(a, b):
                raise ValueError(
                    f"estimators must have identical classes_ in the same order; estimators[0] has {a}, "
                    f"estimators[{i}] has {b}."
                )
        params = _parameters(other)
        shapes = [p.shape for p in params]
        if shapes != [p.shape for p in reference]:
            raise ValueError(
                f"estimators must have parameters of the same shapes; estimators[0] has "
                f"{[p.shape for p in reference]}, estimators[{i}] has {shapes}."
            )
    k = len(estimators)
    if weights is None:
        weights = np.full(k, 1.0 / k)
    else:
        weights = np.asarray(weights, dtype=float)
        if weights.shape != (k,):
            raise ValueError(f"weights must have shape ({k},) to match estimators; got {weights.shape}.")
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError("weights must be finite, non-negative and not all zero.")
        weights = weights / weights.sum()
    all_params = [reference] + [_parameters(e) for e in estimators[1:]]
    averaged = [sum(w * params[j] for w, params in zip(weights, all_params)) for j in range(len(reference))]
    return _set_parameters(copy.deepcopy(first), averaged)


def _fit_ingredient(start, template, params, init, seed, X, y, sample_weight):
    if init == "independent" or start is None:
        model = clone(template)
        if seed is not None and "random_state" in model.get_params() and "random_state" not in params:
            model.set_params(random_state=seed)
    else:
        # A deep copy, not the start itself: warm-started MLPs keep their optimiser state and counters,
        # and the ingredients must not share it.
        model = copy.deepcopy(start)
        # The ingredient takes the template's hyperparameters (a passed start may differ, e.g. in max_iter)
        # and only the start's weights.
        model.set_params(**template.get_params(deep=False))
        if "warm_start" in model.get_params():
            model.set_params(warm_start=True)
    model.set_params(**params)
    with warnings.catch_warnings():
        # Short fine-tunes stop at max_iter by design; the soup's quality is judged on validation data.
        warnings.filterwarnings("ignore", message=".*(Maximum iterations|did not converge|failed to converge|max_iter).*")
        if sample_weight is not None:
            model.fit(X, y, sample_weight=sample_weight)
        else:
            model.fit(X, y)
    return model


def _estimator_has(attr):
    def check(self):
        if hasattr(self, "soup_"):
            return hasattr(self.soup_, attr)
        return hasattr(self._template(), attr)

    return check


class _BaseModelSoup(MetaEstimatorMixin, BaseEstimator):
    _parameter_constraints = {
        "estimator": [None, HasMethods(["fit"])],
        "param_grid": [None, dict, list],
        "recipe": [StrOptions({"uniform", "greedy"})],
        "init": [StrOptions({"shared", "independent"}), HasMethods(["fit"])],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "scoring": [None, str, callable],
        "strict": ["boolean"],
        "n_jobs": [None, numbers.Integral],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        param_grid=None,
        recipe="greedy",
        init="shared",
        validation_fraction=0.1,
        scoring=None,
        strict=False,
        n_jobs=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.param_grid = param_grid
        self.recipe = recipe
        self.init = init
        self.validation_fraction = validation_fraction
        self.scoring = scoring
        self.strict = strict
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _template(self):
        return clone(self.estimator) if self.estimator is not None else self._default_estimator()

    def _default_grid(self, template):
        names = template.get_params()
        if isinstance(template, _MLP_TYPES):
            return {"alpha": [1e-4, 1e-3, 1e-2, 1e-1], "learning_rate_init": [1e-3, 3e-3]}
        if "alpha" in names:
            return {"alpha": [1e-3, 1e-2, 1e-1, 1.0, 10.0]}
        if "C" in names:
            return {"C": [0.01, 0.1, 1.0, 10.0, 100.0]}
        raise ValueError(
            f"param_grid is required for {type(template).__name__}: it has no alpha or C to vary by default."
        )

    def _validate_y(self, y):
        return y

    def _split(self, X, y, sample_weight):
        n = X.shape[0]
        n_val = int(np.ceil(self.validation_fraction * n))
        stratify = y if is_classifier(self) else None
        if stratify is not None:
            # At least one validation row per class, so that every class is scored on small data.
            n_val = max(n_val, self.classes_.size)
        if n - n_val < 1 or n_val < 1:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} of n_samples={n} leaves an empty training or "
                "validation part; pass more samples, or X_val and y_val."
            )
        if stratify is not None:
            counts = np.unique(y, return_counts=True)[1]
            if counts.min() < 2 or n - n_val < counts.size:
                raise ValueError(
                    f"A stratified validation split (validation_fraction={self.validation_fraction}) needs every "
                    f"class in both parts: the least populated class has {counts.min()} sample(s) and the "
                    f"validation part would hold {n_val} of {n} samples for {counts.size} classes. Pass X_val "
                    "and y_val, or more samples."
                )
        arrays = [X, y] if sample_weight is None else [X, y, sample_weight]
        parts = train_test_split(*arrays, test_size=n_val, stratify=stratify, random_state=self.random_state)
        if sample_weight is None:
            X_tr, X_val, y_tr, y_val = parts
            return X_tr, y_tr, None, X_val, y_val
        X_tr, X_val, y_tr, y_val, w_tr, _ = parts
        return X_tr, y_tr, w_tr, X_val, y_val

    def fit(self, X, y, sample_weight=None, X_val=None, y_val=None):
        """Fit the ingredients from a shared start and cook the soup.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features.
        y : array-like of shape (n_samples,)
            Training targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights passed to every ingredient's ``fit`` (the template must
            accept them). The validation scores are unweighted.
        X_val : array-like of shape (n_val_samples, n_features), default=None
            Held-out features for scoring ingredients and soups. When given,
            no internal split is made and the ingredients see all of ``X``.
        y_val : array-like of shape (n_val_samples,), default=None
            Held-out targets; required with ``X_val``.

        Returns
        -------
        self : object
            The fitted soup.
        """
        return self._fit(X, y, sample_weight=sample_weight, X_val=X_val, y_val=y_val)

    def _fit(self, X, y, sample_weight=None, X_val=None, y_val=None, order_scores=None):
        self._validate_params()
        template = self._template()
        _carrier(template)
        if getattr(template, "early_stopping", False):
            raise ValueError(
                "estimator must not use early_stopping=True: it would carve its own validation split; the soup "
                "holds out validation_fraction (or X_val, y_val) itself."
            )
        X, y = validate_data(self, X, y, multi_output=not is_classifier(self), y_numeric=not is_classifier(self))
        y = self._validate_y(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
            if not has_fit_parameter(template, "sample_weight"):
                raise ValueError(f"sample_weight was given but {type(template).__name__}.fit does not accept it.")
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together; got only one of them.")
        if X_val is None:
            X_tr, y_tr, w_tr, X_val, y_val = self._split(X, y, sample_weight)
        else:
            X_val = validate_data(self, X_val, reset=False)
            y_val = np.asarray(y_val)
            if y_val.shape[0] != X_val.shape[0]:
                raise ValueError(f"X_val has {X_val.shape[0]} rows but y_val has {y_val.shape[0]}.")
            X_tr, y_tr, w_tr = X, y, sample_weight

        grid = self.param_grid if self.param_grid is not None else self._default_grid(template)
        if isinstance(grid, (dict, list)) and len(grid) == 0:
            raise ValueError("param_grid is empty: a soup needs at least 2 ingredients.")
        try:
            candidates = list(ParameterGrid(grid))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"param_grid is not a valid parameter grid: {exc}") from exc
        if len(candidates) < 2:
            raise ValueError(f"param_grid gives {len(candidates)} ingredient(s); a soup needs at least 2.")

        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=len(candidates) + 1)
        start = None
        if isinstance(self.init, str):
            if self.init == "independent":
                if isinstance(template, _MLP_TYPES):
                    warnings.warn(
                        "init='independent' fits each network from its own random initialisation: their weights "
                        "are not aligned and their soup usually collapses (the paper's negative control).",
                        UserWarning,
                    )
            else:
                start = clone(template)
                if "random_state" in start.get_params() and start.get_params()["random_state"] is None:
                    start.set_params(random_state=int(seeds[-1]))
                start = _fit_ingredient(None, start, {}, "shared", None, X_tr, y_tr, w_tr)
        else:
            if type(self.init) is not type(template):
                raise TypeError(
                    f"init must be 'shared', 'independent' or a fitted {type(template).__name__}; "
                    f"got {type(self.init).__name__}."
                )
            _parameters(self.init)  # raises NotFittedError if init is not fitted
            if getattr(self.init, "n_features_in_", X.shape[1]) != X.shape[1]:
                raise ValueError(f"init was fitted on {self.init.n_features_in_} features; X has {X.shape[1]}.")
            start = self.init

        mode = self.init if isinstance(self.init, str) else "shared"
        ingredients = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_ingredient)(start, template, params, mode, int(seed), X_tr, y_tr, w_tr)
            for params, seed in zip(candidates, seeds)
        )
        if is_classifier(self):
            for i, model in enumerate(ingredients):
                if not np.array_equal(model.classes_, self.classes_):
                    raise ValueError(
                        f"ingredient {i} was fitted on classes {model.classes_}, not {self.classes_}: the "
                        "training part misses a class."
                    )

        scorer = check_scoring(template, scoring=self.scoring)
        val_scores = np.array([scorer(model, X_val, y_val) for model in ingredients], dtype=float)
        ranking = val_scores if order_scores is None else np.asarray(order_scores, dtype=float)

        if self.recipe == "uniform":
            order = np.arange(len(ingredients))
            selected = list(order)
        else:
            order = np.argsort(-ranking, kind="stable")
            selected = [int(order[0])]
            current = val_scores[order[0]]
            for i in order[1:]:
                candidate = average_estimators([ingredients[j] for j in selected + [int(i)]])
                score = scorer(candidate, X_val, y_val)
                if score > current or (not self.strict and score >= current):
                    selected.append(int(i))
                    current = score
        soup = average_estimators([ingredients[j] for j in selected])

        self.ingredients_ = ingredients
        self.ingredient_params_ = candidates
        self.ingredient_scores_ = ranking
        self.ingredient_validation_scores_ = val_scores
        self.soup_order_ = np.asarray(order, dtype=int)
        self.selected_ = np.asarray(selected, dtype=int)
        self.soup_ = soup
        self.soup_score_ = float(scorer(soup, X_val, y_val))
        self.best_ingredient_ = ingredients[int(np.argmax(ranking))]
        return self

    def predict(self, X):
        """Predict with the soup (one model's cost).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predictions of ``soup_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.soup_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


class ModelSoupClassifier(ClassifierMixin, _BaseModelSoup):
    """Model soup classifier: average the weights of fine-tuned ingredients.

    Fits one template model on the training part (the shared start), then one
    ingredient per point of ``param_grid`` by warm-starting a copy of it, and
    averages the ingredients' weights. The greedy recipe adds ingredients in
    order of validation score and keeps each one only if the soup's
    validation score does not drop. The soup is one model: prediction costs
    the same as a single ingredient.

    Parameters
    ----------
    estimator : estimator, default=None
        Template: a linear classifier with ``coef_``/``intercept_`` or an
        ``MLPClassifier``. ``None`` means
        ``MLPClassifier(hidden_layer_sizes=(64,), max_iter=30)``.
    param_grid : dict or list of dicts, default=None
        Ingredient hyperparameters (a :class:`~sklearn.model_selection.ParameterGrid`).
        ``None``: alpha x learning_rate_init for MLPs, an alpha or C grid for
        linear models. Must give at least 2 ingredients.
    recipe : {"greedy", "uniform"}, default="greedy"
        ``"uniform"`` averages all ingredients; ``"greedy"`` keeps those that
        do not lower the validation score.
    init : {"shared", "independent"} or fitted estimator, default="shared"
        ``"shared"`` pre-fits the template and fine-tunes a copy per
        ingredient (``warm_start=True`` where the template has it; convex
        models reach their own optimum anyway). A fitted estimator of the
        template's class is used as the common start instead. ``"independent"``
        fits every ingredient from its own random initialisation: the paper's
        negative control, which breaks network soups (warns).
    validation_fraction : float, default=0.1
        Share of the training rows held out (stratified, at least one row
        per class) to score ingredients and soups, unless ``X_val``/``y_val``
        are passed to ``fit``.
    scoring : str or callable, default=None
        Validation score (higher is better); ``None`` uses accuracy.
    strict : bool, default=False
        Greedy acceptance rule: ``False`` keeps an ingredient when the score is
        >= the current soup's (the paper), ``True`` only when it is > (the
        authors' released code).
    n_jobs : int, default=None
        Ingredients fitted in parallel with joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, the template's initialisation when its
        own ``random_state`` is None, and the independent initialisations.

    Attributes
    ----------
    ingredients_ : list of estimators
        Fitted ingredients, in ``ingredient_params_`` order.
    ingredient_params_ : list of dict
        Hyperparameters of each ingredient.
    ingredient_scores_ : ndarray of shape (n_ingredients,)
        Scores that order the greedy pass (validation scores, or the
        cross-validation scores with :func:`soup_from_search`).
    ingredient_validation_scores_ : ndarray of shape (n_ingredients,)
        Validation score of each ingredient.
    soup_order_ : ndarray of int
        Ingredient indices in the order the recipe tried them.
    selected_ : ndarray of int
        Indices of the ingredients in the soup.
    soup_ : estimator
        Fitted estimator of the template's class with the averaged weights.
    soup_score_ : float
        Validation score of the soup (not a test score: the greedy pass
        looked at the validation set).
    best_ingredient_ : estimator
        The best ingredient by ``ingredient_scores_`` (the usual baseline).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when ``X`` has string column names.

    See Also
    --------
    ModelSoupRegressor : The regression counterpart.
    average_estimators : Average fitted estimators directly.
    soup_from_search : Cook a soup from a fitted ``GridSearchCV``.
    sklearn.ensemble.VotingClassifier : Output averaging (k times the cost).

    Notes
    -----
    With ``recipe="greedy"`` the soup's validation score is at least the
    best ingredient's by construction (with the default ordering). For linear
    models the uniform soup's decision function equals the average of the
    ingredients' decision functions exactly.

    References
    ----------
    .. [1] M. Wortsman et al., "Model soups: averaging weights of multiple
       fine-tuned models improves accuracy without increasing inference time",
       ICML 2022, arXiv:2203.05482.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.neural_network import MLPClassifier
    >>> from skpapers.ensemble import ModelSoupClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> soup = ModelSoupClassifier(
    ...     MLPClassifier((32,), max_iter=20),
    ...     param_grid={"alpha": [1e-4, 1e-2], "learning_rate_init": [1e-3, 3e-3]},
    ...     random_state=0,
    ... ).fit(X[:1000] / 16, y[:1000])
    >>> len(soup.ingredients_), bool(soup.soup_score_ >= soup.ingredient_scores_.max())
    (4, True)
    """

    def _default_estimator(self):
        return MLPClassifier(hidden_layer_sizes=(64,), max_iter=30)

    def _validate_y(self, y):
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if self.classes_.size < 2:
            raise ValueError(
                f"ModelSoupClassifier needs samples of at least 2 classes in y; got 1 class ({self.classes_[0]})."
            )
        return y

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the soup.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities from ``soup_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.soup_.predict_proba(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities of the soup.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log of :meth:`predict_proba`.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function (logits) of the soup.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            ``soup_.decision_function(X)``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.soup_.decision_function(X)

    @available_if(_estimator_has("predict_proba"))
    def ensemble_predict_proba(self, X):
        """Output-averaging baseline: the mean of the ingredients' probabilities.

        Costs ``len(ingredients_)`` models per prediction, against one for
        the soup; useful to measure the soup/ensemble gap.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Mean of every ingredient's ``predict_proba``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.mean([model.predict_proba(X) for model in self.ingredients_], axis=0)


class ModelSoupRegressor(RegressorMixin, _BaseModelSoup):
    """Model soup regressor: average the weights of fine-tuned ingredients.

    The regression counterpart of :class:`ModelSoupClassifier`: one
    template fit (the shared start), one warm-started ingredient per point
    of ``param_grid``, and a uniform or greedy average of their weights.

    Parameters
    ----------
    estimator : estimator, default=None
        Template: a linear regressor with ``coef_``/``intercept_`` or an
        ``MLPRegressor``. ``None`` means
        ``MLPRegressor(hidden_layer_sizes=(64,), max_iter=30)``.
    param_grid : dict or list of dicts, default=None
        Ingredient hyperparameters; ``None``: alpha x learning_rate_init for
        MLPs, an alpha or C grid for linear models. At least 2 ingredients.
    recipe : {"greedy", "uniform"}, default="greedy"
        ``"uniform"`` averages all ingredients; ``"greedy"`` keeps those that
        do not lower the validation score.
    init : {"shared", "independent"} or fitted estimator, default="shared"
        Common starting point of the ingredients, see
        :class:`ModelSoupClassifier`.
    validation_fraction : float, default=0.1
        Share of the training rows held out to score ingredients and soups,
        unless ``X_val``/``y_val`` are passed to ``fit``.
    scoring : str or callable, default=None
        Validation score (higher is better); ``None`` uses R^2.
    strict : bool, default=False
        Greedy acceptance with > instead of >=.
    n_jobs : int, default=None
        Ingredients fitted in parallel with joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split and the initialisations.

    Attributes
    ----------
    ingredients_ : list of estimators
        Fitted ingredients, in ``ingredient_params_`` order.
    ingredient_params_ : list of dict
        Hyperparameters of each ingredient.
    ingredient_scores_ : ndarray of shape (n_ingredients,)
        Scores that order the greedy pass.
    ingredient_validation_scores_ : ndarray of shape (n_ingredients,)
        Validation score of each ingredient.
    soup_order_ : ndarray of int
        Ingredient indices in the order the recipe tried them.
    selected_ : ndarray of int
        Indices of the ingredients in the soup.
    soup_ : estimator
        Fitted estimator of the template's class with the averaged weights.
    soup_score_ : float
        Validation score of the soup.
    best_ingredient_ : estimator
        The best ingredient by ``ingredient_scores_``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when ``X`` has string column names.

    See Also
    --------
    ModelSoupClassifier : The classification counterpart.
    sklearn.ensemble.VotingRegressor : Output averaging (k times the cost).

    Notes
    -----
    For linear ingredients the uniform soup predicts exactly what
    ``VotingRegressor`` of the same ingredients predicts.

    References
    ----------
    .. [1] M. Wortsman et al., "Model soups: averaging weights of multiple
       fine-tuned models improves accuracy without increasing inference time",
       ICML 2022, arXiv:2203.05482.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.linear_model import Ridge
    >>> from skpapers.ensemble import ModelSoupRegressor
    >>> X, y = make_regression(n_samples=200, n_features=20, noise=30.0, random_state=0)
    >>> soup = ModelSoupRegressor(Ridge(), recipe="uniform", random_state=0).fit(X, y)
    >>> soup.selected_.tolist()
    [0, 1, 2, 3, 4]
    >>> round(soup.score(X, y), 2)
    0.98
    """

    def _default_estimator(self):
        return MLPRegressor(hidden_layer_sizes=(64,), max_iter=30)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Linear regressors and MLPRegressor predict several targets; the soup averages their 2-D weights.
        tags.target_tags.multi_output = True
        return tags

    def ensemble_predict(self, X):
        """Output-averaging baseline: the mean of the ingredients' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Mean of every ingredient's ``predict``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.mean([model.predict(X) for model in self.ingredients_], axis=0)


def soup_from_search(
    search,
    X,
    y,
    recipe="greedy",
    X_val=None,
    y_val=None,
    init="shared",
    strict=False,
    validation_fraction=0.1,
    random_state=None,
):
    """Cook a model soup from the candidates of a fitted hyperparameter search.

    ``GridSearchCV`` keeps only its refit best model, so one ingredient is
    refitted per ``search.cv_results_["params"]`` from a shared start; the
    greedy pass tries them in order of ``mean_test_score`` and accepts on
    (``X_val``, ``y_val``) or an internal validation split.
    ``search.best_estimator_`` is the usual "best single model" baseline.

    Parameters
    ----------
    search : fitted GridSearchCV or RandomizedSearchCV
        A single-metric search over a supported template (see
        :func:`average_estimators`).
    X : array-like of shape (n_samples, n_features)
        Training features for the ingredients.
    y : array-like of shape (n_samples,)
        Training targets.
    recipe : {"greedy", "uniform"}, default="greedy"
        Soup recipe.
    X_val : array-like of shape (n_val_samples, n_features), default=None
        Held-out features for the greedy acceptance; ``None`` splits
        ``validation_fraction`` off ``X``.
    y_val : array-like of shape (n_val_samples,), default=None
        Held-out targets; required with ``X_val``.
    init : {"shared", "independent"} or fitted estimator, default="shared"
        Common starting point, as in :class:`ModelSoupClassifier`.
    strict : bool, default=False
        Greedy acceptance with > instead of >=.
    validation_fraction : float, default=0.1
        Held-out share when ``X_val`` is None.
    random_state : int, RandomState instance or None, default=None
        Seeds the split and the initialisations.

    Returns
    -------
    soup : ModelSoupClassifier or ModelSoupRegressor
        Fitted; its ``ingredient_scores_`` are the search's mean test scores.

    See Also
    --------
    ModelSoupClassifier : The same recipe with its own parameter grid.

    References
    ----------
    .. [1] M. Wortsman et al., "Model soups: averaging weights of multiple
       fine-tuned models improves accuracy without increasing inference time",
       ICML 2022, arXiv:2203.05482.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skpapers.ensemble import soup_from_search
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> search = GridSearchCV(LogisticRegression(), {"C": [0.01, 0.1, 1.0]}).fit(X, y)
    >>> soup = soup_from_search(search, X, y, random_state=0)
    >>> soup.soup_order_.tolist() == list(
    ...     (-search.cv_results_["mean_test_score"]).argsort(kind="stable"))
    True
    """
    if not hasattr(search, "cv_results_") or not hasattr(search, "estimator"):
        raise TypeError(
            f"search must be a fitted GridSearchCV or RandomizedSearchCV; got {type(search).__name__} "
            "without cv_results_."
        )
    scoring = search.scoring
    if scoring is not None and not isinstance(scoring, str) and not callable(scoring):
        raise ValueError("search must use a single metric (scoring None, a string or a callable).")
    if "mean_test_score" not in search.cv_results_:
        raise ValueError("search.cv_results_ has no mean_test_score: a single-metric search is needed.")
    template = search.estimator
    _carrier(template)
    params = list(search.cv_results_["params"])
    grid = [{key: [value] for key, value in point.items()} for point in params]
    cls = ModelSoupClassifier if is_classifier(template) else ModelSoupRegressor
    soup = cls(
        estimator=template,
        param_grid=grid,
        recipe=recipe,
        init=init,
        validation_fraction=validation_fraction,
        scoring=scoring,
        strict=strict,
        random_state=random_state,
    )
    scores = np.asarray(search.cv_results_["mean_test_score"], dtype=float)
    # Unscored candidates (failed fits) go last in the greedy order.
    scores = np.where(np.isfinite(scores), scores, -np.inf)
    return soup._fit(X, y, X_val=X_val, y_val=y_val, order_scores=scores)
