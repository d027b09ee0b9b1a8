"""Issue 10, engine items: constants never break backward, create_graph agrees with backward,
accumulation is checked, edge cases of pow and sum, and messages that name the op and the value.
Oracle: PyTorch float64 (and hand math where PyTorch has no opinion)."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from autograd_lite import RULES, Value, apply, grad, no_grad, topological_order

torch = pytest.importorskip("torch")


def torch_grad(f, x0: float) -> float:
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    f(x).backward()
    return float(x.grad)


def backward_in(mode: str, y: Value, *xs: Value) -> list[float]:
    """y.backward() on the fast path ("plain") or the general path (anomaly mode, create_graph, a
    hook), and each x's gradient as a float."""
    from autograd_lite import detect_anomaly

    if mode == "hook":
        y.register_hook(lambda g: None)
    if mode == "anomaly":
        with detect_anomaly():
            y.backward()
    else:
        y.backward(create_graph=mode == "create_graph")
    return [x.grad.data if isinstance(x.grad, Value) else x.grad for x in xs]


PATHS = ["plain", "anomaly", "create_graph", "hook"]


# --- item 5: no derivative toward a plain-number constant ------------------------------------------


@pytest.mark.parametrize(
    "f, x0",
    [
        (lambda x: x / 1e-300, 2.0),  # d/d(1e-300) would be -2e600: -inf
        (lambda x: (x * 1e-300) / 1e-300, 3.0),
        (lambda x: 1e-300 / (x * 1e300), 1.0),  # toward the constant numerator: 1/(x·1e300), finite
        (lambda x: 1e-5**x, -61.0),
        (lambda x: 0**x, 2.0),
        # Value ** Value with a constant base: its derivative toward 1e-300, -1e600, is never evaluated
        (lambda x: apply(RULES["pow"], 1e-300, x) if isinstance(x, Value) else torch.pow(1e-300, x), -1.0),
    ],
)
def test_constants_get_no_derivative_that_could_break_backward(f, x0: float) -> None:
    x = Value(x0)
    f(x).backward()
    assert x.grad == pytest.approx(torch_grad(f, x0), rel=1e-12)


@pytest.mark.parametrize("mode", ["plain", "anomaly", "create_graph", "hook"])
def test_every_path_ignores_a_constants_gradient(mode: str) -> None:
    """The fast path, anomaly mode, create_graph and hooks (the general path) all agree."""
    from autograd_lite import detect_anomaly

    x = Value(2.0, "x")
    y = x / 1e-300
    if mode == "hook":
        x.register_hook(lambda g: None)
    if mode == "anomaly":
        with detect_anomaly():
            y.backward()
    else:
        y.backward(create_graph=mode == "create_graph")
    g = x.grad.data if isinstance(x.grad, Value) else x.grad
    assert g == pytest.approx(1e300, rel=1e-15)


def sqrt_of_zero(like: Any) -> Any:
    """sqrt(0) of a plain number, made as `like` makes it: apply() for a Value, torch for a tensor."""
    return apply(RULES["sqrt"], 0.0) if isinstance(like, Value) else torch.sqrt(torch.tensor(0.0))


@pytest.mark.parametrize("mode", PATHS)
@pytest.mark.parametrize(
    "f, x0",
    [
        # toward the constant 1e-10 the contribution would be 1e298 · 1e20 = inf: never recorded
        (lambda x: (1e-10 * x) * 1e298, 1e20),
        # a node made only of numbers is a constant: sqrt's derivative 1/(2·0) is never evaluated
        (lambda x: sqrt_of_zero(x) + x, 2.0),
    ],
)
def test_no_path_evaluates_anything_toward_a_constant(f, x0: float, mode: str) -> None:
    x = Value(x0)
    assert backward_in(mode, f(x), x) == pytest.approx([torch_grad(f, x0)], rel=1e-15)


