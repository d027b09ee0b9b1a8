"""Looking inside a network's derivatives: per-layer gradient norms and the three Jacobians.

Lecture item 11, docs/lectures.md (vanishing and exploding gradients): backprop multiplies the signal δ by one
Jacobian per layer, δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ f′(zˡ), so its size shrinks or grows geometrically with
depth. `grad_norms` shows it after a backward pass: ‖∂L/∂θ‖₂ over each layer's weights and biases.

Lecture item 13 (docs/lectures.md) (Jacobians):

- the *single-layer* Jacobian ∂a/∂x = diag(f′(Wx + b))·W of a = f(Wx + b): `layer_jacobian`;
- the *input-output* Jacobian ∂ŷ/∂x, the product of the layer Jacobians along the forward pass
  (used for "Deep Dream"-style optimisation of the input): `input_output_jacobian`, `layer_jacobians`;
- the *parameter* Jacobian ∂ŷ/∂θ (what training uses): `parameter_jacobian`.

Matrices are lists of rows: J[i][j] = ∂(output i)/∂(input j).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..engine.backprop import grad as _engine_grad
from ..engine.checks import fail, numbers
from ..engine.value import Value, enable_grad, no_grad
from .activations import ACTIVATIONS

__all__ = [
    "grad_norms",
    "layer_jacobian",
    "layer_jacobians",
    "input_output_jacobian",
    "parameter_jacobian",
]

Matrix = list[list[float]]


def grad_norms(model: Any) -> list[float]:
    """‖∂L/∂θ‖₂ = sqrt(Σ g²) over each layer's weights and biases, first layer first.

    Call after ``loss.backward()``. Norms that fall (or grow) by a roughly constant factor per layer
    towards the input are vanishing (or exploding) gradients (lecture item 11, docs/lectures.md).
    """
    return [
        math.sqrt(math.fsum(_grad_of(p) ** 2 for p in layer.parameters()))
        for layer in _layers(model, "grad_norms")
    ]


def layer_jacobian(layer: Any, x: Sequence[float | Value]) -> Matrix:
    """∂a/∂x = diag(f′(z))·W for a dense layer a = f(z), z = Wx + b (lecture item 13, docs/lectures.md).

    Row j is f′(z_j)·(w_j1, ..., w_jn). f′ comes from the activation's rule in the rule table (the
    same local derivative backprop uses); a linear layer has f′ = 1 and its Jacobian is W.
    """
    xs = _numbers(x, "layer_jacobian")
    rows = []
    for neuron in _neurons(layer):
        if len(neuron.w) != len(xs):
            raise ValueError(f"layer_jacobian: the layer expects {len(neuron.w)} inputs, got {len(xs)}")
        z = math.fsum([w.data * xi for w, xi in zip(neuron.w, xs, strict=True)] + [neuron.b.data])
        slope = _activation_slope(neuron.activation, z)
        rows.append([slope * w.data for w in neuron.w])
    return rows


def layer_jacobians(model: Any, x: Sequence[float | Value]) -> list[Matrix]:
    """The single-layer Jacobians along the forward pass at x, first layer first.

    Their product (last times ... times first) is the input-output Jacobian: the chain rule, one
    matrix per layer, which is why gradients shrink or grow geometrically with depth.
    """
    a = _numbers(x, "layer_jacobians")
    jacobians = []
    for layer in _layers(model, "layer_jacobians"):
        jacobians.append(layer_jacobian(layer, a))
        with no_grad():
            a = [v.data for v in layer(a)]
    return jacobians


def input_output_jacobian(model: Any, x: Sequence[float | Value]) -> Matrix:
    """∂ŷ/∂x: one row per output of ``model``, one column per input (lecture item 13, docs/lectures.md).

    Computed by backprop, one backward pass per output, from fresh input nodes at x.
    """
    inputs = [Value(v, f"x{k}") for k, v in enumerate(_numbers(x, "input_output_jacobian"))]
    with enable_grad():
        outputs = _as_list(model(inputs))
    return [_row(out, inputs) for out in outputs]


def parameter_jacobian(model: Any, x: Sequence[float | Value]) -> Matrix:
    """∂ŷ/∂θ: one row per output, one column per parameter in ``model.parameters()`` order.

    Training uses its product with ∂L/∂ŷ; `.grad` is not touched.
    """
    params = list(model.parameters())
    with enable_grad():
        outputs = _as_list(model(_numbers(x, "parameter_jacobian")))
    return [_row(out, params) for out in outputs]


# --- helpers ---------------------------------------------------------------------------------------


def _activation_slope(activation: str, z: float) -> float:
    """f′(z) from the rule table, through the activation's one declaration (`activations.py`)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"layer_jacobian: unknown activation {activation!r}")
    return ACTIVATIONS[activation].slope(z)


def _row(out: Value | float, inputs: list[Value]) -> list[float]:
    if not isinstance(out, Value):
        return [0.0] * len(inputs)
    return [float(g) for g in _engine_grad(out, inputs)]


def _grad_of(p: Value) -> float:
    g = p.grad
    return float(g.data if isinstance(g, Value) else g)


def _as_list(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _layers(model: Any, op: str) -> list[Any]:
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list) or not layers:
        raise TypeError(f"{op}: expected a model with a list of .layers (an MLP), got {type(model).__name__}")
    return layers


def _neurons(layer: Any) -> list[Any]:
    neurons = getattr(layer, "neurons", None)
    if not isinstance(neurons, list) or not neurons:
        raise TypeError(f"layer_jacobian: expected a Layer with .neurons, got {type(layer).__name__}")
    return neurons


def _numbers(x: Sequence[float | Value], op: str) -> list[float]:
    if isinstance(x, (str, bytes, Value)) or not isinstance(x, Sequence):
        fail(op, "x", "a list of numbers or Values", x, TypeError)
    return numbers(op, "x", [v.data if isinstance(v, Value) else v for v in x], empty=True)
