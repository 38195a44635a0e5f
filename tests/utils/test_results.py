"""The shared result objects behave like scipy.stats results."""

from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from skpapers.utils._results import FieldsTestResult, TestResult


def test_unpacks_and_indexes_like_a_scipy_result():
    reference = stats.ttest_1samp([1.0, 2.0, 4.0], 0.0)
    result = TestResult(reference.statistic, reference.pvalue, df=2)
    statistic, pvalue = result
    assert (statistic, pvalue) == (reference.statistic, reference.pvalue)
    assert len(result) == 2 and result[1] == reference.pvalue and result.df == 2


def test_repr_names_the_class_and_summarises_long_arrays():
    result = TestResult(1.5, 0.25, score_differences=np.arange(10.0), df=3)
    text = repr(result)
    assert text.startswith("TestResult(statistic=1.5, pvalue=0.25")
    assert "score_differences=array(shape=(10,))" in text and "df=3" in text


@dataclass(frozen=True, repr=False)
class _RunsLike(FieldsTestResult):
    n_runs: int
    counts: np.ndarray


def test_dataclass_results_share_the_behaviour_and_are_frozen():
    result = _RunsLike(2.0, 0.05, 7, np.arange(3))
    assert tuple(result) == (2.0, 0.05)
    assert repr(result) == "_RunsLike(statistic=2.0, pvalue=0.05, n_runs=7, counts=array([0, 1, 2]))"
    with pytest.raises(AttributeError):
        result.statistic = 1.0
