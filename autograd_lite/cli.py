"""The command line: ``autograd-lite train ...`` and ``autograd-lite demo`` (or ``python -m autograd_lite``).

``train`` makes a toy data set, splits it 80/10/10 into train / validation / test, standardises
the inputs with the training set's mean and std (lecture item 14, docs/lectures.md), trains an MLP
with `training.fit`, prints the accuracies and writes three files into ``--out``:
``model.json`` (the checkpoint, with the standardiser and settings as metadata),
``loss.png`` (learning curves) and ``decision_boundary.png``.

    autograd-lite train --dataset spirals --hidden 32,32 --epochs 40 --out runs/spirals

A bad flag value is a one-line error and exit status 2 (never a traceback); a failure while
training (e.g. divergence) is a one-line error and exit status 1.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from .training.data import DATASETS, Dataset, Standardizer, make_dataset, num_classes, train_val_test_split
from .training.fit import LOSSES, OPTIMIZERS, History, accuracy, fit

__all__ = ["TrainConfig", "TrainResult", "ConfigError", "run_training", "build_parser", "main"]

ACTIVATION_CHOICES = ("relu", "tanh", "sigmoid")
DEFAULT_LR = {"adam": 0.03, "sgd": 0.1}


class ConfigError(ValueError):
    """Settings that each look fine but do not fit together (e.g. bce on three classes)."""


@dataclass
class TrainConfig:
    """Everything ``autograd-lite train`` can set; the defaults train moons to ~100% in seconds."""

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
    out: str = "out"
    progress: bool | None = None
    resolution: int = 60


@dataclass
class TrainResult:
    """What `run_training` made: the model, its history, the accuracies and the files written."""

    model: Any
    history: History
    accuracies: dict[str, float | None]
    files: list[Path]


# --- argument types: each raises ArgumentTypeError, which argparse turns into a one-line error -------


def hidden_sizes(text: str) -> list[int]:
    """ "16,16" -> [16, 16]; "" or "none" -> [] (no hidden layer: a linear model)."""
    if text.strip().lower() in ("", "none"):
        return []
    sizes = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a comma-separated list of positive layer sizes (bad entry {part!r})"
            )
        sizes.append(int(part))
    return sizes


def _int_at_least(text: str, least: int) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if n < least:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least {least}")
    return n


def positive_int(text: str) -> int:
    """An integer >= 1."""
    return _int_at_least(text, 1)


def non_negative_int(text: str) -> int:
    """An integer >= 0."""
    return _int_at_least(text, 0)


def _finite(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return x


def positive_float(text: str) -> float:
    """A finite number > 0."""
    x = _finite(text)
    if x <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return x


def non_negative_float(text: str) -> float:
    """A finite number >= 0."""
    x = _finite(text)
    if x < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return x


def batch_size(text: str) -> int | None:
    """A positive integer, or "full" (or 0) for full-batch training."""
    if text.strip().lower() in ("full", "0"):
        return None
    return positive_int(text)


# --- the parser ---------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: "prog: error: message" and exit status 2, no usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _add_train_arguments(p: argparse.ArgumentParser) -> None:
    d = TrainConfig()
    add = p.add_argument
    add("--dataset", choices=DATASETS, default=d.dataset, help="toy data set to learn (default: %(default)s)")
    add("--n", type=positive_int, default=d.n, help="number of points (xor: always 4) (default: %(default)s)")
    add(
        "--noise",
        type=non_negative_float,
        default=None,
        help="noise of the data set; blobs: standard deviation (default: the data set's own: "
        "moons 0.1, circles 0.05, spirals 0.2, blobs 1.0)",
    )
    add(
        "--hidden",
        type=hidden_sizes,
        default=d.hidden,
        metavar="SIZES",
        help="hidden layer sizes, comma-separated; 'none' for a linear model (default: 16,16)",
    )
    add(
        "--activation",
        choices=ACTIVATION_CHOICES,
        default=d.activation,
        help="activation of the hidden layers; the output layer is linear (default: %(default)s)",
    )
    add(
        "--loss",
        choices=("auto", *LOSSES),
        default=d.loss,
        help="loss function; auto = bce for two classes (one output), cross_entropy for more "
        "(one output per class) (default: %(default)s)",
    )
    add("--optimizer", choices=OPTIMIZERS, default=d.optimizer, help="optimizer (default: %(default)s)")
    add(
        "--lr",
        type=positive_float,
        default=None,
        help="learning rate eta in w <- w - eta*grad (default: 0.03 for adam, 0.1 for sgd)",
    )
    add(
        "--epochs",
        type=positive_int,
        default=d.epochs,
        help="passes over the training set (default: %(default)s)",
    )
    add(
        "--batch-size",
        type=batch_size,
        default=d.batch_size,
        metavar="B",
        help="examples per step: 1 = online, 32 = mini-batch, 'full' = full batch (default: %(default)s)",
    )
    add(
        "--l2",
        type=non_negative_float,
        default=d.l2,
        help="L2 penalty l2*sum(p^2) on the loss (default: %(default)s)",
    )
    add(
        "--seed",
        type=non_negative_int,
        default=d.seed,
        help="seed for data, split, weights and batch order (default: %(default)s)",
    )
    add(
        "--out",
        default=d.out,
        metavar="DIR",
        help="folder for model.json, loss.png, decision_boundary.png (default: %(default)s)",
    )
    add("--no-progress", action="store_true", help="print no progress while training (default: progress on)")


def build_parser() -> argparse.ArgumentParser:
    """The `autograd-lite` argument parser with its `train` and `demo` sub-commands."""
    parser = _Parser(
        prog="autograd-lite", description="Train small neural networks built from autograd_lite Values."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{train,demo}")
    train = sub.add_parser(
        "train",
        help="train an MLP on a toy data set and save the model and plots",
        description="Make a toy data set, split it 80/10/10 into train / validation / test, standardise "
        "the inputs with the training set's statistics, train an MLP, print the accuracies and write "
        "model.json, loss.png and decision_boundary.png into --out.",
    )
    _add_train_arguments(train)
    demo = sub.add_parser("demo", help="the lecture example as a table, then a small MLP trained on moons")
    demo.add_argument(
        "--out", default="out", metavar="DIR", help="folder for the demo's files (default: %(default)s)"
    )
    demo.add_argument(
        "--epochs", type=positive_int, default=30, help="training epochs (default: %(default)s)"
    )
    return parser


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The `TrainConfig` for parsed ``train`` arguments."""
    return TrainConfig(
        dataset=args.dataset,
        n=args.n,
        noise=args.noise,
        hidden=args.hidden,
        activation=args.activation,
        loss=args.loss,
        optimizer=args.optimizer,
        lr=args.lr,
        epochs=args.epochs,
        batch_size=args.batch_size,
        l2=args.l2,
        seed=args.seed,
        out=args.out,
        progress=False if args.no_progress else None,
    )


