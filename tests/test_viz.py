"""Graph drawings: DOT text, real SVG/PNG/PDF files from `dot`, colours, clusters, limits, errors."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from svg_shapes import svg_extents

from autograd_lite import Value
from autograd_lite.nn import MLP
from autograd_lite.viz import (
    GRAD_DECADES,
    ROLE_COLOURS,
    Drawing,
    GraphvizNotFoundError,
    Overlay,
    draw_graph,
    grad_colour,
    number_format,
    render,
)

SVG = "{http://www.w3.org/2000/svg}"


def xyz() -> tuple[Value, Value, Value, Value, Value]:
    """Lecture item 8 (docs/lectures.md): f = (x + y)·z at (1, -3, 4); d = -2, f = -8; grads 4, 4, -2."""
    x, y, z = Value(1.0, "x"), Value(-3.0, "y"), Value(4.0, "z")
    d = x + y
    d.label = "d"
    f = d * z
    f.label = "f"
    f.backward()
    return x, y, z, d, f


def lecture() -> Value:
    """(2·x1 + 3·x2)² + 3 at (1, 3): 10 values (3 of them constants) and 5 operations."""
    x1, x2 = Value(1.0, "x1"), Value(3.0, "x2")
    g = (2 * x1 + 3 * x2) ** 2 + 3
    g.backward()
    return g


def node_lines(source: str) -> dict[str, str]:
    """DOT node id -> its statement, for every node statement in the source."""
    found = {m.group(1): m.group(0) for m in re.finditer(r"^\s*(\w+) \[.*$", source, re.M)}
    return {k: v for k, v in found.items() if k not in ("graph", "node", "edge")}


def edge_lines(source: str) -> list[tuple[str, str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+)(.*)$", source, re.M)


def svg_nodes(path: Path) -> list[str]:
    """The <title> of every <g class="node"> in an SVG file (Graphviz titles a node by its id)."""
    root = ET.parse(path).getroot()
    return [g.find(SVG + "title").text or "" for g in root.iter(SVG + "g") if g.get("class") == "node"]


# --- the DOT text ------------------------------------------------------------------------------------


def test_dot_source_of_x_plus_y_times_z_has_every_value_op_and_edge() -> None:
    x, y, z, d, f = xyz()
    drawing = draw_graph(f)
    nodes = node_lines(drawing.source)
    edges = edge_lines(drawing.source)
    assert len(nodes) == 7 and drawing.num_nodes == 7  # 5 values + 2 operations
    assert len(edges) == 6  # x->+, y->+, +->d, d->*, z->*, *->f
    ids = drawing.node_ids
    for v, data, grad in [(x, "1", "4"), (y, "-3", "4"), (d, "-2", "4"), (z, "4", "-2"), (f, "-8", "1")]:
        statement = nodes[ids[v]]
        assert f"<b>{v.label}</b>" in statement
        assert f"data {data}<" in statement and f"grad {grad}<" in statement
    assert 'label="+"' in nodes[ids[d] + "op"] and 'label="*"' in nodes[ids[f] + "op"]
    assert (ids[d] + "op", ids[d]) in [(a, b) for a, b, _ in edges]


def test_operands_are_listed_in_argument_order_with_ordering_in() -> None:
    a, b = Value(5.0, "a"), Value(2.0, "b")
    q = b / a - a / b  # both orders appear
    drawing = draw_graph(q)
    ids = drawing.node_ids
    edges = [(t, h) for t, h, _ in edge_lines(drawing.source)]
    for node in (q.parents[0], q.parents[1], q):
        op = ids[node] + "op"
        tails = [t for t, h in edges if h == op]
        assert tails == [ids[p] for p in node.parents]
        assert "ordering=in" in node_lines(drawing.source)[op]


def test_show_local_puts_the_local_derivative_on_each_operand_edge() -> None:
    x, y, z, d, f = xyz()
    drawing = draw_graph(f, show_local=True)
    ids = drawing.node_ids
    labels = {(t, h): re.search(r"label=(\S+?)[ \]]", rest) for t, h, rest in edge_lines(drawing.source)}
    got = {k: m.group(1) for k, m in labels.items() if m}
    # df/dd = z = 4, df/dz = d = -2, dd/dx = dd/dy = 1 (lecture item 8, docs/lectures.md)
    assert got[(ids[d], ids[f] + "op")] == "4"
    assert got[(ids[z], ids[f] + "op")] == "-2"
    assert got[(ids[x], ids[d] + "op")] == "1" and got[(ids[y], ids[d] + "op")] == "1"
    assert (ids[d] + "op", ids[d]) not in got  # the op -> result edge carries no number


def test_fmt_as_digits_or_format_string() -> None:
    v = Value(1.0, "v") / 3
    assert "data 0.33<" in draw_graph(v, fmt=2).source
    assert "data 0.333333<" in draw_graph(v, fmt="{:.6f}").source
    with pytest.raises(ValueError, match="fmt"):
        draw_graph(v, fmt="{:q}")


def test_number_format_is_the_drawings_one_way_of_writing_numbers() -> None:
    assert number_format(2)(1 / 3) == "0.33" and number_format("{:.1e}")(-1234.0) == "-1.2e+03"
    assert number_format()(Value(2.5)) == "2.5"  # a gradient kept as a Value shows its number
    with pytest.raises(
        TypeError, match=r"^draw_graph: fmt must be a format string or a number of digits, got True$"
    ):
        number_format(True)
    with pytest.raises(ValueError, match=r"^draw_graph: fmt '\{:q\}' is not a format string for one number"):
        number_format("{:q}")


def test_an_overlay_draws_one_step_over_the_graph() -> None:
    x = Value(3.0, "x")
    y = x * x
    y.label = "y"
    y.backward()  # x.grad = 6: the overlay, not .grad, decides what is shown
    step = Overlay(grads={y: 1.0}, highlight=y, edge_notes={(y, 0): "1×3 = 3"})
    drawing = draw_graph(y, overlay=step)
    ids = drawing.node_ids
    labels = {m.group(1): m.group(0) for m in re.finditer(r"^\s*(\w+) \[.*$", drawing.source, re.M)}
    assert "grad ?" in labels[ids[x]] and "6" not in labels[ids[x]].split("grad", 1)[1]
    assert "grad 1<" in labels[ids[y]] and 'border="3"' in labels[ids[y]]  # the step's node is framed
    assert re.search(rf'{ids[x]} -> {ids[y]}op \[.*label="1×3 = 3"', drawing.source)
    assert "grad 6<" in draw_graph(y).source  # without an overlay: .grad
    with pytest.raises(TypeError, match=r"^draw_graph: overlay must be an Overlay or None, got \{\}$"):
        draw_graph(y, overlay={})  # type: ignore[arg-type]


def test_roles_get_their_colours_and_constants_are_small() -> None:
    w = Value(0.5, "L0.N0.w0")
    x = Value(2.0, "x")
    out = (w * x + 1).tanh()
    # without a model no leaf is a parameter: labels are never parsed
    assert ROLE_COLOURS["input"] in node_lines(draw_graph(out).source)[draw_graph(out).node_ids[w]]
    drawing = draw_graph(out, model=type("M", (), {"parameters": lambda self: [w]})())
    nodes = node_lines(drawing.source)
    ids = drawing.node_ids
    assert ROLE_COLOURS["parameter"] in nodes[ids[w]]
    assert ROLE_COLOURS["input"] in nodes[ids[x]]
    assert ROLE_COLOURS["output"] in nodes[ids[out]]
    assert ROLE_COLOURS["intermediate"] in nodes[ids[out.parents[0]]]
    one = out.parents[0].parents[1]
    assert "fontsize=9" in nodes[ids[one]] and "label=1 " in nodes[ids[one]]
    # a leaf passed in model.parameters() is a parameter whatever its label
    model = type("M", (), {"parameters": lambda self: [x]})()
    assert ROLE_COLOURS["parameter"] in node_lines(draw_graph(out, model=model).source)[ids[x]]
    plain = node_lines(draw_graph(out, color_by=None).source)
    assert 'bgcolor="#ffffff"' in plain[ids[w]] and 'bgcolor="#ffffff"' in plain[ids[out]]


def test_grad_colour_scale_is_log10_of_the_magnitude() -> None:
    lo, hi = GRAD_DECADES
    palette = [grad_colour(10.0**k) for k in range(lo, hi + 1)]
    assert len(set(palette)) == hi - lo + 1  # one colour per decade
    assert grad_colour(0.0) == "#ffffff"
    assert grad_colour(1e-12) == palette[0] and grad_colour(1e9) == palette[-1]
    assert grad_colour(-3.0) == grad_colour(3.0) == palette[-lo]  # 3 is in the decade of 1


def test_vanishing_gradient_is_paler_upstream() -> None:
    x = Value(0.0, "x")
    h = x
    for _ in range(8):  # each sigmoid multiplies the gradient by at most 1/4
        h = (h * 4 + 3).sigmoid()
    h.backward()
    assert abs(x.grad) < 1e-6  # vanished (checked independently by finite differences below)
    eps = 1e-4
    assert x.grad == pytest.approx(_numeric_grad(x, h, eps), rel=1e-3, abs=1e-12)
    drawing = draw_graph(h, color_by="grad")
    nodes = node_lines(drawing.source)
    assert grad_colour(x.grad) in nodes[drawing.node_ids[x]]
    assert grad_colour(1.0) in nodes[drawing.node_ids[h]]
    assert "|grad|" in drawing.source  # the legend


def _numeric_grad(x: Value, out: Value, h: float) -> float:
    """Central difference of the graph's output in x, recomputing the forward pass by hand."""

    def f(v: float) -> float:
        for _ in range(8):
            v = 1.0 / (1.0 + pow(2.718281828459045, -(v * 4 + 3)))
        return v

    return (f(x.data + h) - f(x.data - h)) / (2 * h)


