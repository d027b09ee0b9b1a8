"""Drawing computation graphs with Graphviz: every Value, every operation, every edge.

`draw_graph(root)` draws everything `root` depends on, the way the lectures draw a computational
graph (lecture item 8 (docs/lectures.md), "computational graphs"):

* one box per `Value`: its label (when it has one), its ``data`` and its ``grad``;
* one small ellipse per operation, showing the rule's symbol (``+ * exp σ **2 Σ`` ...);
* edges value → operation → value, the operands entering the operation in argument order
  (``ordering=in``, so ``a - b`` and ``a / b`` read the right way round);
* with ``show_local=True`` each operand edge carries the *local derivative*
  d(output)/d(operand): the number backprop multiplies the arriving gradient by (the chain rule).

Colours (``color_by="role"``): inputs blue, parameters orange (the leaves in
``model.parameters()`` when ``model=`` is given), constants small and grey (unlabelled leaves:
the numbers in ``2 * x``), intermediate values white, the output (``root``) green.

Colours (``color_by="grad"``): the fill shows log10|grad| on a fixed sequential scale from
``1e-6`` (pale yellow) to ``1e+2`` (dark red), one colour step per decade; |grad| below 1e-6 gets the
palest colour, a gradient of exactly 0 is white. A vanishing gradient therefore shows as a pale
region of the graph. The scale is drawn as a legend under the graph.

Large graphs: with ``model=`` and ``group="layer"`` or ``group="neuron"`` the nodes of each layer /
neuron (looked up from the model's structure, `layout.py`) sit in a box (Graphviz clusters
``cluster_L0``, ``cluster_L0_N3``); ``collapse=True`` draws each neuron as one box (its output)
with edges between neurons, a layer's boxes in index order N0, N1, ... (with ``group="neuron"``
too they sit in their layer's cluster). More than ``max_nodes`` nodes raises a ValueError
rather than letting Graphviz run for minutes.

    >>> from autograd_lite import Value
    >>> x, y, z = Value(1.0, "x"), Value(-3.0, "y"), Value(4.0, "z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> g = draw_graph(f)
    >>> g.num_nodes  # 5 values and 2 operations
    7

Graphviz is imported only when a graph is drawn. The DOT text (``g.source``) needs only the Python
package; turning it into SVG/PNG/PDF needs the ``dot`` program (``make dot`` installs it).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine.backprop import topological_order
from ..engine.checks import choice, fail, is_integer, positive_int
from ..engine.files import write_atomic
from ..engine.value import Value
from .layout import model_parameters, neuron_homes

if TYPE_CHECKING:
    from .pinning import SharedLayout

__all__ = [
    "DEFAULT_FMT",
    "Drawing",
    "GraphvizNotFoundError",
    "INSTALL_HINT",
    "Overlay",
    "draw_graph",
    "number_format",
    "render",
    "grad_colour",
    "GRAD_DECADES",
    "ROLE_COLOURS",
]

DEFAULT_FMT = "{:.4g}"
"""How numbers are written in a drawing unless ``fmt=`` says otherwise (four significant digits)."""

ROLE_COLOURS = {
    "input": "#cfe2ff",
    "parameter": "#ffd8a8",
    "constant": "#eeeeee",
    "intermediate": "#ffffff",
    "output": "#c3f0c8",
}
"""Fill colour of a value box for each role (``color_by="role"``)."""

GRAD_DECADES = (-6, 2)
"""The gradient colour scale spans |grad| = 10**-6 ... 10**2, one colour per decade."""

_GRAD_PALETTE = (  # pale = small: a vanishing gradient fades out
    "#fffde8",  # <= 1e-6
    "#fff5c0",  # 1e-5
    "#ffe89a",  # 1e-4
    "#ffd475",  # 1e-3
    "#fdb95a",  # 1e-2
    "#f99b45",  # 1e-1
    "#ef7a30",  # 1
    "#d9571b",  # 10
    "#a83a0c",  # >= 100
)
_HIGHLIGHT = "#d62728"
_NEURON_FILL = "#e8e0f8"
_OP_ATTRS = {
    "shape": "ellipse",
    "style": "filled",
    "fillcolor": "#fffbe6",
    "ordering": "in",  # operands enter in argument order
    "margin": "0.02",
    "height": "0.3",
    "fontsize": "12",
}
_CONSTANT_ATTRS = {
    "shape": "box",
    "style": "filled,rounded",
    "color": "#999999",
    "fontsize": "9",
    "fontcolor": "#555555",
    "height": "0.2",
    "width": "0.3",
    "margin": "0.03",
}

INSTALL_HINT = (
    "Rendering needs the Graphviz 'dot' program, which is not on PATH. Install it with\n"
    "    sudo apt-get install graphviz     (Debian/Ubuntu)\n"
    "    brew install graphviz             (macOS)\n"
    "    make dot                          (from the autograd_lite repository)\n"
    "The DOT text is available without it: graph.source"
)
"""What `GraphvizNotFoundError` says: how to install the ``dot`` program."""


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz ``dot`` program is missing, so a graph cannot be turned into an image."""


