"""The timing method of every benchmark in benchmarks/ (issue 13), written once.

1. One BLAS / torch thread: `one_thread()` sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and
   MKL_NUM_THREADS to 1; call it before NumPy or torch is imported (the scripts import them lazily).
2. The same inputs and initial weights for every contestant: the scripts build them once and hand
   the same numbers to each (and print something each computed, which must agree).
3. Rounds interleaved, the order rotated each round (`interleave`): round r runs the contestants
   starting from the (r mod n)-th, so a burst of load from another process, or a contestant that
   warms a cache for the next, touches every contestant alike.
4. CPU time of this process (`cpu_seconds` = time.process_time), not wall-clock time: the time other
   processes take on the shared cores is not counted.
5. The median over at least `MIN_ROUNDS` rounds (`median`), not the best: the typical cost.
6. `gc.freeze()` after the imports and the set-up (`frozen()`): the objects that exist before the
   timing (imported modules, torch's thousands of objects) move to a permanent generation, so the
   collector does not rescan them in every full collection (importing torch would otherwise double the
   engine's collector cost).
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TypeVar

MIN_ROUNDS = 5
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
T = TypeVar("T")

cpu_seconds = time.process_time  # CPU time of this process, in seconds


def one_thread() -> None:
    """One BLAS thread for NumPy and torch (their pools read these variables when they load)."""
    for var in THREAD_VARIABLES:
        os.environ.setdefault(var, "1")


def rotated(names: Sequence[str], r: int) -> list[str]:
    """The order of round r: names starting from the (r mod n)-th, wrapping around."""
    k = r % len(names)
    return [*names[k:], *names[:k]]


def interleave(tasks: Mapping[str, Callable[[], T]], rounds: int) -> dict[str, list[T]]:
    """Run every task once per round, the order rotated each round; each task's results in round order.

    A task measures itself (with `cpu_seconds`) and returns what it measured.
    """
    names = list(tasks)
    results: dict[str, list[T]] = {name: [] for name in names}
    for r in range(rounds):
        for name in rotated(names, r):
            results[name].append(tasks[name]())
    return results


def median(xs: Sequence[float]) -> float:
    """The median (of an even count, the mean of the middle two)."""
    return statistics.median(xs)


@contextmanager
def frozen() -> Iterator[None]:
    """gc.collect() then gc.freeze() for the block: what exists now is never rescanned; unfreeze after."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def machine_load() -> str:
    """The 1-minute load average and the core count, for the report (CPU time is robust, not immune)."""
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    busy = " -- other processes are busy: compare the ratios, not the absolute numbers" if load > 0.5 else ""
    return f"load average {load:.2f} on {cores} cores{busy}"
