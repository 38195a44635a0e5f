"""Over-sampling with a minority-guided diffusion generator fitted per class.

Um, Lee and Ye (2024), "Don't Play Favorites: Minority Guidance for Diffusion
Models", arXiv:2301.12334.
"""

import numbers

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import validate_data

from ..generative import MinorityGuidedGenerator

__all__ = ["MinorityGuidanceOverSampler"]


class MinorityGuidanceOverSampler(BaseOverSampler):
    """Over-sample each class with a diffusion generator steered to its low-density regions.

    For every class to enlarge, a clone of ``generator`` is fitted on that
    class's rows and ``sample`` draws the missing rows. The guidance steers
    towards the class's own rare regions (high minority score), not towards
    the minority class: the focus on hard, sparse regions is closest in spirit
    to ADASYN. ``guidance_scale=0`` gives a plain diffusion over-sampler.

    Parameters
    ----------
    generator : MinorityGuidedGenerator or None, default=None
        Template generator, cloned per class; ``None`` means
        ``MinorityGuidedGenerator()``. Its ``guidance_scale`` and
        ``target_level`` are overridden by this sampler's.
    guidance_scale : float, default=1.0
        Guidance weight ``w >= 0``.
    target_level : int, default=-1
        Minority level to steer towards (``-1`` the most unique).
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to enlarge and by how much (imbalanced-learn's meaning).
    random_state : int, RandomState or None, default=None
        Seeds each class's generator and its samples.

    Attributes
    ----------
    sampling_strategy_ : dict
        Class -> number of rows generated.
    generators_ : dict
        Class -> fitted generator.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` has string column names.

    See Also
    --------
    OriginalSMOTE : Interpolation between neighbours of the same class.
    imblearn.over_sampling.ADASYN : Over-samples where the class is hard to learn.

    References
    ----------
    .. [1] Um, S., Lee, S. and Ye, J. C. (2024). Don't Play Favorites: Minority
       Guidance for Diffusion Models. arXiv:2301.12334.

    Examples
    --------
    >>> import numpy as np
    >>> from skpapers.generative import MinorityGuidedGenerator
    >>> from skpapers.over_sampling import MinorityGuidanceOverSampler
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(size=(100, 2)), rng.normal(2, 1, size=(20, 2))])
    >>> y = np.array([0] * 100 + [1] * 20)
    >>> sampler = MinorityGuidanceOverSampler(MinorityGuidedGenerator(n_steps=30), random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res)
    array([100, 100])
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "generator": [None, HasMethods(["fit", "sample"])],
        "guidance_scale": [Interval(numbers.Real, 0, None, closed="left")],
        "target_level": [Interval(numbers.Integral, None, None, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(self, generator=None, guidance_scale=1.0, target_level=-1, sampling_strategy="auto",
                 random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.generator = generator
        self.guidance_scale = guidance_scale
        self.target_level = target_level
        self.random_state = random_state

    def _check_X_y(self, X, y, accept_sparse=None):
        # the generator works on dense continuous columns; categorical columns are out of scope
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(self, X=X, y=y, reset=True, accept_sparse=False, dtype=[np.float64, np.float32])
        return X, y, binarize_y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        template = MinorityGuidedGenerator() if self.generator is None else self.generator
        X_parts, y_parts = [X], [y]
        self.generators_ = {}
        for label, n_needed in self.sampling_strategy_.items():
            if n_needed <= 0:
                continue
            rows = X[y == label]
            if rows.shape[0] < 2:
                raise ValueError(
                    f"Class {label!r} has {rows.shape[0]} row(s); the generator needs at least 2 rows per class "
                    f"to over-sample."
                )
            gen = clone(template).set_params(guidance_scale=self.guidance_scale, target_level=self.target_level,
                                             random_state=rng.randint(np.iinfo(np.int32).max))
            gen.fit(rows)
            self.generators_[label] = gen
            X_parts.append(gen.sample(n_needed).astype(X.dtype, copy=False))
            y_parts.append(np.full(n_needed, label, dtype=y.dtype))
        return np.vstack(X_parts), np.concatenate(y_parts)
