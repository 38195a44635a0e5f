"""Right-censored regression data: the simulations of the Kaplan-Meier ERM reproduction."""

import numbers

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params


@validate_params(
    {
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_features": [Interval(numbers.Integral, 2, None, closed="left")],
        "censoring": [StrOptions({"independent", "dependent"})],
        "censoring_rate": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "return_truth": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_censored_regression(
    n_samples=1000,
    n_features=5,
    *,
    censoring="independent",
    censoring_rate=0.25,
    random_state=None,
    return_truth=False,
):
    """Durations with a linear mean, right censored independently of or depending on X.

    ``X ~ Uniform[0, 1]^n_features``, mean duration
    ``m(x) = 1 + 2 x_1 + x_2``, duration ``Y = m(X) * E`` with ``E ~ Exp(1)``
    (so ``E[Y | X] = m(X)``), censoring time ``C`` exponential with rate

    * ``censoring_rate`` (``censoring="independent"``; the default 0.25
      censors about 38% of rows);
    * ``censoring_rate * (0.08 + 1.6 x_1)`` (``censoring="dependent"``; the
      default gives rate ``0.02 + 0.4 x_1``, so long durations are censored
      more often, about 34% of rows for two features).

    The observed target is ``T = min(Y, C)`` with ``event = (Y <= C)``. A rate
    of 0 means no censoring.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows.
    n_features : int, default=5
        Number of features (at least 2; only the first two enter ``m``).
    censoring : {"independent", "dependent"}, default="independent"
        Whether the censoring rate depends on ``x_1``.
    censoring_rate : float, default=0.25
        Scale of the censoring rate (see above).
    random_state : int, RandomState instance or None, default=None
        Seed of every random draw.
    return_truth : bool, default=False
        Also return the uncensored durations, the censoring times and ``m(X)``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Features.
    y : structured ndarray of shape (n_samples,)
        Fields ``event`` (bool) and ``time`` (float), the layout of
        ``sksurv.util.Surv.from_arrays``.
    truth : Bunch
        Only when ``return_truth=True``: ``duration`` (``Y``),
        ``censoring_time`` (``C``) and ``mean`` (``m(X)``).

    References
    ----------
    .. [1] G. Ausset, S. Clemencon and F. Portier, "Empirical Risk Minimization
       under Random Censorship: Theory and Practice", arXiv:1906.01908, 2019.

    Examples
    --------
    >>> from skpapers.datasets import make_censored_regression
    >>> X, y = make_censored_regression(n_samples=1000, random_state=0)
    >>> X.shape, y.dtype.names
    ((1000, 5), ('event', 'time'))
    >>> round(float(1 - y["event"].mean()), 2)
    0.4
    """
    rng = check_random_state(random_state)
    X = rng.uniform(size=(n_samples, n_features))
    mean = 1.0 + 2.0 * X[:, 0] + X[:, 1]
    duration = mean * rng.exponential(size=n_samples)
    rate = censoring_rate * (np.ones(n_samples) if censoring == "independent" else 0.08 + 1.6 * X[:, 0])
    with np.errstate(divide="ignore"):
        censoring_time = np.where(rate > 0, rng.exponential(size=n_samples) / rate, np.inf)
    y = np.empty(n_samples, dtype=[("event", bool), ("time", np.float64)])
    y["event"] = duration <= censoring_time
    y["time"] = np.minimum(duration, censoring_time)
    if return_truth:
        return X, y, Bunch(duration=duration, censoring_time=censoring_time, mean=mean)
    return X, y
