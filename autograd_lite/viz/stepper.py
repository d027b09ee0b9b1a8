"""Backprop one node at a time: the backward pass as a list of steps you can walk through.

Backprop visits the nodes in reverse topological order (output first). At each node the gradient
it holds is complete -- every node that uses it has already passed its share back -- and the node
passes a share to each operand along each edge, by the chain rule (lecture item 8, docs/lectures.md):

    dL/d(operand)  +=  dL/d(node) · d(node)/d(operand)
    (contribution)     (grad)       (local derivative, from the rule table)

`Stepper(root)` is a view of the engine's own pass, `engine.backprop.steps(root)`: the steps
`backward()` runs, with the same hooks, the same errors (a `Stepper` of a graph whose backward
fails raises what `backward()` raises) and anomaly mode. It needs no earlier `backward()` and
never touches any `.grad`.

    >>> from autograd_lite import Value
    >>> x, y, z = Value(1.0, "x"), Value(-3.0, "y"), Value(4.0, "z")
    >>> d = x + y
    >>> d.label = "d"
    >>> f = d * z
    >>> f.label = "f"
    >>> s = Stepper(f)
    >>> len(s), s.current.node is f
    (5, True)
    >>> [(e.parent.label, e.local, e.contribution) for e in s.current.edges]
    [('d', 4.0, 4.0), ('z', -2.0, -2.0)]
    >>> s.goto(d).grad
    4.0
    >>> s.gradients(-1) == {x: 4.0, y: 4.0, d: 4.0, z: -2.0, f: 1.0}
    True
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine.backprop import Edge, Step, steps
from ..engine.checks import choice, fail, is_integer
from ..engine.value import Value
from .pinning import SharedLayout
from .table import node_names

if TYPE_CHECKING:
    from .graph import Drawing

__all__ = ["Edge", "Step", "Stepper"]


class Stepper:
    """The backward pass from `root`, one step per node, output first; a cursor to walk it.

    With ``skip_constants=True`` the unlabelled leaves (the numbers in ``2 * x``) get no step of
    their own; their edges still carry contributions.

    Navigation: `next()`, `prev()`, `goto(i or node)`, `current`, `index`; `len(stepper)`,
    iteration and `stepper[i]` give the steps. `str(stepper)` / `describe()` explain the current
    step in words; `frame(i)` draws it; `save_frames(folder)` writes every frame.
    """

    def __init__(self, root: Value, skip_constants: bool = False) -> None:
        if not isinstance(root, Value):
            fail("Stepper", "root", "a Value to backpropagate from", root, TypeError)
        self.root = root
        self._pass = list(steps(root))  # the engine's pass, every node; raises what backward() raises
        self.names = node_names(
            [step.node for step in reversed(self._pass)]
        )  # label, or #i as in print_table
        shown = self._pass
        if skip_constants:  # constants (unlabelled leaves) still receive contributions, but get no step
            shown = [s for s in shown if s.node.parents or s.node.label or s.node is root]
        self.steps = [step if step.index == i else replace(step, index=i) for i, step in enumerate(shown)]
        self._in_pass = [step.index for step in shown]  # shown step i is step _in_pass[i] of the pass
        self.order = [step.node for step in self.steps]  # the order backprop visits: root first
        self.position = {v: i for i, v in enumerate(self.order)}
        self.index = 0
        self._layouts: dict[tuple[Any, ...], SharedLayout] = {}  # frame options -> their one layout

    # --- the steps as a sequence -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __getitem__(self, i: int) -> Step:
        return self.steps[i]

    # --- the cursor --------------------------------------------------------------------------------------

    @property
    def current(self) -> Step:
        """The step the cursor is on."""
        return self.steps[self.index]

    def next(self) -> Step:
        """Move to the next step (towards the inputs) and return it; IndexError after the last."""
        if self.index + 1 >= len(self.steps):
            raise IndexError(f"Stepper.next: already at the last step ({self.index} of {len(self) - 1})")
        self.index += 1
        return self.current

    def prev(self) -> Step:
        """Move back one step (towards the output) and return it; IndexError before the first."""
        if self.index == 0:
            raise IndexError("Stepper.prev: already at the first step (0)")
        self.index -= 1
        return self.current

    def goto(self, where: int | Value) -> Step:
        """Move to step `where` (an index, negative counts from the end, or a node) and return it."""
        self.index = self._index(where, "goto")
        return self.current

    def _index(self, where: int | Value | None, op: str) -> int:
        if where is None:
            return self.index
        if isinstance(where, Value):
            if where not in self.position:
                raise ValueError(
                    f"Stepper.{op}: {where!r} has no step: it is not in the graph of the root "
                    "(or is a skipped constant)"
                )
            return self.position[where]
        if not is_integer(where):
            fail(f"Stepper.{op}", "the step", "a step number or a Value", where, TypeError)
        if not -len(self) <= where < len(self):
            raise IndexError(f"Stepper.{op}: step {where} out of range (there are {len(self)} steps)")
        return where % len(self)

    # --- the state of the pass at a step -------------------------------------------------------------

    def gradients(self, i: int | Value | None = None) -> dict[Value, float]:
        """The gradient each node holds after step `i` (default: current; -1: the last), for the
        nodes reached so far: read off the pass's steps up to step `i`.

        A node is reached once some step has passed it a contribution (the root from step 0).
        Until its own step it holds the sum of the contributions so far; from its step on, its
        complete gradient (after its hooks). Its value is final once every node that uses it has
        had its step (see `complete`).
        """
        held: dict[Value, float] = {}
        for step in self._pass[: self._in_pass[self._index(i, "gradients")] + 1]:
            held[step.node] = step.grad
            for e in step.edges:
                held[e.parent] = held.get(e.parent, 0.0) + e.contribution
        return held

    def complete(self, i: int | Value | None = None) -> set[Value]:
        """The nodes whose gradient is final after step `i`: all the nodes that use them are done."""
        last = self._in_pass[self._index(i, "complete")]
        waiting: dict[Value, int] = {}
        for step in self._pass:
            for e in step.edges:
                waiting[e.parent] = waiting.get(e.parent, 0) + 1
        for step in self._pass[: last + 1]:
            for e in step.edges:
                waiting[e.parent] -= 1
        done = {step.node for step in self._pass[: last + 1]}
        return done | {v for v, n in waiting.items() if n == 0}

    # --- words ----------------------------------------------------------------------------------------

    def describe(self, i: int | Value | None = None) -> str:
        """Step `i` (default: the current one) in words, with the chain rule on each edge."""
        step = self.steps[self._index(i, "describe")]
        v, name, out = step.node, self.names[step.node], self.names[self.root]
        head = f"step {step.index + 1} of {len(self)}: {name}"
        head += f" = {self._expression(v)}" if v.parents else (" (a leaf)" if v.label else " (a constant)")
        lines = [head, f"  d{out}/d{name} = {_num(step.grad)}   (complete: every use of {name} is done)"]
        if step.index == 0:
            lines[1] = f"  d{out}/d{out} = 1   (the seed: the output's gradient with respect to itself)"
        if step.before_hooks is not None:
            lines[1] = (
                f"  d{out}/d{name} = {_num(step.before_hooks)} arrived; a hook on {name} made it "
                f"{_num(step.grad)}, which is what {name} passes on"
            )
        if not v.parents:
            lines.append(f"  {name} has no operands: its gradient is final, nothing to pass on.")
        for e in step.edges:
            p = self.names[e.parent]
            to = f"the constant {p} = {_num(e.parent.data)}" if _is_constant(e.parent) else p
            lines.append(
                f"  to {to}: local d{name}/d{p} = {_num(e.local)};  {p}.grad += {_num(step.grad)} × "
                f"{_num(e.local)} = {_num(e.contribution)}"
            )
        return "\n".join(lines)

    def _expression(self, v: Value) -> str:
        symbol = v.rule.symbol if v.rule else "?"
        args = [_num(p.data) if _is_constant(p) else self.names[p] for p in v.parents]
        if v.op in ("add", "sub", "mul", "div", "pow"):
            return f" {symbol} ".join(args)
        if v.op == "power":  # x**2
            return f"{args[0]}{symbol}"
        if v.op == "rpow":  # 2**x
            return f"{symbol}{args[0]}"
        if v.op == "sum":
            return " + ".join(args)
        return f"{symbol}({', '.join(args)})"

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        return f"<Stepper: step {self.index + 1} of {len(self)} at {self.names[self.current.node]}>"

    # --- pictures -------------------------------------------------------------------------------------

    def frame(self, i: int | Value | None = None, **draw: Any) -> Drawing:
        """Draw the graph at step `i` (default: current): the node highlighted, gradients where
        backprop has reached ("grad ?" elsewhere, "…" while not final), and this step's
        contributions grad × local on its operand edges (a `viz.graph.Overlay`). Keyword arguments
        go to `draw_graph` (rankdir, show_local, fmt, color_by, model, group, collapse). Returns a
        `viz.Drawing`.

        Every frame drawn with the same keyword arguments shares one layout (`viz.pinning`): `dot`
        lays out the whole pass once (every gradient and every step's contribution shown) and each
        frame's picture is drawn at those positions, so nothing moves from one step to the next.
        """
        from .graph import Overlay, draw_graph

        i = self._index(i, "frame")
        step = self.steps[i]
        held = self.gradients(i)
        final = self.complete(i)
        overlay = Overlay(
            grads=held,
            partial=frozenset(v for v in held if v not in final),
            highlight=step.node,
            edge_notes=self._notes([step], draw),
        )
        drawing = draw_graph(self.root, overlay=overlay, **draw)
        drawing.layout = self._shared_layout(draw)
        return drawing

    def _notes(self, steps: list[Step], draw: dict[str, Any]) -> dict[tuple[Value, int], str]:
        """The text on each operand edge of `steps`: the contribution grad × local = passed back."""
        from .graph import DEFAULT_FMT, number_format

        num = number_format(draw.get("fmt", DEFAULT_FMT))
        return {
            (step.node, e.index): f"{num(step.grad)}×{num(e.local)} = {num(e.contribution)}"
            for step in steps
            for e in step.edges
        }

    def _shared_layout(self, draw: dict[str, Any]) -> SharedLayout:
        """The one layout of the frames drawn with options `draw`: made on first use, then kept."""
        key = tuple(
            sorted((k, v if isinstance(v, (str, int, float, type(None))) else id(v)) for k, v in draw.items())
        )
        if key not in self._layouts:
            self._layouts[key] = SharedLayout(lambda: self._layout_source(draw))
        return self._layouts[key]

    def _layout_source(self, draw: dict[str, Any]) -> str:
        """What the shared layout is made from: a drawing with what any frame shows, every final
        gradient and every step's contribution on its edge, so each box and label has its room."""
        from .graph import Overlay, draw_graph

        everything = Overlay(grads=self.gradients(-1), edge_notes=self._notes(self.steps, draw))
        return draw_graph(self.root, overlay=everything, **draw).source

    def save_frames(self, folder: str | Path, fmt: str = "svg", **draw: Any) -> list[Path]:
        """Write frame_000.svg, frame_001.svg, ... (or .png/.pdf) into `folder`; returns the paths."""
        from .graph import render

        choice("Stepper.save_frames", "fmt", fmt, ("svg", "png", "pdf"))
        folder = Path(folder)
        digits = max(3, len(str(len(self) - 1)))
        return [
            render(self.frame(i, **draw), folder / f"frame_{i:0{digits}d}.{fmt}") for i in range(len(self))
        ]


def _is_constant(v: Value) -> bool:
    return not v.parents and not v.label


def _num(x: float) -> str:
    return f"{0.0 if x == 0.0 else x:.6g}"
