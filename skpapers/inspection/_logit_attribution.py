"""Direct logit attribution of a linear read-out behind a row normaliser, and its ground truth."""

import copy

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer
from sklearn.utils import Bunch, check_array
from sklearn.utils.validation import check_is_fitted

from ..preprocessing import FixedScaleNormalizer
from ..preprocessing._fixed_scale import _per_sample_divisor

_REST = "rest"


# ---------------------------------------------------------------------------
# Validation shared by the three functions
# ---------------------------------------------------------------------------


def _check_X(X, n_features=None):
    columns = getattr(X, "columns", None)
    X = check_array(X, dtype=np.float64, input_name="X")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"X has {X.shape[1]} features, but the model expects {n_features}.")
    return X, columns


def _group_indices(group, name, n_features, columns):
    values = np.asarray(group)
    if values.ndim == 0:
        values = values.reshape(1)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"feature_groups[{name!r}] must be a non-empty 1-D list of columns; got {group!r}.")
    if values.dtype.kind == "b":
        if values.size != n_features:
            raise ValueError(
                f"feature_groups[{name!r}] is a boolean mask of length {values.size}; X has {n_features} features."
            )
        values = np.flatnonzero(values)
        if values.size == 0:
            raise ValueError(f"feature_groups[{name!r}] selects no feature.")
    elif values.dtype.kind in "OUS":
        if columns is None:
            raise ValueError(
                f"feature_groups[{name!r}] names columns, but X has no column names (pass a DataFrame)."
            )
        lookup = {column: i for i, column in enumerate(columns)}
        missing = [value for value in values.tolist() if value not in lookup]
        if missing:
            raise ValueError(f"feature_groups[{name!r}] names unknown columns {missing}.")
        values = np.array([lookup[value] for value in values.tolist()])
    elif values.dtype.kind in "iu":
        if values.min() < -n_features or values.max() >= n_features:
            raise ValueError(
                f"feature_groups[{name!r}] has column indices out of range for X with {n_features} features."
            )
        values = values % n_features
    else:
        raise TypeError(
            f"feature_groups[{name!r}] must hold integer indices, a boolean mask or column names; "
            f"got dtype {values.dtype}."
        )
    return values.astype(np.intp)


def _check_feature_groups(feature_groups, n_features, columns=None):
    """Return ``(names, list of index arrays)``, with a trailing "rest" group for uncovered features."""
    if isinstance(feature_groups, dict):
        items = list(feature_groups.items())
    elif isinstance(feature_groups, (list, tuple)):
        items = [(f"group_{k}", group) for k, group in enumerate(feature_groups)]
    else:
        raise TypeError(
            "feature_groups must be a dict {name: columns} or a list of column lists; "
            f"got {type(feature_groups).__name__}."
        )
    if not items:
        raise ValueError("feature_groups is empty.")
    names, groups = [], []
    owner = np.full(n_features, -1)
    for k, (name, group) in enumerate(items):
        indices = _group_indices(group, name, n_features, columns)
        taken = owner[indices] >= 0
        if taken.any() or len(np.unique(indices)) != len(indices):
            raise ValueError(
                f"feature_groups overlap: column(s) {sorted(set(indices[taken].tolist()) or set(indices.tolist()))}"
                f" of group {name!r} appear in more than one group or twice in it."
            )
        owner[indices] = k
        names.append(str(name))
        groups.append(indices)
    rest = np.flatnonzero(owner < 0)
    if rest.size:
        if _REST in names:
            raise ValueError(f"a group is named {_REST!r}, the name reserved for uncovered features.")
        names.append(_REST)
        groups.append(rest)
    return names, groups


def _check_read_out(estimator):
    check_is_fitted(estimator)
    if not (hasattr(estimator, "coef_") and hasattr(estimator, "intercept_")):
        raise ValueError(
            "estimator must be a fitted linear model with coef_ and intercept_ "
            f"(e.g. LogisticRegression, Ridge); {type(estimator).__name__} has no such attributes."
        )
    coef = np.atleast_2d(np.asarray(estimator.coef_, dtype=np.float64))
    if coef.ndim != 2:
        raise ValueError(f"estimator.coef_ must be 1-D or 2-D; got shape {np.shape(estimator.coef_)}.")
    intercept = np.broadcast_to(np.asarray(estimator.intercept_, dtype=np.float64), coef.shape[:1])
    return coef, np.array(intercept)


