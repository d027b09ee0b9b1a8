"""A backward pass as a printed table, for terminals: one row per node in topological order.

The table is a view of the engine's pass, `engine.backprop.steps(root)`: the grad column is each
node's gradient in one backward pass from `root` (what one `backward()` adds to `.grad`, hooks
included) and the local derivatives are the ones on the step's edges. It needs no earlier
`backward()` and reads no `.grad`.

>>> from autograd_lite import Value
>>> x, y, z = Value(1.0, "x"), Value(-3.0, "y"), Value(4.0, "z")
>>> f = (x + y) * z
>>> f.backward()
>>> print(format_table(f))  # doctest: +NORMALIZE_WHITESPACE
node  op   inputs  data  grad  local derivatives
x                   1     4
y                  -3     4
#2    +    x, y    -2     4    1, 1
z                   4    -2
#4    *    #2, z   -8     1    4, -2
"""

from __future__ import annotations

from ..engine.backprop import steps
from ..engine.value import Value

__all__ = ["node_names", "format_table", "print_table"]


def node_names(order: list[Value]) -> dict[Value, str]:
    """A short name for every node: its label, or `#i` (its position in `order`)."""
    return {v: v.label or f"#{i}" for i, v in enumerate(order)}


def _num(x: object, digits: int) -> str:
    return f"{x:.{digits}g}" if isinstance(x, float) else str(x)


def format_table(root: Value, digits: int = 6) -> str:
    """Every node `root` depends on, inputs first: name, op, inputs, data, dL/d(node), d(node)/d(input).

    Raises what `root.backward()` would raise if the pass fails (say, sqrt's derivative at 0).
    """
    order = list(steps(root))[::-1]  # inputs first
    names = node_names([step.node for step in order])
    header = ["node", "op", "inputs", "data", "grad", "local derivatives"]
    rows = [header]
    for step in order:
        v = step.node
        rows.append(
            [
                names[v],
                v.rule.symbol if v.rule else "",
                ", ".join(names[p] for p in v.parents),
                _num(v.data, digits),
                _num(step.grad, digits),
                ", ".join(_num(e.local, digits) for e in step.edges),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def print_table(root: Value, digits: int = 6) -> None:
    """Print `format_table(root)`."""
    print(format_table(root, digits))