def test_bad_arguments_name_the_option() -> None:
    v = Value(1.0, "v") * 2
    with pytest.raises(ValueError, match="rankdir.*'XY'"):
        draw_graph(v, rankdir="XY")
    with pytest.raises(ValueError, match="color_by"):
        draw_graph(v, color_by="rainbow")
    with pytest.raises(ValueError, match="group"):
        draw_graph(v, group="block")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(v, max_nodes=0)
    with pytest.raises(TypeError, match="draw_graph.*float"):
        draw_graph(3.0)  # type: ignore[arg-type]


def test_labels_are_escaped(tmp_path: Path) -> None:
    v = Value(1.0, "<a&b>") * 2
    drawing = draw_graph(v)
    assert "&lt;a&amp;b&gt;" in drawing.source
    assert len(svg_nodes(render(drawing, tmp_path / "e.svg"))) == 4


# --- real files through `dot` ----------------------------------------------------------------------


def test_svg_has_one_node_per_value_and_per_operation(tmp_path: Path) -> None:
    g = lecture()
    path = draw_graph(g, show_local=True).render(tmp_path / "sub" / "lecture.svg")
    titles = svg_nodes(path)
    assert len(titles) == 15  # x1, x2, a, b, c, e, g, three constants; * * + **2 +
    assert len(set(titles)) == 15
    assert sum(t.endswith("op") for t in titles) == 5
    text = path.read_text(encoding="utf-8")
    assert "grad 44" in text and "grad 66" in text  # 44, 66: lecture item 7 (docs/lectures.md)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the PNG signature."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])  # type: ignore[return-value]