# --- the drawing object -------------------------------------------------------------------------


class Drawing:
    """A drawn graph: the `graphviz.Digraph` plus what was drawn. Displays inline in Jupyter.

    ``source`` is the DOT text; ``render(path)`` writes an image whose format comes from the
    suffix (.svg, .png, .pdf); ``pipe(fmt)`` returns the image bytes; ``node_ids`` maps each drawn
    Value to its DOT node id (its operation, if any, is ``node_ids[v] + "op"``). With a ``layout``
    (`pinning.SharedLayout`, as the stepper's frames have) the image is drawn at its positions.
    """

    def __init__(
        self, digraph: Any, node_ids: dict[Value, str], num_nodes: int, layout: SharedLayout | None = None
    ) -> None:
        self.digraph = digraph
        self.node_ids = node_ids
        self.num_nodes = num_nodes
        self.layout = layout

    @property
    def source(self) -> str:
        """The DOT text of the graph (no `dot` program needed)."""
        return str(self.digraph.source)

    def pipe(self, fmt: str = "svg") -> bytes:
        """The image as bytes in format `fmt` (svg, png, pdf, ...)."""
        import graphviz

        from .pinning import pipe_pinned

        try:
            if self.layout is not None:
                return pipe_pinned(self.source, self.layout.get(), fmt)
            return bytes(self.digraph.pipe(format=fmt))
        except graphviz.ExecutableNotFound as e:
            raise GraphvizNotFoundError(INSTALL_HINT) from e

    def svg(self) -> str:
        """The image as SVG text."""
        return self.pipe("svg").decode("utf-8")

    def render(self, path: str | Path) -> Path:
        """Write the image to `path`; the format is the suffix (svg, png, pdf). Returns the path."""
        return render(self, path)

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, str]:
        try:
            return {"image/svg+xml": fit_width(self.svg())}
        except GraphvizNotFoundError:  # no `dot`: show the DOT text and say how to get pictures
            return {"text/plain": self.source + "\n// " + INSTALL_HINT.replace("\n", "\n// ")}

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"<Drawing of {self.num_nodes} nodes>"


def render(graph: Drawing | Any, path: str | Path) -> Path:
    """Write `graph` (a `Drawing` or a `graphviz.Digraph`) as an image; format from the suffix.

    The file is written atomically (`engine.files.write_atomic`): an old picture at `path` is
    either kept whole or replaced whole. Raises GraphvizNotFoundError (a RuntimeError) with
    installation instructions when the `dot` program is missing, and ValueError for a suffix
    Graphviz cannot write.
    """
    import graphviz

    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in graphviz.FORMATS:
        raise ValueError(
            f"render: cannot tell the image format from the suffix of {str(path)!r} (use .svg/.png/.pdf)"
        )
    if isinstance(graph, Drawing):
        data = graph.pipe(fmt)
    else:
        try:
            data = graph.pipe(format=fmt)
        except graphviz.ExecutableNotFound as e:
            raise GraphvizNotFoundError(INSTALL_HINT) from e
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
    return path


