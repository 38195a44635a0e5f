"""skpapers: scikit-learn-compatible estimators for the methods of recent papers.

Each subpackage groups one kind of estimator (``over_sampling``, ``linear_model``,
``anomaly``, ...); ``skpapers.reproduce`` re-runs each paper's headline claim.
"""

__version__ = "0.1.0.dev0"


def show_versions():
    """Print the versions of skpapers, Python and the libraries it builds on.

    Useful in bug reports, as :func:`sklearn.show_versions` is.

    Examples
    --------
    >>> from skpapers import show_versions
    >>> show_versions()  # doctest: +SKIP
    """
    import importlib
    import platform
    import sys

    print(f"skpapers: {__version__}")
    print(f"python:   {sys.version.split()[0]} ({platform.platform()})")
    for name in ("numpy", "scipy", "sklearn", "imblearn", "statsmodels", "matplotlib", "pandas"):
        try:
            version = importlib.import_module(name).__version__
        except ImportError:
            version = "not installed"
        print(f"{name + ':':<10}{version}")
