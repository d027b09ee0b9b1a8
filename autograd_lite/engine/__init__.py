"""The core engine: the rule table, the `Value` node, backprop and its modes. Pure Python.

Layers below everything else in the package; it imports nothing from the rest of it.

- `rules`    the table of differentiation rules (one `Rule` per primitive)
- `value`    `Value`, how operations record the graph; grad and anomaly modes
- `backprop` the topological sort, the chain rule, `grad()`, hooks
"""

from .backprop import RemovableHandle, grad, topological_order, zero_grad
from .rules import RULES, Rule
from .value import Value, apply, detect_anomaly, enable_grad, is_grad_enabled, no_grad

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
