"""Optimizers (SGD, Adam, AdamW) and learning-rate schedules (StepLR, LinearLR), as in `torch.optim`."""

from .optimizers import SGD, Adam, AdamW, LinearLR, LRScheduler, Optimizer, StepLR

__all__ = ["SGD", "Adam", "AdamW", "LRScheduler", "LinearLR", "Optimizer", "StepLR"]
