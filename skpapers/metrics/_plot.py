"""ROC convex hull visualisation in scikit-learn's Display style."""

import numpy as np

from ._rocch import _check_roc_points, roc_convex_hull, roc_convex_hull_auc, roc_points_from_predictions

__all__ = ["ROCConvexHullDisplay"]


class ROCConvexHullDisplay:
    """ROC convex hull (ROCCH) of a set of crisp classifiers: points and hull.

    Build it with :meth:`from_points` or :meth:`from_predictions`, as
    :class:`sklearn.metrics.RocCurveDisplay` is built; call :meth:`plot` to
    draw on another axis. Several displays drawn on one axis compare methods,
    as the paper's ROC-space figures do.

    Parameters
    ----------
    fpr : ndarray of shape (n_points,)
        False positive rates of the classifiers.
    tpr : ndarray of shape (n_points,)
        True positive rates of the classifiers.
    hull_fpr : ndarray
        FPR of the hull vertices (see :func:`roc_convex_hull`).
    hull_tpr : ndarray
        TPR of the hull vertices.
    hull_auc : float or None, default=None
        Area under the hull, shown in the legend.
    name : str or None, default=None
        Label of this set of classifiers in the legend.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The hull.
    points_ : matplotlib PathCollection or None
        The classifiers' points, when drawn.
    ax_ : matplotlib Axes
        Axes with the hull.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    roc_convex_hull : Compute the hull.
    sklearn.metrics.RocCurveDisplay : ROC curve of one scoring classifier.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       Synthetic Minority Over-sampling Technique", Journal of Artificial
       Intelligence Research 16, 321-357 (2002). arXiv:1106.1813.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skpapers.metrics import ROCConvexHullDisplay
    >>> display = ROCConvexHullDisplay.from_points([0.1, 0.3, 0.5], [0.5, 0.6, 0.9], name="trees")
    >>> round(display.hull_auc, 3)
    0.78
    >>> display.ax_.get_xlabel()
    'False positive rate'
    """

    def __init__(self, *, fpr, tpr, hull_fpr, hull_tpr, hull_auc=None, name=None):
        self.fpr = fpr
        self.tpr = tpr
        self.hull_fpr = hull_fpr
        self.hull_tpr = hull_tpr
        self.hull_auc = hull_auc
        self.name = name

    def plot(self, ax=None, *, name=None, show_points=True, plot_chance_level=False, **kwargs):
        """Draw the hull (and the points) on ``ax``.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Axes to draw on; a new figure is made when None.
        name : str or None, default=None
            Legend label; defaults to the display's ``name``.
        show_points : bool, default=True
            Also scatter the classifiers' (FPR, TPR) points.
        plot_chance_level : bool, default=False
            Draw the diagonal of random guessing.
        **kwargs : dict
            Passed to ``ax.plot`` for the hull line.

        Returns
        -------
        display : ROCConvexHullDisplay
            Itself, with ``line_``, ``points_``, ``ax_`` and ``figure_`` set.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        name = self.name if name is None else name
        label = name
        if self.hull_auc is not None:
            label = f"{name} (hull AUC = {self.hull_auc:.3f})" if name else f"hull AUC = {self.hull_auc:.3f}"
        line_kwargs = {"drawstyle": "default", "marker": None}
        line_kwargs.update(kwargs)
        if label is not None:
            line_kwargs.setdefault("label", label)
        (self.line_,) = ax.plot(self.hull_fpr, self.hull_tpr, **line_kwargs)
        self.points_ = None
        if show_points and np.size(self.fpr):
            self.points_ = ax.scatter(self.fpr, self.tpr, s=14, alpha=0.6, color=self.line_.get_color())
        if plot_chance_level:
            ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="chance level")
        ax.set(xlabel="False positive rate", ylabel="True positive rate", xlim=(-0.01, 1.01), ylim=(-0.01, 1.01))
        ax.set_aspect("equal")
        if label is not None or plot_chance_level:
            ax.legend(loc="lower right")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_points(cls, fpr, tpr, *, name=None, ax=None, show_points=True, plot_chance_level=False, **kwargs):
        """Compute the hull of given (FPR, TPR) points and draw it.

        Parameters
        ----------
        fpr : array-like of shape (n_points,)
            False positive rates, in [0, 1].
        tpr : array-like of shape (n_points,)
            True positive rates, in [0, 1].
        name : str or None, default=None
            Legend label.
        ax : matplotlib Axes or None, default=None
            Axes to draw on.
        show_points : bool, default=True
            Also scatter the points.
        plot_chance_level : bool, default=False
            Draw the diagonal.
        **kwargs : dict
            Passed to ``ax.plot`` for the hull line.

        Returns
        -------
        display : ROCConvexHullDisplay
        """
        fpr, tpr = _check_roc_points(fpr, tpr)
        hull_fpr, hull_tpr = roc_convex_hull(fpr, tpr)
        display = cls(
            fpr=fpr, tpr=tpr, hull_fpr=hull_fpr, hull_tpr=hull_tpr, hull_auc=roc_convex_hull_auc(fpr, tpr), name=name
        )
        return display.plot(ax=ax, show_points=show_points, plot_chance_level=plot_chance_level, **kwargs)

    @classmethod
    def from_predictions(
        cls, y_true, predictions, *, pos_label=None, name=None, ax=None, show_points=True,
        plot_chance_level=False, **kwargs,
    ):
        """Draw the hull of several crisp classifiers' predictions on the same labels.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Binary true labels.
        predictions : array-like of shape (n_classifiers, n_samples)
            Crisp predicted labels, one row per classifier.
        pos_label : int, str, bool or None, default=None
            The positive class (see :func:`roc_points_from_predictions`).
        name : str or None, default=None
            Legend label.
        ax : matplotlib Axes or None, default=None
            Axes to draw on.
        show_points : bool, default=True
            Also scatter the points.
        plot_chance_level : bool, default=False
            Draw the diagonal.
        **kwargs : dict
            Passed to ``ax.plot`` for the hull line.

        Returns
        -------
        display : ROCConvexHullDisplay
        """
        fpr, tpr = roc_points_from_predictions(y_true, predictions, pos_label=pos_label)
        return cls.from_points(
            fpr, tpr, name=name, ax=ax, show_points=show_points, plot_chance_level=plot_chance_level, **kwargs
        )
