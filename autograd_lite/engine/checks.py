"""One vocabulary of argument checks, used by every module: one function per kind of mistake,
one wording per mistake.

Each check takes the operation's name (``op``, what the error starts with), the argument's name
and the value, and returns the value in its clean form, or raises:

- `TypeError` when the value is of the wrong kind (a string where a number belongs, a bool
  where an integer belongs: ``True`` is an int to Python but never a count or a rate here);
- `ValueError` when it is of the right kind but outside what the operation accepts.

The message is always ``"{op}: {name} must be {what}, got {value!r}"``.

    >>> positive_int("MLP", "nin", 3)
    3
    >>> number("SGD", "lr", -1.0, low=0.0)
    Traceback (most recent call last):
        ...
    ValueError: SGD: lr must be a finite number >= 0.0, got -1.0

(`Value`'s own operand check stays inline in `value.py`: it is on the hot path of every node.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn, TypeVar

__all__ = [
    "boolean",
    "choice",
    "fail",
    "integer",
    "is_integer",
    "is_number",
    "non_negative_int",
    "number",
    "numbers",
    "positive_int",
]

T = TypeVar("T")


def fail(op: str, name: str, what: str, got: Any, error: type[Exception] = ValueError) -> NoReturn:
    """Raise ``error("{op}: {name} must be {what}, got {got!r}")``: the one wording of every check."""
    raise error(f"{op}: {name} must be {what}, got {_shown(got)}")


def _shown(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else f"{text[:40]}... ({type(x).__name__}, {len(text)} characters)"


def is_number(x: Any) -> bool:
    """True for an int or a float (not a bool): what this package accepts as a plain number."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def is_integer(x: Any) -> bool:
    """True for an int that is not a bool."""
    return isinstance(x, int) and not isinstance(x, bool)


def _range_text(low: float, high: float, low_open: bool, high_open: bool) -> str:
    parts = []
    if low > -math.inf:
        parts.append(f"{'>' if low_open else '>='} {low!r}")
    if high < math.inf:
        parts.append(f"{'<' if high_open else '<='} {high!r}")
    return " and ".join(parts)


def number(
    op: str,
    name: str,
    x: Any,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """x as a finite float within [low, high] (ends excluded when ``low_open`` / ``high_open``)."""
    bounds = _range_text(low, high, low_open, high_open)
    what = "a finite number" + (f" {bounds}" if bounds else "")
    if not is_number(x):
        fail(op, name, what, x, TypeError)
    try:
        f = float(x)
    except OverflowError:  # an int too large for a float
        fail(op, name, what, x)
    if not math.isfinite(f) or f < low or f > high or (low_open and f == low) or (high_open and f == high):
        fail(op, name, what, x)
    return f


def integer(op: str, name: str, x: Any, *, low: int | None = None, high: int | None = None) -> int:
    """x as an int within [low, high] (either end may be open-ended)."""
    if low is not None and high is not None:
        what = f"an integer from {low} to {high}"
    elif low is not None:
        what = (
            "a positive integer"
            if low == 1
            else "a non-negative integer"
            if low == 0
            else f"an integer >= {low}"
        )
    elif high is not None:
        what = f"an integer <= {high}"
    else:
        what = "an integer"
    if not is_integer(x):
        fail(op, name, what, x, TypeError)
    if (low is not None and x < low) or (high is not None and x > high):
        fail(op, name, what, x)
    return int(x)


def positive_int(op: str, name: str, x: Any, *, high: int | None = None) -> int:
    """x as an int >= 1 (and <= high when given): a count or a size."""
    return integer(op, name, x, low=1, high=high)


def non_negative_int(op: str, name: str, x: Any, *, high: int | None = None) -> int:
    """x as an int >= 0 (and <= high when given): a seed, an index, a number of steps."""
    return integer(op, name, x, low=0, high=high)


def boolean(op: str, name: str, x: Any) -> bool:
    """x, which must be True or False (not 0 or 1, not None): a switch."""
    if not isinstance(x, bool):
        fail(op, name, "True or False", x, TypeError)
    return x


def choice(op: str, name: str, x: Any, choices: Iterable[T]) -> T:
    """x, which must be one of `choices` (compared with ==)."""
    options = list(choices)
    if isinstance(x, bool) or x not in options:
        fail(op, name, "one of " + ", ".join(repr(c) for c in options), x)
    return x


def numbers(op: str, name: str, xs: Any, *, empty: bool = False) -> list[float]:
    """xs (a sequence of plain numbers) as a list of finite floats; empty only if ``empty=True``."""
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Sequence):
        fail(op, name, "a sequence of numbers", xs, TypeError)
    if not xs and not empty:
        fail(op, name, "a non-empty sequence of numbers", xs)
    return [number(op, f"{name}[{i}]", x) for i, x in enumerate(xs)]
