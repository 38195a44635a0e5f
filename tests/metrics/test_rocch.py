import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import ConvexHull
from sklearn.metrics import auc, confusion_matrix
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.metrics import roc_convex_hull, roc_convex_hull_auc, roc_points_from_predictions, rocch_operating_point


def _scipy_hull(fpr, tpr):
    """Upper hull from scipy: the hull of the points, both corners and (1, 0), minus (1, 0)."""
    points = np.vstack([np.column_stack([fpr, tpr]), [[0, 0], [1, 1], [1, 0]]])
    hull = ConvexHull(points)
    vertices = {tuple(points[i]) for i in hull.vertices} - {(1.0, 0.0)}
    # the chain along the bottom and right edges is not part of the ROC hull
    vertices = {v for v in vertices if not (v[1] == 0 and v[0] > 0) and not (v[0] == 1 and v[1] < 1)}
    return sorted(vertices), hull.volume


# Rates are ratios of counts; subnormal floats (below 2.2e-308) never occur and make the
# orientation products underflow to zero, so they are left out of the strategy.
_rate = st.floats(0, 1, allow_nan=False, allow_subnormal=False)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(_rate, _rate), min_size=1, max_size=40
    )
)
def test_hull_area_matches_scipy_and_the_hull_covers_every_point(points):
    fpr, tpr = np.array(points, dtype=float).T
    hull_fpr, hull_tpr = roc_convex_hull(fpr, tpr)
    assert hull_fpr[0] == 0 and hull_tpr[0] == 0 and hull_fpr[-1] == 1 and hull_tpr[-1] == 1
    assert np.all(np.diff(hull_fpr) >= 0) and np.all(np.diff(hull_tpr) >= 0)
    edges = np.column_stack([np.diff(hull_fpr), np.diff(hull_tpr)])
    turns = edges[:-1, 0] * edges[1:, 1] - edges[:-1, 1] * edges[1:, 0]
    assert np.all(turns < 0)  # every vertex is a strict clockwise turn: concave, no collinear vertices
    # every input point lies on or under the hull
    envelope = np.interp(fpr, hull_fpr, hull_tpr)
    envelope[fpr == 0] = hull_tpr[hull_fpr == 0].max()
    assert np.all(tpr <= envelope + 1e-9)
    # and the hull's area is the area of scipy's hull of the points and corners
    points_and_corners = np.vstack([np.column_stack([fpr, tpr]), [[0, 0], [1, 1], [1, 0]]])
    expected_area = ConvexHull(points_and_corners).volume  # the corners never make a flat set
    assert roc_convex_hull_auc(fpr, tpr) == pytest.approx(expected_area, abs=1e-9)


def test_hull_vertices_match_scipy_on_a_generic_set():
    rng = np.random.RandomState(0)
    fpr = rng.uniform(size=60)
    tpr = np.clip(np.sqrt(fpr) + rng.normal(0, 0.15, size=60), 0, 1)
    hull_fpr, hull_tpr, indices = roc_convex_hull(fpr, tpr, return_indices=True)
    expected, area = _scipy_hull(fpr, tpr)
    assert sorted(zip(hull_fpr.tolist(), hull_tpr.tolist())) == expected
    assert roc_convex_hull_auc(fpr, tpr) == pytest.approx(area, rel=1e-12)
    assert roc_convex_hull_auc(fpr, tpr) == pytest.approx(auc(hull_fpr, hull_tpr), rel=1e-12)
    inner = indices[1:-1]
    np.testing.assert_array_equal(fpr[inner], hull_fpr[1:-1])
    np.testing.assert_array_equal(tpr[inner], hull_tpr[1:-1])
    assert indices[0] == -1 and indices[-1] == -1


