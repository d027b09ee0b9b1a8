"""The step-through backward pass: its contributions add up to backward()'s gradients."""

from __future__ import annotations

import math
import random
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from svg_shapes import svg_centres, svg_frame

from autograd_lite import Value, topological_order
from autograd_lite.viz.stepper import Stepper

SVG = "{http://www.w3.org/2000/svg}"


def lecture() -> dict[str, Value]:
    """(2·x1 + 3·x2)² + 3 at (1, 3) with the lecture's names a, b, c, e, g."""
    x1, x2 = Value(1.0, "x1"), Value(3.0, "x2")
    nodes = {"x1": x1, "x2": x2}
    nodes["a"] = 2 * x1
    nodes["b"] = 3 * x2
    nodes["c"] = nodes["a"] + nodes["b"]
    nodes["e"] = nodes["c"] ** 2
    nodes["g"] = nodes["e"] + 3
    for name, v in nodes.items():
        v.label = name
    return nodes


# --- the numbers of the lecture -------------------------------------------------------------------------


def test_lecture_example_gradients_step_by_step() -> None:
    n = lecture()
    s = Stepper(n["g"], skip_constants=True)
    assert len(s) == 7
    assert [step.node.label for step in s][:3] == ["g", "e", "c"]  # output first
    grads = {step.node.label: step.grad for step in s}
    # lecture item 7 (docs/lectures.md): backprop from g gives 1, 1, 22, 22, 22 and dg/dx1 = 44, dg/dx2 = 66
    assert grads == {"g": 1.0, "e": 1.0, "c": 22.0, "a": 22.0, "b": 22.0, "x1": 44.0, "x2": 66.0}
    e_step = s.goto(n["e"])
    assert [(edge.parent.label, edge.local, edge.contribution) for edge in e_step.edges] == [
        ("c", 22.0, 22.0)
    ]
    a_step = s.goto(n["a"])
    assert [(edge.local, edge.contribution) for edge in a_step.edges] == [(1.0, 22.0), (2.0, 44.0)]


def test_x_plus_y_times_z() -> None:
    x, y, z = Value(1.0, "x"), Value(-3.0, "y"), Value(4.0, "z")
    d = x + y
    f = d * z
    s = Stepper(f)
    first = s.current
    assert first.node is f and first.grad == 1.0
    # df/dd = z = 4, df/dz = d = -2 (lecture item 8, docs/lectures.md)
    assert [(e.parent, e.local, e.contribution) for e in first.edges] == [(d, 4.0, 4.0), (z, -2.0, -2.0)]
    assert s.gradients(-1) == {f: 1.0, d: 4.0, z: -2.0, x: 4.0, y: 4.0}


# --- agreement with backward() and finite differences on random graphs -------------------------------


def random_graph(rng: random.Random) -> tuple[Value, list[Value]]:
    """A random expression over 3-5 leaves where nodes are reused (fan-out) and numbers mixed in."""
    leaves = [Value(rng.uniform(-1.5, 1.5), f"x{i}") for i in range(rng.randint(3, 5))]
    pool = list(leaves)
    for _ in range(rng.randint(4, 14)):
        a, b = rng.choice(pool), rng.choice(pool)  # the same node may be picked twice: x * x
        kind = rng.randrange(9)
        if kind == 0:
            v = a + b
        elif kind == 1:
            v = a - b
        elif kind == 2:
            v = a * b
        elif kind == 3:
            v = a.tanh()
        elif kind == 4:
            v = (a * 0.5).sigmoid()
        elif kind == 5:
            v = a**2
        elif kind == 6:
            v = Value.sum([a, b, rng.choice(pool), 0.5])
        elif kind == 7:
            v = a / (b * b + 1.0)
        else:
            v = (a * 0.3).exp()
        pool.append(v)
    root = Value.sum(pool[len(leaves) :]) if rng.random() < 0.5 else pool[-1]
    return root, leaves


def forward_again(root: Value, leaves: list[Value], values: list[float]) -> float:
    """Recompute root with new leaf values by replaying the graph's rules on floats."""
    data: dict[Value, float] = dict(zip(leaves, values))
    for v in topological_order(root):
        if v in data:
            continue
        if not v.parents:
            data[v] = v.data
        else:
            data[v] = v.rule.forward(*[data[p] for p in v.parents])  # type: ignore[union-attr]
    return data[root]


