"""One engine, many views: `steps(root)` is the chain rule written once, and backward(), the Stepper
and the printed table all show what it computes -- with hooks, errors and anomaly mode. The fast
path `_chain_rule` is tested equal to it. Oracle: PyTorch in float64 (hooks with the same meaning)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import torch

from autograd_lite import Value, detect_anomaly, topological_order
from autograd_lite.engine import backprop
from autograd_lite.engine.backprop import Step, steps, takes_general_path
from autograd_lite.viz.stepper import Stepper
from autograd_lite.viz.table import format_table

# --- the case of the issue ------------------------------------------------------------------------------


def test_a_hook_scales_the_gradient_in_backward_and_in_the_stepper_alike() -> None:
    x = Value(2.0, "x")
    z = x * x
    z.register_hook(lambda g: g * 10)
    w = z + 1
    s = Stepper(w)  # before backward: the stepper needs none
    w.backward()
    assert x.grad == 40.0  # d(x²)/dx = 2x = 4, times 10 by the hook
    assert s.goto(x).grad == 40.0 and s.gradients(-1)[x] == 40.0
    z_step = s.goto(z)
    assert (z_step.before_hooks, z_step.grad) == (1.0, 10.0)
    assert "a hook" in s.describe(z) and "made it 10" in s.describe(z)
    assert format_table(w).splitlines()[1].split()[:3] == ["x", "2", "40"]


# --- random graphs, built in autograd_lite and in PyTorch side by side ------------------------------------


OPS = ["add", "sub", "mul", "div", "pow", "tanh", "sigmoid", "exp", "log", "square"]


def random_program(rng: random.Random) -> list[tuple[str, int, int]]:
    """Operations (name, operand, operand) over a pool that starts with 4 leaves; fan-out included."""
    program = []
    for n in range(4, 4 + rng.randint(5, 14)):
        program.append((rng.choice(OPS), *rng.sample(range(n), 2)))
    return program


def run_program(program: list[tuple[str, int, int]], leaves: list[Any]) -> list[Any]:
    """Every node of the program (leaves first); works on Values and on torch tensors alike."""
    pool = list(leaves)
    for name, i, j in program:
        a, b = pool[i], pool[j]
        if name == "add":
            v = a + b
        elif name == "sub":
            v = a - b
        elif name == "mul":
            v = a * b
        elif name == "div":  # rules with a vjp: div, pow, log (each with a constant operand, too)
            v = a / (b * b + 1.0)
        elif name == "pow":
            v = (a * a + 0.5) ** b.tanh()
        elif name == "log":
            v = (a * a + 0.1).log()
        elif name == "tanh":
            v = a.tanh()
        elif name == "sigmoid":
            v = a.sigmoid()
        elif name == "exp":
            v = (a * 0.3).exp()
        else:
            v = a**2
        pool.append(v)
    return pool


def scaling(k: float) -> Callable[[Any], Any]:
    return lambda g: g * k


def replacing(c: float) -> Callable[[Any], Any]:
    return lambda g: g * 0.0 + c  # ignores what arrived (a tensor stays a tensor for PyTorch)


def observing(seen: list[Any]) -> Callable[[Any], Any]:
    return lambda g: seen.append(g)  # returns None: the gradient is kept


def add_random_hooks(rng: random.Random, pools: list[list[Any]]) -> None:
    """The same random hooks (scaling, replacing, watching) on the same nodes of each pool."""
    for k in rng.sample(range(len(pools[0])), 4):
        kind, c = rng.randrange(3), rng.uniform(-2.0, 2.0)
        for pool in pools:
            hook = scaling(c) if kind == 0 else replacing(c) if kind == 1 else observing([])
            pool[k].register_hook(hook)


@pytest.mark.parametrize("seed", range(30))
def test_stepper_and_table_equal_backward_with_scaling_and_replacing_hooks(seed: int) -> None:
    rng = random.Random(seed)
    program = random_program(rng)
    data = [rng.uniform(-1.5, 1.5) for _ in range(4)]
    ours = run_program(program, [Value(x, f"x{i}") for i, x in enumerate(data)])
    theirs = run_program(program, [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in data])
    add_random_hooks(rng, [ours, theirs])
    root = Value.sum(ours[4:])
    stepper = Stepper(root)
    table = format_table(root)
    assert all(v.grad == 0.0 for v in topological_order(root))  # the views touched no .grad

    root.backward()
    sum(theirs[4:]).backward()
    for v, t in zip(ours[:4], theirs[:4]):  # backward is right, by PyTorch
        assert v.grad == pytest.approx(0.0 if t.grad is None else t.grad.item(), rel=1e-12, abs=1e-12)
    stepped = {step.node: step.grad for step in stepper}  # the stepper shows exactly backward's numbers
    assert all(stepped[v] == v.grad for v in topological_order(root))
    assert stepper.gradients(-1) == stepped
    rows = {row.split()[0]: row.split() for row in table.splitlines()[1:]}
    for i in range(4):
        assert f"x{i}" not in rows or float(rows[f"x{i}"][2]) == pytest.approx(ours[i].grad, rel=1e-5)


@pytest.mark.parametrize("seed", range(30))
def test_fast_path_equals_the_steps_exactly(seed: int) -> None:
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-1.5, 1.5)) for _ in range(4)]
    pool = run_program(random_program(rng), leaves)
    root = Value.sum(pool[4:]) * pool[-1]
    assert not takes_general_path(root)
    root.backward()  # the fast path
    fast = {v: v.grad for v in topological_order(root)}
    assert {step.node: step.grad for step in steps(root)} == fast
    root.zero_grad()
    root.register_hook(lambda g: None)  # now backward takes the general path: the steps
    assert takes_general_path(root)
    root.backward()
    assert {v: v.grad for v in topological_order(root)} == fast
    x = leaves[0]  # and both are right, by central differences on the first leaf
    h = 1e-6 * max(1.0, abs(x.data))
    slope = (replay(root, x, x.data + h) - replay(root, x, x.data - h)) / (2 * h)
    assert fast.get(x, 0.0) == pytest.approx(slope, rel=1e-5, abs=1e-6)


def replay(root: Value, x: Value, t: float) -> float:
    """root's data with leaf x set to t, by replaying each node's rule on floats."""
    data: dict[Value, float] = {}
    for v in topological_order(root):
        if v is x:
            data[v] = t
        elif not v.parents:
            data[v] = v.data
        else:
            data[v] = v.rule.forward(*[data[p] for p in v.parents])  # type: ignore[union-attr]
    return data[root]


# --- errors: the same type and message from every view ----------------------------------------------------


def failing_graphs() -> list[tuple[str, Callable[[], Value]]]:
    def sqrt_at_zero() -> Value:
        x = Value(0.0, "x")
        return (x**0.5 + x * 2.0).tanh()  # d/dx x**0.5 = 0.5 x**-0.5 fails at 0

    def overflowing_derivative() -> Value:
        x = Value(1e-160, "x")
        return (1.0 / x) * 1e-300 + x  # d/dx 1/x = -1/x² = -1e320: not finite

    def failing_hook() -> Value:
        x = Value(1.0, "x")
        y = x * 3.0
        y.register_hook(lambda g: g / 0.0)
        return y + x

    def infinite_hook() -> Value:
        x = Value(1.0, "x")
        y = x.exp()
        y.register_hook(lambda g: g * 1e308 * 10)
        return y * 2.0

    return [
        ("sqrt_at_zero", sqrt_at_zero),
        ("overflowing_derivative", overflowing_derivative),
        ("failing_hook", failing_hook),
        ("infinite_hook", infinite_hook),
    ]


def _error_of(f: Callable[[], object]) -> BaseException:
    with pytest.raises((ArithmeticError, ValueError)) as info:
        f()
    return info.value


@pytest.mark.parametrize("anomaly", [False, True])
@pytest.mark.parametrize(("name", "make"), failing_graphs())
def test_a_failing_pass_raises_the_same_error_in_every_view(
    name: str, make: Callable[[], Value], anomaly: bool
) -> None:
    if anomaly:
        with detect_anomaly():
            root = make()
    else:
        root = make()
    grads = [v.grad for v in topological_order(root)]

    def run(view: Callable[[], object]) -> BaseException:
        if anomaly:
            with detect_anomaly():
                return _error_of(view)
        return _error_of(view)

    expected = run(root.backward)
    assert str(expected).startswith("backward:")
    assert ("made at" in str(expected)) == anomaly  # anomaly mode names the user's line
    for view in (lambda: Stepper(root), lambda: format_table(root), lambda: list(steps(root))):
        error = run(view)
        assert (type(error), str(error)) == (type(expected), str(expected))
    assert [v.grad for v in topological_order(root)] == grads  # every .grad left as it was


def test_sqrt_at_zero_names_the_power_node_as_backward_does() -> None:
    x = Value(0.0)
    r = x**0.5
    error = _error_of(lambda: Stepper(r))
    assert isinstance(error, ZeroDivisionError) and "backward: at the power node (data=0.0)" in str(error)


def test_a_zero_gradient_evaluates_nothing_in_backward_and_in_the_stepper() -> None:
    x = Value(0.0, "x")
    r = x**0.5  # its derivative is infinite at 0 (shown as inf), but no gradient reaches it
    out = r * 0.0 + x
    out.backward()
    assert x.grad == 1.0  # PyTorch would give nan here (0 · inf); this engine passes nothing on
    step = Stepper(out).goto(r)
    assert step.grad == 0.0 and step.edges[0].local == math.inf and step.edges[0].contribution == 0.0


@pytest.mark.parametrize("seed", range(10))
def test_anomaly_mode_stepper_equals_backward(seed: int) -> None:
    rng = random.Random(seed)
    with detect_anomaly():
        pool = run_program(random_program(rng), [Value(rng.uniform(-1, 1)) for _ in range(4)])
        root = Value.sum(pool[4:])
        assert takes_general_path(root)
        stepper = Stepper(root)
        root.backward()
    assert all(step.grad == step.node.grad for step in stepper)


# --- which path backward() takes is decided per graph -----------------------------------------------------


def test_a_hook_on_an_unrelated_value_does_not_change_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = Value(1.0)
    handle = elsewhere.register_hook(lambda g: g * 2)
    x = Value(3.0)
    y = (x * x + 1.0).tanh()
    assert not takes_general_path(y)
    general_runs: list[Value] = []
    real = backprop._walk  # the general path: backward() consuming the steps

    def spy(root: Value, order: list[Value], create_graph: bool, seed: Any = 1.0) -> Iterator[Step]:
        general_runs.append(root)
        return real(root, order, create_graph, seed)

    monkeypatch.setattr(backprop, "_walk", spy)
    y.backward()
    assert general_runs == []
    assert x.grad == pytest.approx(2 * 3.0 * (1 - math.tanh(10.0) ** 2), rel=1e-12)
    for node in (x, y, y.parents[0]):  # a hook on the leaf, the root or inside: general path
        with node.register_hook(lambda g: None):
            assert takes_general_path(y)
            y.backward()
            assert general_runs[-1] is y
        assert not takes_general_path(y)  # the `with` took it off again
    assert len(general_runs) == 3
    handle.remove()
    assert takes_general_path(y, create_graph=True)


# --- hooks live with their node; a handle removes its own registration -----------------------------------


def test_removing_a_handle_removes_exactly_its_own_registration() -> None:
    calls: list[str] = []

    def f(g: float) -> None:
        calls.append("f")

    def h(g: float) -> None:
        calls.append("h")

    x = Value(2.0)
    first, second, third = x.register_hook(f), x.register_hook(h), x.register_hook(f)
    (x * 1.0).backward()
    assert calls == ["f", "h", "f"]  # in the order registered
    third.remove()
    calls.clear()
    (x * 1.0).backward()
    assert calls == ["f", "h"]  # the first f stays
    third.remove()  # removing twice is harmless
    first.remove()
    calls.clear()
    (x * 1.0).backward()
    assert calls == ["h"]
    second.remove()
    assert not takes_general_path(x * 1.0)


def test_a_handle_is_a_context_manager() -> None:
    x = Value(2.0)
    with x.register_hook(lambda g: g * 3):
        (x * x).backward()
        assert x.grad == 12.0
    x.grad = 0.0
    (x * x).backward()
    assert x.grad == 4.0


@pytest.mark.parametrize("bad", [42, "g * 2", None])
def test_register_hook_refuses_what_is_not_a_function(bad: Any) -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"register_hook: hook must be a function.*" + type(bad).__name__):
        x.register_hook(bad)
    assert not takes_general_path(x)
