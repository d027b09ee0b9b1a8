"""The engine's modes, in one place: grad mode, anomaly mode and how deep the function
transformations are nested -- each per thread, as PyTorch's grad mode is.

- **grad mode** (on by default): operations record the graph. Off inside ``with no_grad():``;
  on again inside ``with enable_grad():``; ``set_grad_enabled(mode)`` sets it (now, or for a
  ``with`` block). ``is_grad_enabled()`` reads it.
- **anomaly mode** (off by default): inside ``with detect_anomaly():`` every node remembers the
  line of user code that made it (`origin_of`), and errors name it.
- **transformation depth**: how many `autograd.functional` transformations are running in this
  thread (> 0 means a derivative must come back as a `Value`, so it can be differentiated again).

Every switch is a context manager and a decorator, and re-entrant. A thread sees only its own
modes: a thread inside ``no_grad()`` does not stop another thread from recording.

    >>> is_grad_enabled()
    True
    >>> with no_grad():
    ...     is_grad_enabled()
    False

Reading a thread's mode costs a `threading.local` lookup (~35 ns), too much for building every
node. So `MODES.plain` says, in one slot read, "no thread has switched anything": while it holds,
every thread records with anomaly mode off, and `Value` takes its fast path without asking its
thread. Only while some thread is inside a switch does each new node ask its own thread.
"""

from __future__ import annotations

import linecache
import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import ContextDecorator, contextmanager
from typing import Any, TypeVar

from .checks import boolean

__all__ = [
    "MODES",
    "detect_anomaly",
    "enable_grad",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "origin_of",
    "remember_origin",
    "set_grad_enabled",
    "transformation",
]

F = TypeVar("F", bound=Callable[..., Any])
S = TypeVar("S", bound="_Switch")


class _ThreadModes(threading.local):
    """One thread's modes (each thread starts with the defaults).

    `switched` (a one-item list) says whether this thread counts among the switched ones; when the
    thread ends with a mode still switched (``set_grad_enabled(False)`` and never back), its
    `_ended` sentinel is collected with the thread's data and takes it off the count.
    """

    def __init__(self) -> None:
        self.grad_enabled = True
        self.anomaly = False
        self.transforms = 0
        self.switched = [False]
        self._ended = _Sentinel()
        weakref.finalize(self._ended, _thread_ended, self.switched)


class _Sentinel:
    """An object that lives exactly as long as one thread's modes."""


class Modes:
    """The engine's modes: per thread, plus `plain`, the one flag the hot path reads.

    ``plain`` is True while every thread has the default modes (grad on, anomaly off). Setting a
    mode through `set` keeps a count of the threads that are not in the default modes.
    """

    __slots__ = ("plain", "_thread", "_lock", "_switched")

    def __init__(self) -> None:
        self.plain = True
        self._thread = _ThreadModes()
        self._lock = threading.Lock()
        self._switched = 0  # threads whose modes are not the defaults

    @property
    def grad_enabled(self) -> bool:
        """This thread's grad mode."""
        return bool(self._thread.grad_enabled)

    @property
    def anomaly(self) -> bool:
        """This thread's anomaly mode."""
        return bool(self._thread.anomaly)

    @property
    def transforms(self) -> int:
        """How many function transformations are running in this thread."""
        return int(self._thread.transforms)

    def set(self, name: str, value: bool) -> bool:
        """Set this thread's ``grad_enabled`` or ``anomaly`` to `value`; returns the old value."""
        t = self._thread
        was_default = t.grad_enabled and not t.anomaly
        old = bool(getattr(t, name))
        setattr(t, name, value)
        is_default = t.grad_enabled and not t.anomaly
        if was_default != is_default:
            with self._lock:
                t.switched[0] = not is_default
                self._switched += -1 if is_default else 1
                self.plain = self._switched == 0
        return old

    def add_transform(self, delta: int) -> None:
        self._thread.transforms += delta

    def _forget_thread(self, switched: list[bool]) -> None:
        with self._lock:
            if switched[0]:
                switched[0] = False
                self._switched -= 1
                self.plain = self._switched == 0