def _split_pipeline(estimator, normalizer):
    """Return (normaliser or None, linear read-out) from the arguments of direct_logit_attribution."""
    if not isinstance(estimator, Pipeline):
        return normalizer, estimator
    if normalizer is not None:
        raise ValueError("pass either a Pipeline as estimator, or a read-out and its normalizer, not both.")
    steps = [step for _, step in estimator.steps[:-1] if step not in (None, "passthrough")]
    if len(steps) > 1:
        raise ValueError(
            "estimator is a Pipeline with more than one transforming step; direct_logit_attribution "
            "supports one row normaliser followed by a linear read-out."
        )
    return (steps[0] if steps else None), estimator.steps[-1][1]


def _normalizer_parts(normalizer, X):
    """Return (centre?, per-row divisor) of a supported fitted normaliser applied to ``X``."""
    if normalizer is None:
        return False, np.ones(X.shape[0])
    if isinstance(normalizer, FixedScaleNormalizer):
        check_is_fitted(normalizer, "n_features_in_")
        if normalizer.n_features_in_ != X.shape[1]:
            raise ValueError(
                f"X has {X.shape[1]} features, but the normalizer expects {normalizer.n_features_in_}."
            )
        return normalizer.norm == "layer", normalizer._row_scale(X)
    if isinstance(normalizer, Normalizer):
        if normalizer.norm != "l2":
            raise ValueError(f"only Normalizer(norm='l2') is supported; got norm={normalizer.norm!r}.")
        return False, _per_sample_divisor(X, "l2", 0.0)
    raise TypeError(
        "normalizer must be None, a FixedScaleNormalizer or sklearn's Normalizer(norm='l2'); "
        f"got {type(normalizer).__name__}."
    )


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def direct_logit_attribution(estimator, X, feature_groups, *, normalizer=None):
    """Split a linear read-out's decision function into one contribution per feature group.

    For a linear model with weights ``W`` (``coef_``) and intercept ``b``
    behind a row normaliser ``T``, the decision function is ``T(x) @ W.T +
    b``. With ``T(x) = (x - mean(x)) / s(x)`` (LayerNorm) or ``x / s(x)``
    (RMSNorm, L2), the contribution of the feature group ``g`` is
    ``x_g @ V_g.T / s(x)``, where ``V = W - mean(W over features)`` for
    LayerNorm (the centring moved onto the weights) and ``V = W``
    otherwise. The contributions of all groups plus ``b`` sum to the
    decision function exactly.

    With a fixed scale (``FixedScaleNormalizer(scale="fixed")``, or no
    normaliser) the model is linear in ``x``, so each contribution is also
    exactly the change of the decision function when the group is set to
    zero (:func:`ablation_effects`). With a per-sample scale ``s(x)`` is
    each row's own statistic, frozen at its value for the whole row, as
    direct logit attribution does in a transformer with LayerNorm: the
    contributions still sum to the decision function, but they are no
    longer the effect of removing the group, because removing it changes
    ``s(x)``.

    Parameters
    ----------
    estimator : fitted estimator or Pipeline
        A fitted linear model with ``coef_`` of shape (n_features,) or
        (n_outputs, n_features) and ``intercept_`` (e.g.
        :class:`~sklearn.linear_model.LogisticRegression`,
        :class:`~sklearn.linear_model.Ridge`), or a fitted
        :class:`~sklearn.pipeline.Pipeline` of at most one normaliser
        followed by such a model.

    X : array-like of shape (n_samples, n_features)
        Rows to explain, in the input space of the normaliser (or of the
        model when there is none).

    feature_groups : dict or list
        The groups, as ``{name: columns}`` or a list of column lists (named
        ``"group_0"``, ``"group_1"``, ...). Columns are integer indices, a
        boolean mask, or column names when ``X`` is a DataFrame. Groups must
        not overlap; columns in no group form a last group named ``"rest"``.

    normalizer : FixedScaleNormalizer, Normalizer or None, default=None
        The fitted row normaliser in front of ``estimator``: a
        :class:`~skpapers.preprocessing.FixedScaleNormalizer` or
        :class:`sklearn.preprocessing.Normalizer` with ``norm="l2"``. Leave
        None when ``estimator`` is a Pipeline or has no normaliser.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``contributions``: ndarray of shape (n_samples, n_groups, n_outputs),
        one column per row of ``coef_`` (a binary classifier has one output:
        the logit of the positive class). ``intercept``: ndarray of shape
        (n_outputs,). ``group_names``: list of str. ``exact``: bool, whether
        the contributions are also the ablation effects (fixed scale).

    See Also
    --------
    ablation_effects : The measured effect of setting each group to a baseline.
    skpapers.preprocessing.FixedScaleNormalizer : The normaliser with a fixed scale.

    References
    ----------
    .. [1] L. Baroni, G. Khara, J. Schaeffer, M. Subkhankulov and S. Heimersheim,
       "Transformers Don't Need LayerNorm at Inference Time: Scaling LayerNorm
       Removal to GPT-2 XL and the Implications for Mechanistic
       Interpretability", arXiv:2507.02559, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skpapers.inspection import ablation_effects, direct_logit_attribution
    >>> from skpapers.preprocessing import FixedScaleNormalizer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 6)) * rng.lognormal(0, 0.5, size=(200, 1))
    >>> y = (X[:, 0] - X[:, 3] > 0).astype(int)
    >>> model = make_pipeline(FixedScaleNormalizer(), LogisticRegression()).fit(X, y)
    >>> dla = direct_logit_attribution(model, X, {"first": [0, 1, 2], "last": [3, 4, 5]})
    >>> dla.contributions.shape
    (200, 2, 1)
    >>> logit = dla.contributions.sum(axis=1)[:, 0] + dla.intercept[0]
    >>> bool(np.allclose(logit, model.decision_function(X)))
    True
    >>> effects = ablation_effects(model, X, {"first": [0, 1, 2], "last": [3, 4, 5]})
    >>> float(np.abs(effects.effects - dla.contributions).max()) < 1e-10
    True
    """
    normalizer, read_out = _split_pipeline(estimator, normalizer)
    coef, intercept = _check_read_out(read_out)
    X, columns = _check_X(X, coef.shape[1])
    names, groups = _check_feature_groups(feature_groups, X.shape[1], columns)
    centre, divisor = _normalizer_parts(normalizer, X)
    if centre:
        coef = coef - coef.mean(axis=1, keepdims=True)
    # x_g @ V_g.T for all groups at once: scatter the weights by group into a
    # (n_features, n_groups * n_outputs) matrix, one matrix product over X.
    n_outputs = coef.shape[0]
    block_weights = np.zeros((X.shape[1], len(groups), n_outputs))
    for k, indices in enumerate(groups):
        block_weights[indices, k, :] = coef[:, indices].T
    contributions = (X @ block_weights.reshape(X.shape[1], -1)).reshape(X.shape[0], len(groups), n_outputs)
    contributions /= divisor[:, None, None]
    exact = normalizer is None or (isinstance(normalizer, FixedScaleNormalizer) and normalizer.scale == "fixed")
    return Bunch(contributions=contributions, intercept=intercept, group_names=names, exact=exact)


