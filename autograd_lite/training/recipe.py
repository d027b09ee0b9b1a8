"""The training recipe as a library function: `TrainConfig` in, `run_training(config)` out.

One run (lecture items 6 and 14, docs/lectures.md): make a toy data set, split it 80/10/10 into
train / validation / test (xor: train on all four points), standardise the inputs with the
*training set's* mean and standard deviation, build an MLP (one output for two classes and a
binary loss, else one output per class), `fit` it, report the accuracies and write ``model.json``
(the checkpoint with the standardiser and the settings as metadata), ``loss.png`` and
``decision_boundary.png`` into ``config.out`` (``out=None`` writes nothing).

The command line (``autograd-lite train``), the demo (``make demo``) and notebook 05 all call
this one function; the CLI only turns flags into a `TrainConfig`.

    >>> result = run_training(TrainConfig(dataset="xor", hidden=[4], activation="tanh", epochs=60,
    ...                                   batch_size=None, lr=0.1, out=None, progress=False))
    ... # doctest: +ELLIPSIS
    xor: 4 points, 2 classes; model MLP(2 -> 4 tanh -> 1 linear, 17 parameters); loss bce, adam lr 0.1
    ...
    >>> result.accuracies["train"]
    1.0

A step-by-step caller (a notebook that wants the model before training starts, for a live plot)
calls `prepare(config)` and then ``run_training(run, callbacks=[...])``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..nn.losses import LOSSES
from .callbacks import Callback, History, PrintProgress
from .data import Dataset, Standardizer, make_dataset, num_classes, train_val_test_split
from .fit import fit
from .predict import accuracy

__all__ = [
    "ConfigError",
    "DEFAULT_LR",
    "PreparedRun",
    "TrainConfig",
    "TrainResult",
    "parse_batch_size",
    "parse_hidden",
    "prepare",
    "run_training",
]

DEFAULT_LR = {"adam": 0.03, "sgd": 0.1}
"""The learning rate used when `TrainConfig.lr` is None, per optimizer."""


class ConfigError(ValueError):
    """Settings that each look fine but do not fit together (e.g. bce on three classes)."""


@dataclass
class TrainConfig:
    """Everything one training run can set; the defaults train moons to ~100% in seconds.

    `loss` is a name from `losses.LOSSES` or "auto" (bce for two classes, cross_entropy for more);
    `lr` None takes `DEFAULT_LR[optimizer]`; `batch_size` None is full batch; `out` None writes no
    files; `progress` None shows a bar on a terminal and about ten printed lines elsewhere.
    """

    dataset: str = "moons"
    n: int = 200
    noise: float | None = None
    hidden: list[int] = field(default_factory=lambda: [16, 16])
    activation: str = "relu"
    loss: str = "auto"
    optimizer: str = "adam"
    lr: float | None = None
    epochs: int = 30
    batch_size: int | None = 32
    l2: float = 0.0
    seed: int = 0
    out: str | None = "out"
    progress: bool | None = None
    resolution: int = 60


@dataclass
class TrainResult:
    """What `run_training` made: the model, its history, the accuracies and the files written."""

    model: Any
    history: History
    accuracies: dict[str, float | None]  # "train", "validation", "test"; None when that part is empty
    files: list[Path]


# --- settings from text (the CLI's flags and the notebook's text boxes) ---------------------------------


def parse_hidden(text: str) -> list[int]:
    """ "16,16" -> [16, 16]; "" or "none" -> [] (no hidden layer: a linear model). ValueError otherwise."""
    if text.strip().lower() in ("", "none"):
        return []
    sizes = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise ValueError(
                f"{text!r} is not a comma-separated list of positive layer sizes (bad entry {part!r})"
            )
        sizes.append(int(part))
    return sizes


def parse_batch_size(text: str) -> int | None:
    """A positive integer, or "full" (or 0) for full-batch training (None). ValueError otherwise."""
    if text.strip().lower() in ("full", "0"):
        return None
    try:
        n = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a positive integer or 'full'") from None
    if n < 1:
        raise ValueError(f"{text!r} must be at least 1 (or 'full')")
    return n


# --- the run, step by step ------------------------------------------------------------------------------

_PARTS = ("train", "validation", "test")


@dataclass
class PreparedRun:
    """Everything made before training: the data (original units and standardised splits), the model."""

    config: TrainConfig
    X: list[list[float]]
    y: list[int]
    scaler: Standardizer
    parts: dict[str, Dataset]  # "train", "validation", "test"; empty lists when held out nothing
    model: Any
    loss: str
    lr: float


def _loss_and_outputs(loss: str, k: int) -> tuple[str, int]:
    """The loss to use and the number of output neurons for k classes (from `losses.LOSSES`)."""
    if loss == "auto":
        loss = "bce" if k == 2 else "cross_entropy"
    if loss not in LOSSES:
        raise ConfigError(f"unknown loss {loss!r}; choose auto or one of {', '.join(LOSSES)}")
    entry = LOSSES[loss]
    if entry.outputs == "one" and k > 2:
        others = ", ".join(name for name, e in LOSSES.items() if e.outputs != "one")
        raise ConfigError(f"--loss {loss} needs two classes, the data set has {k}; use {others}")
    return loss, entry.num_outputs(k)


def prepare(config: TrainConfig) -> PreparedRun:
    """Make the data, split it 80/10/10 (xor: train on all 4), standardise it, build the MLP."""
    from ..nn.modules import MLP

    c = config
    X, y = make_dataset(c.dataset, c.n, c.noise, seed=c.seed)
    if len(set(y)) < 2:
        raise ConfigError(f"--n {c.n} is too small: the data set needs points of at least two classes")
    empty: Dataset = ([], [])
    train, val, test = (
        ((X, y), empty, empty) if c.dataset == "xor" else train_val_test_split(X, y, seed=c.seed)
    )
    scaler = Standardizer().fit(train[0])
    parts = {
        name: (scaler.transform(Xs), ys) for name, (Xs, ys) in zip(_PARTS, (train, val, test), strict=True)
    }
    loss, n_out = _loss_and_outputs(c.loss, num_classes(y))
    model = MLP(len(X[0]), [*c.hidden, n_out], activation=c.activation, seed=c.seed)
    lr = c.lr if c.lr is not None else DEFAULT_LR[c.optimizer]
    return PreparedRun(c, X, y, scaler, parts, model, loss, lr)


def _save_outputs(run: PreparedRun, history: History, test_acc: float | None) -> list[Path]:
    """model.json (checkpoint plus metadata), loss.png and decision_boundary.png in config.out."""
    from ..nn.checkpoint import write_json
    from .plot import plot_decision_boundary, plot_history

    c = run.config
    assert c.out is not None
    out = Path(c.out)
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "model.json", out / "loss.png", out / "decision_boundary.png"]
    state = run.model.state_dict()
    state["metadata"] = {
        "config": asdict(c),
        "loss": run.loss,
        "classes": num_classes(run.y),
        "standardizer": run.scaler.state_dict(),
    }
    write_json(files[0], state)
    plot_history(history, files[1])
    title = c.dataset if test_acc is None else f"{c.dataset}: test accuracy {test_acc:.3f}"
    transform, resolution = run.scaler.transform, c.resolution
    plot_decision_boundary(
        run.model, run.X, run.y, files[2], transform=transform, resolution=resolution, title=title
    )
    return files


def run_training(config: TrainConfig | PreparedRun, callbacks: Sequence[Callback] = ()) -> TrainResult:
    """Data, split, standardisation, model, `fit`, accuracies, and the three output files.

    `config` is a `TrainConfig` or what `prepare` made from one; `callbacks` are passed to `fit`
    (after the printed progress lines, if any).
    """
    run = config if isinstance(config, PreparedRun) else prepare(config)
    c, model = run.config, run.model
    print(
        f"{c.dataset}: {len(run.X)} points, {num_classes(run.y)} classes; model {model}; "
        f"loss {run.loss}, {c.optimizer} lr {run.lr:g}"
    )
    show_bar = c.progress if c.progress is not None else sys.stderr.isatty()
    log = [PrintProgress(c.epochs)] if c.progress is None and not show_bar else []
    (Xtr, ytr), (Xv, yv) = run.parts["train"], run.parts["validation"]
    history = fit(
        model,
        Xtr,
        ytr,
        loss=run.loss,
        optimizer=c.optimizer,
        lr=run.lr,
        epochs=c.epochs,
        batch_size=c.batch_size,
        l2=c.l2,
        val=(Xv, yv) if Xv else None,
        callbacks=[*log, *callbacks],
        progress=show_bar,
        seed=c.seed,
    )
    accs = {name: accuracy(model, Xs, ys) if Xs else None for name, (Xs, ys) in run.parts.items()}
    for name, acc in accs.items():
        print(f"{name + ' accuracy':<20} {'n/a' if acc is None else f'{acc:.3f}'}")
    files = _save_outputs(run, history, accs["test"]) if c.out is not None else []
    if files:
        print("wrote " + ", ".join(str(f) for f in files))
    return TrainResult(model, history, accs, files)
