"""Growth mixture of experts: latent classes of (piecewise) linear trajectories."""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import optimize, special, stats
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, check_random_state, validate_data

from ._em import fit_mixture_em, softmax_proba

_LOG_2PI = np.log(2.0 * np.pi)


def _loadings(times, knot, curve):
    """Rows ``[1, min(t, g), max(t - g, 0)]`` (bilinear spline) or ``[1, t]`` (linear), shape (n, J, q)."""
    ones = np.ones_like(times)
    if curve == "linear":
        return np.stack([ones, times], axis=-1)
    return np.stack([ones, np.minimum(times, knot), np.maximum(times - knot, 0.0)], axis=-1)


def _gaussian_log_density(y, mean, cov):
    """Row-wise multivariate normal log-density with batched covariances (n, J, J)."""
    resid = y - mean
    chol = np.linalg.cholesky(cov)
    z = np.linalg.solve(chol, resid[..., None])[..., 0]
    log_det = 2.0 * np.sum(np.log(np.diagonal(chol, axis1=1, axis2=2)), axis=1)
    return -0.5 * (y.shape[1] * _LOG_2PI + log_det + np.sum(z * z, axis=1))


def _numerical_hessian(gradient, x, steps):
    """Hessian as the central-difference Jacobian of an analytic gradient, symmetrised."""
    x = np.asarray(x, dtype=float)
    columns = []
    for i, h in enumerate(steps):
        shift = np.zeros_like(x)
        shift[i] = h
        columns.append((gradient(x + shift) - gradient(x - shift)) / (2.0 * h))
    H = np.column_stack(columns)
    return 0.5 * (H + H.T)


