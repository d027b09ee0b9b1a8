"""Neural networks from scalar `Value` nodes: `Neuron`, `Layer` and the multi-layer perceptron `MLP`.

A neuron computes a = f(Σ_k w_k·x_k + b) (lecture item 2, docs/lectures.md); the weighted sum is ONE `sum`
node over the products w_k·x_k and the bias, so graphs stay small and readable. A layer is a list
of neurons that see the same inputs; an MLP is a stack of layers. Hidden layers share one
activation; the output layer is linear unless told otherwise (docs/lectures.md item 5: linear output + squared
error, sigmoid + binary cross-entropy, softmax + cross-entropy).

Weights start with zero mean and variance 2/fan_in for ReLU (He) or 1/fan_in otherwise (LeCun),
drawn from a Gaussian or from the uniform distribution with that variance; biases start at 0
(lecture item 14, docs/lectures.md). The parameter count is Σ (neurons·inputs + biases) (the same item):

    >>> model = MLP(3, [4, 2])
    >>> model.num_parameters()  # 4·3 + 4 hidden plus 2·4 + 2 output
    26
    >>> model
    MLP(3 -> 4 relu -> 2 linear, 26 parameters)
    >>> [name for name, _ in model.named_parameters()][:3]
    ['L0.N0.w0', 'L0.N0.w1', 'L0.N0.w2']

Every parameter's `label` is its name, given once when it is made, so graph drawings and tables
show which weight is which; each neuron and layer knows its `name` ("L0.N3", "L0").
`state_dict()` / `save()` / `MLP.load()` store a model as validated JSON (see `checkpoint.py`).

A model may have at most `MAX_PARAMETERS` parameters (one million: one forward pass already makes
about two million nodes), checked before anything is allocated, so a typo like ``MLP(2, [10**400])``
fails at once; set ``autograd_lite.nn.modules.MAX_PARAMETERS`` to build larger ones.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..engine.checks import choice, fail, positive_int
from ..engine.value import Value
from . import checkpoint
from .activations import ACTIVATIONS

__all__ = ["ACTIVATIONS", "INITS", "DISTRIBUTIONS", "Module", "Neuron", "Layer", "MLP", "init_std"]

Input = Sequence[Value | float]

MAX_PARAMETERS = 1_000_000
"""The largest model `Neuron`, `Layer` and `MLP` build (raise it by assigning to this name)."""

INITS = ("auto", "he", "lecun")
DISTRIBUTIONS = ("normal", "uniform")


def _check_size(op: str, sizes: Sequence[int]) -> None:
    """Refuse a model over `MAX_PARAMETERS` from its layer sizes alone, before allocating anything."""
    count = sum(sizes[i + 1] * (sizes[i] + 1) for i in range(len(sizes) - 1))
    if count > MAX_PARAMETERS:
        shape = " -> ".join(str(n) if n < 10**12 else f"10^{len(str(n)) - 1}" for n in sizes)
        raise ValueError(
            f"{op}: {shape} has {_count_text(count)} parameters, more than the cap of {MAX_PARAMETERS} "
            "(raise autograd_lite.nn.modules.MAX_PARAMETERS to allow it)"
        )


def _count_text(n: int) -> str:
    return str(n) if n < 10**12 else f"about 10^{len(str(n)) - 1}"


def init_std(fan_in: int, activation: str, init: str = "auto") -> float:
    """Standard deviation of the initial weights: sqrt(2/fan_in) (He) or sqrt(1/fan_in) (LeCun).

    "auto" takes the activation's gain from `ACTIVATIONS`: He for ReLU and LeCun otherwise
    (docs/lectures.md item 14: variance 2/J for ReLU, 1/J else).
    """
    choice("init_std", "activation", activation, ACTIVATIONS)
    choice("init_std", "init", init, INITS)
    gain = ACTIVATIONS[activation].gain if init == "auto" else 2.0 if init == "he" else 1.0
    return math.sqrt(gain / fan_in)


class Module:
    """Anything with parameters: lists them, names them, counts them and zeroes their grads."""

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(name, parameter) pairs in a fixed order; names like "L0.N3.w1" in an MLP."""
        return []

    def parameters(self) -> list[Value]:
        """The trainable `Value`s, in the order of `named_parameters()`."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set the grad of THIS module's parameters to 0 (gradients accumulate across backward calls).

        The scopes of the zero_grads: `Module.zero_grad` = its parameters; `Optimizer.zero_grad` =
        the parameters it steps; `Value.zero_grad` = that node and every node it depends on; the free
        function `zero_grad(values)` = exactly the values given.
        """
        for p in self.parameters():
            p.grad = 0.0

    def num_parameters(self) -> int:
        """How many scalars training adjusts: Σ (neurons·inputs + biases) over the layers."""
        return len(self.parameters())


