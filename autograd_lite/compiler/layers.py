"""Layers found in a tape: neurons that see the same inputs, for the NumPy replay's matrix products.

A `Neuron` computes z = Σ_k w_k·x_k + b as ONE `sum` node over the products w_k·x_k and the bias
(`nn/modules.py`). On a tape that is: a `sum` node whose operands are `mul` nodes, each of a
parameter w and a per-sample node x, then one parameter b. Neurons whose products read the same
per-sample nodes x_1..x_m, in the same order, form a layer: stacked, their pre-activations are one
matrix product Z = W·X + b over the batch (X of shape (m, batch), W of shape (n, m)). When every
neuron's sum feeds exactly one activation node, all of the same rule, the activation is one call
on Z too.

A node belongs to a layer only when nothing else reads it: each product is read by its sum alone,
each weight and bias by its product or sum alone (a weight shared with another node would need
that node's gradient added), and the x's differ from sample to sample. Anything else -- a product
of two inputs, a sum without a bias, a constant weight, a weight used twice -- stays per node.
"""

from __future__ import annotations

from dataclasses import dataclass

from .trace import INPUT, OP, PARAM, Tape

__all__ = ["Layer", "find_layers"]


@dataclass(frozen=True)
class Layer:
    """n neurons on the same m inputs: z_j = Σ_i W[j][i]·x_i + b_j, then optionally a_j = f(z_j)."""

    inputs: tuple[int, ...]  # tape positions of x_1..x_m
    weights: tuple[tuple[int, ...], ...]  # tape positions of W[j][i]
    biases: tuple[int, ...]  # tape positions of b_j
    products: tuple[int, ...]  # every w·x node of the layer
    sums: tuple[int, ...]  # z_j
    activations: tuple[int, ...]  # a_j, or () when the activation stays per node (or is linear)

    @property
    def outputs(self) -> tuple[int, ...]:
        """The nodes the rest of the graph reads: the activations, or the sums without them."""
        return self.activations or self.sums

    @property
    def nodes(self) -> set[int]:
        """Every operation the layer replaces."""
        return {*self.products, *self.sums, *self.activations}


def _consumers(tape: Tape) -> list[list[int]]:
    readers: list[list[int]] = [[] for _ in tape.nodes]
    for k, node in enumerate(tape.nodes):
        for i in node.operands:
            readers[i].append(k)
    return readers


def find_layers(tape: Tape, per_sample: list[bool]) -> list[Layer]:
    """The layers of `tape` (see the module docstring), in the order of their first sum.

    `per_sample[k]` says whether node k depends on the inputs (differs from sample to sample).
    """
    readers = _consumers(tape)
    ends = {tape.output, *tape.aux}
    nodes = tape.nodes

    def only_reader(k: int, reader: int) -> bool:
        return readers[k] == [reader] and k not in ends

    groups: dict[tuple[int, ...], list[tuple[int, tuple[int, ...], int]]] = {}
    for k, node in enumerate(nodes):
        if node.kind != OP or node.rule is None or node.rule.name != "sum" or len(node.operands) < 2:
            continue
        *terms, bias = node.operands
        if nodes[bias].kind != PARAM or not only_reader(bias, k) or len(set(node.operands)) != len(terms) + 1:
            continue
        xs: list[int] = []
        ws: list[int] = []
        for t in terms:
            term = nodes[t]
            if term.kind != OP or term.rule is None or term.rule.name != "mul" or not only_reader(t, k):
                break
            a, b = term.operands
            w, x = (a, b) if nodes[a].kind == PARAM else (b, a)
            if nodes[w].kind != PARAM or not per_sample[x] or nodes[x].kind not in (INPUT, OP):
                break
            if not only_reader(w, t) or w == x:
                break
            xs.append(x)
            ws.append(w)
        else:
            groups.setdefault(tuple(xs), []).append((k, tuple(ws), bias))
    layers = []
    for inputs, neurons in groups.items():
        sums = tuple(k for k, _, _ in neurons)
        acts: tuple[int, ...] = ()
        first = [readers[z] for z in sums]
        if all(len(r) == 1 and z not in ends for r, z in zip(first, sums)):
            candidates = [nodes[r[0]] for r in first]
            rule = candidates[0].rule
            if all(c.kind == OP and c.rule is rule and len(c.operands) == 1 for c in candidates):
                acts = tuple(r[0] for r in first)
        products = tuple(t for k in sums for t in nodes[k].operands[:-1])
        layers.append(
            Layer(
                inputs,
                tuple(ws for _, ws, _ in neurons),
                tuple(b for _, _, b in neurons),
                products,
                sums,
                acts,
            )
        )
    return layers