# --- the training run -------------------------------------------------------------------------------


def _loss_and_outputs(loss: str, k: int) -> tuple[str, int]:
    """The loss to use and the number of output neurons for k classes."""
    if loss == "auto":
        loss = "bce" if k == 2 else "cross_entropy"
    if loss == "bce" and k > 2:
        raise ConfigError(
            f"--loss bce needs two classes, the data set has {k}; use cross_entropy, hinge or mse"
        )
    return loss, (1 if k == 2 and loss != "cross_entropy" else k)


class _EpochLog:
    """Prints about ten lines of progress when no progress bar is shown."""

    def __init__(self, epochs: int) -> None:
        self.every = max(1, epochs // 10)
        self.epochs = epochs

    def on_epoch_end(self, epoch: int, history: History) -> None:
        if epoch % self.every and epoch != self.epochs:
            return
        last = history.last()
        line = f"epoch {epoch:>4}/{self.epochs}  loss {last['train_loss']:.4f}"
        line += f"  train acc {last['train_acc']:.3f}"
        if last.get("val_acc") is not None:
            line += f"  val acc {last['val_acc']:.3f}"
        print(line, flush=True)


_PARTS = ("train", "validation", "test")


@dataclass
class _Data:
    """The points (original units), the fitted standardiser and the standardised splits."""

    X: list[list[float]]
    y: list[int]
    scaler: Standardizer
    parts: dict[str, Dataset]  # "train", "validation", "test"; empty lists when held out nothing


def _prepare_data(c: TrainConfig) -> _Data:
    """Make the data set, split it 80/10/10 (xor: train on all 4) and standardise with train statistics."""
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
    return _Data(X, y, scaler, parts)


def _save_outputs(
    c: TrainConfig, model: Any, history: History, data: _Data, loss: str, test_acc: float | None
) -> list[Path]:
    """model.json (checkpoint plus metadata), loss.png and decision_boundary.png in c.out."""
    from .nn.checkpoint import write_json
    from .training.plot import plot_decision_boundary, plot_history

    out = Path(c.out)
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "model.json", out / "loss.png", out / "decision_boundary.png"]
    state = model.state_dict()
    state["metadata"] = {
        "config": asdict(c),
        "loss": loss,
        "classes": num_classes(data.y),
        "standardizer": data.scaler.state_dict(),
    }
    write_json(files[0], state)
    plot_history(history, files[1])
    title = c.dataset if test_acc is None else f"{c.dataset}: test accuracy {test_acc:.3f}"
    plot_decision_boundary(
        model, data.X, data.y, files[2], transform=data.scaler.transform, resolution=c.resolution, title=title
    )
    return files