# --- fitting the width it is shown in -------------------------------------------------------------

COLUMN_PX = 900
"""The width a drawing should fit: a JupyterLab output area is about 950 px in a laptop window."""

_RANK_PX = {"LR": 160, "TB": 135}  # about what one rank of boxes and ellipses takes across, in px


def auto_rankdir(values: list[Value], ops: list[Value]) -> str:
    """ "LR" when the left-to-right drawing fits `COLUMN_PX`, else "TB" if that is narrower.

    Left to right, the width grows with the depth (a rank per value and per operation on the longest
    path); top to bottom, with the breadth (the most values or operations at one depth).
    """
    drawn, with_op = set(values) | set(ops), set(ops)
    depth: dict[Value, int] = {}
    for v in values:  # topological order: operands first
        depth[v] = 0 if v not in with_op else 2 + max((depth.get(p, 0) for p in v.parents), default=0)
    lr_width = (max(depth.values(), default=0) + 1) * _RANK_PX["LR"]
    if lr_width <= COLUMN_PX:
        return "LR"
    breadth: dict[int, int] = {}
    for v in drawn:
        d = depth.get(v, 0)
        breadth[d] = breadth.get(d, 0) + 1
    tb_width = max(breadth.values(), default=1) * _RANK_PX["TB"]
    return "TB" if tb_width < lr_width else "LR"


def fit_width(svg: str) -> str:
    """The SVG (from its <svg> tag on) scaled down, never up, to the width of its container.

    A safety net under `auto_rankdir`: a drawing wider than the column shrinks instead of hiding
    behind a scroll bar. (Browsers keep the aspect ratio from the viewBox Graphviz writes.)
    """
    svg = svg[svg.index("<svg") :]  # drop the XML prologue, which does not belong inside HTML
    return svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)


# --- public entry point ---------------------------------------------------------------------------


def draw_graph(
    root: Value,
    *,
    rankdir: str = "auto",
    show_local: bool = False,
    fmt: str | int = DEFAULT_FMT,
    color_by: str | None = "role",
    model: Any = None,
    group: str | None = None,
    collapse: bool = False,
    max_nodes: int = 500,
    overlay: Overlay | None = None,
) -> Drawing:
    """Draw everything `root` depends on: a box per Value, an ellipse per operation.

    rankdir: "LR" (inputs left), "TB" (inputs on top) or "auto" (LR unless that would be wider than
    a notebook column, `COLUMN_PX`, and TB narrower: long chains run top to bottom).
    show_local: label each operand edge with
    the local derivative d(output)/d(operand). fmt: a format string like "{:.4g}" or a number of
    significant digits. color_by: "role", "grad" (log10|grad|, see `GRAD_DECADES`) or None.
    model: an nn Module whose parameters are drawn as parameters and used for grouping.
    group: None, "layer" or "neuron" (clusters). collapse: one box per neuron. max_nodes: refuse
    (ValueError) to draw more nodes than this, counted after collapsing. overlay: what a step of the
    backward pass adds to the picture (`Overlay`; the stepper's frames are drawn with one).
    """
    shown = Overlay() if overlay is None else overlay
    return _draw(root, _Style(rankdir, show_local, fmt, color_by, model, group, collapse, max_nodes, shown))


# --- options and overlays (the step-through view adds overlays) -------------------------------------


