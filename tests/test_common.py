"""The estimator checks of scikit-learn and imbalanced-learn on every public estimator.

Discovery feeds the checks, so no estimator can opt out silently; exemptions
live in ``skpapers/utils/_testing.py`` with a reason each.
"""

import importlib
import inspect
import pkgutil

import pytest
from imblearn.utils.estimator_checks import estimator_checks_generator as imblearn_checks_generator
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

import skpapers
from skpapers.utils._testing import (
    CHECK_PARAMS,
    EXPECTED_FAILED_CHECKS,
    construct_instances,
    expected_failed_checks,
)
from skpapers.utils.discovery import all_estimators

CHECK_PARAMS_KEYS = {
    name: {key for params in (value if isinstance(value, list) else [value]) for key in params}
    for name, value in CHECK_PARAMS.items()
}
ESTIMATORS = [instance for _, cls in all_estimators() for instance in construct_instances(cls)]
SAMPLERS = [instance for _, cls in all_estimators(type_filter="sampler") for instance in construct_instances(cls)]


def _subpackages():
    for info in pkgutil.iter_modules(skpapers.__path__):
        if info.ispkg and not info.name.startswith("_"):
            yield importlib.import_module(f"skpapers.{info.name}")


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _imblearn_checks():
    # imbalanced-learn's own ``parametrize_with_checks`` hands pytest a generator,
    # which pytest deprecates; the same checks, materialised as a list.
    for sampler in SAMPLERS:
        yield from imblearn_checks_generator(
            sampler, legacy=True, expected_failed_checks=expected_failed_checks(sampler), mark="xfail"
        )


def _check_id(obj):
    if hasattr(obj, "func"):  # functools.partial of a check
        return obj.func.__name__
    if isinstance(obj, BaseEstimator):
        changed = ",".join(f"{k}={v!r}" for k, v in sorted(obj.get_params(deep=False).items())
                           if k in CHECK_PARAMS_KEYS.get(type(obj).__name__, ()))
        return f"{type(obj).__name__}({changed})"
    return None


@pytest.mark.parametrize("estimator, check", list(_imblearn_checks()), ids=_check_id)
def test_imblearn_compatible_sampler(estimator, check):
    check(estimator)


def test_every_public_estimator_is_discovered():
    discovered = {cls for _, cls in all_estimators()}
    exported = set()
    for package in _subpackages():
        for name in getattr(package, "__all__", []):
            obj = getattr(package, name)
            if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
                exported.add(obj)
    assert exported - discovered == set()
    # ... and every discovered estimator is exported by its subpackage's __all__.
    assert {cls.__name__ for cls in discovered - exported} == set()


def test_exemptions_name_real_estimators_and_give_reasons():
    names = {name for name, _ in all_estimators()}
    for estimator_name, checks in EXPECTED_FAILED_CHECKS.items():
        assert estimator_name in names, estimator_name
        for check_name, reason in checks.items():
            assert isinstance(reason, str) and len(reason.split()) >= 4, (estimator_name, check_name)


def test_all_estimators_filters():
    samplers = {name for name, _ in all_estimators(type_filter="sampler")}
    classifiers = {name for name, _ in all_estimators(type_filter="classifier")}
    assert samplers.isdisjoint(classifiers)
    with pytest.raises(ValueError, match="type_filter"):
        all_estimators(type_filter="spaceship")
