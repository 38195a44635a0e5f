"""FixedScaleNormalizer vs sklearn's Normalizer and StandardScaler: transform throughput.

Data: 200,000 x 256 rows with varying norms (embeddings-like). Three rows:

* per-sample L2 (ours) vs ``Normalizer(norm="l2")``: the same computation;
  the agreement line prints the largest difference (they should be equal).
* fixed-scale LayerNorm (ours) vs ``Normalizer``: what the fixed scale costs
  against the cheapest per-row normaliser (informative, no target).
* fixed-scale LayerNorm fit + transform (ours) vs ``StandardScaler`` fit +
  transform: both are one affine map fitted on the training rows (per row
  centring and one scale vs per column centring and scales), informative.

Peak memory is ours, traced by the harness.
"""

import numpy as np
from _harness import compare
from sklearn.preprocessing import Normalizer, StandardScaler

from skpapers.preprocessing import FixedScaleNormalizer


def _data(n_samples=200_000, n_features=256, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n_samples, n_features)) * rng.lognormal(0.0, 0.5, (n_samples, 1)) + 0.5


def _agreement(ours, peer):
    gap = np.abs(ours - peer).max()
    return f"max |difference| {gap:.1e} ({'agree' if gap < 1e-12 else 'DISAGREE'})"


def _shapes(ours, peer):
    return f"both {ours.shape}, finite: {bool(np.isfinite(ours).all() and np.isfinite(peer).all())}"


def main():
    X = _data()
    l2_ours = FixedScaleNormalizer(norm="l2", scale="per_sample").fit(X)
    l2_peer = Normalizer(norm="l2").fit(X)
    compare("fixed_scale per-sample l2 200kx256", lambda: l2_ours.transform(X), lambda: l2_peer.transform(X),
            repeats=5, max_ratio=1.5, check=_agreement)

    layer = FixedScaleNormalizer(norm="layer", scale="fixed").fit(X)
    compare("fixed_scale layer vs Normalizer", lambda: layer.transform(X), lambda: l2_peer.transform(X),
            repeats=5, check=_shapes)

    compare("fixed_scale layer fit+transform", lambda: FixedScaleNormalizer().fit(X).transform(X),
            lambda: StandardScaler().fit(X).transform(X), repeats=5, check=_shapes)


if __name__ == "__main__":
    main()
