"""One training step of micrograd's moons demo, timed in micrograd and in autograd_lite in one run.

The step (karpathy/micrograd, demo.ipynb): an MLP 2-16-16-1 (ReLU hidden, linear output) scores
100 two-moons points (full batch); the loss is the mean hinge loss max(0, 1 - y·s) plus the L2
penalty 1e-4·Σ p²; then zero_grad, backward and a plain SGD update of every parameter.

    .venv/bin/python benchmarks/bench_training.py            # default step counts
    .venv/bin/python benchmarks/bench_training.py --profile  # plus a cProfile of autograd_lite's step

Both libraries are timed with the garbage collector on (as users run them) and paused (gc.disable,
after a collection), and the report gives seconds per step, the speed-up and the projected time
of the demo's 100 steps. Needs `micrograd==0.1.0` (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import time
from collections.abc import Callable

from autograd_lite import Value
from autograd_lite.nn import MLP
from autograd_lite.nn.losses import hinge
from autograd_lite.optim import SGD

ALPHA = 1e-4  # the demo's L2 strength
N_POINTS = 100
SIZES = [16, 16, 1]


def two_moons(n: int = N_POINTS, noise: float = 0.1, seed: int = 1) -> tuple[list[list[float]], list[int]]:
    """n points on two interleaving half circles with labels -1 / +1 (the demo's sklearn moons)."""
    try:
        from autograd_lite.training.data import moons

        X, y = moons(n, noise=noise, seed=seed)
    except ImportError:  # a stand-alone generator, so the benchmark also runs on its own
        rng = random.Random(seed)
        X, y = [], []
        for i in range(n):
            t = math.pi * (i // 2) / (n // 2 - 1)
            a, b = (math.cos(t), math.sin(t)) if i % 2 == 0 else (1 - math.cos(t), 0.5 - math.sin(t))
            X.append([a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)])
            y.append(i % 2)
    return X, [2 * label - 1 for label in y]


def micrograd_step(X: list[list[float]], y: list[int]) -> Callable[[int], float]:
    """The demo's step, written as in micrograd's notebook."""
    from micrograd.engine import Value as MgValue  # type: ignore[import-untyped]
    from micrograd.nn import MLP as MgMLP  # type: ignore[import-untyped]

    random.seed(1337)
    model = MgMLP(2, SIZES)

    def step(k: int) -> float:
        inputs = [[MgValue(v) for v in row] for row in X]
        scores = [model(row) for row in inputs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= lr * p.grad
        return float(total.data)

    return step


def autograd_lite_step(X: list[list[float]], y: list[int]) -> Callable[[int], float]:
    """The same step with autograd_lite's MLP, hinge loss and SGD."""
    model = MLP(2, SIZES, activation="relu", output_activation="linear", seed=1337)
    params = model.parameters()
    opt = SGD(params, lr=1.0)

    def step(k: int) -> float:
        scores = [model(row) for row in X]
        loss = hinge(scores, y) + ALPHA * Value.sum([p * p for p in params])  # type: ignore[arg-type]
        opt.zero_grad()
        loss.backward()
        opt.lr = 1.0 - 0.9 * k / 100
        opt.step()
        return loss.data

    return step


def time_steps(step: Callable[[int], float], steps: int, gc_paused: bool) -> tuple[float, float, float]:
    """(median seconds per step over `steps` steps after one warm-up step, first loss, last loss)."""
    first = last = step(0)
    times = []
    gc.collect()
    if gc_paused:
        gc.disable()
    try:
        for k in range(1, steps + 1):
            t0 = time.perf_counter()
            last = step(k)
            times.append(time.perf_counter() - t0)
    finally:
        gc.enable()
    return statistics.median(times), first, last


def profile(step: Callable[[int], float], steps: int = 5) -> None:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for k in range(steps):
        step(k)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(15)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--micrograd-steps", type=int, default=3, help="timed micrograd steps per GC mode")
    parser.add_argument("--steps", type=int, default=20, help="timed autograd_lite steps per GC mode")
    parser.add_argument("--profile", action="store_true", help="cProfile autograd_lite's step")
    args = parser.parse_args(argv)

    X, y = two_moons()
    print(f"moons demo step: MLP(2 -> 16 relu -> 16 relu -> 1 linear), {len(X)} points, hinge + L2, SGD\n")
    print(f"{'GC':8} {'micrograd s/step':>17} {'autograd_lite s/step':>21} {'speed-up':>9} {'100 steps':>16}")
    losses = []
    for paused in (False, True):
        mg, *mg_loss = time_steps(micrograd_step(X, y), args.micrograd_steps, paused)
        al, *al_loss = time_steps(autograd_lite_step(X, y), args.steps, paused)
        losses.append((mg_loss, al_loss))
        demo = f"{100 * mg:.0f} s -> {100 * al:.1f} s"
        print(f"{'paused' if paused else 'on':8} {mg:17.4f} {al:21.4f} {mg / al:8.1f}x {demo:>16}")
    (mg0, mg1), (al0, al1) = losses[0]
    print(
        f"\nloss, first -> last step: micrograd {mg0:.3f} -> {mg1:.3f}, autograd_lite {al0:.3f} -> {al1:.3f}"
    )
    if args.profile:
        profile(autograd_lite_step(X, y))


if __name__ == "__main__":
    main()
