"""What the common estimator checks need to know about each estimator.

Kept in one place so that a reviewer sees every exemption at once.

``CHECK_PARAMS``
    Constructor arguments used when an estimator runs the common checks (for
    instance a smaller ``max_iter`` to keep the suite fast). Estimators not
    listed are built with their defaults.
``EXPECTED_FAILED_CHECKS``
    ``{estimator name: {check name: reason}}``. Every entry needs a reason a
    reviewer would accept.
"""

CHECK_PARAMS = {
    # both censoring estimators: Beran validates X itself, Kaplan-Meier leaves X to the regressor
    "KaplanMeierWeightedRegressor": [{}, {"censoring": "beran"}],
    # The checks shift X to be non-negative, which leaves a zero part; log-ratios
    # need the pseudocount to accept it (clr and alr both exercised).
    "CompositionalPartialCorrelation": {"pseudocount": 1.0},
    "LogRatioTransformer": [{"pseudocount": 1.0}, {"kind": "alr", "reference": 0, "pseudocount": 1.0}],
    # Defaults, plus the component-selection and robust/fixed-shrinkage code paths.
    "GaussianAnomalyDetector": [
        {},
        {"component_selection": "npca", "covariance": "oas"},
        {"component_selection": "pca", "covariance": "mcd", "random_state": 0, "threshold": "empirical"},
    ],
    # Plain SMOTE, and "auto" nominal detection (string input runs SMOTE-N).
    "OriginalSMOTE": [
        {"random_state": 0},
        {"categorical_features": "auto", "interpolation": "per_feature", "random_state": 0},
    ],
    # Plain SMOTE, and "auto" nominal detection (string input runs SMOTE-N).
    "OriginalSMOTE": [
        {"random_state": 0},
        {"categorical_features": "auto", "interpolation": "per_feature", "random_state": 0},
    ],
    "SMOTEUnderSampler": [
        {"random_state": 0},
        {"categorical_features": "auto", "smote_percentage": 0, "random_state": 0},
    ],
    # The tester needs 2 * n_features held-out rows and the NaN/inf check fits
    # 10 rows x 3 features; the checks' data are not Gaussian, so rejections
    # are expected and silenced.  Second instance: agnostic mode with restarts.
    "TestableHalfspaceClassifier": [
        {"test_size": 0.7, "on_reject": "ignore", "random_state": 0},
        {"test_size": 0.7, "on_reject": "ignore", "noise": "agnostic", "n_restarts": 2, "random_state": 0},
    ],
}

EXPECTED_FAILED_CHECKS = {}


def construct_instances(estimator_class):
    """Return the instance(s) of ``estimator_class`` that the common checks run on."""
    params = CHECK_PARAMS.get(estimator_class.__name__, {})
    if isinstance(params, list):
        return [estimator_class(**p) for p in params]
    return [estimator_class(**params)]


def expected_failed_checks(estimator):
    """Return ``{check name: reason}`` for ``estimator`` (see ``EXPECTED_FAILED_CHECKS``)."""
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})
