"""Augment a labelled set with generated rows, relabelled by a classifier and filtered by an outlier detector."""

import numbers
import warnings

import numpy as np
from imblearn.base import BaseSampler
from imblearn.utils import check_target_type
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from ..generative._categorical_sequence import CategoricalSequenceGenerator

__all__ = ["SyntheticDataAugmenter"]


def _fitted_or_fit(estimator, X, y=None):
    """Use ``estimator`` as is when already fitted (a prefit oracle), else fit a clone on the real data."""
    try:
        check_is_fitted(estimator)
        return estimator
    except NotFittedError:
        return clone(estimator).fit(X) if y is None else clone(estimator).fit(X, y)


class SyntheticDataAugmenter(BaseSampler):
    """Add generated rows to a labelled set, with label replacement and out-of-scope filtering.

    The tabular version of the paper's pipeline: a class-conditional
    generator produces ``n_synthetic`` rows per class; a classifier trained
    on the real rows (the paper's human or oracle judge) replaces the label
    of every generated row (label replacement, LR); an outlier detector
    fitted on the real rows drops generated rows it flags as outside the
    domain (out-of-scope filtering, OOSF), and rows the classifier is not
    confident about can be dropped too.

    Parameters
    ----------
    generator : estimator or None, default=None
        A generator with ``sample_labeled(n_samples, random_state, y)`` after
        ``fit(X, y)`` (None: :class:`~skpapers.generative.CategoricalSequenceGenerator`,
        which needs integer-coded X), or any generator with ``fit(X)`` and
        ``sample(n_samples, random_state)`` (e.g.
        :class:`~skpapers.generative.DiffusionGenerator`), then fitted once
        per class on that class's rows.
    n_synthetic : float or int, default=1.0
        Rows generated per class: a float is a ratio of the class size, an
        int a count.
    relabeler : classifier or None, default=None
        Judge of the generated labels. None: logistic regression on one-hot
        codes (``handle_unknown="ignore"``), fitted on the real data. A
        fitted classifier is used as is.
    relabel : bool, default=True
        Replace the labels of generated rows by the relabeler's predictions.
    outlier_detector : estimator or None, default=None
        An estimator whose ``predict`` returns -1 for out-of-scope rows
        (``IsolationForest``, ``LocalOutlierFactor(novelty=True)``). Fitted on
        the real X unless already fitted. None keeps every row.
    min_confidence : float in [0, 1] or None, default=None
        Drop generated rows whose largest relabeler probability is below it.
    keep_original : bool, default=True
        Return real + generated rows (True) or generated rows only.
    random_state : int, RandomState instance or None, default=None
        Seeds the generation.

    Attributes
    ----------
    sampling_strategy_ : dict
        Set by imbalanced-learn; empty here (``n_synthetic`` sets the counts).
    generator_ : estimator or dict
        The fitted generator, or ``{class: generator}`` for unconditional ones.
    relabeler_ : classifier or None
        The judge used (None when neither relabelling nor ``min_confidence``).
    outlier_detector_ : estimator or None
        The fitted outlier detector.
    n_generated_ : int
        Rows generated.
    n_relabeled_ : int
        Generated rows whose label the relabeler changed.
    n_filtered_ : int
        Generated rows dropped by the outlier detector or ``min_confidence``.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

    See Also
    --------
    skpapers.generative.CategoricalSequenceGenerator : The default generator.
    skpapers.metrics.label_accuracy_score : How often generated labels are right.

    Notes
    -----
    When filtering removes every generated row a ``UserWarning`` is raised
    and the real data are returned (an empty set if ``keep_original=False``
    would be useless to a downstream estimator).

    References
    ----------
    .. [1] J. J. Y. Chung, E. Kamar and S. Amershi, "Increasing Diversity While
       Maintaining Accuracy: Text Data Generation with Large Language Models
       and Human Interventions", 2023, arXiv:2306.04140.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.over_sampling import SyntheticDataAugmenter
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 100)
    >>> X = np.column_stack([y + rng.integers(0, 2, 100), rng.integers(0, 3, 100)])
    >>> aug = SyntheticDataAugmenter(n_synthetic=50, random_state=0)
    >>> X_res, y_res = aug.fit_resample(X, y)
    >>> X_res.shape, aug.n_generated_
    ((200, 2), 100)
    """

    _sampling_type = "bypass"
    sampling_strategy = "auto"

    _parameter_constraints: dict = {
        "generator": [HasMethods(["fit"]), None],
        "n_synthetic": [
            Interval(numbers.Integral, 0, None, closed="left"),
            Interval(numbers.Real, 0, None, closed="left"),
        ],
        "relabeler": [HasMethods(["fit", "predict"]), None],
        "relabel": ["boolean"],
        "outlier_detector": [HasMethods(["predict"]), None],
        "min_confidence": [Interval(numbers.Real, 0, 1, closed="both"), None],
        "keep_original": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        generator=None,
        n_synthetic=1.0,
        relabeler=None,
        relabel=True,
        outlier_detector=None,
        min_confidence=None,
        keep_original=True,
        random_state=None,
    ):
        self.generator = generator
        self.n_synthetic = n_synthetic
        self.relabeler = relabeler
        self.relabel = relabel
        self.outlier_detector = outlier_detector
        self.min_confidence = min_confidence
        self.keep_original = keep_original
        self.random_state = random_state

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(self, X=X, y=y, reset=True, accept_sparse=False)
        return X, y, binarize_y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags

    def _generate(self, X, y, classes, counts, rng):
        generator = CategoricalSequenceGenerator() if self.generator is None else self.generator
        wanted = np.repeat(classes, counts)
        seed = rng.randint(np.iinfo(np.int32).max)
        if hasattr(generator, "sample_labeled"):
            self.generator_ = clone(generator).fit(X, y)
            return self.generator_.sample_labeled(random_state=seed, y=wanted)
        self.generator_ = {}
        parts = []
        for k, (cls, n_k) in enumerate(zip(classes, counts)):
            self.generator_[cls] = clone(generator).fit(X[y == cls])
            if n_k > 0:
                parts.append(self.generator_[cls].sample(int(n_k), random_state=seed + k))
        return np.concatenate(parts), wanted

    def _fit_resample(self, X, y):
        self._validate_params()
        rng = check_random_state(self.random_state)
        classes, class_counts = np.unique(y, return_counts=True)
        if isinstance(self.n_synthetic, numbers.Integral) and not isinstance(self.n_synthetic, bool):
            counts = np.full(classes.size, int(self.n_synthetic))
        else:
            counts = np.round(self.n_synthetic * class_counts).astype(int)
        self.relabeler_ = self.outlier_detector_ = None
        self.n_generated_ = self.n_relabeled_ = self.n_filtered_ = 0
        if counts.sum() == 0:
            self.generator_ = None
            return (X, y) if self.keep_original else (X[:0], y[:0])

        X_gen, y_gen = self._generate(X, y, classes, counts, rng)
        X_gen = X_gen.astype(X.dtype, copy=False)
        self.n_generated_ = X_gen.shape[0]
        keep = np.ones(self.n_generated_, dtype=bool)
        if self.relabel or self.min_confidence is not None:
            relabeler = self.relabeler
            if relabeler is None:
                relabeler = make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression(max_iter=1000))
            self.relabeler_ = _fitted_or_fit(relabeler, X, y)
            if self.relabel:
                y_new = self.relabeler_.predict(X_gen)
                self.n_relabeled_ = int(np.sum(y_new != y_gen))
                y_gen = y_new
            if self.min_confidence is not None:
                keep &= self.relabeler_.predict_proba(X_gen).max(axis=1) >= self.min_confidence
        if self.outlier_detector is not None:
            self.outlier_detector_ = _fitted_or_fit(self.outlier_detector, X)
            keep &= self.outlier_detector_.predict(X_gen) != -1
        self.n_filtered_ = int(np.sum(~keep))
        X_gen, y_gen = X_gen[keep], y_gen[keep]
        if X_gen.shape[0] == 0:
            warnings.warn("filtering removed every generated row; returning the real data only.", UserWarning)
            return X, y
        if not self.keep_original:
            return X_gen, y_gen
        return np.concatenate([X, X_gen]), np.concatenate([y, y_gen.astype(y.dtype, copy=False)])
