"""Training: toy `data` sets, `fit` (progress, history, callbacks), predictions, `plot`s."""

from .fit import LOSSES, OPTIMIZERS, History, accuracy, decision_threshold, evaluate, fit, predict, scores

__all__ = [
    "LOSSES",
    "OPTIMIZERS",
    "History",
    "accuracy",
    "decision_threshold",
    "evaluate",
    "fit",
    "predict",
    "scores",
]
