"""Binary decision bias (Vidler and Walsh 2025): the audit on synthetic decision streams.

The paper's model outputs are not available, so the spec's synthetic sequences stand in
for them; the claim checked is the paper's qualitative picture: the tests hold their
size on a true random series, detect a GPT-4o-mini-like share (43% yes) and a
GPT-4-like one (98.5% yes), and a balanced sequence can still be patterned (negative
recency with or without a run-length trend, or stickiness).
"""

import warnings

import numpy as np
from scipy import stats

from ..audit import audit_binary_sequence
from ._registry import ReproductionResult, register

_TESTS = ("uniformity", "markov", "runs", "negative_recency", "trend")


def _bernoulli(rng, n, p):
    return (rng.random(n) < p).astype(int)


def _switching_chain(rng, n, switch):
    return np.r_[0, np.cumsum(rng.random(n - 1) < switch) % 2]


def _gamblers_fallacy(rng, n):
    # the chance to switch grows with the length of the current run
    draws = rng.random(n)
    x, run = np.empty(n, dtype=int), 1
    x[0] = int(draws[0] < 0.5)
    for t in range(1, n):
        switch = draws[t] < min(0.9, 0.3 + 0.15 * run)
        x[t] = 1 - x[t - 1] if switch else x[t - 1]
        run = 1 if switch else run + 1
    return x


_SCENARIOS = {
    "A: fair coin (n=1000)": lambda rng: _bernoulli(rng, 1000, 0.5),
    "B: 43% yes (n=1000)": lambda rng: _bernoulli(rng, 1000, 0.43),
    "C: 98.5% yes (n=200)": lambda rng: _bernoulli(rng, 200, 0.985),
    "D: switch 0.6 (n=1000)": lambda rng: _switching_chain(rng, 1000, 0.6),
    "E: gambler's fallacy (n=2000)": lambda rng: _gamblers_fallacy(rng, 2000),
    "F: sticky, switch 0.4 (n=1000)": lambda rng: _switching_chain(rng, 1000, 0.4),
}


def _audit_row(x):
    with warnings.catch_warnings():
        # near-constant streams (scenario C) leave the run-length trend undefined: nan, counted as no rejection
        warnings.simplefilter("ignore", RuntimeWarning)
        audit = audit_binary_sequence(x)
    recency = audit.negative_recency
    n = x.size
    return {
        "p_uniformity": audit.uniformity.pvalue,
        "p_markov": audit.markov.pvalue,
        "p_runs": audit.runs.pvalue,
        "p_negative_recency": recency.pvalue,
        "p_trend": recency.trend_pvalue,
        "z_uniformity": (x.sum() - n / 2) / np.sqrt(n / 4),
        "z_runs": audit.runs.statistic,
        "z_trend": recency.trend_statistic,
        "alternation": recency.alternation_rate,
        "proportion": audit.uniformity.proportion,
    }


