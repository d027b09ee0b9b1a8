"""autograd_lite: a scalar reverse-mode automatic differentiation engine, written to be read.

Every number is a `Value`; every operation records itself into a graph; `backward()` applies
the chain rule from the output back to every input. See README.md for a tour.
"""

from . import functional
from .backprop import RemovableHandle, grad, topological_order, zero_grad
from .engine import Value, apply, detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, GradcheckResult, gradcheck, gradgradcheck
from .nn import MLP
from .optim import SGD, Adam
from .rules import RULES, Rule
from .stepper import Stepper
from .viz import draw_graph

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "GradcheckError",
    "GradcheckResult",
    "RULES",
    "RemovableHandle",
    "Rule",
    "Stepper",
    "Value",
    "apply",
    "detect_anomaly",
    "draw_graph",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
    "zero_grad",
]
