"""Training a model by gradient descent: `fit()`, its `History`, and `predict` / `accuracy`.

One epoch of `fit` (lecture item 6, docs/lectures.md) walks the data in batches; per batch it runs the forward
pass, takes the mean loss (plus ``l2 · Σ p²`` over the parameters), zeroes the gradients, runs
``backward()`` and lets the optimizer take a step w ← w − η·∇L. ``batch_size=1`` is online
training, e.g. 32 is mini-batch training and None is full-batch training.

The label convention is simple and explicit. Data sets carry class labels 0 .. k−1.

* A model with k > 1 outputs predicts the argmax of its outputs (the logits).
* A model with ONE output predicts class 1 when the output is above a threshold: 0.5 when the
  output activation is a sigmoid (the output is a probability), else 0 (the output is a score or
  logit). For the losses the labels become targets: ``"hinge"`` (and ``"mse"`` on a score) use
  y = −1/+1; ``"bce"`` uses y = 0/1 on the logit (a sigmoid output's logit is its pre-activation).

Progress bars (tqdm) and live plots hang on the loop as callbacks, in the style of minGPT's
Trainer: any function ``f(epoch, history)`` is called after every epoch; an object may define
``on_epoch_end(epoch, history)`` and ``on_batch_end(step, loss, history)``. Setting
``history.stop = True`` inside a callback ends training after the current batch.

    >>> from autograd_lite.nn import MLP
    >>> from autograd_lite.data import xor
    >>> X, y = xor()
    >>> model = MLP(2, [4, 1], activation="tanh", seed=0)
    >>> history = fit(model, X, y, loss="bce", optimizer="adam", lr=0.1, epochs=200, progress=False)
    >>> accuracy(model, X, y), predict(model, X)
    (1.0, [0, 1, 1, 0])
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..engine.value import Value, no_grad
from ..nn.losses import binary_cross_entropy, cross_entropy, hinge
from ..optim.optimizers import SGD, Adam, LRScheduler, Optimizer
from .data import batches

__all__ = [
    "LOSSES",
    "OPTIMIZERS",
    "History",
    "fit",
    "predict",
    "accuracy",
    "evaluate",
    "decision_threshold",
    "scores",
]

LOSSES = ("cross_entropy", "hinge", "bce", "mse")
OPTIMIZERS = ("sgd", "adam")

LossFn = Callable[[Any, Any], Value]


class Model(Protocol):
    """What `fit` needs from a model: call it on a row of features, and list its parameters."""

    def __call__(self, x: Sequence[float]) -> Any: ...

    def parameters(self) -> list[Value]: ...


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


# --- predictions ------------------------------------------------------------------------------------


def _output_activation(model: Any) -> str:
    return str(getattr(model, "output_activation", "linear"))


def decision_threshold(model: Any) -> float:
    """Where a one-output model switches from class 0 to class 1: 0.5 after a sigmoid, else 0."""
    return 0.5 if _output_activation(model) == "sigmoid" else 0.0


def _floats(out: Any) -> list[float]:
    if isinstance(out, Value):
        return [out.data]
    if isinstance(out, (int, float)):
        return [float(out)]
    return [o.data if isinstance(o, Value) else float(o) for o in out]


def scores(model: Model, X: Sequence[Sequence[float]]) -> list[list[float]]:
    """The model's outputs on every row of X as plain floats, computed under no_grad."""
    with no_grad():
        return [_floats(model(x)) for x in X]


def _classify(out: list[float], threshold: float) -> int:
    if len(out) == 1:
        return int(out[0] > threshold)
    return max(range(len(out)), key=out.__getitem__)


def predict(model: Model, X: Sequence[Sequence[float]], threshold: float | None = None) -> list[int]:
    """Class labels 0 .. k−1: argmax for k outputs; output > threshold for one output.

    `threshold` None means `decision_threshold(model)` (0.5 after a sigmoid output, else 0).
    """
    t = decision_threshold(model) if threshold is None else threshold
    return [_classify(out, t) for out in scores(model, X)]


def accuracy(
    model: Model, X: Sequence[Sequence[float]], y: Sequence[int], threshold: float | None = None
) -> float:
    """The fraction of rows whose predicted class equals the label (under no_grad)."""
    if len(X) != len(y):
        raise ValueError(f"accuracy: X has {len(X)} rows but y has {len(y)} labels")
    if not y:
        raise ValueError("accuracy: no data")
    return sum(p == t for p, t in zip(predict(model, X, threshold), y, strict=True)) / len(y)


# --- losses on a batch --------------------------------------------------------------------------------