def _thread_ended(switched: list[bool]) -> None:
    MODES._forget_thread(switched)


MODES = Modes()


# --- the switches -------------------------------------------------------------------------------------


class _Switch(ContextDecorator):
    """Sets one mode inside a ``with`` block (or a decorated call) and restores it afterwards.

    Re-entrant, and safe to share between threads: the values to restore are kept per thread,
    and a decorated function gets a fresh switch per call.
    """

    mode = ""  # "grad_enabled" or "anomaly"
    value = False

    def __init__(self) -> None:
        self._saved = threading.local()

    def _recreate_cm(self: S) -> S:
        return type(self)()

    def _stack(self) -> list[bool]:
        stack: list[bool] = self._saved.__dict__.setdefault("stack", [])
        return stack

    def __enter__(self) -> None:
        self._stack().append(MODES.set(self.mode, self.value))

    def __exit__(self, *exc: object) -> None:
        MODES.set(self.mode, self._stack().pop())


class no_grad(_Switch):
    """Inside ``with no_grad():`` (or a function decorated ``@no_grad()``) this thread records no
    graph: results are plain leaves. For inference, plotting and optimizer updates."""

    mode, value = "grad_enabled", False


class enable_grad(_Switch):
    """Record the graph again inside a `no_grad()` block."""

    mode, value = "grad_enabled", True


class detect_anomaly(_Switch):
    """Debug mode: every node remembers the line of user code that made it, and errors say it.

    When an operation fails, or backprop meets a failing derivative or a gradient that is not
    finite, the error names the op and that line. Slower; for debugging only.
    """

    mode, value = "anomaly", True


class set_grad_enabled(_Switch):
    """Set this thread's grad mode to `mode` (a bool), as ``torch.set_grad_enabled``.

    Called on its own it sets the mode from then on; used as ``with set_grad_enabled(mode):``
    or as a decorator it sets the mode for the block or call only, then restores it.
    """

    mode = "grad_enabled"

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self.value = boolean("set_grad_enabled", "mode", mode)
        self._before_call: bool | None = MODES.set("grad_enabled", mode)

    def _recreate_cm(self) -> set_grad_enabled:
        return set_grad_enabled(self.value)

    def __call__(self, func: F) -> F:
        self._undo_call()  # decorating sets nothing now: only the calls do
        return super().__call__(func)

    def __enter__(self) -> None:
        if self._before_call is not None:  # the first `with` restores what the call replaced
            self._stack().append(self._before_call)
            self._before_call = None
        else:
            super().__enter__()

    def _undo_call(self) -> None:
        if self._before_call is not None:
            MODES.set("grad_enabled", self._before_call)
            self._before_call = None


def is_grad_enabled() -> bool:
    """False inside `no_grad()` (in this thread)."""
    return MODES.grad_enabled


def is_anomaly_enabled() -> bool:
    """True inside `detect_anomaly()` (in this thread)."""
    return MODES.anomaly


@contextmanager
def transformation() -> Iterator[int]:
    """Mark a function transformation (`autograd.functional`) as running in this thread, with grad
    mode on; yields how many are running, this one included (> 1: it is nested in another)."""
    MODES.add_transform(1)
    try:
        with enable_grad():
            yield MODES.transforms
    finally:
        MODES.add_transform(-1)


# --- anomaly mode: where each node was made -------------------------------------------------------------

_ORIGINS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # autograd_lite/


def remember_origin(node: Any) -> None:
    """Anomaly mode: note the line of user code that is making `node`."""
    _ORIGINS[node] = user_line()


def origin_of(node: Any) -> str | None:
    """The line of user code that made `node` in anomaly mode, or None."""
    return _ORIGINS.get(node)


def user_line() -> str:
    """'file.py:12: f = d * z' for the innermost frame outside autograd_lite."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR + os.sep):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "<unknown>"
    code = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" + (f": {code}" if code else "")