class _GrowthExpert:
    """Per-class latent growth curve model; parameters are a dict of stacked arrays."""

    def __init__(self, Y, times, E, n_components, curve, reg_covar, knot_bounds, fixed_knots):
        self.Y, self.times, self.E = Y, times, E
        self.n_components = n_components
        self.curve = curve
        self.reg_covar = reg_covar
        self.knot_bounds = knot_bounds
        self.fixed_knots = fixed_knots
        self.q = 2 if curve == "linear" else 3
        self.D = np.column_stack([np.ones(Y.shape[0]), E])
        self.theta_floor = 1e-8 * max(float(np.var(Y)), 1e-12)

    def _class_mean_cov(self, params, k, knot=None):
        knot = params["knots"][k] if knot is None else knot
        lam = _loadings(self.times, knot, self.curve)
        a = self.D @ params["coef"][k]  # (n, q) expected growth factors
        mean = np.einsum("njq,nq->nj", lam, a)
        cov = np.einsum("njq,qr,nkr->njk", lam, params["psi"][k], lam)
        cov += params["theta"][k] * np.eye(self.Y.shape[1])
        return lam, a, mean, cov

    def log_likelihood(self, params):
        out = np.empty((self.Y.shape[0], self.n_components))
        for k in range(self.n_components):
            _, _, mean, cov = self._class_mean_cov(params, k)
            out[:, k] = _gaussian_log_density(self.Y, mean, cov)
        return out

    def initial_params(self, rng, perturb):
        # Individual least-squares growth factors, clustered by k-means, give hard classes
        # that are softened to 0.9 / 0.1 before the first M-step.
        knot0 = float(np.mean(self.knot_bounds)) if self.fixed_knots is None else None
        lam = _loadings(self.times, knot0 if knot0 is not None else float(np.mean(self.fixed_knots)), self.curve)
        gram = np.einsum("njq,njr->nqr", lam, lam) + 1e-8 * np.eye(self.q)
        eta = np.linalg.solve(gram, np.einsum("njq,nj->nq", lam, self.Y)[..., None])[..., 0]
        K = self.n_components
        if K > 1:
            scaled = (eta - eta.mean(0)) / (eta.std(0) + 1e-12)
            seed = int(rng.randint(np.iinfo(np.int32).max)) if perturb else 0
            labels = KMeans(K, n_init=10, random_state=seed).fit_predict(scaled)
            resp = np.full((eta.shape[0], K), 0.1 / (K - 1))
            resp[np.arange(eta.shape[0]), labels] = 0.9
        else:
            resp = np.ones((eta.shape[0], 1))
        resid = self.Y - np.einsum("njq,nq->nj", lam, eta)
        params = {
            "coef": np.zeros((K, self.D.shape[1], self.q)),
            "psi": np.empty((K, self.q, self.q)),
            "theta": np.full(K, max(float(np.mean(resid**2)), self.theta_floor, 1e-6)),
            "knots": np.full(K, knot0) if self.fixed_knots is None else self.fixed_knots.copy(),
        }
        for k in range(K):
            w = resp[:, k] / resp[:, k].sum()
            mu = w @ eta
            params["coef"][k, 0] = mu
            params["psi"][k] = ((eta - mu).T * w) @ (eta - mu) + (self.reg_covar + 1e-3) * np.eye(self.q)
        return self.m_step(params, resp, np.ones(eta.shape[0]), None)

    def m_step(self, params, resp, weights, gate_proba):
        new = {key: value.copy() for key, value in params.items()}
        n, J = self.Y.shape
        eye_q = np.eye(self.q)
        for k in range(self.n_components):
            wr = weights * resp[:, k]
            total = wr.sum()
            if total <= 0:
                continue
            lam, a, _, _ = self._class_mean_cov(new, k)
            theta = new["theta"][k]
            psi_inv = np.linalg.inv(new["psi"][k])
            # Posterior moments of each subject's growth factors (one mixed-model EM step).
            precision = psi_inv + np.einsum("njq,njr->nqr", lam, lam) / theta
            V = np.linalg.inv(precision)
            rhs = a @ psi_inv + np.einsum("njq,nj->nq", lam, self.Y) / theta
            m = np.einsum("nqr,nr->nq", V, rhs)
            # Expert regression of the posterior growth factors on [1, e].
            gram = (self.D.T * wr) @ self.D
            gram += 1e-12 * np.trace(gram) * np.eye(gram.shape[0])
            coef = np.linalg.solve(gram, (self.D.T * wr) @ m)
            a = self.D @ coef
            dev = m - a
            psi = (np.einsum("n,nq,nr->qr", wr, dev, dev) + np.einsum("n,nqr->qr", wr, V)) / total
            psi = 0.5 * (psi + psi.T) + self.reg_covar * eye_q
            resid = self.Y - np.einsum("njq,nq->nj", lam, m)
            trace = np.einsum("njq,nqr,njr->n", lam, V, lam)
            theta = (wr @ (np.sum(resid**2, axis=1) + trace)) / (total * J)
            new["coef"][k], new["psi"][k], new["theta"][k] = coef, psi, max(theta, self.theta_floor)
            if self.curve == "bilinear_spline" and self.fixed_knots is None and self.knot_bounds[0] < self.knot_bounds[1]:
                def negative_log_likelihood(knot):
                    _, _, mean, cov = self._class_mean_cov(new, k, knot)
                    return -float(wr @ _gaussian_log_density(self.Y, mean, cov))

                span = self.knot_bounds[1] - self.knot_bounds[0]
                result = optimize.minimize_scalar(
                    negative_log_likelihood, bounds=self.knot_bounds, method="bounded", options={"xatol": 1e-4 * span}
                )
                # Keep the old knot unless the search found a better one (the ECM step must not lose ground).
                if result.fun < negative_log_likelihood(new["knots"][k]):
                    new["knots"][k] = float(result.x)
        return new

    def n_parameters(self):
        q, p_e = self.q, self.D.shape[1] - 1
        per_class = q * (1 + p_e) + q * (q + 1) // 2 + 1 + (self.curve == "bilinear_spline" and self.fixed_knots is None)
        return self.n_components * per_class