def test_png_has_signature_and_positive_size(tmp_path: Path) -> None:
    _, _, _, _, f = xyz()
    w_tb, h_tb = png_size(render(draw_graph(f, rankdir="TB"), tmp_path / "tb.png"))
    w_lr, h_lr = png_size(draw_graph(f, rankdir="LR").render(tmp_path / "lr.png"))
    assert min(w_tb, h_tb, w_lr, h_lr) > 0
    assert h_tb / w_tb > h_lr / w_lr  # top-to-bottom stacks the ranks that left-to-right lines up


def test_pdf_and_unknown_suffix(tmp_path: Path) -> None:
    _, _, _, _, f = xyz()
    assert render(draw_graph(f), tmp_path / "f.pdf").read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ValueError, match="suffix"):
        render(draw_graph(f), tmp_path / "f.nothing")


def test_drawing_displays_as_svg_in_jupyter() -> None:
    _, _, _, _, f = xyz()
    bundle = draw_graph(f)._repr_mimebundle_()
    root = ET.fromstring(bundle["image/svg+xml"])
    assert sum(g.get("class") == "node" for g in root.iter(SVG + "g")) == 7


def test_missing_dot_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _, _, _, _, f = xyz()
    drawing = draw_graph(f)
    monkeypatch.setenv("PATH", "")
    assert "digraph" in drawing.source  # DOT text needs no binary
    with pytest.raises(GraphvizNotFoundError) as info:
        drawing.render(tmp_path / "f.svg")
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert (
        "apt-get install graphviz" in message and "brew install graphviz" in message and "make dot" in message
    )
    assert not (tmp_path / "f.svg").exists()
    bundle = drawing._repr_mimebundle_()
    assert "image/svg+xml" not in bundle and "apt-get install graphviz" in bundle["text/plain"]


