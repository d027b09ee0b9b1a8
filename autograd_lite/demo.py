"""``autograd-lite demo`` (``make demo``): the lecture example as a table, then an MLP trained on moons.

1. f(x1, x2) = (2·x1 + 3·x2)² + 3 at (1, 3): the forward pass gives a = 2, b = 9, c = 11,
   e = 121, g = 124; backprop gives ∂g/∂x1 = 44 and ∂g/∂x2 = 66. Printed as a table, and drawn
   to ``OUT/graph.svg`` when Graphviz is available.
2. An MLP 2-16-16-1 trained on 200 moons points by the same recipe as ``autograd-lite train``
   (`training.recipe.run_training`, a few seconds): progress, train / validation / test accuracy,
   and ``OUT/model.json``, ``OUT/loss.png``, ``OUT/decision_boundary.png``.
"""

from __future__ import annotations

from pathlib import Path

from .engine.backprop import topological_order
from .engine.value import Value
from .training.recipe import TrainConfig, check_out, run_training
from .viz.table import format_table, node_names


def lecture_example() -> Value:
    """g = (2·x1 + 3·x2)² + 3 at x1 = 1, x2 = 3, with the lecture's names on every node."""
    x1, x2 = Value(1.0, "x1"), Value(3.0, "x2")
    a = 2 * x1
    a.label = "a"
    b = 3 * x2
    b.label = "b"
    c = a + b
    c.label = "c"
    e = c**2
    e.label = "e"
    g = e + 3
    g.label = "g"
    return g


def draw_lecture_graph(g: Value, path: Path) -> Path | None:
    """Draw g's graph to `path` (SVG) if the viz module and Graphviz's `dot` are there, else None."""
    try:
        from .viz.graph import draw_graph

        return Path(draw_graph(g, show_local=True).render(path))
    except (ImportError, RuntimeError) as e:  # no graphviz package, or no `dot` program
        print(f"(graph drawing skipped: {str(e).splitlines()[0] if str(e) else type(e).__name__})")
        return None


def table_legend(root: Value) -> str:
    """What the table's rows and columns mean, with the unnamed constants (#i rows) spelled out."""
    order = topological_order(root)
    names = node_names(order)
    constants = [f"{names[v]} is the constant {v.data:g}" for v in order if not v.parents and not v.label]
    lines = ["Rows run inputs first (backprop visits them bottom-up); grad is dg/d(row)."]
    if constants:
        lines.append("Rows #i are the formula's unnamed constants: " + "; ".join(constants) + ".")
    lines.append("local derivatives are d(row)/d(input), one per entry of the inputs column.")
    return "\n".join(lines)


def run_demo(out: str | Path = "out", epochs: int = 30) -> None:
    """Print the lecture table, draw its graph, then train and save a small MLP on moons into `out`."""
    out = check_out(out)  # a bad folder is refused before anything is printed
    out.mkdir(parents=True, exist_ok=True)

    g = lecture_example()
    g.backward()
    print("f(x1, x2) = (2*x1 + 3*x2)**2 + 3 at (1, 3), forward and backward:\n")
    print(format_table(g))
    print(table_legend(g))
    print()
    drawn = draw_lecture_graph(g, out / "graph.svg")
    if drawn is not None:
        print(f"wrote {drawn}\n")

    print("Training an MLP on the two-moons data set (the same recipe as `autograd-lite train`):")
    run_training(TrainConfig(dataset="moons", epochs=epochs, out=str(out)))
