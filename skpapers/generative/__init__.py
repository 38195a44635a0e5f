"""Diffusion and flow generative models: one schedule/score-model/solver core."""

from ._categorical_sequence import CategoricalSequenceGenerator
from ._gaussian_teleport import gaussian_pf_ode_solution, score_explained_variance
from ._feynman_kac import FeynmanKacCorrector
from ._generator import DiffusionGenerator
from ._minority_guidance import MinorityGuidedGenerator, minority_score
from ._multiplicative import MultiplicativeDiffusionGenerator
from ._rectified_flow import RectifiedFlowGenerator, logit_normal_timesteps, shift_timesteps
from ._schedules import RectifiedSchedule, VarianceExplodingSchedule, VariancePreservingSchedule
from ._score_models import GaussianMixtureScoreModel, GaussianScoreModel, KernelScoreModel, RegressorScoreModel

__all__ = [
    "CategoricalSequenceGenerator",
    "DiffusionGenerator",
    "FeynmanKacCorrector",
    "GaussianMixtureScoreModel",
    "GaussianScoreModel",
    "KernelScoreModel",
    "MinorityGuidedGenerator",
    "MultiplicativeDiffusionGenerator",
    "RectifiedFlowGenerator",
    "RectifiedSchedule",
    "RegressorScoreModel",
    "VarianceExplodingSchedule",
    "VariancePreservingSchedule",
    "gaussian_pf_ode_solution",
    "logit_normal_timesteps",
    "minority_score",
    "score_explained_variance",
    "shift_timesteps",
]