# --- large graphs ------------------------------------------------------------------------------------


def test_too_many_nodes_raises_with_count_and_advice() -> None:
    x = Value(0.5, "x")
    y = x
    for _ in range(300):
        y = y * 1.01  # each step: a constant, a product, a multiply node
    with pytest.raises(ValueError) as info:
        draw_graph(y, max_nodes=500)
    message = str(info.value)
    assert "901 nodes" in message  # 1 + 300 * (constant + value + op)
    assert "collapse=True" in message and "group=" in message and "max_nodes=" in message
    assert draw_graph(y, max_nodes=901).num_nodes == 901


def tiny_mlp() -> MLP:
    """2 inputs, layer 0 of 3 relu neurons, layer 1 of 1 linear neuron, with set weights."""
    model = MLP(2, [3, 1], activation="relu", seed=1)
    for k, p in enumerate(model.parameters()):
        p.data = 0.3 - 0.1 * k
    return model


def _cluster_members(source: str) -> dict[str, set[str]]:
    """cluster name -> node ids declared inside it (nested clusters included)."""
    members: dict[str, set[str]] = {}
    stack: list[str] = []
    for line in source.splitlines():
        m = re.match(r"\s*subgraph (\w+) \{", line)
        if m:
            stack.append(m.group(1))
            members[m.group(1)] = set()
        elif line.strip() == "}" and stack:
            stack.pop()
        else:
            n = re.match(r"\s*(\w+) \[", line)
            if n:
                for name in stack:
                    members[name].add(n.group(1))
    return members


def mlp_loss(model: object) -> tuple[Value, list[Value]]:
    x = [Value(0.5, "x0"), Value(-1.0, "x1")]
    loss = (model(x) - 1.0) ** 2  # type: ignore[operator]
    loss.backward()
    return loss, x


@pytest.mark.parametrize("output_activation", ["linear", "sigmoid"])
def test_group_neuron_puts_each_neuron_in_its_cluster(output_activation: str) -> None:
    model = MLP(2, [3, 1], output_activation=output_activation, seed=1)
    loss, x = mlp_loss(model)
    drawing = draw_graph(loss, model=model, group="neuron")
    clusters = _cluster_members(drawing.source)
    neurons = {"cluster_L0_N0", "cluster_L0_N1", "cluster_L0_N2", "cluster_L1_N0"}
    assert neurons | {"cluster_L0", "cluster_L1"} == set(clusters)
    ids = drawing.node_ids
    for name, p in model.named_parameters():  # type: ignore[attr-defined]
        layer, neuron = re.match(r"L(\d)\.N(\d)", name).groups()  # type: ignore[union-attr]
        assert ids[p] in clusters[f"cluster_L{layer}_N{neuron}"]
        assert ids[p] in clusters[f"cluster_L{layer}"]
    # per neuron: 2 or 3 weights + bias, one product value+op per weight, the sum value+op, and
    # for the relu layer the activation value+op; constants none (the inputs are labelled Values)
    assert len(clusters["cluster_L0_N0"]) == 3 + 2 * 2 + 2 + 2
    assert len(clusters["cluster_L1_N0"]) == 4 + 3 * 2 + 2 + (2 if output_activation == "sigmoid" else 0)
    inside = set().union(*clusters.values())
    assert ids[loss] not in inside and ids[x[0]] not in inside  # the loss and inputs stay outside
    assert ids[loss.parents[0]] not in inside  # model(x) - 1 is not part of the linear output neuron