def run_training(config: TrainConfig) -> TrainResult:
    """Data, split, standardisation, model, `fit`, accuracies, and the three output files."""
    from .nn.modules import MLP

    c = config
    data = _prepare_data(c)
    k = num_classes(data.y)
    loss, n_out = _loss_and_outputs(c.loss, k)
    model = MLP(len(data.X[0]), [*c.hidden, n_out], activation=c.activation, seed=c.seed)
    lr = c.lr if c.lr is not None else DEFAULT_LR[c.optimizer]
    print(
        f"{c.dataset}: {len(data.X)} points, {k} classes; model {model}; loss {loss}, {c.optimizer} lr {lr:g}"
    )
    show_bar = c.progress if c.progress is not None else sys.stderr.isatty()
    (Xtr, ytr), (Xv, yv) = data.parts["train"], data.parts["validation"]
    history = fit(
        model,
        Xtr,
        ytr,
        loss=loss,
        optimizer=c.optimizer,
        lr=lr,
        epochs=c.epochs,
        batch_size=c.batch_size,
        l2=c.l2,
        val=(Xv, yv) if Xv else None,
        callbacks=[_EpochLog(c.epochs)] if c.progress is None and not show_bar else [],
        progress=show_bar,
        seed=c.seed,
    )
    accs = {name: accuracy(model, Xs, ys) if Xs else None for name, (Xs, ys) in data.parts.items()}
    for name, acc in accs.items():
        print(f"{name + ' accuracy':<20} {'n/a' if acc is None else f'{acc:.3f}'}")
    files = _save_outputs(c, model, history, data, loss, accs["test"])
    print("wrote " + ", ".join(str(f) for f in files))
    return TrainResult(model, history, accs, files)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad arguments)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help (0) or a bad argument (2): argparse has printed the message
        return int(e.code or 0)
    if args.command == "demo":
        from .demo import main as demo_main

        demo_main(["--out", args.out, "--epochs", str(args.epochs)])
        return 0
    try:
        run_training(config_from_args(args))
    except ConfigError as e:
        print(f"autograd-lite train: error: {e}", file=sys.stderr)
        return 2
    except (ValueError, OverflowError, OSError) as e:
        print(f"autograd-lite train: error: {e}", file=sys.stderr)
        return 1
    return 0
