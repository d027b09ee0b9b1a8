"""Bad input raises a clear error that names the operation and the value, and changes nothing.

Each failing operation is applied to a node of an existing graph whose backward pass has
already run. A snapshot of (data, grad, parents, op) of every node is compared before and
after the failure, and a fresh backward pass afterwards must give the same gradients.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from autograd_lite import Value, grad, topological_order

Snapshot = list[tuple[Value, float, Any, tuple[Value, ...], str]]


def snapshot(root: Value) -> Snapshot:
    """(node, data, grad, parents, op) for every node `root` depends on, in topological order."""
    return [(n, n.data, n.grad, n.parents, n.op) for n in topological_order(root)]


def assert_unchanged(before: Snapshot, root: Value) -> None:
    after = snapshot(root)
    assert len(after) == len(before)
    for (n0, d0, g0, p0, o0), (n1, d1, g1, p1, o1) in zip(before, after):
        assert n0 is n1
        assert (d0, g0, o0) == (d1, g1, o1), n1
        assert len(p0) == len(p1) and all(a is b for a, b in zip(p0, p1))


def graph_around(value: float) -> tuple[Value, Value, list[Value]]:
    """A small graph with a node `operand` holding `value`, backward already run on its output."""
    x, w = Value(value, "x"), Value(0.5, "w")
    operand = x * 1.0  # an intermediate node holding `value`
    out = (operand * w).tanh() + w.exp() + x * w
    out.backward()
    return operand, out, [x, w]


def assert_backward_gives_same_grads(out: Value, leaves: list[Value]) -> None:
    expected = [leaf.grad for leaf in leaves]
    out.zero_grad()
    out.backward()
    assert [leaf.grad for leaf in leaves] == expected


NOT_A_NUMBER: Any = "x"  # typed Any: the point is to pass the wrong type

# value the failing op sees, the failing op, exception type, words the message must contain
FORWARD_ERRORS: list[tuple[str, float, Callable[[Any], Any], type[Exception], list[str]]] = [
    ("log_zero", 0.0, lambda v: v.log(), ValueError, ["log", "0"]),
    ("log_negative", -1.0, lambda v: v.log(), ValueError, ["log", "-1"]),
    ("div_by_zero_number", 3.0, lambda v: v / 0, ZeroDivisionError, ["div", "3"]),
    ("div_by_zero_value", 0.0, lambda v: 1.5 / v, ZeroDivisionError, ["div"]),
    ("rdiv_by_zero", 0.0, lambda v: 1 / v, ZeroDivisionError, ["div"]),
    ("sqrt_negative", -8.0, lambda v: v**0.5, ValueError, ["power", "-8"]),
    ("value_pow_negative_base", -8.0, lambda v: v ** Value(0.5), ValueError, ["pow", "-8"]),
    ("zero_to_negative_power", 0.0, lambda v: v**-1, ZeroDivisionError, ["power"]),
    ("zero_to_negative_value_power", 0.0, lambda v: v ** Value(-1.0), ZeroDivisionError, ["pow"]),
    ("exp_overflow", 1000.0, lambda v: v.exp(), OverflowError, ["exp", "1000"]),
    ("mul_overflow", 1e200, lambda v: v * 1e200, OverflowError, ["mul", "1e+200"]),
    ("rmul_overflow", 1e200, lambda v: 1e200 * v, OverflowError, ["mul", "1e+200"]),
    ("add_overflow", 1.7e308, lambda v: v + v, OverflowError, ["add"]),
    ("pow_overflow", 1e200, lambda v: v**2, OverflowError, ["power"]),
    ("add_string", 1.0, lambda v: v + "x", TypeError, ["add", "str"]),
    ("radd_string", 1.0, lambda v: "x" + v, TypeError, ["str"]),
    ("mul_none", 1.0, lambda v: v * None, TypeError, ["mul", "NoneType"]),
    ("add_nan", 1.0, lambda v: v + float("nan"), ValueError, ["add", "nan"]),
    ("mul_inf", 1.0, lambda v: v * float("inf"), ValueError, ["mul", "inf"]),
    ("pow_nan_exponent", 2.0, lambda v: v ** float("nan"), ValueError, ["power", "nan"]),
    ("sum_with_string", 1.0, lambda v: Value.sum([v, NOT_A_NUMBER]), TypeError, ["sum", "str"]),
    ("sum_of_nothing", 1.0, lambda v: Value.sum([]), ValueError, ["sum"]),
    ("sqrt_method_negative", -8.0, lambda v: v.sqrt(), ValueError, ["sqrt", "-8"]),
    ("log1p_at_minus_one", -1.0, lambda v: v.log1p(), ValueError, ["log1p", "-1"]),
    ("tan_at_a_pole", math.pi / 2, lambda v: v.tan(), ValueError, ["tan", "1.57", "pole"]),
    ("tan_at_a_negative_pole", -3 * math.pi / 2, lambda v: v.tan(), ValueError, ["tan", "-4.71", "pole"]),
    ("expm1_overflow", 1000.0, lambda v: v.expm1(), OverflowError, ["expm1", "1000"]),
    ("number_pow_value_negative_base", 0.5, lambda v: (-2.0) ** v, ValueError, ["rpow", "-2"]),
    ("zero_to_a_negative_value", -1.0, lambda v: 0.0**v, ZeroDivisionError, ["rpow", "-1"]),
    ("rpow_overflow", 2000.0, lambda v: 2**v, OverflowError, ["rpow", "2000"]),
    ("rpow_string_base", 1.0, lambda v: v.__rpow__("x"), TypeError, ["rpow", "str"]),
    ("power_string", 1.0, lambda v: v**NOT_A_NUMBER, TypeError, ["power", "str"]),
    ("clamp_no_bounds", 1.0, lambda v: v.clamp(), ValueError, ["clamp", "min or max"]),
    ("clamp_min_above_max", 1.0, lambda v: v.clamp(2.0, 1.0), ValueError, ["clamp", "min", "2.0"]),
    ("clamp_nan_bound", 1.0, lambda v: v.clamp(max=float("nan")), ValueError, ["clamp", "max", "nan"]),
    ("clamp_string_bound", 1.0, lambda v: v.clamp(NOT_A_NUMBER), TypeError, ["clamp", "min", "'x'"]),
    ("leaky_relu_inf_slope", 1.0, lambda v: v.leaky_relu(math.inf), ValueError, ["leaky_relu", "slope"]),
    ("leaky_relu_bool_slope", 1.0, lambda v: v.leaky_relu(True), TypeError, ["leaky_relu", "slope", "True"]),
    ("elu_string_alpha", 1.0, lambda v: v.elu(NOT_A_NUMBER), TypeError, ["elu", "alpha"]),
    ("compare_with_string", 1.0, lambda v: v < NOT_A_NUMBER, TypeError, ["compare", "str"]),
    (
        "backward_nan_seed",
        1.0,
        lambda v: v.backward(float("nan")),
        ValueError,
        ["backward", "gradient", "nan"],
    ),
    ("backward_string_seed", 1.0, lambda v: v.backward(NOT_A_NUMBER), TypeError, ["backward", "gradient"]),
]


@pytest.mark.parametrize(
    ("value", "fail", "error", "words"), [c[1:] for c in FORWARD_ERRORS], ids=[c[0] for c in FORWARD_ERRORS]
)
def test_failed_op_raises_a_clear_error_and_leaves_the_graph_as_it_was(
    value: float, fail: Callable[[Any], Any], error: type[Exception], words: list[str]
) -> None:
    operand, out, leaves = graph_around(value)
    before = snapshot(out)
    with pytest.raises(error) as info:
        fail(operand)
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)
    assert_unchanged(before, out)
    assert_backward_gives_same_grads(out, leaves)


@pytest.mark.parametrize(
    ("bad", "error", "word"),
    [
        (float("nan"), ValueError, "nan"),
        (float("inf"), ValueError, "inf"),
        (float("-inf"), ValueError, "inf"),
        ("x", TypeError, "str"),
        (None, TypeError, "NoneType"),
        (3j, TypeError, "complex"),
        ([1.0], TypeError, "list"),
    ],
)
def test_value_rejects_non_finite_and_non_numbers(bad: Any, error: type[Exception], word: str) -> None:
    with pytest.raises(error, match=word):
        Value(bad)


def test_failed_op_inside_an_expression_leaves_earlier_nodes_untouched() -> None:
    x = Value(2.0)
    y = x * 3.0
    y.backward()
    before = snapshot(y)
    with pytest.raises(ValueError, match="log"):
        (y - 6.0).log()  # log(0): the sub node is made, then log fails
    assert_unchanged(before, y)


def test_backward_gradient_overflow_is_an_error_not_inf() -> None:
    x, w = Value(1e-320, "x"), Value(2.0, "w")
    out = x.log() * w
    w.grad, x.grad = 5.0, 7.0  # grads from an earlier pass must survive the failed one
    before = snapshot(out)
    with pytest.raises(OverflowError, match="backward"):
        out.backward()
    assert_unchanged(before, out)
    with pytest.raises(OverflowError):
        grad(out, [x, w])
    assert_unchanged(before, out)


@pytest.mark.parametrize("create_graph", [False, True])
def test_backward_at_a_kink_of_pow_is_an_error_naming_pow(create_graph: bool) -> None:
    # d/dx x**0.5 = 0.5 / sqrt(x) is infinite at 0: an error, never inf or NaN.
    x, w = Value(0.0, "x"), Value(2.0, "w")
    y = x**0.5 * w + w.tanh()
    assert y.data == math.tanh(2.0)
    x.grad, w.grad = 3.0, -1.0
    before = snapshot(y)
    with pytest.raises(ArithmeticError, match="power"):
        y.backward(create_graph=create_graph)
    assert_unchanged(before, y)


def test_graph_still_works_after_a_failed_backward() -> None:
    x, w = Value(1e-320, "x"), Value(2.0, "w")
    bad = x.log() * w
    with pytest.raises(OverflowError):
        bad.backward()
    good = w * w + w.tanh()
    good.backward()
    assert good.grad == 1.0
    # d/dw (w^2 + tanh w) = 2w + 1 - tanh(w)^2
    assert math.isclose(w.grad, 4.0 + 1.0 - math.tanh(2.0) ** 2, rel_tol=1e-15)
    assert x.grad == 0.0


@pytest.mark.parametrize(
    ("make", "op"),
    [
        (lambda: Value(10**400), "Value"),
        (lambda: Value(1.0) + 10**400, "add"),
        (lambda: 10**400 * Value(1.0), "mul"),
    ],
    ids=["Value", "add", "rmul"],
)
def test_huge_int_is_an_error_naming_the_operation(make: Callable[[], Any], op: str) -> None:
    # float(10**400) overflows; the error must still say which operation got which operand.
    with pytest.raises((OverflowError, ValueError)) as info:
        make()
    assert op in str(info.value), str(info.value)
