"""Plots of training: learning curves (`plot_history`) and decision boundaries (`plot_decision_boundary`).

matplotlib is imported inside the functions, and figures are made as plain
``matplotlib.figure.Figure`` objects, not through pyplot: nothing opens a window, nothing blocks,
no backend has to be chosen, and figures do not pile up in pyplot's registry. In a notebook with
``%matplotlib inline`` a returned Figure displays itself when it is the cell's last value (or
with ``display(fig)``). Pass ``ax=`` to draw into axes you already have (e.g. from
``plt.subplots``); pass ``path=`` to save a PNG.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..engine.checks import integer
from ..engine.files import write_atomic
from .callbacks import History
from .predict import classify, decision_threshold, scores

__all__ = ["plot_history", "plot_decision_boundary", "CLASS_COLOURS"]

CLASS_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
"""One colour per class label 0, 1, 2, … (matplotlib's "tab10")."""


def _new_figure(ncols: int, width: float, height: float) -> tuple[Any, list[Any]]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def _save(fig: Any, path: str | Path | None) -> None:
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=100)
        write_atomic(path, png.getvalue())  # an old plot at `path` is kept whole or replaced whole


def _curves(ax: Any, epochs: list[int], train: list[Any], val: list[Any], what: str) -> None:
    if any(v is not None for v in train):
        ax.plot(epochs, train, label=f"train {what}", color=CLASS_COLOURS[0])
    if val and any(v is not None for v in val):
        ax.plot(epochs, val, label=f"validation {what}", color=CLASS_COLOURS[1])
    ax.set_xlabel("epoch")
    ax.set_ylabel(what)
    ax.grid(True, alpha=0.3)
    if ax.lines:
        ax.legend(loc="best")


def plot_history(history: History, path: str | Path | None = None, ax: Any = None) -> Any:
    """Learning curves: loss per epoch (left) and accuracy per epoch (right), train and validation.

    `ax`: None (a new figure with two panels; just the loss panel for regression, where there is
    no accuracy), a pair of axes (loss, accuracy), or one axes (loss only). Returns the Figure.
    """
    has_acc = any(a is not None for a in history.train_acc)
    if ax is None:
        fig, axes = _new_figure(2 if has_acc else 1, 9.0 if has_acc else 5.0, 3.5)
    else:
        axes = list(ax) if isinstance(ax, Sequence) or hasattr(ax, "__len__") else [ax]
        fig = axes[0].figure
    _curves(axes[0], history.epoch, history.train_loss, history.val_loss, "loss")
    axes[0].set_title(f"loss ({history.loss})" if history.loss else "loss")
    if has_acc and len(axes) > 1:
        _curves(axes[1], history.epoch, history.train_acc, history.val_acc, "accuracy")
        axes[1].set_ylim(-0.02, 1.02)
        axes[1].set_title("accuracy")
    _save(fig, path)
    return fig


def _grid(X: Sequence[Sequence[float]], resolution: int, margin: float) -> tuple[list[float], list[float]]:
    xs = [row[0] for row in X]
    ys = [row[1] for row in X]
    (x0, x1), (y0, y1) = (min(xs), max(xs)), (min(ys), max(ys))
    dx, dy = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    x0, x1, y0, y1 = x0 - margin * dx, x1 + margin * dx, y0 - margin * dy, y1 + margin * dy
    step = lambda lo, hi: [lo + (hi - lo) * i / (resolution - 1) for i in range(resolution)]
    return step(x0, x1), step(y0, y1)


def plot_decision_boundary(
    model: Any,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    path: str | Path | None = None,
    ax: Any = None,
    resolution: int = 60,
    transform: Callable[[list[list[float]]], list[list[float]]] | None = None,
    threshold: float | None = None,
    title: str | None = None,
) -> Any:
    """The model's predicted class over the plane, filled, with the data points on top.

    The model is evaluated under no_grad on a `resolution` × `resolution` grid spanning the data
    (plus a 10% margin). With one output the class is output > `threshold` (default: 0.5 after
    a sigmoid, else 0) and the line where the output equals the threshold is drawn; with k outputs
    the class is the argmax. `transform` maps grid points before the model sees them (e.g. a
    fitted ``Standardizer().transform``), so X can stay in its original units. Returns the Figure.
    """
    if not X or any(len(row) != 2 for row in X):
        raise ValueError("plot_decision_boundary: needs data with exactly 2 features per row")
    if len(X) != len(y):
        raise ValueError(f"plot_decision_boundary: X has {len(X)} rows but y has {len(y)} labels")
    integer("plot_decision_boundary", "resolution", resolution, low=2)
    from matplotlib.colors import ListedColormap

    gx, gy = _grid(X, resolution, 0.1)
    points = [[a, b] for b in gy for a in gx]
    outs = scores(model, transform(points) if transform is not None else points)
    t = decision_threshold(model) if threshold is None else threshold
    k = max(max(y) + 1, 2, len(outs[0]))
    classes = [classify(o, t) for o in outs]
    flat = [o[0] for o in outs]
    grid = [classes[i * resolution : (i + 1) * resolution] for i in range(resolution)]
    if ax is None:
        fig, (ax,) = _new_figure(1, 5.8, 4.5)  # wider by the legend beside the axes
    fig = ax.figure
    colours = [CLASS_COLOURS[i % len(CLASS_COLOURS)] for i in range(k)]
    ax.contourf(gx, gy, grid, levels=[i - 0.5 for i in range(k + 1)], cmap=ListedColormap(colours), alpha=0.3)
    if len(outs[0]) == 1:
        surface = [flat[i * resolution : (i + 1) * resolution] for i in range(resolution)]
        if min(flat) < t < max(flat):
            ax.contour(gx, gy, surface, levels=[t], colors="black", linewidths=1.0)
    for c in range(k):
        pts = [row for row, label in zip(X, y, strict=True) if label == c]
        if pts:
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            ax.scatter(xs, ys, s=18, color=colours[c], edgecolors="black", linewidths=0.4, label=f"class {c}")
    ax.set_xlim(gx[0], gx[-1])
    ax.set_ylim(gy[0], gy[-1])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title if title is not None else "decision boundary")
    # beside the plot, not on it: a legend inside the axes hides points and the boundary
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize="small")
    _save(fig, path)
    return fig