def test_group_layer_and_collapse() -> None:
    model = tiny_mlp()
    loss, x = mlp_loss(model)
    by_layer = _cluster_members(draw_graph(loss, model=model, group="layer").source)
    assert set(by_layer) == {"cluster_L0", "cluster_L1"}
    full = draw_graph(loss, model=model)
    collapsed = draw_graph(loss, model=model, collapse=True)
    # inputs 2, neuron boxes 4, then (out - 1) and **2: two values + two ops + the constant 1
    assert collapsed.num_nodes == 2 + 4 + 5 < full.num_nodes
    edges = {(t, h) for t, h, _ in edge_lines(collapsed.source)}
    ids = collapsed.node_ids
    for j in range(3):
        assert (f"L0_N{j}", "L1_N0") in edges
        assert (ids[x[0]], f"L0_N{j}") in edges and (ids[x[1]], f"L0_N{j}") in edges
    assert ("L1_N0", ids[loss.parents[0]] + "op") in edges
    out = model([Value(0.5), Value(-1.0)])
    box = node_lines(collapsed.source)["L1_N0"]
    assert f"out {out.data:.4g}<" in box
    # collapsed neuron boxes can sit in layer clusters; max_nodes counts after collapsing
    layered = draw_graph(loss, model=model, collapse=True, group="layer", max_nodes=11)
    assert _cluster_members(layered.source) == {
        "cluster_L0": {"L0_N0", "L0_N1", "L0_N2"},
        "cluster_L1": {"L1_N0"},
    }
    with pytest.raises(ValueError, match="11 nodes"):
        draw_graph(loss, model=model, collapse=True, max_nodes=10)


def test_drawing_repr_and_str() -> None:
    _, _, _, _, f = xyz()
    drawing = draw_graph(f)
    assert isinstance(drawing, Drawing)
    assert repr(drawing) == "<Drawing of 7 nodes>" and str(drawing) == drawing.source


def test_collapse_keeps_a_wider_network_small() -> None:
    nn = pytest.importorskip("autograd_lite.nn")
    model = nn.MLP(4, [16, 16, 1], activation="tanh", seed=0)
    x = [Value(0.1 * (k + 1), f"x{k}") for k in range(4)]
    out = model(x)
    out.backward()
    with pytest.raises(ValueError, match="collapse=True"):
        draw_graph(out, model=model)  # 4 + 369 parameters and their products: far over 500
    drawing = draw_graph(out, model=model, collapse=True, group="layer")
    assert drawing.num_nodes == 4 + 16 + 16 + 1  # the output is the last neuron's box
    edges = {(t, h) for t, h, attrs in edge_lines(drawing.source) if "invis" not in attrs}
    assert len(edges) == 4 * 16 + 16 * 16 + 16  # (the invisible edges keep each layer in order)
    box = node_lines(drawing.source)["L2_N0"]
    assert f"grad {out.grad:.4g}<" in box and ROLE_COLOURS["output"] in box


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
@pytest.mark.parametrize("group", [None, "layer", "neuron"])
@pytest.mark.parametrize("sizes", [[3, 1], [16, 16, 1]])
def test_collapsed_neurons_are_drawn_in_index_order(
    sizes: list[int], group: str | None, rankdir: str
) -> None:
    # dot orders a rank to cross few edges; a fully connected layer crosses equally in any order, and
    # left alone dot drew L0.N1, L0.N2, L0.N0 (2-3-1) and N8 ... N15, N0 ... N7 (2-16-16-1, moons)
    model = MLP(2, sizes, seed=1)
    loss = (model([Value(0.5, "x0"), Value(-1.0, "x1")]) - 1.0) ** 2
    loss.backward()
    svg = draw_graph(loss, model=model, collapse=True, group=group, rankdir=rankdir).svg()
    extents = svg_extents(svg)
    for layer, size in enumerate(sizes):
        boxes = [extents[f"L{layer}_N{j}"] for j in range(size)]
        centres = [((x0 + x1) / 2, (y0 + y1) / 2) for x0, y0, x1, y1 in boxes]
        # LR: N0 on top, then down the column; TB: N0 on the left, then along the row
        across, along = zip(*(centres if rankdir == "TB" else [(y, x) for x, y in centres]))
        assert all(a < b for a, b in zip(across, across[1:])), (layer, across)
        depth = max(x1 - x0 if rankdir == "LR" else y1 - y0 for x0, y0, x1, y1 in boxes)
        assert max(along) - min(along) < depth  # one rank: a column (LR) or a row (TB)
        if group is not None:  # the layer's frame is drawn and holds its boxes
            fx0, fy0, fx1, fy1 = extents[f"cluster_L{layer}"]
            assert all(fx0 <= x0 and fy0 <= y0 and x1 <= fx1 and y1 <= fy1 for x0, y0, x1, y1 in boxes)
    assert not any(name.startswith("cluster_L0_N") for name in extents)  # a collapsed neuron needs no frame
