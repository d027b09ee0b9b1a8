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

A rule's `code` function is the same idea on *source text*: called as ``code(*names, out)`` with
the names of the operand variables and of the output, it returns the forward expression and the
local derivatives as Python expressions, e.g. for `mul` ``code("a", "b", "c")`` gives
``("a * b", ("b", "a"))``. The compiler (`autograd_lite.compiler`) writes a traced graph as a
program from these, one line per node. The expressions use arithmetic, single comparisons,
conditional expressions (``x if x > 0.0 else 0.0``) and the functions named in `CODE_NAMES`; no
``and``/``or`` and no chained comparison, so the same text also runs on NumPy arrays (one number
per sample, a conditional written as ``where(test, a, b)``).

A few rules also say how the gradient flows back *per operand*, as a vector-Jacobian product
(`vjp`): one function per operand, called as ``f(g, *inputs, out)``, giving the contribution
g · d(out)/d(input) itself. Backprop uses it, where a rule has one, instead of g · local:

- so a contribution is computed the way PyTorch computes it: g / b for division, not g · (1/b),
  which is infinite for a subnormal b (1/1e-310) even where g / b is finite (1e-20 / 1e-310);
- so nothing is evaluated toward an operand that needs no gradient (a plain-number constant:
  ``x / 1e-300`` never computes its derivative toward 1e-300, -2e600, which no float holds).

`vjp(1, ...)` equals `local(...)` (a test checks it), which the views show on the edges. The
compiler writes a local derivative ``1 / b`` times g as ``g / b``, as the vjp computes it.

Adding an operation means adding one `Rule` here (with its `code`) and a method on `Value` that
applies it. An operation with a constant parameter (the exponent of x ** 2, the slope of a leaky ReLU) is
a *family*: a function from the parameter to its `Rule` (`power(n)`, `rpow(c)`, `leaky_relu(slope)`,
`elu(alpha)`, `clamp(low, high)`), so the parameter is part of the op rather than a graph node.
Each family keeps the last `FAMILY_CACHE_SIZE` rules it made (a bounded cache: a program that
uses a million different exponents must not keep a million rules alive).
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

__all__ = [
    "CODE_NAMES",
    "Code",
    "FAMILIES",
    "FAMILY_CACHE_SIZE",
    "RULES",
    "Rule",
    "clamp",
    "elu",
    "leaky_relu",
    "literal",
    "power",
    "rpow",
]


Code = Callable[..., tuple[str, tuple[str, ...]]]
"""(*operand names, out name) -> (forward expression, local derivative expressions): a rule as source."""


@dataclass(frozen=True, eq=False)
class Rule:
    """One primitive operation: its name, how it is drawn, its forward and local derivatives."""

    name: str  # the op's name, e.g. "mul"; what `Value.op` reports
    symbol: str  # how graphs draw it, e.g. "*"
    forward: Callable[..., float]  # floats in, float out; raises on bad input
    local: Callable[..., tuple[Any, ...]]  # (*inputs, out) -> d out / d input_i, one per input
    doc: str = field(default="", repr=False)  # the math, for tables and tooltips
    code: Code | None = field(default=None, repr=False)  # (*names, out) -> the same two as source
    # Optional, one per operand: (g, *inputs, out) -> g * d out / d input_i, used by backprop instead
    # of g * local (see the module docstring); None: backprop multiplies g by `local`.
    vjp: tuple[Callable[..., Any], ...] | None = field(default=None, repr=False, kw_only=True)

    def __repr__(self) -> str:
        return f"Rule({self.name!r})"


# --- helpers that work on floats and on Values (for derivatives of derivatives) ------------


def _log(x: Any) -> Any:
    return x.log() if hasattr(x, "log") else math.log(x)


def _exp_of(x: Any) -> Any:
    return x.exp() if hasattr(x, "exp") else math.exp(x)


def _sin(x: Any) -> Any:
    return x.sin() if hasattr(x, "sin") else math.sin(x)


