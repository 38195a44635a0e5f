"""Survey responses of language models (Dominguez-Olmedo, Hardt, Mendler-Duenner, arXiv:2306.07951).

A model answering a multiple-choice question is biased toward answer positions
(the label "A"). Averaging its answer distribution over random orderings of the
choices removes that bias; what is left is often close to uniform, and its
divergence from a human population then mostly reflects how far that population
is from uniform. These functions compute the adjusted distributions, the biases
and the comparisons, from precomputed probabilities.
"""

import itertools
import math
import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import special, stats
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_array

from ..utils._results import FieldsTestResult as _TestResult


@dataclass(frozen=True, repr=False)
class PositionBiasResult:
    """Outcome of :func:`position_bias`.

    Attributes
    ----------
    position_distribution : ndarray of shape (k,)
        Mean probability of each presented position (label A, B, ...).
    a_bias : float
        ``position_distribution[0] - 1 / k``.
    adjusted_distribution : ndarray of shape (k,) or None
        Ordering-adjusted distribution over choices (None without ``orders``).
    """

    position_distribution: np.ndarray
    a_bias: float
    adjusted_distribution: np.ndarray

    def __repr__(self):
        return (f"PositionBiasResult(position_distribution={self.position_distribution!r}, "
                f"a_bias={self.a_bias!r}, adjusted_distribution={self.adjusted_distribution!r})")


@dataclass(frozen=True, repr=False)
class DiscriminatorResult(_TestResult):
    """Outcome of :func:`discriminator_test`."""

    accuracies: np.ndarray
    mean_accuracy: float
    majority_rate: float
    pvalues: np.ndarray


