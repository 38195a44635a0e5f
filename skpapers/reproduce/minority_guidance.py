"""Minority guidance for diffusion models (arXiv:2301.12334).

Checks, on the spec's two-cluster table (majority N(0, I_2), n = 950;
minority N((3, 3), 0.3^2 I), n = 50), kernel score h = 0.2 in raw units, VE
noise 0.01..20, Euler-Maruyama, minority scores at noise 1.0 with 5 draws,
5 levels:

1. the mean true log density of the samples falls as the guidance scale
   rises (0, 1, 3), while the mean distance to the nearest training rows
   and the share of samples near the minority cluster rise (the paper's
   claim, measured here with the true density instead of AvgkNN/LOF);
2. the oracle: with the exact posterior, scale 1 samples match
   ``KernelDensity(0.2).fit(X[top level])`` (energy distance near the
   resampling floor) and not the kernel density of all rows;
3. as an over-sampler on an imbalanced task, downstream balanced accuracy
   and minority-class F1 of a logistic regression against SMOTE, reported
   as measured (no claim of superiority is made by the paper for this use).
"""

import numpy as np
from imblearn.over_sampling import SMOTE
from scipy.spatial.distance import cdist
from scipy.stats import multivariate_normal
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KernelDensity, NearestNeighbors

from ..generative import KernelScoreModel, MinorityGuidedGenerator, VarianceExplodingSchedule
from ..over_sampling import MinorityGuidanceOverSampler
from ._registry import ReproductionResult, register

SCALES = (0.0, 1.0, 3.0)
H = 0.2


def energy_distance(X, Y):
    """Energy distance ``2 E|X-Y| - E|X-X'| - E|Y-Y'|`` (V-statistic)."""
    return float(2 * cdist(X, Y).mean() - cdist(X, X).mean() - cdist(Y, Y).mean())


def make_data(random_state=0):
    """The spec's table and its true log density."""
    rng = np.random.RandomState(random_state)
    X = np.vstack([rng.normal(size=(950, 2)), rng.normal(3.0, 0.3, size=(50, 2))])
    is_minor = np.r_[np.zeros(950, bool), np.ones(50, bool)]

    def log_density(Z):
        a = np.log(0.95) + multivariate_normal([0, 0], np.eye(2)).logpdf(Z)
        b = np.log(0.05) + multivariate_normal([3, 3], 0.09 * np.eye(2)).logpdf(Z)
        return np.logaddexp(a, b)

    return X, is_minor, log_density


def _over_sampling_task(random_state, quick):
    X, y = make_classification(n_samples=2000, n_features=4, n_informative=3, n_redundant=0, n_clusters_per_class=2,
                               weights=[0.92, 0.08], class_sep=0.8, flip_y=0.0, random_state=random_state)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.5, stratify=y, random_state=random_state)
    template = MinorityGuidedGenerator(KernelScoreModel(bandwidth=0.3), n_steps=30 if quick else 150)
    samplers = {
        "none": None,
        "SMOTE": SMOTE(random_state=random_state),
        "diffusion w=0": MinorityGuidanceOverSampler(template, guidance_scale=0.0, random_state=random_state),
        "minority w=1": MinorityGuidanceOverSampler(template, guidance_scale=1.0, random_state=random_state),
        "minority w=3": MinorityGuidanceOverSampler(template, guidance_scale=3.0, random_state=random_state),
    }
    scores = {}
    for name, sampler in samplers.items():
        Xr, yr = (X_tr, y_tr) if sampler is None else sampler.fit_resample(X_tr, y_tr)
        pred = LogisticRegression().fit(Xr, yr).predict(X_te)
        scores[name] = {"balanced_accuracy": float(balanced_accuracy_score(y_te, pred)),
                        "f1_minority": float(f1_score(y_te, pred))}
    return scores


