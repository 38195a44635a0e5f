"""Utility-diversity online batch selection around any ``partial_fit`` classifier."""

import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context, clone
from sklearn.linear_model import SGDClassifier
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

_MAX_SEED = np.iinfo(np.int32).max


def _default_estimator(random_state):
    return SGDClassifier(loss="log_loss", random_state=random_state)


def _estimator_has(attr):
    """Delegate ``attr`` to the fitted estimator, or to the one that will be fitted."""

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        estimator = self.estimator if self.estimator is not None else _default_estimator(None)
        return hasattr(estimator, attr)

    return check


def _encode_groups(groups, n_samples):
    """Integer group codes ``0..n_groups-1`` (in order of first appearance) for each row."""
    if groups is None:
        return np.arange(n_samples)
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.shape[0] != n_samples:
        raise ValueError(
            f"groups must be a 1-D array with one entry per row of X ({n_samples}); got shape {groups.shape}."
        )
    if groups.dtype.kind == "f" and not np.all(np.isfinite(groups)):
        raise ValueError("groups must not contain NaN or infinite values.")
    _, first, codes = np.unique(groups, return_index=True, return_inverse=True)
    # renumber by first appearance so that candidate order follows row order
    rank = np.empty_like(first)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[codes.ravel()]


class _GroupIndex:
    """Rows of each group, stored once so that a set of groups maps to its rows without a loop."""

    def __init__(self, codes):
        self.n_groups = int(codes.max()) + 1 if codes.size else 0
        self.order = np.argsort(codes, kind="stable")
        self.sizes = np.bincount(codes, minlength=self.n_groups)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])

    def rows(self, group_ids):
        """Row indices of ``group_ids`` (concatenated in that order) and the position of each row's group."""
        sizes = self.sizes[group_ids]
        total = int(sizes.sum())
        ends = np.cumsum(sizes)
        owner = np.repeat(np.arange(group_ids.size), sizes)
        offset_in_group = np.arange(total) - (ends - sizes)[owner]
        return self.order[self.starts[group_ids][owner] + offset_in_group], owner


def _pad_groups(values, owner, n_groups):
    """Stack the rows of each group into a zero-padded ``(n_groups, max_length, n_columns)`` array.

    ``owner`` gives the group (0..n_groups-1) of each row; rows keep their order
    within a group.
    """
    sizes = np.bincount(owner, minlength=n_groups)
    order = np.argsort(owner, kind="stable")
    sorted_owner = owner[order]
    position = np.arange(owner.size) - (np.cumsum(sizes) - sizes)[sorted_owner]
    padded = np.zeros((n_groups, int(sizes.max()) if sizes.size else 0, values.shape[1]))
    padded[sorted_owner, position] = values[order]
    return padded, sizes


def _zscore(values):
    std = values.std()
    if not np.isfinite(std) or std <= 0:
        return np.zeros_like(values)
    return (values - values.mean()) / std


class UtilityDiversityClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Online batch selection by utility and diversity (UDS) around a ``partial_fit`` classifier.

    Training streams through the data in candidate batches of ``batch_size``
    samples. The current model scores every candidate, and only the best
    ``K = max(1, floor(selection_ratio * batch size))`` of each batch are passed
    to the wrapped estimator's ``partial_fit``. The score of sample ``i`` is

    ``s_i = ||Z_i||_* + alpha * mean_{m in M} ||phi(Z_i) - m||_2``

    where ``Z_i`` is the model's output matrix for the sample (one row per row
    of the sample), ``||.||_*`` its nuclear norm (the utility, which also
    rewards diverse rows within the sample), ``phi`` a Gaussian random
    projection and ``M`` a first-in-first-out memory of the embeddings of
    previously selected samples (the diversity with respect to what was already
    learnt).

    A *sample* is one row of ``X`` unless ``groups`` is passed to ``fit``: rows
    sharing a group id then form one sample (a document's sentences, a
    session's events, a bag of instances), the analogue of the paper's token
    sequences. With one row per sample ``Z_i`` has rank one, its nuclear norm
    is the Euclidean norm of the output row, and the utility reduces to the
    model's confidence: on tabular data this favours redundant, already
    well-fitted rows (see the user guide).

    Parameters
    ----------
    estimator : classifier with ``partial_fit``, default=None
        The model trained on the selected samples; cloned. ``None`` uses
        ``SGDClassifier(loss="log_loss")`` seeded from ``random_state``.
    batch_size : int, default=32
        Number of candidate samples (groups) scored per selection round.
    selection_ratio : float in (0, 1], default=0.25
        Fraction of each candidate batch that is trained on. At least one
        sample is always kept (a warning is raised if
        ``selection_ratio * batch_size < 1``); an incomplete last batch keeps
        the same fraction.
    alpha : float >= 0, default=2.5e-3
        Weight of the diversity score (the paper's code default).
    buffer_size : int, default=1024
        Capacity of the memory of selected embeddings.
    n_components : int, default=64
        Dimension of the random projection ``phi``.
    output : {"decision_function", "predict_log_proba", "predict_proba"}, \
            default="decision_function"
        The model output that plays the role of the logits. A binary
        ``decision_function`` is one column.
    embedding : {"output", "input"}, default="output"
        What ``phi`` projects. ``"output"`` (the paper): the sample's output
        matrix, zero-padded to the longest sample seen and flattened row by
        row. ``"input"``: the mean of the sample's rows of ``X``.
    score_normalization : {None, "zscore"}, default=None
        ``None`` adds the raw scores, as the paper does; ``"zscore"``
        standardises utility and diversity within each candidate batch first,
        so that ``alpha`` does not depend on the scale of the outputs.
    strategy : {"uds", "random", "max_loss", "utility", "diversity"}, default="uds"
        ``"uds"``: the combined score. ``"random"``: ``K`` samples uniformly at
        random. ``"max_loss"``: the ``K`` samples of largest log loss (mean over
        the sample's rows; needs ``predict_proba``). ``"utility"`` and
        ``"diversity"``: one of the two terms alone.
    max_epochs : int, default=1
        Passes over the data in ``fit``; each pass reshuffles the samples.
    warm_start_batches : int, default=1
        The first candidate batches are trained on whole, because the model
        must exist before it can score.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling, the projection, random selection and the default
        estimator.

    Attributes
    ----------
    estimator_ : estimator
        The trained clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.
    projection_ : ndarray of shape (n_inputs, n_components)
        Gaussian projection matrix (entries of variance ``1 / n_components``).
        With ``embedding="output"`` it grows by appended rows when a longer
        sample arrives; zero padding leaves earlier embeddings unchanged.
    buffer_ : ndarray of shape (n_stored, n_components)
        Embeddings of the most recently selected samples, oldest first,
        ``n_stored <= buffer_size``. Empty for ``strategy="random"``, which
        scores nothing.
    selection_counts_ : ndarray of shape (n_samples,)
        How many times each row of the ``X`` of the latest ``fit`` or
        ``partial_fit`` call was trained on (warm-start batches included).
    n_candidates_seen_ : int
        Samples (groups) offered so far, warm-start batches included.
    n_selected_ : int
        Samples (groups) trained on so far, warm-start batches included.
    n_iter_ : int
        Candidate batches processed so far, i.e. calls to the estimator's
        ``partial_fit``.

    See Also
    --------
    sklearn.linear_model.SGDClassifier : The default wrapped estimator.

    Notes
    -----
    Scoring costs one call of ``output`` per candidate batch; unlike a large
    language model, where back-propagation dominates, a scikit-learn model
    trains about as fast as it predicts, so selection does not save time here.
    The paper's structured (FFT) projection is an efficiency device for huge
    vocabularies; a dense Gaussian projection serves the same purpose.

    References
    ----------
    .. [1] H. Zou, Y. Mao, Y. Qu, Q. Wang and X. Ji, "Utility-Diversity Aware
       Online Batch Selection for LLM Supervised Fine-tuning",
       arXiv:2510.16882, 2025.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skpapers.sampling import UtilityDiversityClassifier
    >>> X, y = make_classification(n_samples=400, random_state=0)
    >>> sgd = SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.01, random_state=0)
    >>> clf = UtilityDiversityClassifier(sgd, embedding="input", score_normalization="zscore",
    ...                                  alpha=1.0, max_epochs=3, random_state=0).fit(X, y)
    >>> int(clf.n_selected_), int(clf.n_candidates_seen_)
    (324, 1200)
    >>> round(clf.score(X, y), 2)
    0.82
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["partial_fit", "predict"]), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "selection_ratio": [Interval(Real, 0, 1, closed="right")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "buffer_size": [Interval(Integral, 1, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "output": [StrOptions({"decision_function", "predict_log_proba", "predict_proba"})],
        "embedding": [StrOptions({"output", "input"})],
        "score_normalization": [StrOptions({"zscore"}), None],
        "strategy": [StrOptions({"uds", "random", "max_loss", "utility", "diversity"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "warm_start_batches": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        batch_size=32,
        selection_ratio=0.25,
        alpha=2.5e-3,
        buffer_size=1024,
        n_components=64,
        output="decision_function",
        embedding="output",
        score_normalization=None,
        strategy="uds",
        max_epochs=1,
        warm_start_batches=1,
        random_state=None,
    ):
        self.estimator = estimator
        self.batch_size = batch_size
        self.selection_ratio = selection_ratio
        self.alpha = alpha
        self.buffer_size = buffer_size
        self.n_components = n_components
        self.output = output
        self.embedding = embedding
        self.score_normalization = score_normalization
        self.strategy = strategy
        self.max_epochs = max_epochs
        self.warm_start_batches = warm_start_batches
        self.random_state = random_state

    # ------------------------------------------------------------------ set-up
    def _initialise(self, classes):
        self._rng = check_random_state(self.random_state)
        if self.estimator is None:
            self.estimator_ = _default_estimator(self._rng.randint(_MAX_SEED))
        else:
            self.estimator_ = clone(self.estimator)
        needed = {"output": self.output}
        if self.strategy == "max_loss":
            needed["strategy"] = "predict_proba"
        for param, method in needed.items():
            if not hasattr(self.estimator_, method):
                raise ValueError(
                    f"{param}={getattr(self, param)!r} needs an estimator with {method}; "
                    f"{type(self.estimator_).__name__} has none."
                )
        if self.selection_ratio * self.batch_size < 1:
            warnings.warn(
                f"selection_ratio * batch_size = {self.selection_ratio * self.batch_size:g} < 1: "
                "one sample per candidate batch is kept.",
                UserWarning,
                stacklevel=3,
            )
        self.classes_ = classes
        # Seeds for the projection, drawn now so that growing it later does not
        # depend on how many random selections happened in between.
        self._projection_rng = np.random.RandomState(self._rng.randint(_MAX_SEED))
        self.projection_ = np.zeros((0, self.n_components))
        self.buffer_ = np.zeros((0, self.n_components))
        self.n_candidates_seen_ = 0
        self.n_selected_ = 0
        self.n_iter_ = 0

    def _ensure_projection(self, n_inputs):
        missing = n_inputs - self.projection_.shape[0]
        if missing > 0:
            extra = self._projection_rng.standard_normal((missing, self.n_components))
            self.projection_ = np.vstack([self.projection_, extra / math.sqrt(self.n_components)])

    def _n_output_columns(self):
        if self.output == "decision_function" and len(self.classes_) == 2:
            return 1
        return len(self.classes_)

    # ----------------------------------------------------------------- scoring
    def _outputs(self, X):
        out = np.asarray(getattr(self.estimator_, self.output)(X), dtype=float)
        # a binary decision_function is one logit, not two
        return out.reshape(out.shape[0], -1)

    def _scores(self, X, y, owner, n_groups):
        """Utility, diversity, combined score and embedding of each of ``n_groups`` samples."""
        outputs = self._outputs(X)
        padded, sizes = _pad_groups(outputs, owner, n_groups)
        if padded.shape[1] == 1:
            utility = np.linalg.norm(padded[:, 0], axis=1)
        else:
            # zero rows add no singular value: padding leaves the nuclear norm unchanged
            utility = np.linalg.svd(padded, compute_uv=False).sum(axis=1)

        if self.embedding == "output":
            flat = padded.reshape(n_groups, -1)
        else:
            flat = np.zeros((n_groups, X.shape[1]))
            np.add.at(flat, owner, X)
            flat /= sizes[:, None]
        # the projection's rows come from their own random stream, so growing it
        # here or during training gives the same matrix
        self._ensure_projection(flat.shape[1])
        embedded = flat @ self.projection_[: flat.shape[1]]

        if self.buffer_.shape[0]:
            # BLAS-based distances: the buffer holds up to buffer_size embeddings
            diversity = euclidean_distances(embedded, self.buffer_).mean(axis=1)
        else:
            diversity = np.zeros(n_groups)

        if self.strategy == "max_loss":
            if y is None:
                raise ValueError("strategy='max_loss' scores candidates by their loss: y is required.")
            proba = np.asarray(self.estimator_.predict_proba(X), dtype=float)
            column = np.searchsorted(self.classes_, y)
            row_loss = -np.log(np.clip(proba[np.arange(len(y)), column], np.finfo(float).tiny, None))
            utility = np.bincount(owner, weights=row_loss, minlength=n_groups) / sizes

        u, d = utility, diversity
        if self.score_normalization == "zscore":
            u, d = _zscore(utility), _zscore(diversity)
        if self.strategy == "uds":
            combined = u + self.alpha * d
        elif self.strategy in ("utility", "max_loss"):
            combined = u.copy()
        elif self.strategy == "diversity":
            combined = d.copy()
        else:
            combined = np.zeros(n_groups)
        return utility, diversity, combined, embedded

    # ---------------------------------------------------------------- training
    def _select(self, combined, eligible):
        n = combined.size
        k = min(int(eligible.sum()), max(1, math.floor(self.selection_ratio * n)))
        candidates = np.flatnonzero(eligible)
        if self.strategy == "random":
            return np.sort(self._rng.choice(candidates, size=k, replace=False))
        # ties go to the earlier candidate, so selection is deterministic
        ranked = np.argsort(-combined[candidates], kind="stable")
        return np.sort(candidates[ranked[:k]])

    def _push(self, embedded):
        self.buffer_ = np.vstack([self.buffer_, embedded])[-self.buffer_size :]

    def _train_batch(self, X, y, rows, owner, n_groups, counts, fit_params):
        """One selection round on the candidate samples whose rows are ``rows``."""
        self.n_candidates_seen_ += n_groups
        eligible = np.ones(n_groups, dtype=bool)
        if fit_params.get("sample_weight") is not None:
            # a sample of zero weight teaches the estimator nothing: never spend the budget on it
            weight = np.asarray(fit_params["sample_weight"], dtype=float)[rows]
            eligible = np.bincount(owner, weights=weight, minlength=n_groups) > 0
        if not eligible.any():
            return
        if self.n_iter_ < self.warm_start_batches:
            keep = np.flatnonzero(eligible)
        elif self.strategy == "random":
            keep = self._select(np.zeros(n_groups), eligible)
        else:
            _, _, combined, embedded = self._scores(X[rows], y[rows], owner, n_groups)
            keep = self._select(combined, eligible)
            self._push(embedded[keep])
        chosen_rows = rows[np.isin(owner, keep)]
        self.n_selected_ += keep.size
        params = {
            key: (np.asarray(value)[chosen_rows] if _is_per_row(value, X.shape[0]) else value)
            for key, value in fit_params.items()
        }
        self.estimator_.partial_fit(X[chosen_rows], y[chosen_rows], classes=self.classes_, **params)
        np.add.at(counts, chosen_rows, 1)
        self.n_iter_ += 1

    def _run(self, X, y, codes, n_epochs, shuffle, fit_params):
        index = _GroupIndex(codes)
        counts = np.zeros(X.shape[0], dtype=np.intp)
        for _ in range(n_epochs):
            groups_order = self._rng.permutation(index.n_groups) if shuffle else np.arange(index.n_groups)
            for start in range(0, index.n_groups, self.batch_size):
                batch = groups_order[start : start + self.batch_size]
                rows, owner = index.rows(batch)
                self._train_batch(X, y, rows, owner, batch.size, counts, fit_params)
        self.selection_counts_ = counts

    def _check_targets(self, y):
        check_classification_targets(y)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, groups=None, **partial_fit_params):
        """Train the estimator on the samples selected from shuffled candidate batches.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Class labels.
        groups : array-like of shape (n_samples,), default=None
            Sample id of each row; rows with the same id form one sample and
            are scored, selected and trained on together. ``None``: every row
            is a sample.
        **partial_fit_params : dict
            Passed to the estimator's ``partial_fit``; array-likes with one
            entry per row (such as ``sample_weight``) are restricted to the
            selected rows.

        Returns
        -------
        self : object
            Fitted classifier.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        self._check_targets(y)
        classes = np.unique(y)
        if classes.size < 2:
            raise ValueError(f"{type(self).__name__} needs samples of at least two classes; got 1 class.")
        codes = _encode_groups(groups, X.shape[0])
        self._initialise(classes)
        self._run(X, y, codes, self.max_epochs, shuffle=True, fit_params=partial_fit_params)
        return self

    @_fit_context(prefer_skip_nested_validation=False)
    def partial_fit(self, X, y, classes=None, groups=None, **partial_fit_params):
        """Run one selection round on the candidate batch ``X``.

        The rows are split into candidate batches of ``batch_size`` samples in
        the given order (no shuffling); usually ``X`` is one batch.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Candidate rows.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            All class labels; required on the first call.
        groups : array-like of shape (n_samples,), default=None
            Sample id of each row (see :meth:`fit`); ids are local to this call.
        **partial_fit_params : dict
            Passed to the estimator's ``partial_fit`` (see :meth:`fit`).

        Returns
        -------
        self : object
            The classifier.
        """
        first_call = not hasattr(self, "estimator_")
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], reset=first_call)
        self._check_targets(y)
        if first_call:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            classes = np.unique(classes)
            if classes.size < 2:
                raise ValueError(f"{type(self).__name__} needs at least two classes; got 1 class.")
            self._initialise(classes)
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes={classes!r} differs from the classes of the first call, {self.classes_!r}.")
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"y contains labels not in classes: {unknown!r}.")
        codes = _encode_groups(groups, X.shape[0])
        self._run(X, y, codes, 1, shuffle=False, fit_params=partial_fit_params)
        return self

    # ----------------------------------------------------------------- public scores
    def score_candidates(self, X, y=None, groups=None):
        """Scores the current model gives to candidate samples.

        Nothing is trained and the memory is left unchanged.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Candidate rows.
        y : array-like of shape (n_samples,), default=None
            Labels; needed only by ``strategy="max_loss"``.
        groups : array-like of shape (n_samples,), default=None
            Sample id of each row; ``None``: every row is a sample.

        Returns
        -------
        utility : ndarray of shape (n_candidates,)
            Nuclear norm of each sample's output matrix (for
            ``strategy="max_loss"``: its mean log loss). Candidates are ordered
            by first appearance of their group id.
        diversity : ndarray of shape (n_candidates,)
            Mean distance of the sample's embedding to the memory (0 when the
            memory is empty).
        combined : ndarray of shape (n_candidates,)
            The score the strategy ranks by (after ``score_normalization``);
            all zeros for ``strategy="random"``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        if y is not None:
            y = np.asarray(y)
            if y.shape != (X.shape[0],):
                raise ValueError(f"y must have shape ({X.shape[0]},); got {y.shape}.")
            unknown = np.setdiff1d(y, self.classes_)
            if unknown.size:
                raise ValueError(f"y contains labels not in classes_: {unknown!r}.")
        codes = _encode_groups(groups, X.shape[0])
        n_groups = int(codes.max()) + 1 if codes.size else 0
        utility, diversity, combined, _ = self._scores(X, y, codes, n_groups)
        return utility, diversity, combined

    # ------------------------------------------------------------- delegation
    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Predict class labels with the trained estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the trained estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the trained estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the trained estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            As returned by the estimator.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self.estimator_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


def _is_per_row(value, n_samples):
    return hasattr(value, "__len__") and not isinstance(value, str) and np.ndim(value) >= 1 and len(value) == n_samples
