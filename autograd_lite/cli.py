"""The command line: ``autograd-lite train ...`` and ``autograd-lite demo`` (or ``python -m autograd_lite``).

``train`` makes a toy data set, splits it 80/10/10 into train / validation / test, standardises
the inputs with the training set's mean and std (lecture item 14, docs/lectures.md), trains an MLP
with `training.fit`, prints the accuracies and writes three files into ``--out``:
``model.json`` (the checkpoint, with the standardiser and settings as metadata),
``loss.png`` (learning curves) and ``decision_boundary.png``.

    autograd-lite train --dataset spirals --hidden 32,32 --epochs 40 --out runs/spirals

A bad flag value is a one-line error and exit status 2 (never a traceback), found before any
work: that includes an ``--out`` that is a file or cannot be written, and sizes beyond the
recipe's limits (``--n``, ``--epochs``, ``--hidden``, ``--noise``). A failure while training (e.g.
divergence) is a one-line error and exit status 1. Ctrl-C stops with one line and exit status 130;
a reader that goes away (``autograd-lite train | head -1``) ends the run quietly with status 141
(128 + SIGPIPE, like any tool stopped by a closed pipe).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

from .engine import checks
from .nn.activations import ACTIVATIONS
from .nn.losses import LOSSES
from .training.data import DATASETS
from .training.fit import OPTIMIZERS
from .training.recipe import (
    ConfigError,
    TrainConfig,
    check_out,
    parse_batch_size,
    parse_hidden,
    run_training,
)

__all__ = ["build_parser", "config_from_args", "main"]

ACTIVATION_CHOICES = tuple(name for name in ACTIVATIONS if name != "linear")  # for hidden layers
T = TypeVar("T")


# --- argument types: each raises ArgumentTypeError, which argparse turns into a one-line error -------


def _argument(parse: Callable[[str], T]) -> Callable[[str], T]:
    """The recipe's text parser as an argparse type: its ValueError becomes a one-line argparse error."""

    def typed(text: str) -> T:
        try:
            return parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    typed.__name__ = parse.__name__
    return typed


hidden_sizes = _argument(parse_hidden)
batch_size = _argument(parse_batch_size)


def _from_text(convert: type, check: Callable[..., Any], **bounds: Any) -> Callable[[str], Any]:
    """An argparse type: the text converted (int or float), then checked by `engine.checks`.

    The message is the checks' one wording, e.g. ``argument --lr: the value must be a finite number
    > 0.0, got -1.0``; text that is no number at all says so.
    """

    def typed(text: str) -> Any:
        try:
            x = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {_KIND[convert]}") from None
        try:
            return check("autograd-lite", "the value", x, **bounds)
        except (TypeError, ValueError) as e:
            raise argparse.ArgumentTypeError(str(e).removeprefix("autograd-lite: ")) from None

    return typed


_KIND = {int: "an integer", float: "a number"}
positive_int = _from_text(int, checks.positive_int)
non_negative_int = _from_text(int, checks.non_negative_int)
positive_float = _from_text(float, checks.number, low=0.0, low_open=True)
non_negative_float = _from_text(float, checks.number, low=0.0)


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
        help="loss function and how it reads the class labels: "
        + "; ".join(f"{name}: {entry.labels}" for name, entry in LOSSES.items())
        + "; auto = bce for two classes (one output), cross_entropy for more (default: %(default)s)",
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
        help="examples per step: 1 = online, 32 = mini-batch, 'full' = full batch; a size at least the "
        "training set's is full batch; 0 and negative sizes are refused (default: %(default)s)",
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
    add(
        "--compile",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="trace the loss once and train on generated code (default: on where valid)",
    )


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
        compile=args.compile,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad arguments,
    130 interrupted by Ctrl-C, 141 output pipe closed)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help (0) or a bad argument (2): argparse has printed the message
        return int(e.code or 0)
    try:
        status = _run(args)
        sys.stdout.flush()  # a closed pipe shows here rather than at exit
        return status
    except KeyboardInterrupt:
        print("autograd-lite: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _stdout_to_devnull()
        return 141


def _run(args: argparse.Namespace) -> int:
    command = f"autograd-lite {args.command}"
    try:
        check_out(args.out)
        if args.command == "demo":
            from .demo import run_demo

            run_demo(args.out, args.epochs)
        else:
            run_training(config_from_args(args))
    except ConfigError as e:
        print(f"{command}: error: {e}", file=sys.stderr)
        return 2
    except (ValueError, OverflowError, OSError) as e:
        if isinstance(e, BrokenPipeError):
            raise
        print(f"{command}: error: {e}", file=sys.stderr)
        return 1
    return 0


def _stdout_to_devnull() -> None:
    """After EPIPE: point stdout at /dev/null so that Python's final flush has nowhere to fail."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (e.g. captured in tests)
        pass
