"""Plot of an estimated quantile treatment effect with its uniform band."""

import numpy as np
from sklearn.utils.validation import check_is_fitted


class DistributionalRDDDisplay:
    """Quantile treatment effect at the cutoff with its uniform confidence band.

    Build it with :meth:`from_estimator` from a fitted
    :class:`DistributionalRDD`, or directly from arrays; then :meth:`plot`.
    All parameters are stored as attributes.

    Parameters
    ----------
    quantiles : ndarray of shape (n_quantiles,)
        Quantile levels (x axis).
    effect : ndarray of shape (n_quantiles,)
        Estimated effect at each level.
    band_lower, band_upper : ndarray of shape (n_quantiles,) or None, default=None
        Uniform confidence band; not drawn when ``None``.
    level : float or None, default=None
        Confidence level of the band, used in the legend.
    name : str or None, default=None
        Label of the effect curve.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The effect curve.
    band_ : matplotlib PolyCollection or None
        The shaded band.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    See Also
    --------
    DistributionalRDD : The estimator whose output is drawn.

    References
    ----------
    .. [1] D. Van Dijcke, "Regression Discontinuity Design with
       Distribution-Valued Outcomes", arXiv:2504.03992, 2025.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skpapers.causal import DistributionalRDD, DistributionalRDDDisplay
    >>> from skpapers.datasets import make_distributional_rd
    >>> X, y, _ = make_distributional_rd(n_units=300, random_state=0)
    >>> rdd = DistributionalRDD(quantiles=[0.1, 0.3, 0.5, 0.7, 0.9], random_state=0).fit(X, y)
    >>> display = DistributionalRDDDisplay.from_estimator(rdd)
    >>> display.ax_.get_xlabel()
    'quantile level q'
    """

    def __init__(self, *, quantiles, effect, band_lower=None, band_upper=None, level=None, name=None):
        self.quantiles = quantiles
        self.effect = effect
        self.band_lower = band_lower
        self.band_upper = band_upper
        self.level = level
        self.name = name

    def plot(self, ax=None, *, name=None, band_kwargs=None, **kwargs):
        """Draw the effect curve, its band and the zero line.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when ``None``.
        name : str or None, default=None
            Label of the curve; overrides the one given at construction.
        band_kwargs : dict or None, default=None
            Keyword arguments of ``ax.fill_between`` for the band.
        **kwargs : dict
            Keyword arguments of ``ax.plot`` for the effect curve.

        Returns
        -------
        display : DistributionalRDDDisplay
            Object that stores the drawn artists.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        name = self.name if name is None else name
        line_kwargs = {"color": "C0", "label": name or "estimated effect", **kwargs}
        (self.line_,) = ax.plot(self.quantiles, self.effect, **line_kwargs)
        self.band_ = None
        if self.band_lower is not None and self.band_upper is not None:
            label = "uniform band" if self.level is None else f"{100 * self.level:g}% uniform band"
            fill = {"color": line_kwargs["color"], "alpha": 0.25, "label": label, **(band_kwargs or {})}
            self.band_ = ax.fill_between(self.quantiles, self.band_lower, self.band_upper, **fill)
        ax.axhline(0.0, color="0.4", linewidth=0.8, linestyle="--")
        ax.set_xlabel("quantile level q")
        ax.set_ylabel("quantile treatment effect")
        ax.legend(loc="best")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, band_kwargs=None, **kwargs):
        """Draw the effect and band of a fitted :class:`DistributionalRDD`.

        Parameters
        ----------
        estimator : DistributionalRDD
            Fitted estimator.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when ``None``.
        name : str or None, default=None
            Label of the curve.
        band_kwargs : dict or None, default=None
            Keyword arguments of ``ax.fill_between`` for the band.
        **kwargs : dict
            Keyword arguments of ``ax.plot`` for the effect curve.

        Returns
        -------
        display : DistributionalRDDDisplay
            Object that stores the drawn artists.
        """
        check_is_fitted(estimator, "effect_")
        display = cls(
            quantiles=np.asarray(estimator.quantiles_),
            effect=np.asarray(estimator.effect_),
            band_lower=estimator.band_lower_,
            band_upper=estimator.band_upper_,
            level=1.0 - estimator.alpha,
            name=name,
        )
        return display.plot(ax=ax, band_kwargs=band_kwargs, **kwargs)
