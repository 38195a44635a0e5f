"""Palimpsest provenance tests (Kuditipudi et al., arXiv:2510.19796).

A model trained by one pass of stochastic gradient steps remembers its late
examples better than its early ones. If the training order was a uniform random
permutation fixed before a suspect model existed, any correlation between the
suspect's per-example losses and that order is evidence that the suspect
descends from the trained model, with a p-value that holds for any data.
"""

import copy
import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats
from sklearn.base import is_classifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from ..utils._results import FieldsTestResult as _TestResult

_ALTERNATIVES = StrOptions({"two-sided", "less", "greater"})


@dataclass(frozen=True, repr=False)
class PalimpsestResult(_TestResult):
    """Outcome of :func:`palimpsest_query_test`.

    Attributes
    ----------
    statistic : float
        Spearman correlation between training order and scores; negative means
        later examples have lower loss (the palimpsest direction).
    pvalue : float
        p-value for ``alternative``.
    n_samples : int
        Number of examples.
    method : str
        ``"asymptotic"`` or ``"permutation"``.
    alternative : str
        The alternative hypothesis.
    """

    n_samples: int
    method: str
    alternative: str


@dataclass(frozen=True, repr=False)
class ReshuffleResult(_TestResult):
    """Outcome of :func:`palimpsest_reshuffle_test`.

    Attributes
    ----------
    statistic : float
        Log-likelihood of the query labels under the model trained in the real order.
    pvalue : float
        Exact rank p-value over the real run and the reshuffled runs.
    null_statistics : ndarray of shape (n_reshuffles,)
        Log-likelihoods under the models trained on reshuffled orders.
    zscore : float
        ``(statistic - mean(null)) / std(null)``, the approximate variant.
    alternative : str
        The alternative hypothesis.
    """

    null_statistics: np.ndarray
    zscore: float
    alternative: str


def _as_finite_1d(values, name):
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-D array of numbers.") from exc
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return array


def _spearman_on_ranks(x, y, axis=-1):
    x = x - x.mean(axis=axis, keepdims=True)
    y = y - y.mean(axis=axis, keepdims=True)
    return (x * y).sum(axis=axis) / np.sqrt((x * x).sum(axis=axis) * (y * y).sum(axis=axis))


