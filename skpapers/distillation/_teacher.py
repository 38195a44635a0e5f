"""Reading logits from a fitted teacher, or checking logits a user passes.

Distillation losses compare logits, so the teacher's output must be turned
into one logit vector per row with the classes in the student's order.  Two
responses are possible and they are *not* equivalent for logit-level losses:
``decision_function`` keeps the teacher's own per-row offset, while
``log(predict_proba)`` is only defined up to one; we centre the latter per row
so that it has a definite offset (zero mean).
"""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

_PROBA_FLOOR = 1e-12
RESPONSES = ("auto", "decision_function", "predict_proba")


def model_logits(model, X, classes, response="auto", name="teacher"):
    """Logits of a fitted classifier on ``X``, columns in the order of ``classes``.

    Parameters
    ----------
    model : fitted classifier
    X : array-like of shape (n_samples, n_features)
    classes : ndarray of shape (n_classes,)
        The student's classes; ``model.classes_`` must equal them, in order.
    response : {'auto', 'decision_function', 'predict_proba'}
        'auto' prefers ``decision_function``.  A binary decision function
        ``d`` becomes the two columns ``[-d/2, d/2]``; probabilities become
        row-centred ``log(clip(p, 1e-12))``.
    name : str
        The parameter name used in error messages.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
    """
    try:
        check_is_fitted(model)
    except NotFittedError as exc:
        raise NotFittedError(f"{name} must be a fitted classifier: {exc}") from exc
    model_classes = getattr(model, "classes_", None)
    if model_classes is None or not np.array_equal(np.asarray(model_classes), np.asarray(classes)):
        shown = None if model_classes is None else np.asarray(model_classes).tolist()
        raise ValueError(
            f"{name}.classes_ = {shown} differs from the classes of y {np.asarray(classes).tolist()}; "
            "the teacher must be fitted on the same classes, in the same (sorted) order."
        )
    if response == "auto":
        response = "decision_function" if hasattr(model, "decision_function") else "predict_proba"
    if not hasattr(model, response):
        raise ValueError(f"{name} has no {response}; choose another response.")
    n_classes = len(classes)
    if response == "decision_function":
        scores = np.asarray(model.decision_function(X), dtype=float)
        if scores.ndim == 1:
            scores = np.column_stack([-0.5 * scores, 0.5 * scores])
    else:
        proba = np.asarray(model.predict_proba(X), dtype=float)
        scores = np.log(np.clip(proba, _PROBA_FLOOR, None))
        scores -= scores.mean(axis=1, keepdims=True)
    return check_logits(scores, X.shape[0], n_classes, f"{name}.{response}(X)")


def check_logits(logits, n_samples, n_classes, name):
    """Return ``logits`` as a float array of shape (n_samples, n_classes), finite."""
    try:
        logits = np.asarray(logits, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array of shape ({n_samples}, {n_classes}).") from exc
    if logits.shape != (n_samples, n_classes):
        raise ValueError(f"{name} has shape {logits.shape}; expected ({n_samples}, {n_classes}).")
    if not np.all(np.isfinite(logits)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return logits
