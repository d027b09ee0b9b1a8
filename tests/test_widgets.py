"""The step-through widget, driven without a browser: moving the slider changes what is shown."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

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
    assert box.slider.max == box.play.max == 9  # 10 nodes, constants included
    assert box.play.interval == 500
    assert box.text.value.startswith("<pre") and "step 1 of 10: g = e + 3" in box.text.value
    svg = ET.fromstring(box.picture.value)  # the frame's SVG, without the XML prologue
    assert sum(el.get("class") == "node" for el in svg.iter("{http://www.w3.org/2000/svg}g")) == 15
    assert box.picture.value.count("grad ?") == 5  # a, b, c, x1, x2 not reached (constants show no grad)


def test_moving_the_slider_shows_that_step() -> None:
    g, n = lecture()
    box = step_widget(Stepper(g, skip_constants=True))
    first_picture = box.picture.value
    box.slider.value = 2  # g, e, then c
    assert box.stepper.current.node is n["c"]
    assert "step 3 of 7: c = a + b" in box.text.value and "dg/dc = 22" in box.text.value
    assert box.picture.value != first_picture
    assert "22×1 = 22" in box.picture.value  # c's contributions on its edges
    box.slider.value = 6
    assert "dg/dx1 = 44" in box.text.value or "dg/dx2 = 66" in box.text.value
    assert "grad ?" not in box.picture.value  # the pass is over: every gradient known
    box.slider.value = 2
    assert box.picture.value.count("22×1 = 22") == 2  # the cached frame comes back


def test_widget_without_dot_still_explains(monkeypatch: pytest.MonkeyPatch) -> None:
    g, _ = lecture()
    monkeypatch.setenv("PATH", "")
    box = step_widget(g)
    assert "apt-get install graphviz" in box.picture.value
    box.slider.value = 1
    assert "step 2 of 10" in box.text.value
