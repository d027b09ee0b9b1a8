"""The step-through widget, driven without a browser: moving the slider changes what is shown."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from svg_shapes import svg_centres, svg_frame

from autograd_lite import Value
from autograd_lite.viz.stepper import Stepper

ipywidgets = pytest.importorskip("ipywidgets")
from autograd_lite.viz.widgets import step_widget  # noqa: E402


def lecture() -> tuple[Value, dict[str, Value]]:
    x1, x2 = Value(1.0, "x1"), Value(3.0, "x2")
    a = 2 * x1
    b = 3 * x2
    c = a + b
    e = c**2
    g = e + 3
    names = {"x1": x1, "x2": x2, "a": a, "b": b, "c": c, "e": e, "g": g}
    for name, v in names.items():
        v.label = name
    return g, names


def test_widget_parts_and_first_frame() -> None:
    g, _ = lecture()
    box = step_widget(g, interval=500)
    assert isinstance(box, ipywidgets.VBox)
    assert isinstance(box.slider, ipywidgets.IntSlider) and isinstance(box.play, ipywidgets.Play)
    assert (box.slider.min, box.slider.max) == (box.play.min, box.play.max) == (1, 10)  # 10 nodes
    assert box.play.interval == 500
    assert box.text.value.startswith("<pre") and "step 1 of 10: g = e + 3" in box.text.value
    svg = ET.fromstring(box.picture.value)  # the frame's SVG, without the XML prologue
    assert sum(el.get("class") == "node" for el in svg.iter("{http://www.w3.org/2000/svg}g")) == 15
    assert box.picture.value.count("grad ?") == 5  # a, b, c, x1, x2 not reached (constants show no grad)


def test_moving_the_slider_shows_that_step() -> None:
    g, n = lecture()
    box = step_widget(Stepper(g, skip_constants=True))
    first_picture = box.picture.value
    box.slider.value = 3  # g, e, then c
    assert box.stepper.current.node is n["c"]
    assert "step 3 of 7: c = a + b" in box.text.value and "dg/dc = 22" in box.text.value
    assert box.picture.value != first_picture
    assert "22×1 = 22" in box.picture.value  # c's contributions on its edges
    box.slider.value = 7
    assert "dg/dx1 = 44" in box.text.value or "dg/dx2 = 66" in box.text.value
    assert "grad ?" not in box.picture.value  # the pass is over: every gradient known
    box.slider.value = 3
    assert box.picture.value.count("22×1 = 22") == 2  # the cached frame comes back


def test_widget_without_dot_still_explains(monkeypatch: pytest.MonkeyPatch) -> None:
    g, _ = lecture()
    monkeypatch.setenv("PATH", "")
    box = step_widget(g)
    assert "apt-get install graphviz" in box.picture.value
    box.slider.value = 2
    assert "step 2 of 10" in box.text.value


def test_slider_and_text_count_steps_alike() -> None:
    g, _ = lecture()
    box = step_widget(Stepper(g, skip_constants=True))
    for k in range(1, 8):
        box.slider.value = k
        assert box.text.value.startswith(f"<pre style='line-height:1.3'>step {k} of 7: ")
        assert box.stepper.index == k - 1


def test_an_error_while_stepping_shows_inside_the_widget(monkeypatch: pytest.MonkeyPatch) -> None:
    g, _ = lecture()
    box = step_widget(g)
    assert box.error.value == ""

    def broken_frame(*args: object, **kwargs: object) -> None:
        raise RuntimeError("frame: drawing failed on purpose")

    monkeypatch.setattr(box.stepper, "frame", broken_frame)
    box.slider.value = 4  # not drawn yet: the broken frame is called
    assert "RuntimeError" in box.error.value and "drawing failed on purpose" in box.error.value
    assert "<details>" in box.error.value  # the traceback, folded
    box.slider.value = 1  # a cached frame: the callback succeeds and the box empties
    assert box.error.value == ""
    assert "step 1 of 10" in box.text.value


def test_report_errors_shows_the_message_and_returns_none() -> None:
    from autograd_lite.viz.widgets import error_box, report_errors

    box = error_box()
    calls: list[int] = []

    def callback(x: int) -> int:
        calls.append(x)
        return 10 // x

    guarded = report_errors(box, callback)
    assert guarded(2) == 5 and box.value == ""
    assert guarded(0) is None and "ZeroDivisionError" in box.value and "modulo by zero" in box.value
    assert guarded(5) == 2 and box.value == ""
    assert calls == [2, 0, 5]


def test_static_view_shows_the_first_frame_without_a_kernel() -> None:
    g, _ = lecture()
    box = step_widget(Stepper(g, skip_constants=True))
    bundle = box._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # live notebooks get the widget
    static = bundle["text/html"]
    assert "<svg" in static and "step 1 of 7: g = e + 3" in static


def test_frames_share_one_layout_so_nothing_moves_between_steps() -> None:
    g, _ = lecture()
    box = step_widget(Stepper(g, skip_constants=True), show_local=True)
    pictures = {}
    for k in range(1, 8):
        box.slider.value = k
        pictures[k] = box.picture.value
    first = svg_centres(pictures[1])
    assert len(first) == 15
    for k, svg in pictures.items():
        assert svg_frame(svg) == svg_frame(pictures[1]), k  # the same size, the graph placed alike
        assert svg_centres(svg) == first, k  # every box and ellipse exactly where it was
    # the widget shows the stepper's frames (one layout, `Stepper.frame`); each frame laid out by
    # `dot` on its own moves nodes between these steps (the issue measured 385/391/387 px)
    assert svg_centres(box.stepper.frame(6, show_local=True).svg()) == first
    plain = [svg_centres(draw_with_dot(box.stepper.frame(i, show_local=True).source)) for i in range(7)]
    assert any(p != plain[0] for p in plain)


def draw_with_dot(source: str) -> str:
    import graphviz

    return str(graphviz.pipe("dot", "svg", source.encode("utf-8")).decode("utf-8"))


def test_a_long_chain_is_drawn_top_to_bottom_to_fit_the_column() -> None:
    import re

    from autograd_lite.viz import draw_graph
    from autograd_lite.viz.graph import COLUMN_PX

    g, _ = lecture()
    drawing = draw_graph(g, show_local=True)
    assert "rankdir=TB" in drawing.source  # 4 operations deep: left to right would be ~1450 px
    w, h = (
        float(x) * 4 / 3
        for x in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', drawing.svg()).groups()
    )
    assert w <= COLUMN_PX + 1 and h > w
    x, y = Value(1.0, "x"), Value(2.0, "y")
    assert "rankdir=LR" in draw_graph(x * y).source  # short: left to right fits
    bundle = drawing._repr_mimebundle_()
    assert bundle["image/svg+xml"].startswith('<svg style="max-width:100%;height:auto" ')
