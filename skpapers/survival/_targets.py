"""Parsing of right-censored survival targets into ``(time, event)`` arrays.

Shared by the survival estimators. Three layouts are accepted for ``y``:

- a structured array with two fields, the event indicator first and the
  observed time second, as ``sksurv.util.Surv.from_arrays(event, time)``
  builds it (field names are free);
- a 2-column numeric array ``[time, event]``;
- a 1-D numeric array of fully observed durations (every event observed).
"""

import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.utils import check_array

_LAYOUTS = (
    "a structured array with fields (event, time), a 2-column [time, event] array, "
    "or a 1-D array of fully observed durations"
)


def _check_event(event, name):
    """Return ``event`` as a bool array, refusing anything but booleans and 0/1."""
    event = np.asarray(event)
    if event.dtype == bool:
        return event.copy()
    if event.dtype.kind not in "biuf":
        raise TypeError(f"The event indicator of {name} must be boolean or 0/1; got dtype {event.dtype}.")
    bad = ~np.isin(event, (0, 1))
    if bad.any():
        shown = np.unique(event[bad])[:5]
        raise ValueError(
            f"The event indicator of {name} must be boolean or coded 0/1 (1 = event observed, "
            f"0 = censored); got values {shown.tolist()}."
        )
    return event.astype(bool)


def _check_time(time, name):
    time = np.asarray(time)
    if time.dtype.kind not in "biuf":
        raise TypeError(f"The times of {name} must be numeric; got dtype {time.dtype}.")
    time = time.astype(np.float64)
    if not np.isfinite(time).all():
        raise ValueError(f"The times of {name} must be finite; got NaN or infinity.")
    return time


def check_survival_target(y, *, name="y", require_event=True, estimator_name=None):
    """Validate a right-censored target and return its times and event indicators.

    Parameters
    ----------
    y : structured array, array-like of shape (n_samples, 2) or (n_samples,)
        See the module docstring for the three layouts.
    name : str, default="y"
        Name used in error messages.
    require_event : bool, default=True
        Raise when no sample has an observed event.
    estimator_name : str or None
        Named in the error raised when ``y`` is None.

    Returns
    -------
    time : ndarray of shape (n_samples,), float64
        Observed times ``T = min(Y, C)``; a new array, never a view of ``y``.
        Negative times raise a warning when ``y`` is in a censored layout
        (structured or 2-column): durations are expected. A 1-D ``y`` is
        ordinary regression data and may be negative.
    event : ndarray of shape (n_samples,), bool
        ``True`` where the event was observed (``Y <= C``).
    """
    if y is None:
        who = estimator_name or "This estimator"
        raise ValueError(f"{who} requires y to be passed, but the target y is None.")

    names = getattr(getattr(y, "dtype", None), "names", None)
    if names is not None:
        if len(names) != 2:
            raise ValueError(f"{name} as a structured array must have exactly two fields (event, time); got {names}.")
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"{name} as a structured array must be 1-D; got shape {y.shape}.")
        censored_layout = True
        event = _check_event(y[names[0]], name)
        time = _check_time(y[names[1]], name)
    else:
        arr = check_array(
            y, ensure_2d=False, dtype=np.float64, ensure_all_finite=True, input_name=name, ensure_min_samples=1
        )
        if arr.ndim == 2 and arr.shape[1] == 1:
            warnings.warn(
                f"A column-vector {name} was passed when a 1d array was expected; it is read as "
                "fully observed durations.",
                DataConversionWarning,
                stacklevel=3,
            )
            arr = arr[:, 0]
        censored_layout = arr.ndim == 2
        if arr.ndim == 1:
            time = np.array(arr, dtype=np.float64)
            event = np.ones(time.shape[0], dtype=bool)
        elif arr.ndim == 2 and arr.shape[1] == 2:
            time = np.array(arr[:, 0], dtype=np.float64)
            event = _check_event(arr[:, 1], name)
        else:
            raise ValueError(f"{name} must be {_LAYOUTS}; got an array of shape {arr.shape}.")

    if require_event and not event.any():
        raise ValueError(
            f"Every sample of {name} is censored: at least one observed event is needed to "
            "estimate the censoring distribution and to fit."
        )
    if censored_layout and (time < 0).any():
        warnings.warn(
            f"{name} contains negative times; durations are expected to be non-negative.",
            UserWarning,
            stacklevel=3,
        )
    return time, event
