"""SMOTE as the paper states it: N percent, every seed used N/100 times.

Chawla, Bowyer, Hall and Kegelmeyer (2002), "SMOTE: Synthetic Minority
Over-sampling Technique", arXiv:1106.1813.
"""

import numbers
import warnings

import numpy as np
from imblearn.base import BaseSampler
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from scipy import sparse
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_consistent_length, column_or_1d, validate_data

__all__ = ["OriginalSMOTE"]


def _is_dataframe(X):
    return hasattr(X, "columns") and hasattr(X, "dtypes") and hasattr(X, "iloc")


def _categorical_indices(X, categorical_features, n_features):
    """Resolve ``categorical_features`` to sorted column indices."""
    if isinstance(categorical_features, str):  # "auto"
        if _is_dataframe(X):
            kinds = []
            for dtype in X.dtypes:
                name = getattr(dtype, "name", str(dtype))
                kinds.append(name in ("category", "bool", "boolean") or name.startswith("string")
                             or getattr(dtype, "kind", None) in ("O", "U", "S"))
            return np.flatnonzero(kinds)
        dtype = getattr(X, "dtype", None)
        if dtype is not None and dtype.kind in ("O", "U", "S"):
            return np.arange(n_features)
        return np.array([], dtype=int)

    features = np.asarray(categorical_features)
    if features.ndim != 1:
        raise ValueError(
            f"categorical_features must be None, 'auto' or a 1-D array of indices, names or a "
            f"boolean mask; got an array of shape {features.shape}."
        )
    if features.size == 0:
        return np.array([], dtype=int)
    if features.dtype.kind == "b":
        if features.size != n_features:
            raise ValueError(
                f"categorical_features as a boolean mask needs one entry per feature ({n_features}); "
                f"got {features.size}."
            )
        return np.flatnonzero(features)
    if features.dtype.kind in ("U", "S", "O"):
        if not _is_dataframe(X):
            raise ValueError("categorical_features given as column names needs X to be a pandas DataFrame.")
        columns = [str(c) for c in X.columns]
        missing = [str(f) for f in features if str(f) not in columns]
        if missing:
            raise ValueError(f"categorical_features names {missing} are not columns of X.")
        return np.sort(np.array([columns.index(str(f)) for f in features], dtype=int))
    if features.dtype.kind not in ("i", "u"):
        raise TypeError(
            f"categorical_features must hold integer indices, column names or booleans; "
            f"got dtype {features.dtype}."
        )
    if features.min() < -n_features or features.max() >= n_features:
        raise ValueError(
            f"categorical_features indices must lie in [0, {n_features - 1}]; got {features.tolist()}."
        )
    indices = np.unique(np.where(features < 0, features + n_features, features))
    if indices.size != features.size:
        raise ValueError(f"categorical_features has repeated indices: {features.tolist()}.")
    return indices


def _encode_column(column, position):
    """Integer codes and the sorted category values of one nominal column."""
    missing = np.array([value is None or (isinstance(value, float) and value != value) for value in column])
    if missing.any():
        raise ValueError(
            f"X has missing values in nominal column {position}; SMOTE-NC/SMOTE-N need a value "
            "in every nominal cell (impute first or treat missing as its own category)."
        )
    try:
        categories, codes = np.unique(column, return_inverse=True)
    except TypeError as exc:
        raise TypeError(
            f"Nominal column {position} of X mixes value types that cannot be ordered ({exc})."
        ) from exc
    return codes.ravel(), categories


def _vote(neighbor_codes, rows, rng):
    """Most frequent code among each seed's neighbours; ties broken at random per synthetic row.

    ``neighbor_codes`` is (n_seeds, k); ``rows`` maps each synthetic row to its seed.
    Works on the k neighbour positions, so memory does not grow with the number of
    categories: every tied category fills the same number of positions, so a
    uniform pick among the positions holding a mode is a uniform pick among the modes.
    """
    k = neighbor_codes.shape[1]
    same = (neighbor_codes[:, :, None] == neighbor_codes[:, None, :]).sum(axis=2)
    is_mode = same == same.max(axis=1, keepdims=True)
    # A mode scores in [1, 1.5), any other position in [0, 0.5).
    pick = np.argmax(is_mode[rows] + 0.5 * rng.uniform(size=(rows.size, k)), axis=1)
    return neighbor_codes[rows, pick]