def test_an_operation_on_numbers_only_is_a_constant() -> None:
    c = apply(RULES["add"], 1.0, 2.0)
    assert c.constant and c.data == 3.0 and c.is_leaf
    with pytest.raises(RuntimeError, match=r"backward: this Value .* is a constant"):
        c.backward()


def test_a_gradient_made_of_constants_only_is_a_leaf_that_can_be_differentiated_again() -> None:
    x = Value(3.0)
    (gx,) = grad(x / 2.0, [x], create_graph=True)  # 1 / 2: the numbers only, so no graph through x
    assert isinstance(gx, Value) and gx.data == 0.5 and not gx.constant
    assert grad(gx, [x]) == [0.0]  # d²(x/2)/dx² = 0 (torch.func.grad(torch.func.grad(f)) agrees)


# --- item 6: create_graph=True succeeds where backward() does -------------------------------------


def test_create_graph_skips_an_edge_whose_gradient_is_a_constant_zero() -> None:
    x = Value(0.0)
    z = (x**0.5) * 0.0 + x
    z.backward()
    assert x.grad == 1.0
    x.grad = 0.0
    z.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 1.0


# --- item 7: accumulation is checked ---------------------------------------------------------------


def test_accumulating_into_infinity_is_refused_and_restores_every_gradient() -> None:
    x = Value(1.0, "x")
    y = x * 1e308
    y.backward()
    assert x.grad == 1e308
    with pytest.raises(OverflowError, match=r"backward: accumulating .*'x'.* 1e\+308 \+ 1e\+308 is inf"):
        y.backward()
    assert x.grad == 1e308 and y.grad == 1.0


# --- item 10: edge cases ---------------------------------------------------------------------------


def test_pow_toward_a_tiny_base_at_exponent_zero() -> None:
    a, b = Value(1e-310), Value(0.0)
    (a**b).backward()
    ta = torch.tensor(1e-310, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (ta**tb).backward()
    assert (a.grad, b.grad) == (float(ta.grad), float(tb.grad))


def test_sum_with_an_intermediate_overflow_but_a_finite_exact_result() -> None:
    s = Value.sum([1e308, 1e308, -1e308])
    assert s.data == 1e308
    with pytest.raises(OverflowError, match=r"sum: the sum of 2 values overflows a float"):
        Value.sum([1e308, 1e308])


@pytest.mark.parametrize("mode", PATHS)
@pytest.mark.parametrize(
    "f, x0",
    [
        (lambda x: (x / 1e-310) * 1e-20, 1e-10),  # 1/1e-310 is inf; 1e-20/1e-310 = 1e290 is not
        (lambda x: x.log() * 1e-20, 1e-310),  # d log x/dx = 1/x: the same division
    ],
)
def test_a_subnormal_divisor_passes_g_over_b_not_g_times_its_reciprocal(f, x0: float, mode: str) -> None:
    x = Value(x0)
    (g,) = backward_in(mode, f(x), x)
    assert math.isfinite(g) and g == pytest.approx(torch_grad(f, x0), rel=1e-12)


@pytest.mark.parametrize("rule", [r for r in RULES.values() if r.vjp is not None], ids=repr)
def test_a_rules_vjp_at_a_gradient_of_1_is_its_local_derivative(rule) -> None:
    """The views show `local` on the edges; backprop passes `vjp`: they must be the same math."""
    rng = random.Random(0)
    for _ in range(200):
        xs = [rng.uniform(0.01, 4.0) for _ in rule.vjp]
        out = rule.forward(*xs)
        assert tuple(f(1.0, *xs, out) for f in rule.vjp) == rule.local(*xs, out)


def test_a_node_whose_rule_has_a_vjp_keeps_its_operands_in_the_general_form() -> None:
    """What backprop's fast path relies on: it looks for a vjp only in its general (tuple) branch."""
    x, y = Value(2.0), Value(3.0)
    for node in (x / y, x / 2.0, 2.0 / x, x**y, x.log(), apply(RULES["div"], x, y)):
        assert node.rule is not None and node.rule.vjp is not None
        assert type(node._a) is tuple and node._b is None and len(node.parents) == len(node.rule.vjp)
    for node in (x * y, x + 2.0, x.tanh(), x**2.0):  # and the rules without one, the spelled-out forms
        assert node.rule is not None and node.rule.vjp is None and type(node._a) is not tuple


@pytest.mark.parametrize("mode", PATHS)
def test_division_by_a_subnormal_value_toward_both_operands(mode: str) -> None:
    a, b = Value(1e-320), Value(1e-310)
    grads = backward_in(mode, (a / b) * 1e-20, a, b)
    ta, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (1e-320, 1e-310))
    ((ta / tb) * 1e-20).backward()
    assert grads == pytest.approx([float(ta.grad), float(tb.grad)], rel=1e-12)  # 1e290, -1e280


