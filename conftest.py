"""Doctest set-up shared by every module of the package."""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _doctest_environment(doctest_namespace):
    doctest_namespace["np"] = np
    try:
        import matplotlib

        matplotlib.use("Agg")
    except ImportError:
        pass
