"""Notebook widgets that play backprop: a slider and a Play button walk the `Stepper` frames.

In a notebook cell, ``step_widget(loss)`` shows the graph at step 1 (the output, seeded with
gradient 1); dragging the slider or pressing Play moves the highlighted node towards the inputs
while the gradients fill in. Below the picture the step is explained in words
(`Stepper.describe`). Steps count from 1 everywhere a learner reads them: the slider, the words,
the frame's caption. ipywidgets is imported only when a widget is made; without the Graphviz `dot`
program the widget shows the words and a note on installing it.

Every callback of these widgets runs through `report_errors`: an exception is shown inside the
widget, in a red box with its message (and the traceback folded below it), instead of vanishing into
the notebook server's log while the widget keeps showing the previous state.
"""

from __future__ import annotations

import functools
import html
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from ..engine.value import Value
from .stepper import Stepper

__all__ = ["error_box", "report_errors", "step_widget"]

F = TypeVar("F", bound=Callable[..., Any])

_ERROR_STYLE = (
    "border:1px solid #c62828;background:#fdecea;color:#7f1d1d;padding:6px 10px;"
    "border-radius:4px;margin:4px 0;white-space:normal"
)


def error_box() -> Any:
    """An empty `ipywidgets.HTML` that `report_errors` fills with the last error of a callback."""
    import ipywidgets as w

    box = w.HTML(value="")
    box.add_class("autograd-lite-error")
    return box


def error_html(exc: BaseException) -> str:
    """An exception as a visible red box: its type and message, the traceback folded below."""
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return (
        f"<div class='autograd-lite-error-message' style='{_ERROR_STYLE}'>"
        f"<b>{html.escape(type(exc).__name__)}</b>: {html.escape(str(exc))}"
        f"<details><summary>traceback</summary><pre style='font-size:85%'>{html.escape(tb)}</pre>"
        "</details></div>"
    )


def report_errors(box: Any, callback: F) -> F:
    """Wrap a widget callback so that any exception it raises is shown in `box` (see `error_box`).

    The box is emptied each time the callback succeeds. The exception is not re-raised: in a live
    notebook ipywidgets would send it only to the server's log, where a learner never looks.
    """

    @functools.wraps(callback)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            result = callback(*args, **kwargs)
        except Exception as exc:
            box.value = error_html(exc)
            return None
        box.value = ""
        return result

    return guarded  # type: ignore[return-value]


def step_widget(root: Value | Stepper, *, interval: int = 1200, **draw: Any) -> Any:
    """An ipywidgets box: Play button and slider (linked in the browser), the frame, its text.

    `root` is the output to backpropagate from (or a ready `Stepper`); `interval` is the time per
    step in milliseconds when playing; other keyword arguments go to `draw_graph` (rankdir,
    show_local, fmt, color_by). The slider counts steps from 1 to len(stepper), like the text; step
    k is ``stepper[k - 1]``. The box has attributes `slider`, `play`, `picture`, `text`, `error`
    and `stepper` for scripting and tests. Outside a live notebook (a static HTML page) it shows
    the first step's picture and words.
    """
    import ipywidgets as w

    stepper = root if isinstance(root, Stepper) else Stepper(root)
    n = len(stepper)
    slider = w.IntSlider(value=1, min=1, max=n, description="step", continuous_update=True)
    play = w.Play(value=1, min=1, max=n, interval=interval, description="play backprop")
    w.jslink((play, "value"), (slider, "value"))
    picture = w.HTML()
    text = w.HTML()
    error = error_box()
    pictures: dict[int, str] = {}

    def show(k: int) -> None:
        i = k - 1
        stepper.goto(i)
        if i not in pictures:
            pictures[i] = _svg_or_note(stepper, i, draw)
        picture.value = pictures[i]
        text.value = f"<pre style='line-height:1.3'>{html.escape(stepper.describe(i))}</pre>"

    show_reporting = report_errors(error, show)
    slider.observe(lambda change: show_reporting(change["new"]), names="value")
    show_reporting(1)
    box = static_view_box([w.HBox([play, slider]), error, picture, text], (error, picture, text))
    box.slider, box.play, box.picture, box.text, box.error, box.stepper = (
        slider,
        play,
        picture,
        text,
        error,
        stepper,
    )
    return box


def _svg_or_note(stepper: Stepper, i: int, draw: dict[str, Any]) -> str:
    """Frame `i` as SVG fitted to the column; without `dot`, how to install it. The stepper's frames
    share one layout (`Stepper.frame`), so nothing moves between steps."""
    from .graph import GraphvizNotFoundError, fit_width

    try:
        return fit_width(stepper.frame(i, **draw).svg())
    except GraphvizNotFoundError as e:
        return f"<pre>{html.escape(str(e))}</pre>"


@functools.cache
def _static_view_class() -> type:
    import ipywidgets as w

    class StaticView(w.VBox):
        """A VBox that also offers the HTML of `static_parts` as its look on a page without a kernel.

        Jupyter front ends prefer the live widget view; nbconvert (`make docs`) is told to prefer
        the HTML, so a static lesson shows the picture and words instead of an empty widget.
        """

        static_parts: tuple[Any, ...] = ()

        def _repr_mimebundle_(self, **kwargs: Any) -> Any:
            bundle = super()._repr_mimebundle_(**kwargs)
            if isinstance(bundle, dict):
                parts = [c if isinstance(c, str) else c.value for c in self.static_parts]
                bundle["text/html"] = "<div>" + "\n".join(parts) + "</div>"
            return bundle

    return StaticView


def static_view_box(children: list[Any], static_parts: tuple[Any, ...]) -> Any:
    """A VBox of `children` whose static HTML view (see module doc) joins `static_parts`: HTML widgets
    (their value when displayed) or fixed HTML text."""
    box = _static_view_class()(children)
    box.static_parts = static_parts
    return box
