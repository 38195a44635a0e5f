"""The paper's combination: SMOTE the minority class, then randomly under-sample the rest."""

import math
import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ._smote import _BaseOriginalSMOTE

__all__ = ["SMOTEUnderSampler"]


class SMOTEUnderSampler(_BaseOriginalSMOTE):
    """SMOTE of the minority class followed by random under-sampling, as in the paper.

    The minority class is first over-sampled by ``smote_percentage`` percent
    exactly as :class:`OriginalSMOTE` does. The other class then keeps a random
    ``floor(n_minority / (under_sampling_percentage / 100))`` of its rows,
    where ``n_minority`` counts the minority rows *after* SMOTE: the minority
    class ends up ``under_sampling_percentage`` percent of the majority class.
    This is the (N, U) grid the paper sweeps to trace a ROC curve.

    Parameters
    ----------
    smote_percentage : float, default=200
        The paper's N (see ``percentage`` of :class:`OriginalSMOTE`). 0 skips
        SMOTE, which leaves the paper's "under-sampling alone" baseline.
    under_sampling_percentage : float, default=100
        The paper's U: the minority count as a percentage of the majority
        count after under-sampling (paper: minority 50, majority 200 and
        U = 200 keep 25 majority rows). A value asking for more rows than the
        class has keeps them all; at least one row of each class is kept.
    k_neighbors : int, default=5
        Nearest minority neighbours of each seed (see :class:`OriginalSMOTE`).
    interpolation : {"segment", "per_feature"}, default="segment"
        One gap per synthetic row, or one per attribute (see
        :class:`OriginalSMOTE`).
    categorical_features : None, "auto" or array-like, default=None
        Nominal columns, for SMOTE-NC / SMOTE-N (see :class:`OriginalSMOTE`).
    random_state : int, RandomState instance or None, default=None
        Seeds SMOTE and the choice of the rows kept.
    n_jobs : int or None, default=None
        Parallel jobs of the neighbour search.

    Attributes
    ----------
    sampling_strategy_ : str
        Always ``"auto"``: the percentages, not a target count, set the sizes.
    minority_class_ : object
        The class over-sampled (the least frequent; the smallest label on ties).
    sample_indices_ : ndarray
        Rows of ``X`` kept, in their original order, first in the output.
    seed_indices_ : ndarray of shape (n_synthetic,)
        Row of ``X`` each synthetic row was made from.
    neighbor_indices_ : ndarray of shape (n_synthetic,)
        Row of ``X`` each synthetic row was interpolated towards (-1 for SMOTE-N).
    categorical_features_ : ndarray of int
        Indices of the nominal columns.
    median_std_ : dict
        SMOTE-NC only: minority class -> the paper's Med. Empty otherwise.
    nn_ : dict
        Minority class -> fitted :class:`~sklearn.neighbors.NearestNeighbors`
        (empty when ``smote_percentage == 0``).
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` has string column names.

    See Also
    --------
    OriginalSMOTE : The over-sampling step alone.
    imblearn.under_sampling.RandomUnderSampler : Random under-sampling to a target ratio.

    Notes
    -----
    The paper's experiments are binary. With more classes, the least frequent
    one is SMOTEd and every other class is under-sampled by the same rule.
    Unlike R's ``DMwR::SMOTE`` (``perc.under`` = majority rows per synthetic
    row) and imbalanced-learn's ``SMOTEENN`` / ``SMOTETomek`` (cleaning
    rules), this is the paper's U percent. Fit it inside an
    :class:`imblearn.pipeline.Pipeline` so that only training folds are resampled.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       Synthetic Minority Over-sampling Technique", Journal of Artificial
       Intelligence Research 16, 321-357 (2002). arXiv:1106.1813.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from skpapers.over_sampling import SMOTEUnderSampler
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], flip_y=0, random_state=0)
    >>> sorted(Counter(y).items())
    [(np.int64(0), 901), (np.int64(1), 99)]
    >>> sampler = SMOTEUnderSampler(smote_percentage=200, under_sampling_percentage=50,
    ...                             random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(np.int64(0), 594), (np.int64(1), 297)]
    """

    _sampling_type = "bypass"
    # Read by imbalanced-learn's fit/fit_resample; the percentages decide the counts.
    sampling_strategy = "auto"

    _parameter_constraints: dict = {
        "smote_percentage": [Interval(numbers.Real, 0, None, closed="left")],
        "under_sampling_percentage": [Interval(numbers.Real, 0, None, closed="neither")],
        "k_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "interpolation": [StrOptions({"segment", "per_feature"})],
        "categorical_features": [None, StrOptions({"auto"}), "array-like"],
        "random_state": ["random_state"],
        "n_jobs": [None, numbers.Integral],
    }

    def __init__(
        self,
        smote_percentage=200,
        under_sampling_percentage=100,
        k_neighbors=5,
        interpolation="segment",
        categorical_features=None,
        random_state=None,
        n_jobs=None,
    ):
        self.smote_percentage = smote_percentage
        self.under_sampling_percentage = under_sampling_percentage
        self.k_neighbors = k_neighbors
        self.interpolation = interpolation
        self.categorical_features = categorical_features
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        classes, counts = np.unique(y, return_counts=True)
        if classes.size < 2:
            raise ValueError(f"y needs at least 2 classes to under-sample; got 1 class ({classes[0]!r}).")
        minority = classes[np.argmin(counts)]
        self.minority_class_ = minority
        n_samples = X.shape[0]

        if self.smote_percentage > 0:
            plan = self._plan(X, y, [minority], rng, self.smote_percentage)
            X_smote, y_smote = self._assemble(X, y, plan, rng)
        else:
            X_smote, y_smote = X, y
            self.nn_, self.median_std_ = {}, {}
            self.seed_indices_ = np.array([], dtype=int)
            self.neighbor_indices_ = np.array([], dtype=int)
        n_minority = int(counts.min()) + (X_smote.shape[0] - n_samples)

        # Paper: minority 50, majority 200, U = 200% -> 25 majority rows kept.
        # The small epsilon keeps exact ratios such as 5000 / 200 from flooring down.
        n_keep = max(1, math.floor(n_minority * 100.0 / self.under_sampling_percentage + 1e-9))
        kept = [np.flatnonzero(y == minority)]
        for klass in classes:
            if klass == minority:
                continue
            rows = np.flatnonzero(y == klass)
            if rows.size > n_keep:
                rows = rng.choice(rows, size=n_keep, replace=False)
            kept.append(rows)
        kept = np.sort(np.concatenate(kept))
        self.sample_indices_ = kept
        order = np.concatenate([kept, np.arange(n_samples, X_smote.shape[0])])
        return X_smote[order], y_smote[order]
