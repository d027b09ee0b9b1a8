"""Make the README's pictures with autograd_lite itself: `python docs/make_images.py`.

* docs/images/lecture_graph.svg -- the lecture's f(x1, x2) = (2·x1 + 3·x2)² + 3 at (1, 3) after
  backward(): every node's data and gradient, the local derivative on every edge.
* docs/images/decision_boundary.png -- a small MLP trained on the two-moons data, its decision
  regions and the data on top (needs matplotlib; about half a minute of training).

Both are deterministic (fixed seeds), so re-running the script rewrites identical pictures.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from autograd_lite import Value
from autograd_lite.viz import draw_graph

IMAGES = Path(__file__).resolve().parent / "images"


def lecture_graph(folder: Path) -> Path:
    """The lecture example with the names a, b, c, e, g of the slides on its nodes."""
    x1, x2 = Value(1.0, "x1"), Value(3.0, "x2")
    named = {"a": 2 * x1, "b": 3 * x2}
    named["c"] = named["a"] + named["b"]
    named["e"] = named["c"] ** 2
    named["g"] = named["e"] + 3
    for name, v in named.items():
        v.label = name
    g = named["g"]
    g.backward()
    assert (g.data, x1.grad, x2.grad) == (124.0, 44.0, 66.0)  # lecture item 7 (docs/lectures.md)
    return draw_graph(g, show_local=True).render(folder / "lecture_graph.svg")


def decision_boundary(folder: Path) -> Path:
    """An MLP(2, [8, 8, 1]) with tanh hidden units, trained with Adam on 100 noisy moons."""
    from autograd_lite.nn import MLP
    from autograd_lite.training import accuracy, fit
    from autograd_lite.training.data import moons
    from autograd_lite.training.plot import plot_decision_boundary

    X, y = moons(100, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], activation="tanh", seed=0)
    fit(model, X, y, loss="bce", optimizer="adam", lr=0.05, epochs=120, progress=False)
    acc = accuracy(model, X, y)
    title = f"two moons, MLP(2, [8, 8, 1]): train accuracy {acc:.0%}"
    path = folder / "decision_boundary.png"
    plot_decision_boundary(model, X, y, path=path, resolution=80, title=title)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=IMAGES, help="folder for the pictures")
    parser.add_argument("--graph-only", action="store_true", help="skip the (slower) trained model")
    args = parser.parse_args(argv)
    makers = [lecture_graph] if args.graph_only else [lecture_graph, decision_boundary]
    for make in makers:
        start = time.perf_counter()
        path = make(args.out)
        print(f"{path}  {path.stat().st_size / 1024:.0f} kB  ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
