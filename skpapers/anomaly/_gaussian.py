"""Gaussian anomaly detection: one shrunk multivariate Gaussian on normal data."""

import warnings
from numbers import Real

import numpy as np
from scipy import linalg
from scipy.stats import chi2
from sklearn.base import BaseEstimator, OutlierMixin, _fit_context
from sklearn.covariance import OAS, EmpiricalCovariance, LedoitWolf, MinCovDet, ShrunkCovariance
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

_NAMED_COVARIANCES = ("ledoit_wolf", "oas", "empirical", "mcd")


class GaussianAnomalyDetector(OutlierMixin, BaseEstimator):
    """Score anomalies by their Mahalanobis distance to a shrunk Gaussian fitted on normal data.

    A multivariate Gaussian is fitted to normal (anomaly-free) training data
    with a shrinkage covariance estimate (Ledoit-Wolf by default), and a
    sample is scored by its Mahalanobis distance to it. The method was
    proposed for features of a pre-trained network; it applies to any
    numeric feature matrix. Optionally, the Gaussian is fitted on selected
    principal components only: the high-variance ones (``"pca"``) or the
    low-variance ones (``"npca"``), which is where the paper finds the
    anomaly signal. The decision threshold is set for a target false-positive
    rate, either from the chi-square law of squared Mahalanobis distances of
    Gaussian data or from the training distances.

    Parameters
    ----------
    covariance : {"ledoit_wolf", "oas", "empirical", "mcd"} or float, default="ledoit_wolf"
        Covariance estimator, from :mod:`sklearn.covariance`: ``LedoitWolf``,
        ``OAS``, ``EmpiricalCovariance``, ``MinCovDet`` (robust), or, for a
        float in [0, 1], ``ShrunkCovariance`` with that fixed shrinkage
        intensity towards ``trace(S) / k * I``. Without shrinkage
        (``"empirical"``, ``"mcd"``, ``0.0``) the covariance is singular when
        columns are constant or duplicated or when there are fewer samples
        than features; :meth:`fit` then raises a ``ValueError``.

    component_selection : {"pca", "npca"} or None, default=None
        Fit the Gaussian on principal components of the (centred) training
        data instead of on the columns. With ``c`` the cumulative explained
        variance ratio and ``L`` the first index with ``c[L] >
        variance_threshold``, ``"pca"`` keeps components ``0..L`` (at least
        ``variance_threshold`` of the variance) and ``"npca"`` keeps
        components ``L-1..`` (the low-variance rest, with the boundary
        component on each side kept, as in the paper's code). Without
        shrinkage, ``"npca"`` drops components of zero training variance
        with a warning; with shrinkage they are kept, and their scale is set
        by the shrinkage target.

    variance_threshold : float, default=0.99
        The explained-variance threshold ``t`` of the component selection,
        in (0, 1). Ignored when ``component_selection`` is None.

    feature_groups : list of array-like of int or slice, default=None
        Column groups (e.g. one per feature level of a network); each gets
        its own component selection and Gaussian, and the per-group
        distances are aggregated. Columns in no group are ignored;
        overlapping groups are allowed, with a warning. None means one group
        with every column.

    aggregate : {"sum", "mean"}, default="sum"
        How per-group distances are combined. Both rank samples identically
        when the number of groups is fixed.

    fpr : float, default=0.05
        Target false-positive rate in (0, 1) that sets the decision
        threshold.

    threshold : {"chi2", "empirical"}, default="chi2"
        ``"chi2"``: ``threshold_ = sqrt(chi2.ppf(1 - fpr, k))`` with ``k``
        the dimension of the Gaussian; exact for the true Gaussian and one
        group (estimation error and shrinkage bias it, see Notes).
        Several groups require ``"empirical"``: the ``1 - fpr`` quantile of
        the training distances.

    assume_centered : bool, default=False
        If True, the data are taken to have zero mean: the location is not
        estimated and the principal axes are those of the uncentred data.

    random_state : int, RandomState instance or None, default=None
        Seeds ``MinCovDet``; only used when ``covariance="mcd"``.

    Attributes
    ----------
    location_ : ndarray of shape (k,), or list of such arrays
        Mean of the Gaussian, in the space it was fitted: the columns, or
        the component scores when ``component_selection`` is set. A list
        (one entry per group) when ``feature_groups`` is set; so are the
        other per-group attributes below.

    covariance_ : ndarray of shape (k, k), or list
        Estimated covariance of the Gaussian.

    precision_ : ndarray of shape (k, k), or list
        Inverse of ``covariance_``.

    shrinkage_ : float, or list
        Shrinkage intensity used (Ledoit-Wolf or OAS estimate, or the fixed
        float); 0.0 for ``"empirical"`` and ``"mcd"``.

    components_ : ndarray of shape (k, n_group_features), list, or None
        Selected principal axes (rows); None without component selection.

    pca_mean_ : ndarray of shape (n_group_features,), list, or None
        Mean subtracted before projecting on ``components_`` (zeros when
        ``assume_centered=True``); None without component selection.

    explained_variance_ratio_ : ndarray of shape (k,), list, or None
        Share of the group's total variance carried by each selected
        component; None without component selection.

    n_components_ : int, or list of int
        Dimension ``k`` of each fitted Gaussian.

    groups_ : list of ndarray of int
        Column indices of each group.

    dist_ : ndarray of shape (n_samples,)
        (Aggregated, non-squared) Mahalanobis distances of the training
        samples.

    threshold_ : float
        Decision threshold, in distance units: samples farther are outliers.

    offset_ : float
        ``-threshold_``, so that ``decision_function = score_samples -
        offset_`` is negative for outliers.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn.covariance.EllipticEnvelope : Robust (MCD) Gaussian with a
        contamination-quantile threshold.
    sklearn.covariance.LedoitWolf : The default covariance estimator;
        its ``mahalanobis`` returns squared distances.

    Notes
    -----
    :meth:`mahalanobis` returns distances, not squared distances as
    :meth:`sklearn.covariance.EmpiricalCovariance.mahalanobis` does.

    The chi-square threshold assumes the fitted Gaussian is the true one,
    and finite samples break that in two opposite ways. Estimation error
    puts fresh normal samples farther than the law predicts (their squared
    distance follows a Hotelling law, inflated by roughly ``1 + k / n``):
    with ``k = 50`` dimensions and ``n = 1000`` samples of Gaussian data, a
    5% target yields about 9% false positives. Shrinkage inflates the small
    eigenvalues of the covariance, which shortens distances along them: for
    data close to a low-dimensional subspace the realised rate can fall far
    below ``fpr``. The chi-square threshold is reliable when ``k`` is small
    compared with ``n`` and the covariance is well conditioned. Otherwise
    use ``threshold="empirical"`` (in-sample distances are optimistic too,
    so it also overshoots ``fpr`` somewhat), or take the ``1 - fpr``
    quantile of :meth:`mahalanobis` on held-out normal data.

    References
    ----------
    .. [1] Rippel, O., Mertens, P., Merhof, D. "Modeling the Distribution of
       Normal Data in Pre-Trained Deep Features for Anomaly Detection",
       ICPR 2020. arXiv:2005.14140.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.anomaly import GaussianAnomalyDetector
    >>> rng = np.random.RandomState(0)
    >>> X = rng.multivariate_normal([0, 0], [[1.0, 0.8], [0.8, 1.0]], size=500)
    >>> detector = GaussianAnomalyDetector(fpr=0.01).fit(X)
    >>> detector.predict([[0.0, 0.0], [2.0, -2.0]])
    array([ 1, -1])
    >>> np.round(detector.mahalanobis([[2.0, -2.0]]), 2)
    array([6.17])
    >>> round(detector.threshold_, 3)
    3.035
    """

    _parameter_constraints: dict = {
        "covariance": [StrOptions(set(_NAMED_COVARIANCES)), Interval(Real, 0, 1, closed="both")],
        "component_selection": [StrOptions({"pca", "npca"}), None],
        "variance_threshold": [Interval(Real, 0, 1, closed="neither")],
        "feature_groups": [list, tuple, None],
        "aggregate": [StrOptions({"sum", "mean"})],
        "fpr": [Interval(Real, 0, 1, closed="neither")],
        "threshold": [StrOptions({"chi2", "empirical"})],
        "assume_centered": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        covariance="ledoit_wolf",
        component_selection=None,
        variance_threshold=0.99,
        feature_groups=None,
        aggregate="sum",
        fpr=0.05,
        threshold="chi2",
        assume_centered=False,
        random_state=None,
    ):
        self.covariance = covariance
        self.component_selection = component_selection
        self.variance_threshold = variance_threshold
        self.feature_groups = feature_groups
        self.aggregate = aggregate
        self.fpr = fpr
        self.threshold = threshold
        self.assume_centered = assume_centered
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the Gaussian(s) on normal training data and set the threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Normal training data.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted detector.
        """
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        groups = self._check_groups(X.shape[1])
        if self.threshold == "chi2" and len(groups) > 1:
            raise ValueError(
                "threshold='chi2' needs a single feature group: an aggregate of several Mahalanobis "
                "distances does not follow a chi distribution. Use threshold='empirical' with feature_groups."
            )
        fitted = []
        for position, columns in enumerate(groups):
            X_group = X if columns is None else X[:, columns]
            fitted.append(self._fit_group(X_group, position))
        self._fitted_groups = fitted
        self.groups_ = [np.arange(X.shape[1]) if columns is None else columns for columns in groups]

        names = ["location", "covariance", "precision", "shrinkage", "components", "pca_mean"]
        names += ["explained_variance_ratio", "n_components"]
        for name in names:
            values = [group[name] for group in fitted]
            setattr(self, name + "_", values[0] if self.feature_groups is None else values)

        self.dist_ = self._distances(X)
        if self.threshold == "chi2":
            self.threshold_ = float(np.sqrt(chi2.ppf(1.0 - self.fpr, fitted[0]["n_components"])))
        else:
            self.threshold_ = float(np.quantile(self.dist_, 1.0 - self.fpr))
        self.offset_ = -self.threshold_
        return self

    def _check_groups(self, n_features):
        if self.feature_groups is None:
            return [None]
        if len(self.feature_groups) == 0:
            raise ValueError("feature_groups must hold at least one group of columns; got an empty list.")
        all_columns = np.arange(n_features)
        groups = []
        for position, group in enumerate(self.feature_groups):
            if not isinstance(group, slice):
                group = np.asarray(group)
                if group.ndim != 1 or group.dtype.kind not in "iu":
                    raise ValueError(
                        f"feature_groups[{position}] must be a slice or a 1-d array of integer column "
                        f"indices; got {self.feature_groups[position]!r}."
                    )
                if group.size and (group.min() < -n_features or group.max() >= n_features):
                    raise ValueError(
                        f"feature_groups[{position}] holds column indices outside [0, {n_features}); "
                        f"X has {n_features} features."
                    )
            columns = all_columns[group]
            if columns.size == 0:
                raise ValueError(f"feature_groups[{position}] selects no column.")
            if np.unique(columns).size != columns.size:
                raise ValueError(f"feature_groups[{position}] repeats a column index.")
            groups.append(columns)
        counts = np.bincount(np.concatenate(groups), minlength=n_features)
        if counts.max() > 1:
            warnings.warn(
                f"feature_groups overlap: column(s) {np.flatnonzero(counts > 1).tolist()} belong to several "
                "groups and count several times in the aggregated distance.",
                UserWarning,
            )
        return groups

    def _shrinks(self):
        return self.covariance in ("ledoit_wolf", "oas") or (
            isinstance(self.covariance, Real) and not isinstance(self.covariance, str) and self.covariance > 0
        )

    def _covariance_estimator(self):
        if self.covariance == "ledoit_wolf":
            return LedoitWolf(store_precision=False, assume_centered=self.assume_centered)
        if self.covariance == "oas":
            return OAS(store_precision=False, assume_centered=self.assume_centered)
        if self.covariance == "empirical":
            return EmpiricalCovariance(store_precision=False, assume_centered=self.assume_centered)
        if self.covariance == "mcd":
            return MinCovDet(
                store_precision=False, assume_centered=self.assume_centered, random_state=self.random_state
            )
        return ShrunkCovariance(
            store_precision=False, assume_centered=self.assume_centered, shrinkage=float(self.covariance)
        )

    def _select_components(self, X, position):
        n_samples, n_features = X.shape
        pca_mean = np.zeros(n_features) if self.assume_centered else X.mean(axis=0)
        _, singular_values, axes = linalg.svd(X - pca_mean, full_matrices=False)
        # Deterministic signs: the largest coefficient of each axis is positive.
        signs = np.sign(axes[np.arange(axes.shape[0]), np.argmax(np.abs(axes), axis=1)])
        axes *= np.where(signs == 0, 1.0, signs)[:, None]
        variances = singular_values**2 / max(n_samples - (0 if self.assume_centered else 1), 1)
        total = variances.sum()
        if not total > 0:
            raise ValueError(
                f"Feature group {position} has zero variance in every column: no principal component "
                "to select (component_selection)."
            )
        ratio = variances / total
        above = np.flatnonzero(np.cumsum(ratio) > self.variance_threshold)
        last = above[0] if above.size else ratio.size - 1
        if self.component_selection == "pca":
            keep = np.arange(0, last + 1)
        else:
            keep = np.arange(max(last - 1, 0), ratio.size)
            null = variances[keep] <= variances[0] * max(n_samples, n_features) * np.finfo(np.float64).eps
            if null.any() and not self._shrinks():
                warnings.warn(
                    f"component_selection='npca' dropped {int(null.sum())} component(s) of zero training "
                    f"variance in feature group {position}: without shrinkage (covariance="
                    f"{self.covariance!r}) their covariance is singular.",
                    UserWarning,
                )
                keep = keep[~null]
        return pca_mean, axes[keep], ratio[keep]

    def _fit_group(self, X, position):
        if self.component_selection is not None:
            pca_mean, components, ratio = self._select_components(X, position)
            Z = (X - pca_mean) @ components.T
        else:
            pca_mean, components, ratio, Z = None, None, None, X
        estimator = self._covariance_estimator()
        with warnings.catch_warnings():
            # A singular covariance is reported below with a clearer message.
            warnings.filterwarnings("ignore", message=".*not full rank.*")
            estimator.fit(Z)
        covariance = (estimator.covariance_ + estimator.covariance_.T) / 2
        location = estimator.location_
        eigenvalues, eigenvectors = linalg.eigh(covariance)
        n_dims = covariance.shape[0]
        tolerance = max(eigenvalues[-1], 0.0) * max(Z.shape) * np.finfo(np.float64).eps
        if not eigenvalues[0] > tolerance:
            raise ValueError(
                f"The covariance of feature group {position} is singular (covariance={self.covariance!r}, "
                f"{Z.shape[0]} samples, {n_dims} dimensions, smallest eigenvalue {eigenvalues[0]:.3g}): "
                "constant or duplicated columns, or fewer samples than features. Use a shrinkage "
                "estimator (covariance='ledoit_wolf', 'oas' or a float in (0, 1])."
            )
        # Whitening: squared distance = ||(x - center) @ projection||^2.
        whitener = eigenvectors / np.sqrt(eigenvalues)
        precision = (eigenvectors / eigenvalues) @ eigenvectors.T
        if components is None:
            center, projection = location, whitener
        else:
            # The orthonormal axes map the location back to the column space exactly.
            center, projection = pca_mean + location @ components, components.T @ whitener
        shrinkage = getattr(estimator, "shrinkage_", getattr(estimator, "shrinkage", 0.0))
        return {
            "location": location,
            "covariance": covariance,
            "precision": (precision + precision.T) / 2,
            "shrinkage": float(shrinkage),
            "components": components,
            "pca_mean": pca_mean,
            "explained_variance_ratio": ratio,
            "n_components": int(n_dims),
            "center": center,
            "projection": projection,
        }

    def _distances(self, X, squared=False):
        per_group = []
        for columns, group in zip(self.groups_, self._fitted_groups):
            X_group = X if self.feature_groups is None else X[:, columns]
            whitened = (X_group - group["center"]) @ group["projection"]
            squared_distance = np.einsum("ij,ij->i", whitened, whitened)
            per_group.append(squared_distance if squared else np.sqrt(squared_distance))
        if len(per_group) == 1:
            return per_group[0]
        stacked = np.sum(per_group, axis=0)
        return stacked / len(per_group) if self.aggregate == "mean" else stacked

    def mahalanobis(self, X):
        """Mahalanobis distance of each sample to the fitted Gaussian(s).

        Unlike :meth:`sklearn.covariance.EmpiricalCovariance.mahalanobis`,
        this returns distances, not squared distances. With several feature
        groups, the per-group distances are aggregated (``aggregate``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        distances : ndarray of shape (n_samples,)
            Non-negative distances; larger means more anomalous.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self._distances(X)

    def score_samples(self, X):
        """Opposite of the Mahalanobis distance (larger means more normal).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``-mahalanobis(X)``.
        """
        return -self.mahalanobis(X)

    def decision_function(self, X):
        """Shifted score: negative for outliers, positive for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            ``score_samples(X) - offset_ = threshold_ - mahalanobis(X)``.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Label samples as inliers (+1) or outliers (-1).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to label.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            +1 where ``decision_function(X) >= 0``, -1 elsewhere.
        """
        return np.where(self.decision_function(X) >= 0, 1, -1)

    def score_pvalues(self, X):
        """Chi-square p-value of each sample's squared distance.

        Under the fitted Gaussian, the squared Mahalanobis distance of a
        normal sample follows a chi-square law with ``n_components_``
        degrees of freedom; small p-values flag anomalies. Defined for a
        single feature group only.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        pvalues : ndarray of shape (n_samples,)
            ``chi2.sf(mahalanobis(X) ** 2, n_components_)``.
        """
        check_is_fitted(self)
        if len(self.groups_) > 1:
            raise ValueError(
                "score_pvalues needs a single feature group: the aggregate of several distances has no "
                "chi-square law (feature_groups is set)."
            )
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return chi2.sf(self._distances(X, squared=True), self._fitted_groups[0]["n_components"])