def _drop_self(indices, queries):
    """Remove each query's own index from its k+1 neighbours (or the farthest if absent)."""
    is_self = indices == queries[:, None]
    # With duplicated rows the query may be tied with its copy and not listed;
    # then the farthest neighbour goes instead.
    is_self[~is_self.any(axis=1), -1] = True
    return indices[~is_self].reshape(indices.shape[0], indices.shape[1] - 1)


class _BaseOriginalSMOTE(BaseSampler):
    """Input checking and the seed / neighbour / interpolation machinery shared by the samplers."""

    # -- input checking -------------------------------------------------
    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if self.categorical_features is None:
            X, y = validate_data(
                self, X=X, y=y, reset=True, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32]
            )
            self.categorical_features_ = np.array([], dtype=int)
            return X, y, binarize_y

        if not _is_dataframe(X):
            X = check_array(X, dtype=None, accept_sparse=["csr", "csc"], ensure_all_finite=False)
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        categorical = _categorical_indices(X, self.categorical_features, self.n_features_in_)
        self.categorical_features_ = categorical
        if categorical.size == 0:
            X = check_array(X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32])
            y = column_or_1d(y)
            check_consistent_length(X, y)
            return X, y, binarize_y

        if sparse.issparse(X):
            raise ValueError(
                "Sparse X is not supported with nominal features (categorical_features); "
                "pass a dense array or a DataFrame."
            )
        X = X.to_numpy(dtype=object) if _is_dataframe(X) else np.asarray(X)
        y = column_or_1d(y)
        check_consistent_length(X, y)
        continuous = np.setdiff1d(np.arange(X.shape[1]), categorical)
        if continuous.size:
            try:
                X_continuous = X[:, continuous].astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"Columns {continuous.tolist()} of X are continuous (not in categorical_features) "
                    f"but are not numeric: {exc}."
                ) from exc
            if not np.isfinite(X_continuous).all():
                raise ValueError(
                    "Input X contains NaN or infinity in its continuous columns "
                    f"{continuous.tolist()}; SMOTE cannot interpolate them."
                )
        return X, y, binarize_y

    # -- resampling machinery -----------------------------------------
    def _feature_space(self, X, y, rows):
        """The matrix the neighbour search runs on, and its metric, for one class."""
        categorical = self.categorical_features_
        if categorical.size == 0:
            return X[rows], "euclidean", None
        continuous = np.setdiff1d(np.arange(X.shape[1]), categorical)
        codes = self._codes_[:, rows] if self._codes_ is not None else None
        if continuous.size == 0:
            # SMOTE-N: value difference metric with q = r = 1 is an L1 distance
            # between per-value class distributions, so it embeds exactly.
            blocks = [profile[code] for profile, code in zip(self._vdm_profiles_, codes)]
            return np.hstack(blocks), "manhattan", None
        X_continuous = X[np.ix_(rows, continuous)].astype(np.float64)
        median_std = float(np.median(X_continuous.std(axis=0)))
        # A one-hot block scaled by Med / sqrt(2) adds Med^2 to the squared
        # distance for every nominal feature on which two rows differ.
        # Sparse, so that many categories do not blow up memory.
        blocks = [sparse.csr_matrix(X_continuous)]
        for code, n_categories in zip(codes, self._n_categories_):
            values = np.full(rows.size, median_std / np.sqrt(2.0))
            blocks.append(sparse.csr_matrix((values, (np.arange(rows.size), code)), shape=(rows.size, n_categories)))
        return sparse.hstack(blocks, format="csr"), "euclidean", median_std

    def _prepare_nominal(self, X, y):
        self._codes_, self._categories_, self._n_categories_, self._vdm_profiles_ = None, [], [], []
        categorical = self.categorical_features_
        if categorical.size == 0:
            return
        codes = []
        for position in categorical:
            code, categories = _encode_column(X[:, position], position)
            codes.append(code)
            self._categories_.append(categories)
            self._n_categories_.append(categories.size)
        self._codes_ = np.array(codes)
        if categorical.size == X.shape[1]:
            _, y_codes = np.unique(y, return_inverse=True)
            n_classes = y_codes.max() + 1
            for code, n_categories in zip(self._codes_, self._n_categories_):
                counts = np.zeros((n_categories, n_classes))
                np.add.at(counts, (code, y_codes), 1.0)
                self._vdm_profiles_.append(counts / counts.sum(axis=1, keepdims=True))

    def _plan(self, X, y, classes, rng, percentage):
        """Seeds, neighbours and the fitted searches, class by class."""
        if percentage > 100 and percentage % 100:
            warnings.warn(
                f"percentage={percentage} is not a multiple of 100; as in the paper, each seed "
                f"makes int(percentage / 100) = {int(percentage // 100)} rows.",
                UserWarning,
            )
        self._prepare_nominal(X, y)
        k = self.k_neighbors
        plan = []
        self.nn_, self.median_std_ = {}, {}
        for klass in classes:
            rows = np.flatnonzero(y == klass)
            n_rows = rows.size
            if n_rows < 2:
                raise ValueError(
                    f"Class {klass!r} has {n_rows} row; SMOTE needs at least 2 rows of a class to "
                    "interpolate between them."
                )
            if n_rows <= k:
                raise ValueError(
                    f"k_neighbors={k} needs at least k_neighbors + 1 = {k + 1} rows of class {klass!r}; "
                    f"got {n_rows}. Lower k_neighbors."
                )
            if percentage < 100:
                n_seeds = int(np.floor(percentage / 100 * n_rows))
                seeds = np.sort(rng.permutation(n_rows)[:n_seeds])
                per_seed = 1
            else:
                seeds = np.arange(n_rows)
                per_seed = int(percentage // 100)
            space, metric, median_std = self._feature_space(X, y, rows)
            if median_std is not None:
                self.median_std_[klass] = median_std
            nn = NearestNeighbors(n_neighbors=k + 1, metric=metric, n_jobs=self.n_jobs).fit(space)
            self.nn_[klass] = nn
            if seeds.size:
                neighbors = _drop_self(nn.kneighbors(space[seeds], return_distance=False), seeds)
            else:
                neighbors = np.empty((0, k), dtype=int)
            plan.append((klass, rows, seeds, neighbors, per_seed))
        return plan

    def _assemble(self, X, y, plan, rng):
        n_samples, n_features = X.shape
        k = self.k_neighbors
        categorical = self.categorical_features_
        continuous = np.setdiff1d(np.arange(n_features), categorical)
        n_new = sum(seeds.size * per_seed for _, _, seeds, _, per_seed in plan)

        if sparse.issparse(X):
            pieces = [X]
        else:
            X_res = np.empty((n_samples + n_new, n_features), dtype=X.dtype)
            X_res[:n_samples] = X
        y_res = np.empty(n_samples + n_new, dtype=y.dtype)
        y_res[:n_samples] = y
        seed_indices, neighbor_indices = [], []

        start = n_samples
        for klass, rows, seeds, neighbors, per_seed in plan:
            count = seeds.size * per_seed
            if count == 0:
                continue
            stop = start + count
            y_res[start:stop] = klass
            which = np.repeat(np.arange(seeds.size), per_seed)
            seed_rows = rows[seeds[which]]
            seed_indices.append(seed_rows)

            if continuous.size:
                partner = neighbors[which, rng.randint(k, size=count)]
                partner_rows = rows[partner]
                neighbor_indices.append(partner_rows)
                width = continuous.size if self.interpolation == "per_feature" else 1
                gaps = rng.uniform(size=(count, width))
                if sparse.issparse(X):
                    base = X[seed_rows]
                    pieces.append((base + (X[partner_rows] - base).multiply(gaps)).astype(X.dtype))
                elif categorical.size == 0:
                    # Gather straight into the output: no temporary block, no final stacking copy.
                    block = X_res[start:stop]
                    np.take(X, partner_rows, axis=0, out=block)
                    base = np.take(X, seed_rows, axis=0)
                    block -= base
                    block *= gaps.astype(X.dtype, copy=False)
                    block += base
                else:
                    base = X[np.ix_(seed_rows, continuous)].astype(np.float64)
                    step = X[np.ix_(partner_rows, continuous)].astype(np.float64) - base
                    X_res[start:stop, continuous] = base + gaps * step
            else:
                neighbor_indices.append(np.full(count, -1))

            if categorical.size:
                for j, position in enumerate(categorical):
                    class_codes = self._codes_[j, rows]
                    winner = _vote(class_codes[neighbors], which, rng)
                    X_res[start:stop, position] = self._categories_[j][winner]
            start = stop

        self.sample_indices_ = np.arange(n_samples)
        self.seed_indices_ = np.concatenate(seed_indices) if seed_indices else np.array([], dtype=int)
        self.neighbor_indices_ = np.concatenate(neighbor_indices) if neighbor_indices else np.array([], dtype=int)
        for name in ("_codes_", "_categories_", "_n_categories_", "_vdm_profiles_"):
            delattr(self, name)
        if sparse.issparse(X):
            return sparse.vstack(pieces, format=X.format, dtype=X.dtype), y_res
        return X_res, y_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        tags.input_tags.string = self.categorical_features is not None
        tags.input_tags.sparse = self.categorical_features is None or (
            isinstance(self.categorical_features, str) and self.categorical_features == "auto"
        )
        return tags


class OriginalSMOTE(_BaseOriginalSMOTE):
    """SMOTE over-sampling exactly as the paper states it (N percent, k neighbours).

    Every row of an over-sampled class (a *seed*) makes ``percentage / 100``
    synthetic rows, each between the seed and one of its ``k_neighbors``
    nearest neighbours of the same class drawn uniformly at random. With
    ``percentage < 100``, a random ``percentage`` percent of the rows are seeds,
    once each. Mixed nominal and continuous data use SMOTE-NC, all-nominal data
    SMOTE-N, both selected through ``categorical_features``.

    Parameters
    ----------
    percentage : float, default=100
        The paper's N: synthetic rows per class as a percentage of its size.
        Above 100, the paper uses ``int(percentage / 100)`` rows per seed;
        a value that is not a multiple of 100 is truncated with a warning.
        Below 100, ``floor(percentage / 100 * n_class)`` random seeds make one
        row each.
    k_neighbors : int, default=5
        Nearest neighbours (same class, the seed itself excluded) among which
        each synthetic row's partner is drawn. Each over-sampled class needs
        at least ``k_neighbors + 1`` rows.
    interpolation : {"segment", "per_feature"}, default="segment"
        ``"segment"`` draws one gap per synthetic row, so the row lies on the
        segment between seed and neighbour (the paper's text, and
        imbalanced-learn's SMOTE). ``"per_feature"`` draws a gap per attribute,
        as in the paper's pseudo-code, so the row lies in the axis-aligned box
        the two points span.
    categorical_features : None, "auto" or array-like, default=None
        Nominal columns. None: plain SMOTE on numeric data. An array of
        indices, a boolean mask, or column names of a DataFrame: SMOTE-NC, or
        SMOTE-N when every column is nominal. ``"auto"``: object, string,
        boolean and category columns of a DataFrame; for an array, every
        column when its dtype is object or string, none otherwise.
    sampling_strategy : str, dict, float or callable, default="minority"
        Which classes are over-sampled, in imbalanced-learn's vocabulary
        (``"minority"``, ``"not majority"``, ``"all"``, ...; a dict's keys or
        a callable's returned keys). The class counts imbalanced-learn would
        target are ignored: ``percentage`` sets how many rows are made.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of seeds (``percentage < 100``), neighbours, gaps and
        nominal ties.
    n_jobs : int or None, default=None
        Parallel jobs of the neighbour search.

    Attributes
    ----------
    sampling_strategy_ : dict
        Classes over-sampled (keys); values as imbalanced-learn computes them, unused.
    categorical_features_ : ndarray of int
        Indices of the nominal columns.
    sample_indices_ : ndarray of shape (n_samples,)
        Indices of the original rows kept: all of them, first in the output.
    seed_indices_ : ndarray of shape (n_synthetic,)
        Row of ``X`` each synthetic row was made from, in output order.
    neighbor_indices_ : ndarray of shape (n_synthetic,)
        Row of ``X`` each synthetic row was interpolated towards (-1 for
        SMOTE-N, whose rows copy the neighbours' majority values instead).
    median_std_ : dict
        SMOTE-NC only: class -> median over continuous features of the
        within-class standard deviation (the paper's Med). Empty otherwise.
    nn_ : dict
        Class -> fitted :class:`~sklearn.neighbors.NearestNeighbors` on the
        class's rows (in the SMOTE-NC or SMOTE-N feature space when nominal
        features are present).
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` has string column names.

    See Also
    --------
    SMOTEUnderSampler : SMOTE followed by the paper's random under-sampling.
    imblearn.over_sampling.SMOTE : Class-count driven SMOTE, seeds drawn with replacement.

    Notes
    -----
    Differences from :class:`imblearn.over_sampling.SMOTE`: the amount is the
    paper's N percent instead of a target class count, and every seed is used
    the same number of times instead of a random number of times.

    SMOTE-NC measures distance as the squared Euclidean distance over
    continuous features plus Med squared for each differing nominal feature;
    continuous values are interpolated, each nominal value is the most
    frequent among the seed's k neighbours (ties broken at random with
    ``random_state``). SMOTE-N finds neighbours with the value difference
    metric (q = 1, r = 1: the sum over features of the L1 distance between
    the class distributions of the two values, estimated on all rows of
    ``X``), which is exact without an n x n distance matrix, and sets each
    nominal value to the neighbours' most frequent one.

    Over-sample only training data: inside cross-validation put the sampler in
    an :class:`imblearn.pipeline.Pipeline`, never before the split.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       Synthetic Minority Over-sampling Technique", Journal of Artificial
       Intelligence Research 16, 321-357 (2002). arXiv:1106.1813.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from skpapers.over_sampling import OriginalSMOTE
    >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
    >>> sorted(Counter(y).items())
    [(np.int64(0), 180), (np.int64(1), 20)]
    >>> X_res, y_res = OriginalSMOTE(percentage=300, random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(np.int64(0), 180), (np.int64(1), 80)]
    """

    _sampling_type = "over-sampling"

    _parameter_constraints: dict = {
        "percentage": [Interval(numbers.Real, 0, None, closed="neither")],
        "k_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "interpolation": [StrOptions({"segment", "per_feature"})],
        "categorical_features": [None, StrOptions({"auto"}), "array-like"],
        "sampling_strategy": BaseOverSampler._parameter_constraints["sampling_strategy"],
        "random_state": ["random_state"],
        "n_jobs": [None, numbers.Integral],
    }

    def __init__(
        self,
        percentage=100,
        k_neighbors=5,
        interpolation="segment",
        categorical_features=None,
        sampling_strategy="minority",
        random_state=None,
        n_jobs=None,
    ):
        self.percentage = percentage
        self.k_neighbors = k_neighbors
        self.interpolation = interpolation
        self.categorical_features = categorical_features
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        classes = [c for c in np.unique(y) if c in self.sampling_strategy_]
        plan = self._plan(X, y, classes, rng, self.percentage)
        return self._assemble(X, y, plan, rng)