def _select_columns(spec, n_features, name):
    if isinstance(spec, str):
        return np.arange(n_features)
    if spec is None:
        return np.arange(0)
    spec = np.asarray(spec)
    if spec.dtype == bool:
        if spec.shape != (n_features,):
            raise ValueError(f"{name} as a boolean mask must have {n_features} entries; got {spec.shape}.")
        return np.flatnonzero(spec)
    if spec.ndim != 1 or not np.issubdtype(spec.dtype, np.integer):
        raise ValueError(f"{name} must be 'all', None, integer column indices or a boolean mask.")
    if spec.size and (spec.min() < -n_features or spec.max() >= n_features):
        raise ValueError(f"{name} has a column index outside 0..{n_features - 1}.")
    return np.unique(spec % n_features)


class GrowthMixtureOfExperts(BaseEstimator):
    """Mixture of experts for longitudinal trajectories with a class-specific knot.

    Each subject ``i`` has repeated measures ``y_i = (y_i1, ..., y_iJ)`` at
    times ``t_ij`` and baseline covariates ``x_i``. Subjects fall into ``K``
    latent classes. In class ``k`` the trajectory is a bilinear spline with
    knot ``g_k``, ``f(t) = eta_0 + eta_1 min(t, g_k) + eta_2 max(t - g_k, 0)``,
    whose growth factors are ``eta_i = mu_k + B_k e_i + zeta_i``,
    ``zeta_i ~ N(0, Psi_k)``, and ``y_ij = f(t_ij) + N(0, theta_k)``. Class
    membership follows a softmax of the gating covariates. Covariates may
    enter the gating network, the expert network, both (full mixture of
    experts) or neither (finite mixture): the paper's four variants, chosen
    with ``gating_features`` and ``expert_features`` and compared with
    :meth:`bic`. :meth:`confidence_intervals` gives standard errors and Wald
    intervals from the observed information.

    Read more in the :ref:`User Guide <moe-trajectories>`.

    Parameters
    ----------
    n_components : int, default=2
        Number of latent classes.
    curve : {"bilinear_spline", "linear"}, default="bilinear_spline"
        Trajectory shape within a class.
    gating_features : "all", None, array-like of int or bool, default="all"
        Columns of ``X`` predicting class membership.
    expert_features : "all", None, array-like of int or bool, default="all"
        Columns of ``X`` predicting the growth factors within a class.
    knots : "estimate" or array-like of shape (n_components,), default="estimate"
        Estimate each class's knot (bounded search between the second and
        the second-to-last occasion), or fix them; fixed knots must lie
        strictly inside the range of the times.
    gating_alpha : float, default=1e-4
        L2 penalty of the gating coefficients (on the mean cross-entropy).
    reg_covar : float, default=1e-6
        Added to the diagonal of each growth-factor covariance.
    max_iter : int, default=500
        EM iterations per start.
    tol : float, default=1e-7
        Relative change of the mean log-likelihood that stops EM.
    n_init : int, default=3
        Number of starts (k-means on individual growth factors; the first
        start is deterministic).
    random_state : int, RandomState instance or None, default=None
        Seeds the k-means of the perturbed starts.

    Attributes
    ----------
    means_ : ndarray of shape (n_components, q)
        Growth-factor means ``mu_k`` at ``e = 0`` (``q = 3`` for the spline:
        intercept, slope before and after the knot; ``q = 2`` for a line).
    expert_coef_ : ndarray of shape (n_components, q, n_expert_features)
        ``B_k``.
    growth_covariances_ : ndarray of shape (n_components, q, q)
        ``Psi_k``.
    residual_variances_ : ndarray of shape (n_components,)
        ``theta_k``.
    knots_ : ndarray of shape (n_components,)
        Knots ``g_k`` (NaN for ``curve="linear"``); classes are ordered by
        knot, then by the first slope.
    gating_coef_ : ndarray of shape (n_gating_features, n_components)
        Class 0 is the zero reference.
    gating_intercept_ : ndarray of shape (n_components,)
    log_likelihood_ : float
        Mean log-likelihood per subject.
    n_iter_ : int
    converged_ : bool
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features,)
        Defined when ``X`` has string feature names.

    See Also
    --------
    skpapers.causal.EffectClusterMixture : The same EM core for treatment-effect types.

    References
    ----------
    J. Liu and R. A. Perera, "Extending Mixture of Experts Model to Investigate
    Heterogeneity of Trajectories: When, Where and How to Add Which
    Covariates", Psychological Methods 2022, arXiv:2007.02432.

    Examples
    --------
    >>> from skpapers.datasets import make_growth_mixture
    >>> from skpapers.mixture import GrowthMixtureOfExperts
    >>> X, Y, times, classes = make_growth_mixture(n_samples=300, random_state=0)
    >>> model = GrowthMixtureOfExperts(n_init=1, random_state=0).fit(X, Y, times=times)
    >>> model.knots_.round(1)
    array([4. , 5.1])
    >>> estimate, se, lower, upper = model.confidence_intervals(X, Y, times)["knots_[0]"]
    >>> [round(v, 2) for v in (estimate, se, lower, upper)]
    [3.99, 0.04, 3.92, 4.07]
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "curve": [StrOptions({"bilinear_spline", "linear"})],
        "gating_features": [StrOptions({"all"}), None, "array-like"],
        "expert_features": [StrOptions({"all"}), None, "array-like"],
        "knots": [StrOptions({"estimate"}), "array-like"],
        "gating_alpha": [Interval(Real, 0, None, closed="left")],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        curve="bilinear_spline",
        gating_features="all",
        expert_features="all",
        knots="estimate",
        gating_alpha=1e-4,
        reg_covar=1e-6,
        max_iter=500,
        tol=1e-7,
        n_init=3,
        random_state=None,
    ):
        self.n_components = n_components
        self.curve = curve
        self.gating_features = gating_features
        self.expert_features = expert_features
        self.knots = knots
        self.gating_alpha = gating_alpha
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.tol = tol
        self.n_init = n_init
        self.random_state = random_state

    def _check_times(self, times, n_samples, n_times):
        if times is None:
            return np.tile(np.arange(n_times, dtype=float), (n_samples, 1))
        times = check_array(times, dtype=np.float64, ensure_2d=False, input_name="times")
        if times.ndim == 1 and times.shape[0] == n_times:
            times = np.tile(times, (n_samples, 1))
        if times.shape != (n_samples, n_times):
            raise ValueError(f"times must have shape ({n_samples}, {n_times}) like y; got {times.shape}.")
        return times

    def _validate(self, X, y=None, times=None, reset=False):
        if y is None:
            X = validate_data(self, X, reset=reset, dtype=np.float64)
            n_times = self.n_times_
            Y = None
        else:
            X, Y = validate_data(self, X, y, reset=reset, multi_output=True, y_numeric=True, dtype=np.float64)
            Y = Y.reshape(Y.shape[0], -1)
            n_times = Y.shape[1]
            if not reset and n_times != self.n_times_:
                raise ValueError(f"y has {n_times} occasions; the model was fitted with {self.n_times_}.")
        return X, Y, self._check_times(times, X.shape[0], n_times)

    def fit(self, X, y, times=None):
        """Fit the mixture of experts by EM (ECM steps for the knots).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Baseline covariates.
        y : array-like of shape (n_samples, n_times)
            Repeated measures, one row per subject, no missing values. A 1-D
            ``y`` is read as one occasion per subject.
        times : array-like of shape (n_samples, n_times) or (n_times,), default=None
            Measurement occasions (individually varying allowed); default
            ``0, 1, ..., n_times - 1`` for everyone.

        Returns
        -------
        self : GrowthMixtureOfExperts
            Fitted estimator.
        """
        self._validate_params()
        X, Y, times = self._validate(X, y, times, reset=True)
        self._y_1d = np.ndim(y) == 1
        n_samples, n_times = Y.shape
        self.n_times_ = n_times
        self.gating_features_ = _select_columns(self.gating_features, X.shape[1], "gating_features")
        self.expert_features_ = _select_columns(self.expert_features, X.shape[1], "expert_features")
        occasions = np.sort(np.median(times, axis=0))
        t_min, t_max = float(times.min()), float(times.max())
        bounds = (float(occasions[1]), float(occasions[-2])) if n_times >= 4 else (float(np.median(times)),) * 2
        fixed = None
        if not isinstance(self.knots, str):
            fixed = np.asarray(self.knots, dtype=float).ravel()
            if fixed.shape != (self.n_components,):
                raise ValueError(f"knots must have n_components={self.n_components} entries; got {fixed.shape}.")
            if not np.all((fixed > t_min) & (fixed < t_max)):
                raise ValueError(f"knots must lie strictly inside the time range ({t_min:g}, {t_max:g}); got {fixed}.")
        expert = _GrowthExpert(
            Y, times, X[:, self.expert_features_], self.n_components, self.curve, self.reg_covar, bounds, fixed
        )
        n_params = expert.n_parameters() + (self.n_components - 1) * (self.gating_features_.size + 1)
        if n_samples * n_times <= n_params or n_samples < 2:
            raise ValueError(
                f"GrowthMixtureOfExperts needs more observations than parameters: n_samples={n_samples} subjects x "
                f"{n_times} occasions <= {n_params} parameters."
            )
        result = fit_mixture_em(
            expert,
            X[:, self.gating_features_],
            self.n_components,
            gating_alpha=self.gating_alpha,
            max_iter=self.max_iter,
            tol=self.tol,
            n_init=self.n_init,
            random_state=check_random_state(self.random_state),
            context="GrowthMixtureOfExperts",
        )
        params = result.params
        knots = params["knots"] if self.curve == "bilinear_spline" else np.full(self.n_components, np.nan)
        order = np.lexsort((params["coef"][:, 0, 1], np.nan_to_num(knots)))
        self.means_ = params["coef"][order, 0, :]
        self.expert_coef_ = np.transpose(params["coef"][order, 1:, :], (0, 2, 1))
        self.growth_covariances_ = params["psi"][order]
        self.residual_variances_ = params["theta"][order]
        self.knots_ = knots[order]
        coef, intercept = result.gating_coef[:, order], result.gating_intercept[order]
        self.gating_coef_ = coef - coef[:, :1]
        self.gating_intercept_ = intercept - intercept[0]
        self.log_likelihood_ = result.log_likelihood
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        self._n_parameters = n_params
        return self

    def _class_moments(self, X, times):
        E = X[:, self.expert_features_]
        for k in range(self.n_components):
            lam = _loadings(times, self.knots_[k], self.curve)
            a = self.means_[k] + E @ self.expert_coef_[k].T
            mean = np.einsum("njq,nq->nj", lam, a)
            cov = np.einsum("njq,qr,nkr->njk", lam, self.growth_covariances_[k], lam)
            yield mean, cov + self.residual_variances_[k] * np.eye(times.shape[1])

    def predict_proba(self, X):
        """Class probabilities from the gating network (no outcomes needed).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_components)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return softmax_proba(X[:, self.gating_features_], self.gating_coef_, self.gating_intercept_)

    def predict(self, X, times=None):
        """Expected trajectory ``sum_k pi_k(x) Lambda(g_k) (mu_k + B_k e)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        times : array-like of shape (n_samples, n_times) or (n_times,), default=None
            Occasions to predict at; default those of the fit's layout.

        Returns
        -------
        Y : ndarray of shape (n_samples, n_times)
            (n_samples,) when the model was fitted on a 1-D ``y``.
        """
        proba = self.predict_proba(X)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        if times is None:
            times = self._check_times(None, X.shape[0], self.n_times_)
        else:
            times = check_array(times, dtype=np.float64, ensure_2d=False, input_name="times")
            times = np.tile(times, (X.shape[0], 1)) if times.ndim == 1 else times
            if times.shape[0] != X.shape[0]:
                raise ValueError(f"times must have {X.shape[0]} rows; got {times.shape[0]}.")
        pred = sum(proba[:, [k]] * mean for k, (mean, _) in enumerate(self._class_moments(X, times)))
        return pred.ravel() if self._y_1d and pred.shape[1] == 1 else pred

    def _joint_log(self, X, y, times):
        check_is_fitted(self)
        X, Y, times = self._validate(X, y, times)
        log_gate = np.log(np.maximum(self.predict_proba(X), 1e-300))
        dens = np.column_stack([_gaussian_log_density(Y, m, c) for m, c in self._class_moments(X, times)])
        return log_gate + dens

    def posterior_proba(self, X, y, times=None):
        """Class responsibilities given the observed trajectories.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_times)
        times : array-like, default=None

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
        """
        joint = self._joint_log(X, y, times)
        joint -= joint.max(axis=1, keepdims=True)
        resp = np.exp(joint)
        return resp / resp.sum(axis=1, keepdims=True)

    def predict_class(self, X, y=None, times=None):
        """Most probable class, from the trajectories when ``y`` is given, else from the gating.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_times), default=None
        times : array-like, default=None

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X) if y is None else self.posterior_proba(X, y, times)
        return np.argmax(proba, axis=1)

    def _score_samples(self, X, y, times=None):
        joint = self._joint_log(X, y, times)
        top = joint.max(axis=1)
        return top + np.log(np.exp(joint - top[:, None]).sum(axis=1))

    def score(self, X, y, times=None):
        """Mean log-likelihood per subject.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_times)
        times : array-like, default=None

        Returns
        -------
        score : float
        """
        return float(np.mean(self._score_samples(X, y, times)))

    def bic(self, X, y, times=None):
        """Bayesian information criterion (knots count as parameters); lower is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_times)
        times : array-like, default=None

        Returns
        -------
        bic : float
        """
        total = float(np.sum(self._score_samples(X, y, times)))
        return -2.0 * total + self._n_parameters * np.log(np.shape(y)[0])

    def aic(self, X, y, times=None):
        """Akaike information criterion; lower is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_times)
        times : array-like, default=None

        Returns
        -------
        aic : float
        """
        return -2.0 * float(np.sum(self._score_samples(X, y, times))) + 2.0 * self._n_parameters

    def _packed_parameters(self):
        """Fitted parameters as one vector, with names, blocks (class index or -1 for the gating) and kinds.

        Variances (diagonal of ``Psi_k`` and ``theta_k``) enter on the log scale so that the
        curvature, and hence the interval, respects their positivity.
        """
        K, q = self.means_.shape
        values, names, blocks, kinds = [], [], [], []

        def add(value, name, block, kind):
            values.append(float(value))
            names.append(name)
            blocks.append(block)
            kinds.append(kind)

        for k in range(K):
            for j in range(q):
                add(self.means_[k, j], f"means_[{k}, {j}]", k, "linear")
            for j, e in np.ndindex(self.expert_coef_.shape[1:]):
                add(self.expert_coef_[k, j, e], f"expert_coef_[{k}, {j}, {e}]", k, "linear")
            for r, c in zip(*np.tril_indices(q)):
                psi = self.growth_covariances_[k, r, c]
                if r == c:
                    add(np.log(psi), f"growth_covariances_[{k}, {r}, {c}]", k, "log")
                else:
                    add(psi, f"growth_covariances_[{k}, {r}, {c}]", k, "linear")
            add(np.log(self.residual_variances_[k]), f"residual_variances_[{k}]", k, "log")
            if self.curve == "bilinear_spline" and isinstance(self.knots, str):
                add(self.knots_[k], f"knots_[{k}]", k, "knot")
        for k in range(1, K):
            add(self.gating_intercept_[k], f"gating_intercept_[{k}]", -1, "linear")
            for f in range(self.gating_coef_.shape[0]):
                add(self.gating_coef_[f, k], f"gating_coef_[{f}, {k}]", -1, "linear")
        return np.array(values), names, np.array(blocks), np.array(kinds)

    def _log_likelihood_function(self, X, Y, times, blocks):
        """Total log-likelihood of a packed parameter vector and its analytic gradient."""
        K, q = self.means_.shape
        J = Y.shape[1]
        E, G = X[:, self.expert_features_], X[:, self.gating_features_]
        p_e, p_g = E.shape[1], G.shape[1]
        estimated_knots = self.curve == "bilinear_spline" and isinstance(self.knots, str)
        tril = np.tril_indices(q)
        n_tril = tril[0].size
        eye_j = np.eye(J)

        def class_terms(theta_k, k):
            # Gaussian log-density of each subject in class k and its gradient in the packed class parameters.
            mu, B = theta_k[:q], theta_k[q : q + q * p_e].reshape(q, p_e)
            low = np.zeros((q, q))
            low[tril] = theta_k[q + q * p_e : q + q * p_e + n_tril]
            diag = np.exp(np.diag(low).copy())
            low[np.diag_indices(q)] = diag
            psi = low + np.tril(low, -1).T
            residual = np.exp(theta_k[q + q * p_e + n_tril])
            knot = theta_k[-1] if estimated_knots else self.knots_[k]
            lam = _loadings(times, knot, self.curve)
            a = mu + E @ B.T
            mean = np.einsum("njq,nq->nj", lam, a)
            lam_psi = lam @ psi
            cov = lam_psi @ np.transpose(lam, (0, 2, 1)) + residual * eye_j
            chol = np.linalg.cholesky(cov)
            cov_inv = np.linalg.inv(cov)
            u = np.einsum("njk,nk->nj", cov_inv, Y - mean)
            log_density = -0.5 * (
                J * _LOG_2PI + 2.0 * np.sum(np.log(np.diagonal(chol, axis1=1, axis2=2)), axis=1)
                + np.sum((Y - mean) * u, axis=1)
            )
            W = 0.5 * (u[:, :, None] * u[:, None, :] - cov_inv)  # d log-density / d cov
            grad_a = np.einsum("njq,nj->nq", lam, u)
            grad_psi = np.einsum("njq,njk,nkr->nqr", lam, W, lam)
            grad_psi = 2.0 * grad_psi[:, tril[0], tril[1]]
            is_diag = tril[0] == tril[1]
            grad_psi[:, is_diag] *= 0.5 * diag  # symmetric entries counted once, log-scale chain rule
            parts = [grad_a, (grad_a[:, :, None] * E[:, None, :]).reshape(-1, q * p_e), grad_psi,
                     (residual * np.trace(W, axis1=1, axis2=2))[:, None]]
            if estimated_knots:
                after = (times > knot).astype(float)
                dlam = np.stack([np.zeros_like(after), after, -after], axis=-1)
                grad_knot = np.einsum("nj,njq,nq->n", u, dlam, a) + 2.0 * np.einsum("njk,njq,nkq->n", W, lam_psi, dlam)
                parts.append(grad_knot[:, None])
            return log_density, np.hstack(parts)

        def gradient_and_value(x):
            theta_g = x[blocks == -1].reshape(K - 1, p_g + 1)
            intercept = np.concatenate([[0.0], theta_g[:, 0]])
            coef = np.column_stack([np.zeros(p_g), theta_g[:, 1:].T])
            log_gate = special.log_softmax(G @ coef + intercept, axis=1)
            terms = [class_terms(x[blocks == k], k) for k in range(K)]
            joint = log_gate + np.column_stack([t[0] for t in terms])
            total = special.logsumexp(joint, axis=1)
            resp = np.exp(joint - total[:, None])
            grad = np.empty_like(x)
            for k in range(K):
                grad[blocks == k] = resp[:, k] @ terms[k][1]
            excess = (resp - np.exp(log_gate))[:, 1:]
            grad[blocks == -1] = np.column_stack([excess.sum(axis=0), excess.T @ G]).ravel()
            return float(total.sum()), grad

        return gradient_and_value

    def confidence_intervals(self, X, y, times=None, alpha=0.05):
        """Wald intervals from the observed information of the marginal likelihood.

        The Hessian of the total log-likelihood (``gating_alpha`` excluded) is
        taken by central finite differences at the fitted parameters; its
        negative inverse is the asymptotic covariance. Pass the training data:
        the observed information is a property of the sample the model was
        fitted to. Variances (the diagonal of ``growth_covariances_`` and
        ``residual_variances_``) are handled on the log scale: their interval
        is ``exp(log v -/+ z se(log v))`` (always positive, asymmetric) and
        their standard error is the delta-method ``v * se(log v)``. The knot
        step spans a few percent of an occasion so that the difference
        averages over the kinks that individual times put in the likelihood.
        Parameters are those of the fitted classes in the estimator's order
        (by knot); intervals are only meaningful when the fit converged to the
        maximum likelihood.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Baseline covariates of the training sample.
        y : array-like of shape (n_samples, n_times)
            Repeated measures of the training sample.
        times : array-like, default=None
            Measurement occasions, as in :meth:`fit`.
        alpha : float, default=0.05
            One minus the confidence level.

        Returns
        -------
        intervals : dict
            Maps a parameter name such as ``"means_[1, 2]"``,
            ``"expert_coef_[0, 1, 0]"``, ``"growth_covariances_[0, 1, 0]"``
            (lower triangle), ``"residual_variances_[1]"``, ``"knots_[0]"``,
            ``"gating_intercept_[1]"`` or ``"gating_coef_[0, 1]"`` (index as
            in the fitted attribute) to a tuple ``(estimate, se, lower,
            upper)``. Standard errors are NaN, with a ``UserWarning``, when
            the observed information is not positive definite (a parameter
            is not identified or the fit is not at a maximum).
        """
        check_is_fitted(self)
        if not isinstance(alpha, Real) or not 0 < alpha < 1:
            raise ValueError(f"alpha must be a float in (0, 1); got {alpha!r}.")
        X, Y, times = self._validate(X, y, times)
        x0, names, blocks, kinds = self._packed_parameters()
        func = self._log_likelihood_function(X, Y, times, blocks)
        steps = 1e-5 * np.maximum(np.abs(x0), 1.0)
        steps[kinds == "knot"] = 5e-3 * (float(times.max()) - float(times.min()))
        try:
            information = -_numerical_hessian(lambda x: func(x)[1], x0, steps)
        except np.linalg.LinAlgError:
            information = np.full((x0.size, x0.size), np.nan)
        try:
            if not np.all(np.isfinite(information)):
                raise np.linalg.LinAlgError
            np.linalg.cholesky(information)
            se = np.sqrt(np.diag(np.linalg.inv(information)))
        except np.linalg.LinAlgError:
            warnings.warn(
                "The observed information is not positive definite (a parameter is not identified or the fit is "
                "not at a maximum); standard errors are NaN.",
                UserWarning,
                stacklevel=2,
            )
            se = np.full(x0.size, np.nan)
        z = stats.norm.ppf(1.0 - alpha / 2.0)
        out = {}
        for name, value, s, kind in zip(names, x0, se, kinds):
            if kind == "log":
                estimate = np.exp(value)
                out[name] = (float(estimate), float(estimate * s), float(np.exp(value - z * s)), float(np.exp(value + z * s)))
            else:
                out[name] = (float(value), float(s), float(value - z * s), float(value + z * s))
        return out
