"""Smoke test of benchmarks/ at tiny sizes: sane numbers and the shared method, never timing thresholds."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from autograd_lite import Value

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.append(str(BENCHMARKS))  # the scripts import benchmarks/method.py, as when run directly
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


bench = _load("bench_engine")
method = _load("method")
OURS = bench.Library("autograd_lite", Value)


def _micrograd() -> Any:
    pytest.importorskip("micrograd")
    from micrograd.engine import Value as MicrogradValue  # type: ignore[import-untyped]

    return bench.Library("micrograd 0.1.0", MicrogradValue)


def test_graph_has_leaves_products_and_a_tree_of_sums() -> None:
    data = bench.random_data(11)  # made even: 10 leaves
    assert len(data) == 10 and all(-1.0 <= x <= 1.0 for x in data)
    assert data == bench.random_data(10)  # seeded
    root, leaves, nodes = bench.build_graph(OURS, data)
    assert nodes == 10 + 5 + 4
    assert math.isclose(root.data, sum(data[i] * data[i + 1] for i in range(0, 10, 2)), rel_tol=1e-12)
    with pytest.raises(AssertionError, match="wrong gradient"):
        bench.check_gradients(leaves)  # before backward the spot check must fail
    root.backward()
    bench.check_gradients(leaves)


def test_timing_gives_positive_finite_ns_per_node() -> None:
    data = bench.random_data(64)
    timings = bench.time_workloads([OURS, _micrograd()], data, rounds=3)
    assert [(t.library, t.gc_on) for t in timings] == [
        ("autograd_lite", True),
        ("autograd_lite", False),
        ("micrograd 0.1.0", True),
        ("micrograd 0.1.0", False),
    ]
    for t in timings:
        assert t.nodes == 64 + 32 + 31
        for ns in (t.build_ns, t.backward_ns, t.total_ns):
            assert math.isfinite(ns) and ns > 0
    # one round: the total is that run's build plus its backward
    for t in bench.time_workloads([OURS], data, rounds=1):
        assert math.isclose(t.total_ns, t.build_ns + t.backward_ns, rel_tol=1e-12)


def test_one_run_reports_its_node_count_and_restores_the_collector() -> None:
    import gc

    nodes, build, backward = bench.run_once(OURS, bench.random_data(16), gc_on=False)
    assert (nodes, build > 0, backward > 0) == (16 + 8 + 7, True, True)
    assert gc.isenabled()


def test_bytes_per_node_is_plausible() -> None:
    data = bench.random_data(200)
    ours = bench.bytes_per_node(OURS, data)
    theirs = bench.bytes_per_node(_micrograd(), data)
    assert 32 < ours < 10_000 and 32 < theirs < 10_000


def test_deepest_chain_stops_at_the_first_recursion_error() -> None:
    too_deep = sys.getrecursionlimit() + 100
    assert bench.deepest_chain(OURS, (10, too_deep)) == too_deep
    assert bench.deepest_chain(_micrograd(), (10, too_deep, 10 * too_deep)) == 10


def test_ratios_and_main_quick(capsys: pytest.CaptureFixture[str]) -> None:
    timings = [
        bench.Timing("autograd_lite", True, 10, 1.0, 1.0, 2.0),
        bench.Timing("autograd_lite", False, 10, 1.0, 1.0, 1.0),
        bench.Timing("micrograd 0.1.0", True, 10, 5.0, 5.0, 10.0),
        bench.Timing("micrograd 0.1.0", False, 10, 2.0, 1.0, 3.0),
    ]
    r = bench.ratios(timings, {"autograd_lite": 100.0, "micrograd 0.1.0": 400.0})
    assert list(r.values()) == [5.0, 3.0, 1.5, 0.25]
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "Workload A" in out and "autograd_lite" in out and "bytes" in out and "Ratios" in out


def test_hook_elsewhere_times_both_settings_on_one_graph() -> None:
    nodes, without, with_hook, ratio = bench.hook_elsewhere(bench.random_data(16), rounds=2)
    assert nodes == 16 + 8 + 7
    for x in (without, with_hook, ratio):
        assert math.isfinite(x) and x > 0


def test_rounds_are_interleaved_with_the_order_rotated() -> None:
    calls: list[str] = []
    tasks = {name: (lambda name=name: calls.append(name) or len(calls)) for name in "abc"}
    results = method.interleave(tasks, rounds=4)
    assert calls == list("abcbcacababc")
    assert results == {"a": [1, 6, 8, 10], "b": [2, 4, 9, 11], "c": [3, 5, 7, 12]}


def test_median_and_frozen_collector() -> None:
    import gc

    assert method.median([5.0, 1.0, 3.0]) == 3.0 and method.median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert method.MIN_ROUNDS >= 5
    gc.unfreeze()
    with method.frozen():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_training_contestants_start_from_the_same_weights_and_agree() -> None:
    pytest.importorskip("numpy")
    pytest.importorskip("torch")
    _micrograd()
    training = _load("bench_training")
    tiny = training.Workload("tiny", [4, 1], 8)
    steps, compile_s = training.contestants(tiny, micrograd=True)
    assert set(steps) == {"engine", "compiled", "compiled numpy", "micrograd 0.1.0", "torch"}
    first = {name: step(0) for name, step in steps.items()}
    for name, loss in first.items():  # the same step from the same weights: the same loss (torch the oracle)
        assert math.isclose(loss, first["torch"], rel_tol=1e-12), (name, loss, first["torch"])
    per_step = training.measure(steps, rounds=2, budget=0.001)
    assert all(math.isfinite(s) and s > 0 for s in per_step.values()) and set(compile_s) <= set(steps)
