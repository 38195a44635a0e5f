import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skpapers.metrics import ROCConvexHullDisplay, roc_convex_hull, roc_convex_hull_auc  # noqa: E402


def test_from_points_draws_the_hull_and_the_points():
    fpr, tpr = [0.1, 0.3, 0.5, 0.4], [0.5, 0.6, 0.9, 0.7]
    display = ROCConvexHullDisplay.from_points(fpr, tpr, name="trees", plot_chance_level=True)
    hull_fpr, hull_tpr = roc_convex_hull(fpr, tpr)
    np.testing.assert_array_equal(display.line_.get_xdata(), hull_fpr)
    np.testing.assert_array_equal(display.line_.get_ydata(), hull_tpr)
    np.testing.assert_array_equal(display.points_.get_offsets(), np.column_stack([fpr, tpr]))
    assert display.hull_auc == pytest.approx(roc_convex_hull_auc(fpr, tpr))
    labels = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert labels == [f"trees (hull AUC = {display.hull_auc:.3f})", "chance level"]
    assert display.figure_ is display.ax_.figure
    plt.close(display.figure_)


def test_two_methods_on_one_axis_and_from_predictions():
    fig, ax = plt.subplots()
    y = np.array([0, 0, 0, 0, 1, 1])
    first = ROCConvexHullDisplay.from_predictions(y, [[0, 0, 0, 1, 1, 0], [0, 1, 0, 1, 1, 1]], name="a", ax=ax)
    second = ROCConvexHullDisplay.from_points([0.2], [0.9], name="b", ax=ax, show_points=False, color="red")
    assert first.ax_ is second.ax_ is ax
    assert second.points_ is None and second.line_.get_color() == "red"
    np.testing.assert_allclose(first.fpr, [0.25, 0.5])
    np.testing.assert_allclose(first.tpr, [0.5, 1.0])
    assert len(ax.get_lines()) == 2
    plt.close(fig)


def test_bad_points_raise_before_drawing():
    with pytest.raises(ValueError, match="same length"):
        ROCConvexHullDisplay.from_points([0.1, 0.2], [0.3])
