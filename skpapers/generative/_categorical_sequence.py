"""Class-conditional autoregressive sampler of categorical rows, with temperature and logit suppression."""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["CategoricalSequenceGenerator"]


def _check_integer_codes(X, name="X"):
    if np.any(X < 0):
        raise ValueError(f"Negative values in data passed to {name}: category codes must be >= 0.")
    if not np.all(X == np.floor(X)):
        raise ValueError(
            f"{name} must hold integer category codes (e.g. the output of OrdinalEncoder); "
            "discretize continuous columns first, for instance with KBinsDiscretizer(encode='ordinal')."
        )
    return X.astype(np.int64)


class CategoricalSequenceGenerator(BaseEstimator):
    """Generate labelled categorical rows one feature ("token") at a time.

    The tabular stand-in for prompting a language model with a label: for
    class ``k`` the value of feature ``j`` is drawn from additive-smoothed
    counts ``p(x_j | y=k, x_{j-c}, ..., x_{j-1})`` of the training rows, with
    ``c = context`` previous features as context (``context=0`` gives the
    naive-Bayes tables of :class:`~sklearn.naive_bayes.CategoricalNB`). Two
    diversification knobs act on the logits before each draw:

    ``logit_v = log p_v / temperature - suppression * f_v``

    where ``f_v`` is the share of the rows already generated in the same
    call for the same class that took value ``v`` at that feature.
    ``temperature > 1`` flattens the distribution; ``suppression > 0``
    down-weights values that were already produced, as the paper's logit
    bias does for repeated tokens.

    Parameters
    ----------
    temperature : float, default=1.0
        Softmax temperature, > 0.
    suppression : float, default=0.0
        Weight ``lambda`` >= 0 of the frequency penalty. With a positive value
        the rows of one class are drawn one after another (the penalty depends
        on the rows before), which is slower than the fully vectorised draw.
    alpha : float, default=0.5
        Additive (Laplace/Lidstone) smoothing, >= 0. With ``alpha=0`` a value
        never seen in a context has probability 0 and is never drawn.
    context : int, default=0
        Number of previous features the conditional tables condition on.
        Tables grow as ``n_categories ** context``: keep it small.
    estimator : classifier or None, default=None
        A classifier with ``predict_proba`` used instead of the count tables:
        a clone per feature ``j`` learns ``x_j`` from the one-hot codes of the
        class and of the whole prefix ``x_0, ..., x_{j-1}`` (``context`` is
        then ignored). Values it never saw get probability 0.
    random_state : int, RandomState instance or None, default=None
        Default seed of :meth:`sample` when its own ``random_state`` is None.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    categories_ : list of ndarray
        ``categories_[j]`` is ``arange(max code of feature j in fit + 1)``.
    class_prior_ : ndarray of shape (n_classes,)
        Empirical class frequencies; labels are drawn from it by default.
    log_prob_ : list of ndarray
        ``log_prob_[j]`` has shape ``(n_classes, n_contexts_j, n_categories_j)``:
        log-probabilities of feature ``j`` given the class and the mixed-radix
        code of its context (``n_contexts_j = 1`` when ``context=0``; then
        ``log_prob_[j][:, 0, :]`` equals ``CategoricalNB.feature_log_prob_[j]``).
    estimators_ : list or None
        With ``estimator``: the fitted clone of each feature (None for a
        feature with a single observed value, which is always generated).
    n_features_in_ : int
        Number of features seen in :meth:`fit`.

    See Also
    --------
    sklearn.naive_bayes.CategoricalNB : The same count tables, used to classify.
    skpapers.over_sampling.SyntheticDataAugmenter : Generate, relabel and filter.

    Notes
    -----
    Codes must be integers in ``[0, n_categories_j)``; codes above the largest
    one seen in ``fit`` are never generated. When every value of a feature is
    impossible (``alpha=0`` and an unseen context) the draw falls back to
    uniform over the categories with a ``RuntimeWarning``.

    References
    ----------
    .. [1] J. J. Y. Chung, E. Kamar and S. Amershi, "Increasing Diversity While
       Maintaining Accuracy: Text Data Generation with Large Language Models
       and Human Interventions", 2023, arXiv:2306.04140.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import CategoricalSequenceGenerator
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 200)
    >>> X = np.column_stack([y + rng.integers(0, 2, 200), rng.integers(0, 3, 200)])
    >>> gen = CategoricalSequenceGenerator(temperature=1.5, random_state=0).fit(X, y)
    >>> X_new, y_new = gen.sample_labeled(5)
    >>> X_new.shape, y_new.shape
    ((5, 2), (5,))
    """

    _parameter_constraints: dict = {
        "temperature": [Interval(numbers.Real, 0, None, closed="neither")],
        "suppression": [Interval(numbers.Real, 0, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "context": [Interval(numbers.Integral, 0, None, closed="left")],
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "random_state": ["random_state"],
    }

    def __init__(self, temperature=1.0, suppression=0.0, alpha=0.5, context=0, estimator=None, random_state=None):
        self.temperature = temperature
        self.suppression = suppression
        self.alpha = alpha
        self.context = context
        self.estimator = estimator
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        tags.target_tags.required = True
        return tags

    def _context_codes(self, X, j):
        """Mixed-radix code of the context features of feature ``j`` for every row."""
        start = max(0, j - self.context)
        codes = np.zeros(X.shape[0], dtype=np.int64)
        for i in range(start, j):
            codes = codes * self._n_cats[i] + X[:, i]
        return codes

    def fit(self, X, y):
        """Estimate the class-conditional count tables.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Non-negative integer category codes.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The fitted generator.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        X = _check_integer_codes(X)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        n_classes = self.classes_.size
        self.class_prior_ = np.bincount(y_idx, minlength=n_classes) / y_idx.size
        self._n_cats = X.max(axis=0) + 1
        self.categories_ = [np.arange(m) for m in self._n_cats]
        self.log_prob_ = []
        with np.errstate(divide="ignore", invalid="ignore"):
            for j in range(X.shape[1]):
                n_ctx = int(np.prod(self._n_cats[max(0, j - self.context) : j]))
                ctx = self._context_codes(X, j)
                flat = (y_idx * n_ctx + ctx) * self._n_cats[j] + X[:, j]
                counts = np.bincount(flat, minlength=n_classes * n_ctx * self._n_cats[j]).astype(float)
                counts = counts.reshape(n_classes, n_ctx, self._n_cats[j]) + self.alpha
                # An all-zero row (alpha=0, unseen context) stays at -inf, never NaN: handled at draw time.
                totals = counts.sum(axis=2, keepdims=True)
                self.log_prob_.append(np.where(totals > 0, np.log(counts) - np.log(np.maximum(totals, 1e-300)), -np.inf))
        self.estimators_ = None
        if self.estimator is not None:
            self.estimators_, self._constant = [], {}
            for j in range(X.shape[1]):
                target = X[:, j]
                single = np.unique(target).size == 1
                self.estimators_.append(None if single else clone(self.estimator).fit(self._prefix(X, y_idx, j), target))
                if single:
                    self._constant[j] = int(target[0])
        return self

    def _prefix(self, X, y_idx, j):
        """One-hot codes of the class and of features ``0..j-1`` (the estimator's input)."""
        blocks = [np.eye(self.classes_.size)[y_idx]] + [np.eye(self._n_cats[i])[X[:, i]] for i in range(j)]
        return np.hstack(blocks)

    def _row_log_prob(self, j, X, y_idx):
        """Log-probabilities of feature ``j`` for each row, from the tables or the estimator."""
        if self.estimators_ is None:
            return self.log_prob_[j][y_idx, self._context_codes(X, j)]
        out = np.full((y_idx.size, self._n_cats[j]), -np.inf)
        est = self.estimators_[j]
        if est is None:
            out[:, self._constant[j]] = 0.0
            return out
        with np.errstate(divide="ignore"):
            out[:, est.classes_.astype(np.int64)] = np.log(est.predict_proba(self._prefix(X, y_idx, j)))
        return out

    def _labels(self, n_samples, y, rng):
        if y is None:
            if not isinstance(n_samples, numbers.Integral) or n_samples < 1:
                raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
            return rng.choice(self.classes_.size, size=n_samples, p=self.class_prior_)
        y = np.asarray(y)
        if y.ndim != 1 or y.size < 1:
            raise ValueError("y must be a non-empty 1-d array of requested labels.")
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, self.classes_.size - 1)
        if not np.all(self.classes_[idx] == y):
            raise ValueError(f"y holds labels not seen in fit; known classes are {self.classes_.tolist()}.")
        return idx

    @staticmethod
    def _cumulative(logits, used=None):
        """Cumulative probabilities along the last axis (-inf = impossible), uniform where all are impossible.

        ``used`` marks the table rows actually drawn from: only those warn.
        """
        dead = ~np.isfinite(logits).any(axis=-1)
        if (dead if used is None else dead & used).any():
            warnings.warn(
                "some draws had every value impossible (alpha=0 and an unseen context); "
                "falling back to uniform.",
                RuntimeWarning,
            )
        if dead.any():
            logits = np.where(dead[..., None], 0.0, logits)
        prob = np.exp(logits - logits.max(axis=-1, keepdims=True))
        cum = np.cumsum(prob, axis=-1)
        return cum / cum[..., -1:]

    @staticmethod
    def _draw_cumulative(cum, rng):
        """One inverse-CDF draw per row of ``cum``."""
        u = rng.random(cum.shape[0])[:, None]
        return np.minimum((cum <= u).sum(axis=1), cum.shape[1] - 1)

    def _draw(self, logits, rng):
        """One categorical draw per row of ``logits`` (-inf = impossible)."""
        return self._draw_cumulative(self._cumulative(logits), rng)

    def _generate(self, y_idx, rng):
        n, d = y_idx.size, self.n_features_in_
        X = np.zeros((n, d), dtype=np.int64)
        if self.suppression == 0 and self.estimators_ is not None:
            for j in range(d):
                X[:, j] = self._draw(self._row_log_prob(j, X, y_idx) / self.temperature, rng)
            return X
        if self.suppression == 0:
            # Without suppression the tables are fixed: normalise each once, then index it per row.
            for j in range(d):
                ctx = self._context_codes(X, j)
                used = np.zeros(self.log_prob_[j].shape[:2], dtype=bool)
                used[y_idx, ctx] = True
                cum = self._cumulative(self.log_prob_[j] / self.temperature, used)
                X[:, j] = self._draw_cumulative(cum[y_idx, ctx], rng)
            return X
        # Rank of each row within its class: rows of equal rank (one per class) are drawn together.
        order = np.argsort(y_idx, kind="stable")
        rank = np.empty(n, dtype=np.int64)
        starts = np.searchsorted(y_idx[order], y_idx[order])
        rank[order] = np.arange(n) - starts
        counts = [np.zeros((self.classes_.size, m)) for m in self._n_cats]
        for r in range(rank.max() + 1):
            rows = np.flatnonzero(rank == r)
            cls = y_idx[rows]
            for j in range(d):
                logits = self._row_log_prob(j, X[rows], cls) / self.temperature
                if r > 0:
                    logits = logits - self.suppression * counts[j][cls] / r
                X[rows, j] = self._draw(logits, rng)
                counts[j][cls, X[rows, j]] += 1
        return X

    def sample_labeled(self, n_samples=1, random_state=None, y=None):
        """Generate rows together with the labels they were generated for.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows, ignored when ``y`` is given.
        random_state : int, RandomState instance or None, default=None
            Seed of this call; None uses the estimator's ``random_state``.
        y : array-like of shape (n_rows,), default=None
            Requested labels (values of ``classes_``). None draws them from
            ``class_prior_``.

        Returns
        -------
        X : ndarray of shape (n_rows, n_features_in_)
            Integer category codes.
        y : ndarray of shape (n_rows,)
            The requested labels.
        """
        check_is_fitted(self)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        y_idx = self._labels(n_samples, y, rng)
        return self._generate(y_idx, rng), self.classes_[y_idx]

    def score_samples(self, X):
        """Log-density of each row under the generator without suppression.

        ``log sum_k prior_k prod_j q(x_j | k, context)``, where ``q`` is the
        tempered distribution drawn from (``softmax(log p / temperature)``).
        Suppression makes draws depend on earlier rows, so it is not part of
        this density. At ``temperature=1`` with ``context=0`` this is the
        log-marginal of :class:`~sklearn.naive_bayes.CategoricalNB`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Integer category codes; codes never seen in fit score ``-inf``.

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
            Log-probability of each row.
        """
        check_is_fitted(self)
        X = _check_integer_codes(validate_data(self, X, dtype=np.float64, reset=False))
        unseen = np.any(X >= self._n_cats, axis=1)
        X = np.where(X >= self._n_cats, 0, X)
        joint = np.tile(np.log(self.class_prior_), (X.shape[0], 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            for k in range(self.classes_.size):
                y_idx = np.full(X.shape[0], k)
                for j in range(self.n_features_in_):
                    logits = self._row_log_prob(j, X, y_idx) / self.temperature
                    finite = np.isfinite(logits).any(axis=1, keepdims=True)
                    top = np.where(finite, logits.max(axis=1, keepdims=True), 0.0)
                    log_norm = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
                    joint[:, k] += logits[np.arange(X.shape[0]), X[:, j]] - log_norm
            top = joint.max(axis=1)
            safe = np.where(np.isfinite(top), top, 0.0)
            out = safe + np.log(np.exp(joint - safe[:, None]).sum(axis=1))
        out[unseen] = -np.inf
        return out

    def sample(self, n_samples=1, random_state=None, y=None):
        """Generate rows (see :meth:`sample_labeled`, which also returns labels).

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows, ignored when ``y`` is given.
        random_state : int, RandomState instance or None, default=None
            Seed of this call; None uses the estimator's ``random_state``.
        y : array-like of shape (n_rows,), default=None
            Requested labels; None draws them from ``class_prior_``.

        Returns
        -------
        X : ndarray of shape (n_rows, n_features_in_)
            Integer category codes.
        """
        return self.sample_labeled(n_samples, random_state=random_state, y=y)[0]
