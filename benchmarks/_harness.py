"""Timing harness shared by the benchmark scripts.

Each benchmark times our implementation and its peer in the same process
(median of repeats, after one warm-up call each), measures our peak traced
memory, and prints one row::

    name, ours_s, peer_s, ratio, peak_MiB, target, met

``ratio = ours_s / peer_s``: below 1 means we are faster.
"""

import gc
import statistics
import time
import tracemalloc

HEADER = f"{'name':<34} {'ours_s':>9} {'peer_s':>9} {'ratio':>8} {'peak_MiB':>9}  target"


def _median_seconds(func, repeats):
    func()  # warm-up: imports, caches, BLAS threads
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _peak_mib(func):
    gc.collect()
    tracemalloc.start()
    try:
        func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def compare(name, ours, peer, *, repeats=5, max_ratio=None, check=None):
    """Time ``ours`` and ``peer`` (zero-argument callables) and print a row.

    Parameters
    ----------
    name : str
    ours, peer : callable
        Each runs the whole operation once and returns its result.
    repeats : int
        Timed calls per side (median reported).
    max_ratio : float or None
        The target: ``ours_s / peer_s <= max_ratio``.
    check : callable or None
        ``check(ours_result, peer_result) -> str`` describing how the two
        results agree (printed after the row), so a fast wrong answer shows.

    Returns
    -------
    row : dict
    """
    ours_s = _median_seconds(ours, repeats)
    peer_s = _median_seconds(peer, repeats)
    peak = _peak_mib(ours)
    ratio = ours_s / peer_s
    if max_ratio is None:
        target = "-"
    else:
        target = f"ratio <= {max_ratio:g}: {'met' if ratio <= max_ratio else 'NOT met'}"
    print(f"{name:<34} {ours_s:9.4f} {peer_s:9.4f} {ratio:8.3f} {peak:9.1f}  {target}", flush=True)
    row = {"name": name, "ours_s": ours_s, "peer_s": peer_s, "ratio": ratio, "peak_MiB": peak, "target": target}
    if check is not None:
        row["agreement"] = check(ours(), peer())
        print(f"{'':<34} agreement: {row['agreement']}", flush=True)
    return row
