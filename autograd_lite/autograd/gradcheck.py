"""Check the engine's derivatives against central finite differences: `gradcheck`, `gradgradcheck`.

Lecture item 7 (docs/lectures.md), derivatives three ways: finite differences are easy and slow, so they are
the referee for an implementation of backprop. For each input x_j the central difference

    ∂f/∂x_j ≈ (f(x + h·e_j) - f(x - h·e_j)) / 2h,     h = ε^(1/3) · max(|x_j|, 1)

has a truncation error O(h²·f''') and a rounding error O(ε·|f|/h); the step ε^(1/3)·x_c balances the
two (ε = 2.2e-16, the machine epsilon of float64, so ε^(1/3) ≈ 6.1e-6; max(|x|, 1) guards x = 0).
The divisor is the step actually taken, (x + h) - (x - h), not 2h, to avoid one more rounding.

`gradcheck` compares every ∂f_i/∂x_j that backprop computes with the finite difference;
`gradgradcheck` does the same one level up: finite differences of the engine's first derivatives
against the second derivatives it computes with ``create_graph=True``. A derivative passes when

    |analytic - numeric| <= atol + rtol · |numeric|

    >>> result = gradcheck(lambda x1, x2: (2 * x1 + 3 * x2) ** 2 + 3, [1.0, 3.0])
    >>> result.ok, [round(e.analytic, 9) for e in result.entries]
    (True, [44.0, 66.0])
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine.backprop import grad as _engine_grad
from ..engine.checks import fail, is_number, number, numbers
from ..engine.value import Value, enable_grad, no_grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckResult", "GradcheckEntry", "GradcheckError", "DEFAULT_EPS"]

DEFAULT_EPS = sys.float_info.epsilon ** (1.0 / 3.0)
"""ε^(1/3) ≈ 6.06e-6 in float64: a central difference's relative step (lecture item 7, docs/lectures.md)."""


@dataclass(frozen=True)
class GradcheckEntry:
    """One derivative compared: which one, where, the two numbers and how far apart they are."""

    derivative: str  # e.g. "∂f/∂x1" or "∂²f/∂x0∂x1"
    input: str  # the input varied by the finite difference
    point: float  # that input's value
    step: float  # the finite-difference step h used for it
    analytic: float  # from the engine
    numeric: float  # from central differences
    abs_error: float  # |analytic - numeric|
    rel_error: float  # abs_error / max(|analytic|, |numeric|), 0 when both are 0
    ok: bool


@dataclass(frozen=True)
class GradcheckResult:
    """Every derivative compared by `gradcheck` / `gradgradcheck`; ``str()`` prints a table."""

    kind: str  # "gradcheck" or "gradgradcheck"
    entries: list[GradcheckEntry] = field(repr=False)
    eps: float  # the relative step: h = eps·max(|x|, 1)
    atol: float
    rtol: float

    @property
    def ok(self) -> bool:
        """True when every derivative agrees within atol + rtol·|numeric|."""
        return all(e.ok for e in self.entries)

    @property
    def failures(self) -> list[GradcheckEntry]:
        return [e for e in self.entries if not e.ok]

    @property
    def worst_abs_error(self) -> float:
        return max((e.abs_error for e in self.entries), default=0.0)

    @property
    def worst_rel_error(self) -> float:
        return max((e.rel_error for e in self.entries), default=0.0)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return _report(self)


class GradcheckError(AssertionError):
    """The engine's derivatives disagree with finite differences; the message is the full report."""

    def __init__(self, result: GradcheckResult) -> None:
        super().__init__(str(result))
        self.result = result


# --- the checks ------------------------------------------------------------------------------------


