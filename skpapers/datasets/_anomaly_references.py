"""Domains of normal and abnormal embeddings sharing anomaly directions (NAGL simulations)."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_random_state


@validate_params(
    {
        "n_domains": [Interval(Integral, 1, None, closed="left")],
        "n_normal": [Interval(Integral, 0, None, closed="left")],
        "n_abnormal": [Interval(Integral, 0, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "n_anomaly_types": [Interval(Integral, 1, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "shift": [Interval(Real, None, None, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_anomaly_domains(
    n_domains=1,
    n_normal=100,
    n_abnormal=100,
    *,
    n_features=32,
    n_anomaly_types=2,
    noise=0.3,
    shift=0.8,
    random_state=None,
):
    """Generate domains of normal and abnormal embeddings that share anomaly types.

    The simulation of the normal-abnormal guided anomaly detection spec:
    ``n_anomaly_types`` orthonormal anomaly directions ``T`` (from the QR
    decomposition of a Gaussian matrix) are shared by every domain. Domain
    ``g`` has its own centre ``mu_g ~ N(0, I)``; its normal samples are
    ``mu_g + noise * N(0, I)`` and an anomaly of type ``t`` is a normal
    sample moved by ``shift * T[t]``, with ``t`` uniform over the types.
    An anomaly is therefore recognisable by its *residual* to the nearest
    normal sample of its own domain, not by its position: this is the
    structure that abnormal references transfer across domains.

    Parameters
    ----------
    n_domains : int, default=1
        Number of domains (each with its own centre).

    n_normal : int, default=100
        Normal samples per domain.

    n_abnormal : int, default=100
        Anomalies per domain.

    n_features : int, default=32
        Embedding dimension; must be at least ``n_anomaly_types``.

    n_anomaly_types : int, default=2
        Number of shared anomaly directions.

    noise : float, default=0.3
        Standard deviation of the isotropic noise around each domain centre.

    shift : float, default=0.8
        Length of the move along an anomaly direction.

    random_state : int, RandomState instance or None, default=None
        Seed of every draw.

    Returns
    -------
    X : ndarray of shape (n_domains * (n_normal + n_abnormal), n_features)
        Embeddings, domain by domain, normal samples first within a domain.

    y : ndarray of shape (n_samples,)
        1 for anomalies, 0 for normal samples.

    groups : ndarray of shape (n_samples,)
        Domain index of each sample.

    anomaly_type : ndarray of shape (n_samples,)
        Type ``t`` of each anomaly, -1 for normal samples.

    References
    ----------
    .. [1] Wang, Y., Wang, X., Gong, Y., Xiao, J. "Normal-Abnormal Guided
       Generalist Anomaly Detection", NeurIPS 2025. arXiv:2510.00495.

    Examples
    --------
    >>> from skpapers.datasets import make_anomaly_domains
    >>> X, y, groups, anomaly_type = make_anomaly_domains(
    ...     n_domains=2, n_normal=5, n_abnormal=3, random_state=0)
    >>> X.shape
    (16, 32)
    >>> y[:8].tolist(), groups[[0, 8]].tolist()
    ([0, 0, 0, 0, 0, 1, 1, 1], [0, 1])
    """
    if n_anomaly_types > n_features:
        raise ValueError(
            f"n_anomaly_types={n_anomaly_types} orthonormal directions need n_features >= n_anomaly_types; "
            f"got n_features={n_features}."
        )
    rng = check_random_state(random_state)
    directions = np.linalg.qr(rng.standard_normal((n_features, n_anomaly_types)))[0].T
    per_domain = n_normal + n_abnormal
    X = np.empty((n_domains * per_domain, n_features))
    anomaly_type = np.full(n_domains * per_domain, -1)
    for domain in range(n_domains):
        centre = rng.standard_normal(n_features)
        block = centre + noise * rng.standard_normal((per_domain, n_features))
        types = rng.randint(n_anomaly_types, size=n_abnormal)
        block[n_normal:] += shift * directions[types]
        X[domain * per_domain : (domain + 1) * per_domain] = block
        anomaly_type[domain * per_domain + n_normal : (domain + 1) * per_domain] = types
    y = (anomaly_type >= 0).astype(int)
    groups = np.repeat(np.arange(n_domains), per_domain)
    return X, y, groups, anomaly_type
