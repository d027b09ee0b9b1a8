"""The activation functions a neuron can use, declared once: name → rule, torch class, initial gain.

Lecture item 10 (docs/lectures.md): sigmoid f′ = f(1 − f) ≤ 1/4, tanh f′ = 1 − f², ReLU f′ = 1 for
z > 0 else 0, and "linear" (the identity: no node at all). Every part of the package that needs
to know about activations reads `ACTIVATIONS`: the neurons (`modules.py`), the initialisation
(variance gain/fan_in, lecture item 14: 2/J for ReLU, 1/J otherwise), the CLI's choices, the
PyTorch bridge (the `torch.nn` class) and the drawings (which node a neuron's activation made).
Adding an activation is adding its rule to `engine/rules.py`, a method on `Value` and one entry here.

    >>> from autograd_lite import Value
    >>> relu = ACTIVATIONS["relu"]
    >>> relu(Value(-2.0)).data, relu.op, relu.torch_class, relu.gain
    (0.0, 'relu', 'ReLU', 2.0)
    >>> ACTIVATIONS["sigmoid"].at_zero  # a one-output model's decision threshold
    0.5
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..engine.rules import RULES
from ..engine.value import Value

__all__ = ["ACTIVATIONS", "Activation"]


@dataclass(frozen=True)
class Activation:
    """One activation a = f(z): its name, the `Value` method that applies it (None: identity), the
    name of the rule whose node it makes, the `torch.nn` class with the same function, and the
    gain of its initialisation (weight variance = gain / fan_in)."""

    name: str
    method: Callable[[Value], Value] | None
    op: str | None
    torch_class: str
    gain: float

    def __call__(self, z: Value) -> Value:
        """f(z) as a graph node (z itself for the identity)."""
        return z if self.method is None else self.method(z)

    def slope(self, z: float) -> float:
        """f′(z), read from the rule table (the local derivative backprop uses); 1 for the identity."""
        if self.op is None:
            return 1.0
        rule = RULES[self.op]
        return float(rule.local(z, rule.forward(z))[0])

    @property
    def at_zero(self) -> float:
        """f(0): where a one-output model with this output activation turns from class 0 to 1."""
        return self(Value(0.0)).data


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("relu", Value.relu, "relu", "ReLU", 2.0),
        Activation("tanh", Value.tanh, "tanh", "Tanh", 1.0),
        Activation("sigmoid", Value.sigmoid, "sigmoid", "Sigmoid", 1.0),
        Activation("linear", None, None, "Identity", 1.0),
    )
}
"""Every activation by name; "linear" is the identity (no node)."""
