"""gradcheck / gradgradcheck: pass on every rule in the table, fail loudly on a deliberately broken one.

The oracle inside gradcheck is central finite differences; here its numeric side is itself checked
against closed-form derivatives, and a deliberately broken copy of a rule (applied to Values with
`apply`) must produce a report naming the input and both numbers.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import pytest

from autograd_lite import RULES, Rule, Value, apply
from autograd_lite.autograd.gradcheck import (
    DEFAULT_EPS,
    GradcheckError,
    GradcheckResult,
    gradcheck,
    gradgradcheck,
)
from autograd_lite.engine.rules import FAMILIES

# One case per rule in the table: a function applying it and a point safely inside its domain
# (away from relu's kink, log's pole, a negative base under a Value exponent).
RULE_CASES: dict[str, tuple[Callable[..., Value], list[float]]] = {
    "add": (lambda a, b: a + b, [0.3, -1.7]),
    "sub": (lambda a, b: a - b, [0.3, -1.7]),
    "mul": (lambda a, b: a * b, [0.3, -1.7]),
    "div": (lambda a, b: a / b, [0.3, -1.7]),
    "neg": (lambda a: -a, [0.8]),
    "pow": (lambda a, b: a**b, [1.3, -0.6]),
    "exp": (lambda a: a.exp(), [0.4]),
    "log": (lambda a: a.log(), [0.7]),
    "tanh": (lambda a: a.tanh(), [-0.9]),
    "sigmoid": (lambda a: a.sigmoid(), [1.1]),
    "relu": (lambda a: a.relu(), [0.6]),
    "sum": (lambda a, b, c: Value.sum([a, b, c, a]), [0.3, -1.7, 2.2]),
    "sqrt": (lambda a: a.sqrt(), [0.7]),
    "abs": (lambda a: abs(a) * a, [-0.7]),
    "sin": (lambda a: a.sin(), [0.7]),
    "cos": (lambda a: a.cos(), [0.7]),
    "tan": (lambda a: a.tan(), [0.7]),
    "arctan": (lambda a: a.arctan(), [0.7]),
    "log1p": (lambda a: a.log1p(), [-0.3]),
    "expm1": (lambda a: a.expm1(), [0.4]),
    "sign": (lambda a: a.sign() * a * a, [-0.7]),
}

# One case per family of rules with a constant parameter (rules.FAMILIES).
FAMILY_CASES: dict[str, tuple[Callable[..., Value], list[float]]] = {
    "power": (lambda a: a**2.5, [1.6]),
    "rpow": (lambda a: 3.0**a, [0.6]),
    "leaky_relu": (lambda a: a.leaky_relu(0.2) * a, [-0.6]),
    "elu": (lambda a: a.elu(0.7), [-0.6]),
    "clamp": (lambda a: a.clamp(-1.0, 1.0) * a, [0.6]),
}

EXTRA_CASES: dict[str, tuple[Callable[..., Value], list[float]]] = {
    "relu_negative_side": (lambda a: a.relu() + a, [-0.6]),
    "power_int": (lambda a: a**3, [-1.4]),
    "power_fraction": (lambda a: a**2.5, [1.6]),
    "power_negative": (lambda a: a**-2, [0.9]),
    "number_pow_value": (lambda a: 2.0**a, [0.5]),
    "numbers_on_the_left": (lambda a: (3.0 - a) * (2.0 / a) + (1.0 + a), [1.2]),
    "large_input": (lambda a: (a * 1e-3).tanh() * a, [2500.0]),
}


def test_every_rule_has_a_case() -> None:
    assert set(RULE_CASES) == set(RULES)
    assert set(FAMILY_CASES) == set(FAMILIES)


ALL_CASES = {**RULE_CASES, **{f"family_{k}": v for k, v in FAMILY_CASES.items()}, **EXTRA_CASES}


@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_gradcheck_passes_on_every_rule(name: str) -> None:
    f, point = ALL_CASES[name]
    result = gradcheck(f, point)
    assert result.ok and bool(result)
    assert len(result.entries) == len(point)
    assert result.worst_rel_error < 1e-8  # the lecture's step makes central differences this accurate


@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_gradgradcheck_passes_on_every_rule(name: str) -> None:
    f, point = ALL_CASES[name]
    result = gradgradcheck(f, point)
    assert result.ok
    assert len(result.entries) == len(point) ** 2


def test_numeric_side_matches_closed_forms() -> None:
    # f(x, y) = e^x·y + tanh(xy): ∂f/∂x = e^x·y + y(1 - tanh²(xy)), ∂f/∂y = e^x + x(1 - tanh²(xy))
    x, y = 0.5, -1.2
    sech2 = 1.0 - math.tanh(x * y) ** 2
    result = gradcheck(lambda a, b: a.exp() * b + (a * b).tanh(), [x, y])
    numeric = [e.numeric for e in result.entries]
    assert numeric == pytest.approx([math.exp(x) * y + y * sech2, math.exp(x) + x * sech2], rel=1e-9)
    assert [e.step for e in result.entries] == [DEFAULT_EPS, DEFAULT_EPS * 1.2]  # h = ε^(1/3)·max(|x|, 1)
    assert abs(DEFAULT_EPS - 6.055454e-6) < 1e-11


def test_lecture_derivatives_three_ways() -> None:
    # lecture item 7 (docs/lectures.md): f = (2x1 + 3x2)² + 3 at (1, 3); ∂f/∂x1 = 44. With h = 0.01 per side
    # (a 0.02-wide central difference) the slide gets (124.4404 - 123.5604) / 0.02 ≈ 44.
    f = lambda x1, x2: (2 * x1 + 3 * x2) ** 2 + 3
    coarse = gradcheck(f, [1.0, 3.0], eps=0.01).entries[0]
    assert coarse.numeric == pytest.approx(44.0, abs=1e-9) and coarse.analytic == 44.0
    fine = gradcheck(f, [1.0, 3.0])
    assert [e.analytic for e in fine.entries] == [44.0, 66.0]


def test_gradgradcheck_numeric_side_matches_closed_forms() -> None:
    # f = x²y³: f_xx = 2y³, f_xy = 6xy², f_yy = 6x²y
    x, y = 1.5, -0.7
    result = gradgradcheck(lambda a, b: a**2 * b**3, [x, y])
    numeric = {e.derivative: e.numeric for e in result.entries}
    assert numeric["∂²f/∂x0∂x0"] == pytest.approx(2 * y**3, rel=1e-8)
    assert numeric["∂²f/∂x0∂x1"] == pytest.approx(6 * x * y**2, rel=1e-8)
    assert numeric["∂²f/∂x1∂x0"] == pytest.approx(6 * x * y**2, rel=1e-8)
    assert numeric["∂²f/∂x1∂x1"] == pytest.approx(6 * x**2 * y, rel=1e-8)


# --- a broken rule must be caught -------------------------------------------------------------------


def broken(name: str, local: Callable[..., Any]) -> Rule:
    """A copy of rule `name` from the table with a wrong `local`, applied with `apply` in one test."""
    return dataclasses.replace(RULES[name], local=local)


def test_gradcheck_fails_on_a_broken_rule_with_a_useful_report() -> None:
    bad_exp = broken("exp", lambda x, out: (2.0 * out,))  # wrong: d e^x/dx = e^x
    x = Value(0.5, "x")
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda a, b: apply(bad_exp, a) * b, [x, 3.0])
    result = caught.value.result
    assert not result.ok
    [bad] = result.failures  # ∂/∂b = e^x is right; ∂/∂x is doubled
    assert bad.derivative == "∂f/∂x" and bad.input == "x" and bad.point == 0.5
    assert bad.analytic == pytest.approx(6 * math.exp(0.5), rel=1e-12)
    assert bad.numeric == pytest.approx(3 * math.exp(0.5), rel=1e-9)
    assert result.worst_abs_error == pytest.approx(3 * math.exp(0.5), rel=1e-9)
    report = str(caught.value)
    assert "FAILED: 1 of 2" in report
    assert "x = 0.5" in report and "FAIL" in report
    assert f"{bad.analytic:.12g}" in report and f"{bad.numeric:.12g}" in report
    assert x.data == 0.5 and x.grad == 0.0  # the inputs are not touched


def test_gradcheck_without_raising_returns_the_failed_result() -> None:
    bad_tanh = broken("tanh", lambda x, out: (1.0 + out * out,))  # sign error
    result = gradcheck(lambda a: apply(bad_tanh, a), [0.8], raise_exception=False)
    assert isinstance(result, GradcheckResult) and not result and not result.ok
    assert result.entries[0].numeric == pytest.approx(1 - math.tanh(0.8) ** 2, rel=1e-9)
    assert result.entries[0].analytic == pytest.approx(1 + math.tanh(0.8) ** 2, rel=1e-12)


def test_gradgradcheck_catches_a_rule_that_only_works_to_first_order() -> None:
    # Computing the local derivative from .data gives the right number but cuts it out of the graph,
    # so its own derivative (needed for second derivatives) is lost: d²tanh/dx² comes out 0.
    bad_tanh = broken("tanh", lambda x, out: (1.0 - getattr(out, "data", out) ** 2,))
    f = lambda a: apply(bad_tanh, a)
    assert gradcheck(f, [0.8]).ok
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(f, [0.8])
    [bad] = caught.value.result.failures
    t = math.tanh(0.8)
    assert bad.analytic == 0.0
    assert bad.numeric == pytest.approx(-2 * t * (1 - t * t), rel=1e-7)
    assert "∂²f/∂x0∂x0" in str(caught.value)


def test_vector_outputs_check_every_entry_of_the_jacobian() -> None:
    result = gradcheck(lambda a, b: [a * b, a.sigmoid(), 2.0], [0.4, -2.0])
    names = [e.derivative for e in result.entries]
    assert names == ["∂f[0]/∂x0", "∂f[0]/∂x1", "∂f[1]/∂x0", "∂f[1]/∂x1", "∂f[2]/∂x0", "∂f[2]/∂x1"]
    assert [e.numeric for e in result.entries] == pytest.approx(
        [-2.0, 0.4, math.exp(-0.4) / (1 + math.exp(-0.4)) ** 2, 0.0, 0.0, 0.0], rel=1e-9, abs=1e-12
    )


def test_report_of_a_passing_check_reads_well() -> None:
    text = str(gradcheck(lambda a: a * a, [Value(3.0, "w")]))
    lines = text.splitlines()
    assert lines[0].startswith("gradcheck passed: 1 of 1 agree")
    assert lines[1].split()[:2] == ["derivative", "at"]
    assert lines[2].split()[:4] == ["∂f/∂w", "w", "=", "3"]
    assert lines[-1].startswith("worst abs error")


# --- bad input --------------------------------------------------------------------------------------


def test_a_step_outside_the_domain_names_the_input() -> None:
    with pytest.raises(ValueError, match=r"gradcheck: f failed at x0 = -?[0-9.e-]+ .*from 1e-07.*log"):
        gradcheck(lambda a: a.log(), [1e-7])


@pytest.mark.parametrize(
    ("inputs", "error", "match"),
    [
        ([], ValueError, r"^gradcheck: inputs must be a non-empty sequence of numbers, got \[\]$"),
        (["a"], TypeError, r"^gradcheck: inputs\[0\] must be a finite number, got 'a'$"),
        ([1.0, math.nan], ValueError, r"^gradcheck: inputs\[1\] must be a finite number, got nan$"),
        (1.0, TypeError, r"^gradcheck: inputs must be a list of numbers or Values, got 1.0$"),
    ],
)
def test_bad_inputs_are_rejected(inputs: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        gradcheck(lambda *xs: Value.sum(xs), inputs)


def test_bad_tolerances_and_outputs_are_rejected() -> None:
    with pytest.raises(
        ValueError, match=r"^gradcheck: eps must be a finite number > 0.0 and < 1.0, got 0.0$"
    ):
        gradcheck(lambda a: a, [1.0], eps=0.0)
    with pytest.raises(ValueError, match=r"^gradcheck: atol must be a finite number >= 0.0, got -1.0$"):
        gradcheck(lambda a: a, [1.0], atol=-1.0)
    with pytest.raises(TypeError, match=r"^gradgradcheck: rtol must be a finite number >= 0.0, got '1'$"):
        gradgradcheck(lambda a: a, [1.0], rtol="1")
    with pytest.raises(TypeError, match=r"^gradcheck: f's output must be a Value or a number, got 'oops'$"):
        gradcheck(lambda a: "oops", [1.0])
    with pytest.raises(ValueError, match="returned no outputs"):
        gradgradcheck(lambda a: [], [1.0])
