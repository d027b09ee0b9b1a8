"""The training recipe as a library function: `TrainConfig` in, `run_training(config)` out.

One run (lecture items 6 and 14, docs/lectures.md): make a toy data set, split it 80/10/10 into
train / validation / test (xor: train on all four points), standardise the inputs with the
*training set's* mean and standard deviation, build an MLP (one output for two classes and a
binary loss, else one output per class), `fit` it, report the accuracies and write ``model.json``
(the checkpoint with the standardiser and the settings as metadata), ``loss.png`` and
``decision_boundary.png`` into ``config.out`` (``out=None`` writes nothing).

The settings are checked before any work (`check_config`): sizes within `MAX_POINTS`,
`MAX_EPOCHS`, `MAX_LAYER_SIZE` and the model cap, noise up to `MAX_NOISE`, and an ``out`` that
is, or can become, a folder this process may write in. The three files are written as a set:
made in a staging folder inside ``out``, then moved into place together, and ``manifest.json``
(their SHA-256 digests) is written last. It is removed before the first file is replaced, so a
folder without a manifest, or whose files do not match it, holds an interrupted run.

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

import contextlib
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
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
    "MAX_EPOCHS",
    "MAX_LAYER_SIZE",
    "MAX_NOISE",
    "MAX_POINTS",
    "check_config",
    "check_out",
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


MAX_POINTS = 100_000
"""The most data points one run makes (pure-Python training of more would take hours)."""
MAX_EPOCHS = 100_000
"""The most epochs one run trains."""
MAX_LAYER_SIZE = 10_000
"""The widest hidden layer; the whole model must also stay within `nn.modules.MAX_PARAMETERS`."""
MAX_NOISE = 100.0
"""The largest noise (standard deviation) of a data set; far beyond it the points are all noise."""


class ConfigError(ValueError):
    """Settings that each look fine but do not fit together (e.g. bce on three classes)."""


@dataclass
class TrainConfig:
    """Everything one training run can set; the defaults train moons to ~100% in seconds.

    `loss` is a name from `losses.LOSSES` or "auto" (bce for two classes, cross_entropy for more);
    `lr` None takes `DEFAULT_LR[optimizer]`; `batch_size` None is full batch; `out` None writes no
    files; `progress` None shows a bar on a terminal and about ten printed lines elsewhere;
    `compile` traces the per-sample loss once and trains on replays of it (None: wherever valid).
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
    compile: bool | None = None


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
    """A positive integer, or "full" for full-batch training (None). ValueError otherwise.

    0 and negative sizes are refused (there is one spelling of full batch); a size at least the
    training set's is full batch too.
    """
    if text.strip().lower() == "full":
        return None
    try:
        n = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a positive integer or 'full'") from None
    if n < 1:
        raise ValueError(f"{text!r} must be at least 1 (or 'full' for the whole training set)")
    return n


def check_out(out: str | Path) -> Path:
    """`out` as a Path, if it is a folder or can be made one that this process may write in.

    Raises ConfigError (before any work) for an empty name, an existing file, a path through a
    file, or a folder without write permission.
    """
    if str(out) == "":
        raise ConfigError("--out must name a folder, got ''")
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"--out {str(out)!r} exists and is not a folder")
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"--out {str(out)!r}: {str(existing)!r} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"--out {str(out)!r}: cannot write in {str(existing)!r}")
    return path


def _at_most(flag: str, x: float | None, high: float) -> None:
    if x is not None and x > high:
        shown = f"{x:g}" if isinstance(x, float) else str(x)
        raise ConfigError(f"{flag} must be at most {high}, got {shown}")


