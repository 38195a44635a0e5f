"""Log-ratio coordinates of compositions: centred (clr) and additive (alr)."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, check_non_negative, validate_data


def _check_parts(X, pseudocount, whom):
    """Raise unless every part of ``X`` can enter a logarithm.

    Negative parts always raise. Zero parts raise unless ``pseudocount`` is set:
    a log-ratio of a zero is undefined and we do not impute silently.
    """
    check_non_negative(X, whom)
    if pseudocount is None:
        n_zeros = np.count_nonzero(X == 0)
        if n_zeros:
            raise ValueError(
                f"X contains {n_zeros} zero part(s); log-ratios of zeros are undefined. "
                "Replace the zeros beforehand (e.g. multiplicative replacement) or set "
                "pseudocount to a positive value that is added to every part."
            )


def _log_parts(X, pseudocount, whom):
    """Return ``log(X + pseudocount)`` (a new array) after ``_check_parts``."""
    _check_parts(X, pseudocount, whom)
    return np.log(X + pseudocount) if pseudocount is not None else np.log(X)


def _clr_from_log(log_X):
    # Callers pass the fresh array made by ``_log_parts``: centring it in place
    # saves one copy of the data.
    log_X -= log_X.mean(axis=1, keepdims=True)
    return log_X


def _closure_of_exp(Z):
    """Closed composition ``exp(Z) / sum(exp(Z))`` per row, without overflow."""
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _resolve_part(part, estimator, name):
    """Index of a part given as an integer (negatives count from the end) or a feature name."""
    n_parts = estimator.n_features_in_
    if isinstance(part, str):
        names = getattr(estimator, "feature_names_in_", None)
        if names is None:
            raise ValueError(
                f"{name}={part!r} is a feature name, but X had no feature names when fitted; "
                "pass an integer index."
            )
        matches = np.flatnonzero(names == part)
        if matches.size == 0:
            raise ValueError(f"{name}={part!r} is not one of the fitted feature names {list(names)}.")
        return int(matches[0])
    if isinstance(part, (Integral, np.integer)) and not isinstance(part, bool):
        if not -n_parts <= part < n_parts:
            raise ValueError(f"{name}={part} is out of range for {n_parts} parts.")
        return int(part) % n_parts
    raise TypeError(f"{name} must be an integer index or a feature name; got {type(part).__name__}.")


class LogRatioTransformer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Map compositions to log-ratio coordinates (clr or alr).

    A composition (parts of a whole: proportions, percentages, relative
    abundances) carries only ratio information. The centred log-ratio
    ``clr(x)_i = log x_i - mean_j log x_j`` keeps one coordinate per part (the
    coordinates of a sample sum to zero); the additive log-ratio
    ``alr(x)_i = log(x_i / x_r)`` drops the reference part ``r``. Both are
    invariant to the scale of each sample, so closed (rows sum to 1) and
    unclosed data give the same output.

    Parameters
    ----------
    kind : {"clr", "alr"}, default="clr"
        The log-ratio transform. ``"clr"`` maps ``D`` parts to ``D``
        coordinates, ``"alr"`` to ``D - 1``.
    reference : int or str, default=-1
        The reference (denominator) part of ``"alr"``: an integer index
        (negative values count from the end) or, when fitted on a DataFrame,
        a column name. Ignored by ``"clr"``.
    pseudocount : float or None, default=None
        If set, this positive value is added to every part of every sample
        before the logarithm, which makes zero parts usable. The result then
        depends on the pseudocount and on the scale of the data (it is no
        longer scale invariant), so choose it deliberately. If None, zero
        parts raise a ``ValueError``. Negative parts always raise.

    Attributes
    ----------
    reference_ : int
        Non-negative index of the reference part (``kind="alr"`` only).
    n_features_in_ : int
        Number of parts seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the parts seen in ``fit``; defined only when ``X`` has
        string column names.

    See Also
    --------
    CompositionalPartialCorrelation : Partial correlations of the parts,
        computed from the clr covariance.

    Notes
    -----
    ``fit`` only validates ``X`` and records the number of parts: the
    transforms have no learned state. ``inverse_transform`` returns closed
    compositions; it does not subtract the pseudocount.

    References
    ----------
    .. [1] I. Erb, "Partial correlations in compositional data analysis",
       Applied Computing and Geosciences 6, 100026 (2020). arXiv:1904.09480.
    .. [2] J. Aitchison, "The Statistical Analysis of Compositional Data",
       Chapman and Hall (1986).

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.compositional import LogRatioTransformer
    >>> X = np.array([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]])
    >>> clr = LogRatioTransformer().fit_transform(X)
    >>> np.round(clr, 3)
    array([[-0.441, -0.035,  0.476],
           [-0.963,  0.828,  0.135]])
    >>> np.round(clr.sum(axis=1), 12)
    array([0., 0.])
    >>> alr = LogRatioTransformer(kind="alr", reference=0).fit(X)
    >>> np.round(alr.transform(X), 3)
    array([[0.405, 0.916],
           [1.792, 1.099]])
    >>> np.round(alr.inverse_transform(alr.transform(X)), 3)
    array([[0.2, 0.3, 0.5],
           [0.1, 0.6, 0.3]])
    """

    _parameter_constraints = {
        "kind": [StrOptions({"clr", "alr"})],
        "reference": [Integral, str],
        "pseudocount": [None, Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, kind="clr", reference=-1, pseudocount=None):
        self.kind = kind
        self.reference = reference
        self.pseudocount = pseudocount

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags

    def fit(self, X, y=None):
        """Validate the compositions and record the number of parts.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts)
            Compositions; every part must be positive (or non-negative when
            ``pseudocount`` is set).
        y : None
            Ignored.

        Returns
        -------
        self : LogRatioTransformer
            The fitted transformer.
        """
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64)
        if self.n_features_in_ < 2:
            raise ValueError(
                f"A composition needs at least 2 parts; got X with {self.n_features_in_} feature(s)."
            )
        _check_parts(X, self.pseudocount, "LogRatioTransformer")
        if self.kind == "alr":
            self.reference_ = _resolve_part(self.reference, self, "reference")
        return self

    def transform(self, X):
        """Return the log-ratio coordinates of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts)
            Compositions with the parts seen in ``fit``.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_parts) or (n_samples, n_parts - 1)
            clr coordinates, or alr coordinates without the reference part.
        """
        check_is_fitted(self, "n_features_in_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        log_X = _log_parts(X, self.pseudocount, "LogRatioTransformer")
        if self.kind == "clr":
            return _clr_from_log(log_X)
        return np.delete(log_X, self.reference_, axis=1) - log_X[:, [self.reference_]]

    def inverse_transform(self, X):
        """Map log-ratio coordinates back to closed compositions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts) or (n_samples, n_parts - 1)
            clr or alr coordinates, as returned by ``transform``.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_parts)
            Compositions whose rows sum to one.
        """
        check_is_fitted(self, "n_features_in_")
        Z = check_array(X, dtype=np.float64, input_name="X")
        expected = self.n_features_in_ - (self.kind == "alr")
        if Z.shape[1] != expected:
            raise ValueError(
                f"X has {Z.shape[1]} features, but {self.kind} coordinates of "
                f"{self.n_features_in_} parts have {expected}."
            )
        if self.kind == "alr":
            Z = np.insert(Z, self.reference_, 0.0, axis=1)
        return _closure_of_exp(Z)

    def get_feature_names_out(self, input_features=None):
        """Names of the output coordinates: the part names, minus the alr reference.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Part names; if None, ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per output coordinate.
        """
        check_is_fitted(self, "n_features_in_")
        names = super().get_feature_names_out(input_features)
        if self.kind == "alr":
            names = np.delete(names, self.reference_)
        return names
