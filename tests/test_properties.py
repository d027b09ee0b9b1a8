"""Property-based tests: random expression graphs, gradients against PyTorch and finite differences.

A `Program` is a list of leaf values and a list of steps; each step applies one operation to
nodes picked from the pool of nodes built so far, so subexpressions are shared (fan-out) and
the graph is a DAG, not a tree. Every step keeps values in a safe domain by construction
(log of x*x + 1, division by y*y + 1, powers of positive bases, exp of tanh(x), ...) so that
no step branches on data: the same program runs unchanged in autograd_lite, in PyTorch and
at the shifted points of a finite difference. Hypothesis is derandomized in conftest.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd_lite import Value


def leaky_relu(a: Any, slope: float) -> Any:
    return torch.nn.functional.leaky_relu(a, slope) if isinstance(a, torch.Tensor) else a.leaky_relu(slope)


def elu(a: Any, alpha: float) -> Any:
    return torch.nn.functional.elu(a, alpha) if isinstance(a, torch.Tensor) else a.elu(alpha)


# name -> (number of operands, the step written once for Values and tensors alike)
STEPS: dict[str, tuple[int, Callable[..., Any] | None]] = {
    "add": (2, lambda a, b: (a + b) * 0.5),
    "sub": (2, lambda a, b: (a - b) * 0.5),
    "mul": (2, lambda a, b: a * b.tanh()),
    "mul_raw": (2, lambda a, b: a.tanh() * b.sigmoid()),
    "div": (2, lambda a, b: a / (b * b + 1.0)),
    "div_sigmoid": (2, lambda a, b: a.tanh() / b.sigmoid()),
    "radd": (1, lambda a: (2.0 + a) * 0.5),
    "rsub": (1, lambda a: (1.0 - a) * 0.5),
    "rmul": (1, lambda a: -0.75 * a),
    "rdiv": (1, lambda a: 1.0 / (a * a + 1.0)),
    "neg": (1, lambda a: -a),
    "pow_int": (1, lambda a: a.tanh() ** 3),
    "square": (1, lambda a: a.tanh() ** 2),
    "pow_real": (1, lambda a: (a * a + 0.5) ** -0.5),
    "pow_root": (1, lambda a: (a.sigmoid() + 0.1) ** 1.5),
    "pow_value": (2, lambda a, b: (a.sigmoid() + 0.5) ** b.tanh()),
    "rpow": (1, lambda a: 2.0 ** a.tanh()),
    "rpow_fraction": (1, lambda a: 0.5 ** a.tanh()),
    "exp": (1, lambda a: a.tanh().exp()),
    "log": (1, lambda a: (a * a + 1.0).log()),
    "tanh": (1, lambda a: a.tanh()),
    "sigmoid": (1, lambda a: a.sigmoid()),
    "relu": (1, lambda a: a.relu()),
    "rpow_zero_base": (1, lambda a: 0.0 ** (a * a + 0.5)),
    "pos": (1, lambda a: +a),
    "sqrt": (1, lambda a: (a * a + 0.25).sqrt()),
    "abs": (1, lambda a: abs(a)),
    "sin": (1, lambda a: a.sin()),
    "cos": (1, lambda a: a.cos()),
    "tan": (1, lambda a: a.tanh().tan()),  # |tanh| < 1 < π/2: away from the poles
    "arctan": (1, lambda a: a.arctan()),
    "log1p": (1, lambda a: (a * a).log1p()),
    "expm1": (1, lambda a: a.tanh().expm1()),
    "sign": (2, lambda a, b: a.sign() * b),
    "clamp": (1, lambda a: a.clamp(-0.5, 0.5)),
    "leaky_relu": (1, lambda a: leaky_relu(a, 0.1)),
    "elu": (1, lambda a: elu(a, 0.7)),
    "sum": (3, None),  # Value.sum of three pool nodes and a constant; see `run`
}


# Where a step's first operand meets a corner or a jump: a finite difference must not straddle it.
KINKS: dict[str, tuple[float, ...]] = {
    "relu": (0.0,),
    "abs": (0.0,),
    "sign": (0.0,),
    "clamp": (-0.5, 0.5),
    "leaky_relu": (0.0,),
    "elu": (0.0,),
}


@dataclass(frozen=True)
class Program:
    leaves: tuple[float, ...]
    steps: tuple[tuple[str, tuple[int, ...]], ...]


@st.composite
def programs(draw: st.DrawFn, max_leaves: int = 4, max_steps: int = 18) -> Program:
    """Random leaves in [-2, 2] and steps whose operands come from every node built so far."""
    leaves = draw(
        st.lists(st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False), min_size=1, max_size=max_leaves)
    )
    pool_size, steps = len(leaves), []
    for _ in range(draw(st.integers(1, max_steps))):
        name = draw(st.sampled_from(sorted(STEPS)))
        operands = tuple(draw(st.integers(0, pool_size - 1)) for _ in range(STEPS[name][0]))
        steps.append((name, operands))
        pool_size += 1
    return Program(tuple(leaves), tuple(steps))


def run(program: Program, leaves: Sequence[Any], total: Callable[[list[Any]], Any]) -> tuple[Any, list[Any]]:
    """Build the program's graph on the given leaves; the output sums the whole pool.

    Returns the output and, for every step with a kink (relu, abs, clamp, ...), its input and
    where the kink is, to keep finite differences off the kinks.
    """
    pool, kinks = list(leaves), []
    for name, operands in program.steps:
        args = [pool[i] for i in operands]
        if name == "sum":
            pool.append(total([*args, 0.25]))
            continue
        kinks.extend((args[0], k) for k in KINKS.get(name, ()))
        step = STEPS[name][1]
        assert step is not None
        pool.append(step(*args))
    return total(pool), kinks


def engine_total(xs: list[Any]) -> Value:
    return Value.sum(xs)


def torch_total(xs: list[Any]) -> torch.Tensor:
    return torch.stack(
        [x if isinstance(x, torch.Tensor) else torch.tensor(x, dtype=torch.float64) for x in xs]
    ).sum()


def engine_grads(program: Program) -> tuple[float, list[float], list[float]]:
    leaves = [Value(x) for x in program.leaves]
    out, kinks = run(program, leaves, engine_total)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves], [x.data - kink for x, kink in kinks]


def engine_output(program: Program, point: Sequence[float]) -> float:
    out, _ = run(program, [Value(x) for x in point], engine_total)
    return float(out.data)


@settings(max_examples=1000)
@given(programs())
def test_random_graphs_match_torch(program: Program) -> None:
    value, grads, _ = engine_grads(program)
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in program.leaves]
    out, _ = run(program, tensors, torch_total)
    want = torch.autograd.grad(out, tensors, allow_unused=True)
    assert math.isclose(value, out.item(), rel_tol=1e-9, abs_tol=1e-12)
    for got, w in zip(grads, want):
        expected = 0.0 if w is None else w.item()
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12), (got, expected)


@settings(max_examples=500)
@given(programs())
def test_random_graphs_match_finite_differences(program: Program) -> None:
    _, grads, kink_distances = engine_grads(program)
    h = 1e-6
    assume(all(abs(d) > 1e-3 for d in kink_distances))  # a central difference across the kink is meaningless
    for i, g in enumerate(grads):
        up, down = list(program.leaves), list(program.leaves)
        up[i] += h
        down[i] -= h
        fd = (engine_output(program, up) - engine_output(program, down)) / (2 * h)
        assert math.isclose(g, fd, rel_tol=1e-5, abs_tol=1e-6), (i, g, fd)


@settings(max_examples=100)
@given(programs(max_steps=10))
def test_gradients_accumulate_and_reset(program: Program) -> None:
    leaves = [Value(x) for x in program.leaves]
    out, _ = run(program, leaves, engine_total)
    out.backward()
    once = [leaf.grad for leaf in leaves]
    out.backward()
    assert [leaf.grad for leaf in leaves] == [2 * g for g in once]
    out.zero_grad()
    out.backward()
    assert [leaf.grad for leaf in leaves] == once


# --- constants of any size never break backward (issue 10, item 5) --------------------------------

CONSTANT_OPS: dict[str, Callable[[Any, float], Any]] = {
    "x + c": lambda x, c: x + c,
    "c - x": lambda x, c: c - x,
    "x * c": lambda x, c: x * c,
    "x / c": lambda x, c: x / c,
    "c / x": lambda x, c: c / x,
    "c ** x": lambda x, c: abs(c) ** x,
    "x ** c": lambda x, c: (x * x + 1.0) ** (c % 3.0),
}
EXTREME = st.sampled_from([1e-300, -1e-300, 1e-310, 1e300, -1e300, 0.0, 1e-5, 2.0])
CONSTANTS = st.one_of(EXTREME, st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False))


@settings(max_examples=200)
@given(st.sampled_from(sorted(CONSTANT_OPS)), CONSTANTS, st.floats(-70.0, 70.0).filter(lambda v: v != 0.0))
def test_constants_never_break_a_backward_that_pytorch_finishes(op: str, c: float, x0: float) -> None:
    f = CONSTANT_OPS[op]
    t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    with torch.no_grad():
        assume(math.isfinite(float(f(t.detach(), c))))
    tout = f(t, c)
    tout.backward()
    expected = float(t.grad)
    assume(math.isfinite(expected))
    x = Value(x0)
    try:
        out = f(x, c)
    except (ArithmeticError, ValueError):
        return  # the forward refused (e.g. c / x at an overflowing result): not this property
    out.backward()
    assert math.isclose(x.grad, expected, rel_tol=1e-12, abs_tol=1e-300), (op, c, x0, x.grad, expected)
