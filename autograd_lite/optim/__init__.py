"""Optimizers (`SGD`, `Adam`) and learning-rate schedules (`StepLR`, `LinearLR`), as in `torch.optim`."""

from .optimizers import SGD, Adam, LinearLR, LRScheduler, Optimizer, StepLR

__all__ = ["SGD", "Adam", "LRScheduler", "LinearLR", "Optimizer", "StepLR"]
