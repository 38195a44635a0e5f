"""
========================================================================
Diverse synthetic training data: diversity knobs and human interventions
========================================================================

Chung, Kamar and Amershi (arXiv:2306.04140) generate labelled training text
with a language model and ask how to make the generated set more diverse
without making it less accurate. Here the language model is a
class-conditional sampler of categorical rows
(:class:`~skpapers.generative.CategoricalSequenceGenerator`) fitted on a seed
set of 10 rows per class. Raising the temperature, or suppressing values the
class already produced, spreads the generated rows out (higher remote-clique
and Chamfer diversity) but more of them stop matching the label they were
generated for (lower label accuracy, judged by an oracle classifier trained
on 5000 real rows). :class:`~skpapers.over_sampling.SyntheticDataAugmenter`
adds the paper's two interventions: label replacement by the oracle and
out-of-scope filtering with an outlier detector.
"""

# %%
# A categorical problem and its seed set
# --------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import CategoricalNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skpapers.generative import CategoricalSequenceGenerator
from skpapers.metrics import chamfer_distance_score, label_accuracy_score, remote_clique_score
from skpapers.over_sampling import SyntheticDataAugmenter

rng = np.random.default_rng(0)
P = rng.dirichlet(0.5 * np.ones(5), size=(3, 8))  # 3 classes, 8 features, 5 levels
y_all = rng.integers(0, 3, 8000)
X_all = np.minimum((rng.random((8000, 8, 1)) > np.cumsum(P[y_all], axis=2)).sum(axis=2), 4)
X_train, y_train, X_test, y_test = X_all[:5000], y_all[:5000], X_all[5000:], y_all[5000:]
seed = np.concatenate([np.flatnonzero(y_train == k)[:10] for k in range(3)])
X_seed, y_seed = X_train[seed], y_train[seed]

oracle = CategoricalNB(min_categories=5).fit(X_train, y_train)


def downstream():
    return make_pipeline(OneHotEncoder(categories=[np.arange(5)] * 8), LogisticRegression(max_iter=2000))


print(f"oracle test accuracy {oracle.score(X_test, y_test):.3f}; "
      f"trained on the 30 seed rows {downstream().fit(X_seed, y_seed).score(X_test, y_test):.3f}")

# %%
# Diversity against label accuracy
# --------------------------------
# 200 rows per class for each setting; diversity is measured with the Hamming
# distance between integer-coded rows.
settings = {"T=0.5": (0.5, 0.0), "T=1": (1.0, 0.0), "T=2": (2.0, 0.0), "T=1, lambda=3": (1.0, 3.0)}
rows = {}
for name, (temperature, suppression) in settings.items():
    gen = CategoricalSequenceGenerator(temperature=temperature, suppression=suppression, random_state=0)
    X_gen, y_gen = gen.fit(X_seed, y_seed).sample_labeled(y=np.repeat([0, 1, 2], 200))
    common = dict(generator=gen, n_synthetic=200, keep_original=False, random_state=0)
    X_lr, y_lr = SyntheticDataAugmenter(relabeler=oracle, **common).fit_resample(X_seed, y_seed)
    rows[name] = {
        "diversity": remote_clique_score(X_gen, metric="hamming"),
        "chamfer": chamfer_distance_score(X_gen, metric="hamming"),
        "label accuracy": label_accuracy_score(X_gen, y_gen, oracle),
        "accuracy": downstream().fit(X_gen, y_gen).score(X_test, y_test),
        "with LR": downstream().fit(X_lr, y_lr).score(X_test, y_test),
    }
    print(name, {key: round(value, 3) for key, value in rows[name].items()})

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4))
for name, row in rows.items():
    ax0.scatter(row["diversity"], row["label accuracy"])
    ax0.annotate(name, (row["diversity"], row["label accuracy"]), fontsize=8)
ax0.set_xlabel("remote-clique diversity (Hamming)")
ax0.set_ylabel("label accuracy (oracle agreement)")
x = np.arange(len(rows))
ax1.bar(x - 0.2, [r["accuracy"] for r in rows.values()], width=0.4, label="generated labels")
ax1.bar(x + 0.2, [r["with LR"] for r in rows.values()], width=0.4, label="after label replacement")
ax1.set_xticks(x, list(rows), fontsize=8)
ax1.set_ylim(0.8, 1.0)
ax1.set_ylabel("test accuracy of the downstream model")
ax1.legend()
fig.tight_layout()

# %%
# Out-of-scope filtering
# ----------------------
# An isolation forest fitted on the 30 seed rows judges most diverse rows
# "out of scope": it removes the very rows that make the set diverse, and the
# downstream model gets worse, as the paper found for its filtering step.
from sklearn.ensemble import IsolationForest  # noqa: E402

gen = CategoricalSequenceGenerator(temperature=2.0, random_state=0)
aug = SyntheticDataAugmenter(generator=gen, n_synthetic=200, relabel=False,
                             outlier_detector=IsolationForest(random_state=0), keep_original=False, random_state=0)
X_f, y_f = aug.fit_resample(X_seed, y_seed)
print(f"T=2: kept {X_f.shape[0]} of {aug.n_generated_} rows; "
      f"accuracy {downstream().fit(X_f, y_f).score(X_test, y_test):.3f} vs {rows['T=2']['accuracy']:.3f} unfiltered")
plt.show()