@dataclass(frozen=True)
class Overlay:
    """What one step of the backward pass draws over the graph (`Stepper.frame` makes one per step).

    grads: the gradient each node holds at this step, shown instead of ``.grad``; a node missing
    from it shows "grad ?" (None: show every ``.grad``). partial: nodes whose gradient is not final
    yet (shown with "…"). highlight: the node of this step (a red frame). edge_notes: text for the
    edge from a node's operand i, keyed (node, i), e.g. the contribution "2×3 = 6" (drawn in red).
    """

    grads: Mapping[Value, Any] | None = None
    partial: frozenset[Value] = frozenset()
    highlight: Value | None = None
    edge_notes: Mapping[tuple[Value, int], str] = field(default_factory=dict)


@dataclass
class _Style:
    rankdir: str = "auto"
    show_local: bool = False
    fmt: str | int = DEFAULT_FMT
    color_by: str | None = "role"
    model: Any = None
    group: str | None = None
    collapse: bool = False
    max_nodes: int = 500
    overlay: Overlay = field(default_factory=Overlay)


def _check_style(s: _Style) -> None:
    choice("draw_graph", "rankdir", s.rankdir, ("auto", "LR", "TB", "RL", "BT"))
    choice("draw_graph", "color_by", s.color_by, ("role", "grad", None))
    choice("draw_graph", "group", s.group, (None, "layer", "neuron"))
    positive_int("draw_graph", "max_nodes", s.max_nodes)
    if not isinstance(s.overlay, Overlay):
        fail("draw_graph", "overlay", "an Overlay or None", s.overlay, TypeError)


def number_format(fmt: str | int = DEFAULT_FMT) -> Callable[[Any], str]:
    """The function a drawing writes its numbers with: ``fmt`` is a format string for one number
    ("{:.4g}") or a number of significant digits; a Value (a gradient kept with create_graph=True)
    is written as its number, and -0.0 as 0.

        >>> number_format(3)(2 / 3), number_format("{:.1f}")(-0.0)
        ('0.667', '0.0')
    """
    if not (isinstance(fmt, str) or is_integer(fmt)):
        fail("draw_graph", "fmt", "a format string or a number of digits", fmt, TypeError)
    spec = f"{{:.{fmt}g}}" if isinstance(fmt, int) else fmt
    try:
        spec.format(1.5)
    except (ValueError, IndexError, KeyError) as e:
        raise ValueError(f"draw_graph: fmt {fmt!r} is not a format string for one number ({e})") from None

    def num(x: Any) -> str:
        x = float(getattr(x, "data", x))  # a Value gradient (create_graph=True) shows its number
        return spec.format(0.0 if x == 0.0 else x)

    return num


# --- roles and colours ----------------------------------------------------------------------------


def _role(v: Value, root: Value, params: set[Value]) -> str:
    if v is root:
        return "output"
    if not v.is_leaf:
        return "intermediate"
    if v in params:
        return "parameter"
    return "input" if v.label else "constant"


def grad_colour(g: float) -> str:
    """The fill colour for gradient `g` on the log10|g| scale of `GRAD_DECADES` (0 -> white)."""
    g = abs(float(getattr(g, "data", g)))
    if g == 0.0:
        return "#ffffff"
    lo, hi = GRAD_DECADES
    step = min(max(math.floor(math.log10(g)), lo), hi) - lo
    return _GRAD_PALETTE[step]


def _font_on(fill: str) -> str:
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else "black"


def _grad_legend() -> str:
    lo, hi = GRAD_DECADES
    cells = ['<td border="0">|grad|</td>', '<td bgcolor="#ffffff">0</td>']
    for k in range(lo, hi + 1):
        fill = _GRAD_PALETTE[k - lo]
        text = f"1e{k}" if k not in (lo, hi) else (f"≤1e{k}" if k == lo else f"≥1e{k}")
        cells.append(f'<td bgcolor="{fill}"><font color="{_font_on(fill)}">{text}</font></td>')
    table = '<table border="0" cellborder="1" cellspacing="0" cellpadding="3">'
    return f"<{table}<tr>{''.join(cells)}</tr></table>>"