@register(
    slug="minority-guidance",
    title="Don't Play Favorites: Minority Guidance for Diffusion Models",
    arxiv="2301.12334",
    claim="minority guidance moves samples to lower-density regions as the guidance scale rises "
          "(mean true log density falls, k-NN distance rises)",
)
def run(quick=False, random_state=0):
    X, is_minor, log_density = make_data(random_state)
    n_gen, n_steps = (500, 120) if quick else (2000, 300)
    gen = MinorityGuidedGenerator(KernelScoreModel(bandwidth=H), schedule=VarianceExplodingSchedule(0.01, 20.0),
                                  n_levels=5, minority_noise=1.0, n_score_draws=5, n_steps=n_steps,
                                  standardize=False, random_state=random_state).fit(X)
    top = gen.levels_ == gen.target_level_
    nn = NearestNeighbors(n_neighbors=5).fit(X)
    samples, logdens, knn, near_minor = {}, [], [], []
    for w in SCALES:
        S = gen.set_params(guidance_scale=w).sample(n_gen, random_state=random_state + 1)
        samples[w] = S
        logdens.append(float(log_density(S).mean()))
        knn.append(float(nn.kneighbors(S)[0].mean()))
        near_minor.append(float(np.mean(np.linalg.norm(S - 3.0, axis=1) < 1.0)))
    kde_top = KernelDensity(bandwidth=H).fit(X[top])
    oracle = kde_top.sample(n_gen, random_state=random_state + 2)
    ed_oracle = energy_distance(samples[1.0], oracle)
    ed_floor = energy_distance(oracle, kde_top.sample(n_gen, random_state=random_state + 3))
    ed_all = energy_distance(samples[1.0], KernelDensity(bandwidth=H).fit(X).sample(n_gen, random_state=random_state))
    over = _over_sampling_task(random_state, quick)

    falls = bool(logdens[0] > logdens[1] > logdens[2] and knn[0] < knn[1] < knn[2])
    oracle_ok = bool(ed_oracle < 3 * ed_floor + 0.005 and ed_all > 10 * ed_oracle)
    verdict = "reproduced" if falls and oracle_ok else ("partly reproduced" if falls or oracle_ok else "not reproduced")
    ours = ("mean log density " + " / ".join(f"{v:.2f}" for v in logdens) + " at w = 0/1/3; 5-NN distance "
            + " / ".join(f"{v:.2f}" for v in knn) + f"; w=1 vs KDE(top level) energy {ed_oracle:.4f} "
            f"(floor {ed_floor:.4f}, vs all rows {ed_all:.3f}); SMOTE bal. acc. {over['SMOTE']['balanced_accuracy']:.3f}"
            f" vs minority w=1 {over['minority w=1']['balanced_accuracy']:.3f}")
    return ReproductionResult(
        ours=ours,
        reference="paper: minority guidance raises AvgkNN/LOF/rarity over the plain sampler on every data set; "
                  "spec run: log density -3.02/-4.18/-5.85, 5-NN 0.14/0.23/0.41",
        verdict=verdict,
        details={"scales": list(SCALES), "mean_log_density": logdens, "knn_distance": knn,
                 "near_minority_share": near_minor, "energy_oracle": ed_oracle, "energy_floor": ed_floor,
                 "energy_all": ed_all, "top_level_minority_share": float(is_minor[top].mean()),
                 "minority_in_top_level": float(top[is_minor].mean()), "over_sampling": over,
                 "samples": {w: s.tolist() for w, s in samples.items()}, "X": X.tolist()},
    )


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    d = result.details
    X = np.asarray(d["X"])
    fig, axes = plt.subplots(1, 4, figsize=(16, 4))
    for ax, w in zip(axes[:3], d["scales"]):
        S = np.asarray(d["samples"][w])
        ax.scatter(X[:, 0], X[:, 1], s=3, c="0.7", label="training rows")
        ax.scatter(S[:, 0], S[:, 1], s=3, c="C3", alpha=0.5, label="samples")
        ax.set_title(f"guidance scale w = {w:g}")
        ax.set_xlim(-4, 5)
        ax.set_ylim(-4, 5)
    axes[0].legend(loc="upper left")
    ax = axes[3]
    ax.plot(d["scales"], d["mean_log_density"], "o-", label="mean true log density")
    ax.set_xlabel("guidance scale w")
    ax.set_ylabel("mean log density of samples")
    ax2 = ax.twinx()
    ax2.plot(d["scales"], d["knn_distance"], "s--", c="C1", label="5-NN distance")
    ax2.set_ylabel("mean 5-NN distance to training rows")
    ax.set_title("samples move to low-density regions")
    fig.tight_layout()
    return {"minority_guidance": fig}