def _cos(x: Any) -> Any:
    return x.cos() if hasattr(x, "cos") else math.cos(x)


def _data(x: Any) -> float:
    """The number inside x (a float, or a Value's data): for derivatives that branch on it."""
    return getattr(x, "data", x)


def _is_integer(x: float) -> bool:
    return x == math.floor(x)


def literal(x: float) -> str:
    """A number as Python source: whole numbers without ".0" (``2``), others by repr, infinities as
    1e999; negative in parentheses, so it can stand anywhere an operand name can (``x ** (-1)``)."""
    if math.isinf(x):
        text = "1e999"
    else:
        text = str(int(x)) if x == math.floor(x) and abs(x) < 1e15 else repr(float(x))
    return f"({text})" if x < 0.0 else text


# --- forward functions that need guarding ----------------------------------------------------


def _div(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"div: division by zero ({a!r} / {b!r})")
    return a / b


def _pow(a: float, b: float, op: str = "pow") -> float:
    if a < 0.0 and not _is_integer(b):
        raise ValueError(f"{op}: negative base {a!r} to the non-integer power {b!r} is not real")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"{op}: zero base to the negative power {b!r}")
    try:
        return a**b
    except OverflowError:
        raise OverflowError(f"{op}: {a!r} ** {b!r} overflows a float") from None


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


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt: operand must be non-negative, got {x!r}")
    return math.sqrt(x)


TAN_POLE_DISTANCE = 2.0**-50
"""tan refuses x when |cos x| (about the distance from x to the nearest pole) is below this: four
units in the last place of π/2. The double nearest π/2 is 6.1e-17 away from it."""


def _tan(x: float) -> float:
    # In floats tan never returns inf: the double nearest π/2 gives 1.6e16, a number made of the
    # rounding error of π. When a pole π/2 + kπ lies that close to x, say so instead.
    if abs(math.cos(x)) < TAN_POLE_DISTANCE:
        raise ValueError(f"tan: operand {x!r} is within rounding of a pole π/2 + kπ, where tan is infinite")
    return math.tan(x)


def _log1p(x: float) -> float:
    if x <= -1.0:
        raise ValueError(f"log1p: operand must be greater than -1, got {x!r}")
    return math.log1p(x)


def _expm1(x: float) -> float:
    try:
        return math.expm1(x)
    except OverflowError:
        raise OverflowError(f"expm1: expm1({x!r}) overflows a float (largest argument ~709.78)") from None


def _sign(x: float) -> float:
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0


def _sigmoid(x: float) -> float:
    # Stable for any x: never evaluates exp of a large positive number.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _sum(*xs: float) -> float:
    try:
        return math.fsum(xs)
    except OverflowError:  # a partial sum overflowed; the exact sum may still be a float
        try:
            return float(sum(map(Fraction, xs)))
        except OverflowError:
            raise OverflowError(f"sum: the sum of {len(xs)} values overflows a float") from None


def _dpower(op: str, x: Any, n: Any) -> Any:
    """d(x^n)/dx = n * x^(n-1), on floats or Values; where no float holds it, an error that names
    the op, the base and the exponent (float ** raises a bare "(34, 'Numerical result out of range')")."""
    try:
        return n * x ** (n - 1.0)
    except (OverflowError, ZeroDivisionError) as error:
        what = "is infinite" if isinstance(error, ZeroDivisionError) else "overflows a float"
        raise type(error)(
            f"{op}: its derivative toward the base, n*x^(n-1), {what} at x = {_data(x)!r}, n = {_data(n)!r}"
        ) from None


def _dsqrt(out: Any) -> Any:
    """d√x/dx = 1/(2√x) = 0.5/out, on floats or Values; at x = 0, where it is infinite, an error saying so."""
    if _data(out) == 0.0:
        raise ZeroDivisionError("sqrt: its derivative 1/(2√x) is infinite at x = 0.0")
    return 0.5 / out