@pytest.mark.parametrize("seed", range(40))
def test_stepper_sums_equal_backward_and_finite_differences(seed: int) -> None:
    rng = random.Random(seed)
    root, leaves = random_graph(rng)
    s = Stepper(root)
    stepped = s.gradients(-1)
    assert all(v.grad == 0.0 for v in topological_order(root))  # the stepper touched no .grad
    root.backward()
    for v in topological_order(root):
        assert stepped.get(v, 0.0) == pytest.approx(v.grad, rel=1e-12, abs=1e-12)
    # each step's gradient is already the complete one
    for step in s:
        assert step.grad == pytest.approx(step.node.grad, rel=1e-12, abs=1e-12)
    # and the gradients are right: central differences on every input
    base = [x.data for x in leaves]
    for i, x in enumerate(leaves):
        h = 1e-6
        up = forward_again(root, leaves, [b + (h if j == i else 0.0) for j, b in enumerate(base)])
        down = forward_again(root, leaves, [b - (h if j == i else 0.0) for j, b in enumerate(base)])
        assert stepped.get(x, 0.0) == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-6)


def test_fan_out_node_collects_every_use_before_its_step() -> None:
    x = Value(0.7, "x")
    u = x * x  # x used twice by one node
    v = x.exp()  # and once more elsewhere
    out = u + v
    s = Stepper(out)
    x_step = s.goto(x)
    expected = 2 * 0.7 + math.exp(0.7)  # d/dx (x² + e^x)
    assert x_step.grad == pytest.approx(expected, rel=1e-15)
    before = s.gradients(x_step.index - 1)
    assert before[x] == pytest.approx(expected, rel=1e-15)  # complete before x's own step
    # after the first step only out's operands have been reached
    assert set(s.gradients(0)) == {out, u, v}
    assert s.complete(0) == {out, u, v}  # each used once, by out
    last_use = max(s.position[u], s.position[v])
    assert x not in s.complete(last_use - 1) and x in s.complete(last_use)


def test_stepper_leaves_existing_gradients_alone() -> None:
    n = lecture()
    for v in topological_order(n["g"]):
        v.grad = 123.0
    s = Stepper(n["g"])
    assert s.gradients(-1)[n["x1"]] == 44.0
    s.frame(3)
    assert all(v.grad == 123.0 for v in topological_order(n["g"]))


def test_skip_constants_keeps_the_gradients() -> None:
    n = lecture()
    full, short = Stepper(n["g"]), Stepper(n["g"], skip_constants=True)
    assert len(full) == 10 and len(short) == 7
    assert full.gradients(-1) == short.gradients(-1)


# --- navigation and text ---------------------------------------------------------------------------------


def test_navigation() -> None:
    n = lecture()
    s = Stepper(n["g"], skip_constants=True)
    assert s.index == 0 and s.current.node is n["g"]
    assert s.next().node is n["e"] and s.index == 1
    assert s.prev().node is n["g"]
    with pytest.raises(IndexError, match="first step"):
        s.prev()
    assert s.goto(-1).index == 6
    with pytest.raises(IndexError, match="last step"):
        s.next()
    assert s.goto(n["c"]).node is n["c"] and s.current.grad == 22.0
    assert s[2] is s.current and list(s)[2] is s.current
    with pytest.raises(IndexError, match="out of range"):
        s.goto(7)
    with pytest.raises(ValueError, match="not in the graph"):
        s.goto(Value(1.0))
    with pytest.raises(TypeError, match="^Stepper.goto: the step must be a step number or a Value, got 'c'$"):
        s.goto("c")  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match="^Stepper.frame: the step must be a step number or a Value, got True$"
    ):
        s.frame(True)
    with pytest.raises(TypeError, match="^Stepper: root must be a Value to backpropagate from, got 3.0$"):
        Stepper(3.0)  # type: ignore[arg-type]
    assert s.index == 2  # failed moves changed nothing


def test_describe_states_the_chain_rule_with_numbers() -> None:
    n = lecture()
    s = Stepper(n["g"], skip_constants=True)
    assert "seed" in str(s) and s.describe(0).startswith("step 1 of 7: g = e + 3")
    text = s.describe(n["e"])
    assert text.startswith("step 2 of 7: e = c**2")
    assert "dg/de = 1" in text and "local de/dc = 22;  c.grad += 1 × 22 = 22" in text
    text = s.describe(n["a"])
    assert "x1.grad += 22 × 2 = 44" in text and "the constant" in text
    assert "final" in s.describe(n["x1"]) and "dg/dx1 = 44" in s.describe(n["x1"])
    assert repr(s) == "<Stepper: step 1 of 7 at g>"


# --- frames -------------------------------------------------------------------------------------------