def _scoped(scope: str, name: str) -> str:
    return f"{scope}.{name}" if scope else name


class Neuron(Module):
    """a = f(Σ_k w_k·x_k + b): one `sum` node over the products and the bias, then the activation.

    `init` ("auto", "he", "lecun") sets the weights' variance (2/nin or 1/nin); `distribution` is
    "normal" (Gaussian) or "uniform" (on [-sqrt(3·var), sqrt(3·var)], the same variance). Weights
    are drawn from `rng` (a fresh, unseeded `random.Random()` if None); the bias starts at 0.
    `name` is the neuron's place in its model ("L0.N3"); its parameters are labelled "L0.N3.w0", ...,
    "L0.N3.b" once, here (a neuron on its own: "w0", ..., "b").

    The structure a forward pass builds, which drawings look up (`viz/layout.py`): one product
    node w_k·x_k per weight, one `sum` node over the products and the bias `b`, and, unless the
    activation is linear, one node of rule `ACTIVATIONS[activation].op` on that sum.
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        init: str = "auto",
        distribution: str = "normal",
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        positive_int("Neuron", "nin", nin)
        choice("Neuron", "activation", activation, tuple(ACTIVATIONS))
        choice("Neuron", "distribution", distribution, DISTRIBUTIONS)
        choice("Neuron", "init", init, INITS)
        _check_size("Neuron", [nin, 1])
        rng = rng if rng is not None else random.Random()
        std = init_std(nin, activation, init)
        if distribution == "normal":
            weights = [rng.gauss(0.0, std) for _ in range(nin)]
        else:
            limit = math.sqrt(3.0) * std
            weights = [rng.uniform(-limit, limit) for _ in range(nin)]
        self.name = name
        self.w = [Value(w, _scoped(name, f"w{k}")) for k, w in enumerate(weights)]
        self.b = Value(0.0, _scoped(name, "b"))
        self.activation = activation
        self._act = ACTIVATIONS[activation].method

    def __call__(self, x: Input) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
        return self._forward(x)

    def _forward(self, x: Input) -> Value:
        """The forward pass without the length check (the layer has checked it already)."""
        z = self._preactivation(x)
        act = self._act
        return z if act is None else act(z)

    def _preactivation(self, x: Input) -> Value:
        """z = Σ_k w_k·x_k + b, before the activation."""
        return Value.sum([wi * xi for wi, xi in zip(self.w, x, strict=False)] + [self.b])

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"w{k}", w) for k, w in enumerate(self.w)] + [("b", self.b)]

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)} inputs, {self.activation})"


class Layer(Module):
    """`nout` neurons that all see the same `nin` inputs: ŷ_j = f(Σ_k W_jk·x_k + b_j).

    `name` is the layer's place in its model ("L0"); neuron j is named "L0.Nj" ("Nj" on its own).
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        init: str = "auto",
        distribution: str = "normal",
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        positive_int("Layer", "nin", nin)
        positive_int("Layer", "nout", nout)
        _check_size("Layer", [nin, nout])
        rng = rng if rng is not None else random.Random()
        self.nin, self.nout, self.activation, self.name = nin, nout, activation, name
        self.neurons = [
            Neuron(nin, activation, init, distribution, rng, _scoped(name, f"N{j}")) for j in range(nout)
        ]

    def __call__(self, x: Input) -> list[Value]:
        if len(x) != self.nin:
            raise ValueError(f"Layer: expected {self.nin} inputs, got {len(x)}")
        return [n._forward(x) for n in self.neurons]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"N{j}.{name}", p) for j, n in enumerate(self.neurons) for name, p in n.named_parameters()]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer({self.nin} -> {self.nout} {self.activation}, {self.num_parameters()} parameters)"


