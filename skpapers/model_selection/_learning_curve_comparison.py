"""Learning curves of several estimators on the same subsamples."""

from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_array, check_consistent_length


@dataclass
class LearningCurveComparison:
    """Test scores of several estimators against the training-set size.

    Returned by :func:`learning_curve_comparison`.

    Parameters
    ----------
    names : list of str
        The estimators' names, in the order of the first axis of ``scores``.
    train_sizes : ndarray of shape (n_sizes,)
        Training-set sizes ``m``, increasing.
    scores : ndarray of shape (n_estimators, n_sizes, n_repeats)
        Test score of every estimator, size and repeat.
    scoring : str
        What ``scores`` holds: ``"error"`` (misclassification rate) or the
        name of a scorer.
    greater_is_better : bool
        False for errors and losses.

    Attributes
    ----------
    mean : ndarray of shape (n_estimators, n_sizes)
        Mean score over the repeats.
    std : ndarray of shape (n_estimators, n_sizes)
        Standard deviation of the score over the repeats.

    References
    ----------
    .. [1] C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li and J. Zhu, "Revisiting
       Discriminative vs. Generative Classifiers: Theory and Implications",
       ICML 2023, arXiv:2302.02334.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.model_selection import LearningCurveComparison
    >>> curves = LearningCurveComparison(
    ...     names=["generative", "discriminative"], train_sizes=np.array([10, 20, 40]),
    ...     scores=np.array([[[0.20], [0.15], [0.14]], [[0.30], [0.16], [0.10]]]),
    ...     scoring="error", greater_is_better=False)
    >>> curves.samples_to_reach(0.15)
    {'generative': 20, 'discriminative': 40}
    >>> curves.crossover()
    40
    """

    names: list
    train_sizes: np.ndarray
    scores: np.ndarray
    scoring: str = "error"
    greater_is_better: bool = False
    mean: np.ndarray = field(init=False, repr=False)
    std: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        self.names = list(self.names)
        self.train_sizes = np.asarray(self.train_sizes)
        self.scores = np.asarray(self.scores, dtype=np.float64)
        expected = (len(self.names), self.train_sizes.shape[0])
        if self.scores.ndim != 3 or self.scores.shape[:2] != expected:
            raise ValueError(
                f"scores must have shape (n_estimators, n_sizes, n_repeats) = {expected + ('*',)}; "
                f"got {self.scores.shape}."
            )
        self.mean = self.scores.mean(axis=2)
        self.std = self.scores.std(axis=2)

    def _index(self, name):
        if name not in self.names:
            raise ValueError(f"Unknown estimator {name!r}; known: {self.names}.")
        return self.names.index(name)

    def samples_to_reach(self, level):
        """Smallest training size whose mean score reaches ``level``.

        Parameters
        ----------
        level : float
            Target: the mean error must be ``<= level`` (or the mean score
            ``>= level`` when greater is better).

        Returns
        -------
        sizes : dict
            ``{name: m}``, with ``m = None`` for an estimator that never
            reaches ``level`` on the grid.
        """
        reached = self.mean >= level if self.greater_is_better else self.mean <= level
        return {
            name: (int(self.train_sizes[np.argmax(row)]) if row.any() else None)
            for name, row in zip(self.names, reached)
        }

    def crossover(self, first=None, second=None):
        """Training size after which the ranking of two estimators flips for good.

        Parameters
        ----------
        first, second : str, default=None
            The two estimators; None means the first and the second of
            ``names``.

        Returns
        -------
        m : int or None
            The first training size from which the estimator that was
            behind at the smallest size stays strictly ahead at every larger
            size; None if the ranking never flips for good (or the two start
            level).
        """
        first = self.names[0] if first is None else first
        second = self.names[1] if second is None else second
        if first == second:
            raise ValueError("first and second must name two different estimators.")
        diff = self.mean[self._index(first)] - self.mean[self._index(second)]
        sign = np.sign(diff)
        if sign[0] == 0:
            return None
        flipped = sign == -sign[0]
        # The flip holds for good from the first index after the last non-flipped size.
        not_flipped = np.flatnonzero(~flipped)
        start = not_flipped[-1] + 1
        if start >= sign.shape[0]:
            return None
        return int(self.train_sizes[start])


