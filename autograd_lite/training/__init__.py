"""Training: toy `data` sets, `fit` (progress, history, callbacks), predictions, the `recipe`, `plot`s."""

from .fit import LOSSES, OPTIMIZERS, History, accuracy, decision_threshold, evaluate, fit, predict, scores
from .recipe import TrainConfig, TrainResult, run_training

__all__ = [
    "LOSSES",
    "OPTIMIZERS",
    "History",
    "TrainConfig",
    "TrainResult",
    "accuracy",
    "decision_threshold",
    "evaluate",
    "fit",
    "predict",
    "run_training",
    "scores",
]