def _response(estimator, X, response_method):
    if response_method == "auto":
        response_method = "decision_function" if hasattr(estimator, "decision_function") else "predict"
    elif response_method not in ("decision_function", "predict"):
        raise ValueError(
            f"response_method must be 'auto', 'decision_function' or 'predict'; got {response_method!r}."
        )
    if not hasattr(estimator, response_method):
        raise ValueError(f"{type(estimator).__name__} has no {response_method} method.")
    values = np.asarray(getattr(estimator, response_method)(X), dtype=np.float64)
    return values.reshape(X.shape[0], -1)


def ablation_effects(estimator, X, feature_groups, *, baseline=0.0, response_method="auto"):
    """Measure how much each feature group moves the output: re-run the model with the group ablated.

    For every group ``g`` the columns of ``g`` are set to ``baseline`` and
    the whole fitted model (normaliser included, when it is a Pipeline) is
    evaluated again. The effect is ``f(x) - f(x with g ablated)``: the
    ground truth that :func:`direct_logit_attribution` approximates, and
    equals exactly when the model is linear in ``x`` (fixed scale).

    Parameters
    ----------
    estimator : fitted estimator or Pipeline
        Any fitted model with ``decision_function`` or ``predict``.

    X : array-like of shape (n_samples, n_features)
        Rows to explain. Not modified.

    feature_groups : dict or list
        As in :func:`direct_logit_attribution`; uncovered columns form a
        last group named ``"rest"``.

    baseline : float or array-like of shape (n_features,), default=0.0
        Value an ablated column takes (zero ablation by default; e.g. the
        training means for mean ablation).

    response_method : {"auto", "decision_function", "predict"}, default="auto"
        Output to measure; ``"auto"`` uses ``decision_function`` when the
        model has one, else ``predict``.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``effects``: ndarray of shape (n_samples, n_groups, n_outputs).
        ``group_names``: list of str.

    See Also
    --------
    direct_logit_attribution : The one-pass attribution of a linear read-out.

    References
    ----------
    .. [1] L. Baroni, G. Khara, J. Schaeffer, M. Subkhankulov and S. Heimersheim,
       "Transformers Don't Need LayerNorm at Inference Time: Scaling LayerNorm
       Removal to GPT-2 XL and the Implications for Mechanistic
       Interpretability", arXiv:2507.02559, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skpapers.inspection import ablation_effects
    >>> X = np.array([[1.0, 2.0, 3.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    >>> model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5])
    >>> ablation_effects(model, X, [[0], [1, 2]]).effects[0, :, 0].round(6)
    array([ 1. , -2.5])
    """
    check_is_fitted(estimator)
    X_checked, columns = _check_X(X, getattr(estimator, "n_features_in_", None))
    names, groups = _check_feature_groups(feature_groups, X_checked.shape[1], columns)
    baseline = np.asarray(baseline, dtype=np.float64)
    if baseline.ndim == 0:
        baseline = np.full(X_checked.shape[1], float(baseline))
    if baseline.shape != (X_checked.shape[1],):
        raise ValueError(f"baseline must be a float or have shape ({X_checked.shape[1]},); got {baseline.shape}.")
    if not np.all(np.isfinite(baseline)):
        raise ValueError("baseline must be finite.")
    # Keep the caller's container (a DataFrame keeps its column names) for the model.
    as_frame = columns is not None and hasattr(X, "copy") and hasattr(X, "iloc")
    full = _response(estimator, X, response_method)
    effects = np.empty((X_checked.shape[0], len(groups), full.shape[1]))
    for k, indices in enumerate(groups):
        if as_frame:
            ablated = X.copy()
            ablated.iloc[:, indices] = baseline[indices]
        else:
            ablated = X_checked.copy()
            ablated[:, indices] = baseline[indices]
        effects[:, k, :] = full - _response(estimator, ablated, response_method)
    return Bunch(effects=effects, group_names=names)


