"""Saving and loading models as JSON (never pickle): the format and every check on it.

A checkpoint is a JSON object:

    {"format": "autograd_lite.mlp", "version": 1,
     "architecture": {"nin": 2, "nouts": [16, 16, 1], "activation": "relu", "output_activation": "linear"},
     "parameters": {"L0.N0.w0": 0.123, ..., "L2.N0.b": 0.0}}

plus an optional "metadata" object for the caller's own notes. Loading checks the whole file
before a single parameter changes: the format and version, the architecture, that every
expected parameter is present with no extras, and that every value is a finite number. Any
problem is a `CheckpointError` (a ValueError) that names the file and the problem (e.g.
``model.json: checkpoint parameters: missing key 'L0.N3.b'``).

Files are handled as an attacker might prepare them: `read_json` reads regular files only (never a
folder, a FIFO or a device such as /dev/zero, also behind a symlink), at most `MAX_BYTES` bytes
(raise it with ``MLP.load(path, max_bytes=...)``), strict UTF-8, nested at most `MAX_DEPTH` deep, no
duplicate keys and no integer literal too long for a float; and the parameter count the architecture
implies is compared with the file's before a model is built. `write_json` writes atomically: a
temporary file in the same folder, flushed and fsynced, then moved over the old name with
`os.replace` (which replaces a symlink rather than writing through it), so a crash, a full disk or a
kill at any moment leaves either the old file or the new one, never a torn one.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..engine.checks import is_integer, is_number, positive_int
from ..engine.files import write_atomic
from ..engine.value import Value

__all__ = [
    "FORMAT",
    "VERSION",
    "MAX_BYTES",
    "MAX_DEPTH",
    "CheckpointError",
    "parameter_count",
    "make_state_dict",
    "check_state_dict",
    "architecture_of",
    "load",
    "read_json",
    "write_json",
]

FORMAT = "autograd_lite.mlp"
VERSION = 1
_TOP_KEYS = ("format", "version", "architecture", "parameters")
_ARCH_KEYS = ("nin", "nouts", "activation", "output_activation")

MAX_BYTES = 64 * 2**20
"""The largest checkpoint file `read_json` reads (64 MiB, about 1.5 million parameters); pass
``max_bytes=`` to `read_json` or `MLP.load` (or set this) to read larger ones."""

MAX_DEPTH = 100
"""How deeply objects and lists may nest in a checkpoint (the format itself needs 3)."""

_MAX_INT_DIGITS = 309  # an integer literal with more digits is larger than any float


class CheckpointError(ValueError):
    """A checkpoint file or dict that cannot be loaded; the message names the file and the problem."""


def make_state_dict(architecture: dict[str, Any], named: Sequence[tuple[str, Value]]) -> dict[str, Any]:
    """The checkpoint dict for a model with this architecture and these named parameters."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "architecture": dict(architecture),
        "parameters": {name: p.data for name, p in named},
    }


def _keys_exactly(
    kind: str, d: dict[str, Any], expected: Sequence[str], optional: Sequence[str] = ()
) -> None:
    missing = [k for k in expected if k not in d]
    if missing:
        raise CheckpointError(
            f"{kind}: missing key {missing[0]!r}" + (f" (and {len(missing) - 1} more)" * (len(missing) > 1))
        )
    extra = [k for k in d if k not in expected and k not in optional]
    if extra:
        raise CheckpointError(
            f"{kind}: unexpected key {extra[0]!r}" + (f" (and {len(extra) - 1} more)" * (len(extra) > 1))
        )


def architecture_of(state: Any) -> dict[str, Any]:
    """The checked architecture of a checkpoint: the keyword arguments that rebuild the model.

    Also checks that the file holds as many parameters as the architecture implies, so that a
    small file can never make the caller build a huge model only to find the parameters missing.
    """
    arch = _architecture(state)
    params = state["parameters"]
    if not isinstance(params, dict):
        raise CheckpointError(f"checkpoint: parameters must be an object, got {type(params).__name__}")
    expected = parameter_count(arch["nin"], arch["nouts"])
    if expected != len(params):
        raise CheckpointError(
            f"checkpoint parameters: the architecture has {expected} parameters, the file holds {len(params)}"
        )
    return arch


def _architecture(state: Any) -> dict[str, Any]:
    _check_header(state)
    arch = state["architecture"]
    if not isinstance(arch, dict):
        raise CheckpointError(f"checkpoint: architecture must be an object, got {type(arch).__name__}")
    _keys_exactly("checkpoint architecture", arch, _ARCH_KEYS)
    nin, nouts = arch["nin"], arch["nouts"]
    if not (is_integer(nin) and nin > 0):
        raise CheckpointError(f"checkpoint architecture: nin must be a positive integer, got {nin!r}")
    if not (isinstance(nouts, list) and nouts and all(is_integer(n) and n > 0 for n in nouts)):
        raise CheckpointError(
            f"checkpoint architecture: nouts must be a non-empty list of positive integers, got {nouts!r}"
        )
    for key in ("activation", "output_activation"):
        if not isinstance(arch[key], str):
            raise CheckpointError(f"checkpoint architecture: {key} must be a string, got {arch[key]!r}")
    return dict(arch)


def parameter_count(nin: int, nouts: Sequence[int]) -> int:
    """Σ over layers of neurons·(inputs + 1): weights plus one bias per neuron (lecture item 14).

    >>> parameter_count(3, [4, 2])  # 4·3 + 4 hidden plus 2·4 + 2 output
    26
    """
    sizes = [nin, *nouts]
    return sum(sizes[i + 1] * (sizes[i] + 1) for i in range(len(nouts)))


