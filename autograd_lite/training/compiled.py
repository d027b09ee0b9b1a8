"""The training step, compiled: a model's per-sample loss traced once and replayed for every batch.

`fit(..., compile=True)` uses `CompiledLoss` in place of building the batch's graph and calling
``backward()``. The per-sample function ``x -> (loss(model(x), label), *outputs)`` is traced once
per distinct label (the label is a constant of the trace: it chooses the one-hot entry, the ±1 of
the hinge loss), and every batch replays those programs (`autograd_lite.compiler`) and hands the
gradient of the batch's mean loss to the parameters' ``.grad``. Parameters stay `Value`s, so the
optimizers, checkpoints, plots and the PyTorch bridge see nothing different. The L2 term
``l2 · Σ p²`` is compiled the same way, as a function of the parameters alone.

When it is on by default (``compile=None``): for the models of `nn.modules` with a loss of
`losses.LOSSES` -- their graphs do not depend on the numbers (relu's kink is an operation; the
softmax shift and the BCE branch are exact for every input, see `compiler.replay`) -- and at most
`MAX_TRACES` distinct targets (class labels, not regression targets, which would need a trace each).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..compiler import Compiled, compile
from ..engine.value import Value
from ..nn.losses import label_loss
from ..nn.modules import Module
from .predict import LossFn, Model, classify, decision_threshold, is_classification

__all__ = ["MAX_TRACES", "CompiledLoss", "compiles_by_default"]

MAX_TRACES = 32


def compiles_by_default(model: Any, loss: Any, y: Sequence[Any]) -> bool:
    """True when compiling is known to give the engine's numbers and pays off (see module docstring)."""
    try:
        targets = set(y)
    except TypeError:
        return False
    return isinstance(model, Module) and label_loss(loss) is not None and len(targets) <= MAX_TRACES


class CompiledLoss:
    """The mean loss of a batch, its gradient with respect to every parameter, and the predictions."""

    def __init__(self, model: Model, loss: str | LossFn, l2: float = 0.0, backend: str = "python") -> None:
        entry = label_loss(loss)
        self.fn: LossFn = entry if entry is not None else loss  # type: ignore[assignment]
        self.logits = entry is not None and entry.on_logits and hasattr(model, "logits")
        self.forward = model.logits if self.logits else model  # type: ignore[attr-defined]
        self.threshold = 0.0 if self.logits else decision_threshold(model)
        self.params = model.parameters()
        self.backend = backend
        self.programs: dict[Any, Compiled] = {}
        self.l2 = l2
        self._penalty = (
            compile(lambda: l2 * Value.sum([p * p for p in self.params]), params=self.params) if l2 else None
        )

    def _program(self, target: Any, example: Sequence[float]) -> Compiled:
        program = self.programs.get(target)
        if program is None:
            forward, fn = self.forward, self.fn

            def per_sample(*x: Value) -> tuple[Value, ...]:
                row: list[Any] = list(x)
                out = forward(row)
                outs = [out] if isinstance(out, Value) else list(out)
                return (fn(out, target), *outs)

            program = self.programs[target] = compile(per_sample, *example, params=self.params)
        return program

    def __call__(
        self, X: Sequence[Sequence[float]], y: Sequence[Any]
    ) -> tuple[float, list[int | None], list[float]]:
        """(mean loss, predicted class of each row or None for regression, d mean loss / d param)."""
        n = len(X)
        groups: dict[Any, list[int]] = {}
        for i, t in enumerate(y):
            groups.setdefault(t, []).append(i)
        losses: list[float] = [0.0] * n
        outputs: list[tuple[float, ...]] = [()] * n
        grads = [0.0] * len(self.params)
        for target, rows in groups.items():
            batch = self._program(target, X[rows[0]]).batch(
                [X[i] for i in rows], seed=1.0 / n, backend=self.backend
            )
            for i, value, aux in zip(rows, batch.values, batch.aux, strict=True):
                losses[i], outputs[i] = value, aux
            grads = [g + h for g, h in zip(grads, batch.param_grads, strict=True)]
        mean = math.fsum(losses) if n == 1 else math.fsum(losses) * (1.0 / n)
        if self._penalty is not None:
            penalty = self._penalty()
            mean += penalty.value
            grads = [g + h for g, h in zip(grads, penalty.param_grads, strict=True)]
        if not is_classification(y):
            return mean, [None] * n, grads
        return mean, [classify(out, self.threshold) for out in outputs], grads