def gradcheck(
    f: Callable[..., Any],
    inputs: Sequence[float | Value],
    *,
    eps: float | None = None,
    atol: float = 1e-6,
    rtol: float = 1e-4,
    raise_exception: bool = True,
) -> GradcheckResult:
    """Compare backprop's ∂f_i/∂x_j with central finite differences at the point ``inputs``.

    ``f(*xs)`` takes one `Value` per input and returns a `Value` (or a list of them: every
    output is checked). ``inputs`` are numbers or `Value`s (their data and labels are used; they
    are not modified). ``eps`` is the relative step: h = eps·max(|x|, 1), default ε^(1/3).
    Raises `GradcheckError` with the report when a derivative disagrees, unless
    ``raise_exception=False``; either way returns the `GradcheckResult`.
    """
    points, names = _points(inputs, "gradcheck")
    rel_step = _check_tolerances("gradcheck", eps, atol, rtol)

    def values(xs: list[float]) -> list[float]:
        with no_grad():
            return [_data(o) for o in _outputs(f, _leaves(xs, names), "gradcheck")]

    leaves = _leaves(points, names)
    with enable_grad():
        outputs = _outputs(f, leaves, "gradcheck")
        analytic = [_gradient(o, leaves, create_graph=False) for o in outputs]
    rows = [f"∂{_output_name(i, len(outputs))}/∂" for i in range(len(outputs))]
    return _compare("gradcheck", rows, analytic, values, points, names, rel_step, atol, rtol, raise_exception)


def gradgradcheck(
    f: Callable[..., Any],
    inputs: Sequence[float | Value],
    *,
    eps: float | None = None,
    atol: float = 1e-6,
    rtol: float = 1e-4,
    raise_exception: bool = True,
) -> GradcheckResult:
    """Compare the engine's second derivatives ∂²f/∂x_i∂x_j with finite differences of its first.

    The analytic side differentiates the gradient graph recorded with ``create_graph=True``; the
    numeric side is the central difference of the engine's (float) gradient ∂f/∂x_i in x_j.
    Arguments as for `gradcheck`; with several outputs every output's Hessian is checked.
    """
    points, names = _points(inputs, "gradgradcheck")
    rel_step = _check_tolerances("gradgradcheck", eps, atol, rtol)

    def first_derivatives(xs: list[float]) -> list[float]:
        leaves = _leaves(xs, names)
        with enable_grad():
            outputs = _outputs(f, leaves, "gradgradcheck")
            return [g for o in outputs for g in _gradient(o, leaves, create_graph=False)]

    leaves = _leaves(points, names)
    with enable_grad():
        outputs = _outputs(f, leaves, "gradgradcheck")
        first = [g for o in outputs for g in _gradient(o, leaves, create_graph=True)]
        analytic = [_gradient(g, leaves, create_graph=False) for g in first]
    n = len(points)
    rows = [f"∂²{_output_name(k // n, len(outputs))}/∂{names[k % n]}∂" for k in range(len(first))]
    checked = (analytic, first_derivatives, points, names, rel_step, atol, rtol, raise_exception)
    return _compare("gradgradcheck", rows, *checked)


# --- the comparison --------------------------------------------------------------------------------


def _compare(
    kind: str,
    rows: list[str],
    analytic: list[list[float]],
    values: Callable[[list[float]], list[float]],
    points: list[float],
    names: list[str],
    rel_step: float,
    atol: float,
    rtol: float,
    raise_exception: bool,
) -> GradcheckResult:
    """Central differences of `values` in each input, compared with the `analytic` Jacobian."""
    steps = [rel_step * max(abs(x), 1.0) for x in points]
    columns = []  # columns[j][i] = numeric ∂(value i)/∂x_j
    for j, (x, h, name) in enumerate(zip(points, steps, names, strict=True)):
        plus = _evaluate(kind, values, points, j, x + h, name)
        minus = _evaluate(kind, values, points, j, x - h, name)
        taken = (x + h) - (x - h)
        columns.append([(p - m) / taken for p, m in zip(plus, minus, strict=True)])
    entries = [
        _entry(f"{row}{names[j]}", names[j], points[j], steps[j], analytic[i][j], columns[j][i], atol, rtol)
        for i, row in enumerate(rows)
        for j in range(len(points))
    ]
    result = GradcheckResult(kind, entries, rel_step, atol, rtol)
    if raise_exception and not result.ok:
        raise GradcheckError(result)
    return result


def _entry(
    derivative: str, name: str, x: float, h: float, analytic: float, numeric: float, atol: float, rtol: float
) -> GradcheckEntry:
    abs_error = abs(analytic - numeric)
    scale = max(abs(analytic), abs(numeric))
    rel_error = abs_error / scale if scale > 0.0 else 0.0
    ok = abs_error <= atol + rtol * abs(numeric)
    return GradcheckEntry(derivative, name, x, h, analytic, numeric, abs_error, rel_error, ok)