def _dpow_base(a: Any, b: Any) -> Any:
    """d(a^b)/da = b*a^(b-1). a^0 = 1 for every a, so 0 at b = 0 (for floats; for Values only at
    a = 0, where 0^b is 1 near b = 0), rather than 0 * a^-1, which overflows for a tiny a."""
    return 0.0 if _data(b) == 0.0 and (type(b) is float or _data(a) == 0.0) else _dpower("pow", a, b)


def _dpow_exponent(a: Any, out: Any) -> Any:
    """d(a^b)/db = a^b*log(a), and 0 at a = 0 (as PyTorch: where log a is -inf)."""
    return 0.0 if _data(a) == 0.0 else out * _log(a)


def _sum_code(names: tuple[str, ...]) -> str:
    """a + b + c; beyond 64 terms fsum((...)), since Python compiles a long chain of + recursively."""
    return " + ".join(names) if len(names) <= 64 else f"fsum(({', '.join(names)},))"


def _checked_rpow(c: float, x: float) -> float:
    return _rpow_forward(c)(x)


CODE_NAMES: dict[str, Callable[..., float]] = {
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "sqrt": math.sqrt,
    "abs": abs,
    "sin": math.sin,
    "cos": math.cos,
    "tan": _tan,  # guarded: math.tan answers 1.6e16 at the double nearest a pole
    "arctan": math.atan,
    "log1p": math.log1p,
    "expm1": math.expm1,
    "fsum": math.fsum,
    "sigmoid": _sigmoid,  # guarded: 1/(1 + exp(-x)) would overflow for x < -709
    "checked_pow": _pow,  # guarded: (-8.0) ** 0.5 is a complex number in Python, not an error
    "checked_pow_value": _pow_value,
    "checked_rpow": _checked_rpow,
    # pow's own derivatives, on floats (NumPy's vectorize passes its own scalar type)
    "dpow_base": lambda a, b: _dpow_base(float(a), float(b)),
    "dpow_exponent": lambda a, out: _dpow_exponent(float(a), float(out)),
}
"""The functions that `Rule.code` expressions may call, by name, on floats. Where the plain
function would return a wrong kind of answer instead of raising (a complex power, an overflow in
a naive sigmoid, a huge tangent) the name is the rule's guarded forward. A compiled program that
raises or ends with a number that is not finite is re-run by the engine, which raises its own
error (or, if the engine succeeds, gives the answer)."""


# --- the table -------------------------------------------------------------------------------

