"""Where a model's nodes go in a drawing: its parameters, and which neuron made which node.

A model states its structure (`nn.modules`): ``model.layers[i].neurons[j]`` with weights ``w``, a
bias ``b`` and an ``activation`` name, and every neuron's forward pass makes the same nodes: one
product w_k·x_k per weight, one `sum` over the products and the bias, and (unless linear) one node
of the activation's rule (`nn.activations.ACTIVATIONS`) on that sum. So the drawing *looks up* each
node's neuron from the parameters it touches; it never parses labels:

* a parameter belongs to its neuron, and so does every operation with one of its parameters as an
  operand (the products, and the sum, which takes the bias);
* the node of the neuron's activation rule applied to that sum belongs to it too;
* a constant (an unlabelled leaf, like the 2 in ``2 * x``) goes with the first node that uses it.

Everything else (inputs, a loss built on the outputs) belongs to no neuron.
"""

from __future__ import annotations

from typing import Any

from ..engine.value import Value
from ..nn.activations import ACTIVATIONS

__all__ = ["Home", "model_parameters", "neuron_homes"]

Home = tuple[int, int]
"""A neuron's place: (layer index, neuron index), drawn as cluster ``L{i}_N{j}``."""


def model_parameters(model: Any) -> set[Value]:
    """The model's parameters (empty without a model): drawn in the parameter colour."""
    return set(model.parameters()) if model is not None else set()


def _neurons(model: Any) -> list[tuple[Home, Any]]:
    layers = getattr(model, "layers", None) or ([model] if hasattr(model, "neurons") else [])
    return [
        ((i, j), n) for i, layer in enumerate(layers) for j, n in enumerate(getattr(layer, "neurons", []))
    ]


def neuron_homes(order: list[Value], model: Any) -> dict[Value, Home]:
    """Every node of `order` (inputs first) that a neuron of `model` made -> that neuron's `Home`."""
    owner: dict[Value, Home] = {}
    biases: set[Value] = set()
    activation_op: dict[Home, str | None] = {}
    for home, neuron in _neurons(model):
        owner.update((p, home) for p in neuron.parameters())
        biases.add(neuron.b)
        activation_op[home] = ACTIVATIONS[neuron.activation].op
    homes = dict(owner)
    sums: dict[Value, Home] = {}  # each neuron's sum node(s): the operations that take its bias
    for v in order:
        if v.is_leaf:
            continue
        parents = v.parents
        direct = next((owner[p] for p in parents if p in owner), None)
        if direct is not None:
            homes[v] = direct
            if any(p in biases for p in parents):
                sums[v] = direct
        elif len(parents) == 1 and parents[0] in sums and v.op == activation_op[sums[parents[0]]]:
            homes[v] = sums[parents[0]]
    for v in order:
        if v in homes:
            for p in v.parents:
                if p.is_leaf and not p.label and p not in homes:
                    homes[p] = homes[v]
    return homes
