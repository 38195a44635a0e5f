"""Run the benchmarks: ``python benchmarks/run.py [NAME ...]``.

NAME is a script's name without ``bench_`` and ``.py`` (e.g. ``smote``).
Every script defines ``main()``, which prints its rows via ``_harness.compare``.
"""

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import HEADER  # noqa: E402


def main(argv):
    available = sorted(path.stem.removeprefix("bench_") for path in HERE.glob("bench_*.py"))
    wanted = argv or available
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; available: {available}", file=sys.stderr)
        return 2
    print(HEADER)
    for name in wanted:
        importlib.import_module(f"bench_{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
