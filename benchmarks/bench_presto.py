"""PRESTO's proportional-odds limit (alpha=inf, penalize_first=False) against statsmodels' OrderedModel.

Both fit the same likelihood: n=20,000 rows, p=10 features, K=4 classes from
the paper's sparse-differences generator. statsmodels is run with BFGS, its
fastest reliable method for this model (the default Nelder-Mead is far slower).
"""

import warnings

import numpy as np
from _harness import compare
from statsmodels.miscmodels.ordinal_model import OrderedModel

from skpapers.datasets import make_presto_ordinal
from skpapers.linear_model import PRESTOClassifier


def main():
    X, y = make_presto_ordinal(n_samples=20_000, n_features=10, n_classes=4, random_state=0)

    def ours():
        return PRESTOClassifier(alpha=np.inf, penalize_first=False).fit(X, y).predict_proba(X)

    def peer():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = OrderedModel(y, X, distr="logit").fit(method="bfgs", disp=False, maxiter=1000)
        return result.predict(X)

    rows = np.arange(y.size)

    def agreement(ours_proba, peer_proba):
        # Mean negative log-likelihood of each answer: the lower one is the better optimum.
        nll_ours = -np.mean(np.log(ours_proba[rows, y]))
        nll_peer = -np.mean(np.log(peer_proba[rows, y]))
        return (
            f"max |P_ours - P_statsmodels| = {np.max(np.abs(ours_proba - peer_proba)):.2e}; "
            f"NLL ours - NLL statsmodels = {nll_ours - nll_peer:.2e}"
        )

    compare("presto_po_vs_OrderedModel", ours=ours, peer=peer, repeats=3, max_ratio=1.0, check=agreement)


if __name__ == "__main__":
    main()
