"""What the training loop reports to: its `History`, and callbacks on one protocol.

Progress bars, printed progress, learning-rate schedules and live plots hang on `fit`'s loop as
callbacks, in the style of minGPT's Trainer. A callback is any object with the methods of
`Callback` (subclass it and override what you need):

* ``on_batch_end(step, loss, history)`` after every optimizer step (`step` counts from 1, `loss`
  is the batch's mean loss before the step);
* ``on_epoch_end(epoch, history)`` after every epoch (`history` already holds that epoch).

Setting ``history.stop = True`` inside a callback ends training after the current batch.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Callback", "History", "PrintProgress", "ProgressBar", "ScheduleEachEpoch"]


@dataclass
class History:
    """What happened during training, one entry per epoch (val_* stay empty without validation data).

    `train_loss` is the mean loss over the epoch's batches (each measured before its step, L2 term
    included); `train_acc` is the accuracy on those batches as they were seen; `lr` is the
    learning rate of the epoch's last step. Accuracies are None for regression targets.
    """

    loss: str = ""
    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float | None] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    steps: int = 0
    stop: bool = False

    def last(self) -> dict[str, Any]:
        """The latest epoch's numbers by name (empty before the first epoch)."""
        if not self.epoch:
            return {}
        out: dict[str, Any] = {"epoch": self.epoch[-1], "train_loss": self.train_loss[-1]}
        out["train_acc"] = self.train_acc[-1]
        if self.val_loss:
            out["val_loss"], out["val_acc"] = self.val_loss[-1], self.val_acc[-1]
        out["lr"] = self.lr[-1]
        return out


class Callback:
    """The callback protocol: both hooks do nothing here; override the ones you need."""

    def on_batch_end(self, step: int, loss: float, history: History) -> None:
        """Called after optimizer step number `step` (1, 2, ...), with the batch's loss."""

    def on_epoch_end(self, epoch: int, history: History) -> None:
        """Called after epoch number `epoch` (1, 2, ...), once `history` holds its numbers."""


def is_callback(cb: Any) -> bool:
    """True for an object with at least one of the protocol's methods (a bare function has neither)."""
    return callable(getattr(cb, "on_epoch_end", None)) or callable(getattr(cb, "on_batch_end", None))


class ScheduleEachEpoch(Callback):
    """Steps a learning-rate scheduler (e.g. ``optim.StepLR``) once at the end of every epoch."""

    def __init__(self, scheduler: Any) -> None:
        self.scheduler = scheduler

    def on_epoch_end(self, epoch: int, history: History) -> None:
        self.scheduler.step()


class PrintProgress(Callback):
    """Prints about ten lines of progress over `epochs` epochs (for logs, where a bar would not show)."""

    def __init__(self, epochs: int) -> None:
        self.every = max(1, epochs // 10)
        self.epochs = epochs

    def on_epoch_end(self, epoch: int, history: History) -> None:
        if epoch % self.every and epoch != self.epochs:
            return
        last = history.last()
        line = f"epoch {epoch:>4}/{self.epochs}  loss {last['train_loss']:.4f}"
        if last["train_acc"] is not None:
            line += f"  train acc {last['train_acc']:.3f}"
        if last.get("val_acc") is not None:
            line += f"  val acc {last['val_acc']:.3f}"
        print(line, flush=True)


class ProgressBar(Callback):
    """A tqdm bar over the epochs showing loss and accuracy; silent when tqdm is not installed.

    `close()` ends the bar (fit calls it when training ends, also after an error).
    """

    def __init__(self, epochs: int) -> None:
        try:
            from tqdm.auto import tqdm
        except ImportError:  # the "train" extra is not installed: train silently
            self.bar: Any = None
        else:
            self.bar = tqdm(total=epochs, desc="training", unit="epoch", leave=True, file=sys.stderr)

    def on_epoch_end(self, epoch: int, history: History) -> None:
        if self.bar is None:
            return
        last = history.last()
        shown = {"loss": f"{last['train_loss']:.4f}"}
        if last["train_acc"] is not None:
            shown["acc"] = f"{last['train_acc']:.3f}"
        if last.get("val_acc") is not None:
            shown["val_acc"] = f"{last['val_acc']:.3f}"
        self.bar.set_postfix(shown, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