def _logit(out: Value, model: Any) -> Value:
    """The pre-activation z of a sigmoid output σ(z) (its parent node), else the output itself.

    Under no_grad the output is a leaf that forgot z; then z = log p − log(1 − p), with p kept
    a hair inside (0, 1) so the logarithms stay finite.
    """
    if _output_activation(model) != "sigmoid":
        return out
    if out.op == "sigmoid":
        return out.parents[0]
    p = min(max(out.data, 1e-15), 1.0 - 1e-15)
    return Value(math.log(p) - math.log1p(-p))


def _one(out: Any, loss: str) -> Value:
    if not isinstance(out, Value):
        raise ValueError(f"fit: loss {loss!r} needs a model with one output, got {len(out)} outputs")
    return out


def _many(out: Any, loss: str) -> list[Value]:
    if isinstance(out, Value):
        raise ValueError(f"fit: loss {loss!r} needs a model with several outputs (one per class), got one")
    return list(out)


def _sample_loss(loss: str, out: Any, target: Any, model: Any) -> Value:
    """The loss of one sample (see the module docstring for the label convention)."""
    if loss == "cross_entropy":
        return cross_entropy(_many(out, loss), target)
    if loss == "bce":
        return binary_cross_entropy(_logit(_one(out, loss), model), float(target))
    if loss == "hinge":
        if isinstance(out, Value):
            return hinge(out, 1.0 if target == 1 else -1.0)
        s = _many(out, loss)  # multi-class hinge: Σ_{j≠y} max(0, 1 + s_j − s_y)
        return Value.sum([(s[j] - s[target] + 1.0).relu() for j in range(len(s)) if j != target])
    if loss == "mse":
        if isinstance(target, float):  # regression: the target as it is
            return (_one(out, loss) - target) ** 2
        if isinstance(out, Value):
            low = 0.0 if _output_activation(model) == "sigmoid" else -1.0
            return (out - (1.0 if target == 1 else low)) ** 2
        s = _many(out, loss)  # one-hot targets; mean over the outputs
        return Value.sum([(sj - float(j == target)) ** 2 for j, sj in enumerate(s)]) * (1.0 / len(s))
    raise ValueError(f"fit: unknown loss {loss!r}; choose one of {', '.join(LOSSES)} or pass a function")


def _batch_loss(
    model: Model, loss: str | LossFn, X: Sequence[Sequence[float]], y: Sequence[Any]
) -> tuple[Value, list[list[float]]]:
    """(mean loss over the batch as a Value, the outputs as float lists)."""
    outs = [model(x) for x in X]
    if callable(loss):
        terms = [loss(o, t) for o, t in zip(outs, y, strict=True)]
    else:
        terms = [_sample_loss(loss, o, t, model) for o, t in zip(outs, y, strict=True)]
    total = Value.sum(terms)
    mean = total if len(terms) == 1 else total * (1.0 / len(terms))
    return mean, [_floats(o) for o in outs]


def _is_classification(y: Sequence[Any]) -> bool:
    return all(isinstance(t, int) and not isinstance(t, bool) for t in y)


def _hits(outs: list[list[float]], y: Sequence[Any], threshold: float) -> int:
    return sum(_classify(o, threshold) == t for o, t in zip(outs, y, strict=True))


def evaluate(
    model: Model, X: Sequence[Sequence[float]], y: Sequence[Any], loss: str | LossFn = "cross_entropy"
) -> tuple[float, float | None]:
    """(mean loss, accuracy) on a data set, under no_grad; accuracy is None for regression targets."""
    if not X:
        raise ValueError("evaluate: no data")
    with no_grad():
        mean, outs = _batch_loss(model, loss, X, y)
    acc = _hits(outs, y, decision_threshold(model)) / len(y) if _is_classification(y) else None
    return mean.data, acc


# --- the training loop --------------------------------------------------------------------------------


def _make_optimizer(optimizer: Optimizer | str | None, params: list[Value], lr: float) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        return optimizer
    if optimizer is None or optimizer == "sgd":
        return SGD(params, lr=lr)
    if optimizer == "adam":
        return Adam(params, lr=lr)
    raise ValueError(f"fit: unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")


def _check_fit_args(X: Sequence[Any], y: Sequence[Any], epochs: int, lr: float, l2: float) -> None:
    if len(X) != len(y):
        raise ValueError(f"fit: X has {len(X)} rows but y has {len(y)} labels")
    if not X:
        raise ValueError("fit: no training data")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}")
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"fit: lr must be a positive number, got {lr!r}")
    if not (isinstance(l2, (int, float)) and math.isfinite(l2) and l2 >= 0):
        raise ValueError(f"fit: l2 must be a number >= 0, got {l2!r}")


def _progress_bar(progress: bool | None, epochs: int) -> Any:
    """A tqdm bar over the epochs, or None. progress=None: on only when stderr is a terminal."""
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # the "train" extra is not installed: train silently
        return None
    return tqdm(total=epochs, desc="training", unit="epoch", leave=True)