def test_frame_shows_only_what_backprop_has_reached() -> None:
    n = lecture()
    s = Stepper(n["g"], skip_constants=True)
    frame = s.frame(n["c"])
    ids = frame.node_ids
    lines = {m.group(1): m.group(0) for m in re.finditer(r"^\s*(\w+) \[.*$", frame.source, re.M)}
    assert "grad 22<" in lines[ids[n["c"]]] and "#d62728" in lines[ids[n["c"]]]  # current, highlighted
    assert "grad 22<" in lines[ids[n["a"]]] and "grad 22<" in lines[ids[n["b"]]]  # just passed on
    assert "grad ?<" in lines[ids[n["x1"]]] and "grad ?<" in lines[ids[n["x2"]]]  # not reached yet
    assert "grad 1<" in lines[ids[n["g"]]]
    edges = re.findall(r"(\w+) -> (\w+) \[label=\"([^\"]+)\"", frame.source)
    assert (ids[n["a"]], ids[n["c"]] + "op", "22×1 = 22") in edges
    assert (ids[n["b"]], ids[n["c"]] + "op", "22×1 = 22") in edges


def test_frame_marks_partial_gradients() -> None:
    x = Value(2.0, "x")
    y = x * 3
    y.label = "y"
    out = y + x  # x gets a share from out directly and another from y
    out.label = "out"
    s = Stepper(out, skip_constants=True)
    lines = {m.group(1): m.group(0) for m in re.finditer(r"^\s*(\w+) \[.*$", s.frame(0).source, re.M)}
    ids = s.frame(0).node_ids
    assert "grad 1 …<" in lines[ids[x]]  # 1 so far; y's share (3) not yet passed
    final = {m.group(1): m.group(0) for m in re.finditer(r"^\s*(\w+) \[.*$", s.frame(-1).source, re.M)}
    assert "grad 4<" in final[ids[x]]  # d(3x + x)/dx = 4


def test_save_frames_writes_numbered_svg_and_png(tmp_path: Path) -> None:
    n = lecture()
    s = Stepper(n["g"], skip_constants=True)
    paths = s.save_frames(tmp_path / "svg")
    assert [p.name for p in paths] == [f"frame_{i:03d}.svg" for i in range(7)]
    for p in paths:
        root = ET.parse(p).getroot()
        assert sum(g.get("class") == "node" for g in root.iter(SVG + "g")) == 15
    assert "grad ?" in paths[0].read_text() and "grad ?" not in paths[-1].read_text()
    pngs = s.save_frames(tmp_path / "png", fmt="png")
    data = pngs[3].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and min(struct.unpack(">II", data[16:24])) > 0
    with pytest.raises(
        ValueError, match="^Stepper.save_frames: fmt must be one of 'svg', 'png', 'pdf', got 'gif'$"
    ):
        s.save_frames(tmp_path, fmt="gif")


def mlp_loss() -> tuple[Value, object]:
    from autograd_lite.nn import MLP

    model = MLP(2, [3, 1], seed=1)
    loss = (model([Value(0.5, "x0"), Value(-1.0, "x1")]) - 1.0) ** 2
    loss.label = "loss"
    return loss, model


@pytest.mark.parametrize("case", ["lecture", "mlp"])
def test_saved_frames_share_one_layout_nothing_moves(case: str, tmp_path: Path) -> None:
    # drawn afresh, a box that grows ("grad ?" -> "grad 22") or an edge label that appears moves the
    # other nodes (the issue measured x1 at 385 / 391 / 387 px); the frames share one layout instead
    if case == "lecture":
        s, draw = Stepper(lecture()["g"], skip_constants=True), {"show_local": True}
    else:
        loss, model = mlp_loss()
        s, draw = Stepper(loss, skip_constants=True), {"model": model, "group": "layer", "collapse": True}
    svgs = [p.read_text() for p in s.save_frames(tmp_path, **draw)]
    first = svg_centres(svgs[0])
    assert len(first) == (15 if case == "lecture" else 11 + 2)  # nodes (+ the two layers' frames)
    for k, svg in enumerate(svgs):
        assert svg_frame(svg) == svg_frame(svgs[0]), k  # same picture size, graph placed alike
        assert svg_centres(svg) == first, k  # every node and cluster exactly where it was
    assert "grad ?" in svgs[0] and "grad ?" not in svgs[-1]  # ... while the frames do differ
    assert svg_centres(s.frame(len(s) - 1, **draw).svg()) == first  # frame() draws the same pictures
    if case == "lecture":  # the frames of the plain DOT text, each laid out by `dot` on its own, do move
        import graphviz

        plain = [
            graphviz.pipe("dot", "svg", s.frame(i, **draw).source.encode()).decode() for i in range(len(s))
        ]
        assert any(svg_centres(svg) != svg_centres(plain[0]) for svg in plain)
