"""to_torch / from_torch: the same weights give the same predictions and gradients in float64."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
import torch

from autograd_lite import Value
from autograd_lite.nn import MLP
from autograd_lite.nn.torch_bridge import from_torch, to_torch

ARCHITECTURES = [
    (3, [4, 5, 2], "relu", "linear"),
    (2, [6, 1], "tanh", "linear"),
    (4, [3, 3, 3], "sigmoid", "linear"),
    (3, [2], "relu", "sigmoid"),  # no hidden layer
    (2, [3, 2], "tanh", "tanh"),
]


def random_inputs(nin: int, count: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-2.0, 2.0) for _ in range(nin)] for _ in range(count)]


def make_model(nin: int, nouts: list[int], activation: str, output_activation: str) -> MLP:
    model = MLP(nin, nouts, activation=activation, output_activation=output_activation, seed=7)
    rng = random.Random(11)
    for name, p in model.named_parameters():  # non-zero biases, so they are checked too
        if name.endswith(".b"):
            p.data = rng.uniform(-0.5, 0.5)
    return model


def engine_outputs(model: MLP, x: list[float]) -> list[Value]:
    out = model(x)
    return out if isinstance(out, list) else [out]


@pytest.mark.parametrize("arch", ARCHITECTURES, ids=lambda a: f"{a[0]}-{a[1]}-{a[2]}-{a[3]}")
def test_predictions_and_parameter_gradients_agree(arch: tuple[int, list[int], str, str]) -> None:
    model = make_model(*arch)
    net = to_torch(model)
    xs = random_inputs(arch[0], 5, seed=1)
    for x in xs:  # predictions
        want = net(torch.tensor(x, dtype=torch.float64))
        got = [o.data for o in engine_outputs(model, x)]
        assert got == pytest.approx(want.tolist(), rel=1e-12, abs=1e-12)
    # gradients of a squared error summed over the batch, in both engines
    targets = random_inputs(arch[1][-1], 5, seed=2)
    loss = Value.sum([(o - t) ** 2 for x, y in zip(xs, targets) for o, t in zip(engine_outputs(model, x), y)])
    loss.backward()
    torch_loss = (
        (net(torch.tensor(xs, dtype=torch.float64)) - torch.tensor(targets, dtype=torch.float64)) ** 2
    ).sum()
    torch_loss.backward()
    assert loss.data == pytest.approx(torch_loss.item(), rel=1e-12)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for layer, linear in zip(model.layers, linears, strict=True):
        for j, neuron in enumerate(layer.neurons):
            assert [w.grad for w in neuron.w] == pytest.approx(
                linear.weight.grad[j].tolist(), rel=1e-9, abs=1e-12
            )
            assert neuron.b.grad == pytest.approx(linear.bias.grad[j].item(), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("arch", ARCHITECTURES, ids=lambda a: f"{a[0]}-{a[1]}-{a[2]}-{a[3]}")
def test_round_trip_gives_identical_parameters(arch: tuple[int, list[int], str, str]) -> None:
    model = make_model(*arch)
    back = from_torch(to_torch(model))
    assert [(n, p.data) for n, p in back.named_parameters()] == [
        (n, p.data) for n, p in model.named_parameters()
    ]
    assert [layer.activation for layer in back.layers] == [layer.activation for layer in model.layers]
    assert repr(back) == repr(model)


def test_to_torch_structure_and_dtype() -> None:
    net = to_torch(MLP(3, [4, 2], activation="tanh"), dtype=torch.float32)
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear"]
    assert net[0].weight.dtype == torch.float32 and tuple(net[0].weight.shape) == (4, 3)
    assert to_torch(MLP(1, [1]))[0].weight.dtype == torch.float64
    with pytest.raises(TypeError, match="to_torch: dtype must be a floating-point torch dtype"):
        to_torch(MLP(1, [1]), dtype=torch.int64)
    with pytest.raises(TypeError, match="to_torch: expected an MLP"):
        to_torch("model")  # type: ignore[arg-type]


def test_the_torch_copy_is_independent() -> None:
    model = MLP(2, [2])
    net = to_torch(model)
    with torch.no_grad():
        net[0].weight.fill_(5.0)
    assert all(p.data != 5.0 for p in model.parameters())


def test_from_torch_reads_a_torch_built_network() -> None:
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 4), torch.nn.ReLU(),
        torch.nn.Linear(4, 1), torch.nn.Identity(),
    )  # fmt: skip
    model = from_torch(net)
    assert repr(model) == "MLP(3 -> 5 relu -> 4 relu -> 1 linear, 49 parameters)"
    for x in random_inputs(3, 4, seed=3):
        want = net(torch.tensor(x)).item()  # float32 network: agreement to float32 rounding
        assert model(x).data == pytest.approx(want, rel=1e-5, abs=1e-6)  # type: ignore[union-attr]
    no_bias = from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2, bias=False)))
    assert [n.b.data for n in no_bias.layers[0].neurons] == [0.0, 0.0]


@pytest.mark.parametrize(
    ("modules", "match"),
    [
        (lambda: [torch.nn.Linear(2, 3), torch.nn.Dropout(0.1)], r"module 1 \(Dropout\) is not supported"),
        (
            lambda: [torch.nn.ReLU(), torch.nn.Linear(2, 3)],
            r"module 0 \(ReLU\) must directly follow a Linear",
        ),
        (
            lambda: [torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Tanh()],
            r"module 2 \(Tanh\) must directly",
        ),
        (
            lambda: [torch.nn.Linear(2, 3), torch.nn.Linear(4, 1)],
            r"module 1 \(Linear\) takes 4 inputs.*gives 3",
        ),
        (
            lambda: [
                torch.nn.Linear(2, 3),
                torch.nn.ReLU(),
                torch.nn.Linear(3, 3),
                torch.nn.Tanh(),
                torch.nn.Linear(3, 1),
            ],
            r"one activation for all hidden layers, got \['relu', 'tanh'\]",
        ),
        (lambda: [], "has no Linear layer"),
    ],
)
def test_from_torch_rejects_what_an_mlp_cannot_be(modules: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        from_torch(torch.nn.Sequential(*modules()))  # type: ignore[operator]


def test_from_torch_rejects_non_finite_weights_and_other_types() -> None:
    linear = torch.nn.Linear(2, 2)
    with torch.no_grad():
        linear.weight[0, 0] = float("nan")
    with pytest.raises(ValueError, match=r"module 0 \(Linear\) has a non-finite weight"):
        from_torch(torch.nn.Sequential(linear))
    with pytest.raises(TypeError, match="from_torch: expected a torch.nn.Sequential, got Linear"):
        from_torch(linear)


def test_missing_torch_gives_a_clear_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(ImportError, match=r"to_torch: PyTorch is not installed.*autograd_lite\[torch\]"):
        to_torch(MLP(1, [1]))


def test_one_door_the_model_does_not_know_the_bridge() -> None:
    """to_torch(model) / from_torch(net) are the only way: the model module never imports the adapter."""
    import autograd_lite.nn.modules as modules

    assert not hasattr(MLP, "to_torch") and not hasattr(MLP, "from_torch")
    assert "torch_bridge" not in Path(modules.__file__).read_text(encoding="utf-8")
