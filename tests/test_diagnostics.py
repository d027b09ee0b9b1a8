"""diagnostics: per-layer gradient norms and the three Jacobians, against PyTorch float64.

The torch side is written here from the flat parameter vector (independent of torch_bridge), in
`named_parameters()` order: per neuron its weights, then its bias.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import torch

from autograd_lite import Value
from autograd_lite.nn import MLP
from autograd_lite.nn.diagnostics import (
    grad_norms,
    input_output_jacobian,
    layer_jacobian,
    layer_jacobians,
    parameter_jacobian,
)

ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda z: z}


def tensor(x: Any) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64)


def theta_of(model: MLP) -> torch.Tensor:
    return tensor([p.data for p in model.parameters()])


def torch_forward(model: MLP, x: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """The model's forward pass in torch: a = f(W a + b) per layer, W and b cut out of theta."""
    a, k = x, 0
    for layer in model.layers:
        size = layer.nout * (layer.nin + 1)
        block = theta[k : k + size].reshape(layer.nout, layer.nin + 1)  # row j: w_j1..w_jn, b_j
        a = ACTIVATIONS[layer.activation](block[:, :-1] @ a + block[:, -1])
        k += size
    return a


def make_model(nin: int, nouts: list[int], activation: str, seed: int = 0) -> MLP:
    model = MLP(nin, nouts, activation=activation, seed=seed)
    rng = random.Random(seed + 100)
    for name, p in model.named_parameters():
        if name.endswith(".b"):
            p.data = rng.uniform(-0.3, 0.3)
    return model


X = [0.7, -1.2, 0.4]


# --- gradient norms -------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_grad_norms_match_torch_per_layer(activation: str) -> None:
    model = make_model(3, [4, 4, 4, 2], activation)
    points = [(X, [0.5, -0.5]), ([-0.3, 0.9, 1.5], [1.0, 0.0])]
    loss = Value.sum([(o - t) ** 2 for x, y in points for o, t in zip(model(x), y)])  # type: ignore[arg-type]
    loss.backward()
    theta = theta_of(model).requires_grad_()
    torch_loss = sum(((torch_forward(model, tensor(x), theta) - tensor(y)) ** 2).sum() for x, y in points)
    (g,) = torch.autograd.grad(torch_loss, theta)
    want, k = [], 0
    for layer in model.layers:
        size = layer.nout * (layer.nin + 1)
        want.append(g[k : k + size].norm().item())
        k += size
    assert grad_norms(model) == pytest.approx(want, rel=1e-10)


def test_sigmoid_gradients_vanish_towards_the_input() -> None:
    # lecture item 11 (docs/lectures.md): δ is multiplied by W·diag(σ′), σ′ ≤ 1/4, per layer on the way back
    model = MLP(4, [4] * 8 + [1], activation="sigmoid", seed=0)
    loss = (model([0.5, -0.2, 0.8, 0.1]) - 1.0) ** 2  # type: ignore[operator]
    loss.backward()
    norms = grad_norms(model)
    assert len(norms) == 9
    assert norms[0] < 1e-3 * norms[-1]  # measured: about 1e-5 of the last layer's
    assert sum(b < a for a, b in zip(norms[1:], norms[:-1])) >= 7  # shrinking layer after layer


# --- Jacobians --------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_layer_jacobian_is_diag_slope_times_w_and_matches_torch(activation: str) -> None:
    model = MLP(3, [4], output_activation=activation, seed=5)  # one layer with that activation
    for n in model.layers[0].neurons:
        n.b.data = 0.2 * n.w[0].data  # non-zero biases
    got = layer_jacobian(model.layers[0], X)
    want = torch.autograd.functional.jacobian(lambda x: torch_forward(model, x, theta_of(model)), tensor(X))
    assert torch.allclose(tensor(got), want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_layer_jacobian_equals_input_output_jacobian_of_a_one_layer_model(activation: str) -> None:
    model = MLP(3, [5], output_activation=activation, seed=2)
    got = layer_jacobian(model.layers[0], X)
    assert torch.allclose(tensor(got), tensor(input_output_jacobian(model, X)), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_input_output_jacobian_matches_torch_and_the_chain_of_layer_jacobians(activation: str) -> None:
    model = make_model(3, [4, 5, 2], activation, seed=4)
    got = tensor(input_output_jacobian(model, X))
    want = torch.autograd.functional.jacobian(lambda x: torch_forward(model, x, theta_of(model)), tensor(X))
    assert got.shape == (2, 3)
    assert torch.allclose(got, want, rtol=1e-12, atol=1e-14)
    product = torch.eye(3, dtype=torch.float64)
    for j in layer_jacobians(model, X):  # ∂ŷ/∂x = J_L ··· J_2 J_1
        product = tensor(j) @ product
    assert torch.allclose(product, want, rtol=1e-12, atol=1e-14)


def test_input_output_jacobian_of_a_single_output_model_is_one_row() -> None:
    model = make_model(3, [4, 1], "tanh", seed=6)
    got = input_output_jacobian(model, [Value(v) for v in X])
    want = torch.autograd.functional.jacobian(lambda x: torch_forward(model, x, theta_of(model)), tensor(X))
    assert len(got) == 1 and torch.allclose(tensor(got), want, rtol=1e-12, atol=1e-14)


def test_parameter_jacobian_matches_torch() -> None:
    model = make_model(3, [4, 2], "tanh", seed=8)
    got = parameter_jacobian(model, X)
    want = torch.autograd.functional.jacobian(
        lambda theta: torch_forward(model, tensor(X), theta), theta_of(model)
    )
    assert len(got) == 2 and len(got[0]) == model.num_parameters() == 26
    assert torch.allclose(tensor(got), want, rtol=1e-12, atol=1e-14)
    assert all(p.grad == 0.0 for p in model.parameters())  # .grad untouched


# --- bad input --------------------------------------------------------------------------------------


def test_bad_input_is_rejected_with_the_operation_named() -> None:
    model = MLP(3, [2])
    with pytest.raises(TypeError, match="grad_norms: expected a model with a list of .layers"):
        grad_norms(model.layers[0])
    with pytest.raises(ValueError, match="layer_jacobian: the layer expects 3 inputs, got 2"):
        layer_jacobian(model.layers[0], [1.0, 2.0])
    with pytest.raises(TypeError, match=r"input_output_jacobian: x\[1\] must be a finite number, got 'a'"):
        input_output_jacobian(model, [1.0, "a", 2.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="layer_jacobian: expected a Layer with .neurons, got MLP"):
        layer_jacobian(model, X)
