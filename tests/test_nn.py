"""Neuron, Layer, MLP: structure, names, initialisation, forward values and gradients vs PyTorch."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from autograd_lite import Value
from autograd_lite.nn import MLP, Layer, Neuron, init_std

torch = pytest.importorskip("torch")


def torch_forward(model: MLP, x: list[float]):
    """The same network in torch float64, from our weights: returns (output, weight tensors, bias tensors)."""
    weights, biases = [], []
    h = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    inp = h
    for layer in model.layers:
        W = torch.tensor(
            [[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True
        )
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        weights.append(W)
        biases.append(b)
        z = W @ h + b
        h = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda t: t}[
            layer.activation
        ](z)
    return h, weights, biases, inp


# --- structure -----------------------------------------------------------------------------------


def test_parameter_count_matches_the_lecture_formula() -> None:
    # Lecture item 14 (docs/lectures.md): 4·3 + 4 hidden plus 2·4 + 2 output.
    assert MLP(3, [4, 2]).num_parameters() == 26
    assert MLP(2, [16, 16, 1]).num_parameters() == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337
    assert Layer(5, 3).num_parameters() == 18
    assert Neuron(7).num_parameters() == 8


def test_repr_reads_as_the_architecture() -> None:
    assert repr(MLP(2, [16, 16, 1])) == "MLP(2 -> 16 relu -> 16 relu -> 1 linear, 337 parameters)"
    assert repr(MLP(3, [4, 2], activation="tanh", output_activation="sigmoid")) == (
        "MLP(3 -> 4 tanh -> 2 sigmoid, 26 parameters)"
    )
    assert repr(Layer(2, 3, activation="tanh")) == "Layer(2 -> 3 tanh, 9 parameters)"
    assert repr(Neuron(4, activation="sigmoid")) == "Neuron(4 inputs, sigmoid)"


def test_parameter_names_and_labels() -> None:
    model = MLP(3, [4, 2])
    named = model.named_parameters()
    names = [name for name, _ in named]
    assert names[:5] == ["L0.N0.w0", "L0.N0.w1", "L0.N0.w2", "L0.N0.b", "L0.N1.w0"]
    assert names[-1] == "L1.N1.b"
    assert "L1.N0.w3" in names and len(set(names)) == 26
    assert all(p.label == name for name, p in named)
    params = model.parameters()
    assert len(params) == 26 and all(p is q for (_, p), q in zip(named, params, strict=True))
    assert (
        len(model.layers[0].parameters()) == 16 and model.layers[1].neurons[1].parameters()[-1] is params[-1]
    )
    assert model.layers[1].neurons[0].w[3] is dict(named)["L1.N0.w3"]


def test_zero_grad_clears_every_parameter() -> None:
    model = MLP(2, [3, 1])
    out = model([1.0, -2.0])
    assert isinstance(out, Value)
    (out * out).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_neuron_is_one_sum_node_then_the_activation() -> None:
    n = Neuron(3, activation="tanh", rng=random.Random(1))
    out = n([1.0, 2.0, 3.0])
    assert out.op == "tanh"
    (z,) = out.parents
    assert z.op == "sum" and len(z.parents) == 4
    assert [p.op for p in z.parents[:3]] == ["mul"] * 3 and z.parents[3] is n.b
    linear = Neuron(3, activation="linear", rng=random.Random(1))([1.0, 2.0, 3.0])
    assert linear.op == "sum"


def test_outputs_single_value_or_list() -> None:
    assert isinstance(MLP(2, [3, 1])([0.5, 0.5]), Value)
    out = MLP(2, [3, 4])([0.5, 0.5])
    assert isinstance(out, list) and len(out) == 4 and all(isinstance(v, Value) for v in out)
    assert len(Layer(2, 1)([0.5, 0.5])) == 1  # a layer always returns a list


@pytest.mark.parametrize(
    "make, n",
    [(lambda: MLP(2, [3, 1]), 2), (lambda: Layer(4, 2), 4), (lambda: Neuron(3), 3)],
)
def test_wrong_input_length_names_both_lengths(make, n: int) -> None:
    module = make()
    with pytest.raises(ValueError, match=f"expected {n} inputs, got {n + 1}"):
        module([0.0] * (n + 1))


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"activation": "softplus"}, "activation"),
        ({"output_activation": "softmax"}, "output_activation"),
        ({"init": "xavier"}, "init"),
        ({"distribution": "cauchy"}, "distribution"),
        ({"nouts": []}, "nouts"),
        ({"nouts": [3, 0]}, "layer size"),
        ({"nin": 0}, "nin"),
    ],
)
def test_bad_configuration_is_a_clear_error(kwargs: dict, word: str) -> None:
    args = {"nin": 2, "nouts": [3, 1], **kwargs}
    with pytest.raises(ValueError, match=word):
        MLP(**args)


# --- initialisation -------------------------------------------------------------------------------


def weights_of(layer: Layer) -> list[float]:
    return [w.data for n in layer.neurons for w in n.w]


@pytest.mark.parametrize(
    "activation, init, variance",
    [
        ("relu", "auto", 2 / 200),
        ("tanh", "auto", 1 / 200),
        ("relu", "lecun", 1 / 200),
        ("sigmoid", "he", 2 / 200),
    ],
)
@pytest.mark.parametrize("distribution", ["normal", "uniform"])
def test_initial_weights_have_the_lecture_variance(
    activation: str, init: str, variance: float, distribution: str
) -> None:
    layer = Layer(200, 50, activation, init=init, distribution=distribution, rng=random.Random(7))
    w = weights_of(layer)  # 10 000 samples: the sample variance is within ~3% (2 sigma) of the truth
    assert abs(statistics.fmean(w)) < 3 * math.sqrt(variance / len(w))
    assert statistics.pvariance(w) == pytest.approx(variance, rel=0.05)
    assert all(n.b.data == 0.0 for n in layer.neurons)
    if distribution == "uniform":
        limit = math.sqrt(3 * variance)
        assert max(abs(x) for x in w) <= limit
        assert max(abs(x) for x in w) > 0.99 * limit


def test_init_std_formula() -> None:
    assert init_std(8, "relu") == pytest.approx(0.5)  # sqrt(2/8)
    assert init_std(4, "tanh") == pytest.approx(0.5)  # sqrt(1/4)
    assert init_std(4, "relu", "lecun") == pytest.approx(0.5)


def test_seed_makes_initialisation_reproducible() -> None:
    a, b, c = MLP(2, [4, 1], seed=3), MLP(2, [4, 1], seed=3), MLP(2, [4, 1], seed=4)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]


# --- forward and backward vs PyTorch ----------------------------------------------------------------


@pytest.mark.parametrize(
    "activation, output_activation", [("relu", "linear"), ("tanh", "sigmoid"), ("sigmoid", "tanh")]
)
def test_forward_and_gradients_match_torch(activation: str, output_activation: str) -> None:
    model = MLP(3, [5, 4, 2], activation=activation, output_activation=output_activation, seed=11)
    rng = random.Random(5)
    for p in model.parameters():  # non-zero biases, so every parameter matters
        p.data += rng.uniform(-0.3, 0.3)
    x = [Value(0.7), Value(-1.3), Value(2.1)]
    out = model(x)
    assert isinstance(out, list)
    loss = out[0] * 1.5 - out[1] * out[1]
    loss.backward()

    t_out, weights, biases, t_x = torch_forward(model, [v.data for v in x])
    t_loss = t_out[0] * 1.5 - t_out[1] * t_out[1]
    t_loss.backward()
    assert [v.data for v in out] == pytest.approx(t_out.tolist(), rel=1e-12, abs=1e-14)
    assert loss.data == pytest.approx(t_loss.item(), rel=1e-12, abs=1e-14)
    for layer, W, b in zip(model.layers, weights, biases, strict=True):
        for j, n in enumerate(layer.neurons):
            assert [w.grad for w in n.w] == pytest.approx(W.grad[j].tolist(), rel=1e-10, abs=1e-14)
            assert n.b.grad == pytest.approx(b.grad[j].item(), rel=1e-10, abs=1e-14)
    assert [v.grad for v in x] == pytest.approx(t_x.grad.tolist(), rel=1e-10, abs=1e-14)


def test_hand_solution_for_xor_from_the_lecture() -> None:
    # docs/lectures.md item 2: h = relu(Wx + b), W = [[1, 1], [1, 1]], b = [0, -1]; ŷ = w·h, w = [1, -2].
    model = MLP(2, [2, 1])
    hidden, output = model.layers
    for n, bias in zip(hidden.neurons, [0.0, -1.0], strict=True):
        n.w[0].data, n.w[1].data, n.b.data = 1.0, 1.0, bias
    out = output.neurons[0]
    out.w[0].data, out.w[1].data, out.b.data = 1.0, -2.0, 0.0
    results = []
    for x in ([0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]):
        y = model(x)
        assert isinstance(y, Value)
        results.append(y.data)
    assert results == [0.0, 1.0, 1.0, 0.0]


def test_every_activation_is_declared_once_and_agrees_with_torch() -> None:
    """Each ACTIVATIONS entry: the node it makes, its torch.nn class and its slope agree (float64)."""
    from autograd_lite.nn.activations import ACTIVATIONS

    for name, act in ACTIVATIONS.items():
        for z in (-1.3, 0.4):
            x = Value(z)
            out = act(x)
            assert out.op == (act.op or "") and (out is x) == (act.op is None), name
            t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
            y = getattr(torch.nn, act.torch_class)()(t)
            y.backward()
            assert out.data == pytest.approx(y.item(), rel=1e-12), name
            assert act.slope(z) == pytest.approx(t.grad.item(), rel=1e-12), name
    assert {ACTIVATIONS[n].gain for n in ("tanh", "sigmoid", "linear")} == {1.0} and ACTIVATIONS[
        "relu"
    ].gain == 2.0
