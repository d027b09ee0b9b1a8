"""The NumPy side of batched replay: the functions of `CODE_NAMES` on vectors (imported lazily).

Each name maps to a NumPy function computing the same number elementwise: `exp`, `log`, `tanh`,
a stable sigmoid (never exp of a large positive number, as the rule's forward), and `checked_pow`
as `np.power` (where Python would raise, NumPy gives nan or inf, which the caller detects). Any
other name -- a rule added to the table later -- runs its scalar function element by element, so
every rule works here, slowly until it gets a vector form.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

try:
    import numpy as np
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "compile: backend='numpy' needs NumPy (pip install 'autograd_lite[fast]'); backend='python' does not"
    ) from e

from ..engine.rules import CODE_NAMES

__all__ = ["namespace", "np"]


def _sigmoid(x: Any) -> Any:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _fsum(terms: Sequence[Any]) -> Any:
    return functools.reduce(operator.add, terms)


VECTOR: dict[str, Callable[..., Any]] = {
    "fsum": _fsum,
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sin": np.sin,
    "cos": np.cos,
    "arctan": np.arctan,
    "log1p": np.log1p,
    "expm1": np.expm1,
    "sigmoid": _sigmoid,
    "checked_pow": np.power,
}


def namespace() -> dict[str, Any]:
    """Every name the generated array code may call."""
    names: dict[str, Any] = {name: np.vectorize(f, otypes=[float]) for name, f in CODE_NAMES.items()}
    names.update(VECTOR)
    names.update(dot=np.dot, full=np.full, where=np.where, _np=np)
    return names
