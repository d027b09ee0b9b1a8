"""One training step, timed side by side: the engine, its compiled replays, micrograd 0.1.0, PyTorch.

The step (karpathy/micrograd, demo.ipynb): an MLP (ReLU hidden, linear output) scores every point
(full batch); the loss is the mean hinge loss max(0, 1 - y·s) plus the L2 penalty 1e-4·Σ p²; then
zero_grad, backward and a plain SGD update of every parameter (lr 1.0 - 0.9·k/100).

    .venv/bin/python benchmarks/bench_training.py                 # moons 2-16-16-1, 100 points
    .venv/bin/python benchmarks/bench_training.py --wide          # also 2-64-64-1, 256 points
    .venv/bin/python benchmarks/bench_training.py --rounds 9 --profile

Method (benchmarks/method.py, the same for every benchmark here): every contestant starts from the
SAME initial weights (autograd_lite's seeded MLP, copied into micrograd's and PyTorch's); the rounds are
interleaved, each round running every contestant once in an order rotated from round to round;
CPU time (time.process_time); the median over the rounds; gc.freeze() after the imports (so the
collector does not rescan torch's objects); one BLAS / torch thread. A contestant that runs fast
does several steps per round and reports the time per step. The first loss of each contestant is
printed: they must agree, or a fast step did not do the same work.

Contestants: "engine" builds the graph and calls backward() (autograd_lite as written); "compiled"
traces the per-sample loss once (`autograd_lite.compile`, as `fit(compile=True)` does) and replays
it in a Python loop over the points; "compiled numpy" replays it with each node a NumPy vector over
the batch; "micrograd 0.1.0" as in its notebook; "torch" batched float64 tensors. Needs
`pip install -e '.[bench]'` (micrograd) and optionally torch and numpy.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from method import MIN_ROUNDS, cpu_seconds, frozen, interleave, machine_load, median, one_thread

from autograd_lite import Value
from autograd_lite.nn import MLP
from autograd_lite.nn.losses import hinge
from autograd_lite.optim import SGD
from autograd_lite.training.compiled import CompiledLoss
from autograd_lite.training.data import moons

ALPHA = 1e-4  # the demo's L2 strength
Step = Callable[[int], float]  # step(k) -> the loss before the update


@dataclass
class Workload:
    name: str
    sizes: list[int]
    points: int


MOONS = Workload("moons 2-16-16-1, 100 points", [16, 16, 1], 100)
WIDE = Workload("2-64-64-1, 256 points", [64, 64, 1], 256)


def lr(k: int) -> float:
    return 1.0 - 0.9 * k / 100


def model_and_data(w: Workload) -> tuple[MLP, list[list[float]], list[int]]:
    X, y = moons(w.points, noise=0.1, seed=1)
    return MLP(2, w.sizes, activation="relu", output_activation="linear", seed=1337), X, y


def engine_step(w: Workload) -> Step:
    model, X, y = model_and_data(w)
    params, signs = model.parameters(), [2 * t - 1 for t in y]
    opt = SGD(params, lr=1.0)

    def step(k: int) -> float:
        loss = hinge([model(x) for x in X], signs) + ALPHA * Value.sum([p * p for p in params])  # type: ignore[misc]
        opt.zero_grad()
        loss.backward()
        opt.lr = lr(k)
        opt.step()
        return loss.data

    return step


def compiled_step(w: Workload, backend: str) -> tuple[Step, float]:
    """(the step, the CPU seconds to trace and compile it)."""
    model, X, y = model_and_data(w)
    params = model.parameters()
    opt = SGD(params, lr=1.0)
    t0 = cpu_seconds()
    loss_fn = CompiledLoss(model, "hinge", l2=ALPHA, backend=backend)  # hinge: labels 0/1 -> -1/+1
    loss_fn(X[:2], y[:2])  # trace both labels now, so the timed steps are replays only
    if backend == "numpy":
        loss_fn(X, y)  # the NumPy programs are made on first use
    compile_s = cpu_seconds() - t0

    def step(k: int) -> float:
        value, _, grads = loss_fn(X, y)
        opt.zero_grad()
        for p, g in zip(params, grads, strict=True):
            p.grad = g
        opt.lr = lr(k)
        opt.step()
        return value

    return step, compile_s


def micrograd_step(w: Workload) -> Step:
    from micrograd.engine import Value as MgValue  # type: ignore[import-untyped]
    from micrograd.nn import MLP as MgMLP  # type: ignore[import-untyped]

    ours, X, y = model_and_data(w)
    model = MgMLP(2, w.sizes)
    for p, q in zip(model.parameters(), ours.parameters(), strict=True):  # same order: w..., b per neuron
        p.data = q.data
    signs = [2 * t - 1 for t in y]

    def step(k: int) -> float:
        inputs = [[MgValue(v) for v in row] for row in X]
        scores = [model(row) for row in inputs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(signs, scores, strict=True)]
        total = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= lr(k) * p.grad
        return float(total.data)

    return step


def torch_step(w: Workload) -> Step:
    import torch

    from autograd_lite.nn.torch_bridge import to_torch

    torch.set_num_threads(1)
    ours, X, y = model_and_data(w)
    net = to_torch(ours, dtype=torch.float64)
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor([2.0 * t - 1.0 for t in y], dtype=torch.float64)
    params = list(net.parameters())

    def step(k: int) -> float:
        scores = net(Xt).squeeze(1)
        loss = torch.relu(1.0 - yt * scores).mean() + ALPHA * sum((p * p).sum() for p in params)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr(k) * p.grad
        return loss.item()

    return step


def contestants(w: Workload, micrograd: bool) -> tuple[dict[str, Step], dict[str, float]]:
    steps: dict[str, Step] = {"engine": engine_step(w)}
    compile_s: dict[str, float] = {}
    steps["compiled"], compile_s["compiled"] = compiled_step(w, "python")
    try:
        import numpy  # noqa: F401

        steps["compiled numpy"], compile_s["compiled numpy"] = compiled_step(w, "numpy")
    except ImportError:
        print("(numpy not installed: no 'compiled numpy')")
    if micrograd:
        try:
            steps["micrograd 0.1.0"] = micrograd_step(w)
        except ImportError:
            print("(micrograd not installed: pip install -e '.[bench]')")
    try:
        steps["torch"] = torch_step(w)
    except ImportError:
        print("(torch not installed: no 'torch')")
    return steps, compile_s


def measure(steps: dict[str, Step], rounds: int, budget: float = 0.05) -> dict[str, float]:
    """Median CPU seconds per step over interleaved rounds, the order rotated every round."""
    first = {name: step(0) for name, step in steps.items()}  # warm-up, and the first losses
    reps = {}
    for name, step in steps.items():  # how many steps make a round last about `budget` seconds
        t0 = cpu_seconds()
        step(1)
        reps[name] = max(1, min(50, int(budget / max(cpu_seconds() - t0, 1e-6))))

    def timed(name: str) -> Callable[[], float]:
        def run() -> float:
            t0 = cpu_seconds()
            for k in range(2, 2 + reps[name]):
                steps[name](k)
            return (cpu_seconds() - t0) / reps[name]

        return run

    times = interleave({name: timed(name) for name in steps}, rounds)
    print("first loss: " + ", ".join(f"{name} {loss:.12f}" for name, loss in first.items()))
    return {name: median(ts) for name, ts in times.items()}


def report(w: Workload, per_step: dict[str, float], compile_s: dict[str, float]) -> None:
    engine = per_step["engine"]
    print(f"\n{w.name}: ms per step (CPU, median)")
    print(f"{'':18} {'ms/step':>10} {'engine ÷ it':>12} {'micrograd ÷ it':>15} {'it ÷ torch':>11}")
    for name, s in per_step.items():
        mg = f"{per_step['micrograd 0.1.0'] / s:14.1f}x" if "micrograd 0.1.0" in per_step else f"{'':>15}"
        th = f"{s / per_step['torch']:10.2f}x" if "torch" in per_step else ""
        print(f"{name:18} {1e3 * s:10.3f} {engine / s:11.1f}x {mg} {th}")
    for name, s in compile_s.items():
        print(f"trace + compile ({name}): {s:.3f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=MIN_ROUNDS, help=f"interleaved rounds (median; default {MIN_ROUNDS})"
    )
    parser.add_argument("--wide", action="store_true", help="also the 2-64-64-1 / 256-point step")
    parser.add_argument("--no-micrograd", action="store_true", help="leave micrograd out (it is slow)")
    parser.add_argument("--profile", action="store_true", help="cProfile the engine's step")
    args = parser.parse_args(argv)
    one_thread()  # before NumPy or torch is imported
    print(machine_load())
    for w in [MOONS, WIDE] if args.wide else [MOONS]:
        steps, compile_s = contestants(w, micrograd=not args.no_micrograd and w is MOONS)
        with frozen():  # after the imports and the set-up: the collector no longer rescans them
            per_step = measure(steps, args.rounds)
        report(w, per_step, compile_s)
    if args.profile:
        import cProfile
        import pstats

        step = engine_step(MOONS)
        prof = cProfile.Profile()
        prof.runcall(lambda: [step(k) for k in range(3)])
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
