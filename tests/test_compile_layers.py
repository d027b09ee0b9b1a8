"""The NumPy replay's layers: neurons on the same inputs written as matrix products (compiler/layers.py).

Oracles: the engine (`grad` on freshly built graphs, which tests/test_engine.py checks against PyTorch
float64) and the per-node NumPy program of the same tape (``write(tape, layers=False)``), at new
numbers. Graphs that nearly match the pattern must not be fused, and still give the engine's numbers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from autograd_lite import MLP, Value, compile, grad
from autograd_lite.compiler import Compiled
from autograd_lite.compiler.codegen import write
from autograd_lite.nn import losses
from autograd_lite.nn.modules import Layer, Neuron

pytest.importorskip("numpy")


def close(a: float, b: float, tol: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def engine_batch(
    fn: Callable[..., Any], rows: Sequence[Sequence[float]], params: Sequence[Value], seed: float
) -> tuple[list[float], list[float]]:
    """Each row's output and Σ_rows seed · d output / d param, by the engine."""
    values, per_row = [], []
    for row in rows:
        out = fn(*[Value(x) for x in row])
        out = out[0] if isinstance(out, (tuple, list)) else out
        values.append(out.data)
        per_row.append(grad(out, list(params)))
    return values, [seed * math.fsum(g[j] for g in per_row) for j in range(len(params))]


def per_node(c: Compiled, rows: list[list[float]], seed: float) -> tuple[list[float], list[float]]:
    """The same tape's NumPy program written node by node (no layers)."""
    c.program, c._batch_arrays = write(c.tape, layers=False), None
    assert "@" not in c.program.batch_arrays
    b = c.batch(rows, seed=seed, backend="numpy")
    return b.values, b.param_grads


def assert_all_equal(c: Compiled, fn: Callable[..., Any], rows: list[list[float]]) -> None:
    seed = 1.0 / len(rows)
    b = c.batch(rows, seed=seed, backend="numpy")
    values, grads = engine_batch(fn, rows, c.params, seed)
    assert all(close(v, e) for v, e in zip(b.values, values, strict=True))
    assert all(close(g, e) for g, e in zip(b.param_grads, grads, strict=True))
    python = c.batch(rows, seed=seed, backend="python")
    assert all(close(g, e) for g, e in zip(python.param_grads, grads, strict=True))


def random_rows(n: int, width: int, seed: int = 7) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.gauss(0, 1) for _ in range(width)] for _ in range(n)]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_an_mlp_replays_as_one_matrix_product_per_layer(activation: str) -> None:
    model = MLP(3, [6, 5, 3], activation=activation, seed=4)

    def per_sample(a: Value, b: Value, c: Value) -> tuple[Value, ...]:
        out = model([a, b, c])
        assert isinstance(out, list)
        return (losses.cross_entropy(out, 1), *out)

    c = compile(per_sample, 0.1, 0.2, 0.3, params=model.parameters())
    layers = c.program.layers
    assert [(len(la.sums), len(la.inputs)) for la in layers] == [(6, 3), (5, 6), (3, 5)]
    hidden = activation != "linear"
    assert [bool(la.activations) for la in layers] == [hidden, hidden, False]
    assert c.program.batch_arrays.count(" @ ") == 3 + 3 + 2  # forward; weights; inputs but the first
    rows = random_rows(9, 3)
    assert_all_equal(c, per_sample, rows)
    fused = c.batch(rows, seed=1 / 9, backend="numpy")
    values, grads = per_node(c, rows, 1 / 9)
    assert all(close(v, e) for v, e in zip(fused.values, values, strict=True))
    assert all(close(g, e) for g, e in zip(fused.param_grads, grads, strict=True))
    assert all(
        close(x, y) for a, b in zip(fused.aux, c.batch(rows, backend="numpy").aux) for x, y in zip(a, b)
    )


def _near_misses() -> dict[str, Callable[..., Value]]:
    """Graphs shaped almost like a neuron (parameters w, v, b), each missing one condition of the pattern."""
    c = Value(0.7)  # a weight that is not a parameter: a constant of the trace
    return {
        "shared weight": lambda x, w, v, b: Value.sum([w * x[0], w * x[1], b]).relu(),
        "no bias": lambda x, w, v, b: Value.sum([w * x[0], v * x[1]]).tanh(),
        "constant weight": lambda x, w, v, b: Value.sum([c * x[0], w * x[1], b]),
        "product of inputs": lambda x, w, v, b: Value.sum([x[0] * x[1], w * x[0], b]),
        "product read twice": lambda x, w, v, b: (lambda p: Value.sum([p, v * x[1], b]) * p)(w * x[0]),
        "bias read twice": lambda x, w, v, b: Value.sum([w * x[0], b]) + b,
        "weight times a parameter": lambda x, w, v, b: Value.sum([w * v, b]) * x[0],
    }


@pytest.mark.parametrize("name", sorted(_near_misses()))
def test_a_graph_that_nearly_matches_is_not_fused(name: str) -> None:
    w, v, b = Value(0.3, "w"), Value(1.1, "v"), Value(-0.2, "b")
    graph = _near_misses()[name]

    def fn(x0: Value, x1: Value) -> Value:
        return graph([x0, x1], w, v, b)

    c = compile(fn, 0.5, -0.4, params=[w, v, b])
    assert c.program.layers == ()
    assert "@" not in c.program.batch_arrays
    assert_all_equal(c, fn, random_rows(7, 2))


def test_the_same_neuron_with_every_condition_met_is_fused() -> None:
    w, v, b = Value(0.3, "w"), Value(1.1, "v"), Value(-0.2, "b")

    def fn(x0: Value, x1: Value) -> Value:
        return Value.sum([w * x0, x1 * v, b]).relu() * x1  # either operand order of a product

    c = compile(fn, 0.5, -0.4, params=[w, v, b])
    assert len(c.program.layers) == 1 and "@" in c.program.batch_arrays
    assert_all_equal(c, fn, random_rows(7, 2))


def test_layers_read_by_name_permuted_and_mixed_activations() -> None:
    rng = random.Random(3)
    first = Layer(2, 3, activation="tanh", rng=rng, name="A")
    second = Layer(3, 2, activation="relu", rng=rng, name="B")
    mixed = [Neuron(2, "relu", rng=rng, name="C0"), Neuron(2, "sigmoid", rng=rng, name="C1")]
    params = first.parameters() + second.parameters() + [p for n in mixed for p in n.parameters()]

    def fn(x0: Value, x1: Value) -> Value:
        h = first([x0, x1])
        k = second([h[2], h[0], h[1]])  # not in the first layer's order: stacked by name
        m = [n([x1, x0]) for n in mixed]  # one layer, two activations: those stay per node
        return Value.sum([*k, *m]) + h[1] * h[1]  # h[1] is also read on its own

    c = compile(fn, 0.2, 0.9, params=params)
    assert [(len(la.sums), bool(la.activations)) for la in c.program.layers] == [
        (3, True),
        (2, True),
        (2, False),
    ]
    assert "_np.stack([" in c.program.batch_arrays
    assert_all_equal(c, fn, random_rows(8, 2, seed=11))