def _evaluate(
    kind: str, values: Callable[[list[float]], list[float]], points: list[float], j: int, xj: float, name: str
) -> list[float]:
    """`values` at the point with input j moved to xj; a failure names the input and the point."""
    moved = list(points)
    moved[j] = xj
    try:
        return values(moved)
    except (ArithmeticError, ValueError) as err:
        raise ValueError(
            f"{kind}: f failed at {name} = {xj!r} (a finite-difference step away from {points[j]!r}): {err}; "
            "check at a point farther from the edge of f's domain"
        ) from err


# --- inputs and outputs ----------------------------------------------------------------------------


def _points(inputs: Sequence[float | Value], kind: str) -> tuple[list[float], list[str]]:
    """The input numbers and their names (a Value's label, else x0, x1, ...)."""
    if isinstance(inputs, (str, bytes, Value)) or not isinstance(inputs, Sequence):
        fail(kind, "inputs", "a list of numbers or Values", inputs, TypeError)
    points = numbers(kind, "inputs", [x.data if isinstance(x, Value) else x for x in inputs])
    names = [x.label if isinstance(x, Value) and x.label else f"x{j}" for j, x in enumerate(inputs)]
    return points, names


def _check_tolerances(kind: str, eps: float | None, atol: float, rtol: float) -> float:
    number(kind, "atol", atol, low=0.0)
    number(kind, "rtol", rtol, low=0.0)
    if eps is None:
        return DEFAULT_EPS
    return number(kind, "eps", eps, low=0.0, high=1.0, low_open=True, high_open=True)


def _leaves(points: list[float], names: list[str]) -> list[Value]:
    return [Value(x, name) for x, name in zip(points, names, strict=True)]


def _outputs(f: Callable[..., Any], leaves: list[Value], kind: str) -> list[Value | float]:
    """f's outputs as a flat list: a Value or number, or a list/tuple of them."""
    out = f(*leaves)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    if not outs:
        raise ValueError(f"{kind}: f returned no outputs")
    for o in outs:
        if not isinstance(o, Value) and not is_number(o):
            fail(kind, "f's output", "a Value or a number", o, TypeError)
    return outs


def _gradient(out: Value | float, leaves: list[Value], create_graph: bool) -> list[Any]:
    if not isinstance(out, Value):  # a constant output
        return [0.0] * len(leaves)
    grads = _engine_grad(out, leaves, create_graph=create_graph)
    return grads if create_graph else [float(g) for g in grads]


def _data(x: Value | float) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _output_name(i: int, n: int) -> str:
    return "f" if n == 1 else f"f[{i}]"


# --- the report ------------------------------------------------------------------------------------


def _report(result: GradcheckResult) -> str:
    """A headline, one table row per derivative, and the worst errors."""
    n, bad = len(result.entries), len(result.failures)
    verdict = f"FAILED: {bad} of {n} disagree" if bad else f"passed: {n} of {n} agree"
    head = (
        f"{result.kind} {verdict} (central differences, h = {result.eps:.3g}·max(|x|, 1); "
        f"pass if |analytic - numeric| <= {result.atol:g} + {result.rtol:g}·|numeric|)"
    )
    header = ["derivative", "at", "analytic (engine)", "numeric (finite diff.)", "abs error", "rel error", ""]
    rows = [header] + [
        [
            e.derivative,
            f"{e.input} = {e.point:.6g}",
            f"{e.analytic:.12g}",
            f"{e.numeric:.12g}",
            f"{e.abs_error:.2e}",
            f"{e.rel_error:.2e}",
            "ok" if e.ok else "FAIL",
        ]
        for e in result.entries
    ]
    widths = [max(len(r[k]) for r in rows) for k in range(len(header))]
    table = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    worst_abs = max(result.entries, key=lambda e: e.abs_error)
    worst_rel = max(result.entries, key=lambda e: e.rel_error)
    tail = (
        f"worst abs error {worst_abs.abs_error:.2e} ({worst_abs.derivative}), "
        f"worst rel error {worst_rel.rel_error:.2e} ({worst_rel.derivative})"
    )
    return "\n".join([head, *table, tail])
