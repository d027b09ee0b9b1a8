"""One layout for many drawings of one graph: the step-through frames, where nothing may move.

`dot` places every drawing afresh, so when a label grows ("grad ?" becomes "grad -0.3824") or an
edge label appears, the neighbours shift sideways and a learner comparing two steps loses their
place. The frames therefore share one layout:

1. `lay_out` has `dot` place one drawing, with extra room between ranks and between nodes for the
   labels other frames show (the stepper lays out its last frame: every gradient is known there,
   so its boxes are as wide as any frame's), and reads back where every node and cluster went;
2. `pin` writes those positions into any drawing of the same nodes (``pos="x,y!"``, and each
   cluster's bounding box ``bb`` and label place ``lp``), and ``neato -n2`` draws it as placed:
   nodes and frames stay, only the edges are routed anew (``splines=true``) around their labels.

`SharedLayout` makes the layout the first time a picture is asked for (the DOT text of a frame
needs no `dot` program) and keeps it for every later frame.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Layout", "SharedLayout", "lay_out", "pin", "pipe_pinned"]

ROOM = {"ranksep": 0.6, "nodesep": 0.5}
"""Space (inches) between ranks and between neighbours in the shared layout, for other frames' labels."""

PAD = 8
"""Points added around each cluster's box and, twice, around the whole drawing: another frame's box may be
a little wider than the laid-out one (a highlighted frame, a partial gradient's "…")."""


@dataclass(frozen=True)
class Layout:
    """Where `dot` put a drawing's parts, in points: nodes' centres, clusters' boxes, the whole box."""

    nodes: dict[str, str]  # node id -> "x,y"
    clusters: dict[str, tuple[str, str]]  # cluster name -> (bb "x0,y0,x1,y1", label place "x,y")
    corners: tuple[str, str]  # the drawing's box, padded: lower left "x,y" and upper right "x,y"


def _pad(bb: str, by: float) -> str:
    x0, y0, x1, y1 = (float(c) for c in bb.split(","))
    return f"{x0 - by:g},{y0 - by:g},{x1 + by:g},{y1 + by:g}"


def lay_out(source: str) -> Layout:
    """Lay out the DOT text `source` with `dot` (with the extra `ROOM`) and read back the positions.

    Raises graphviz.ExecutableNotFound when the `dot` program is missing.
    """
    room = " ".join(f"{k}={v}" for k, v in ROOM.items())
    spaced = source.rstrip().removesuffix("}") + f"\tgraph [{room}]\n}}\n"  # the last setting wins
    placed = json.loads(_pipe("dot", "json", spaced))
    nodes, clusters = {}, {}
    for part in placed.get("objects", []):
        if "pos" in part:  # a node
            nodes[part["name"]] = part["pos"]
        elif part["name"].startswith("cluster") and "bb" in part:
            clusters[part["name"]] = (_pad(part["bb"], PAD), part.get("lp", ""))
    x0, y0, x1, y1 = (float(c) for c in _pad(placed["bb"], 2 * PAD).split(","))
    return Layout(nodes, clusters, (f"{x0:g},{y0:g}", f"{x1:g},{y1:g}"))


def pin(source: str, layout: Layout) -> str:
    """The DOT text `source` with every node and cluster fixed where `layout` says (for ``neato -n2``).

    DOT merges attributes given again later, so the pins are appended: a node statement
    ``v3 [pos="…!"]`` per node, a reopened ``subgraph cluster_… {bb=… lp=…}`` per cluster. ``neato -n2``
    sizes the picture to what it draws (it ignores a given ``bb``), so two invisible points pinned at
    the padded corners keep every frame's picture the same size, with its nodes at the same place.
    """
    lines = ["\tgraph [splines=true]"]
    lines += [
        f'\tpinned_corner{k} [pos="{xy}!" shape=point style=invis width=0 height=0 label=""]'
        for k, xy in enumerate(layout.corners)
    ]
    lines += [f'\t{name} [pos="{pos}!"]' for name, pos in layout.nodes.items()]
    for name, (bb, lp) in layout.clusters.items():
        lines.append(f'\tsubgraph {name} {{ graph [bb="{bb}"' + (f' lp="{lp}"' if lp else "") + "] }")
    return source.rstrip().removesuffix("}") + "\n".join(lines) + "\n}\n"


def pipe_pinned(source: str, layout: Layout, fmt: str) -> bytes:
    """The image (format `fmt`) of `source` drawn at the positions of `layout` by ``neato -n2``."""
    return _pipe("neato", fmt, pin(source, layout), neato_no_op=2)


def _pipe(engine: str, fmt: str, source: str, neato_no_op: int | None = None) -> bytes:
    """Run Graphviz's `engine`; a missing program raises graphviz.ExecutableNotFound (`Drawing` says
    how to install it)."""
    import graphviz

    return bytes(graphviz.pipe(engine, fmt, source.encode("utf-8"), neato_no_op=neato_no_op))


class SharedLayout:
    """The layout of the DOT text `make_source()` returns, made on first use and then kept."""

    def __init__(self, make_source: Callable[[], str]) -> None:
        self._make_source = make_source
        self._layout: Layout | None = None

    def get(self) -> Layout:
        """The layout (`dot` runs the first time only)."""
        if self._layout is None:
            self._layout = lay_out(self._make_source())
        return self._layout
