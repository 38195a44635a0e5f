"""Diffusion and flow generative models: one schedule/score-model/solver core."""

from ._gaussian_teleport import gaussian_pf_ode_solution, score_explained_variance
from ._generator import DiffusionGenerator
from ._multiplicative import MultiplicativeDiffusionGenerator
from ._schedules import RectifiedSchedule, VarianceExplodingSchedule, VariancePreservingSchedule
from ._score_models import GaussianMixtureScoreModel, GaussianScoreModel, KernelScoreModel, RegressorScoreModel

__all__ = [
    "DiffusionGenerator",
    "GaussianMixtureScoreModel",
    "GaussianScoreModel",
    "KernelScoreModel",
    "MultiplicativeDiffusionGenerator",
    "RectifiedSchedule",
    "RegressorScoreModel",
    "VarianceExplodingSchedule",
    "VariancePreservingSchedule",
    "gaussian_pf_ode_solution",
    "score_explained_variance",
]
