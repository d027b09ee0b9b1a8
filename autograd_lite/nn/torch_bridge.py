"""Move an `MLP` to PyTorch and back: `to_torch(model)` and `from_torch(sequential)`.

Each layer of neurons a_j = f(Σ_k w_jk·x_k + b_j) is a `torch.nn.Linear` whose weight row j holds
neuron j's weights (weight[j][k] = w_jk, bias[j] = b_j), followed by its activation module (ReLU,
Tanh or Sigmoid; nothing for a linear layer). The same numbers give the same predictions and the
same gradients, which is how the engine is checked against PyTorch and how a model trained here
can be used there. PyTorch is optional: it is imported only when these functions run.

    >>> from autograd_lite.nn import MLP
    >>> net = to_torch(MLP(3, [4, 2], activation="tanh"))  # doctest: +SKIP
    >>> net                                                 # doctest: +SKIP
    Sequential(
      (0): Linear(in_features=3, out_features=4, bias=True)
      (1): Tanh()
      (2): Linear(in_features=4, out_features=2, bias=True)
    )
"""

from __future__ import annotations

from typing import Any

from ..engine.value import no_grad
from .activations import ACTIVATIONS
from .modules import MLP

__all__ = ["to_torch", "from_torch"]

_FROM_TORCH = {a.torch_class: name for name, a in ACTIVATIONS.items()}  # torch.nn class -> activation


def _import_torch(op: str) -> Any:
    try:
        import torch
    except ImportError as err:
        raise ImportError(
            f"{op}: PyTorch is not installed; it is optional: pip install 'autograd_lite[torch]'"
        ) from err
    return torch


def to_torch(model: MLP, dtype: Any = None) -> Any:
    """A `torch.nn.Sequential` of Linear layers and activation modules with the model's weights.

    ``dtype`` is a torch dtype, default ``torch.float64`` (the precision of Python floats, so the
    two models agree to rounding). The torch model is a copy: training one does not change the other.
    """
    torch = _import_torch("to_torch")
    dtype = torch.float64 if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"to_torch: dtype must be a floating-point torch dtype, got {dtype!r}")
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list) or not layers:
        raise TypeError(f"to_torch: expected an MLP (a model with .layers), got {type(model).__name__}")
    modules = []
    for layer in layers:
        linear = torch.nn.Linear(layer.nin, layer.nout, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=dtype))
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=dtype))
        modules.append(linear)
        if layer.activation != "linear":
            modules.append(getattr(torch.nn, ACTIVATIONS[layer.activation].torch_class)())
    return torch.nn.Sequential(*modules)


def from_torch(sequential: Any) -> MLP:
    """The `MLP` with the weights of a `torch.nn.Sequential` of Linear layers and activations.

    Accepted: ``Linear`` modules, each followed by at most one ``ReLU``, ``Tanh``, ``Sigmoid`` or
    ``Identity``; every hidden layer must use the same activation (as in `MLP`); a Linear without
    bias gets zero biases. Anything else raises ValueError naming the module.
    """
    torch = _import_torch("from_torch")
    if not isinstance(sequential, torch.nn.Sequential):
        raise TypeError(f"from_torch: expected a torch.nn.Sequential, got {type(sequential).__name__}")
    linears, activations = _parse(sequential, torch)
    hidden = set(activations[:-1])
    if len(hidden) > 1:
        raise ValueError(
            f"from_torch: an MLP uses one activation for all hidden layers, got {sorted(hidden)}"
        )
    model = MLP(
        linears[0].in_features,
        [lin.out_features for lin in linears],
        activation=hidden.pop() if hidden else "relu",
        output_activation=activations[-1],
    )
    with no_grad():
        for layer, linear in zip(model.layers, linears, strict=True):
            weight = linear.weight.detach().double().tolist()
            bias = linear.bias.detach().double().tolist() if linear.bias is not None else [0.0] * layer.nout
            for neuron, row, b in zip(layer.neurons, weight, bias, strict=True):
                for w, v in zip(neuron.w, row, strict=True):
                    w.data = v
                neuron.b.data = b
    return model


def _parse(sequential: Any, torch: Any) -> tuple[list[Any], list[str]]:
    """The Linear modules and the activation after each ("linear" when there is none)."""
    linears: list[Any] = []
    activations: list[str] = []
    for index, module in enumerate(sequential):
        kind = type(module).__name__
        if isinstance(module, torch.nn.Linear):
            _check_linear(module, index, linears[-1] if linears else None, torch)
            linears.append(module)
            activations.append("linear")
        elif kind in _FROM_TORCH and type(module) is getattr(torch.nn, kind):
            if index == 0 or not isinstance(sequential[index - 1], torch.nn.Linear):
                raise ValueError(f"from_torch: module {index} ({kind}) must directly follow a Linear layer")
            activations[-1] = _FROM_TORCH[kind]
        else:
            raise ValueError(
                f"from_torch: module {index} ({kind}) is not supported; "
                f"only Linear, {', '.join(_FROM_TORCH)} can become an MLP"
            )
    if not linears:
        raise ValueError("from_torch: the Sequential has no Linear layer")
    return linears, activations


def _check_linear(linear: Any, index: int, previous: Any, torch: Any) -> None:
    if previous is not None and linear.in_features != previous.out_features:
        raise ValueError(
            f"from_torch: module {index} (Linear) takes {linear.in_features} inputs, "
            f"but the previous Linear gives {previous.out_features}"
        )
    for name, p in (("weight", linear.weight), ("bias", linear.bias)):
        if p is not None and not bool(torch.isfinite(p).all()):
            raise ValueError(f"from_torch: module {index} (Linear) has a non-finite {name}")