@validate_params(
    {
        "scores": ["array-like"],
        "training_order": ["array-like"],
        "reference_scores": ["array-like", None],
        "alternative": [_ALTERNATIVES],
        "method": [StrOptions({"asymptotic", "permutation"})],
        "n_resamples": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def palimpsest_query_test(
    scores,
    training_order,
    *,
    reference_scores=None,
    alternative="two-sided",
    method="asymptotic",
    n_resamples=9999,
    random_state=None,
):
    """Test whether a suspect model's per-example losses track a training order.

    The statistic is Spearman's correlation between the step at which each
    example was seen and the suspect's loss on it (minus a reference model's
    loss when ``reference_scores`` is given). Under the null hypothesis the
    order is a uniform random permutation independent of the suspect, so the
    correlation has Spearman's permutation distribution whatever the data.
    A model that descends from one trained in that order has lower loss on the
    late examples: a **negative** statistic is palimpsest evidence, and
    ``alternative="less"`` is the one-sided test in that direction.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        The suspect model's loss on each training example (for example from
        :func:`per_sample_log_loss`).
    training_order : array-like of shape (n_samples,)
        Step (or timestamp) at which each example was seen in training; ties
        receive average ranks. It must come from a uniform shuffle fixed
        before the suspect model existed.
    reference_scores : array-like of shape (n_samples,), default=None
        Losses of a reference model independent of the order (for example the
        same algorithm rerun with a fresh shuffle). The test then uses
        ``scores - reference_scores``, which removes per-example difficulty
        and sharpens the p-value by orders of magnitude. Never use the trained
        model itself or a descendant as reference: the test would lose validity.
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        Alternative hypothesis; ``"less"`` is the palimpsest direction.
    method : {"asymptotic", "permutation"}, default="asymptotic"
        ``"asymptotic"`` uses :func:`scipy.stats.spearmanr` (t approximation,
        as the paper's code); ``"permutation"`` uses
        :func:`scipy.stats.permutation_test` over pairings (exact when
        ``n_samples! <= n_resamples``, Monte Carlo otherwise).
    n_resamples : int, default=9999
        Number of random permutations for ``method="permutation"``.
    random_state : int, RandomState instance or None, default=None
        Seed of the permutations for ``method="permutation"``.

    Returns
    -------
    result : PalimpsestResult
        With ``statistic`` (Spearman rho), ``pvalue``, ``n_samples``,
        ``method`` and ``alternative``.

    Raises
    ------
    ValueError
        If the arrays differ in length, have fewer than 3 entries, contain
        NaN or infinite values, or the (differenced) scores are constant.

    References
    ----------
    .. [1] R. Kuditipudi, J. Huang, S. Zhu, D. Yang, C. Potts and P. Liang,
       "Blackbox Model Provenance via Palimpsestic Membership Inference",
       arXiv:2510.19796, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.audit import palimpsest_query_test
    >>> rng = np.random.default_rng(0)
    >>> order = rng.permutation(500)
    >>> difficulty = rng.normal(size=500)
    >>> suspect = difficulty - 0.002 * order + rng.normal(scale=0.3, size=500)
    >>> reference = difficulty + rng.normal(scale=0.3, size=500)
    >>> result = palimpsest_query_test(suspect, order, reference_scores=reference,
    ...                                alternative="less")
    >>> print(round(result.statistic, 2), result.pvalue < 1e-10)
    -0.57 True
    """
    scores = _as_finite_1d(scores, "scores")
    order = _as_finite_1d(training_order, "training_order")
    if order.shape != scores.shape:
        raise ValueError(
            f"training_order has {order.shape[0]} entries but scores has {scores.shape[0]}; they must match."
        )
    if reference_scores is not None:
        reference = _as_finite_1d(reference_scores, "reference_scores")
        if reference.shape != scores.shape:
            raise ValueError(
                f"reference_scores has {reference.shape[0]} entries but scores has {scores.shape[0]}."
            )
        scores = scores - reference
    n_samples = scores.shape[0]
    if n_samples < 3:
        raise ValueError(f"palimpsest_query_test needs at least 3 examples; got {n_samples}.")
    if np.ptp(scores) == 0:
        raise ValueError("scores (minus reference_scores) are constant: Spearman's correlation is undefined.")
    if np.ptp(order) == 0:
        raise ValueError("training_order is constant: Spearman's correlation is undefined.")

    order_ranks, score_ranks = stats.rankdata(order), stats.rankdata(scores)
    if method == "asymptotic":
        result = stats.spearmanr(order_ranks, score_ranks, alternative=alternative)
        statistic, pvalue = float(result.statistic), float(result.pvalue)
    else:
        # permuting one sample only: the null has n! equally likely pairings, enumerated when affordable
        result = stats.permutation_test(
            (score_ranks,),
            lambda permuted, axis=-1: _spearman_on_ranks(order_ranks, permuted, axis=axis),
            permutation_type="pairings",
            vectorized=True,
            n_resamples=n_resamples,
            alternative=alternative,
            random_state=check_random_state(random_state),
            batch=max(1, 2_000_000 // n_samples),  # bounds memory at ~16 MB per batch of permutations
        )
        statistic, pvalue = float(result.statistic), float(result.pvalue)
    return PalimpsestResult(statistic, pvalue, n_samples, method, alternative)


@validate_params(
    {"estimator": [object], "X": ["array-like", "sparse matrix"], "y": ["array-like"],
     "eps": [Interval(numbers.Real, 0, 0.5, closed="neither")]},
    prefer_skip_nested_validation=True,
)
def per_sample_log_loss(estimator, X, y, *, eps=1e-15):
    """Loss of a fitted estimator on each example.

    For an estimator with ``predict_proba``: ``-log p(y_i | x_i)`` with the
    probabilities clipped to ``[eps, 1]`` so a confident mistake gives a large
    but finite loss. For a regressor: the squared error ``(y_i - f(x_i))**2``.

    Parameters
    ----------
    estimator : fitted estimator
        A classifier with ``predict_proba`` and ``classes_``, or a regressor.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Inputs.
    y : array-like of shape (n_samples,)
        Labels (classifier) or targets (regressor).
    eps : float, default=1e-15
        Lower clip of the predicted probabilities.

    Returns
    -------
    losses : ndarray of shape (n_samples,)
        One loss per example.

    Raises
    ------
    TypeError
        If the estimator is a classifier without ``predict_proba`` or has no
        ``predict``.
    ValueError
        If ``y`` contains a label the classifier was not fitted on, or its
        length differs from ``X``.

    References
    ----------
    .. [1] R. Kuditipudi, J. Huang, S. Zhu, D. Yang, C. Potts and P. Liang,
       "Blackbox Model Provenance via Palimpsestic Membership Inference",
       arXiv:2510.19796, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skpapers.audit import per_sample_log_loss
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> y = np.array([0, 0, 1, 1])
    >>> model = LogisticRegression().fit(X, y)
    >>> per_sample_log_loss(model, X, y).round(3)
    array([0.125, 0.311, 0.311, 0.125])
    """
    check_is_fitted(estimator)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D; got shape {y.shape}.")
    if hasattr(estimator, "predict_proba"):
        proba = np.asarray(estimator.predict_proba(X))
        if proba.shape[0] != y.shape[0]:
            raise ValueError(f"X has {proba.shape[0]} rows but y has {y.shape[0]} entries.")
        classes = np.asarray(estimator.classes_)
        column = np.searchsorted(classes, y)
        column = np.clip(column, 0, classes.shape[0] - 1)
        unknown = classes[column] != y
        if np.any(unknown):
            raise ValueError(f"y contains labels the estimator was not fitted on: {np.unique(y[unknown])[:5]}.")
        picked = proba[np.arange(y.shape[0]), column]
        return -np.log(np.clip(picked, eps, 1.0))
    if is_classifier(estimator):
        raise TypeError(
            f"{type(estimator).__name__} has no predict_proba; per-example log-loss needs probabilities "
            "(for SGDClassifier use loss='log_loss')."
        )
    if not hasattr(estimator, "predict"):
        raise TypeError(f"estimator must have predict_proba or predict; got {type(estimator).__name__}.")
    prediction = np.asarray(estimator.predict(X), dtype=float)
    if prediction.shape[0] != y.shape[0]:
        raise ValueError(f"X has {prediction.shape[0]} rows but y has {y.shape[0]} entries.")
    return (y.astype(float) - prediction) ** 2


@validate_params(
    {
        "suspect": [object],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "training_order": ["array-like"],
        "reference": [object, None],
        "alternative": [_ALTERNATIVES],
        "method": [StrOptions({"asymptotic", "permutation"})],
        "n_resamples": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def palimpsest_provenance_test(
    suspect,
    X,
    y,
    training_order,
    *,
    reference=None,
    alternative="two-sided",
    method="asymptotic",
    n_resamples=9999,
    random_state=None,
):
    """Test whether a fitted suspect model descends from a model trained in a known order.

    Computes the suspect's per-example losses on the original training rows
    (and a reference model's, if given) with :func:`per_sample_log_loss` and
    runs :func:`palimpsest_query_test` on them. The training order must be
    the order in which the rows were really seen: with scikit-learn's
    ``SGDClassifier.partial_fit`` that needs ``shuffle=False``, because the
    default ``shuffle=True`` reshuffles the rows inside every call and
    destroys the recorded order (the test stays valid but loses its power).

    Parameters
    ----------
    suspect : fitted estimator
        The model under suspicion (classifier with ``predict_proba`` or regressor).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The original training rows.
    y : array-like of shape (n_samples,)
        Their labels.
    training_order : array-like of shape (n_samples,)
        Step at which each row was seen.
    reference : fitted estimator, default=None
        A model independent of the training order (for example the same
        algorithm trained on the same rows in a fresh random order).
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        Alternative hypothesis; ``"less"`` is the palimpsest direction.
    method : {"asymptotic", "permutation"}, default="asymptotic"
        See :func:`palimpsest_query_test`.
    n_resamples : int, default=9999
        Permutations for ``method="permutation"``.
    random_state : int, RandomState instance or None, default=None
        Seed for ``method="permutation"``.

    Returns
    -------
    result : PalimpsestResult
        See :func:`palimpsest_query_test`.

    References
    ----------
    .. [1] R. Kuditipudi, J. Huang, S. Zhu, D. Yang, C. Potts and P. Liang,
       "Blackbox Model Provenance via Palimpsestic Membership Inference",
       arXiv:2510.19796, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import clone
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skpapers.audit import palimpsest_provenance_test
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(3000, 200))
    >>> y = (rng.random(3000) < 1 / (1 + np.exp(-X @ rng.normal(0, 0.14, 200)))).astype(int)
    >>> order = rng.permutation(3000)
    >>> alice = SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.01,
    ...                       alpha=1e-5, shuffle=False, random_state=0)
    >>> _ = alice.partial_fit(X[order], y[order], classes=[0, 1])
    >>> step = np.empty(3000)
    >>> step[order] = np.arange(3000)
    >>> other = rng.permutation(3000)
    >>> reference = clone(alice).partial_fit(X[other], y[other], classes=[0, 1])
    >>> result = palimpsest_provenance_test(alice, X, y, step, reference=reference,
    ...                                     alternative="less")
    >>> print(result.statistic < 0, result.pvalue < 1e-4)
    True True
    """
    scores = per_sample_log_loss(suspect, X, y)
    reference_scores = None if reference is None else per_sample_log_loss(reference, X, y)
    return palimpsest_query_test(
        scores,
        training_order,
        reference_scores=reference_scores,
        alternative=alternative,
        method=method,
        n_resamples=n_resamples,
        random_state=random_state,
    )


def _check_order_preserved(checkpoint):
    params = checkpoint.get_params() if hasattr(checkpoint, "get_params") else {}
    if params.get("shuffle", False):
        warnings.warn(
            f"{type(checkpoint).__name__} has shuffle=True: partial_fit reshuffles the rows inside each call, so "
            "the real order is not the one passed in. Set shuffle=False.",
            UserWarning,
            stacklevel=3,
        )


@validate_params(
    {
        "checkpoint": [object],
        "X_phase": ["array-like", "sparse matrix"],
        "y_phase": ["array-like"],
        "X_query": ["array-like", "sparse matrix"],
        "y_query": ["array-like"],
        "n_reshuffles": [Interval(numbers.Integral, 1, None, closed="left")],
        "alternative": [_ALTERNATIVES],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def palimpsest_reshuffle_test(
    checkpoint,
    X_phase,
    y_phase,
    X_query,
    y_query,
    *,
    n_reshuffles=99,
    alternative="greater",
    random_state=None,
    **partial_fit_params,
):
    """Exact reshuffle test of provenance from a suspect model's emitted labels.

    The model owner keeps ``checkpoint``, the model before its final training
    phase, and the phase's rows in their real order. The phase is replayed
    once in the real order (the real model) and ``n_reshuffles`` times in
    fresh random orders. The statistic of each run is the log-likelihood of
    the suspect's outputs ``(X_query, y_query)``. Under the null hypothesis
    (the suspect is independent of the real order) the ``n_reshuffles + 1``
    runs are exchangeable, so the rank p-value
    ``(1 + #{j: T_j >= T_0}) / (n_reshuffles + 1)`` is exact.

    Parameters
    ----------
    checkpoint : fitted estimator with ``partial_fit``
        The model before the final phase; it is deep-copied, never modified.
        Its ``partial_fit`` must keep the row order (``shuffle=False`` for
        scikit-learn's SGD estimators; a warning is raised otherwise).
    X_phase : {array-like, sparse matrix} of shape (n_phase, n_features)
        Rows of the final phase, in the real training order.
    y_phase : array-like of shape (n_phase,)
        Their labels.
    X_query : {array-like, sparse matrix} of shape (n_query, n_features)
        Inputs given to the suspect model.
    y_query : array-like of shape (n_query,)
        Labels the suspect model emitted for them.
    n_reshuffles : int, default=99
        Number of reshuffled replays; the smallest reachable p-value is
        ``1 / (n_reshuffles + 1)``.
    alternative : {"greater", "less", "two-sided"}, default="greater"
        ``"greater"``: the real model explains the suspect's labels better
        than reshuffled ones (the provenance direction).
    random_state : int, RandomState instance or None, default=None
        Seed of the reshuffles.
    **partial_fit_params : dict
        Passed to every ``partial_fit`` call.

    Returns
    -------
    result : ReshuffleResult
        With ``statistic`` (T_0), ``pvalue``, ``null_statistics``, ``zscore``
        and ``alternative``.

    Raises
    ------
    ValueError
        If ``checkpoint`` has no ``partial_fit`` or the phase or query arrays
        have mismatched lengths.

    References
    ----------
    .. [1] R. Kuditipudi, J. Huang, S. Zhu, D. Yang, C. Potts and P. Liang,
       "Blackbox Model Provenance via Palimpsestic Membership Inference",
       arXiv:2510.19796, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skpapers.audit import palimpsest_reshuffle_test
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(600, 5))
    >>> y = (X[:, 0] + rng.normal(size=600) > 0).astype(int)
    >>> checkpoint = SGDClassifier(loss="log_loss", shuffle=False, random_state=0)
    >>> _ = checkpoint.partial_fit(X[:500], y[:500], classes=[0, 1])
    >>> X_query = rng.normal(size=(50, 5))
    >>> result = palimpsest_reshuffle_test(checkpoint, X[500:], y[500:], X_query,
    ...                                    (X_query[:, 0] > 0).astype(int),
    ...                                    n_reshuffles=19, random_state=0)
    >>> result.null_statistics.shape
    (19,)
    >>> 0.05 <= result.pvalue <= 1
    True
    """
    if not hasattr(checkpoint, "partial_fit"):
        raise ValueError(
            f"checkpoint must have a partial_fit method to replay the final phase; {type(checkpoint).__name__} "
            "has none."
        )
    check_is_fitted(checkpoint)
    _check_order_preserved(checkpoint)
    n_phase = X_phase.shape[0] if hasattr(X_phase, "shape") else len(X_phase)
    if n_phase != len(y_phase):
        raise ValueError(f"X_phase has {n_phase} rows but y_phase has {len(y_phase)} entries.")
    n_query = X_query.shape[0] if hasattr(X_query, "shape") else len(X_query)
    if n_query != len(y_query):
        raise ValueError(f"X_query has {n_query} rows but y_query has {len(y_query)} entries.")
    if n_phase < 2:
        raise ValueError(f"the final phase needs at least 2 rows to be reshuffled; got {n_phase}.")
    rng = check_random_state(random_state)
    X_phase = X_phase if hasattr(X_phase, "shape") else np.asarray(X_phase)
    y_phase = np.asarray(y_phase)

    def log_likelihood(rows):
        model = copy.deepcopy(checkpoint)
        model.partial_fit(X_phase[rows], y_phase[rows], **partial_fit_params)
        return -float(np.sum(per_sample_log_loss(model, X_query, y_query)))

    observed = log_likelihood(np.arange(n_phase))
    null = np.array([log_likelihood(rng.permutation(n_phase)) for _ in range(n_reshuffles)])
    upper = (1 + np.sum(null >= observed)) / (n_reshuffles + 1)
    lower = (1 + np.sum(null <= observed)) / (n_reshuffles + 1)
    pvalue = {"greater": upper, "less": lower, "two-sided": min(1.0, 2 * min(upper, lower))}[alternative]
    spread = null.std(ddof=1) if n_reshuffles > 1 else np.nan
    zscore = (observed - null.mean()) / spread if spread and np.isfinite(spread) and spread > 0 else np.nan
    return ReshuffleResult(observed, float(pvalue), null, float(zscore), alternative)
