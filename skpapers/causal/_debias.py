"""Post-hoc debiasing of shrunken predictions: linear calibration and Tweedie's correction."""

import warnings
from dataclasses import dataclass
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

# LCC divides by the calibration slope: below this it amplifies noise badly, at or below
# _MIN_SLOPE it is undefined.
_SMALL_SLOPE, _MIN_SLOPE = 0.2, 1e-8
# Fewer calibration points than this make the KDE score noisy.
_SMALL_CALIBRATION = 100
# Predictions further than this many KDE bandwidths outside the calibration range
# get a score extrapolated from the outermost calibration point alone.
_EXTRAPOLATION_BANDWIDTHS = 3.0
# floats per block of the (predictions x calibration points) KDE kernel matrix
_MAX_BLOCK = 2_000_000


@dataclass(frozen=True)
class DebiasedATEResult:
    """Difference of arm means on corrected and on raw predictions.

    Attributes
    ----------
    ate : float
        Treated minus control mean of the corrected predictions.
    naive_ate : float
        The same contrast on the raw (uncorrected) upstream predictions.
    n_treated, n_control : int
        Units in each arm.
    """

    ate: float
    naive_ate: float
    n_treated: int
    n_control: int


def _arm_means(values, treatment, propensity):
    # Hajek (self-normalised) inverse-propensity weights; unit weights without a propensity.
    if propensity is None:
        w1 = treatment.astype(np.float64)
        w0 = 1.0 - w1
    else:
        w1 = treatment / propensity
        w0 = (1.0 - treatment) / (1.0 - propensity)
    return (w1 @ values) / w1.sum() - (w0 @ values) / w0.sum()


