"""The p-n criterion: is the MLE of a p-dimensional exponential family close enough, at sample size n,
to the information projection of the true distribution on the model?

The estimation risk R_n = E[KL(g_theta* || g_theta_hat)] expands as c1/n + c2/n^2 + O(n^-3); c1 and c2
depend only on cumulants of the sufficient statistic T under the fitted model and under the data, so
they are estimated by plug-in. (p, n) is accepted when the expansion is below a risk threshold.
"""

import math
import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params

from ._exponential_family import _FAMILIES, _check_family

# Pairwise sums (model points x data rows, model points x model points) are formed in blocks of at
# most this many entries, so memory stays bounded whatever n and the number of model points.
_BLOCK_ENTRIES = 2_000_000

_FAMILY_CONSTRAINT = [
    StrOptions(set(_FAMILIES)),
    HasMethods(["sufficient_statistics", "fit_moments", "model_sample"]),
]


@dataclass(frozen=True)
class MLERiskResult:
    """Second-order expansion of the MLE's Kullback-Leibler risk.

    Returned by :func:`mle_risk_expansion` and
    :func:`projection_risk_from_cumulants`.

    Attributes
    ----------
    c1, c2 : float
        Coefficients of ``R_n = c1 / n + c2 / n**2 + O(n**-3)``; ``inf`` when
        the MLE is on the boundary of the parameter space.
    first_order, second_order : float
        ``c1 / n`` and ``c2 / n**2``.
    risk : float
        ``first_order + second_order``.
    n : int
        Sample size at which the risk is evaluated.
    p : int
        Dimension of the model (of its sufficient statistic).
    family : str or None
        Name of the family.
    n_samples : int or None
        Number of observations the plug-in estimates used.
    """

    c1: float
    c2: float
    first_order: float
    second_order: float
    risk: float
    n: int
    p: int
    family: str | None
    n_samples: int | None


@dataclass(frozen=True)
class PNCriterionResult(MLERiskResult):
    """The p-n criterion's decision; an :class:`MLERiskResult` plus the decision.

    Attributes
    ----------
    threshold : float
        Largest acceptable risk (``delta``).
    accepted : bool
        Whether ``risk <= threshold``.
    n_required : int or None
        Smallest ``n`` with ``c1 / n + c2 / n**2 <= threshold`` (at least
        ``p + 1``); None when the MLE is on the boundary.
    bayes_error_bound : float
        ``1/2 - sqrt(risk / 8)``: a lower bound on the expected Bayes error of
        telling the fitted model from the projection (equal priors).
    """

    threshold: float
    accepted: bool
    n_required: int | None
    bayes_error_bound: float


@dataclass(frozen=True)
class PNSelectionResult:
    """Outcome of :func:`select_model_pn`.

    Attributes
    ----------
    best_index : int or None
        Position of the most complex accepted candidate; None if none is.
    best_name : str or None
        Its name.
    names : list of str
        Names of all candidates, in the order given.
    results : list of PNCriterionResult
        The criterion for every candidate.
    """

    best_index: int | None
    best_name: str | None
    names: list
    results: list


