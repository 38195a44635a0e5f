"""Model soup inference against a soft-voting ensemble of the same eight ingredients.

The ingredients are warm-started fine-tunes of one MLP on digits; the soup is one
network with their averaged weights, ``VotingClassifier(voting="soft")`` runs all
eight (frozen, not refitted). Both predict probabilities for 100,000 rows, so the
target ratio is about 1/8: the soup's inference costs one model.
"""

import warnings

import numpy as np
from _harness import compare
from sklearn.datasets import load_digits
from sklearn.ensemble import VotingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.neural_network import MLPClassifier

from skpapers.ensemble import ModelSoupClassifier


def main():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    grid = {"alpha": [1e-4, 1e-3, 1e-2, 1e-1], "learning_rate_init": [1e-3, 3e-3]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = ModelSoupClassifier(
            MLPClassifier(hidden_layer_sizes=(64,), max_iter=30, random_state=0),
            param_grid=grid,
            recipe="uniform",
            random_state=0,
        ).fit(X, y)
    voting = VotingClassifier(
        [(f"ingredient_{i}", FrozenEstimator(m)) for i, m in enumerate(soup.ingredients_)], voting="soft"
    ).fit(X, y)
    rng = np.random.RandomState(0)
    X_big = np.clip(X[rng.randint(len(X), size=100_000)] + 0.05 * rng.standard_normal((100_000, X.shape[1])), 0, 1)

    def check(ours_proba, peer_proba):
        ensemble_gap = np.abs(soup.ensemble_predict_proba(X_big) - peer_proba).max()
        agree = np.mean(ours_proba.argmax(1) == peer_proba.argmax(1))
        return (
            f"soup and soft vote agree on {100 * agree:.2f}% of labels; our ensemble_predict_proba equals the "
            f"vote's probabilities to {ensemble_gap:.1e}"
        )

    compare(
        "model_soup_predict_100k_8_ingredients",
        ours=lambda: soup.predict_proba(X_big),
        peer=lambda: voting.predict_proba(X_big),
        repeats=5,
        max_ratio=0.25,
        check=check,
    )