class _BasePredictionCorrection(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Shared validation, upstream handling and ATE for the prediction correctors."""

    _parameter_constraints = {"estimator": [HasMethods(["predict"]), None]}

    def __init__(self, estimator=None):
        self.estimator = estimator

    def _upstream_predictions(self, X, *, reset):
        """Upstream predictions for ``X``: the frozen estimator's, or X's single column."""
        if reset:
            self.estimator_ = self.estimator
        if self.estimator_ is None:
            X = validate_data(self, X, reset=reset, ensure_min_samples=self._min_samples if reset else 1)
            if X.shape[1] != 1:
                raise ValueError(
                    f"With estimator=None, X must be the column of upstream predictions, of shape "
                    f"(n_samples, 1); got {X.shape[1]} columns. Pass the fitted upstream regressor "
                    "as `estimator` to correct its predictions on feature matrices."
                )
            return X[:, 0]
        if reset:
            try:
                check_is_fitted(self.estimator_)
            except NotFittedError:
                raise ValueError(
                    f"`estimator` must be an already-fitted regressor (it is used as is and never refit); "
                    f"{type(self.estimator_).__name__} is not fitted. Fit it on the training split first, "
                    "or wrap it in sklearn.frozen.FrozenEstimator when cloning (cross-validation)."
                ) from None
        # record (on fit) or check (on predict) the width and column names of X as meta-estimators do,
        # leaving the conversion of X to the upstream model
        validate_data(self, X, reset=reset, skip_check_array=True)
        predictions = np.asarray(self.estimator_.predict(X), dtype=np.float64)
        if predictions.ndim == 2 and predictions.shape[1] == 1:
            predictions = predictions[:, 0]
        if predictions.ndim != 1:
            raise ValueError(
                f"`estimator` must predict one number per unit; its predictions have shape {predictions.shape}."
            )
        if reset and predictions.shape[0] < self._min_samples:
            raise ValueError(
                f"{type(self).__name__} needs at least {self._min_samples} calibration units; got "
                f"{predictions.shape[0]} sample(s)."
            )
        if not np.all(np.isfinite(predictions)):
            raise ValueError("The upstream estimator returned NaN or infinite predictions.")
        return predictions

    def _validate_calibration(self, X, y):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y", ensure_min_samples=self._min_samples)
        y = column_or_1d(y, warn=True)
        predictions = self._upstream_predictions(X, reset=True)
        check_consistent_length(predictions, y)
        self.calibration_range_ = (float(predictions.min()), float(predictions.max()))
        return predictions, y

    def predict(self, X):
        """Corrected predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs of the upstream estimator, or with ``estimator=None`` the
            upstream predictions as one column.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The debiased predictions.
        """
        check_is_fitted(self)
        return self._correct(self._upstream_predictions(X, reset=False))

    def estimate_ate(self, X, treatment, propensity=None):
        """Average treatment effect from corrected (and from raw) predictions.

        The effect is the difference of the treated and control means of the
        predicted outcomes. With ``propensity`` the arm means are Hajek
        (self-normalised inverse-propensity) weighted by ``1 / e`` and
        ``1 / (1 - e)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Units of the downstream study, as passed to :meth:`predict`.
        treatment : array-like of shape (n_samples,)
            Binary treatment indicator (0/1 or boolean).
        propensity : array-like of shape (n_samples,), default=None
            Known or estimated probabilities of treatment, strictly inside
            (0, 1).

        Returns
        -------
        result : DebiasedATEResult
            ``ate`` on corrected predictions, ``naive_ate`` on the raw
            upstream predictions, ``n_treated`` and ``n_control``.
        """
        check_is_fitted(self)
        raw = self._upstream_predictions(X, reset=False)
        corrected = self._correct(raw)
        treatment = check_array(treatment, ensure_2d=False, dtype=None, input_name="treatment")
        if treatment.ndim != 1:
            raise ValueError(f"treatment must be 1-D; got shape {treatment.shape}.")
        if treatment.dtype == bool:
            treatment = treatment.astype(np.float64)
        elif treatment.dtype.kind not in "iuf":
            raise TypeError(f"treatment must be numeric 0/1 or boolean; got dtype {treatment.dtype}.")
        treatment = treatment.astype(np.float64)
        if not np.all((treatment == 0) | (treatment == 1)):
            raise ValueError(
                f"treatment must be binary (0/1 or boolean); got values {np.unique(treatment)[:10].tolist()}."
            )
        check_consistent_length(raw, treatment)
        n_treated = int(treatment.sum())
        n_control = treatment.shape[0] - n_treated
        if n_treated == 0 or n_control == 0:
            raise ValueError(
                f"Both arms need units: got {n_treated} treated and {n_control} control unit(s) in treatment."
            )
        if propensity is not None:
            propensity = check_array(propensity, ensure_2d=False, dtype=np.float64, input_name="propensity")
            if propensity.ndim != 1:
                raise ValueError(f"propensity must be 1-D; got shape {propensity.shape}.")
            check_consistent_length(raw, propensity)
            if np.any(propensity <= 0) or np.any(propensity >= 1):
                raise ValueError("propensity must lie strictly between 0 and 1 for every unit.")
        return DebiasedATEResult(
            ate=float(_arm_means(corrected, treatment, propensity)),
            naive_ate=float(_arm_means(raw, treatment, propensity)),
            n_treated=n_treated,
            n_control=n_control,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


class LinearCalibrationCorrection(_BasePredictionCorrection):
    """Linear calibration correction (LCC) of shrunken regression predictions.

    A regressor trained by squared error regresses to the mean: its
    predictions ``p`` satisfy ``E[p | y] = a + b y`` with a slope ``b < 1``, so
    treatment effects computed on the predictions are attenuated by ``b``.
    On a labelled calibration split this corrector regresses the predictions
    on the truth by ordinary least squares (prediction on truth, not the
    reverse) and maps every prediction to ``(p - a) / b``. When the
    prediction error is mean-independent of ``y``, ``E[(p - a) / b | y] = y``,
    so any linear downstream contrast of corrected predictions (a difference
    of arm means, a regression coefficient) is unbiased, without labels in
    the downstream study.

    Calibration predictions must be out-of-sample (a held-out split, or
    :func:`~sklearn.model_selection.cross_val_predict`): in-sample predictions
    understate the shrinkage and under-correct.

    Parameters
    ----------
    estimator : fitted regressor or None, default=None
        The upstream model, already fitted. It is used frozen: ``fit`` only
        calls its ``predict``, never its ``fit``. ``None`` means ``X`` is the
        column of upstream predictions itself, of shape ``(n_samples, 1)``.

    Attributes
    ----------
    estimator_ : estimator or None
        The upstream model used (the ``estimator`` parameter itself).
    intercept_ : float
        Intercept ``a`` of the predictions regressed on the truth.
    slope_ : float
        Slope ``b`` of that regression (1 for an unshrunken predictor).
    r2_ : float
        Coefficient of determination of that regression.
    residual_std_ : float
        Standard deviation of its residuals (``ddof=2``).
    calibration_range_ : tuple of float
        Smallest and largest calibration prediction.
    n_features_in_ : int
        Number of features seen during fit (1 with ``estimator=None``).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when they are all strings.

    See Also
    --------
    TweedieCorrection : Correction for posterior-mean (Bayes) shrinkage.
    sklearn.calibration.CalibratedClassifierCV : The classification analogue
        of calibrating a fitted model on held-out data.

    Notes
    -----
    ``y`` constant, predictions constant or a slope at or below ``1e-8``
    raise ``ValueError``; a slope below 0.2 warns, since dividing by it
    amplifies the prediction noise. Corrected predictions are linear in the
    raw ones, so predictions outside ``calibration_range_`` are corrected by
    the same line (an extrapolation, with no warning). At least three
    calibration units are required (two coefficients and a residual).

    References
    ----------
    .. [1] M. B. Pettersson, C. T. Jerzak and A. Daoud, "Debiasing Machine
       Learning Predictions for Causal Inference Without Additional Ground
       Truth Data: One Map, Many Trials in Satellite-Driven Poverty
       Analysis", arXiv:2508.01341, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.causal import LinearCalibrationCorrection
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=2000)
    >>> p = 0.1 + 0.6 * y + rng.normal(scale=0.2, size=2000)  # shrunken predictions
    >>> lcc = LinearCalibrationCorrection().fit(p[:, None], y)
    >>> print(round(lcc.slope_, 2))
    0.6
    >>> t = rng.integers(0, 2, size=20000)  # a new trial, true effect 1.5, no labels
    >>> y_new = rng.normal(size=20000) + 1.5 * t
    >>> p_new = 0.1 + 0.6 * y_new + rng.normal(scale=0.2, size=20000)
    >>> result = lcc.estimate_ate(p_new[:, None], t)
    >>> print(round(result.naive_ate, 1), round(result.ate, 1))
    0.9 1.5
    """

    _min_samples = 3

    def fit(self, X, y):
        """Fit the calibration line on a labelled, held-out split.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs of the upstream estimator, or with ``estimator=None`` its
            out-of-sample predictions as one column.
        y : array-like of shape (n_samples,)
            True outcomes of the calibration units.

        Returns
        -------
        self : LinearCalibrationCorrection
            The fitted corrector.
        """
        self._validate_params()
        p, y = self._validate_calibration(X, y)
        y_centred = y - y.mean()
        p_centred = p - p.mean()
        ss_y, ss_p = y_centred @ y_centred, p_centred @ p_centred
        scale_y, scale_p = max(np.abs(y).max(), 1.0), max(np.abs(p).max(), 1.0)
        # relative to the data's magnitude: rounding alone leaves ss ~ n (eps * scale)^2
        if ss_y <= y.shape[0] * (1e-12 * scale_y) ** 2:
            raise ValueError("y is constant on the calibration split: the calibration slope is undefined.")
        if ss_p <= p.shape[0] * (1e-12 * scale_p) ** 2:
            raise ValueError(
                "The upstream predictions are constant on the calibration split: they carry no signal to rescale."
            )
        slope = (y_centred @ p_centred) / ss_y
        if not slope > _MIN_SLOPE:
            raise ValueError(
                f"The calibration slope of predictions on truth is {slope:.3g} (<= {_MIN_SLOPE:g}): the "
                "predictions do not increase with the truth, so dividing by the slope is meaningless."
            )
        if slope < _SMALL_SLOPE:
            warnings.warn(
                f"The calibration slope is small ({slope:.3g} < {_SMALL_SLOPE}): the correction divides by it "
                "and amplifies the prediction noise accordingly.",
                UserWarning,
                stacklevel=2,
            )
        self.slope_ = float(slope)
        self.intercept_ = float(p.mean() - slope * y.mean())
        residuals = p_centred - slope * y_centred
        ss_res = residuals @ residuals
        self.r2_ = float(1.0 - ss_res / ss_p)
        self.residual_std_ = float(np.sqrt(ss_res / max(p.shape[0] - 2, 1)))
        return self

    def _correct(self, p):
        return (p - self.intercept_) / self.slope_


def _kde_score(points, centres, bandwidth):
    """d/dp log of a Gaussian KDE with the given centres, at ``points`` (log-sum-exp stable)."""
    score = np.empty_like(points)
    block = max(1, _MAX_BLOCK // centres.shape[0])
    for start in range(0, points.shape[0], block):
        diff = points[start : start + block, None] - centres[None, :]
        logits = -0.5 * (diff / bandwidth) ** 2
        weights = np.exp(logits - logits.max(axis=1, keepdims=True))
        score[start : start + block] = -np.einsum("ij,ij->i", weights, diff) / (weights.sum(axis=1) * bandwidth**2)
    return score


def _kde_bandwidth(centres, bandwidth):
    """Kernel standard deviation of scipy's 1-D ``gaussian_kde`` for ``bw_method=bandwidth``."""
    n = centres.shape[0]
    if bandwidth == "scott":
        factor = n ** (-1.0 / 5.0)
    elif bandwidth == "silverman":
        factor = (n * 3.0 / 4.0) ** (-1.0 / 5.0)
    else:
        factor = float(bandwidth)
    return factor * float(np.std(centres, ddof=1))


