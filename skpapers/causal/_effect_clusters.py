"""Clusters of treatment effects gated by (image) embeddings, fitted by exact EM."""

from numbers import Integral, Real

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_array, check_is_fitted, check_random_state, validate_data

from ..mixture._em import fit_mixture_em, softmax_proba

_LOG_2PI = np.log(2.0 * np.pi)


class _EffectClusterExpert:
    """Gaussian outcome model per latent type: shared baseline, type-specific effect and variances.

    ``y_i | type k ~ N(b0 + x_i' b + T_i mu_k, T_i v1_k + (1 - T_i) s0_k)``.
    Parameters are a tuple ``(beta, mu, s0, v1)`` with ``beta = [b0, b]``.
    """

    def __init__(self, X, y, t, n_components, tied_variance, causal_penalty, reg_var):
        self.A = np.column_stack([np.ones(X.shape[0]), X])
        self.y = y
        self.t = t
        self.n_components = n_components
        self.tied_variance = tied_variance
        self.causal_penalty = causal_penalty
        self.reg_var = reg_var

    def _dim(self, weights):
        treated = self.t == 1
        return np.average(self.y[treated], weights=weights[treated]) - np.average(
            self.y[~treated], weights=weights[~treated]
        )

    def initial_params(self, rng, perturb):
        # Baseline from least squares on the controls; effects spread over the
        # difference in means +- the spread of the treated residuals.
        controls = self.t == 0
        beta = np.linalg.lstsq(self.A[controls], self.y[controls], rcond=None)[0]
        resid = self.y - self.A @ beta
        resid_c = resid[controls]
        resid_t = resid[~controls]
        dim = resid_t.mean() - resid_c.mean()
        spread = resid_t.std() + 1e-12
        offsets = np.linspace(-1.0, 1.0, self.n_components) if self.n_components > 1 else np.zeros(1)
        if perturb:
            offsets = offsets + rng.normal(scale=0.5, size=self.n_components)
        mu = dim + spread * offsets
        s0 = np.full(self.n_components, max(resid_c.var(), self.reg_var))
        v1 = np.full(self.n_components, max(resid_t.var(), self.reg_var))
        if perturb:
            beta = beta + rng.normal(scale=0.1 * np.sqrt(s0[0]), size=beta.shape) / np.sqrt(self.A.shape[0])
        return beta, mu, s0, v1

    def _variance(self, s0, v1):
        return np.where(self.t[:, None] == 1, v1[None, :], s0[None, :])

    def _residual(self, params):
        beta, mu, _, _ = params
        return (self.y - self.A @ beta)[:, None] - self.t[:, None] * mu[None, :]

    def log_likelihood(self, params):
        var = self._variance(params[2], params[3])
        resid = self._residual(params)
        return -0.5 * (_LOG_2PI + np.log(var) + resid**2 / var)

    def penalty(self, params, gate_proba):
        if self.causal_penalty == 0:
            return 0.0
        # The monitored objective is a mean log-likelihood: the penalty is on the same scale.
        pbar = gate_proba.mean(axis=0)
        return self.causal_penalty * (pbar @ params[1] - self._dim_cache) ** 2

    def m_step(self, params, resp, weights, gate_proba):
        _, _, s0, v1 = params
        n, d1 = self.A.shape
        K = self.n_components
        # Means: weighted least squares on the stacked design [1, x_i, T_i e_k]
        # with weights w_i r_ik / var_ik, assembled blockwise (no n*K rows).
        W = weights[:, None] * resp / self._variance(s0, v1)
        a = W.sum(axis=1)
        WT = W * self.t[:, None]
        normal = np.empty((d1 + K, d1 + K))
        normal[:d1, :d1] = self.A.T @ (a[:, None] * self.A)
        normal[:d1, d1:] = self.A.T @ WT
        normal[d1:, :d1] = normal[:d1, d1:].T
        normal[d1:, d1:] = np.diag(WT.sum(axis=0))
        rhs = np.concatenate([self.A.T @ (a * self.y), WT.T @ self.y])
        if self.causal_penalty > 0:
            v = np.concatenate([np.zeros(d1), gate_proba.mean(axis=0)])
            lam = 2.0 * self.causal_penalty * n
            normal += lam * np.outer(v, v)
            rhs += lam * self._dim_cache * v
        # Scaling by the diagonal keeps the solve accurate when features differ in scale;
        # lstsq returns the minimum-norm solution when the baseline design is rank deficient.
        scale = 1.0 / np.sqrt(np.maximum(np.diag(normal), 1e-300))
        theta = scale * np.linalg.lstsq(normal * scale[:, None] * scale[None, :], rhs * scale, rcond=None)[0]
        beta, mu = theta[:d1], theta[d1:]
        resid2 = ((self.y - self.A @ beta)[:, None] - self.t[:, None] * mu[None, :]) ** 2
        wr = weights[:, None] * resp
        treated = self.t == 1
        if self.tied_variance:
            var = (wr * resid2).sum(axis=0) / np.maximum(wr.sum(axis=0), 1e-300)
            s0 = v1 = np.maximum(var, self.reg_var)
        else:
            s0 = (wr[~treated] * resid2[~treated]).sum(axis=0) / np.maximum(wr[~treated].sum(axis=0), 1e-300)
            v1 = (wr[treated] * resid2[treated]).sum(axis=0) / np.maximum(wr[treated].sum(axis=0), 1e-300)
            s0, v1 = np.maximum(s0, self.reg_var), np.maximum(v1, self.reg_var)
        return beta, mu, s0, v1