ADD = Rule(
    "add",
    "+",
    operator.add,
    lambda a, b, out: (1.0, 1.0),
    "d(a+b)/da = 1, d(a+b)/db = 1",
    lambda a, b, out: (f"{a} + {b}", ("1", "1")),
)
SUB = Rule(
    "sub",
    "-",
    operator.sub,
    lambda a, b, out: (1.0, -1.0),
    "d(a-b)/da = 1, d(a-b)/db = -1",
    lambda a, b, out: (f"{a} - {b}", ("1", "-1")),
)
MUL = Rule(
    "mul",
    "*",
    operator.mul,
    lambda a, b, out: (b, a),
    "d(ab)/da = b, d(ab)/db = a",
    lambda a, b, out: (f"{a} * {b}", (b, a)),
)
DIV = Rule(
    "div",
    "/",
    _div,
    lambda a, b, out: (1.0 / b, -out / b),
    "d(a/b)/da = 1/b, d(a/b)/db = -a/b^2",
    lambda a, b, out: (f"{a} / {b}", (f"1 / {b}", f"-{out} / {b}")),
    vjp=(lambda g, a, b, out: g / b, lambda g, a, b, out: g * (-out / b)),  # g/b, as PyTorch
)
NEG = Rule(
    "neg", "-", operator.neg, lambda x, out: (-1.0,), "d(-x)/dx = -1", lambda x, out: (f"-{x}", ("-1",))
)
POW = Rule(
    "pow",
    "**",
    _pow_value,
    lambda a, b, out: (_dpow_base(a, b), _dpow_exponent(a, out)),
    "d(a^b)/da = b*a^(b-1), d(a^b)/db = a^b*log(a)",
    lambda a, b, out: (
        f"checked_pow_value({a}, {b})",
        (f"dpow_base({a}, {b})", f"dpow_exponent({a}, {out})"),
    ),
    # per operand, so a constant base or exponent (apply(POW, 1e-300, x)) gets no derivative evaluated
    vjp=(lambda g, a, b, out: g * _dpow_base(a, b), lambda g, a, b, out: g * _dpow_exponent(a, out)),
)
EXP = Rule("exp", "exp", _exp, lambda x, out: (out,), "d(e^x)/dx = e^x", lambda x, out: (f"exp({x})", (out,)))
LOG = Rule(
    "log",
    "log",
    _log_forward,
    lambda x, out: (1.0 / x,),
    "d(log x)/dx = 1/x",
    lambda x, out: (f"log({x})", (f"1 / {x}",)),
    vjp=(lambda g, x, out: g / x,),  # g/x, as PyTorch
)
TANH = Rule(
    "tanh",
    "tanh",
    math.tanh,
    lambda x, out: (1.0 - out * out,),
    "d(tanh x)/dx = 1 - tanh(x)^2",
    lambda x, out: (f"tanh({x})", (f"1 - {out} * {out}",)),
)
SIGMOID = Rule(
    "sigmoid",
    "σ",
    _sigmoid,
    lambda x, out: (out * (1.0 - out),),
    "dσ(x)/dx = σ(x)(1 - σ(x))",
    lambda x, out: (f"sigmoid({x})", (f"{out} * (1 - {out})",)),
)
RELU = Rule(
    "relu",
    "relu",
    lambda x: x if x > 0.0 else 0.0,
    lambda x, out: (1.0 if _data(x) > 0.0 else 0.0,),
    "d relu(x)/dx = 1 if x > 0 else 0",
    lambda x, out: (f"{x} if {x} > 0.0 else 0.0", (f"1 if {x} > 0.0 else 0",)),
)
SUM = Rule(
    "sum",
    "Σ",
    _sum,
    lambda *xs_out: (1.0,) * (len(xs_out) - 1),
    "d(Σ x_i)/dx_i = 1",
    lambda *xs_out: (_sum_code(xs_out[:-1]), ("1",) * (len(xs_out) - 1)),
)
SQRT = Rule(
    "sqrt",
    "√",
    _sqrt,
    lambda x, out: (_dsqrt(out),),
    "d√x/dx = 1/(2√x); infinite at x = 0",
    lambda x, out: (f"sqrt({x})", (f"0.5 / {out}",)),
)
ABS = Rule(
    "abs",
    "abs",
    abs,
    lambda x, out: (_sign(_data(x)),),
    "d|x|/dx = sign(x): 1 for x > 0, -1 for x < 0, 0 at x = 0 (as PyTorch)",
    lambda x, out: (f"abs({x})", (f"1 if {x} > 0.0 else -1 if {x} < 0.0 else 0",)),
)
SIN = Rule(
    "sin",
    "sin",
    math.sin,
    lambda x, out: (_cos(x),),
    "d(sin x)/dx = cos x",
    lambda x, out: (f"sin({x})", (f"cos({x})",)),
)
COS = Rule(
    "cos",
    "cos",
    math.cos,
    lambda x, out: (-_sin(x),),
    "d(cos x)/dx = -sin x",
    lambda x, out: (f"cos({x})", (f"-sin({x})",)),
)
TAN = Rule(
    "tan",
    "tan",
    _tan,
    lambda x, out: (1.0 + out * out,),
    "d(tan x)/dx = 1 + tan(x)^2",
    lambda x, out: (f"tan({x})", (f"1 + {out} * {out}",)),
)
ARCTAN = Rule(
    "arctan",
    "arctan",
    math.atan,
    lambda x, out: (1.0 / (1.0 + x * x),),
    "d(arctan x)/dx = 1/(1 + x^2)",
    lambda x, out: (f"arctan({x})", (f"1 / (1 + {x} * {x})",)),
)
LOG1P = Rule(
    "log1p",
    "log1p",
    _log1p,
    lambda x, out: (1.0 / (1.0 + x),),
    "d log(1 + x)/dx = 1/(1 + x)",
    lambda x, out: (f"log1p({x})", (f"1 / (1 + {x})",)),
)
EXPM1 = Rule(
    "expm1",
    "expm1",
    _expm1,
    lambda x, out: (out + 1.0,),
    "d(e^x - 1)/dx = e^x = expm1(x) + 1",
    lambda x, out: (f"expm1({x})", (f"{out} + 1",)),
)
SIGN = Rule(
    "sign",
    "sign",
    _sign,
    lambda x, out: (0.0,),
    "d sign(x)/dx = 0 (everywhere but the jump at 0)",
    lambda x, out: (f"1.0 if {x} > 0.0 else -1.0 if {x} < 0.0 else 0.0", ("0",)),
)

