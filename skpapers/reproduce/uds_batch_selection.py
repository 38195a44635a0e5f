"""Zou et al. (2025): utility-diversity batch selection (UDS) beats random and max-loss selection.

The paper's setting (fine-tuning a language model, one sample = a token
sequence with an N x V logits matrix) is out of reach; two CPU simulations
with redundant data put the selection rule itself to the test, each with an
``SGDClassifier(loss="log_loss")`` trained for one epoch on 25% of every
candidate batch of 32 samples:

A. Single-row samples (the specification's simulation): 300 distinct rows and
   2700 copies of 10 source rows. Here a sample's output matrix is one row, its
   nuclear norm the output's magnitude, and the paper's utility prefers
   confident (redundant) rows. The specification predicts that the faithful
   scores hurt and that only the memory-buffer diversity, computed in input
   space, helps.
B. Multi-row samples (groups of 8 rows): half of the groups are 8 noisy copies
   of one of 10 source rows, half are 8 distinct rows. The nuclear norm now
   measures the spread of a group's outputs, the paper's intra-sample
   diversity, so UDS should prefer the informative groups.

The verdict: "reproduced" if UDS (paper-faithful, output embedding) beats
both random and max-loss selection in both simulations by more than
``ACCURACY_MARGIN`` of test accuracy, "not reproduced" if it beats neither
baseline in either simulation, "partly reproduced" in between.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier

from ..sampling import UtilityDiversityClassifier
from ._registry import ReproductionResult, register

N_FEATURES, N_CLASSES = 20, 3
N_UNIQUE, N_COPIES, N_SOURCES = 300, 2700, 10
GROUP_LENGTH, N_GROUPS = 8, 300
N_TEST = 5000
# a clear win needs a margin larger than the seed-to-seed noise of one run
ACCURACY_MARGIN = 0.01

# name -> constructor arguments on top of the common ones
STRATEGIES = {
    "random": {"strategy": "random"},
    "max loss": {"strategy": "max_loss"},
    "UDS (paper)": {"strategy": "uds", "embedding": "output", "alpha": 2.5e-3},
    "UDS (input, z-score)": {"strategy": "uds", "embedding": "input", "score_normalization": "zscore", "alpha": 1.0},
    "diversity (input)": {"strategy": "diversity", "embedding": "input"},
}


def _labels(X, W, rng):
    return np.argmax(X @ W + rng.gumbel(size=(X.shape[0], W.shape[1])), axis=1)


def _single_row_data(rng):
    W = rng.standard_normal((N_FEATURES, N_CLASSES))
    unique = rng.standard_normal((N_UNIQUE, N_FEATURES))
    sources = rng.standard_normal((N_SOURCES, N_FEATURES))
    copies = sources[rng.randint(N_SOURCES, size=N_COPIES)]
    X = np.vstack([unique, copies])
    is_unique = np.r_[np.ones(N_UNIQUE, bool), np.zeros(N_COPIES, bool)]
    X_test = rng.standard_normal((N_TEST, N_FEATURES))
    return X, _labels(X, W, rng), is_unique, X_test, _labels(X_test, W, rng)


def _grouped_data(rng, noise=0.05):
    W = rng.standard_normal((N_FEATURES, N_CLASSES))
    n_redundant = N_GROUPS // 2
    sources = rng.standard_normal((N_SOURCES, N_FEATURES))
    picked = sources[rng.randint(N_SOURCES, size=n_redundant)]
    redundant = np.repeat(picked, GROUP_LENGTH, axis=0)
    redundant += noise * rng.standard_normal(redundant.shape)
    diverse = rng.standard_normal(((N_GROUPS - n_redundant) * GROUP_LENGTH, N_FEATURES))
    X = np.vstack([redundant, diverse])
    groups = np.repeat(np.arange(N_GROUPS), GROUP_LENGTH)
    is_diverse = np.r_[np.zeros(redundant.shape[0], bool), np.ones(diverse.shape[0], bool)]
    X_test = rng.standard_normal((N_TEST, N_FEATURES))
    return X, _labels(X, W, rng), groups, is_diverse, X_test, _labels(X_test, W, rng)


def _classifier(params, seed):
    sgd = SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.05, alpha=1e-4, random_state=seed)
    return UtilityDiversityClassifier(
        sgd, batch_size=32, selection_ratio=0.25, buffer_size=256, n_components=8, max_epochs=1,
        random_state=seed, **params,
    )


def _selected_fraction(clf, mask):
    """Share of the rows trained on after the warm-start batch that carry ``mask``."""
    counts = clf.selection_counts_
    return float(counts[mask].sum() / counts.sum())


def _simulate(seeds, grouped):
    accuracy = {name: [] for name in STRATEGIES}
    informative = {name: [] for name in STRATEGIES}
    for seed in seeds:
        rng = np.random.RandomState(seed)
        if grouped:
            X, y, groups, mask, X_test, y_test = _grouped_data(rng)
        else:
            X, y, mask, X_test, y_test = _single_row_data(rng)
            groups = None
        for name, params in STRATEGIES.items():
            clf = _classifier(params, seed).fit(X, y, groups=groups)
            accuracy[name].append(clf.score(X_test, y_test))
            informative[name].append(_selected_fraction(clf, mask))
    return {
        "accuracy": {name: float(np.mean(v)) for name, v in accuracy.items()},
        "accuracy_std": {name: float(np.std(v)) for name, v in accuracy.items()},
        "informative_fraction": {name: float(np.mean(v)) for name, v in informative.items()},
        "informative_share_of_data": float(mask.mean()),
    }


def _uds_beats(sim):
    """Which baselines the paper-faithful UDS beats by more than the margin."""
    acc = sim["accuracy"]
    return {name: bool(acc["UDS (paper)"] >= acc[name] + ACCURACY_MARGIN) for name in ("random", "max loss")}


@register(
    slug="uds-batch-selection",
    title="Utility-Diversity Aware Online Batch Selection for LLM Supervised Fine-tuning",
    arxiv="2510.16882",
    claim=(
        "Selecting the top 25% of each candidate batch by nuclear-norm utility plus memory-buffer "
        "diversity trains a better model than random or max-loss selection on redundant data."
    ),
    expected="partly reproduced",
)
def run(quick=False, random_state=0):
    seeds = [random_state + k for k in range(3 if quick else 10)]
    from threadpoolctl import threadpool_limits

    # hundreds of small products per fit: BLAS threads only add overhead here
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        # one short epoch of constant-step SGD is the point of the exercise
        warnings.simplefilter("ignore", ConvergenceWarning)
        single = _simulate(seeds, grouped=False)
        grouped = _simulate(seeds, grouped=True)
    beats = {"single_row": _uds_beats(single), "grouped": _uds_beats(grouped)}
    n_wins = sum(won for sim in beats.values() for won in sim.values())
    verdict = "reproduced" if n_wins == 4 else "partly reproduced" if n_wins else "not reproduced"

    def line(sim):
        return ", ".join(
            f"{name} {sim['accuracy'][name]:.3f}/{sim['informative_fraction'][name]:.2f}" for name in STRATEGIES
        )

    ours = (
        f"test accuracy / informative share of selected rows, {len(seeds)} seeds. single rows: {line(single)}; "
        f"groups of {GROUP_LENGTH}: {line(grouped)}"
    )
    reference = (
        "paper: UDS beats Random and MaxLoss on LLM SFT at 12.5-50% budgets. Spec numpy run (single rows): "
        "random 0.60/0.10, UDS faithful ~0.50/0.02-0.04, input embedding 0.60-0.61/0.17-0.18, "
        "diversity only (input) 0.63/0.21"
    )
    details = {
        "strategies": list(STRATEGIES),
        "seeds": seeds,
        "single_row": single,
        "grouped": grouped,
        "uds_beats": beats,
    }
    return ReproductionResult(ours=ours, reference=reference, verdict=verdict, details=details)


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    details = result.details
    names = details["strategies"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    positions = np.arange(len(names))
    for ax, key, title in [
        (axes[0], "single_row", "Single-row samples (3000 rows, 90% copies)"),
        (axes[1], "grouped", f"Groups of {GROUP_LENGTH} rows (half redundant)"),
    ]:
        sim = details[key]
        acc = [sim["accuracy"][name] for name in names]
        err = [sim["accuracy_std"][name] for name in names]
        bars = ax.bar(positions, acc, yerr=err, capsize=3, color=[f"C{k}" for k in range(len(names))])
        for bar, name in zip(bars, names):
            ax.annotate(f"{sim['informative_fraction'][name]:.2f}", (bar.get_x() + bar.get_width() / 2, 0.02),
                        ha="center", fontsize=8, color="white")
        ax.axhline(sim["accuracy"]["random"], color="grey", lw=0.8, ls=":")
        ax.set_xticks(positions, names, rotation=25, ha="right", fontsize=8)
        ax.set(title=title, ylim=(0, 1))
    axes[0].set_ylabel("test accuracy (labels: informative share of selected rows)")
    fig.tight_layout()
    return {"accuracy_by_strategy": fig}