def _check_header(state: Any) -> None:
    if not isinstance(state, dict):
        raise CheckpointError(f"checkpoint: expected a JSON object, got {type(state).__name__}")
    _keys_exactly("checkpoint", state, _TOP_KEYS, optional=("metadata",))
    if state["format"] != FORMAT:
        raise CheckpointError(f"checkpoint: format must be {FORMAT!r}, got {state['format']!r}")
    if not is_number(state["version"]) or state["version"] != VERSION:
        raise CheckpointError(
            f"checkpoint: unsupported version {state['version']!r} (this library reads {VERSION})"
        )


def check_state_dict(state: Any, architecture: dict[str, Any], names: Sequence[str]) -> dict[str, float]:
    """Check a checkpoint against a model; return its parameters as floats by name.

    Raises `CheckpointError` (a ValueError) naming the first problem: a wrong format or version,
    an architecture that differs from the model's, a missing or unexpected parameter, or a value
    that is not a finite number. Nothing is changed, so a failed load leaves the model as it was.
    """
    arch = _architecture(state)
    for key in _ARCH_KEYS:
        if arch[key] != architecture[key]:
            raise CheckpointError(
                f"checkpoint architecture does not match the model: {key} is {arch[key]!r} in the "
                f"checkpoint but {architecture[key]!r} in the model (wrong shape)"
            )
    params = state["parameters"]
    if not isinstance(params, dict):
        raise CheckpointError(f"checkpoint: parameters must be an object, got {type(params).__name__}")
    _keys_exactly("checkpoint parameters", params, names)
    values: dict[str, float] = {}
    for name in names:
        x = params[name]
        if not is_number(x):
            raise CheckpointError(f"checkpoint parameters: {name!r} is not a number: {x!r}")
        try:
            f = float(x)
        except OverflowError:  # an integer beyond the float range
            f = math.inf
        if not math.isfinite(f):
            raise CheckpointError(f"checkpoint parameters: {name!r} is not finite: {f!r}")
        values[name] = f
    return values


def write_json(path: str | Path, state: dict[str, Any]) -> None:
    """Write `state` to `path` as indented JSON, atomically (see `write_atomic`).

    NaN and infinity are refused before anything is written; a non-finite parameter is named.
    """
    params = state.get("parameters")
    if isinstance(params, dict):
        for name, x in params.items():
            if is_number(x) and not math.isfinite(x):
                raise CheckpointError(f"{path}: parameter {name!r} is not finite: {x!r}")
    try:
        text = json.dumps(state, indent=1, allow_nan=False) + "\n"
    except ValueError as e:  # a non-finite number elsewhere (metadata)
        raise CheckpointError(f"{path}: {e}") from None
    write_atomic(path, text.encode("utf-8"))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a finite number")


def _int_literal(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > _MAX_INT_DIGITS:
        raise ValueError(f"an integer literal of {digits} digits is larger than any float")
    return int(text)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return d


def _depth_at_most(data: Any, limit: int) -> bool:
    """True if objects and lists in `data` nest at most `limit` deep (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        x, depth = stack.pop()
        children = x.values() if isinstance(x, dict) else x
        for child in children:
            if isinstance(child, (dict, list)):
                if depth >= limit:
                    return False
                stack.append((child, depth + 1))
    return not isinstance(data, (dict, list)) or limit >= 1


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a file")


def read_json(path: str | Path, *, max_bytes: int | None = None) -> Any:
    """Parse the checkpoint file at `path` (at most `max_bytes`, default `MAX_BYTES`).

    Every problem with the file's contents is a `CheckpointError` naming the file: not a regular
    file, too large, not UTF-8, malformed JSON (with line and column), nested deeper than
    `MAX_DEPTH`, a duplicate key, NaN or Infinity, an integer literal larger than any float.
    A file that does not exist or cannot be opened is the usual OSError.
    """
    limit = MAX_BYTES if max_bytes is None else max_bytes
    positive_int("read_json", "max_bytes", limit)

    def problem(text: str) -> CheckpointError:
        return CheckpointError(f"{path}: {text}")

    mode = os.stat(path).st_mode  # follows a symlink: refuse /dev/zero before opening it
    if not stat.S_ISREG(mode):
        raise problem(f"not a regular file ({_kind(mode)})")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())  # what was opened, in case the name changed meanwhile
        if not stat.S_ISREG(st.st_mode):
            raise problem(f"not a regular file ({_kind(st.st_mode)})")
        if st.st_size > limit:
            raise problem(f"{st.st_size} bytes is more than the cap of {limit} bytes (see max_bytes)")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise problem(f"more than the cap of {limit} bytes (see max_bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise problem(f"not UTF-8 text (invalid byte at offset {e.start})") from None
    try:
        state = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_int_literal, object_pairs_hook=_object
        )
    except json.JSONDecodeError as e:
        raise problem(f"malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise problem(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as e:
        raise problem(str(e)) from None
    if not _depth_at_most(state, MAX_DEPTH):
        raise problem(f"nested deeper than {MAX_DEPTH} levels")
    return state


class _Loadable(Protocol):
    """A model class this module can rebuild (nn.MLP): made from an architecture, loads a state dict."""

    def __init__(self, **architecture: Any) -> None: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


M = TypeVar("M", bound=_Loadable)


def load(path: str | Path, model_class: type[M], *, max_bytes: int | None = None) -> M:
    """Read the checkpoint at `path`, build ``model_class(**architecture)`` and load its parameters.

    The class is passed in, so this module never imports the models (they import it). Any problem
    with the file is a `CheckpointError` (a ValueError) naming the file.
    """
    state = read_json(path, max_bytes=max_bytes)
    try:
        model = model_class(**architecture_of(state))
        model.load_state_dict(state)
    except ValueError as e:
        raise CheckpointError(f"{path}: {e}") from None
    return model
