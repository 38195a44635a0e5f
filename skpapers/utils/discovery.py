"""Find the public estimators and functions of skpapers, as ``sklearn.utils.discovery`` does."""

import importlib
import inspect
import pkgutil
from operator import itemgetter

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClusterMixin,
    OutlierMixin,
    RegressorMixin,
    TransformerMixin,
)

# Infrastructure packages hold no paper's method.
_SKIPPED_PACKAGES = ("tests", "reproduce", "__main__")
_TYPE_FILTERS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
    "cluster": ClusterMixin,
    "outlier_detector": OutlierMixin,
}


def _public_modules():
    import skpapers

    yield skpapers
    for _, name, _ in pkgutil.walk_packages(skpapers.__path__, prefix="skpapers."):
        parts = name.split(".")
        if any(part.startswith("_") for part in parts[1:]):
            continue
        if parts[1] in _SKIPPED_PACKAGES:
            continue
        yield importlib.import_module(name)


def _is_sampler(cls):
    return hasattr(cls, "fit_resample")


def all_estimators(type_filter=None):
    """List every public estimator of skpapers.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "cluster", \
            "outlier_detector", "sampler"} or list of those, default=None
        Keep only estimators of these kinds. ``"sampler"`` means an object
        with ``fit_resample`` (imbalanced-learn's sampler API). ``None`` keeps
        all of them.

    Returns
    -------
    estimators : list of (name, class) tuples
        Sorted by name. Abstract classes and private names are left out.

    Examples
    --------
    >>> from skpapers.utils.discovery import all_estimators
    >>> names = [name for name, _ in all_estimators(type_filter="sampler")]
    >>> "OriginalSMOTE" in names
    True
    """
    found = {}
    for module in _public_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if name.startswith("_") or not cls.__module__.startswith("skpapers"):
                continue
            if not issubclass(cls, BaseEstimator) or inspect.isabstract(cls):
                continue
            found[name] = cls

    estimators = sorted(found.items(), key=itemgetter(0))
    if type_filter is None:
        return estimators

    filters = [type_filter] if isinstance(type_filter, str) else list(type_filter)
    unknown = [kind for kind in filters if kind != "sampler" and kind not in _TYPE_FILTERS]
    if unknown:
        raise ValueError(
            f"type_filter must be None or among {sorted([*_TYPE_FILTERS, 'sampler'])}; "
            f"got {unknown!r}."
        )
    kept = []
    for name, cls in estimators:
        for kind in filters:
            if (kind == "sampler" and _is_sampler(cls)) or (
                kind != "sampler" and issubclass(cls, _TYPE_FILTERS[kind])
            ):
                kept.append((name, cls))
                break
    return kept


def all_functions():
    """List every public function of skpapers.

    Returns
    -------
    functions : list of (name, function) tuples
        Sorted by name; functions whose name starts with ``_`` and functions
        defined outside skpapers are left out.

    Examples
    --------
    >>> from skpapers.utils.discovery import all_functions
    >>> "roc_convex_hull" in [name for name, _ in all_functions()]
    True
    """
    found = {}
    for module in _public_modules():
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or not func.__module__.startswith("skpapers"):
                continue
            found[name] = func
    return sorted(found.items(), key=itemgetter(0))
