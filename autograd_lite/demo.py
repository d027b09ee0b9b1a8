"""`make demo`: the lecture's worked example, forward and backward, as a table.

f(x1, x2) = (2·x1 + 3·x2)² + 3 at (1, 3): the forward pass gives a = 2, b = 9, c = 11,
e = 121, g = 124; backprop gives ∂g/∂x1 = 44 and ∂g/∂x2 = 66.
"""

from __future__ import annotations

import argparse

from .engine import Value
from .table import format_table


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autograd_lite.demo", description=__doc__)
    parser.add_argument("--out", default="out", help="folder for the demo's files")
    parser.parse_args(argv)
    g = lecture_example()
    g.backward()
    print("f(x1, x2) = (2*x1 + 3*x2)**2 + 3 at (1, 3), forward and backward:\n")
    print(format_table(g))
    print()


if __name__ == "__main__":
    main()
