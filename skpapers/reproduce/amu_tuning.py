"""AMU-Tuning (Tang et al., CVPR 2024) on synthetic CLIP-like few-shot episodes.

CLIP-like features carry a weak class signal seen by the text embeddings (zero-shot
accuracy ~0.66); auxiliary features carry complementary, noisier class information.
Per episode (10 classes, 1 / 4 / 16 shots, 100 queries per class) we compare zero-shot
CLIP, a logistic-regression linear probe on the auxiliary features, AMU, and the
paper's ablations: A removed (the logit bias is computed from the CLIP features
themselves), M removed (only the fused branch in the loss, ``lambda_merge=1``),
U removed (``phi = 1``), and the feature initialisation replaced by a random one.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from ..datasets import make_clip_like_episode
from ..few_shot import AMUTuningClassifier
from ._registry import ReproductionResult, register

_SHOTS = (1, 4, 16)
_D1 = 32
_VARIANTS = ("amu", "no_aux", "no_multi_branch", "no_uncertainty", "random_init")
# Means over a few episodes move by about a point between seeds; an ablation "lowers"
# accuracy only when the mean over shots drops by more than this.
_MARGIN = 0.01


def _fit_score(X, y, X_test, y_test, T, variant, seed):
    params = {"no_multi_branch": {"lambda_merge": 1.0}, "no_uncertainty": {"uncertainty": "none"},
              "random_init": {"init": "random", "random_state": seed}}.get(variant, {})
    if variant == "no_aux":
        # The bias is computed from the CLIP features: same model, CLIP columns as auxiliary.
        X, X_test = np.hstack([X[:, :_D1]] * 2), np.hstack([X_test[:, :_D1]] * 2)
    clf = AMUTuningClassifier(T, _D1, **params).fit(X, y)
    return clf.score(X_test, y_test)


@register(
    slug="amu-tuning",
    title="AMU-Tuning: Effective Logit Bias for CLIP-based Few-shot Learning",
    arxiv="2404.08958",
    claim="AMU beats zero-shot CLIP and a linear probe at 1/4/16 shots, and removing auxiliary "
    "features, multi-branch training or uncertainty fusion each lowers its accuracy.",
    expected="partly reproduced",
)
def run(quick=False, random_state=0):
    n_seeds = 3 if quick else 8
    acc = {name: np.zeros((len(_SHOTS), n_seeds)) for name in ("zero_shot", "linear_probe") + _VARIANTS}
    with warnings.catch_warnings():
        # Only the random-start ablation at one shot hits max_iter; its accuracy is
        # flat in the iterations left (user guide), so the warning is not news here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for i, shots in enumerate(_SHOTS):
            for j in range(n_seeds):
                seed = random_state * 1000 + j
                X, y, X_test, y_test, T = make_clip_like_episode(n_shots=shots, random_state=seed)
                acc["zero_shot"][i, j] = np.mean(np.argmax(X_test[:, :_D1] @ T, axis=1) == y_test)
                probe = LogisticRegression(C=1.0, max_iter=1000).fit(X[:, _D1:], y)
                acc["linear_probe"][i, j] = probe.score(X_test[:, _D1:], y_test)
                for variant in _VARIANTS:
                    acc[variant][i, j] = _fit_score(X, y, X_test, y_test, T, variant, seed)
    mean = {name: a.mean(axis=1).tolist() for name, a in acc.items()}
    amu = np.array(mean["amu"])
    beats_baselines = bool(np.all(amu > np.array(mean["zero_shot"])) and np.all(amu > np.array(mean["linear_probe"])))
    drops = {v: float(amu.mean() - np.mean(mean[v])) for v in _VARIANTS[1:]}
    lowered = {v: d > _MARGIN for v, d in drops.items()}
    if beats_baselines and all(lowered.values()):
        verdict = "reproduced"
    elif beats_baselines:
        verdict = "partly reproduced"
    else:
        verdict = "not reproduced"

    def fmt(name):
        return "/".join(f"{a:.2f}" for a in mean[name])

    ours = (f"acc 1/4/16 shots: zero-shot {fmt('zero_shot')}, LR probe {fmt('linear_probe')}, AMU {fmt('amu')}; "
            f"drop w/o A {drops['no_aux']:+.3f}, w/o M {drops['no_multi_branch']:+.3f}, "
            f"w/o U {drops['no_uncertainty']:+.3f}, random init {drops['random_init']:+.3f}")
    reference = ("spec prototype: zero-shot 0.66, LR 0.36/0.58/0.77, AMU 0.74/0.79/0.84, phi=1 0.69/0.70/0.72, "
                 "random init 0.69/0.75/0.83; paper (ImageNet, RN-50): each of A, M, U adds accuracy")
    return ReproductionResult(
        ours=ours,
        reference=reference,
        verdict=verdict,
        details={"shots": list(_SHOTS), "n_seeds": n_seeds, "accuracy": mean,
                 "drop": drops, "lowered": lowered, "beats_baselines": beats_baselines},
    )


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    details = result.details
    labels = {"zero_shot": "zero-shot CLIP", "linear_probe": "LR probe (aux)", "amu": "AMU",
              "no_aux": "AMU w/o A", "no_multi_branch": "AMU w/o M", "no_uncertainty": "AMU w/o U",
              "random_init": "AMU, random init"}
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, label in labels.items():
        style = {"lw": 2.5} if name == "amu" else {"lw": 1, "ls": "--" if name in _VARIANTS else ":"}
        ax.plot(details["shots"], details["accuracy"][name], marker="o", label=label, **style)
    ax.set_xscale("log", base=2)
    ax.set_xticks(details["shots"], [str(s) for s in details["shots"]])
    ax.set_xlabel("shots per class")
    ax.set_ylabel("test accuracy")
    ax.set_title(f"AMU-Tuning ablations ({details['n_seeds']} episodes per point)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return {"ablations": fig}
