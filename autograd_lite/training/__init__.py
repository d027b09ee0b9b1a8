"""Training: toy `data` sets, `fit`, its `callbacks` and `History`, `predict`ions, the `recipe`, `plot`s."""

from .callbacks import Callback, History, PrintProgress, ProgressBar, ScheduleEachEpoch
from .fit import OPTIMIZERS, fit
from .predict import accuracy, decision_threshold, evaluate, predict, scores
from .recipe import TrainConfig, TrainResult, run_training

__all__ = [
    "OPTIMIZERS",
    "Callback",
    "History",
    "PrintProgress",
    "ProgressBar",
    "ScheduleEachEpoch",
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
