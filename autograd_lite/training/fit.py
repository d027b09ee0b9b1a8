"""Training a model by gradient descent: `fit()`.

One epoch of `fit` (lecture item 6, docs/lectures.md) walks the data in batches; per batch it runs the
forward pass, takes the mean loss (plus ``l2 · Σ p²`` over the parameters), zeroes the gradients, runs
``backward()`` and lets the optimizer take a step w ← w − η·∇L. ``batch_size=1`` is online
training, e.g. 32 is mini-batch training and None is full-batch training.

The loss is a plain function ``loss(output, target) -> Value`` (e.g. ``losses.cross_entropy``), or
the name of one in `losses.LOSSES`, which also says how class labels become targets and how many
outputs the model needs. Predictions and accuracies come from `predict.py`; progress, schedules and
live plots are `callbacks` (see `callbacks.py`).

    >>> from autograd_lite.nn import MLP, losses
    >>> from autograd_lite.data import xor
    >>> X, y = xor()
    >>> model = MLP(2, [4, 1], activation="tanh", seed=0)
    >>> history = fit(model, X, y, loss=losses.binary_cross_entropy, optimizer="adam", lr=0.1, epochs=200)
    >>> accuracy(model, X, y), predict(model, X), history.loss
    (1.0, [0, 1, 1, 0], 'bce')
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from ..engine.checks import fail, number, positive_int
from ..engine.value import Value
from ..nn.losses import label_loss
from ..optim.optimizers import SGD, Adam, Optimizer
from .callbacks import Callback, History, ProgressBar, is_callback
from .compiled import CompiledLoss, compiles_by_default
from .data import batches
from .predict import LossFn, Model, accuracy, batch_loss, evaluate, is_classification, predict

__all__ = ["OPTIMIZERS", "fit", "accuracy", "evaluate", "predict"]

OPTIMIZERS = ("sgd", "adam")


def _make_optimizer(optimizer: Optimizer | str, params: list[Value], lr: float) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        return optimizer
    if optimizer == "sgd":
        return SGD(params, lr=lr)
    if optimizer == "adam":
        return Adam(params, lr=lr)
    raise ValueError(f"fit: unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")


def _loss_name(loss: str | LossFn) -> str:
    entry = label_loss(loss)  # also refuses an unknown name
    return entry.name if entry is not None else getattr(loss, "__name__", "custom")


def fit(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    loss: str | LossFn = "cross_entropy",
    *,
    optimizer: Optimizer | str = "sgd",
    lr: float | Callable[[int], float] = 0.1,
    epochs: int = 100,
    batch_size: int | None = None,
    l2: float = 0.0,
    val: tuple[Sequence[Sequence[float]], Sequence[Any]] | None = None,
    callbacks: Sequence[Callback] = (),
    progress: bool | None = None,
    seed: int = 0,
    compile: bool | None = None,
) -> History:
    """Train `model` on (X, y) by gradient descent and return the `History` of every epoch.

    Per batch B: L = (1/|B|) Σ_{i∈B} loss(model(x_i), y_i) + l2 · Σ_p p², then zero_grad,
    backward and ``optimizer.step()`` (w ← w − η·∂L/∂w for SGD).

    - `loss`: a function ``loss(output, target) -> Value``, or a name from `losses.LOSSES`
      ("cross_entropy", "bce", "hinge", "mse"); the registered ones check the model's output count
      and, for class labels, turn them into their targets (float targets are regression).
    - `optimizer`: an `Optimizer` over the model's parameters, or "sgd" / "adam" built here.
    - `lr`: the learning rate of a built optimizer, or a schedule: a function ``step -> lr`` called
      before every step k = 0, 1, 2, … (micrograd: ``lambda k: 1.0 − 0.9·k/100``). A per-epoch
      scheduler such as ``StepLR`` goes in `callbacks` as ``ScheduleEachEpoch(scheduler)``.
    - `batch_size`: None = full batch; the batch order is shuffled per epoch from `seed`.
    - `val`: optional (X_val, y_val), evaluated under no_grad after every epoch.
    - `callbacks`: objects with ``on_batch_end`` / ``on_epoch_end`` (`callbacks.Callback`).
    - `progress`: a tqdm progress bar (True), none (False), or one only on a terminal (None).
    - `compile`: trace the per-sample loss once and replay it as generated code (`compiled.py`):
      the same parameters to rounding, 25-50x faster. None: on for `nn` models with a loss of
      `losses.LOSSES` and class labels (where the traced graph is known to stay valid).
    """
    if len(X) != len(y):
        raise ValueError(f"fit: X has {len(X)} rows but y has {len(y)} labels")
    if not X:
        raise ValueError("fit: no training data")
    positive_int("fit", "epochs", epochs)
    schedule = lr if callable(lr) else None
    rate = 0.1 if schedule is not None else number("fit", "lr", lr, low=0.0, low_open=True)
    number("fit", "l2", l2, low=0.0)
    for cb in callbacks:
        if not is_callback(cb):
            fail("fit", "every callback", "an object with on_epoch_end or on_batch_end", cb, TypeError)
    params = model.parameters()
    opt = _make_optimizer(optimizer, params, rate)
    history = History(loss=_loss_name(loss))
    compiled = (
        CompiledLoss(model, loss, l2)
        if (compiles_by_default(model, loss, y) if compile is None else compile)
        else None
    )
    classify = is_classification(y)
    show = [ProgressBar(epochs)] if (sys.stderr.isatty() if progress is None else progress) else []
    hooks = [*show, *callbacks]
    try:
        for epoch in range(epochs):
            loss_sum, hits, seen = 0.0, 0, 0
            for Xb, yb in batches(X, y, batch_size, shuffle=batch_size is not None, seed=seed + epoch):
                if schedule is not None:
                    opt.lr = float(schedule(history.steps))
                try:
                    if compiled is not None:
                        value, predicted, grads = compiled(Xb, yb)
                        opt.zero_grad()
                        for p, g in zip(params, grads, strict=True):
                            p.grad = g
                    else:
                        mean, predicted = batch_loss(model, loss, Xb, yb)
                        if l2:
                            mean = mean + l2 * Value.sum([p * p for p in params])
                        opt.zero_grad()
                        mean.backward()
                        value = mean.data
                except OverflowError as e:
                    raise OverflowError(
                        f"fit: training diverged in epoch {epoch + 1}, step {history.steps} (lr={opt.lr:g}): "
                        f"{e}; try a smaller learning rate"
                    ) from e
                opt.step()
                history.steps += 1
                loss_sum += value * len(yb)
                seen += len(yb)
                hits += sum(p == t for p, t in zip(predicted, yb, strict=True))
                for cb in hooks:
                    getattr(cb, "on_batch_end", _nothing)(history.steps, value, history)
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
            for cb in hooks:
                getattr(cb, "on_epoch_end", _nothing)(epoch + 1, history)
            if history.stop:
                break
    finally:
        for bar in show:
            bar.close()
    return history


def _nothing(*args: Any) -> None:
    """The hook of a callback that does not define it."""