def check_config(config: TrainConfig) -> None:
    """Raise ConfigError for a setting beyond its limit or an unusable `out` (nothing is done yet)."""
    c = config
    _at_most("--n", c.n, MAX_POINTS)
    _at_most("--epochs", c.epochs, MAX_EPOCHS)
    _at_most("--noise", c.noise, MAX_NOISE)
    for size in c.hidden:
        if size > MAX_LAYER_SIZE:
            raise ConfigError(f"--hidden: layer size {size} is more than {MAX_LAYER_SIZE}")
    if c.batch_size is not None and c.batch_size < 1:
        raise ConfigError(f"--batch-size must be at least 1 (or None for full batch), got {c.batch_size}")
    if c.out is not None:
        check_out(c.out)


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
    check_config(c)
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
    try:
        model = MLP(len(X[0]), [*c.hidden, n_out], activation=c.activation, seed=c.seed)
    except ValueError as e:  # over the model cap
        raise ConfigError(f"--hidden {','.join(map(str, c.hidden))}: {e}") from None
    lr = c.lr if c.lr is not None else DEFAULT_LR[c.optimizer]
    return PreparedRun(c, X, y, scaler, parts, model, loss, lr)


def _save_outputs(run: PreparedRun, history: History, test_acc: float | None) -> list[Path]:
    """model.json (checkpoint plus metadata), loss.png and decision_boundary.png in config.out, as a set.

    All three are made in a staging folder inside `out`; then manifest.json goes, the three are
    moved into place (each `os.replace` is atomic) and a new manifest.json with their digests is
    written last. An interrupt while the files are made leaves the previous run's set untouched.
    """
    from ..engine.files import write_atomic
    from ..nn.checkpoint import write_json
    from .plot import plot_decision_boundary, plot_history

    c = run.config
    assert c.out is not None
    out = check_out(c.out)
    out.mkdir(parents=True, exist_ok=True)
    names = ["model.json", "loss.png", "decision_boundary.png"]
    state = run.model.state_dict()
    state["metadata"] = {
        "config": asdict(c),
        "loss": run.loss,
        "classes": num_classes(run.y),
        "standardizer": run.scaler.state_dict(),
    }
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        write_json(stage / names[0], state)
        plot_history(history, stage / names[1])
        # the plot shows every point (train, validation and test), so the title says so
        title = f"{c.dataset}: all {len(run.X)} points"
        if test_acc is not None:
            title += f" (test accuracy {test_acc:.3f})"
        transform, resolution = run.scaler.transform, c.resolution
        plot_decision_boundary(
            run.model, run.X, run.y, stage / names[2], transform=transform, resolution=resolution, title=title
        )
        digests = {name: hashlib.sha256((stage / name).read_bytes()).hexdigest() for name in names}
        manifest = json.dumps({"format": "autograd_lite.run", "files": digests}, indent=1) + "\n"
        with _interrupts_deferred():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(out / "manifest.json")  # the folder holds no complete set from here ...
            for name in names:
                os.replace(stage / name, out / name)
            write_atomic(out / "manifest.json", manifest.encode())  # ... to here
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [out / name for name in [*names, "manifest.json"]]


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back for a few renames, where it can; it is delivered right after."""
    main = threading.current_thread() is threading.main_thread()
    if not (main and hasattr(signal, "pthread_sigmask")):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def run_training(config: TrainConfig | PreparedRun, callbacks: Sequence[Callback] = ()) -> TrainResult:
    """Data, split, standardisation, model, `fit`, accuracies, and the three output files.

    `config` is a `TrainConfig` or what `prepare` made from one; `callbacks` are passed to `fit`
    (after the printed progress lines, if any).
    """
    run = config if isinstance(config, PreparedRun) else prepare(config)
    c, model = run.config, run.model
    print(
        f"{c.dataset}: {len(run.X)} points, {num_classes(run.y)} classes; model {model}; "
        f"loss {run.loss}, {c.optimizer} lr {run.lr:g}",
        flush=True,
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
        compile=c.compile,
    )
    accs = {name: accuracy(model, Xs, ys) if Xs else None for name, (Xs, ys) in run.parts.items()}
    for name, acc in accs.items():
        print(f"{name + ' accuracy':<20} {'n/a' if acc is None else f'{acc:.3f}'}")
    files = _save_outputs(run, history, accs["test"]) if c.out is not None else []
    if files:
        print("wrote " + ", ".join(str(f) for f in files))
    return TrainResult(model, history, accs, files)