# --- building the DOT graph ---------------------------------------------------------------------------


def _draw(root: Value, s: _Style) -> Drawing:
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: expected the Value to draw from, got {type(root).__name__} {root!r}")
    _check_style(s)
    num = number_format(s.fmt)
    order = topological_order(root)
    params = model_parameters(s.model)
    roles = {v: _role(v, root, params) for v in order}
    wants_neurons = s.collapse or s.group is not None
    home = neuron_homes(order, s.model) if wants_neurons else {}
    ids = {v: f"v{i}" for i, v in enumerate(order)}
    if s.collapse:
        plan = _collapsed_plan(order, home, roles, ids)
    else:
        plan = _Plan(values=order, ops=[v for v in order if not v.is_leaf], boxes={}, box_edges=[])
    count = len(plan.values) + len(plan.ops) + len(plan.boxes)
    if count > s.max_nodes:
        raise ValueError(
            f"draw_graph: the graph has {count} nodes, more than max_nodes={s.max_nodes}. "
            "Draw it smaller with model=..., group='neuron' and collapse=True (one box per neuron), "
            f"or raise the limit with max_nodes={count} (Graphviz gets slow on thousands of nodes)."
        )

    import graphviz

    rankdir = s.rankdir if s.rankdir != "auto" else auto_rankdir(plan.values, plan.ops)
    dot = graphviz.Digraph(
        name="autograd_lite",
        # size: a drawing wider than the column (in inches, 96 px each) is scaled down to fit it
        graph_attr={
            "rankdir": rankdir,
            "size": f"{COLUMN_PX / 96:.3g},1000",
            "fontname": "Helvetica",
            "nodesep": "0.25",
            "ranksep": "0.35",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "color": "#555555", "arrowsize": "0.6"},
    )
    if s.color_by == "grad":
        dot.attr(label=_grad_legend(), labelloc="b")
    # a collapsed neuron is one box already: it sits in its layer's cluster, not in a frame of its own
    clusters = _Clusters(dot, "layer" if s.collapse and s.group == "neuron" else s.group)
    for v in plan.values:
        target = clusters.get(home.get(v))
        target.node(ids[v], _value_label(v, roles[v], s, num), **_value_attrs(v, roles[v], s))
    for v in plan.ops:
        attrs = dict(_OP_ATTRS)
        if v is s.overlay.highlight:
            attrs.update(color=_HIGHLIGHT, penwidth="2.5")
        clusters.get(home.get(v)).node(ids[v] + "op", html.escape(v.rule.symbol if v.rule else "?"), **attrs)
    for key, (v, box_home) in plan.boxes.items():
        clusters.get(box_home).node(
            key, _box_label(v, box_home, roles[v], s, num), **_box_attrs(v, roles[v], s)
        )
    clusters.line_up((h for _, h in plan.boxes.values()), rankdir)
    clusters.close()

    visible = set(plan.values)
    for v in plan.ops:
        for i, (p, d) in enumerate(zip(v.parents, v.local_grads)):
            tail = ids[p] if p in visible else _box_id(home[p])
            dot.edge(tail, ids[v] + "op", **_operand_edge(v, i, d, s, num))
        dot.edge(ids[v] + "op", ids[v])
    for tail, head in plan.box_edges:
        dot.edge(tail, head)
    return Drawing(dot, {v: ids[v] for v in plan.values}, count)


def _table(cells: list[str], fill: str, highlight: bool) -> str:
    """An HTML-like Graphviz label: one row of cells on a filled table (red frame if highlighted)."""
    frame = f'border="3" color="{_HIGHLIGHT}"' if highlight else 'border="1" color="black"'
    tds = "".join(f'<td color="black">{c}</td>' for c in cells)
    table = f'<table {frame} cellborder="1" cellspacing="0" cellpadding="4" bgcolor="{fill}">'
    return f"<{table}<tr>{tds}</tr></table>>"


