"""The everyday operations of issue 9: constant bases and exponents, Value as a number, backward's seed.

Values and derivatives of the new ops are checked against PyTorch and finite differences with the other
ops in test_engine.py, test_properties.py, test_higher_order.py and test_gradcheck.py; domain errors in
test_errors.py. Here: the defects' own cases, what a Value does as a number (comparisons, bool, float,
detach), `backward(gradient, retain_graph)`, the bounded rule caches, and how graphs draw the new ops.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest
import torch

from autograd_lite import Stepper, Value, draw_graph, grad
from autograd_lite import functional as F
from autograd_lite.autograd.gradcheck import gradcheck, gradgradcheck
from autograd_lite.engine import rules as R


def tensor(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


# --- defect 1: number ** Value ---------------------------------------------------------------------


def test_zero_to_a_value_power_has_gradient_zero_as_in_torch() -> None:
    y = Value(0.5)
    out = 0.0**y
    out.backward()
    t = tensor(0.5)
    (0.0**t).backward()
    assert t.grad is not None
    assert out.data == 0.0 and y.grad == t.grad.item() == 0.0


def test_zero_to_a_value_power_second_derivative_is_zero() -> None:
    # 0 ** y = 0 for every y > 0, so every derivative is 0. (PyTorch's second derivative here is NaN:
    # its pow double backward multiplies by log 0.) Finite differences are the oracle.
    f = lambda y: 0.0**y * 3.0 + y
    assert F.grad(f)(0.5) == 1.0
    assert F.grad(F.grad(f))(0.5) == 0.0
    assert F.hessian(lambda ys: 0.0 ** ys[0] * ys[1])([0.5, 2.0]) == [[0.0, 0.0], [0.0, 0.0]]
    assert gradgradcheck(f, [0.5]).ok


@pytest.mark.parametrize("base", [0.5, 1.0, 2.0, 10.0])
def test_number_to_a_value_power_matches_torch_to_third_order(base: float) -> None:
    x0 = -0.7
    x = Value(x0)
    (d1,) = grad(base**x, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    t = tensor(x0)
    want, out = [], base**t
    for _ in range(3):
        (out,) = torch.autograd.grad(out, t, create_graph=True)
        want.append(out.item())
    assert [d1.data, d2.data, d3] == pytest.approx(want, rel=1e-13)


def test_constant_base_and_constant_exponent_have_their_own_op_names() -> None:
    x, y = Value(1.5), Value(0.5)
    assert (x**2).op == "power" and (x**2).rule is R.power(2.0)
    assert (x**y).op == "pow" and len((x**y).parents) == 2
    assert (2**x).op == "rpow" and (2**x).parents == (x,) and (2**x).rule is R.rpow(2.0)
    assert (2**x).local_grads == pytest.approx((2**1.5 * math.log(2.0),))


def test_value_base_at_zero_still_raises_with_a_value_exponent() -> None:
    # d/da a^b = b a^(b-1) is infinite at a = 0 for 0 < b < 1: an error, as before.
    a, b = Value(0.0), Value(0.5)
    with pytest.raises(ZeroDivisionError, match="pow"):
        (a**b).backward()


def test_rule_families_have_bounded_caches() -> None:
    for family in R.FAMILIES.values():
        info = family.cache_info()  # type: ignore[attr-defined]
        assert info.maxsize == R.FAMILY_CACHE_SIZE
    R.power.cache_clear()
    for n in range(3 * R.FAMILY_CACHE_SIZE):
        R.power(n + 0.5)
    assert R.power.cache_info().currsize == R.FAMILY_CACHE_SIZE
    x = Value(1.3)
    assert (x**2.5).data == pytest.approx(1.3**2.5)  # a rule made again after it was dropped


# --- the new ops: values at the edges of their domains -----------------------------------------------


def steps_from(x: float, n: int) -> float:
    """The double n steps (ulps) above x (below for negative n)."""
    for _ in range(abs(n)):
        x = math.nextafter(x, math.inf if n > 0 else -math.inf)
    return x


def test_tan_refuses_doubles_within_four_ulps_of_a_pole_and_arctan_never_fails() -> None:
    # The double nearest π/2 is 6.1e-17 from the pole; an ulp there is 2.2e-16; the limit is 2^-50.
    for n in (-3, 0, 3):
        with pytest.raises(ValueError, match="pole"):
            Value(steps_from(math.pi / 2, n)).tan()
    for n in (-5, 5):
        x0 = steps_from(math.pi / 2, n)
        x = Value(x0)
        y = x.tan()
        y.backward()
        t = tensor(x0)
        torch.tan(t).backward()
        assert t.grad is not None
        assert (y.data, x.grad) == pytest.approx((math.tan(x0), t.grad.item()), rel=1e-12)
    for x in (-1e308, -1e6, 0.0, 1e-300, 1e308):
        v = Value(x)
        y = v.arctan()
        y.backward()
        t = tensor(x)
        torch.atan(t).backward()
        assert t.grad is not None
        assert (y.data, v.grad) == pytest.approx((math.atan(x), t.grad.item()), rel=1e-15, abs=0.0)


def test_sqrt_at_zero_is_zero_and_its_derivative_there_is_an_error() -> None:
    x = Value(0.0)
    y = x.sqrt()
    assert y.data == 0.0
    with pytest.raises(ZeroDivisionError, match="sqrt"):
        y.backward()
    assert x.grad == 0.0


@pytest.mark.parametrize(
    ("make", "torch_make"),
    [
        (lambda v: v.log1p(), torch.log1p),
        (lambda v: v.expm1(), torch.expm1),
    ],
    ids=["log1p", "expm1"],
)
def test_log1p_and_expm1_keep_their_digits_for_tiny_x(
    make: Callable[[Any], Any], torch_make: Callable[[Any], Any]
) -> None:
    x = Value(1e-12)
    y = make(x)
    y.backward()
    t = tensor(1e-12)
    out = torch_make(t)
    out.backward()
    assert t.grad is not None
    assert y.data == pytest.approx(out.item(), rel=1e-15) and y.data != 0.0
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-15)


@pytest.mark.parametrize(
    ("make", "torch_make", "x0"),
    [
        (lambda v: v.clamp(0.0, 1.0), lambda t: t.clamp(0.0, 1.0), 0.0),
        (lambda v: v.clamp(0.0, 1.0), lambda t: t.clamp(0.0, 1.0), 1.0),
        (lambda v: abs(v), torch.abs, 0.0),
        (lambda v: v.sign(), torch.sign, 0.0),
        (lambda v: v.leaky_relu(0.3), lambda t: torch.nn.functional.leaky_relu(t, 0.3), 0.0),
        (lambda v: v.elu(2.0), lambda t: torch.nn.functional.elu(t, 2.0), 0.0),
        (lambda v: v.relu(), torch.relu, 0.0),
    ],
    ids=["clamp_low", "clamp_high", "abs", "sign", "leaky_relu", "elu", "relu"],
)
def test_derivatives_at_the_kinks_follow_torch(
    make: Callable[[Any], Any], torch_make: Callable[[Any], Any], x0: float
) -> None:
    x = Value(x0)
    y = make(x)
    y.backward()
    t = tensor(x0)
    out = torch_make(t)
    out.backward()
    assert t.grad is not None
    assert (y.data, x.grad) == (out.item(), t.grad.item())


def test_parametrised_ops_pass_gradcheck_on_both_sides() -> None:
    for x0 in (-0.8, 0.6):
        assert gradcheck(lambda v: v.elu(0.3) + v.leaky_relu(0.05) + v.clamp(-0.5, 0.5), [x0]).ok


# --- a Value as a number -----------------------------------------------------------------------------


def test_comparisons_look_at_the_data_and_equality_stays_identity() -> None:
    a, b, c = Value(1.0), Value(2.0), Value(1.0)
    assert a < b and a <= b and b > a and b >= a and a <= c and a >= c
    assert not a < c and not a > c
    assert a < 1.5 and a > 0.5 and a >= 1  # numbers on either side
    assert max([a, b, c]) is b and min([b, a]) is a and sorted([b, a, Value(-1.0)])[0].data == -1.0
    assert a != c and a == a and len({a, c}) == 2  # == is identity: Values hash by identity


def test_comparisons_record_nothing() -> None:
    a = Value(1.0)
    assert (a < 2.0) is True and a.is_leaf and a.grad == 0.0


@pytest.mark.parametrize("x", [0.0, -0.0, 2.5, -1e-300])
def test_bool_is_the_data_being_nonzero_as_in_torch(x: float) -> None:
    assert bool(Value(x)) is bool(torch.tensor(x, dtype=torch.float64)) is (x != 0.0)


def test_float_item_pos_and_detach() -> None:
    x = Value(1.25, "x")
    y = x * 2.0
    assert float(y) == y.item() == 2.5 and type(y.item()) is float
    assert +y is y
    d = y.detach()
    assert d is not y and d.is_leaf and d.data == 2.5 and d.grad == 0.0
    (d * x).backward()
    assert x.grad == 2.5 and y.grad == 0.0  # no gradient flows through a detached copy
    assert math.sqrt(Value(16.0)) == 4.0  # float() makes math functions accept a Value


# --- backward(gradient, retain_graph) -------------------------------------------------------------------


@pytest.mark.parametrize("seed", [2.5, -0.5, 0.0, 3])
def test_backward_seed_scales_every_gradient_as_in_torch(seed: float) -> None:
    x, w = Value(0.7), Value(-1.3)
    y = (x * w).tanh() + x.sin()
    y.backward(gradient=seed, retain_graph=True)
    tx, tw = tensor(0.7), tensor(-1.3)
    ty = (tx * tw).tanh() + tx.sin()
    ty.backward(gradient=torch.tensor(float(seed), dtype=torch.float64))
    assert tx.grad is not None and tw.grad is not None
    assert (x.grad, w.grad) == pytest.approx((tx.grad.item(), tw.grad.item()), rel=1e-14, abs=0.0)


def test_backward_runs_twice_with_or_without_retain_graph() -> None:
    x = Value(0.3)
    y = x.exp()
    y.backward(retain_graph=False)
    y.backward(retain_graph=None)
    assert x.grad == pytest.approx(2 * math.exp(0.3))


def test_a_value_seed_with_create_graph_is_differentiable() -> None:
    # y = x², seed s: x.grad = s·2x, so d(x.grad)/ds = 2x and d(x.grad)/dx = 2s.
    x, s = Value(1.5), Value(-2.0)
    (x * x).backward(gradient=s, create_graph=True)
    gx = x.grad
    assert isinstance(gx, Value) and gx.data == -6.0
    assert grad(gx, [s, x]) == [3.0, -4.0]
    plain = Value(1.5)
    (plain * plain).backward(gradient=Value(-2.0))  # without create_graph the seed's data is used
    assert plain.grad == -6.0


# --- drawing: every new op shows its symbol ---------------------------------------------------------------

DRAWN: list[tuple[Callable[[Value], Value], str, str]] = [
    (lambda v: v.sqrt(), "√", "√(x)"),
    (lambda v: abs(v), "abs", "abs(x)"),
    (lambda v: v.sin(), "sin", "sin(x)"),
    (lambda v: v.cos(), "cos", "cos(x)"),
    (lambda v: v.tan(), "tan", "tan(x)"),
    (lambda v: v.arctan(), "arctan", "arctan(x)"),
    (lambda v: v.log1p(), "log1p", "log1p(x)"),
    (lambda v: v.expm1(), "expm1", "expm1(x)"),
    (lambda v: v.sign(), "sign", "sign(x)"),
    (lambda v: v.clamp(0, 1), "clamp[0, 1]", "clamp[0, 1](x)"),
    (lambda v: v.clamp(max=2), "clamp[-∞, 2]", "clamp[-∞, 2](x)"),
    (lambda v: v.leaky_relu(), "leaky_relu[0.01]", "leaky_relu[0.01](x)"),
    (lambda v: v.elu(0.5), "elu[0.5]", "elu[0.5](x)"),
    (lambda v: 2**v, "2**", "2**x"),
    (lambda v: v**3, "**3", "x**3"),
    (lambda v: v ** Value(2.0, "n"), "**", "x ** n"),
]


@pytest.mark.parametrize(("make", "symbol", "expression"), DRAWN, ids=[d[1] for d in DRAWN])
def test_graph_and_stepper_show_each_new_op_with_its_symbol(
    make: Callable[[Value], Value], symbol: str, expression: str
) -> None:
    x = Value(0.5, "x")
    y = make(x)
    y.label = "y"
    assert y.rule is not None and y.rule.symbol == symbol
    source = draw_graph(y, show_local=True).source
    assert re.search(rf'op \[label="?{re.escape(symbol)}"? ', source), source  # the op's ellipse
    assert f"y = {expression}" in Stepper(y).describe(0)