# --- families: one rule per value of a constant parameter ----------------------------------------

FAMILY_CACHE_SIZE = 256
"""How many rules each family keeps (least recently used go first); a dropped rule is made again."""


def _g(x: float) -> str:
    return "∞" if x == math.inf else "-∞" if x == -math.inf else f"{x:g}"


@functools.lru_cache(maxsize=FAMILY_CACHE_SIZE)
def power(n: float) -> Rule:
    """The rule for x ** n with a constant exponent n: d(x^n)/dx = n * x^(n-1).

    The op is "power" (Value ** Value is "pow"); the exponent is part of the op, not a graph node.
    """
    label = _g(n)
    if n == 0.0:  # x^0 = 1 is constant: its derivative is 0 everywhere, x = 0 included
        return Rule(
            "power",
            "**0",
            lambda x: 1.0,
            lambda x, out: (0.0,),
            "d(x^0)/dx = 0",
            lambda x, out: ("1", ("0",)),
        )
    return Rule(
        "power",
        f"**{label}",
        lambda x: _pow(x, n, "power"),
        lambda x, out: (_dpower("power", x, n),),
        f"d(x^{label})/dx = {label}*x^({label}-1)",
        _power_code(n),
    )


def _power_code(n: float) -> Code:
    """x ** n as source; d/dx = n*x^(n-1), written 2 * x for n = 2 and 1 for n = 1."""
    lit, lower = literal(n), literal(n - 1.0)
    forward = "{x} ** " + lit if _is_integer(n) else "checked_pow({x}, " + lit + ")"  # no complex powers
    derivative = "1" if n == 1.0 else lit + " * {x}" if n == 2.0 else lit + " * {x} ** " + lower
    return lambda x, out: (forward.format(x=x), (derivative.format(x=x),))


def _rpow_forward(c: float) -> Callable[[float], float]:
    def forward(x: float) -> float:
        if c < 0.0:
            raise ValueError(
                f"rpow: negative base {c!r} with a Value exponent {x!r}: d/dx c**x = c**x*log(c) is not real"
            )
        return _pow(c, x, "rpow")

    return forward


@functools.lru_cache(maxsize=FAMILY_CACHE_SIZE)
def rpow(c: float) -> Rule:
    """The rule for c ** x with a constant base c >= 0: d(c^x)/dx = c^x * log(c).

    At c = 0 the derivative is 0 (0^x is 0 for every x > 0), as in PyTorch and HIPS autograd: the
    two-operand pow would evaluate the derivative toward the constant base and divide by zero.
    """
    label = _g(c)
    if c == 0.0:
        return Rule(
            "rpow",
            "0**",
            _rpow_forward(c),
            lambda x, out: (0.0,),
            "d(0^x)/dx = 0",
            lambda x, out: (f"0.0 ** {x}", ("0",)),
        )
    log_c = math.log(c) if c > 0.0 else math.nan
    return Rule(
        "rpow",
        f"{label}**",
        _rpow_forward(c),
        lambda x, out: (out * log_c,),
        f"d({label}^x)/dx = {label}^x*log({label})",
        lambda x, out: (
            f"{literal(c)} ** {x}" if c > 0.0 else f"checked_rpow({literal(c)}, {x})",
            (f"{out} * log({literal(c)})",),
        ),
    )


