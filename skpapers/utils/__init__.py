"""Shared machinery: estimator discovery, input validation, the optimisation core.

Public helpers live in submodules, as in scikit-learn: ``skpapers.utils.discovery``
(:func:`~skpapers.utils.discovery.all_estimators`,
:func:`~skpapers.utils.discovery.all_functions`) and ``skpapers.utils.validation``.
"""