def _allocation(counts, size):
    """Per-class sizes of a stratified subsample of ``size`` (largest remainders, ties by class order)."""
    share = size * counts / counts.sum()
    allocation = np.floor(share).astype(int)
    remainder = size - allocation.sum()
    if remainder:
        order = np.argsort(-(share - allocation), kind="stable")
        allocation[order[:remainder]] += 1
    return allocation


def _stratified_subsample(y_codes, counts, size, rng):
    """Row indices of a random stratified subsample of ``size`` rows."""
    by_class = np.argsort(y_codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    chosen = [
        by_class[start + rng.choice(count, size=take, replace=False)]
        for start, count, take in zip(starts, counts, _allocation(counts, size))
        if take
    ]
    return rng.permutation(np.concatenate(chosen))


def _fit_and_score(estimators, X, y, X_test, y_test, indices, scorer):
    scores = []
    for estimator in estimators:
        fitted = clone(estimator).fit(X[indices], y[indices])
        if scorer is None:
            scores.append(np.mean(fitted.predict(X_test) != y_test))
        else:
            scores.append(scorer(fitted, X_test, y_test))
    return scores


def _named_estimators(estimators):
    if isinstance(estimators, dict):
        pairs = list(estimators.items())
    else:
        pairs = list(estimators)
        if all(isinstance(pair, tuple) and len(pair) == 2 for pair in pairs):
            pass
        else:
            raise TypeError(
                "estimators must be a dict {name: estimator} or a list of (name, estimator) pairs."
            )
    if len(pairs) < 1:
        raise ValueError("estimators must hold at least one estimator.")
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names) or not all(isinstance(name, str) for name in names):
        raise ValueError(f"estimator names must be distinct strings; got {names!r}.")
    for name, estimator in pairs:
        if not is_classifier(estimator):
            raise TypeError(f"estimators[{name!r}] must be a classifier; got {estimator!r}.")
    return names, [estimator for _, estimator in pairs]


