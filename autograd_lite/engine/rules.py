"""The table of differentiation rules: every primitive operation, defined once.

Each `Rule` pairs a forward function on plain floats with the *local derivatives* of its
output with respect to each input -- the numbers that sit on the edges of the computation
graph and that backprop multiplies by the gradient arriving from above (the chain rule):

    dL/dx_i  +=  dL/d(out) * d(out)/dx_i
                 ^^^^^^^^^   ^^^^^^^^^^^^^ local derivative, from this table

A rule's `local` function is called as ``local(*inputs, out)``. It is written with plain
arithmetic, so it works on floats (ordinary backprop) and on `Value` nodes alike (backprop
with ``create_graph=True``, which records the derivative itself as a graph so it can be
differentiated again). Every forward function checks its operands and raises an error that
names the operation and the offending value instead of returning NaN or infinity.

Adding an operation means adding one `Rule` here and a method on `Value` that applies it.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Rule", "RULES", "power"]


@dataclass(frozen=True, eq=False)
class Rule:
    """One primitive operation: its name, how it is drawn, its forward and local derivatives."""

    name: str  # the op's name, e.g. "mul"; what `Value.op` reports
    symbol: str  # how graphs draw it, e.g. "*"
    forward: Callable[..., float]  # floats in, float out; raises on bad input
    local: Callable[..., tuple[Any, ...]]  # (*inputs, out) -> d out / d input_i, one per input
    doc: str = field(default="", repr=False)  # the math, for tables and tooltips

    def __repr__(self) -> str:
        return f"Rule({self.name!r})"


# --- helpers that work on floats and on Values (for derivatives of derivatives) ------------


def _log(x: Any) -> Any:
    return x.log() if hasattr(x, "log") else math.log(x)


def _data(x: Any) -> float:
    """The number inside x (a float, or a Value's data): for derivatives that branch on it."""
    return getattr(x, "data", x)


def _is_integer(x: float) -> bool:
    return x == math.floor(x)


# --- forward functions that need guarding ----------------------------------------------------


def _div(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"div: division by zero ({a!r} / {b!r})")
    return a / b


def _pow(a: float, b: float) -> float:
    if a < 0.0 and not _is_integer(b):
        raise ValueError(f"pow: negative base {a!r} to the non-integer power {b!r} is not real")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"pow: zero base to the negative power {b!r}")
    try:
        return a**b
    except OverflowError:
        raise OverflowError(f"pow: {a!r} ** {b!r} overflows a float") from None


def _pow_value(a: float, b: float) -> float:
    # With a Value exponent, d/db a^b = a^b * log(a) needs a > 0 (or a = 0, where it is 0).
    if a < 0.0:
        raise ValueError(
            f"pow: negative base {a!r} with a Value exponent: d/db a**b = a**b*log(a) is not real; "
            "use a plain number as the exponent"
        )
    return _pow(a, b)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: exp({x!r}) overflows a float (largest argument ~709.78)") from None


def _log_forward(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: operand must be positive, got {x!r}")
    return math.log(x)


def _sigmoid(x: float) -> float:
    # Stable for any x: never evaluates exp of a large positive number.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _sum(*xs: float) -> float:
    return math.fsum(xs)


# --- the table -------------------------------------------------------------------------------

ADD = Rule("add", "+", operator.add, lambda a, b, out: (1.0, 1.0), "d(a+b)/da = 1, d(a+b)/db = 1")
SUB = Rule("sub", "-", operator.sub, lambda a, b, out: (1.0, -1.0), "d(a-b)/da = 1, d(a-b)/db = -1")
MUL = Rule("mul", "*", operator.mul, lambda a, b, out: (b, a), "d(ab)/da = b, d(ab)/db = a")
DIV = Rule("div", "/", _div, lambda a, b, out: (1.0 / b, -out / b), "d(a/b)/da = 1/b, d(a/b)/db = -a/b^2")
NEG = Rule("neg", "-", operator.neg, lambda x, out: (-1.0,), "d(-x)/dx = -1")
POW = Rule(
    "pow",
    "**",
    _pow_value,
    lambda a, b, out: (
        0.0 if _data(a) == 0.0 == _data(b) else b * a ** (b - 1.0),  # 0^b is 1 near b = 0
        0.0 if _data(a) == 0.0 else out * _log(a),  # as PyTorch: 0 where log a is -inf
    ),
    "d(a^b)/da = b*a^(b-1), d(a^b)/db = a^b*log(a)",
)
EXP = Rule("exp", "exp", _exp, lambda x, out: (out,), "d(e^x)/dx = e^x")
LOG = Rule("log", "log", _log_forward, lambda x, out: (1.0 / x,), "d(log x)/dx = 1/x")
TANH = Rule("tanh", "tanh", math.tanh, lambda x, out: (1.0 - out * out,), "d(tanh x)/dx = 1 - tanh(x)^2")
SIGMOID = Rule("sigmoid", "σ", _sigmoid, lambda x, out: (out * (1.0 - out),), "dσ(x)/dx = σ(x)(1 - σ(x))")
RELU = Rule(
    "relu",
    "relu",
    lambda x: x if x > 0.0 else 0.0,
    lambda x, out: (1.0 if _data(x) > 0.0 else 0.0,),
    "d relu(x)/dx = 1 if x > 0 else 0",
)
SUM = Rule("sum", "Σ", _sum, lambda *xs_out: (1.0,) * (len(xs_out) - 1), "d(Σ x_i)/dx_i = 1")


@functools.cache
def power(n: float) -> Rule:
    """The rule for x ** n with a constant exponent n: d(x^n)/dx = n * x^(n-1).

    One rule per exponent (cached), so the exponent is part of the op, not a graph node.
    """
    label = f"{n:g}"
    if n == 0.0:  # x^0 = 1 is constant: its derivative is 0 everywhere, x = 0 included
        return Rule("pow", "**0", lambda x: 1.0, lambda x, out: (0.0,), "d(x^0)/dx = 0")
    return Rule(
        "pow",
        f"**{label}",
        lambda x: _pow(x, n),
        lambda x, out: (n * x ** (n - 1.0),),
        f"d(x^{label})/dx = {label}*x^({label}-1)",
    )


RULES: dict[str, Rule] = {
    r.name: r for r in (ADD, SUB, MUL, DIV, NEG, POW, EXP, LOG, TANH, SIGMOID, RELU, SUM)
}
"""Every primitive by name. (`pow` here is Value ** Value; Value ** number uses `power(n)`.)"""