def _grad_text(v: Value, s: _Style, num: Callable[[Any], str]) -> str:
    """The node's gradient, or with a step-through overlay the gradient so far ("…": not final)."""
    if s.overlay.grads is None:
        return num(v.grad)
    if v not in s.overlay.grads:
        return "?"
    return num(s.overlay.grads[v]) + (" …" if v in s.overlay.partial else "")


def _value_label(v: Value, role: str, s: _Style, num: Callable[[Any], str]) -> str:
    if role == "constant":
        return num(v.data)
    cells = [f"<b>{html.escape(v.label)}</b>"] if v.label else []
    cells += ["data " + num(v.data), "grad " + _grad_text(v, s, num)]
    return _table(cells, _fill(v, role, s), v is s.overlay.highlight)


def _fill(v: Value, role: str, s: _Style) -> str:
    if s.color_by == "role" or role == "constant":
        return ROLE_COLOURS[role]
    if s.color_by == "grad":
        g = s.overlay.grads.get(v) if s.overlay.grads is not None else v.grad
        return "#ffffff" if g is None else grad_colour(g)
    return "#ffffff"


def _value_attrs(v: Value, role: str, s: _Style) -> dict[str, str]:
    fill = _fill(v, role, s)
    if role == "constant":
        return dict(_CONSTANT_ATTRS, fillcolor=fill)
    return {"shape": "plain", "fontcolor": _font_on(fill)}


def _operand_edge(v: Value, i: int, local: float, s: _Style, num: Callable[[Any], str]) -> dict[str, str]:
    note = s.overlay.edge_notes.get((v, i))
    if note is not None:
        return {
            "label": note,
            "color": _HIGHLIGHT,
            "fontcolor": _HIGHLIGHT,
            "penwidth": "2",
            "fontsize": "10",
        }
    if s.show_local:
        return {"label": num(local), "fontcolor": "#1f4e9e"}
    return {}


# --- clusters ------------------------------------------------------------------------------------------


def _box_id(h: tuple[int, int]) -> str:
    return f"L{h[0]}_N{h[1]}"


class _Clusters:
    """Opens Graphviz subgraph clusters on demand: cluster_L{i} and, inside, cluster_L{i}_N{j}."""

    def __init__(self, dot: Any, group: str | None) -> None:
        self.dot, self.group = dot, group
        self.layers: dict[int, Any] = {}
        self.neurons: dict[tuple[int, int], Any] = {}
        self.rows: dict[int, Any] = {}  # layer -> its collapsed neuron boxes on one rank, in order

    def get(self, h: tuple[int, int] | None) -> Any:
        if self.group is None or h is None:
            return self.dot
        layer = self.layers.get(h[0])
        if layer is None:
            layer = self.layers[h[0]] = self._cluster(f"cluster_L{h[0]}")
            layer.attr(label=f"layer {h[0]}", style="rounded,dashed", color="#888888", fontsize="10")
        if self.group == "layer":
            return layer
        neuron = self.neurons.get(h)
        if neuron is None:
            neuron = self.neurons[h] = self._cluster(f"cluster_L{h[0]}_N{h[1]}")
            neuron.attr(label=f"L{h[0]}.N{h[1]}", style="rounded", color="#bbbbbb", fontsize="9")
        return neuron

    @staticmethod
    def _cluster(name: str | None) -> Any:
        import graphviz

        return graphviz.Digraph(name=name)

    def line_up(self, boxes: Iterable[tuple[int, int]], rankdir: str) -> None:
        """Draw each layer's collapsed neuron boxes N0, N1, N2, ... in index order across the layer
        (top to bottom when the graph runs left to right, left to right when it runs top down).

        Left alone, `dot` orders a rank to reduce edge crossings, and a fully connected layer
        crosses equally in any order, so it may list N2, N0, N1 (``ordering=out`` does not reach
        into clusters). A subgraph with ``rank=same`` holding invisible edges between neighbours
        fixes the order: `dot` keeps such flat edges pointing one way along the rank. Two quirks of
        `dot` (seen in Graphviz 2.43, asserted by tests/test_viz.py) shape the recipe: inside a
        cluster the subgraph must sit in the cluster (outside, it pulls the boxes out) and its
        order survives only without the second crossing pass (``remincross=false``), and there
        a left-to-right graph lists the rank bottom up, so the edges run N_last -> ... -> N0.
        """
        by_layer: dict[int, list[int]] = {}
        for layer, j in boxes:
            by_layer.setdefault(layer, []).append(j)
        upward = self.group is not None and rankdir in ("LR", "RL")
        for layer, js in sorted(by_layer.items()):
            if len(js) < 2:
                continue
            row = self.rows[layer] = self._cluster(None)
            row.attr(rank="same")
            js.sort(reverse=upward)
            for a, b in zip(js, js[1:]):
                row.edge(_box_id((layer, a)), _box_id((layer, b)), style="invis")
        if self.rows and self.group is not None:
            self.dot.attr(remincross="false")

    def close(self) -> None:
        """Copy the clusters into the graph, neurons into their layers first (Graphviz copies text)."""
        for (layer, _), sub in sorted(self.neurons.items()):
            self.layers[layer].subgraph(sub)
        for layer, row in sorted(self.rows.items()):
            (self.layers[layer] if self.group is not None else self.dot).subgraph(row)
        for _, sub in sorted(self.layers.items()):
            self.dot.subgraph(sub)