def _expansion_coefficients(G, model_points, weights, data_centred, G_model=None, draws=False):
    """c1 and c2 from the tensor-free forms (no p^3 or p^4 array is ever built).

    ``model_points`` are centred points of T under the fitted model with ``weights``; ``G`` is the
    model covariance used for c1 (exact when the family provides it) and ``G_model`` the weighted
    covariance of the points, used inside c2 so that its differences of fourth moments are taken
    consistently with the same integration rule. With ``draws`` (independent Monte Carlo points) the
    two terms that pair model points leave out the diagonal (U-statistics), which would otherwise add
    a bias of order 1 / n_mc.
    """
    Y, w, Wd = model_points, weights, data_centred
    n_data = Wd.shape[0]
    Sigma = Wd.T @ Wd / n_data
    G_inv = np.linalg.inv(G)
    c1 = 0.5 * float(np.sum(G_inv * Sigma))

    Gm = G if G_model is None else G_model
    Gm_inv = np.linalg.inv(Gm)
    M = Gm_inv @ Sigma @ Gm_inv
    YG = Y @ Gm_inv
    YM = Y @ M

    # -E[(Y^T G^-1 W)^3], Y under the model and W under the data, independent.
    p = Y.shape[1]
    if p**3 <= n_data:
        # Small p: the data's third-moment tensor is cheaper than all model-point x data-row pairs.
        k3 = np.einsum("ni,nj,nk->ijk", Wd, Wd, Wd, optimize=True) / n_data
        third = float(np.einsum("a,ai,aj,ak,ijk->", w, YG, YG, YG, k3, optimize=True))
    else:
        third = 0.0
        block = max(1, _BLOCK_ENTRIES // max(n_data, 1))
        for start in range(0, Y.shape[0], block):
            products = YG[start : start + block] @ Wd.T
            third += float(w[start : start + block] @ np.mean(products**3, axis=1))
    cubic = -third

    q = np.einsum("ij,ij->i", YM, Y)
    MG = M @ Gm
    kurtosis_term = float(w @ q**2) - np.trace(MG) ** 2 - 2.0 * float(np.sum(MG * MG.T))
    v = (w * q) @ Y
    v_term = float(v @ Gm_inv @ v)
    if p**3 <= Y.shape[0]:
        # Small p, many points (e.g. a Poisson support): contract the model's third-moment tensor,
        # E[(Y^T M Y')^2 (Y^T G^-1 Y')] = M_ij M_kl G^mn K3_ikm K3_jln, instead of all point pairs.
        K3 = np.einsum("a,ai,aj,ak->ijk", w, Y, Y, Y, optimize=True)
        pairs = float(np.einsum("ij,kl,mn,ikm,jln->", M, M, Gm_inv, K3, K3, optimize=True))
    else:
        pairs = 0.0
        block = max(1, _BLOCK_ENTRIES // Y.shape[0])
        for start in range(0, Y.shape[0], block):
            quad = YM[start : start + block] @ Y.T
            cross = YG[start : start + block] @ Y.T
            pairs += float(w[start : start + block] @ ((quad**2 * cross) @ w))
    if draws:
        self_products = np.einsum("ij,ij->i", YG, Y)
        keep = 1.0 - float(w @ w)
        v_term = (v_term - float(w**2 @ (q**2 * self_products))) / keep
        pairs = (pairs - float(w**2 @ (q**2 * self_products))) / keep
    quartic = -kurtosis_term + v_term + 2.0 * pairs

    c2 = cubic / 3.0 + 3.0 * quartic / 8.0
    return c1, float(c2)


def _check_positive_definite(G, what):
    G = (G + G.T) / 2
    eigenvalues = np.linalg.eigvalsh(G)
    if not np.all(np.isfinite(eigenvalues)) or eigenvalues[0] <= 1e-10 * max(abs(eigenvalues[-1]), 1e-300):
        raise ValueError(
            f"{what} is not positive definite (degenerate or collinear sufficient statistics, or too "
            "few distinct observations): the Fisher information cannot be inverted."
        )
    return G


def _make_result(c1, c2, n, p, family, n_samples):
    if math.isinf(c1):
        return MLERiskResult(math.inf, math.inf, math.inf, math.inf, math.inf, n, p, family, n_samples)
    first, second = c1 / n, c2 / n**2
    return MLERiskResult(c1, c2, first, second, first + second, n, p, family, n_samples)


def _risk(X, family, n, n_mc, random_state):
    family = _check_family(family)
    if hasattr(family, "standardize"):
        X = family.standardize(X)
    T = np.asarray(family.sufficient_statistics(X), dtype=np.float64)
    if T.ndim != 2 or T.shape[0] < 2 or T.shape[1] < 1:
        raise ValueError(f"X must hold at least 2 observations; got sufficient statistics of shape {T.shape}.")
    if not np.all(np.isfinite(T)):
        raise ValueError("X contains NaN or infinity.")
    n_samples, p = T.shape
    n = n_samples if n is None else int(n)
    name = getattr(family, "name", type(family).__name__)
    Tbar = T.mean(axis=0)
    params = family.fit_moments(Tbar)
    if params is None:
        return _make_result(math.inf, math.inf, n, p, name, n_samples)
    sample = family.model_sample(params, n_mc=n_mc, random_state=random_state)
    draws = len(sample) == 3 and bool(sample[2])
    points, weights = sample[0], sample[1]
    points = np.asarray(points, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != p or weights.shape != (points.shape[0],):
        raise ValueError("family.model_sample must return points of shape (m, p) and weights of shape (m,).")
    if np.any(weights < 0) or not np.isclose(weights.sum(), 1.0):
        raise ValueError("family.model_sample must return non-negative weights that sum to 1.")
    # At the MLE the model mean of T is Tbar; Monte Carlo points are centred there, not at their own
    # mean, so that every single-point average stays unbiased.
    Y = points - (Tbar if draws else weights @ points)
    if hasattr(family, "fisher_information"):
        G = _check_positive_definite(np.asarray(family.fisher_information(params), dtype=np.float64), "G")
        # With the exact G the Monte Carlo c2 is unbiased; the draws' own covariance would trade that
        # for a bias of a few percent to tens of percent at a few thousand draws.
        G_model = G if draws else _check_positive_definite((Y * weights[:, None]).T @ Y, "The model covariance of T")
    else:
        G = G_model = _check_positive_definite((Y * weights[:, None]).T @ Y, "The model covariance of T")
    c1, c2 = _expansion_coefficients(G, Y, weights, T - Tbar, G_model=G_model, draws=draws)
    result = _make_result(c1, c2, n, p, name, n_samples)
    if abs(c2 / n) > c1:
        warnings.warn(
            f"The second-order term dominates the first (|c2/n| = {abs(c2 / n):.3g} > c1 = {c1:.3g}): "
            "heavy tails or too small a sample make the expansion unreliable.",
            RuntimeWarning,
            stacklevel=3,
        )
    return result


@validate_params(
    {
        "X": ["array-like"],
        "family": _FAMILY_CONSTRAINT,
        "n": [Interval(Integral, 1, None, closed="left"), None],
        "n_mc": [Interval(Integral, 2, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def mle_risk_expansion(X, family, *, n=None, n_mc=None, random_state=None):
    """Estimate the MLE's Kullback-Leibler risk to the information projection.

    For an exponential family with sufficient statistic ``T`` of dimension
    ``p``, the risk ``R_n = E[KL(g_theta* || g_theta_hat)]`` of the MLE from
    ``n`` observations expands as ``c1 / n + c2 / n**2``. ``c1 = tr(G^-1
    Sigma) / 2`` (``p / 2`` when the model is correct), where ``G`` is the
    model covariance of ``T`` and ``Sigma`` its covariance under the data;
    ``c2`` involves third and fourth cumulants. Both are estimated by
    plug-in from ``X``; the model need not contain the true distribution.

    Parameters
    ----------
    X : array-like
        The observations, in the form ``family`` expects (rows of features
        for normal families, labels or one-hot rows for multinomial, counts
        for Poisson, 0/1 for Bernoulli).
    family : {"normal", "multivariate_normal", "multinomial", "poisson", \
"bernoulli"} or ExponentialFamily
        The model.
    n : int, default=None
        Sample size at which to evaluate the risk; defaults to the number of
        observations (pass another value to plan a sample size).
    n_mc : int, default=None
        Number of Monte Carlo draws from the fitted model, for families
        without exact integration (multivariate normal in more than 5
        dimensions uses 2000 by default).
    random_state : int, RandomState instance or None, default=None
        Seeds the Monte Carlo draws.

    Returns
    -------
    result : MLERiskResult
        ``c1``, ``c2``, ``first_order``, ``second_order``, ``risk``, ``n``,
        ``p``, ``family``, ``n_samples``. All risks are ``inf`` when the MLE
        is on the boundary (an empty category, an all-zero Poisson sample).

    Warns
    -----
    RuntimeWarning
        When ``|c2 / n| > c1``: the expansion is then unreliable (heavy tails
        or a sample too small for the dimension).

    See Also
    --------
    pn_criterion : Accept or reject ``(p, n)`` from this risk.

    Notes
    -----
    The expansion is asymptotic; for ``n`` below about ``10 p`` compare
    ``first_order`` and ``second_order`` before trusting ``risk``. The
    expansion needs finite third moments of ``T`` under the data (sixth
    moments of ``x`` for normal models).

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of
       exponential family: Criterion for model dimension and sample size",
       Statistical Papers (2023), arXiv:2105.08947.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.model_selection import mle_risk_expansion
    >>> X = np.random.default_rng(0).normal(size=2000)
    >>> result = mle_risk_expansion(X, "normal", n=50)
    >>> result.p, round(result.c1, 2), round(result.risk, 3)
    (2, 1.0, 0.022)
    """
    return _risk(X, family, n, n_mc, random_state)



def _resolve_threshold(max_risk, bayes_error_tol):
    if (max_risk is None) == (bayes_error_tol is None):
        raise ValueError(
            "Give exactly one of max_risk (the largest acceptable risk) or bayes_error_tol (converted "
            f"to max_risk = 8 * bayes_error_tol**2); got max_risk={max_risk!r}, bayes_error_tol={bayes_error_tol!r}."
        )
    return float(max_risk) if max_risk is not None else 8.0 * float(bayes_error_tol) ** 2


def _required_n(c1, c2, p, threshold):
    if math.isinf(c1):
        return None
    discriminant = c1**2 + 4.0 * threshold * c2
    if discriminant < 0:
        warnings.warn(
            "c1/n + c2/n^2 stays below the threshold for every n (c2 < 0): n_required is set to p + 1, "
            "the smallest n at which the expansion can be trusted at all.",
            RuntimeWarning,
            stacklevel=3,
        )
        return p + 1
    return max(p + 1, math.ceil((c1 + math.sqrt(discriminant)) / (2.0 * threshold)))


def _decide(result, threshold):
    accepted = bool(result.risk <= threshold)
    bound = 0.5 - math.sqrt(max(result.risk, 0.0) / 8.0) if math.isfinite(result.risk) else 0.0
    return PNCriterionResult(
        **result.__dict__,
        threshold=threshold,
        accepted=accepted,
        n_required=_required_n(result.c1, result.c2, result.p, threshold),
        bayes_error_bound=bound,
    )


_THRESHOLD_CONSTRAINTS = {
    "max_risk": [Interval(Real, 0, None, closed="neither"), None],
    "bayes_error_tol": [Interval(Real, 0, 0.5, closed="neither"), None],
    "n": [Interval(Integral, 1, None, closed="left"), None],
    "n_mc": [Interval(Integral, 2, None, closed="left"), None],
    "random_state": ["random_state"],
}


@validate_params(
    {"X": ["array-like"], "family": _FAMILY_CONSTRAINT, **_THRESHOLD_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def pn_criterion(X, family, *, max_risk=None, bayes_error_tol=None, n=None, n_mc=None, random_state=None):
    """Decide whether a model of dimension p is estimable from n observations.

    The p-n criterion accepts ``(p, n)`` when the MLE's estimated risk
    ``c1 / n + c2 / n**2`` (see :func:`mle_risk_expansion`) to the
    information projection is at most a threshold ``delta``: the fitted
    model is then practically indistinguishable from the best model in the
    family. It also reports the sample size that would be needed.

    Parameters
    ----------
    X : array-like
        The observations, in the form ``family`` expects.
    family : {"normal", "multivariate_normal", "multinomial", "poisson", \
"bernoulli"} or ExponentialFamily
        The model.
    max_risk : float, default=None
        The threshold ``delta`` on the Kullback-Leibler risk. This is the
        primary setting; give it or ``bayes_error_tol``, not both.
    bayes_error_tol : float in (0, 0.5), default=None
        Alternative to ``max_risk``: the tolerated gap ``eps`` between 1/2
        and the expected Bayes error of telling the fitted model from the
        projection, converted to ``max_risk = 8 * eps**2`` by Pinsker's and
        Jensen's inequalities. This conversion is our own sufficient
        condition, not a constant taken from the paper.
    n : int, default=None
        Sample size to assess; defaults to the number of observations.
    n_mc : int, default=None
        Monte Carlo draws for families without exact integration.
    random_state : int, RandomState instance or None, default=None
        Seeds the Monte Carlo draws.

    Returns
    -------
    result : PNCriterionResult
        The fields of :class:`MLERiskResult` plus ``threshold``,
        ``accepted``, ``n_required`` (smallest ``n`` meeting the threshold,
        at least ``p + 1``) and ``bayes_error_bound`` (``1/2 - sqrt(risk /
        8)``). A boundary MLE (empty cell) gives ``risk = inf``,
        ``accepted = False`` and ``n_required = None``.

    Warns
    -----
    RuntimeWarning
        When ``|c2 / n| > c1`` (unreliable expansion) or when ``c2 < 0``
        keeps the expansion below the threshold for every ``n``.

    See Also
    --------
    select_model_pn : Apply the criterion to candidates of growing complexity.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of
       exponential family: Criterion for model dimension and sample size",
       Statistical Papers (2023), arXiv:2105.08947.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.model_selection import pn_criterion
    >>> X = np.random.default_rng(0).normal(size=(300, 3))
    >>> result = pn_criterion(X, "multivariate_normal", max_risk=0.01)
    >>> result.p, bool(result.accepted), result.n_required
    (9, False, 467)
    """
    threshold = _resolve_threshold(max_risk, bayes_error_tol)
    return _decide(_risk(X, family, n, n_mc, random_state), threshold)



def _apply_transform(transform, X):
    if transform is None or transform == "passthrough":
        return X
    if hasattr(transform, "fit_transform"):
        return transform.fit_transform(X)
    if callable(transform):
        return transform(X)
    raise TypeError(f"A candidate's transform must be None, callable or have fit_transform; got {transform!r}.")


@validate_params(
    {"candidates": ["array-like"], "X": ["array-like"], **_THRESHOLD_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def select_model_pn(candidates, X, *, max_risk=None, bayes_error_tol=None, n=None, n_mc=None, random_state=None):
    """Pick the most complex candidate model that the p-n criterion accepts.

    Candidates are ordered by complexity (e.g. histograms with more and
    more bins, or nested feature sets under a normal model); each is
    assessed with :func:`pn_criterion` and the last accepted one is chosen.

    Parameters
    ----------
    candidates : list
        Each item is a family (a name or an ``ExponentialFamily``), applied
        to ``X`` as is, or a triple ``(name, transform, family)`` where
        ``transform`` is None, a callable ``X -> X'`` or an object with
        ``fit_transform`` (e.g. a scikit-learn transformer) producing the data
        the family sees.
    X : array-like
        The observations.
    max_risk : float, default=None
        The risk threshold (the primary setting); see :func:`pn_criterion`.
    bayes_error_tol : float in (0, 0.5), default=None
        Alternative to ``max_risk``; see :func:`pn_criterion`.
    n : int, default=None
        Sample size to assess; defaults to the number of observations.
    n_mc : int, default=None
        Monte Carlo draws for families without exact integration.
    random_state : int, RandomState instance or None, default=None
        Seeds the Monte Carlo draws.

    Returns
    -------
    result : PNSelectionResult
        ``best_index`` and ``best_name`` (None when nothing is accepted),
        ``names`` and the per-candidate ``results``.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of
       exponential family: Criterion for model dimension and sample size",
       Statistical Papers (2023), arXiv:2105.08947.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.model_selection import MultinomialFamily, select_model_pn
    >>> x = np.random.default_rng(0).beta(2, 5, size=500)
    >>> def histogram(K):
    ...     return (f"K={K}", lambda x: np.minimum((x * K).astype(int), K - 1),
    ...             MultinomialFamily(categories=range(K)))
    >>> selection = select_model_pn([histogram(K) for K in (2, 4, 6, 8)], x, max_risk=0.005)
    >>> selection.best_name
    'K=4'
    >>> [round(r.risk, 5) for r in selection.results]
    [0.00102, 0.00323, 0.006, inf]
    """
    threshold = _resolve_threshold(max_risk, bayes_error_tol)
    if len(candidates) == 0:
        raise ValueError("candidates must contain at least one model.")
    names, results = [], []
    for position, candidate in enumerate(candidates):
        if isinstance(candidate, tuple):
            if len(candidate) != 3:
                raise ValueError(f"Candidate {position} must be a family or a (name, transform, family) triple.")
            name, transform, family = candidate
        else:
            name, transform, family = None, None, candidate
        family = _check_family(family)
        names.append(str(name) if name is not None else f"{position}: {getattr(family, 'name', type(family).__name__)}")
        risk = _risk(_apply_transform(transform, X), family, n, n_mc, random_state)
        results.append(_decide(risk, threshold))
    accepted = [position for position, result in enumerate(results) if result.accepted]
    best = accepted[-1] if accepted else None
    return PNSelectionResult(best, None if best is None else names[best], names, results)



@validate_params(
    {
        "G": ["array-like"],
        "K3": ["array-like"],
        "K4": ["array-like"],
        "Sigma": ["array-like"],
        "k3": ["array-like"],
        "n": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def projection_risk_from_cumulants(G, K3, K4, Sigma, k3, n):
    """Risk expansion of the MLE from given cumulants (explicit tensor formula).

    Computes ``c1 = tr(G^-1 Sigma) / 2`` and ``c2 = 1/3 sum phi_ijk k3^ijk +
    3/8 sum phi_ijkl Sigma^ij Sigma^kl`` with the full ``p**3`` and ``p**4``
    tensors, where ``phi_ijk = -G^ia G^jb G^kc K3_abc`` and ``phi_ijkl =
    G^ia G^jb G^kc G^ld (-K4_abcd + K3_abe G^ef K3_fcd + K3_ace G^ef K3_fbd +
    K3_ade G^ef K3_fbc)``. Use it for small ``p`` and population cumulants;
    :func:`mle_risk_expansion` evaluates the same quantity without tensors.

    Parameters
    ----------
    G : array-like of shape (p, p)
        Covariance of ``T`` under the projection ``g_theta*`` (Fisher
        information).
    K3 : array-like of shape (p, p, p)
        Third cumulant of ``T`` under ``g_theta*``.
    K4 : array-like of shape (p, p, p, p)
        Fourth cumulant of ``T`` under ``g_theta*``.
    Sigma : array-like of shape (p, p)
        Covariance of ``T`` under the true distribution.
    k3 : array-like of shape (p, p, p)
        Third cumulant of ``T`` under the true distribution.
    n : int
        Sample size.

    Returns
    -------
    result : MLERiskResult
        With ``family=None`` and ``n_samples=None``.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of
       exponential family: Criterion for model dimension and sample size",
       Statistical Papers (2023), arXiv:2105.08947.

    Examples
    --------
    Univariate normal, correct model, ``T = (x, x**2)`` at ``N(0, 1)``:
    ``c1 = 1`` and ``c2 = 61/12``.

    >>> import numpy as np
    >>> from skpapers.model_selection import projection_risk_from_cumulants
    >>> x, w = np.polynomial.hermite_e.hermegauss(6)
    >>> w = w / w.sum()
    >>> Y = np.stack([x, x**2 - 1], axis=1)
    >>> G = np.einsum("m,mi,mj->ij", w, Y, Y)
    >>> K3 = np.einsum("m,mi,mj,mk->ijk", w, Y, Y, Y)
    >>> K4 = (np.einsum("m,mi,mj,mk,ml->ijkl", w, Y, Y, Y, Y) - np.einsum("ij,kl->ijkl", G, G)
    ...       - np.einsum("ik,jl->ijkl", G, G) - np.einsum("il,jk->ijkl", G, G))
    >>> result = projection_risk_from_cumulants(G, K3, K4, G, K3, n=20)
    >>> round(result.c1, 6), round(result.c2 * 12, 6), round(result.risk, 6)
    (1.0, 61.0, 0.062708)
    """
    G = np.asarray(G, dtype=np.float64)
    if G.ndim != 2 or G.shape[0] != G.shape[1]:
        raise ValueError(f"G must be a square (p, p) matrix; got shape {G.shape}.")
    p = G.shape[0]
    arrays = {
        "K3": (np.asarray(K3, dtype=np.float64), (p,) * 3),
        "K4": (np.asarray(K4, dtype=np.float64), (p,) * 4),
        "Sigma": (np.asarray(Sigma, dtype=np.float64), (p,) * 2),
        "k3": (np.asarray(k3, dtype=np.float64), (p,) * 3),
    }
    for name, (array, shape) in arrays.items():
        if array.shape != shape:
            raise ValueError(f"{name} must have shape {shape} to match G; got {array.shape}.")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} contains NaN or infinity.")
    K3, K4, Sigma, k3 = (arrays[key][0] for key in ("K3", "K4", "Sigma", "k3"))
    Gi = np.linalg.inv(_check_positive_definite(G, "G"))
    c1 = 0.5 * float(np.sum(Gi * Sigma))
    phi3 = -np.einsum("ia,jb,kc,abc->ijk", Gi, Gi, Gi, K3)
    inner = (
        -K4
        + np.einsum("abe,ef,fcd->abcd", K3, Gi, K3)
        + np.einsum("ace,ef,fbd->abcd", K3, Gi, K3)
        + np.einsum("ade,ef,fbc->abcd", K3, Gi, K3)
    )
    phi4 = np.einsum("ia,jb,kc,ld,abcd->ijkl", Gi, Gi, Gi, Gi, inner, optimize=True)
    c2 = np.sum(phi3 * k3) / 3.0 + 3.0 * np.einsum("ijkl,ij,kl->", phi4, Sigma, Sigma) / 8.0
    return _make_result(c1, float(c2), int(n), p, None, None)