# --- item 11: messages ---------------------------------------------------------------------------


def test_huge_integer_operand_names_its_size() -> None:
    with pytest.raises(OverflowError, match=r"Value: the operand .*\(5001 digits\) is too large for a float"):
        Value(10**5000)


def test_label_must_be_a_string() -> None:
    with pytest.raises(TypeError, match=r"Value: label must be a string, got 123"):
        Value(1.0, label=123)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: grad(3.0, [x]), r"grad: output must be a Value, got 3\.0"),  # type: ignore[arg-type]
        (lambda x: grad(x * 2, [2.0]), r"grad: inputs\[0\] must be a Value, got 2\.0"),  # type: ignore[list-item]
        (lambda x: grad(x * 2, x), r"grad: inputs must be a sequence of Values"),  # type: ignore[arg-type]
        (lambda x: topological_order(3.0), r"topological_order: root must be a Value, got 3\.0"),  # type: ignore[arg-type]
    ],
)
def test_functions_of_graphs_refuse_plain_numbers(call, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call(Value(1.0))


def test_backward_on_a_result_made_under_no_grad_raises() -> None:
    x = Value(2.0)
    with no_grad():
        y = x * 3.0
    with pytest.raises(RuntimeError, match=r"backward: this Value was made under no_grad\(\)"):
        y.backward()
    assert x.grad == 0.0
    y2 = y * x  # still usable as an input
    y2.backward()
    assert x.grad == 6.0


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize(
    "make, rule, x, n",
    [
        (lambda: Value(1e-300) ** Value(-1.0), "pow", "1e-300", "-1.0"),
        (lambda: Value(1e-200) ** -1.0, "power", "1e-200", "-1.0"),
    ],
)
def test_an_overflowing_derivative_of_pow_names_the_op_and_the_values(
    make, rule: str, x: str, n: str, create_graph: bool
) -> None:
    t = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    (t ** float(n)).backward()
    assert not math.isfinite(float(t.grad))  # PyTorch: -inf, which this engine refuses
    y = make()
    with pytest.raises(OverflowError) as info:
        y.backward(create_graph=create_graph)
    message = str(info.value)
    assert f"{rule}: " in message and f"{x}" in message and f"{n}" in message and "overflow" in message
    assert "Numerical result" not in message


@pytest.mark.parametrize("create_graph", [False, True])
def test_sqrt_at_zero_says_its_derivative_is_infinite(create_graph: bool) -> None:
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    t.sqrt().backward()
    assert float(t.grad) == math.inf  # PyTorch: inf, which this engine refuses, saying why
    with pytest.raises(
        ZeroDivisionError,
        match=r"sqrt node \(data=0\.0\): sqrt: its derivative 1/\(2√x\) is infinite at x = 0\.0",
    ):
        Value(0.0).sqrt().backward(create_graph=create_graph)


def test_local_grads_of_a_valid_node_with_an_infinite_derivative() -> None:
    y = Value(0.0) ** 0.5  # sqrt at 0: the derivative is +inf
    assert y.local_grads == (math.inf,)
    assert Value(0.0).sqrt().local_grads == (math.inf,)
