"""Saving and loading models as JSON (never pickle): the format and every check on it.

A checkpoint is a JSON object:

    {"format": "autograd_lite.mlp", "version": 1,
     "architecture": {"nin": 2, "nouts": [16, 16, 1], "activation": "relu", "output_activation": "linear"},
     "parameters": {"L0.N0.w0": 0.123, ..., "L2.N0.b": 0.0}}

plus an optional "metadata" object for the caller's own notes. Loading checks the whole file
before a single parameter changes: the format and version, the architecture, that every
expected parameter is present with no extras, and that every value is a finite number. Any
problem is a ValueError that names it (e.g. ``missing parameter "L0.N3.b"``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..engine.value import Value

__all__ = [
    "FORMAT",
    "VERSION",
    "make_state_dict",
    "check_state_dict",
    "architecture_of",
    "read_json",
    "write_json",
]

FORMAT = "autograd_lite.mlp"
VERSION = 1
_TOP_KEYS = ("format", "version", "architecture", "parameters")
_ARCH_KEYS = ("nin", "nouts", "activation", "output_activation")


def make_state_dict(architecture: dict[str, Any], named: Sequence[tuple[str, Value]]) -> dict[str, Any]:
    """The checkpoint dict for a model with this architecture and these named parameters."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "architecture": dict(architecture),
        "parameters": {name: p.data for name, p in named},
    }


def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _keys_exactly(
    kind: str, d: dict[str, Any], expected: Sequence[str], optional: Sequence[str] = ()
) -> None:
    missing = [k for k in expected if k not in d]
    if missing:
        raise ValueError(
            f"{kind}: missing key {missing[0]!r}" + (f" (and {len(missing) - 1} more)" * (len(missing) > 1))
        )
    extra = [k for k in d if k not in expected and k not in optional]
    if extra:
        raise ValueError(
            f"{kind}: unexpected key {extra[0]!r}" + (f" (and {len(extra) - 1} more)" * (len(extra) > 1))
        )


def architecture_of(state: Any) -> dict[str, Any]:
    """The checked architecture of a checkpoint: the keyword arguments that rebuild the model."""
    _check_header(state)
    arch = state["architecture"]
    if not isinstance(arch, dict):
        raise ValueError(f"checkpoint: architecture must be an object, got {type(arch).__name__}")
    _keys_exactly("checkpoint architecture", arch, _ARCH_KEYS)
    nin, nouts = arch["nin"], arch["nouts"]
    if not (isinstance(nin, int) and not isinstance(nin, bool) and nin > 0):
        raise ValueError(f"checkpoint architecture: nin must be a positive integer, got {nin!r}")
    if not (
        isinstance(nouts, list)
        and nouts
        and all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in nouts)
    ):
        raise ValueError(
            f"checkpoint architecture: nouts must be a non-empty list of positive integers, got {nouts!r}"
        )
    for key in ("activation", "output_activation"):
        if not isinstance(arch[key], str):
            raise ValueError(f"checkpoint architecture: {key} must be a string, got {arch[key]!r}")
    return dict(arch)


def _check_header(state: Any) -> None:
    if not isinstance(state, dict):
        raise ValueError(f"checkpoint: expected a JSON object, got {type(state).__name__}")
    _keys_exactly("checkpoint", state, _TOP_KEYS, optional=("metadata",))
    if state["format"] != FORMAT:
        raise ValueError(f"checkpoint: format must be {FORMAT!r}, got {state['format']!r}")
    if state["version"] != VERSION or isinstance(state["version"], bool):
        raise ValueError(
            f"checkpoint: unsupported version {state['version']!r} (this library reads {VERSION})"
        )


def check_state_dict(state: Any, architecture: dict[str, Any], names: Sequence[str]) -> dict[str, float]:
    """Check a checkpoint against a model; return its parameters as floats by name.

    Raises ValueError naming the first problem: a wrong format or version, an architecture that
    differs from the model's, a missing or unexpected parameter, or a value that is not a finite
    number. Nothing is changed, so a failed load leaves the model as it was.
    """
    arch = architecture_of(state)
    for key in _ARCH_KEYS:
        if arch[key] != architecture[key]:
            raise ValueError(
                f"checkpoint architecture does not match the model: {key} is {arch[key]!r} in the "
                f"checkpoint but {architecture[key]!r} in the model (wrong shape)"
            )
    params = state["parameters"]
    if not isinstance(params, dict):
        raise ValueError(f"checkpoint: parameters must be an object, got {type(params).__name__}")
    _keys_exactly("checkpoint parameters", params, names)
    values: dict[str, float] = {}
    for name in names:
        x = params[name]
        if not _is_number(x):
            raise ValueError(f"checkpoint parameters: {name!r} is not a number: {x!r}")
        if not math.isfinite(x):
            raise ValueError(f"checkpoint parameters: {name!r} is not finite: {x!r}")
        values[name] = float(x)
    return values


def write_json(path: str | Path, state: dict[str, Any]) -> None:
    """Write `state` to `path` as indented JSON (NaN and infinity are refused)."""
    Path(path).write_text(json.dumps(state, indent=1, allow_nan=False) + "\n", encoding="utf-8")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a finite number")


def read_json(path: str | Path) -> Any:
    """Parse the JSON file at `path`; malformed JSON is a ValueError naming the file, line and column."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