class TweedieCorrection(_BasePredictionCorrection):
    """Tweedie's correction of shrunken regression predictions.

    A regressor trained by squared error approximates a posterior mean. If
    ``z = y + N(0, s^2)`` and the prediction is ``E[y | z]``, Tweedie's formula
    ``E[y | z] = z + s^2 d/dz log p_Z(z)`` shows the shrinkage is a score
    term; it is removed, to first order, by moving each prediction the other
    way,

    ``y~ = p - sigma^2 d/dp log phat(p)``,

    where ``sigma`` is the standard deviation of ``p - y`` on a labelled
    calibration split and ``phat`` a Gaussian kernel density estimate of the
    predictions. The score is the exact derivative of the KDE (computed with
    log-sum-exp, so tails do not underflow). The map is nonlinear and needs
    no linear model of the shrinkage; it undoes posterior-mean shrinkage
    fully under Gaussian noise, but only partly when the predictions are
    shrunk *and* carry independent noise (use
    :class:`LinearCalibrationCorrection` there).

    Calibration predictions must be out-of-sample (a held-out split, or
    :func:`~sklearn.model_selection.cross_val_predict`): in-sample residuals
    understate ``sigma``.

    Parameters
    ----------
    estimator : fitted regressor or None, default=None
        The upstream model, already fitted. It is used frozen: ``fit`` only
        calls its ``predict``, never its ``fit``. ``None`` means ``X`` is the
        column of upstream predictions itself, of shape ``(n_samples, 1)``.
    bandwidth : {"scott", "silverman"} or float, default="scott"
        Bandwidth rule of the KDE, as scipy's ``gaussian_kde(bw_method=...)``:
        a float is the factor multiplying the predictions' standard
        deviation.
    noise_scale : float or None, default=None
        ``sigma``; ``None`` estimates it as the standard deviation
        (``ddof=0``) of the calibration residuals ``p - y``. Zero makes the
        correction the identity.
    density_fit : {"calibration", "target"}, default="calibration"
        Which predictions the KDE is fitted on: the calibration split's, or
        those passed to :meth:`predict` (the downstream study's own; then a
        unit's correction depends on the other units passed with it).

    Attributes
    ----------
    estimator_ : estimator or None
        The upstream model used (the ``estimator`` parameter itself).
    noise_scale_ : float
        ``sigma`` used by the correction.
    kde_bandwidth_ : float
        Kernel standard deviation of the calibration KDE, in units of ``y``.
    calibration_predictions_ : ndarray of shape (n_calibration,)
        Upstream predictions on the calibration split (the KDE's centres).
    calibration_range_ : tuple of float
        Smallest and largest calibration prediction.
    n_features_in_ : int
        Number of features seen during fit (1 with ``estimator=None``).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when they are all strings.

    See Also
    --------
    LinearCalibrationCorrection : Linear rescaling, exact for any linear
        shrinkage plus independent noise.

    Notes
    -----
    Fewer than 2 distinct calibration predictions raise ``ValueError``;
    fewer than 100 calibration units warn (the KDE score is noisy).
    Predictions more than three bandwidths outside ``calibration_range_``
    warn in :meth:`predict`: there the score only reflects the outermost
    calibration points.

    References
    ----------
    .. [1] M. B. Pettersson, C. T. Jerzak and A. Daoud, "Debiasing Machine
       Learning Predictions for Causal Inference Without Additional Ground
       Truth Data: One Map, Many Trials in Satellite-Driven Poverty
       Analysis", arXiv:2508.01341, 2025.
    .. [2] B. Efron, "Tweedie's Formula and Selection Bias", Journal of the
       American Statistical Association 106(496), 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.causal import TweedieCorrection
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=4000)
    >>> x = y + rng.normal(scale=0.5, size=4000)
    >>> p = 0.8 * x  # posterior mean E[y | x]: shrunk by 0.8
    >>> tweedie = TweedieCorrection().fit(p[:, None], y)
    >>> corrected = tweedie.predict(p[:, None])
    >>> print(round(np.polyfit(y, p, 1)[0], 2), round(np.polyfit(y, corrected, 1)[0], 2))
    0.8 1.0
    """

    _min_samples = 2

    _parameter_constraints = {
        **_BasePredictionCorrection._parameter_constraints,
        "bandwidth": [StrOptions({"scott", "silverman"}), Interval(Real, 0, None, closed="neither")],
        "noise_scale": [Interval(Real, 0, None, closed="left"), None],
        "density_fit": [StrOptions({"calibration", "target"})],
    }

    def __init__(self, estimator=None, *, bandwidth="scott", noise_scale=None, density_fit="calibration"):
        super().__init__(estimator=estimator)
        self.bandwidth = bandwidth
        self.noise_scale = noise_scale
        self.density_fit = density_fit

    def fit(self, X, y):
        """Estimate the noise scale and the prediction density on a labelled, held-out split.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs of the upstream estimator, or with ``estimator=None`` its
            out-of-sample predictions as one column.
        y : array-like of shape (n_samples,)
            True outcomes of the calibration units.

        Returns
        -------
        self : TweedieCorrection
            The fitted corrector.
        """
        self._validate_params()
        p, y = self._validate_calibration(X, y)
        if np.unique(p).shape[0] < 2:
            raise ValueError(
                "The upstream predictions are constant on the calibration split: their density is undefined."
            )
        if p.shape[0] < _SMALL_CALIBRATION:
            warnings.warn(
                f"Only {p.shape[0]} calibration units (< {_SMALL_CALIBRATION}): the KDE score, and hence "
                "the correction, is noisy.",
                UserWarning,
                stacklevel=2,
            )
        self.noise_scale_ = float(np.std(p - y)) if self.noise_scale is None else float(self.noise_scale)
        self.calibration_predictions_ = p
        self.kde_bandwidth_ = _kde_bandwidth(p, self.bandwidth)
        return self

    def _correct(self, p):
        if self.noise_scale_ == 0.0:
            return p.copy()
        if self.density_fit == "target":
            if np.unique(p).shape[0] < 2:
                raise ValueError(
                    "density_fit='target' needs at least 2 distinct predictions to fit their density; "
                    f"got {p.shape[0]} prediction(s) with {np.unique(p).shape[0]} distinct value(s)."
                )
            centres, bandwidth = p, _kde_bandwidth(p, self.bandwidth)
        else:
            centres, bandwidth = self.calibration_predictions_, self.kde_bandwidth_
            low, high = self.calibration_range_
            margin = _EXTRAPOLATION_BANDWIDTHS * bandwidth
            n_far = int(np.count_nonzero((p < low - margin) | (p > high + margin)))
            if n_far:
                warnings.warn(
                    f"{n_far} prediction(s) lie more than {_EXTRAPOLATION_BANDWIDTHS:g} KDE bandwidths outside "
                    f"the calibration range [{low:.4g}, {high:.4g}]: their correction is an extrapolation.",
                    UserWarning,
                    stacklevel=3,
                )
        return p - self.noise_scale_**2 * _kde_score(p, centres, bandwidth)