def _check_treatment(treatment, n_samples):
    if treatment is None:
        raise ValueError(
            "treatment is required: pass treatment=<0/1 array> to fit (with metadata routing, "
            "request it with set_fit_request(treatment=True))."
        )
    t = check_array(treatment, ensure_2d=False, dtype=np.float64, input_name="treatment")
    if t.ndim != 1 or t.shape[0] != n_samples:
        raise ValueError(f"treatment must be 1-D with {n_samples} entries; got shape {t.shape}.")
    if not np.all((t == 0) | (t == 1)):
        raise ValueError(f"treatment must be binary (0/1); got values {np.unique(t)[:5]}.")
    return t


class EffectClusterMixture(BaseEstimator):
    """Latent clusters of treatment effects, with cluster membership gated by embeddings.

    In a randomised trial each unit carries features ``X`` (for instance a
    pretrained embedding of a satellite image of its village), a binary
    treatment and an outcome. The model posits ``K`` latent types whose
    probabilities depend on ``X`` through a softmax,
    ``P(Z = k | x) = softmax_k(x' G + c)``, a baseline ``b0 + x' b`` shared by
    all types and a type-specific mean effect ``mu_k``:

    ``y | x, T, Z = k ~ N(b0 + x' b + T mu_k, T v1_k + (1 - T) s0_k)``,

    with variances per arm and type (``variance="arm-cluster"``) or per type
    (``variance="cluster"``). The likelihood is the one of the paper's
    variational model; here it is maximised exactly by EM, with frozen
    features instead of an image network trained end to end. Types are
    ordered by increasing effect.

    Read more in the :ref:`User Guide <image-effect-clusters>`.

    Parameters
    ----------
    n_clusters : int, default=2
        Number of latent types ``K``.
    variance : {"arm-cluster", "cluster"}, default="arm-cluster"
        Separate control and treated variances per type, or one per type.
    gating_alpha : float, default=1e-4
        L2 penalty on the gating coefficients (added to the mean
        cross-entropy); keeps them finite when types are separable.
    causal_penalty : float, default=0.0
        Weight ``lam`` of ``lam * (mean_i pi(x_i)' mu - DIM)^2``, which pulls the
        model's average effect towards the difference in means ``DIM``
        (the paper's causal regularisation).
    max_iter : int, default=200
        EM iterations per start.
    tol : float, default=1e-6
        Relative change of the mean penalised log-likelihood that stops EM.
    n_init : int, default=5
        Number of EM starts; the first is deterministic, the others
        perturbed; the best penalised log-likelihood is kept.
    random_state : int, RandomState instance or None, default=None
        Seeds the perturbed starts.

    Attributes
    ----------
    cluster_effects_ : ndarray of shape (n_clusters,)
        Mean treatment effect ``mu_k`` of each type, increasing.
    control_scale_ : ndarray of shape (n_clusters,)
        Outcome standard deviation of controls of each type.
    treated_scale_ : ndarray of shape (n_clusters,)
        Outcome standard deviation of treated units of each type (includes
        the within-type spread of effects, which is not separately identified).
    gating_coef_ : ndarray of shape (n_features, n_clusters)
        Gating coefficients, type 0 as the zero reference.
    gating_intercept_ : ndarray of shape (n_clusters,)
    baseline_coef_ : ndarray of shape (n_features,)
    baseline_intercept_ : float
    ate_ : float
        Model average effect ``mean_i sum_k pi_k(x_i) mu_k`` on the training units.
    dim_ate_ : float
        Difference in mean outcomes, treated minus control.
    log_likelihood_ : float
        Mean log-likelihood per unit at the fitted parameters.
    log_likelihood_trace_ : list of float
        Penalised mean log-likelihood after each EM iteration (kept start).
    n_iter_ : int
    converged_ : bool
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features,)
        Defined when ``X`` has string feature names.

    See Also
    --------
    sklearn.mixture.GaussianMixture : Mixture without gating or treatment.

    Notes
    -----
    The model assumes randomised treatment. The gating can only find types
    that differ in their effect (and variances) *and* are predictable from
    ``X``; types the features cannot tell apart collapse into one mixture
    weight. A type that loses all units is re-seeded with a warning.

    References
    ----------
    C. T. Jerzak, F. Johansson and A. Daoud, "Image-based Treatment Effect
    Heterogeneity", CLeaR 2023, arXiv:2206.06417.

    Examples
    --------
    >>> from skpapers.causal import EffectClusterMixture
    >>> from skpapers.datasets import make_effect_clusters
    >>> X, y, treatment, types = make_effect_clusters(n_samples=1000, random_state=0)
    >>> model = EffectClusterMixture(random_state=0).fit(X, y, treatment=treatment)
    >>> model.cluster_effects_.round(1)
    array([-1.,  2.])
    >>> model.predict_proba(X[:2]).round(2)
    array([[0.02, 0.98],
           [0.91, 0.09]])
    """

    _parameter_constraints = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "variance": [StrOptions({"arm-cluster", "cluster"})],
        "gating_alpha": [Interval(Real, 0, None, closed="left")],
        "causal_penalty": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_clusters=2,
        *,
        variance="arm-cluster",
        gating_alpha=1e-4,
        causal_penalty=0.0,
        max_iter=200,
        tol=1e-6,
        n_init=5,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.variance = variance
        self.gating_alpha = gating_alpha
        self.causal_penalty = causal_penalty
        self.max_iter = max_iter
        self.tol = tol
        self.n_init = n_init
        self.random_state = random_state

    def fit(self, X, y, treatment=None, covariates=None, sample_weight=None):
        """Fit the gated effect clusters by EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features of each unit (e.g. image embeddings); they drive both
            the type probabilities and the shared baseline.
        y : array-like of shape (n_samples,)
            Outcomes.
        treatment : array-like of shape (n_samples,)
            Binary (0/1) randomised treatment; required. Both arms must be
            present. Routed as metadata (``set_fit_request(treatment=True)``).
        covariates : array-like of shape (n_samples, n_covariates), default=None
            Tabular covariates partialled out of ``y`` first (the paper's
            orthogonalisation: ``y`` is replaced by its least-squares residual
            on ``[1, covariates]`` plus its mean).
        sample_weight : array-like of shape (n_samples,), default=None
            Unit weights.

        Returns
        -------
        self : EffectClusterMixture
            Fitted estimator.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        t = _check_treatment(treatment, X.shape[0])
        n_samples = X.shape[0]
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if covariates is not None:
            C = check_array(covariates, dtype=np.float64, input_name="covariates")
            if C.shape[0] != n_samples:
                raise ValueError(f"covariates must have {n_samples} rows; got {C.shape[0]}.")
            design = np.column_stack([np.ones(n_samples), C])
            sw = np.sqrt(sample_weight)
            coef = np.linalg.lstsq(design * sw[:, None], y * sw, rcond=None)[0]
            y = y - design @ coef + np.average(y, weights=sample_weight)
        n_params = 1 + X.shape[1] + self.n_clusters
        n_units = int(np.count_nonzero(sample_weight > 0))
        if n_units <= n_params:
            raise ValueError(
                f"EffectClusterMixture needs more units than mean parameters: n_samples={n_units} "
                f"<= 1 + n_features + n_clusters = {n_params}."
            )
        arms = [(t == arm) & (sample_weight > 0) for arm in (0, 1)]
        if min(arm.sum() for arm in arms) < 1:
            raise ValueError("treatment must contain both treated (1) and control (0) units with positive weight.")
        y_var = np.cov(y, aweights=sample_weight) if n_samples > 1 else 0.0
        reg_var = 1e-6 * y_var if y_var > 0 else 1e-12
        expert = _EffectClusterExpert(
            X, y, t, self.n_clusters, self.variance == "cluster", self.causal_penalty, reg_var
        )
        self.dim_ate_ = float(expert._dim(sample_weight))
        expert._dim_cache = self.dim_ate_
        rng = check_random_state(self.random_state)
        result = fit_mixture_em(
            expert,
            X,
            self.n_clusters,
            sample_weight=sample_weight,
            gating_alpha=self.gating_alpha,
            max_iter=self.max_iter,
            tol=self.tol,
            n_init=self.n_init,
            random_state=rng,
            context="EffectClusterMixture",
        )
        beta, mu, s0, v1 = result.params
        order = np.argsort(mu, kind="stable")
        coef, intercept = result.gating_coef[:, order], result.gating_intercept[order]
        self.cluster_effects_ = mu[order]
        self.control_scale_ = np.sqrt(s0[order])
        self.treated_scale_ = np.sqrt(v1[order])
        self.gating_coef_ = coef - coef[:, :1]
        self.gating_intercept_ = intercept - intercept[0]
        self.baseline_intercept_ = float(beta[0])
        self.baseline_coef_ = beta[1:]
        self.log_likelihood_ = result.log_likelihood
        self.log_likelihood_trace_ = result.trace
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        self.ate_ = float(np.average(self.predict(X), weights=sample_weight))
        return self

    def predict_proba(self, X):
        """Type probabilities ``pi_k(x)`` from the gating (no outcome needed).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_clusters)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return softmax_proba(X, self.gating_coef_, self.gating_intercept_)

    def predict_cluster(self, X):
        """Most probable type from the gating alone.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return np.argmax(self.predict_proba(X), axis=1)

    def predict(self, X, return_std=False):
        """Conditional average effect ``sum_k pi_k(x) mu_k`` for units without outcomes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        return_std : bool, default=False
            Also return the standard deviation of the type-level effect under
            the predictive distribution ``sum_k pi_k(x) delta(mu_k)`` (how
            uncertain the unit's type makes its effect).

        Returns
        -------
        effect : ndarray of shape (n_samples,)
        std : ndarray of shape (n_samples,)
            Only when ``return_std=True``.
        """
        proba = self.predict_proba(X)
        effect = proba @ self.cluster_effects_
        if not return_std:
            return effect
        second = proba @ self.cluster_effects_**2
        return effect, np.sqrt(np.maximum(second - effect**2, 0.0))

    def _joint_log(self, X, y, treatment):
        check_is_fitted(self)
        X, y = validate_data(self, X, y, reset=False, y_numeric=True, dtype=np.float64)
        t = _check_treatment(treatment, X.shape[0])
        log_gate = np.log(np.maximum(softmax_proba(X, self.gating_coef_, self.gating_intercept_), 1e-300))
        var = np.where(t[:, None] == 1, self.treated_scale_**2, self.control_scale_**2)
        resid = (y - self.baseline_intercept_ - X @ self.baseline_coef_)[:, None] - t[:, None] * self.cluster_effects_
        return log_gate - 0.5 * (_LOG_2PI + np.log(var) + resid**2 / var)

    def posterior_proba(self, X, y, treatment=None):
        """Type responsibilities given the outcome and treatment.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        treatment : array-like of shape (n_samples,)
            Binary (0/1).

        Returns
        -------
        resp : ndarray of shape (n_samples, n_clusters)
        """
        joint = self._joint_log(X, y, treatment)
        return np.exp(joint - special.logsumexp(joint, axis=1, keepdims=True))

    def score(self, X, y, treatment=None, sample_weight=None):
        """Mean log-likelihood of outcomes given features and treatment.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        treatment : array-like of shape (n_samples,)
            Binary (0/1).
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        log_lik = special.logsumexp(self._joint_log(X, y, treatment), axis=1)
        return float(np.average(log_lik, weights=sample_weight))


class _EffectClusterMixtureForChecks(EffectClusterMixture):
    """EffectClusterMixture that derives a treatment from X when none is given.

    Only for the common estimator checks, which call ``fit(X, y)``: the
    treatment is the parity of ``floor(1001 * sum_j |x_j|)``, a function of the row
    alone, so row order, repetition and weighting leave it unchanged.
    """

    @staticmethod
    def _derived(X, treatment):
        if treatment is not None:
            return treatment
        try:
            X = np.asarray(X)
            row_sum = np.abs(np.real(X).astype(np.float64)).sum(axis=1) if X.ndim == 2 else None
        except (TypeError, ValueError):
            return None
        if row_sum is None:
            return None
        if not np.all(np.isfinite(row_sum)):
            return None
        return (np.floor(1001 * row_sum) % 2).astype(float)

    def fit(self, X, y, treatment=None, covariates=None, sample_weight=None):
        try:
            treatment = self._derived(X, treatment)
        except (TypeError, ValueError):
            treatment = None
        return super().fit(X, y, treatment, covariates, sample_weight)

    def score(self, X, y, treatment=None, sample_weight=None):
        return super().score(X, y, self._derived(X, treatment), sample_weight)
