"""The core engine: the rule table, the `Value` node, backprop and its modes. Pure Python.

Layers below everything else in the package; it imports nothing from the rest of it. Inside,
the dependencies point one way: value -> backprop -> hooks, modes (and rules).

- `rules`    the table of differentiation rules (one `Rule` per primitive)
- `modes`    grad mode and anomaly mode, per thread (`no_grad`, `set_grad_enabled`, ...)
- `hooks`    gradient hooks, kept on their node; `RemovableHandle`
- `backprop` the topological sort, the chain rule as `steps(root)`, `grad()`
- `value`    `Value`, how operations record the graph
"""

from .backprop import Edge, Step, grad, steps, topological_order, zero_grad
from .hooks import RemovableHandle
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .rules import RULES, Rule
from .value import Value, apply

__all__ = [
    "RULES",
    "Edge",
    "RemovableHandle",
    "Rule",
    "Step",
    "Value",
    "apply",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
    "steps",
    "topological_order",
    "zero_grad",
]
