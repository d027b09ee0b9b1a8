"""A notebook widget that trains an MLP with live plots, through the library's training recipe.

``train_widget()`` shows the controls (data set, hidden sizes, activation, optimizer, learning rate,
batch size, number of epochs) and a **Train** button. Pressing it runs `training.recipe.run_training`
-- the very function behind ``autograd-lite train`` and ``make demo``, so a data set trains here
exactly as it does on the command line (xor: on all four points, with no validation or test part)
-- with a `LivePlot` callback that updates a progress bar, a status line and, every few epochs, the
loss and accuracy curves and the decision boundary.

`LivePlot` is an ordinary `training.Callback`: `fit` calls ``on_epoch_end(epoch, history)`` after
every epoch. Any error (a bad setting, a learning rate so high that the loss overflows) is shown
inside the widget, in a red box, never only in the notebook server's log (`widgets.report_errors`).
"""

from __future__ import annotations

import contextlib
import html
import io
from typing import Any

from ..training.callbacks import Callback, History
from ..training.data import DATASETS
from ..training.recipe import PreparedRun, TrainConfig, TrainResult, parse_batch_size, parse_hidden, prepare
from .widgets import error_box, report_errors, static_view_box

__all__ = ["LivePlot", "train_widget"]


def _acc(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


class LivePlot(Callback):
    """After each epoch: progress bar and status line; every `every` epochs (and the last) the plots.

    `bar` is an `ipywidgets.IntProgress`, `status` an `ipywidgets.HTML` or `Label`, `output` an
    `ipywidgets.Output` that the figure (loss, accuracy, decision boundary) is drawn into.
    """

    def __init__(self, run: PreparedRun, output: Any, bar: Any, status: Any, every: int = 5) -> None:
        self.run, self.output, self.bar, self.status, self.every = run, output, bar, status, every
        self.epochs = run.config.epochs
        bar.max, bar.value = self.epochs, 0

    def on_epoch_end(self, epoch: int, history: History) -> None:
        self.bar.value = epoch
        last = history.last()
        line = (
            f"epoch {epoch}/{self.epochs}: loss {last['train_loss']:.4f}, train acc {_acc(last['train_acc'])}"
        )
        if last.get("val_acc") is not None:
            line += f", validation acc {_acc(last['val_acc'])}"
        self.status.value = line
        if epoch % self.every == 0 or epoch == self.epochs:
            self.draw(history)

    def draw(self, history: History) -> None:
        from IPython.display import clear_output, display
        from matplotlib.figure import Figure

        from ..training.plot import plot_decision_boundary, plot_history

        fig = Figure(figsize=(12, 3.4), layout="constrained")
        ax_loss, ax_acc, ax_boundary = fig.subplots(1, 3)
        plot_history(history, ax=[ax_loss, ax_acc])
        run = self.run
        plot_decision_boundary(
            run.model,
            run.X,
            run.y,
            ax=ax_boundary,
            transform=run.scaler.transform,
            resolution=30,
            title=f"{run.config.dataset}: all {len(run.X)} points",
        )
        with self.output:
            clear_output(wait=True)
            display(fig)


def train_widget(
    dataset: str = "moons",
    hidden: str = "16,16",
    activation: str = "relu",
    optimizer: str = "adam",
    lr: float = 0.03,
    batch_size: str = "32",
    epochs: int = 30,
    seed: int = 0,
) -> Any:
    """The controls, the Train button, progress, status, error box and live plots, in one VBox.

    The arguments are the controls' starting values (`hidden` and `batch_size` as typed: "16,16",
    "none"; "32", "full"). The box has attributes for scripting and tests: `dataset`, `hidden`,
    `activation`, `optimizer`, `lr`, `batch_size`, `epochs` (the controls), `train_button`,
    `progress`, `status`, `summary` (data and model in a line), `error`, `plot` (the Output), and
    `result` (the last `TrainResult`, or None).
    """
    import ipywidgets as w

    label_width = {"description_width": "8.5em"}  # "learning rate" in full, and the boxes aligned
    dataset_w = w.Dropdown(options=DATASETS, value=dataset, description="data set", style=label_width)
    hidden_w = w.Text(value=hidden, description="hidden sizes", style=label_width)
    activation_w = w.Dropdown(
        options=["relu", "tanh", "sigmoid"], value=activation, description="activation", style=label_width
    )
    optimizer_w = w.Dropdown(
        options=["adam", "sgd"], value=optimizer, description="optimizer", style=label_width
    )
    lr_w = w.FloatLogSlider(
        value=lr, base=10, min=-4, max=0.5, step=0.25, description="learning rate", style=label_width
    )
    batch_w = w.Text(value=batch_size, description="batch size", style=label_width)
    epochs_w = w.IntSlider(value=epochs, min=1, max=200, description="epochs to train", style=label_width)
    button = w.Button(description="Train", button_style="primary", icon="play")
    progress = w.IntProgress(value=0, min=0, max=epochs, description="epochs done", style=label_width)
    status = w.HTML(value="press Train")
    summary = w.HTML()
    error = error_box()
    plot = w.Output()

    def on_train(_button: Any = None) -> TrainResult:
        config = TrainConfig(
            dataset=dataset_w.value,
            hidden=parse_hidden(hidden_w.value),
            activation=activation_w.value,
            optimizer=optimizer_w.value,
            lr=lr_w.value,
            batch_size=parse_batch_size(batch_w.value),
            epochs=epochs_w.value,
            seed=seed,
            out=None,
            progress=False,
        )
        from ..training.recipe import run_training

        button.disabled = True
        status.value = "training..."
        try:
            run = prepare(config)
            live = LivePlot(run, plot, progress, status)
            printed = io.StringIO()  # the recipe's summary lines (data, model, accuracies)
            with contextlib.redirect_stdout(printed):
                result = run_training(run, callbacks=[live])
            summary.value = f"<code>{html.escape(printed.getvalue().splitlines()[0])}</code>"
        finally:
            button.disabled = False
        accs = result.accuracies
        parts = [f"{name} accuracy {_acc(acc)}" for name, acc in accs.items() if acc is not None]
        held_out = [name for name, acc in accs.items() if acc is None]
        note = (
            f" (no {' or '.join(held_out)} data: {config.dataset} trains on all its points)"
            if held_out
            else ""
        )
        status.value = f"done after {result.history.epoch[-1]} epochs: " + ", ".join(parts) + note
        box.result = result
        return result

    button.on_click(report_errors(error, on_train))
    box = static_view_box(
        [
            w.HBox([dataset_w, hidden_w, activation_w]),
            w.HBox([optimizer_w, lr_w, batch_w]),
            w.HBox([epochs_w, button]),
            w.HBox([progress, status]),
            summary,
            error,
            plot,
        ],
        ("<p><i>(The training widget: its controls and live plots work in a running notebook.)</i></p>",),
    )
    box.dataset, box.hidden, box.activation, box.optimizer = dataset_w, hidden_w, activation_w, optimizer_w
    box.lr, box.batch_size, box.epochs, box.train_button = lr_w, batch_w, epochs_w, button
    box.progress, box.status, box.error, box.plot, box.result = progress, status, error, plot, None
    box.summary = summary
    return box
