"""The engine against two independent oracles: PyTorch in float64 and central finite differences.

Covers every primitive with Values and plain numbers on either side, the node's recorded
structure (parents, op, local derivatives, topological order), fan-out and accumulation,
zero_grad, no_grad, grad() and derivatives of derivatives.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import pytest
import torch

from autograd_lite import Value, enable_grad, grad, is_grad_enabled, no_grad, topological_order, zero_grad

H = 1e-6  # finite-difference step


def central_difference(f: Callable[[list[float]], float], xs: Sequence[float], i: int, h: float = H) -> float:
    """(f(x + h e_i) - f(x - h e_i)) / 2h: the slope of f along input i."""
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(up) - f(down)) / (2 * h)


def number(g: Any) -> float:
    """A gradient as a float: `.data` of a Value (create_graph=True), else the float itself."""
    return float(g.data) if isinstance(g, Value) else float(g)


def leaf_grad(t: torch.Tensor) -> float:
    """The .grad PyTorch accumulated into a leaf tensor, as a float."""
    assert t.grad is not None
    return float(t.grad.item())


def assert_close(got: float, want: float, rel: float = 1e-12, abs_: float = 1e-12) -> None:
    assert math.isclose(got, want, rel_tol=rel, abs_tol=abs_), (got, want)


# --- the op table: each op written once, applied to Values, tensors or floats alike ----------------

OPS: dict[str, Callable[..., Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow_value": lambda a, b: a**b,
    "neg": lambda a: -a,
    "pow_int": lambda a: a**3,
    "pow_float": lambda a: a**2.5,
    "pow_negative": lambda a: a**-2,
    "number_pow_value": lambda a: 2.0**a,
    "number_fraction_pow_value": lambda a: 0.5**a,
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "rpow_zero_base": lambda a: 0.0**a,
    "pos": lambda a: +a,
    "sqrt": lambda a: a.sqrt(),
    "abs": lambda a: abs(a),
    "sin": lambda a: a.sin(),
    "cos": lambda a: a.cos(),
    "tan": lambda a: a.tan(),
    "arctan": lambda a: a.arctan(),
    "atan": lambda a: a.atan(),
    "log1p": lambda a: a.log1p(),
    "expm1": lambda a: a.expm1(),
    "sign": lambda a: a.sign(),
    "clamp": lambda a: a.clamp(-0.5, 1.0),
    "clamp_min": lambda a: a.clamp(min=0.2),
    "clamp_max": lambda a: a.clamp(max=0.2),
    "leaky_relu": lambda a: leaky_relu(a, 0.1),
    "leaky_relu_default": lambda a: leaky_relu(a),
    "elu": lambda a: elu(a, 0.7),
    "elu_default": lambda a: elu(a),
}


def leaky_relu(a: Any, slope: float = 0.01) -> Any:
    """Value.leaky_relu, or torch.nn.functional.leaky_relu on a tensor (no tensor method)."""
    if isinstance(a, torch.Tensor):
        return torch.nn.functional.leaky_relu(a, slope)
    return a.leaky_relu(slope) if slope != 0.01 else a.leaky_relu()


def elu(a: Any, alpha: float = 1.0) -> Any:
    """Value.elu, or torch.nn.functional.elu on a tensor."""
    if isinstance(a, torch.Tensor):
        return torch.nn.functional.elu(a, alpha)
    return a.elu(alpha) if alpha != 1.0 else a.elu()


ANY_REAL: list[tuple[float, ...]] = [(-1.7,), (-0.3,), (0.4,), (2.1,)]
POINTS: dict[str, list[tuple[float, ...]]] = {
    "add": [(1.5, -0.7), (-2.0, 3.0), (0.3, 0.4), (-1.2, -2.5)],
    "sub": [(1.5, -0.7), (-2.0, 3.0), (0.3, 0.4), (-1.2, -2.5)],
    "mul": [(1.5, -0.7), (-2.0, 3.0), (0.3, 0.4), (-1.2, -2.5)],
    "div": [(1.5, -0.7), (-2.0, 3.0), (0.3, 0.4), (-1.2, -2.5)],
    "pow_value": [(1.5, -0.7), (0.3, 2.5), (2.0, 3.0), (0.8, -1.5)],  # a ** b needs a > 0
    "neg": ANY_REAL,
    "pow_int": ANY_REAL,
    "pow_float": [(0.4,), (1.3,), (2.1,)],
    "pow_negative": [(-1.7,), (-0.3,), (0.4,), (2.1,)],
    "number_pow_value": ANY_REAL,
    "number_fraction_pow_value": ANY_REAL,
    "exp": ANY_REAL,
    "log": [(0.2,), (1.0,), (3.7,)],
    "tanh": ANY_REAL,
    "sigmoid": ANY_REAL + [(-30.0,), (30.0,)],
    "relu": [(-1.3,), (0.7,), (2.0,)],  # away from the kink at 0
    "rpow_zero_base": [(0.5,), (2.0,)],  # 0 ** x = 0 for x > 0; its derivative is 0 (issue 9)
    "pos": ANY_REAL,
    "sqrt": [(0.3,), (1.0,), (2.1,)],
    "abs": ANY_REAL,
    "sin": ANY_REAL + [(10.0,)],
    "cos": ANY_REAL + [(10.0,)],
    "tan": [(-1.2,), (0.4,), (1.3,), (2.0,)],
    "arctan": ANY_REAL + [(-40.0,), (1e3,)],
    "atan": ANY_REAL,
    "log1p": [(-0.7,), (1e-3,), (0.4,), (2.1,)],
    "expm1": ANY_REAL + [(1e-3,)],
    "sign": ANY_REAL,
    "clamp": [(-1.7,), (-0.3,), (0.4,), (2.1,)],  # below, inside, above: away from the corners
    "clamp_min": ANY_REAL,
    "clamp_max": ANY_REAL,
    "leaky_relu": ANY_REAL,
    "leaky_relu_default": ANY_REAL,
    "elu": ANY_REAL + [(-5.0,)],
    "elu_default": ANY_REAL,
}

# Which operands are Values (True) and which are plain numbers (False).
BINARY_SIDES = [(True, True), (True, False), (False, True)]


def _cases() -> list[tuple[str, tuple[float, ...], tuple[bool, ...]]]:
    cases: list[tuple[str, tuple[float, ...], tuple[bool, ...]]] = []
    for name, points in POINTS.items():
        sides: list[tuple[bool, ...]] = list(BINARY_SIDES) if len(points[0]) == 2 else [(True,)]
        if name == "pow_value":  # number ** Value and Value ** number are tested here too
            sides = list(BINARY_SIDES)
        for point in points:
            for side in sides:
                cases.append((name, point, side))
    return cases


CASES = _cases()
IDS = [f"{n}-{p}-{''.join('V' if s else 'n' for s in sides)}" for n, p, sides in CASES]


def engine_eval(name: str, xs: Sequence[float], sides: Sequence[bool]) -> tuple[float, list[float]]:
    """Value and gradients (with respect to the Value operands) from autograd_lite."""
    args = [Value(x) if is_value else x for x, is_value in zip(xs, sides)]
    out = OPS[name](*args)
    assert isinstance(out, Value)
    out.backward()
    return out.data, [a.grad for a in args if isinstance(a, Value)]


def torch_eval(name: str, xs: Sequence[float], sides: Sequence[bool]) -> tuple[float, list[float]]:
    """Value and gradients from PyTorch in float64 -- the first oracle."""
    args = [
        torch.tensor(x, dtype=torch.float64, requires_grad=True) if is_value else x
        for x, is_value in zip(xs, sides)
    ]
    out = OPS[name](*args)
    leaves = [a for a in args if isinstance(a, torch.Tensor)]
    grads = torch.autograd.grad(out, leaves)
    return out.item(), [g.item() for g in grads]


@pytest.mark.parametrize(("name", "xs", "sides"), CASES, ids=IDS)
def test_op_matches_torch(name: str, xs: tuple[float, ...], sides: tuple[bool, ...]) -> None:
    value, grads = engine_eval(name, xs, sides)
    want_value, want_grads = torch_eval(name, xs, sides)
    assert_close(value, want_value)
    assert len(grads) == len(want_grads)
    for g, w in zip(grads, want_grads):
        assert_close(g, w)


@pytest.mark.parametrize(("name", "xs", "sides"), CASES, ids=IDS)
def test_op_matches_finite_differences(name: str, xs: tuple[float, ...], sides: tuple[bool, ...]) -> None:
    _, grads = engine_eval(name, xs, sides)

    def forward(point: list[float]) -> float:
        args = [Value(x) if is_value else x for x, is_value in zip(point, sides)]
        return float(OPS[name](*args).data)

    value_positions = [i for i, is_value in enumerate(sides) if is_value]
    for g, i in zip(grads, value_positions):
        assert_close(g, central_difference(forward, xs, i), rel=1e-6, abs_=1e-7)


@pytest.mark.parametrize("xs", [(1.0, -2.0, 3.5), (-0.3,), (0.25, 0.5, -4.0, 8.0, 1e-3)])
def test_sum_matches_torch_and_finite_differences(xs: tuple[float, ...]) -> None:
    leaves = [Value(x) for x in xs]
    out = Value.sum([*leaves, 2.5])  # a plain number in the sum too
    out.backward()
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    want = torch.stack(tensors).sum() + 2.5
    want_grads = torch.autograd.grad(want, tensors)
    assert_close(out.data, want.item())
    for leaf, w in zip(leaves, want_grads):
        assert_close(leaf.grad, w.item())
    for i, leaf in enumerate(leaves):
        fd = central_difference(lambda p: Value.sum([*map(Value, p), 2.5]).data, xs, i)
        assert_close(leaf.grad, fd, rel=1e-6)


def test_sum_of_shared_and_repeated_values() -> None:
    a, b = Value(2.0), Value(-1.0)
    out = Value.sum([a, b, a, a * b])
    out.backward()
    assert out.data == 2.0 - 1.0 + 2.0 - 2.0
    assert (a.grad, b.grad) == (2.0 + (-1.0), 1.0 + 2.0)


# --- Value basics -------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [3, -7, 0, 2.5, 10**6])
def test_numbers_become_floats(data: float) -> None:
    v = Value(data)
    assert type(v.data) is float
    assert v.data == data
    assert v.grad == 0.0
    assert v.is_leaf and v.op == "" and v.parents == () and v.local_grads == ()


@pytest.mark.parametrize("bad", ["1.0", None, 1 + 2j, [1.0]])
def test_non_numbers_are_rejected_with_their_type(bad: Any) -> None:
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


def test_values_hash_by_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a is not b and a != b
    assert len({a, b}) == 2
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b"
    assert hash(a) == object.__hash__(a)
    a.data = 5.0  # mutating data keeps the hash (identity, not value)
    assert table[a] == "a"


def test_repr_shows_data_grad_and_label() -> None:
    v = Value(2.5, label="w")
    (v * 3).backward()
    text = repr(v)
    assert "2.5" in text and "3.0" in text and "w" in text


@pytest.mark.parametrize(
    ("make", "op"),
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a - b, "sub"),
        (lambda a, b: a * b, "mul"),
        (lambda a, b: a / b, "div"),
        (lambda a, b: a**b, "pow"),
    ],
)
def test_parents_are_in_argument_order(make: Callable[[Value, Value], Value], op: str) -> None:
    a, b = Value(1.5), Value(0.5)
    ab, ba = make(a, b), make(b, a)
    assert ab.op == ba.op == op
    assert ab.parents[0] is a and ab.parents[1] is b
    assert ba.parents[0] is b and ba.parents[1] is a
    assert not ab.is_leaf


def test_numbers_appear_as_constant_leaf_parents() -> None:
    a = Value(4.0)
    left, right = 2 - a, a - 2
    assert left.data == -2.0 and right.data == 2.0
    assert left.parents[1] is a and left.parents[0].is_leaf and left.parents[0].data == 2.0
    assert right.parents[0] is a and right.parents[1].data == 2.0


LOCAL_CASES: list[tuple[str, Callable[..., Value], tuple[float, ...], str]] = [
    ("add", lambda a, b: a + b, (1.5, -0.7), "+"),
    ("sub", lambda a, b: a - b, (1.5, -0.7), "-"),
    ("mul", lambda a, b: a * b, (1.5, -0.7), "*"),
    ("div", lambda a, b: a / b, (1.5, -0.7), "/"),
    ("pow", lambda a, b: a**b, (1.5, -0.7), "**"),
    ("power", lambda a: a**2, (-1.3,), "**2"),
    ("power", lambda a: a**-0.5, (1.3,), "**-0.5"),
    ("rpow", lambda a: 2.0**a, (-1.3,), "2**"),
    ("rpow", lambda a: 0**a, (1.3,), "0**"),
    ("sqrt", lambda a: a.sqrt(), (1.3,), "√"),
    ("abs", lambda a: abs(a), (-1.3,), "abs"),
    ("sin", lambda a: a.sin(), (1.3,), "sin"),
    ("cos", lambda a: a.cos(), (1.3,), "cos"),
    ("tan", lambda a: a.tan(), (1.3,), "tan"),
    ("arctan", lambda a: a.atan(), (1.3,), "arctan"),
    ("log1p", lambda a: a.log1p(), (1.3,), "log1p"),
    ("expm1", lambda a: a.expm1(), (1.3,), "expm1"),
    ("sign", lambda a: a.sign(), (-1.3,), "sign"),
    ("clamp", lambda a: a.clamp(0, 1), (0.3,), "clamp[0, 1]"),
    ("clamp", lambda a: a.clamp(min=0), (1.3,), "clamp[0, ∞]"),
    ("leaky_relu", lambda a: a.leaky_relu(), (-1.3,), "leaky_relu[0.01]"),
    ("elu", lambda a: a.elu(0.5), (-1.3,), "elu[0.5]"),
    ("neg", lambda a: -a, (0.4,), "-"),
    ("exp", lambda a: a.exp(), (0.4,), "exp"),
    ("log", lambda a: a.log(), (0.4,), "log"),
    ("tanh", lambda a: a.tanh(), (0.4,), "tanh"),
    ("sigmoid", lambda a: a.sigmoid(), (-0.4,), "σ"),
    ("relu", lambda a: a.relu(), (0.4,), "relu"),
    ("relu", lambda a: a.relu(), (-0.4,), "relu"),
    ("sum", lambda a, b, c: Value.sum([a, b, c]), (0.1, -2.0, 3.0), "Σ"),
]


@pytest.mark.parametrize(("op", "make", "xs", "symbol"), LOCAL_CASES, ids=[c[0] for c in LOCAL_CASES])
def test_op_names_symbols_and_local_grads(
    op: str, make: Callable[..., Value], xs: tuple[float, ...], symbol: str
) -> None:
    node = make(*map(Value, xs))
    assert node.op == op
    assert node.rule is not None and node.rule.name == op and node.rule.symbol == symbol
    assert [p.data for p in node.parents] == list(xs)
    assert len(node.local_grads) == len(xs)
    for i, d in enumerate(node.local_grads):
        fd = central_difference(lambda p: make(*map(Value, p)).data, xs, i)
        assert_close(d, fd, rel=1e-6, abs_=1e-8)


def _random_graph(rng: random.Random, n_leaves: int = 5, n_ops: int = 30) -> tuple[Value, list[Value]]:
    pool = [Value(rng.uniform(-1, 1)) for _ in range(n_leaves)]
    leaves = list(pool)
    for _ in range(n_ops):
        a, b = rng.choice(pool), rng.choice(pool)
        kind = rng.randrange(4)
        node = a + b if kind == 0 else a * b if kind == 1 else a.tanh() if kind == 2 else Value.sum([a, b, 1])
        pool.append(node)
    return Value.sum(pool[-5:]), leaves


@pytest.mark.parametrize("seed", range(5))
def test_topological_order_puts_parents_first_and_root_last(seed: int) -> None:
    root, leaves = _random_graph(random.Random(seed))
    order = topological_order(root)
    position = {node: i for i, node in enumerate(order)}
    assert len(position) == len(order), "a node appears twice"
    assert order[-1] is root
    for node in order:
        for p in node.parents:
            assert position[p] < position[node]
    # exactly the nodes reachable from root
    reachable, stack = {root}, [root]
    while stack:
        for p in stack.pop().parents:
            if p not in reachable:
                reachable.add(p)
                stack.append(p)
    assert set(order) == reachable


# --- fan-out, accumulation, zero_grad -----------------------------------------------------------


def test_a_times_a_counts_both_edges() -> None:
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0


def test_repeated_doubling() -> None:
    a = Value(-1.5)
    b = a + a
    c = b + b
    c.backward()
    assert c.data == -6.0
    assert (a.grad, b.grad) == (4.0, 2.0)


def _diamond(x: Any) -> Any:
    y1, y2 = x * 2.0, x.exp()
    z = y1 * y2 + y2.tanh()
    return z * y1


@pytest.mark.parametrize("x0", [-0.8, 0.3, 1.7])
def test_diamond_graph_matches_torch(x0: float) -> None:
    x = Value(x0)
    out = _diamond(x)
    out.backward()
    t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    (want,) = torch.autograd.grad(_diamond(t), t)
    assert_close(x.grad, want.item())


def _two_input_graph(x: Any, y: Any) -> tuple[Any, Any]:
    c = x * y + x.exp()
    g = c.tanh() * c + y
    return c, g


def _torch_pair(x0: float, y0: float) -> tuple[torch.Tensor, torch.Tensor]:
    return (
        torch.tensor(x0, dtype=torch.float64, requires_grad=True),
        torch.tensor(y0, dtype=torch.float64, requires_grad=True),
    )


def test_two_backward_calls_accumulate_like_torch() -> None:
    x, y = Value(0.7), Value(-0.4)
    _, g = _two_input_graph(x, y)
    g.backward()
    once = (x.grad, y.grad)
    g.backward()
    tx, ty = _torch_pair(0.7, -0.4)
    _, tg = _two_input_graph(tx, ty)
    tg.backward(retain_graph=True)
    tg.backward()
    assert_close(x.grad, leaf_grad(tx))
    assert_close(y.grad, leaf_grad(ty))
    assert_close(x.grad, 2 * once[0])
    assert_close(y.grad, 2 * once[1])


def test_backward_from_an_intermediate_then_the_output_accumulates_like_torch() -> None:
    # c.grad is 1 after c.backward(); the second pass must not send that stale 1 down again.
    x, y = Value(0.7), Value(-0.4)
    c, g = _two_input_graph(x, y)
    c.backward()
    g.backward()
    tx, ty = _torch_pair(0.7, -0.4)
    tc, tg = _two_input_graph(tx, ty)
    tc.backward(retain_graph=True)
    tg.backward()
    assert_close(x.grad, leaf_grad(tx))
    assert_close(y.grad, leaf_grad(ty))


def test_zero_grad_method_resets_the_whole_graph() -> None:
    x, y = Value(0.7), Value(-0.4)
    _, g = _two_input_graph(x, y)
    g.backward()
    assert x.grad != 0.0
    g.zero_grad()
    assert all(node.grad == 0.0 for node in topological_order(g))
    g.backward()  # a fresh pass gives the single-pass gradients again
    tx, ty = _torch_pair(0.7, -0.4)
    _, tg = _two_input_graph(tx, ty)
    tg.backward()
    assert_close(x.grad, leaf_grad(tx))


def test_zero_grad_function_resets_only_the_given_values() -> None:
    x, y = Value(0.7), Value(-0.4)
    _, g = _two_input_graph(x, y)
    g.backward()
    y_grad = y.grad
    zero_grad([x, g])
    assert x.grad == 0.0 and g.grad == 0.0
    assert y.grad == y_grad != 0.0


def test_zero_grad_function_refuses_a_single_value_and_non_values_before_changing_any() -> None:
    x = Value(2.0, "x")
    (x * x).backward()
    with pytest.raises(
        TypeError, match=r"^zero_grad: values must be a list of Values \(v.zero_grad\(\) clears"
    ):
        zero_grad(x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^zero_grad: values\[1\] must be a Value, got 3.0$"):
        zero_grad([x, 3.0])  # type: ignore[list-item]
    assert x.grad == 4.0  # refused before anything was reset


def test_value_zero_grad_resets_its_graph_but_not_the_nodes_that_use_it() -> None:
    x = Value(3.0)
    y = x * x
    z = y + x
    z.backward()  # dz/dx = 2x + 1 = 7, dz/dy = 1
    y.zero_grad()
    assert (x.grad, y.grad, z.grad) == (0.0, 0.0, 1.0)


# --- no_grad and grad() ---------------------------------------------------------------------------


def test_no_grad_makes_leaves() -> None:
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 3.0 + x.exp()
    assert is_grad_enabled()
    assert y.is_leaf and y.parents == () and y.op == ""
    assert_close(y.data, 6.0 + math.exp(2.0))
    with pytest.raises(RuntimeError, match="no_grad"):  # as PyTorch: nothing to differentiate
        y.backward()
    assert x.grad == 0.0
    z = x * 3.0  # recording again after the block
    assert z.parents[0] is x


def test_no_grad_as_decorator_and_enable_grad_inside() -> None:
    @no_grad()
    def predict(v: Value) -> Value:
        return v * v + 1

    x = Value(3.0)
    out = predict(x)
    assert out.data == 10.0 and out.is_leaf
    assert is_grad_enabled()
    with no_grad(), enable_grad():
        recorded = x * x
    assert recorded.parents == (x, x)


def test_no_grad_restores_mode_after_an_error() -> None:
    with pytest.raises(ZeroDivisionError), no_grad():
        Value(1.0) / 0
    assert is_grad_enabled()


def test_grad_returns_gradients_without_touching_dot_grad() -> None:
    x, y, unused = Value(0.7), Value(-0.4), Value(5.0)
    c, g = _two_input_graph(x, y)
    x.grad, y.grad, c.grad = 11.0, -3.0, 7.0  # sentinels that must survive
    gx, gy, gu = grad(g, [x, y, unused])
    assert (x.grad, y.grad, c.grad, g.grad, unused.grad) == (11.0, -3.0, 7.0, 0.0, 0.0)
    assert gu == 0.0
    tx, ty = _torch_pair(0.7, -0.4)
    _, tg = _two_input_graph(tx, ty)
    wx, wy = torch.autograd.grad(tg, [tx, ty])
    assert_close(gx, wx.item())
    assert_close(gy, wy.item())


# --- second and third derivatives ---------------------------------------------------------------

SECOND: list[tuple[str, Callable[[Any], Any], float]] = [
    ("cube", lambda x: x**3, -1.3),
    ("exp", lambda x: x.exp(), 0.6),
    ("tanh", lambda x: x.tanh(), 0.45),
    ("sigmoid", lambda x: x.sigmoid(), -0.8),
    ("log", lambda x: x.log(), 1.7),
    ("pow_value_exponent", lambda x: x**x, 1.3),
    ("quotient", lambda x: (x * x + 1) / (x + 3), 0.5),
    ("rpow", lambda x: 2.0**x, -0.7),
    ("sqrt", lambda x: x.sqrt(), 0.8),
    ("abs", lambda x: abs(x) * x, -0.8),
    ("sin", lambda x: x.sin(), 0.8),
    ("cos", lambda x: x.cos(), 0.8),
    ("tan", lambda x: x.tan(), 0.8),
    ("arctan", lambda x: x.arctan(), 0.8),
    ("log1p", lambda x: x.log1p(), 0.8),
    ("expm1", lambda x: x.expm1(), -0.8),
    ("sign", lambda x: x.sign() * x * x, -0.8),
    ("clamp", lambda x: x.clamp(-1.0, 1.0) * x, 0.8),
    ("leaky_relu", lambda x: leaky_relu(x, 0.2) * x, -0.8),
    ("elu", lambda x: elu(x, 0.7), -0.8),
    ("elu_positive", lambda x: elu(x, 0.7) * x, 0.8),
]


def _torch_derivatives(f: Callable[[Any], Any], x0: float, order: int) -> list[float]:
    t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    out, result = f(t), []
    for _ in range(order):
        if not out.requires_grad:  # a constant derivative (sign, relu, ...): the next one is 0
            result.append(0.0)
            out = torch.tensor(0.0, dtype=torch.float64)
            continue
        (out,) = torch.autograd.grad(out, t, create_graph=True)
        result.append(out.item())
    return result


@pytest.mark.parametrize(("name", "f", "x0"), SECOND, ids=[s[0] for s in SECOND])
def test_second_derivative_via_backward_create_graph(name: str, f: Callable[[Any], Any], x0: float) -> None:
    x = Value(x0)
    f(x).backward(create_graph=True)
    first = x.grad
    assert isinstance(first, Value)
    x.grad = 0.0
    first.backward()
    want1, want2 = _torch_derivatives(f, x0, 2)
    assert_close(first.data, want1)
    assert_close(number(x.grad), want2, rel=1e-11)


@pytest.mark.parametrize(("name", "f", "x0"), SECOND, ids=[s[0] for s in SECOND])
def test_third_derivative_via_grad(name: str, f: Callable[[Any], Any], x0: float) -> None:
    x = Value(x0)
    (d1,) = grad(f(x), [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    want = _torch_derivatives(f, x0, 3)
    for got, w in zip([d1.data, d2.data, d3], want):
        assert_close(number(got), w, rel=1e-10, abs_=1e-10)


@pytest.mark.parametrize(
    "f", [lambda x: x**0, lambda x: x ** Value(0.0)], ids=["number_exponent", "value_exponent"]
)
def test_zeroth_power_at_zero_has_gradient_zero(f: Callable[[Any], Any]) -> None:
    # x**0 = 1 for every x, so its derivative is 0 -- at x = 0 too (PyTorch agrees).
    x = Value(0.0)
    y = f(x)
    assert y.data == 1.0
    y.backward()
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (want,) = torch.autograd.grad(t**0, t)
    assert x.grad == want.item() == 0.0


@pytest.mark.parametrize(("power", "x0"), [(2, 0.0), (3, 0.0), (2, 1.5), (4, 0.0)])
def test_third_derivative_of_a_monomial(power: int, x0: float) -> None:
    # d^3/dx^3 x**n: 0 for n = 2, 6 for n = 3, 24x for n = 4 -- including at x = 0.
    x = Value(x0)
    out: Any = x**power
    for _ in range(3):
        (out,) = grad(out, [x], create_graph=True)
    want = _torch_derivatives(lambda t: t**power, x0, 3)[-1]
    assert_close(number(out), want)


def test_mixed_second_derivatives_of_a_product() -> None:
    x, y = Value(1.5), Value(-2.0)
    (x * y).backward(create_graph=True)
    gx, gy = x.grad, y.grad
    assert (gx.data, gy.data) == (-2.0, 1.5)
    hessian = [grad(gx, [x, y]), grad(gy, [x, y])]
    tx, ty = _torch_pair(1.5, -2.0)
    tgx, tgy = torch.autograd.grad(tx * ty, [tx, ty], create_graph=True)
    want = [
        [g.item() if g is not None else 0.0 for g in torch.autograd.grad(d, [tx, ty], allow_unused=True)]
        for d in (tgx, tgy)
    ]
    assert [[number(h) for h in row] for row in hessian] == want == [[0.0, 1.0], [1.0, 0.0]]


def test_hessian_of_a_two_variable_function_matches_torch() -> None:
    def f(a: Any, b: Any) -> Any:
        return (a * b).tanh() + a**2 * b.exp() - b / a

    x, y = Value(0.6), Value(-0.9)
    gx, gy = grad(f(x, y), [x, y], create_graph=True)
    ours = [[number(v) for v in grad(g, [x, y])] for g in (gx, gy)]
    tx, ty = _torch_pair(0.6, -0.9)
    tgx, tgy = torch.autograd.grad(f(tx, ty), [tx, ty], create_graph=True)
    want = [[v.item() for v in torch.autograd.grad(g, [tx, ty], retain_graph=True)] for g in (tgx, tgy)]
    for row, wrow in zip(ours, want):
        for got, w in zip(row, wrow):
            assert_close(got, w, rel=1e-11)
