import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import DataConversionWarning
from sksurv.util import Surv

from skpapers.survival._targets import check_survival_target

TIME = np.array([3.0, 1.0, 2.0, 5.0])
EVENT = np.array([True, False, True, True])


@pytest.mark.parametrize(
    "y",
    [
        Surv.from_arrays(EVENT, TIME),
        Surv.from_arrays(EVENT, TIME, name_event="status", name_time="days"),
        np.column_stack([TIME, EVENT.astype(float)]),
        pd.DataFrame({"t": TIME, "e": EVENT.astype(int)}),
        np.rec.fromarrays([EVENT.astype(int), TIME.astype(int)], names="e,t"),
    ],
    ids=["surv", "surv-named", "two-column", "dataframe", "int-fields"],
)
def test_layouts_give_the_same_time_and_event(y):
    time, event = check_survival_target(y)
    np.testing.assert_array_equal(time, TIME)
    np.testing.assert_array_equal(event, EVENT)
    assert time.dtype == np.float64 and event.dtype == bool


def test_one_dimensional_y_is_fully_observed_and_may_be_negative():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        time, event = check_survival_target(np.array([-1.0, 2.0]))
    np.testing.assert_array_equal(time, [-1.0, 2.0])
    assert event.all()


def test_column_vector_warns_and_is_read_as_durations():
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        time, event = check_survival_target(TIME[:, None])
    np.testing.assert_array_equal(time, TIME)
    assert event.all()


def test_returned_arrays_are_copies():
    y = np.column_stack([TIME, EVENT.astype(float)])
    time, _ = check_survival_target(y)
    time[0] = -99
    assert y[0, 0] == 3.0


@pytest.mark.parametrize(
    "y, error, match",
    [
        (None, ValueError, "requires y to be passed"),
        (np.column_stack([TIME, [1, 0, 2, 1]]), ValueError, "event indicator.*0/1.*\\[2"),
        (np.column_stack([TIME, [1, 0, 0.5, 1]]), ValueError, "event indicator"),
        (Surv.from_arrays([False] * 4, TIME), ValueError, "Every sample of y is censored"),
        (np.column_stack([[1.0, np.nan, 2.0, 3.0], EVENT]), ValueError, "y contains NaN"),
        (np.column_stack([[1.0, np.inf, 2.0, 3.0], EVENT]), ValueError, "infinity"),
        (np.ones((4, 3)), ValueError, "2-column"),
        (np.ones((4, 2, 2)), ValueError, "dim"),
        (np.rec.fromarrays([EVENT, TIME, TIME], names="a,b,c"), ValueError, "exactly two fields"),
        (np.rec.fromarrays([np.array(["y", "n", "y", "y"]), TIME], names="a,b"), TypeError, "boolean or 0/1"),
        (np.rec.fromarrays([EVENT, np.array(["1", "2", "3", "4"])], names="a,b"), TypeError, "numeric"),
        (np.rec.fromarrays([EVENT, np.array([1.0, np.nan, 2.0, 3.0])], names="a,b"), ValueError, "finite"),
    ],
)
def test_bad_targets_raise_clear_errors(y, error, match):
    with pytest.raises(error, match=match):
        check_survival_target(y)


def test_negative_censored_times_warn():
    with pytest.warns(UserWarning, match="negative times"):
        check_survival_target(np.column_stack([[-1.0, 2.0], [1, 0]]))


def test_all_censored_allowed_when_not_required():
    time, event = check_survival_target(np.column_stack([TIME, np.zeros(4)]), require_event=False)
    assert not event.any()