def _check_distribution(p, name, *, atol=1e-6):
    try:
        array = np.asarray(p, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of probabilities.") from exc
    if array.ndim == 0:
        raise ValueError(f"{name} must have at least one axis of choices.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    if np.any(array < 0):
        raise ValueError(f"{name} contains negative probabilities.")
    if array.shape[-1] < 2:
        raise ValueError(f"{name} needs at least 2 choices; got {array.shape[-1]}.")
    totals = array.sum(axis=-1)
    if not np.allclose(totals, 1.0, atol=atol, rtol=0):
        raise ValueError(
            f"{name} must sum to 1 over its last axis (got sums from {totals.min():.6g} to {totals.max():.6g})."
        )
    return array


def _check_probs(probs):
    """Label probabilities per prompt, renormalised row by row (method step 1)."""
    probs = check_array(probs, ensure_min_features=2, input_name="probs")
    if np.any(probs < 0):
        raise ValueError("probs contains negative probabilities.")
    totals = probs.sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise ValueError("probs has a row with zero total probability; it cannot be renormalised.")
    return probs / totals


def _check_orders(orders, shape):
    orders = np.asarray(orders)
    if orders.shape != shape:
        raise ValueError(f"orders must have the shape of probs {shape}; got {orders.shape}.")
    if orders.dtype.kind not in "iu":
        if orders.dtype.kind == "f" and np.all(np.isfinite(orders)) and np.all(orders == np.round(orders)):
            orders = orders.astype(np.int64)
        else:
            raise TypeError("orders must contain integer choice indices.")
    if not np.all(np.sort(orders, axis=1) == np.arange(shape[1])):
        bad = int(np.flatnonzero(~np.all(np.sort(orders, axis=1) == np.arange(shape[1]), axis=1))[0])
        raise ValueError(f"each row of orders must be a permutation of 0..{shape[1] - 1}; row {bad} is not.")
    return orders


@validate_params(
    {
        "k": [Interval(numbers.Integral, 2, None, closed="left")],
        "max_orderings": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def answer_orderings(k, *, max_orderings=5000, random_state=None):
    """Orderings of ``k`` answer choices to present, one per prompt.

    All ``k!`` permutations when ``k! <= max_orderings`` (each exactly once,
    the questionnaire order first), otherwise the questionnaire order followed
    by ``max_orderings - 1`` random permutations, as in the paper.

    Parameters
    ----------
    k : int
        Number of answer choices (at least 2).
    max_orderings : int, default=5000
        Largest number of orderings returned.
    random_state : int, RandomState instance or None, default=None
        Seed of the random permutations when ``k!`` is too large.

    Returns
    -------
    orders : ndarray of shape (n_orderings, k)
        ``orders[r, j]`` is the choice shown at position ``j`` (label A, B, ...)
        in prompt ``r``.

    References
    ----------
    .. [1] R. Dominguez-Olmedo, M. Hardt and C. Mendler-Duenner, "Questioning
       the Survey Responses of Large Language Models", NeurIPS 2024,
       arXiv:2306.07951.

    Examples
    --------
    >>> from skpapers.audit import answer_orderings
    >>> answer_orderings(3)
    array([[0, 1, 2],
           [0, 2, 1],
           [1, 0, 2],
           [1, 2, 0],
           [2, 0, 1],
           [2, 1, 0]])
    >>> answer_orderings(10, max_orderings=4, random_state=0).shape
    (4, 10)
    """
    if math.factorial(k) <= max_orderings:
        return np.array(list(itertools.permutations(range(k))), dtype=np.int64)
    rng = check_random_state(random_state)
    random = np.argsort(rng.random_sample((max_orderings - 1, k)), axis=1)
    return np.vstack([np.arange(k), random]).astype(np.int64)


@validate_params({"probs": ["array-like"], "orders": ["array-like"]}, prefer_skip_nested_validation=True)
def ordering_adjusted_distribution(probs, orders):
    """Answer distribution averaged over the orderings in which the choices were shown.

    ``p_adj(c) = mean_r q_r(position of c in prompt r)``, where ``q_r`` is the
    renormalised probability of each label in prompt ``r``. Over all
    orderings, a pure position bias (the same label preference whatever the
    content) averages out to the uniform distribution.

    Parameters
    ----------
    probs : array-like of shape (n_prompts, k)
        ``probs[r, j]``: probability of the ``j``-th label (A, B, ...) in prompt
        ``r``; rows are renormalised to sum to 1.
    orders : array-like of shape (n_prompts, k)
        ``orders[r, j]``: the choice shown at position ``j`` in prompt ``r``;
        each row a permutation of ``0..k-1`` (see :func:`answer_orderings`).

    Returns
    -------
    p_adj : ndarray of shape (k,)
        Probability of each choice (in questionnaire order).

    Raises
    ------
    ValueError
        If the shapes differ, a row of ``orders`` is not a permutation, or a
        row of ``probs`` is negative or all zero.

    References
    ----------
    .. [1] R. Dominguez-Olmedo, M. Hardt and C. Mendler-Duenner, "Questioning
       the Survey Responses of Large Language Models", NeurIPS 2024,
       arXiv:2306.07951.

    Examples
    --------
    The model always puts 0.7 on label A. In the second prompt choice 2 is
    shown first, so choice 2 gets 0.7 there:

    >>> from skpapers.audit import ordering_adjusted_distribution
    >>> probs = [[0.7, 0.2, 0.1], [0.7, 0.2, 0.1]]
    >>> orders = [[0, 1, 2], [2, 0, 1]]
    >>> ordering_adjusted_distribution(probs, orders).round(3)
    array([0.45, 0.15, 0.4 ])
    """
    q = _check_probs(probs)
    orders = _check_orders(orders, q.shape)
    by_choice = np.empty_like(q)
    by_choice[np.arange(q.shape[0])[:, None], orders] = q
    return by_choice.mean(axis=0)


@validate_params({"probs": ["array-like"], "orders": ["array-like", None]}, prefer_skip_nested_validation=True)
def position_bias(probs, orders=None):
    """Preference for answer positions, and the ordering-adjusted answer.

    Parameters
    ----------
    probs : array-like of shape (n_prompts, k)
        Probability of each presented label per prompt; rows are renormalised.
    orders : array-like of shape (n_prompts, k), default=None
        Choice shown at each position per prompt; without it only the
        position statistics are computed.

    Returns
    -------
    result : PositionBiasResult
        ``position_distribution`` (mean probability per position),
        ``a_bias`` = ``position_distribution[0] - 1/k`` (0: no bias, ``1 - 1/k``:
        always A) and ``adjusted_distribution`` (None without ``orders``).

    References
    ----------
    .. [1] R. Dominguez-Olmedo, M. Hardt and C. Mendler-Duenner, "Questioning
       the Survey Responses of Large Language Models", NeurIPS 2024,
       arXiv:2306.07951.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.audit import answer_orderings, position_bias
    >>> orders = answer_orderings(4)
    >>> probs = np.tile([0.55, 0.15, 0.15, 0.15], (len(orders), 1))
    >>> result = position_bias(probs, orders)
    >>> print(round(result.a_bias, 2), result.adjusted_distribution.round(2))
    0.3 [0.25 0.25 0.25 0.25]
    """
    q = _check_probs(probs)
    position = q.mean(axis=0)
    adjusted = None if orders is None else ordering_adjusted_distribution(q, orders)
    return PositionBiasResult(position, float(position[0] - 1.0 / q.shape[1]), adjusted)


@validate_params({"p": ["array-like"], "axis": [numbers.Integral]}, prefer_skip_nested_validation=True)
def normalized_entropy(p, *, axis=-1):
    """Entropy of a distribution divided by its maximum, ``log k``.

    ``H(p) / log k`` with ``H(p) = -sum_{p_c > 0} p_c log p_c``: 1 for the
    uniform distribution, 0 for a point mass.

    Parameters
    ----------
    p : array-like of shape (..., k, ...)
        Distributions; they must sum to 1 along ``axis``.
    axis : int, default=-1
        Axis of the choices.

    Returns
    -------
    entropy : float or ndarray
        One value per distribution.

    References
    ----------
    .. [1] R. Dominguez-Olmedo, M. Hardt and C. Mendler-Duenner, "Questioning
       the Survey Responses of Large Language Models", NeurIPS 2024,
       arXiv:2306.07951.

    Examples
    --------
    >>> from skpapers.audit import normalized_entropy
    >>> print(normalized_entropy([0.25, 0.25, 0.25, 0.25]), normalized_entropy([1.0, 0.0]))
    1.0 0.0
    >>> normalized_entropy([[0.5, 0.5, 0.0], [0.6, 0.2, 0.2]]).round(3)
    array([0.631, 0.865])
    """
    array = np.moveaxis(np.asarray(p, dtype=float), axis, -1)
    array = _check_distribution(array, "p")
    value = special.entr(array).sum(axis=-1) / np.log(array.shape[-1])
    return float(value) if np.ndim(value) == 0 else value


@validate_params(
    {"p": ["array-like"], "q": ["array-like"], "base": [Interval(numbers.Real, 1, None, closed="neither")]},
    prefer_skip_nested_validation=True,
)
def response_divergence(p, q, *, base=2):
    """Kullback-Leibler divergence ``KL(p || q)`` of answer distributions.

    ``sum_{p_c > 0} p_c log(p_c / q_c)``, in bits by default; infinite, with a
    warning, when ``q`` gives zero mass to a choice ``p`` uses.

    Parameters
    ----------
    p : array-like of shape (..., k)
        The model's distribution(s).
    q : array-like of shape (..., k)
        The reference distribution(s) (a population, uniform, a subgroup).
    base : float, default=2
        Base of the logarithm.

    Returns
    -------
    divergence : float or ndarray
        One value per pair of distributions.

    Raises
    ------
    ValueError
        If ``p`` and ``q`` have different numbers of choices or do not sum to 1.

    References
    ----------
    .. [1] R. Dominguez-Olmedo, M. Hardt and C. Mendler-Duenner, "Questioning
       the Survey Responses of Large Language Models", NeurIPS 2024,
       arXiv:2306.07951.

    Examples
    --------
    >>> from skpapers.audit import response_divergence
    >>> print(round(response_divergence([0.2] * 5, [0.5, 0.2, 0.15, 0.1, 0.05]), 4))
    0.4186
    """
    p, q = _check_distribution(p, "p"), _check_distribution(q, "q")
    if p.shape[-1] != q.shape[-1]:
        raise ValueError(f"p has {p.shape[-1]} choices but q has {q.shape[-1]}; they must match.")
    value = special.rel_entr(p, q).sum(axis=-1) / np.log(base)
    if np.any(np.isinf(value)):
        warnings.warn("q gives zero probability to a choice that p uses: the divergence is infinite.",
                      RuntimeWarning, stacklevel=2)
    return float(value) if np.ndim(value) == 0 else value


@validate_params(
    {"p": ["array-like"], "references": [dict], "base": [Interval(numbers.Real, 1, None, closed="neither")]},
    prefer_skip_nested_validation=True,
)
def compare_to_references(p, references, *, base=2):
    """Divergence of a model's answer distribution from several populations, and uniform.

    The paper's check: is the model closer to the population it is meant to
    represent (for example a census) than to the uniform distribution?

    Parameters
    ----------
    p : array-like of shape (k,)
        The model's (ordering-adjusted) distribution.
    references : dict of str to array-like of shape (k,)
        Named reference distributions; ``"uniform"`` is added unless given.
    base : float, default=2
        Base of the logarithm.

    Returns
    -------
    result : Bunch
        ``divergences`` (dict name -> ``KL(p || reference)``), ``nearest``
        (name of the smallest divergence), ``normalized_entropy`` (of ``p``) and
        ``reference_entropies`` (dict name -> normalised entropy).

    References
    ----------
    .. [1] R. Dominguez-Olmedo, M. Hardt and C. Mendler-Duenner, "Questioning
       the Survey Responses of Large Language Models", NeurIPS 2024,
       arXiv:2306.07951.

    Examples
    --------
    >>> from skpapers.audit import compare_to_references
    >>> census = [0.5, 0.2, 0.15, 0.1, 0.05]
    >>> result = compare_to_references([0.24, 0.2, 0.2, 0.19, 0.17], {"census": census})
    >>> print(result.nearest, round(result.divergences["census"], 3))
    uniform 0.305
    """
    p = _check_distribution(p, "p")
    if p.ndim != 1:
        raise ValueError(f"p must be one distribution (1-D); got shape {p.shape}.")
    if not references:
        raise ValueError("references must name at least one distribution.")
    k = p.shape[0]
    named = {str(name): _check_distribution(q, f"references[{name!r}]") for name, q in references.items()}
    named.setdefault("uniform", np.full(k, 1.0 / k))
    divergences, entropies = {}, {}
    for name, q in named.items():
        if q.shape != (k,):
            raise ValueError(f"references[{name!r}] has shape {q.shape}; p has {k} choices.")
        divergences[name] = response_divergence(p, q, base=base)
        entropies[name] = normalized_entropy(q)
    nearest = min(divergences, key=divergences.get)
    return Bunch(divergences=divergences, nearest=nearest, normalized_entropy=normalized_entropy(p),
                 reference_entropies=entropies)


def _as_questions(distributions, name):
    """A (n_questions, k) array or a list of 1-D distributions (ragged k) as a list of arrays."""
    rows = list(distributions)
    return [_check_distribution(row, f"{name}[{i}]") for i, row in enumerate(rows)]


@validate_params({"model_dists": ["array-like"], "subgroup_dists": ["array-like"]}, prefer_skip_nested_validation=True)
def subgroup_alignment(model_dists, subgroup_dists):
    """How close a model is to each subgroup, and how that tracks the subgroup's entropy.

    For each subgroup ``s``: ``D_s`` = mean over questions of
    ``KL(model || subgroup s)`` (bits) and ``H_s`` = mean normalised entropy of
    its answers. Questions where some subgroup gives zero mass to a choice the
    model uses (infinite divergence) are left out for every subgroup, as in
    the paper. A strongly negative Spearman correlation between ``D_s`` and
    ``H_s`` means the model looks "aligned" with the most uniform subgroups.

    Parameters
    ----------
    model_dists : array-like of shape (n_questions, k) or list of 1-D arrays
        The model's adjusted distribution per question (lists allow ``k`` to
        vary across questions).
    subgroup_dists : array-like of shape (n_groups, n_questions, k) or nested lists
        Each subgroup's distribution per question.

    Returns
    -------
    result : Bunch
        ``divergences`` (n_groups,), ``entropies`` (n_groups,), ``statistic``
        and ``pvalue`` (Spearman rho between them, two-sided) and
        ``excluded_questions`` (indices left out).

    References
    ----------
    .. [1] R. Dominguez-Olmedo, M. Hardt and C. Mendler-Duenner, "Questioning
       the Survey Responses of Large Language Models", NeurIPS 2024,
       arXiv:2306.07951.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.audit import subgroup_alignment
    >>> model = np.full((2, 3), 1 / 3)
    >>> groups = [[[0.8, 0.1, 0.1], [0.7, 0.2, 0.1]],
    ...           [[0.4, 0.3, 0.3], [0.4, 0.4, 0.2]],
    ...           [[0.6, 0.2, 0.2], [0.5, 0.3, 0.2]]]
    >>> result = subgroup_alignment(model, groups)
    >>> print(result.divergences.round(3), round(result.statistic, 1))
    [0.602 0.042 0.155] -1.0
    """
    model = _as_questions(model_dists, "model_dists")
    groups = [_as_questions(group, f"subgroup_dists[{g}]") for g, group in enumerate(subgroup_dists)]
    if len(groups) < 3:
        raise ValueError(f"subgroup_alignment needs at least 3 subgroups for a rank correlation; got {len(groups)}.")
    for g, group in enumerate(groups):
        if len(group) != len(model):
            raise ValueError(f"subgroup_dists[{g}] has {len(group)} questions but model_dists has {len(model)}.")
        for i, (m, s) in enumerate(zip(model, group)):
            if m.shape != s.shape:
                raise ValueError(f"question {i}: model has {m.shape[0]} choices but subgroup {g} has {s.shape[0]}.")
    with np.errstate(divide="ignore"):
        kl = np.array([[special.rel_entr(m, s).sum() / np.log(2) for m, s in zip(model, group)] for group in groups])
    entropy = np.array([[normalized_entropy(s) for s in group] for group in groups])
    keep = np.all(np.isfinite(kl), axis=0)
    if not np.any(keep):
        raise ValueError("every question has a subgroup with zero mass on a choice the model uses.")
    divergences, entropies = kl[:, keep].mean(axis=1), entropy[:, keep].mean(axis=1)
    result = stats.spearmanr(divergences, entropies)
    return Bunch(divergences=divergences, entropies=entropies, statistic=float(result.statistic),
                 pvalue=float(result.pvalue), excluded_questions=np.flatnonzero(~keep))


@validate_params(
    {
        "X_generated": ["array-like"],
        "X_reference": ["array-like"],
        "estimator": "no_validation",
        "n_repeats": [Interval(numbers.Integral, 1, None, closed="left")],
        "test_size": [Interval(numbers.Real, 0, 1, closed="neither")],
        "reference_weights": ["array-like", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def discriminator_test(X_generated, X_reference, *, estimator=None, n_repeats=10, test_size=0.2,
                       reference_weights=None, random_state=None):
    """Can a classifier tell generated respondents from real ones?

    Each repeat draws equally many generated and reference rows (the larger
    sample is subsampled; with ``reference_weights`` the reference rows are
    drawn with replacement in proportion to the survey weights), splits them
    with stratification, fits a classifier (label 1 = generated) and scores it
    on the held-out part. Accuracy near 1 means the two samples are easy to
    tell apart; near the majority rate (0.5) means they are not. Each repeat's
    p-value is the one-sided binomial test of its number of correct test
    predictions against the majority rate (a classifier two-sample test).

    Parameters
    ----------
    X_generated : array-like of shape (n_generated, n_features)
        Synthetic respondents (for example sampled from a model's answers).
    X_reference : array-like of shape (n_reference, n_features)
        Real respondents, with the same columns.
    estimator : classifier, default=None
        Unfitted classifier; ``HistGradientBoostingClassifier()`` by default.
    n_repeats : int, default=10
        Number of resampled splits.
    test_size : float, default=0.2
        Held-out share of each split.
    reference_weights : array-like of shape (n_reference,), default=None
        Survey weights of the reference rows.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws, the splits and the classifier.

    Returns
    -------
    result : DiscriminatorResult
        ``accuracies`` (n_repeats,), ``mean_accuracy``, ``majority_rate``,
        ``pvalues`` (per repeat) and ``statistic``, ``pvalue``: the first
        repeat's accuracy and p-value (valid on their own; the repeats share
        rows, so their p-values are not combined).

    References
    ----------
    .. [1] R. Dominguez-Olmedo, M. Hardt and C. Mendler-Duenner, "Questioning
       the Survey Responses of Large Language Models", NeurIPS 2024,
       arXiv:2306.07951.
    .. [2] D. Lopez-Paz and M. Oquab, "Revisiting Classifier Two-Sample
       Tests", ICLR 2017, arXiv:1610.06545.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skpapers.audit import discriminator_test
    >>> rng = np.random.default_rng(0)
    >>> generated = rng.integers(0, 5, size=(500, 3))
    >>> real = rng.choice(5, p=[0.5, 0.2, 0.15, 0.1, 0.05], size=(500, 3))
    >>> result = discriminator_test(generated, real, estimator=LogisticRegression(),
    ...                             n_repeats=3, random_state=0)
    >>> print(result.mean_accuracy > 0.7, result.pvalue < 1e-6)
    True True
    """
    X_generated = check_array(X_generated, input_name="X_generated")
    X_reference = check_array(X_reference, input_name="X_reference")
    if X_generated.shape[1] != X_reference.shape[1]:
        raise ValueError(f"X_generated has {X_generated.shape[1]} columns but X_reference has "
                         f"{X_reference.shape[1]}; both samples need the same columns.")
    if min(X_generated.shape[0], X_reference.shape[0]) < 5:
        raise ValueError("discriminator_test needs at least 5 rows in each sample.")
    weights = None
    if reference_weights is not None:
        weights = np.asarray(reference_weights, dtype=float)
        if weights.shape != (X_reference.shape[0],):
            raise ValueError(f"reference_weights must have shape ({X_reference.shape[0]},); got {weights.shape}.")
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError("reference_weights must be finite, non-negative and not all zero.")
        weights = weights / weights.sum()
    estimator = HistGradientBoostingClassifier() if estimator is None else estimator
    rng = check_random_state(random_state)
    n = min(X_generated.shape[0], X_reference.shape[0])
    accuracies, pvalues, majority = [], [], []
    for _ in range(n_repeats):
        generated = X_generated[rng.choice(X_generated.shape[0], n, replace=False)]
        if weights is None:
            reference = X_reference[rng.choice(X_reference.shape[0], n, replace=False)]
        else:
            reference = X_reference[rng.choice(X_reference.shape[0], n, replace=True, p=weights)]
        X = np.vstack([generated, reference])
        y = np.r_[np.ones(n, dtype=int), np.zeros(n, dtype=int)]
        seed = rng.randint(np.iinfo(np.int32).max)
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, stratify=y, random_state=seed)
        model = clone(estimator)
        if "random_state" in model.get_params():
            model.set_params(random_state=seed)
        correct = int(np.sum(model.fit(X_train, y_train).predict(X_test) == y_test))
        rate = float(max(np.mean(y_test), 1 - np.mean(y_test)))
        accuracies.append(correct / y_test.shape[0])
        pvalues.append(stats.binomtest(correct, y_test.shape[0], rate, alternative="greater").pvalue)
        majority.append(rate)
    accuracies, pvalues = np.array(accuracies), np.array(pvalues)
    return DiscriminatorResult(float(accuracies[0]), float(pvalues[0]), accuracies, float(accuracies.mean()),
                               float(np.mean(majority)), pvalues)