@register(
    slug="binary-decision-bias",
    title="Evaluating Binary Decision Biases in Large Language Models",
    arxiv="2501.16356",
    claim="The uniformity, Markov-order, runs and negative-recency tests hold their size on a fair coin, "
    "reject GPT-like yes-shares of 43% and 98.5%, and separate balanced-but-patterned sequences "
    "(over-alternation with and without a run-length trend, stickiness) from true random series.",
)
def run(quick=False, random_state=0):
    n_null, n_power = (100, 20) if quick else (500, 50)
    rng = np.random.default_rng(random_state)
    table = {}
    for name, generator in _SCENARIOS.items():
        rows = [_audit_row(generator(rng)) for _ in range(n_null if name.startswith("A") else n_power)]
        table[name] = {key: np.array([row[key] for row in rows], dtype=float) for key in rows[0]}
    rejection = {
        name: {test: float(np.mean(np.nan_to_num(columns[f"p_{test}"], nan=1.0) < 0.05)) for test in _TESTS}
        for name, columns in table.items()
    }
    a, b, c, d, e, f = (table[name] for name in _SCENARIOS)
    # size: rejections on the fair coin must be compatible with Bin(n_null, 0.05) at the 1% level
    size_bound = stats.binom.ppf(0.995, n_null, 0.05) / n_null
    first = next(iter(_SCENARIOS))
    details = {
        "rejection_rates": rejection,
        "n_null": n_null,
        "n_power": n_power,
        "size_bound": float(size_bound),
        "b_mean_z_uniformity": float(np.mean(b["z_uniformity"])),
        "b_median_p_uniformity": float(np.median(b["p_uniformity"])),
        "c_max_p_uniformity": float(np.max(c["p_uniformity"])),
        "d_mean_z_runs": float(np.mean(d["z_runs"])),
        "d_min_z_runs": float(np.min(d["z_runs"])),
        "d_mean_alternation": float(np.mean(d["alternation"])),
        "d_mean_z_trend": float(np.mean(d["z_trend"])),
        "e_mean_z_trend": float(np.mean(e["z_trend"])),
        "e_mean_alternation": float(np.mean(e["alternation"])),
        "f_mean_z_runs": float(np.mean(f["z_runs"])),
        "profiles": {},
    }
    long_sequences = {
        "D": _switching_chain(np.random.default_rng(random_state + 1), 2000, 0.6),
        "E": _gamblers_fallacy(np.random.default_rng(random_state + 1), 2000),
    }
    for key, sequence in long_sequences.items():
        profile = audit_binary_sequence(sequence).negative_recency.switch_profile
        length = profile["run_length"]
        by_length = [profile["switches"][length == k].sum() / profile["n"][length == k].sum() for k in range(1, 5)]
        details["profiles"][key] = [float(v) for v in by_length]
    b_rates, d_rates, f_rates = (rejection[name] for name in list(_SCENARIOS)[1::2])  # B, D, F
    checks = {
        "size_on_fair_coin": all(rate <= size_bound for rate in rejection[first].values()),
        "b_share_43_rejected": details["b_median_p_uniformity"] < 1e-3 and b_rates["uniformity"] >= 0.9,
        "b_memory_not_rejected": all(b_rates[t] <= 0.2 for t in ("markov", "runs")),
        "c_share_985_rejected": details["c_max_p_uniformity"] < 1e-40,
        "d_over_alternation": details["d_min_z_runs"] > 4.0 and d_rates["markov"] >= 0.95,
        "d_balanced_no_trend": d_rates["uniformity"] <= 0.2 and abs(details["d_mean_z_trend"]) < 1.0,
        "e_trend": 8.0 < details["e_mean_z_trend"] < 14.0,
        "f_sticky": f_rates["runs"] >= 0.95 and details["f_mean_z_runs"] < -5.0,
    }
    details["checks"] = {k: bool(v) for k, v in checks.items()}
    passed = sum(details["checks"].values())
    if passed == len(checks):
        verdict = "reproduced"
    else:
        verdict = "partly reproduced" if passed >= len(checks) - 2 else "not reproduced"
    size = rejection[first]
    ours = (
        f"fair-coin size {max(size.values()):.3f} max over tests; 43% yes: z {details['b_mean_z_uniformity']:.1f}; "
        f"98.5% yes: p < {details['c_max_p_uniformity']:.0e}; switch 0.6: runs z {details['d_mean_z_runs']:.1f} "
        f"(min {details['d_min_z_runs']:.1f}), alternation {details['d_mean_alternation']:.2f}, trend z "
        f"{details['d_mean_z_trend']:.1f}; gambler: trend z {details['e_mean_z_trend']:.1f}"
    )
    reference = (
        "spec: size nominal; z ~ -4.4 (p ~ 1e-5); p < 1e-40; runs z ~ +6.3 (min 4.5), alternation 0.60, "
        "trend z ~ 0; gambler trend z ~ 10-12 (paper: qualitative, GPT shares 32-43% and 98-99% yes)"
    )
    return ReproductionResult(ours=ours, reference=reference, verdict=verdict, details=details)


@run.plotter
def plot(result):
    import matplotlib.pyplot as plt

    rates = result.details["rejection_rates"]
    fig, axes = plt.subplots(1, 2, figsize=(13, 4), gridspec_kw={"width_ratios": [2, 1]})
    names = list(rates)
    width = 0.8 / len(_TESTS)
    for i, test in enumerate(_TESTS):
        axes[0].bar(np.arange(len(names)) + i * width, [rates[name][test] for name in names], width, label=test)
    axes[0].axhline(0.05, color="black", linestyle=":", linewidth=1)
    axes[0].set_xticks(np.arange(len(names)) + 0.4 - width / 2, [n.split(" (")[0] for n in names], rotation=15)
    axes[0].set_ylabel("rejection rate at 5%")
    axes[0].set_title("Size (A) and power (B-F) of the audit tests")
    axes[0].legend(fontsize=8)
    for key, label in (("D", "switch 0.6 (constant)"), ("E", "gambler's fallacy")):
        axes[1].plot(range(1, 5), result.details["profiles"][key], marker="o", label=label)
    axes[1].axhline(0.5, color="grey", linestyle="--", label="fair coin")
    axes[1].set_xticks(range(1, 5), ["1", "2", "3", "4+"])
    axes[1].set_xlabel("length of the current run")
    axes[1].set_ylabel("P(switch)")
    axes[1].set_title("Switch profile")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return {"summary": fig}