class _StandInUpstreamForChecksMixin:
    """Stand in a least-squares upstream on a wider X (common estimator checks only).

    The common checks fit on several columns, which ``estimator=None`` rejects
    by design, and they cannot pass a fitted upstream model of their varying
    data. Their subclasses therefore compute the upstream predictions as the
    least-squares fit of y on X, found on the calibration X, so every check
    runs the real calibration, correction and validation code.
    ``tests/causal/test_debias.py`` covers the one-column contract itself.
    """

    def _upstream_predictions(self, X, *, reset):
        if self.estimator is not None:
            return super()._upstream_predictions(X, reset=reset)
        if reset:
            self.estimator_ = None
        X = validate_data(self, X, reset=reset, ensure_min_samples=self._min_samples if reset else 1)
        design = np.c_[np.ones(X.shape[0]), X]
        if reset:
            self._stand_in_coef = np.linalg.lstsq(design, self._stand_in_y, rcond=None)[0]
        return design @ self._stand_in_coef

    def _validate_calibration(self, X, y):
        if y is not None:
            self._stand_in_y = column_or_1d(check_array(y, ensure_2d=False, dtype=np.float64, input_name="y"))
        return super()._validate_calibration(X, y)


class _LinearCalibrationCorrectionForChecks(_StandInUpstreamForChecksMixin, LinearCalibrationCorrection):
    pass


class _TweedieCorrectionForChecks(_StandInUpstreamForChecksMixin, TweedieCorrection):
    pass