def _is_per_sample_normalizer(step):
    if isinstance(step, FixedScaleNormalizer):
        return step.scale == "per_sample"
    if isinstance(step, Normalizer):
        if step.norm != "l2":
            raise ValueError(f"only Normalizer(norm='l2') has a fixed-scale counterpart; got norm={step.norm!r}.")
        return True
    return False


def _fixed_counterpart(step):
    if isinstance(step, FixedScaleNormalizer):
        return clone(step).set_params(scale="fixed")
    return FixedScaleNormalizer(norm=step.norm, scale="fixed", eps=0.0)


def normalization_removal_gap(pipeline, X_train, y_train, X_test, y_test, *, scoring="neg_log_loss"):
    """Replace each per-sample normaliser of a pipeline by a fixed scale, refitting in between.

    The pipeline is cloned and fitted on the training data (the reference
    score). Then its per-sample normalisers
    (``FixedScaleNormalizer(scale="per_sample")`` or sklearn's
    ``Normalizer``) are switched to a fixed scale one at a time, first to
    last, and the pipeline is refitted after each switch; the final
    estimator starts from its previous solution when it supports
    ``warm_start``. This is the tabular counterpart of the paper's
    sequential LayerNorm removal with fine-tuning in between.

    Parameters
    ----------
    pipeline : Pipeline
        Unfitted or fitted :class:`~sklearn.pipeline.Pipeline` with at least
        one per-sample normalising step. Not modified.

    X_train, y_train : array-like
        Data the pipeline and the fixed scales are fitted on.

    X_test, y_test : array-like
        Held-out data the scores are computed on.

    scoring : str or callable, default="neg_log_loss"
        A scorer name or callable (see :func:`sklearn.metrics.get_scorer`);
        greater is better.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``score_before``, ``score_after``: test scores with per-sample and
        with fixed scales. ``gap``: ``score_before - score_after``, the
        loss of score from the removal (for ``"neg_log_loss"``, the increase
        of the test log-loss, the paper's measure). ``scores``: the score
        after each stage (before, then after each switch). ``removed``: the
        names of the switched steps. ``pipeline_before``,
        ``pipeline_after``: the two fitted pipelines.

    See Also
    --------
    skpapers.preprocessing.FixedScaleNormalizer : The fixed-scale normaliser.

    References
    ----------
    .. [1] L. Baroni, G. Khara, J. Schaeffer, M. Subkhankulov and S. Heimersheim,
       "Transformers Don't Need LayerNorm at Inference Time: Scaling LayerNorm
       Removal to GPT-2 XL and the Implications for Mechanistic
       Interpretability", arXiv:2507.02559, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skpapers.inspection import normalization_removal_gap
    >>> from skpapers.preprocessing import FixedScaleNormalizer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(600, 8)) * rng.lognormal(0, 0.3, size=(600, 1)) + 0.5
    >>> y = (X[:, :4].sum(axis=1) - X[:, 4:].sum(axis=1) > 0).astype(int)
    >>> pipe = make_pipeline(FixedScaleNormalizer(scale="per_sample"), LogisticRegression())
    >>> result = normalization_removal_gap(pipe, X[:300], y[:300], X[300:], y[300:])
    >>> result.removed
    ['fixedscalenormalizer']
    >>> abs(result.gap) < 0.1
    True
    """
    from sklearn.metrics import check_scoring

    if not isinstance(pipeline, Pipeline):
        raise TypeError(f"pipeline must be a sklearn Pipeline; got {type(pipeline).__name__}.")
    names = [name for name, step in pipeline.steps[:-1] if _is_per_sample_normalizer(step)]
    if not names:
        raise ValueError(
            "pipeline has no per-sample normalising step (FixedScaleNormalizer(scale='per_sample') "
            "or sklearn's Normalizer) to replace."
        )
    scorer = check_scoring(pipeline, scoring=scoring)
    before = clone(pipeline).fit(X_train, y_train)
    # The refits start from a copy of the fitted pipeline (the paper fine-tunes
    # the trained model), so that ``before`` itself stays as it was.
    model = copy.deepcopy(before)
    scores = [float(scorer(before, X_test, y_test))]
    final = model.steps[-1][1]
    if "warm_start" in final.get_params():
        final.set_params(warm_start=True)
    for name in names:
        model.set_params(**{name: _fixed_counterpart(model.named_steps[name])})
        model.fit(X_train, y_train)
        scores.append(float(scorer(model, X_test, y_test)))
    return Bunch(
        score_before=scores[0],
        score_after=scores[-1],
        gap=scores[0] - scores[-1],
        scores=scores,
        removed=names,
        pipeline_before=before,
        pipeline_after=model,
    )