def _postfix(history: History) -> dict[str, str]:
    last = history.last()
    shown = {"loss": f"{last['train_loss']:.4f}"}
    if last["train_acc"] is not None:
        shown["acc"] = f"{last['train_acc']:.3f}"
    if "val_acc" in last and last["val_acc"] is not None:
        shown["val_acc"] = f"{last['val_acc']:.3f}"
    return shown


def _call_epoch_end(callbacks: Iterable[Any], epoch: int, history: History) -> None:
    for cb in callbacks:
        hook = getattr(cb, "on_epoch_end", None)
        if hook is not None:
            hook(epoch, history)
        elif callable(cb) and not hasattr(cb, "on_batch_end"):
            cb(epoch, history)


def _call_batch_end(callbacks: Iterable[Any], step: int, loss: float, history: History) -> None:
    for cb in callbacks:
        hook = getattr(cb, "on_batch_end", None)
        if hook is not None:
            hook(step, loss, history)


def fit(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    loss: str | LossFn = "cross_entropy",
    optimizer: Optimizer | str | None = None,
    lr: float = 0.1,
    epochs: int = 100,
    batch_size: int | None = None,
    l2: float = 0.0,
    schedule: LRScheduler | Callable[[int], float] | None = None,
    val: tuple[Sequence[Sequence[float]], Sequence[Any]] | None = None,
    callbacks: Sequence[Any] = (),
    progress: bool | None = None,
    seed: int = 0,
) -> History:
    """Train `model` on (X, y) by gradient descent and return the `History` of every epoch.

    Per batch B: L = (1/|B|) Σ_{i∈B} loss(model(x_i), y_i) + l2 · Σ_p p², then zero_grad,
    backward and ``optimizer.step()`` (w ← w − η·∂L/∂w for SGD).

    - `loss`: "cross_entropy" (k outputs, softmax loss), "hinge" (max(0, 1 − y·s), y = ±1; the
      multi-class form for k outputs), "bce" (binary cross-entropy on the logit), "mse" (squared
      error; float targets are fitted as they are), or a function ``loss(output, target) -> Value``.
    - `optimizer`: an `Optimizer` over the model's parameters, or "sgd" / "adam" / None (SGD)
      built here with learning rate `lr`.
    - `schedule`: an `LRScheduler` bound to the optimizer (stepped once per epoch), or a function
      ``step -> lr`` called before every step k = 0, 1, 2, … (micrograd: ``1.0 − 0.9·k/100``).
    - `batch_size`: None = full batch; the batch order is shuffled per epoch from `seed`.
    - `val`: optional (X_val, y_val), evaluated under no_grad after every epoch.
    """
    _check_fit_args(X, y, epochs, lr, l2)
    params = model.parameters()
    opt = _make_optimizer(optimizer, params, lr)
    if schedule is not None and not isinstance(schedule, LRScheduler) and not callable(schedule):
        raise ValueError(f"fit: schedule must be an LRScheduler or a function step -> lr, got {schedule!r}")
    history = History(loss=loss if isinstance(loss, str) else getattr(loss, "__name__", "custom"))
    classify = _is_classification(y)
    threshold = decision_threshold(model)
    bar = _progress_bar(progress, epochs)
    try:
        for epoch in range(epochs):
            loss_sum, hits, seen = 0.0, 0, 0
            for Xb, yb in batches(X, y, batch_size, shuffle=batch_size is not None, seed=seed + epoch):
                if callable(schedule) and not isinstance(schedule, LRScheduler):
                    opt.lr = float(schedule(history.steps))
                try:
                    mean, outs = _batch_loss(model, loss, Xb, yb)
                    if l2:
                        mean = mean + l2 * Value.sum([p * p for p in params])
                    opt.zero_grad()
                    mean.backward()
                except OverflowError as e:
                    raise OverflowError(
                        f"fit: training diverged in epoch {epoch + 1}, step {history.steps} (lr={opt.lr:g}): "
                        f"{e}; try a smaller learning rate"
                    ) from e
                opt.step()
                history.steps += 1
                loss_sum += mean.data * len(yb)
                seen += len(yb)
                hits += _hits(outs, yb, threshold) if classify else 0
                _call_batch_end(callbacks, history.steps, mean.data, history)
                if history.stop:
                    break
            history.epoch.append(epoch + 1)
            history.train_loss.append(loss_sum / seen)
            history.train_acc.append(hits / seen if classify else None)
            history.lr.append(opt.lr)
            if val is not None:
                val_loss, val_acc = evaluate(model, val[0], val[1], loss)
                history.val_loss.append(val_loss)
                history.val_acc.append(val_acc)
            if isinstance(schedule, LRScheduler):
                schedule.step()
            if bar is not None:
                bar.set_postfix(_postfix(history), refresh=False)
                bar.update(1)
            _call_epoch_end(callbacks, epoch + 1, history)
            if history.stop:
                break
    finally:
        if bar is not None:
            bar.close()
    return history