# --- collapsing neurons --------------------------------------------------------------------------------


@dataclass
class _Plan:
    values: list[Value]  # value boxes drawn
    ops: list[Value]  # values whose operation ellipse is drawn
    boxes: dict[str, tuple[Value, tuple[int, int]]]  # neuron box id -> (its output value, neuron)
    box_edges: list[tuple[str, str]]  # edges into neuron boxes


def _collapsed_plan(
    order: list[Value],
    home: Mapping[Value, tuple[int, int]],
    roles: Mapping[Value, str],
    ids: Mapping[Value, str],
) -> _Plan:
    """One box per neuron (showing its last node, the neuron's output); everything else as usual."""
    outputs: dict[tuple[int, int], Value] = {}
    for v in order:
        if v in home and not v.is_leaf:
            outputs[home[v]] = v  # the last one in topological order wins
    inside = {v for v in home if home[v] in outputs}
    feeds_outside = {p for v in order if v not in inside for p in v.parents}
    values = [v for v in order if v not in inside and (roles[v] != "constant" or v in feeds_outside)]
    visible = set(values)
    box_edges: list[tuple[str, str]] = []
    for v in order:
        if v in inside and not v.is_leaf:
            for p in v.parents:
                if p in visible:
                    box_edges.append((ids[p], _box_id(home[v])))
                elif p in inside and home[p] != home[v]:
                    box_edges.append((_box_id(home[p]), _box_id(home[v])))
    ops = [v for v in values if not v.is_leaf]
    boxes = {_box_id(h): (out, h) for h, out in outputs.items()}
    return _Plan(values, ops, boxes, list(dict.fromkeys(box_edges)))


def _box_label(v: Value, h: tuple[int, int], role: str, s: _Style, num: Callable[[Any], str]) -> str:
    """A collapsed neuron: its name, its output's data and grad."""
    cells = [f"<b>L{h[0]}.N{h[1]}</b>", "out " + num(v.data), "grad " + _grad_text(v, s, num)]
    return _table(cells, _box_fill(v, role, s), v is s.overlay.highlight)


def _box_fill(v: Value, role: str, s: _Style) -> str:
    return _fill(v, role, s) if role == "output" or s.color_by != "role" else _NEURON_FILL


def _box_attrs(v: Value, role: str, s: _Style) -> dict[str, str]:
    return {"shape": "plain", "fontcolor": _font_on(_box_fill(v, role, s))}
