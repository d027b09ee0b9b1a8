"""A notebook widget that plays backprop: a slider and a Play button walk the `Stepper` frames.

In a notebook cell, ``step_widget(loss)`` shows the graph at step 1 (the output, seeded with
gradient 1); dragging the slider or pressing Play moves the highlighted node towards the inputs
while the gradients fill in. Below the picture the step is explained in words
(`Stepper.describe`). ipywidgets is imported only when a widget is made; without the Graphviz
`dot` program the widget shows the words and a note on installing it.
"""

from __future__ import annotations

import html
from typing import Any

from ..engine.value import Value
from .stepper import Stepper

__all__ = ["step_widget"]


def step_widget(root: Value | Stepper, *, interval: int = 1200, **draw: Any) -> Any:
    """An ipywidgets box: Play button and slider (linked in the browser), the frame, its text.

    `root` is the output to backpropagate from (or a ready `Stepper`); `interval` is the time per
    step in milliseconds when playing; other keyword arguments go to `draw_graph` (rankdir,
    show_local, fmt, color_by). The box has attributes `slider`, `play`, `picture`, `text` and
    `stepper` for scripting and tests.
    """
    import ipywidgets as w

    stepper = root if isinstance(root, Stepper) else Stepper(root)
    last = len(stepper) - 1
    slider = w.IntSlider(value=0, min=0, max=last, description="step", continuous_update=True)
    play = w.Play(value=0, min=0, max=last, interval=interval, description="play backprop")
    w.jslink((play, "value"), (slider, "value"))
    picture = w.HTML()
    text = w.HTML()
    pictures: dict[int, str] = {}

    def show(i: int) -> None:
        stepper.goto(i)
        if i not in pictures:
            pictures[i] = _svg_or_note(stepper, i, draw)
        picture.value = pictures[i]
        text.value = f"<pre style='line-height:1.3'>{html.escape(stepper.describe(i))}</pre>"

    slider.observe(lambda change: show(change["new"]), names="value")
    show(0)
    box = w.VBox([w.HBox([play, slider]), picture, text])
    box.slider, box.play, box.picture, box.text, box.stepper = slider, play, picture, text, stepper
    return box


def _svg_or_note(stepper: Stepper, i: int, draw: dict[str, Any]) -> str:
    from .graph import GraphvizNotFoundError

    try:
        svg = stepper.frame(i, **draw).svg()
    except GraphvizNotFoundError as e:
        return f"<pre>{html.escape(str(e))}</pre>"
    return svg[svg.index("<svg") :]  # drop the XML prologue, which does not belong inside HTML
