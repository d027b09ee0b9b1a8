"""autograd_lite: a scalar reverse-mode automatic differentiation engine, written to be read.

Every number is a `Value`; every operation records itself into a graph; `backward()` applies
the chain rule from the output back to every input. See README.md for a tour.
"""

from .engine import (
    RemovableHandle,
    Value,
    apply,
    detect_anomaly,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
    topological_order,
    zero_grad,
)
from .rules import RULES, Rule

__version__ = "0.1.0"

__all__ = [
    "RULES",
    "RemovableHandle",
    "Rule",
    "Value",
    "apply",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
    "zero_grad",
]