@functools.lru_cache(maxsize=FAMILY_CACHE_SIZE)
def leaky_relu(slope: float) -> Rule:
    """x for x > 0, else slope * x: d/dx = 1 for x > 0, else slope (as PyTorch, slope at 0 too)."""
    label = _g(slope)
    return Rule(
        "leaky_relu",
        f"leaky_relu[{label}]",
        lambda x: x if x > 0.0 else slope * x,
        lambda x, out: (1.0 if _data(x) > 0.0 else slope,),
        f"d leaky_relu(x)/dx = 1 if x > 0 else {label}",
        lambda x, out: (
            f"{x} if {x} > 0.0 else {literal(slope)} * {x}",
            (f"1 if {x} > 0.0 else {literal(slope)}",),
        ),
    )


@functools.lru_cache(maxsize=FAMILY_CACHE_SIZE)
def elu(alpha: float) -> Rule:
    """x for x > 0, else alpha * (e^x - 1): d/dx = 1 for x > 0, else alpha * e^x (alpha at 0)."""
    label = _g(alpha)

    def forward(x: float) -> float:
        return x if x > 0.0 else alpha * math.expm1(x)

    return Rule(
        "elu",
        f"elu[{label}]",
        forward,
        lambda x, out: (1.0 if _data(x) > 0.0 else alpha * _exp_of(x),),
        f"d elu(x)/dx = 1 if x > 0 else {label}*e^x",
        lambda x, out: (
            f"{x} if {x} > 0.0 else {literal(alpha)} * expm1({x})",
            (f"1 if {x} > 0.0 else {literal(alpha)} * exp({x})",),
        ),
    )


@functools.lru_cache(maxsize=FAMILY_CACHE_SIZE)
def clamp(low: float, high: float) -> Rule:
    """min(max(x, low), high) for low <= high (±inf for no bound): d/dx = 1 for low <= x <= high,
    else 0 (both ends included, as PyTorch)."""
    span = f"[{_g(low)}, {_g(high)}]"
    return Rule(
        "clamp",
        f"clamp{span}",
        lambda x: low if x < low else high if x > high else x,
        lambda x, out: (1.0 if low <= _data(x) <= high else 0.0,),
        f"d clamp(x)/dx = 1 if x in {span} else 0",
        _clamp_code(low, high),
    )


def _clamp_code(low: float, high: float) -> Code:
    """min(max(x, low), high) and its 0/1 derivative as conditionals; an infinite bound is no test."""

    def code(x: str, out: str) -> tuple[str, tuple[str, ...]]:
        forward, local = x, "1"
        if high != math.inf:
            forward, local = (
                f"{literal(high)} if {x} > {literal(high)} else {forward}",
                f"0 if {x} > {literal(high)} else {local}",
            )
        if low != -math.inf:
            forward, local = (
                f"{literal(low)} if {x} < {literal(low)} else {forward}",
                f"0 if {x} < {literal(low)} else {local}",
            )
        return forward, (local,)

    return code


RULES: dict[str, Rule] = {
    r.name: r
    for r in (
        *(ADD, SUB, MUL, DIV, NEG, POW, EXP, LOG, TANH, SIGMOID, RELU, SUM),
        *(SQRT, ABS, SIN, COS, TAN, ARCTAN, LOG1P, EXPM1, SIGN),
    )
}
"""Every primitive without a parameter, by name. (`pow` here is Value ** Value; the families below
make the rules with a constant parameter.)"""

FAMILIES: dict[str, Callable[..., Rule]] = {
    "power": power,  # x ** n
    "rpow": rpow,  # c ** x
    "leaky_relu": leaky_relu,
    "elu": elu,
    "clamp": clamp,
}
"""Every family by the name its rules carry: parameter(s) in, `Rule` out."""