class MLP(Module):
    """A multi-layer perceptron: layers of sizes `nouts` on `nin` inputs.

    Hidden layers use `activation`; the last layer uses `output_activation` ("linear" by
    default). Calling the model returns a `Value` when the last layer has one neuron, else a
    list of `Value`s. All initial weights come from one `random.Random(seed)` (seed=None: unseeded).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        init: str = "auto",
        distribution: str = "normal",
        seed: int | None = 0,
    ) -> None:
        positive_int("MLP", "nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            fail("MLP", "nouts", "a non-empty list of layer sizes", nouts)
        for i, n in enumerate(nouts):
            positive_int("MLP", f"layer size nouts[{i}]", n)
        choice("MLP", "activation", activation, tuple(ACTIVATIONS))
        choice("MLP", "output_activation", output_activation, tuple(ACTIVATIONS))
        _check_size("MLP", [nin, *nouts])
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.nin, self.nouts = nin, list(nouts)
        self.activation, self.output_activation = activation, output_activation
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                output_activation if i == last else activation,
                init,
                distribution,
                rng,
                name=f"L{i}",
            )
            for i in range(len(nouts))
        ]

    def __call__(self, x: Input) -> Value | list[Value]:
        if len(x) != self.nin:
            raise ValueError(f"MLP: expected {self.nin} inputs, got {len(x)}")
        first, *rest = self.layers
        out = [n._forward(x) for n in first.neurons]
        for layer in rest:
            out = [n._forward(out) for n in layer.neurons]
        return out[0] if len(out) == 1 else out

    def logits(self, x: Input) -> Value | list[Value]:
        """The output layer's pre-activations z (the model's output is output_activation(z)).

        Losses on logits (binary cross-entropy) read these, so that a sigmoid output's σ(z) is
        never taken apart again: for a linear output layer they are the outputs themselves.
        """
        if len(x) != self.nin:
            raise ValueError(f"MLP: expected {self.nin} inputs, got {len(x)}")
        *hidden, last = self.layers
        out = list(x)
        for layer in hidden:
            out = [n._forward(out) for n in layer.neurons]
        z = [n._preactivation(out) for n in last.neurons]
        return z[0] if len(z) == 1 else z

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"L{i}.{name}", p) for i, layer in enumerate(self.layers) for name, p in layer.named_parameters()
        ]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        parts = [str(self.nin)] + [f"{layer.nout} {layer.activation}" for layer in self.layers]
        return f"MLP({' -> '.join(parts)}, {self.num_parameters()} parameters)"

    # --- saving and loading: the format and its checks live in checkpoint.py --------------------

    def architecture(self) -> dict[str, Any]:
        """What it takes to rebuild this model: nin, nouts, activation, output_activation."""
        return {
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": self.activation,
            "output_activation": self.output_activation,
        }

    def state_dict(self) -> dict[str, Any]:
        """The model as a JSON-able dict: format, version, architecture and every parameter by name."""
        return checkpoint.make_state_dict(self.architecture(), self.named_parameters())

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy parameters from `state`; checks everything first and raises ValueError, changing nothing."""
        names = [name for name, _ in self.named_parameters()]
        values = checkpoint.check_state_dict(state, self.architecture(), names)
        for name, p in self.named_parameters():
            p.data = values[name]

    def save(self, path: str | Path) -> None:
        """Write `state_dict()` to `path` as JSON, atomically: a crash mid-save keeps the old file."""
        checkpoint.write_json(path, self.state_dict())

    @classmethod
    def load(cls, path: str | Path, *, max_bytes: int | None = None) -> MLP:
        """Build the model described in the JSON file at `path` and load its parameters.

        Any problem with the file is a `CheckpointError` (a ValueError) naming the file. Files over
        `checkpoint.MAX_BYTES` (64 MiB) are refused unread unless `max_bytes` allows them.
        """
        return checkpoint.load(path, cls, max_bytes=max_bytes)
