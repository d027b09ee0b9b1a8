"""Neural networks from scalar nodes: modules (`Neuron`, `Layer`, `MLP`), `losses`, JSON
`checkpoint`s, the `torch_bridge` and `diagnostics` (gradient norms, Jacobians)."""

from .modules import ACTIVATIONS, DISTRIBUTIONS, INITS, MLP, Layer, Module, Neuron, init_std

__all__ = ["ACTIVATIONS", "DISTRIBUTIONS", "INITS", "MLP", "Layer", "Module", "Neuron", "init_std"]
