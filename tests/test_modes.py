"""Grad mode and anomaly mode are per thread (as PyTorch's grad mode), switched by context managers
that also decorate, re-entrantly; `set_grad_enabled` sets the mode now or for a block."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from autograd_lite import Value, detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from autograd_lite import functional as F
from autograd_lite.engine.modes import MODES, is_anomaly_enabled, origin_of


def run_in_thread(target: Callable[[], None]) -> threading.Thread:
    errors: list[BaseException] = []

    def body() -> None:
        try:
            target()
        except BaseException as e:  # re-raised in the main thread by `joined`
            errors.append(e)

    thread = threading.Thread(target=body)
    thread.errors = errors  # type: ignore[attr-defined]
    thread.start()
    return thread


def joined(thread: threading.Thread) -> None:
    thread.join(timeout=30)
    assert not thread.is_alive()
    if thread.errors:  # type: ignore[attr-defined]
        raise thread.errors[0]  # type: ignore[attr-defined]


def test_a_thread_inside_no_grad_does_not_stop_another_thread_recording() -> None:
    inside, recorded = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def quiet() -> None:
        with no_grad():
            inside.set()
            assert recorded.wait(30)  # stay inside no_grad while the main thread records
            x = Value(2.0)
            seen["quiet"] = (x * x).parents

    thread = run_in_thread(quiet)
    assert inside.wait(30)
    assert is_grad_enabled() and not MODES.plain  # another thread is switched: nodes ask their thread
    x = Value(3.0)
    y = x * x
    seen["main"] = y.parents
    recorded.set()
    joined(thread)
    assert seen["main"] == (x, x)  # the main thread recorded
    assert seen["quiet"] == ()  # the thread inside no_grad did not
    y.backward()
    assert x.grad == 6.0
    assert MODES.plain  # every thread back to the defaults


def test_anomaly_mode_in_one_thread_is_not_on_in_another() -> None:
    inside, done = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def debugging() -> None:
        with detect_anomaly():
            inside.set()
            assert done.wait(30)
            seen["debug"] = origin_of(Value(1.0) * 2.0)

    thread = run_in_thread(debugging)
    assert inside.wait(30)
    assert not is_anomaly_enabled()
    seen["main"] = origin_of(Value(1.0) * 2.0)
    done.set()
    joined(thread)
    assert seen["main"] is None
    assert "test_modes.py" in str(seen["debug"])  # the thread in anomaly mode remembered the line


def test_a_new_thread_starts_recording_even_if_its_creator_is_inside_no_grad() -> None:
    seen: list[bool] = []
    with no_grad():
        joined(run_in_thread(lambda: seen.append(is_grad_enabled())))
    assert seen == [True]


def test_one_decorated_function_used_by_two_threads_at_once() -> None:
    barrier = threading.Barrier(2, timeout=30)
    modes: list[bool] = []

    @no_grad()
    def infer(x: float) -> tuple[Value, ...]:
        barrier.wait()  # both threads inside the same decorated function
        modes.append(is_grad_enabled())
        return (Value(x) * 2.0).parents

    results: list[tuple[Value, ...]] = []
    thread = run_in_thread(lambda: results.append(infer(1.0)))
    results.append(infer(2.0))
    joined(thread)
    assert modes == [False, False] and results == [(), ()]
    assert is_grad_enabled() and MODES.plain


def test_set_grad_enabled_sets_now_or_for_a_block() -> None:
    set_grad_enabled(False)
    try:
        assert not is_grad_enabled() and (Value(1.0) * 2.0).parents == ()
    finally:
        set_grad_enabled(True)
    assert is_grad_enabled()
    with no_grad():
        with set_grad_enabled(True):
            assert is_grad_enabled()
        assert not is_grad_enabled()
    with set_grad_enabled(False):
        assert not is_grad_enabled()
    assert is_grad_enabled()

    @set_grad_enabled(False)
    def quiet() -> bool:
        return is_grad_enabled()

    assert is_grad_enabled()  # decorating sets nothing
    assert quiet() is False and is_grad_enabled()
    with pytest.raises(TypeError, match="set_grad_enabled: mode must be True or False, got 1"):
        set_grad_enabled(1)  # type: ignore[arg-type]
    assert MODES.plain


def test_switches_nest_and_restore_on_errors() -> None:
    with pytest.raises(RuntimeError), no_grad(), enable_grad():
        assert is_grad_enabled()
        with detect_anomaly():
            raise RuntimeError("boom")
    assert is_grad_enabled() and not is_anomaly_enabled() and MODES.plain


def test_transformation_depth_is_per_thread() -> None:
    # d/dx of x * d/dy (x*y) = d/dx x² = 2x: the inner grad is nested, so it returns a Value
    assert F.grad(lambda x: x * F.grad(lambda y: x * y)(1.0))(3.0) == 6.0
    inside, done = threading.Event(), threading.Event()

    def outer(x: Value) -> Value:
        inside.set()
        assert done.wait(30)
        return x * x

    thread = run_in_thread(lambda: F.grad(outer)(2.0) and None)
    assert inside.wait(30)
    assert MODES.transforms == 0  # the other thread's transformation is not this thread's
    assert F.grad(lambda x: x * x)(3.0) == 6.0  # a float here, not a Value
    done.set()
    joined(thread)


def test_a_thread_that_ends_with_grad_mode_off_leaves_the_others_plain() -> None:
    import gc

    seen: list[bool] = []

    def forgetful() -> None:
        set_grad_enabled(False)  # and never back on
        seen.append(MODES.plain)

    joined(run_in_thread(forgetful))
    gc.collect()
    assert seen == [False]  # while it ran, new nodes asked their thread
    assert MODES.plain and is_grad_enabled()  # once it ended, the fast check holds again