def test_hand_checked_cases():
    hull_fpr, hull_tpr = roc_convex_hull([], [])
    assert hull_fpr.tolist() == [0, 1] and hull_tpr.tolist() == [0, 1]
    assert roc_convex_hull_auc([], []) == 0.5
    # points under the diagonal are never on the hull
    assert roc_convex_hull_auc([0.6, 0.8], [0.2, 0.5]) == 0.5
    # the perfect classifier
    assert roc_convex_hull_auc([0.0], [1.0]) == 1.0
    # collinear point dropped, repeated points merged, vertical start kept
    hull_fpr, hull_tpr, idx = roc_convex_hull(
        [0.0, 0.2, 0.4, 0.4, 0.0], [0.5, 0.7, 0.9, 0.9, 0.0], return_indices=True
    )
    assert list(zip(hull_fpr, hull_tpr)) == [(0, 0), (0, 0.5), (0.4, 0.9), (1, 1)]
    assert idx[0] == 4  # the input point at (0, 0) is reported, not -1
    assert idx[1] == 0 and idx[2] in (2, 3) and idx[3] == -1


def test_operating_point_is_the_minimum_expected_cost_classifier():
    rng = np.random.RandomState(1)
    fpr = rng.uniform(size=30)
    tpr = np.clip(fpr ** 0.4 + rng.normal(0, 0.05, size=30), 0, 1)
    for pos_prior, cost_fp, cost_fn in [(0.1, 1, 1), (0.5, 1, 1), (0.05, 1, 20), (0.3, 4, 1), (0.9, 1, 1)]:
        index = rocch_operating_point(fpr, tpr, pos_prior, cost_fp=cost_fp, cost_fn=cost_fn)
        # brute force: expected cost of every classifier
        cost = (1 - pos_prior) * fpr * cost_fp + pos_prior * (1 - tpr) * cost_fn
        assert cost[index] == pytest.approx(cost.min(), abs=1e-12)


def test_points_from_predictions_match_confusion_matrix():
    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, size=200)
    predictions = rng.randint(0, 2, size=(5, 200))
    fpr, tpr = roc_points_from_predictions(y, predictions)
    for i, prediction in enumerate(predictions):
        tn, fp, fn, tp = confusion_matrix(y, prediction).ravel()
        assert fpr[i] == pytest.approx(fp / (fp + tn)) and tpr[i] == pytest.approx(tp / (tp + fn))
    labels = np.where(y == 1, "rare", "common")
    fpr_s, tpr_s = roc_points_from_predictions(labels, np.where(predictions == 1, "rare", "common"), pos_label="rare")
    np.testing.assert_allclose(fpr_s, fpr)
    np.testing.assert_allclose(tpr_s, tpr)


@pytest.mark.parametrize(
    "fpr, tpr, error, match",
    [
        ([0.1, 0.2], [0.5], ValueError, "same length"),
        ([0.1, np.nan], [0.5, 0.6], ValueError, "NaN"),
        ([0.1, 1.2], [0.5, 0.6], ValueError, r"\[0, 1\]"),
        ([[0.1, 0.2]], [[0.5, 0.6]], ValueError, "1-D"),
        (["a"], [0.5], TypeError, "numbers"),
    ],
)
def test_bad_roc_points(fpr, tpr, error, match):
    with pytest.raises(error, match=match):
        roc_convex_hull(fpr, tpr)
    with pytest.raises(error, match=match):
        roc_convex_hull_auc(fpr, tpr)


def test_bad_operating_point_arguments():
    with pytest.raises(InvalidParameterError, match="pos_prior"):
        rocch_operating_point([0.1], [0.5], pos_prior=1.0)
    with pytest.raises(InvalidParameterError, match="cost_fp"):
        rocch_operating_point([0.1], [0.5], pos_prior=0.5, cost_fp=0)
    with pytest.raises(ValueError, match="at least one"):
        rocch_operating_point([], [], pos_prior=0.5)


def test_bad_predictions():
    with pytest.raises(ValueError, match="two classes"):
        roc_points_from_predictions([1, 1, 1], [[1, 0, 1]])
    with pytest.raises(ValueError, match="pos_label"):
        roc_points_from_predictions(["a", "b", "a"], [["a", "a", "b"]])
    with pytest.raises(ValueError, match="not a label"):
        roc_points_from_predictions([0, 1, 0], [[0, 1, 1]], pos_label=2)
    with pytest.raises(ValueError, match="shape"):
        roc_points_from_predictions([0, 1, 0], [[0, 1]])