@validate_params(
    {
        "estimators": [dict, list],
        "X": ["array-like"],
        "y": ["array-like"],
        "train_sizes": ["array-like"],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "X_test": ["array-like", None],
        "y_test": ["array-like", None],
        "test_size": [Interval(Real, 0, 1, closed="neither"), Interval(Integral, 1, None, closed="left")],
        "require_all_classes": ["boolean"],
        "scoring": [StrOptions({"error"}), str, callable],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=False,
)
def learning_curve_comparison(
    estimators,
    X,
    y,
    *,
    train_sizes,
    n_repeats=5,
    X_test=None,
    y_test=None,
    test_size=0.25,
    require_all_classes=True,
    scoring="error",
    random_state=None,
    n_jobs=None,
):
    """Learning curves of several classifiers, fitted on the same subsamples.

    For every training size ``m`` and repeat, a stratified subsample of
    ``m`` rows is drawn from ``(X, y)`` and every estimator is cloned, fitted
    on it and scored on the same test set, so that the curves differ only by
    the estimators (paired comparison). This is the protocol Zheng et al.
    (2023) use to show that naive Bayes approaches its asymptotic error with
    fewer samples than logistic regression; the result tells how many
    samples each estimator needs to reach an error and where their curves
    cross.

    Parameters
    ----------
    estimators : dict or list of (str, estimator) tuples
        The classifiers to compare, by name.
    X : array-like of shape (n_samples, n_features)
        Pool the training subsamples are drawn from.
    y : array-like of shape (n_samples,)
        Class labels of ``X``.
    train_sizes : array-like of int
        Training sizes ``m``, each between the number of classes and the
        size of the pool; sorted and deduplicated.
    n_repeats : int, default=5
        Subsamples per training size.
    X_test, y_test : array-like, default=None
        Test set. None holds out a stratified ``test_size`` share of
        ``(X, y)`` instead (the pool is then the rest).
    test_size : float or int, default=0.25
        Held-out share (float in (0, 1)) or count (int), when ``X_test`` is
        None.
    require_all_classes : bool, default=True
        Raise ``ValueError`` when a training size is too small for the
        stratified subsample to hold every class (a classifier cannot learn a
        class it never sees). With False such subsamples are used as drawn.
    scoring : "error", str or callable, default="error"
        ``"error"`` is the misclassification rate on the test set (lower is
        better); any other value is a scikit-learn scorer (higher is better).
    random_state : int, RandomState instance or None, default=None
        Seed of the held-out split and of the subsamples.
    n_jobs : int, default=None
        Parallel jobs over (size, repeat) pairs (joblib).

    Returns
    -------
    result : LearningCurveComparison
        ``names``, ``train_sizes``, ``scores`` (n_estimators, n_sizes,
        n_repeats), ``mean``, ``std``, and the methods ``samples_to_reach``
        and ``crossover``.

    See Also
    --------
    sklearn.model_selection.learning_curve : One estimator, cross-validated.

    Notes
    -----
    The work is many small fits, for which multi-threaded BLAS brings little
    and, on a busy machine, costs much: running the call inside
    ``threadpoolctl.threadpool_limits(limits=1)``, or with ``n_jobs``, is
    often several times faster.

    References
    ----------
    .. [1] C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li and J. Zhu, "Revisiting
       Discriminative vs. Generative Classifiers: Theory and Implications",
       ICML 2023, arXiv:2302.02334.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skpapers.datasets import make_gaussian_mixture_classification
    >>> from skpapers.model_selection import learning_curve_comparison
    >>> from skpapers.naive_bayes import PooledGaussianNB
    >>> X, y = make_gaussian_mixture_classification(4000, 50, random_state=0)
    >>> curves = learning_curve_comparison(
    ...     {"NB": PooledGaussianNB(), "LR": LogisticRegression()}, X, y,
    ...     train_sizes=[4, 16, 64, 256], n_repeats=3, random_state=0)
    >>> curves.mean.shape
    (2, 4)
    >>> curves.samples_to_reach(0.02)
    {'NB': 16, 'LR': 256}
    """
    names, estimators = _named_estimators(estimators)
    X = check_array(X, input_name="X")
    y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
    check_consistent_length(X, y)
    check_classification_targets(y)
    rng = check_random_state(random_state)

    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test must be given together.")
    if X_test is None:
        X, X_test, y, y_test = train_test_split(
            X, y, test_size=test_size, stratify=y, random_state=rng.randint(np.iinfo(np.int32).max)
        )
    else:
        X_test = check_array(X_test, input_name="X_test")
        y_test = check_array(y_test, ensure_2d=False, dtype=None, input_name="y_test")
        check_consistent_length(X_test, y_test)
        if X_test.shape[1] != X.shape[1]:
            raise ValueError(
                f"X_test has {X_test.shape[1]} features, but X has {X.shape[1]}."
            )

    classes, y_codes = np.unique(y, return_inverse=True)
    n_classes = classes.shape[0]
    sizes = check_array(train_sizes, ensure_2d=False, dtype=None, input_name="train_sizes")
    if sizes.ndim != 1 or sizes.size == 0 or not np.all(np.equal(np.mod(sizes, 1), 0)):
        raise ValueError(f"train_sizes must be a non-empty list of integers; got {sizes.tolist()!r}.")
    sizes = np.unique(sizes.astype(int))
    if sizes[0] < n_classes or sizes[-1] > X.shape[0]:
        raise ValueError(
            f"train_sizes must lie between the number of classes ({n_classes}) and the size of "
            f"the training pool ({X.shape[0]}); got {sizes.tolist()!r}."
        )
    counts = np.bincount(y_codes, minlength=n_classes)
    if require_all_classes:
        too_small = [int(m) for m in sizes if np.any(_allocation(counts, m) == 0)]
        if too_small:
            raise ValueError(
                f"train_sizes {too_small!r} are too small for a stratified subsample to hold "
                "every class (the rarest class is too rare); raise them or set "
                "require_all_classes=False."
            )

    scorer = None if scoring == "error" else check_scoring(estimators[0], scoring=scoring)
    seeds = rng.randint(np.iinfo(np.int32).max, size=(sizes.shape[0], n_repeats))
    tasks = [
        (i, r, _stratified_subsample(y_codes, counts, m, np.random.RandomState(seeds[i, r])))
        for i, m in enumerate(sizes)
        for r in range(n_repeats)
    ]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(estimators, X, y, X_test, y_test, indices, scorer)
        for _, _, indices in tasks
    )
    scores = np.empty((len(estimators), sizes.shape[0], n_repeats))
    for (i, r, _), task_scores in zip(tasks, results):
        scores[:, i, r] = task_scores
    return LearningCurveComparison(
        names=names,
        train_sizes=sizes,
        scores=scores,
        scoring=scoring if isinstance(scoring, str) else getattr(scoring, "__name__", "custom"),
        greater_is_better=scorer is not None,
    )
