"""Direct preference optimisation (DPO) of a linear softmax classifier.

A linear classifier is a policy over labels, ``log pi(y | x) = s_y(x) - logsumexp(s(x))``.
Given pairs (chosen, rejected) of labels for the same input and a reference
policy, DPO lowers ``-log sigmoid(beta * [log-ratio of chosen - log-ratio of
rejected])``, where each log-ratio is against the reference.  For labels the
normaliser cancels, so the loss only sees score differences: on two classes it
is logistic regression on the pairs where the two labels disagree, with the
chosen labels as targets and the reference's scores as an offset.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ..utils._optim import CenteredL2, PenalizedDatafit, PreferenceLoss, gradient_descent, minimize_smooth


class PreferenceLogisticRegression(LinearClassifierMixin, BaseEstimator):
    """Linear softmax classifier tuned by DPO on (chosen, rejected) label pairs.

    Each training pair says that, for input ``x_i``, label ``yc_i`` is
    preferred to label ``yr_i``.  With linear class scores ``s_k(x) = coef_k . x
    + intercept_k`` and a fitted reference classifier with scores ``s^ref``,
    the fit minimises the direct preference optimisation loss

    ``L = -(1/n) sum_i log sigmoid(beta * [(s_yc - s_yr)(x_i) - (s^ref_yc - s^ref_yr)(x_i)])``

    (weighted by ``sample_weight``), plus ``||coef - coef^ref||^2 / (2 C n)``
    when ``C`` is finite.  Pairs whose two labels agree have zero gradient but
    still count in ``n``, so ``learning_rate`` means the same thing whatever
    the share of informative pairs.

    By default the fit is the paper's: ``max_iter`` plain gradient steps of
    size ``learning_rate`` starting from the reference.  The number of steps
    is a regulariser: the loss keeps decreasing while the classifier drifts to
    a separator of the pairs that disagree, so long runs (or
    ``solver="lbfgs"``, which minimises the loss) can lose the gain that a
    short run brings.

    Parameters
    ----------
    beta : float, default=1.0
        Inverse temperature of the preference model, ``> 0``.
    reference : fitted linear classifier or None, default=None
        The reference policy and starting point, an estimator with ``coef_``,
        ``intercept_`` and ``classes_`` (for instance a fitted
        :class:`~sklearn.linear_model.LogisticRegression`); it is read, never
        refitted.  Its classes become ``classes_``.  None means the uniform
        policy (all scores zero).  :func:`~sklearn.base.clone` (hence
        cross-validation and grid search) would clone it unfitted: wrap it in
        :class:`~sklearn.frozen.FrozenEstimator` there.
    learning_rate : float, default=0.02
        Step size of gradient descent (``solver="gd"``).
    max_iter : int, default=20
        Number of gradient steps (``solver="gd"``) or the L-BFGS iteration
        limit (``solver="lbfgs"``).  With 0 the fit returns the reference.
    tol : float, default=0.0
        ``"gd"``: stop early once no gradient entry exceeds ``tol`` (0 runs
        all ``max_iter`` steps, the paper's fixed budget).  ``"lbfgs"``:
        tolerance on the projected gradient.
    C : float, default=np.inf
        Inverse strength of a ridge penalty towards the reference
        coefficients (intercepts are not penalised); ``np.inf`` for none.
    solver : {"gd", "lbfgs"}, default="gd"
        Fixed-step gradient descent (early-stopped DPO, as in the paper) or
        L-BFGS to the minimiser of the penalised loss.
    fit_intercept : bool, default=True
        Whether to tune the intercepts; if False they stay at the
        reference's (zero without a reference).

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Class-score coefficients (one row, the class-1 log-odds, for two classes).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts.
    classes_ : ndarray of shape (n_classes,)
        Class labels: the reference's, or the sorted labels seen in the pairs.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.
    n_iter_ : int
        Gradient steps taken, or L-BFGS iterations.
    loss_curve_ : list of float
        Penalised loss at the reference and after each gradient step
        (``"lbfgs"``: at the reference and at the solution).
    n_informative_pairs_ : int
        Number of pairs whose chosen and rejected labels differ.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The supervised fit on the chosen labels alone.

    Notes
    -----
    With a 1-D ``y`` and no ``rejected``, every other class is rejected (each
    sample's pairs share its weight).  On two classes the loss is then the
    logistic loss of ``beta * (s - s^ref)``: without a reference, ``beta = 1``
    and ``solver="lbfgs"`` the fit is :class:`~sklearn.linear_model.LogisticRegression`
    with the same ``C``.

    References
    ----------
    S. Geng, H. Ivison, C.-L. Li, M. Sap, J. Li, R. Krishna, P. W. Koh.
    "The Delta Learning Hypothesis: Preference Tuning on Weak Data can Yield
    Strong Gains." COLM 2025. arXiv:2507.06187.

    R. Rafailov, A. Sharma, E. Mitchell, S. Ermon, C. D. Manning, C. Finn.
    "Direct Preference Optimization: Your Language Model is Secretly a Reward
    Model." NeurIPS 2023. arXiv:2305.18290.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skpapers.datasets import make_delta_learning_data
    >>> from skpapers.preference import PreferenceLogisticRegression
    >>> data = make_delta_learning_data(n_samples=2000, n_features=20, random_state=0)
    >>> student = LogisticRegression().fit(data.X[:50], data.y_true[:50])
    >>> dpo = PreferenceLogisticRegression(reference=student)
    >>> dpo = dpo.fit(data.X, data.y_pairs)  # columns: chosen label, rejected label
    >>> dpo.coef_.shape, dpo.n_iter_, dpo.n_informative_pairs_
    ((1, 20), 20, 760)
    >>> dpo.predict(data.X[:4])
    array([ 1, -1,  1, -1])
    """

    _parameter_constraints: dict = {
        "beta": [Interval(Real, 0, None, closed="neither")],
        "reference": [HasMethods(["fit"]), None],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "C": [Interval(Real, 0, None, closed="right")],
        "solver": [StrOptions({"gd", "lbfgs"})],
        "fit_intercept": ["boolean"],
    }

    def __init__(
        self,
        beta=1.0,
        reference=None,
        learning_rate=0.02,
        max_iter=20,
        tol=0.0,
        C=np.inf,
        solver="gd",
        fit_intercept=True,
    ):
        self.beta = beta
        self.reference = reference
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.C = C
        self.solver = solver
        self.fit_intercept = fit_intercept

    def fit(self, X, y, rejected=None, sample_weight=None):
        """Tune the classifier on preference pairs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples, 2) or (n_samples,)
            Columns (chosen label, rejected label); or the chosen labels alone,
            with ``rejected`` given or, if it is None, every other class
            rejected.
        rejected : array-like of shape (n_samples,) or None, default=None
            Rejected labels, when ``y`` holds the chosen labels only.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weight of each sample's pairs.

        Returns
        -------
        self : PreferenceLogisticRegression
            The fitted classifier.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=False)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.ndim == 2:
            if y.shape[1] != 2:
                raise ValueError(
                    f"y must have shape (n_samples,) or (n_samples, 2) = (chosen, rejected); got {y.shape}."
                )
            if rejected is not None:
                raise ValueError("rejected must be None when y already holds (chosen, rejected) columns.")
            chosen, rejected = y[:, 0], y[:, 1]
        else:
            chosen = y
            if rejected is not None:
                rejected = column_or_1d(np.asarray(rejected), warn=True)
                check_consistent_length(chosen, rejected)
        for name, labels in (("chosen labels", chosen), ("rejected", rejected)):
            if labels is not None:
                check_classification_targets(np.asarray(labels))
                if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
                    raise ValueError(f"The {name} contain NaN or infinity.")
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)

        reference_coef, reference_intercept = self._read_reference(chosen, rejected, X.shape[1])
        n_classes = self.classes_.size
        chosen_index = np.searchsorted(self.classes_, chosen)
        rows = None
        if rejected is not None:
            rejected_index = np.searchsorted(self.classes_, rejected)
        elif n_classes == 2:
            rejected_index = 1 - chosen_index
        else:
            # One pair per other class; the sample's weight is shared among them.
            others = np.array([np.delete(np.arange(n_classes), k) for k in range(n_classes)])
            rows = np.repeat(np.arange(X.shape[0]), n_classes - 1)
            rejected_index = others[chosen_index].ravel()
            chosen_index = np.repeat(chosen_index, n_classes - 1)
            sample_weight = np.repeat(sample_weight / (n_classes - 1), n_classes - 1)

        n_outputs = reference_coef.shape[0]
        w0 = reference_coef.T.ravel()
        if self.fit_intercept:
            w0 = np.r_[w0, reference_intercept]
        # Without a fitted intercept, it stays at the reference's and cancels in every pair.
        reference_scores = X @ reference_coef.T + (reference_intercept if self.fit_intercept else 0.0)
        datafit = PreferenceLoss(
            X,
            chosen_index,
            rejected_index,
            n_classes,
            beta=self.beta,
            reference_scores=reference_scores,
            rows=rows,
            sample_weight=sample_weight,
            fit_intercept=self.fit_intercept,
        )
        penalty = None
        if np.isfinite(self.C):
            mask = np.r_[np.ones(X.shape[1] * n_outputs), np.zeros(n_outputs if self.fit_intercept else 0)]
            penalty = CenteredL2(1.0 / (self.C * sample_weight.sum()), w0, mask)
        objective = datafit if penalty is None else PenalizedDatafit(datafit, penalty)

        self.n_informative_pairs_ = int(np.count_nonzero(chosen_index != rejected_index))
        if self.n_informative_pairs_ == 0:
            warnings.warn(
                "Every pair is a tie (chosen == rejected): there is no preference to learn, "
                "the classifier is the reference.",
                UserWarning,
                stacklevel=2,
            )
            result_x, self.n_iter_, self.loss_curve_ = w0, 0, [objective.value(w0)]
        elif self.solver == "gd":
            curve = []

            def record(t, w, value, grad):
                curve.append(float(value))
                return False

            result = gradient_descent(
                objective,
                w0,
                step=self.learning_rate,
                max_iter=self.max_iter,
                tol=self.tol,
                callback=record,
                warn=self.tol > 0,
                context=type(self).__name__,
            )
            result_x, self.n_iter_, self.loss_curve_ = result.x, result.n_iter, curve
        else:
            result = minimize_smooth(
                datafit, w0, penalty, tol=self.tol, max_iter=self.max_iter, context=type(self).__name__
            )
            result_x, self.n_iter_ = result.x, result.n_iter
            self.loss_curve_ = [objective.value(w0), result.fun]

        self.coef_ = result_x[: X.shape[1] * n_outputs].reshape(X.shape[1], n_outputs).T.copy()
        self.intercept_ = result_x[X.shape[1] * n_outputs :].copy() if self.fit_intercept else reference_intercept
        return self

    def _read_reference(self, chosen, rejected, n_features):
        """Set ``classes_`` and return the reference's (coef, intercept) in our layout."""
        labels = chosen if rejected is None else np.concatenate([chosen, rejected])
        if self.reference is None:
            self.classes_ = np.unique(labels)
            if self.classes_.size < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes in the pairs without a reference; "
                    f"got only one class ({self.classes_[0]!r})."
                )
            n_outputs = 1 if self.classes_.size == 2 else self.classes_.size
            return np.zeros((n_outputs, n_features)), np.zeros(n_outputs)

        try:
            check_is_fitted(self.reference, ["coef_", "intercept_", "classes_"])
        except NotFittedError as error:
            raise NotFittedError(
                f"reference must be a fitted linear classifier; {error} Cloning (as cross-validation and "
                "grid search do) unfits it: wrap the fitted reference in sklearn.frozen.FrozenEstimator."
            ) from error
        self.classes_ = np.asarray(self.reference.classes_).copy()
        unknown = np.setdiff1d(labels, self.classes_)
        if unknown.size:
            raise ValueError(
                f"The pairs contain labels {unknown.tolist()} that are not among the reference's "
                f"classes_ {self.classes_.tolist()}."
            )
        n_classes = self.classes_.size
        n_outputs = 1 if n_classes == 2 else n_classes
        coef = np.asarray(self.reference.coef_, dtype=float).reshape(-1, np.shape(self.reference.coef_)[-1])
        intercept = np.broadcast_to(np.asarray(self.reference.intercept_, dtype=float), (coef.shape[0],))
        if n_classes < 2 or coef.shape != (n_outputs, n_features):
            raise ValueError(
                f"reference must be a linear classifier of at least 2 classes with coef_ of shape "
                f"({n_outputs}, {n_features}) for its {n_classes} classes and {n_features} features; "
                f"got coef_ of shape {np.shape(self.reference.coef_)}."
            )
        if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
            raise ValueError("reference has non-finite coef_ or intercept_.")
        return coef.copy(), intercept.copy()

    def predict_proba(self, X):
        """Class probabilities of the policy (sigmoid for two classes, softmax otherwise).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        check_is_fitted(self)
        scores = self.decision_function(X)
        if scores.ndim == 1:
            positive = special.expit(scores)
            return np.column_stack([1.0 - positive, positive])
        return special.softmax(scores, axis=1)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed without underflow.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        check_is_fitted(self)
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([special.log_expit(-scores), special.log_expit(scores)])
        return special.log_softmax(scores, axis=1)
