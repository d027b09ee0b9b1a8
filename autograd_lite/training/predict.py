"""Predictions, the one place that turns a model's outputs into classes: `scores`, `predict`,
`accuracy`, `decision_threshold`, `evaluate` (and `batch_loss`, which `fit` and `evaluate` share).

Data sets carry class labels 0 .. k−1.

* A model with k > 1 outputs predicts the argmax of its outputs.
* A model with ONE output predicts class 1 when the output is above the *decision threshold*:
  the output activation's value at 0 (`nn.activations`): 0.5 after a sigmoid (the output is a
  probability σ(z), and σ(z) > 0.5 exactly when z > 0), 0 after a linear or tanh output.
* A loss computed on logits (binary cross-entropy, see `losses.LOSSES`) sees the pre-activation z
  (``model.logits(x)``); its outputs are classified at threshold 0, the same decision.

Everything here runs under ``no_grad`` except `batch_loss`, which builds the graph `fit` trains on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..engine.checks import is_integer
from ..engine.value import Value, no_grad
from ..nn.activations import ACTIVATIONS
from ..nn.losses import label_loss

__all__ = [
    "LossFn",
    "Model",
    "accuracy",
    "batch_loss",
    "classify",
    "decision_threshold",
    "evaluate",
    "is_classification",
    "predict",
    "scores",
]

LossFn = Callable[[Any, Any], Value]


class Model(Protocol):
    """What training needs from a model: call it on a row of features, and list its parameters."""

    def __call__(self, x: Sequence[float]) -> Any: ...

    def parameters(self) -> list[Value]: ...


def decision_threshold(model: Any) -> float:
    """Where a one-output model switches from class 0 to class 1: f(0) for its output activation f
    (0.5 after a sigmoid, else 0). A model without `output_activation` counts as linear."""
    return ACTIVATIONS[str(getattr(model, "output_activation", "linear"))].at_zero


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


def classify(out: Sequence[float], threshold: float) -> int:
    """One output: int(out > threshold); several outputs: the index of the largest."""
    if len(out) == 1:
        return int(out[0] > threshold)
    return max(range(len(out)), key=out.__getitem__)


def predict(model: Model, X: Sequence[Sequence[float]], threshold: float | None = None) -> list[int]:
    """Class labels 0 .. k−1: argmax for k outputs; output > threshold for one output.

    `threshold` None means `decision_threshold(model)` (0.5 after a sigmoid output, else 0).
    """
    t = decision_threshold(model) if threshold is None else threshold
    return [classify(out, t) for out in scores(model, X)]


def accuracy(
    model: Model, X: Sequence[Sequence[float]], y: Sequence[int], threshold: float | None = None
) -> float:
    """The fraction of rows whose predicted class equals the label (under no_grad)."""
    if len(X) != len(y):
        raise ValueError(f"accuracy: X has {len(X)} rows but y has {len(y)} labels")
    if not y:
        raise ValueError("accuracy: no data")
    return sum(p == t for p, t in zip(predict(model, X, threshold), y, strict=True)) / len(y)


def is_classification(y: Sequence[Any]) -> bool:
    """True when every target is a class label (an int, not a bool); floats are regression targets."""
    return all(is_integer(t) for t in y)


def batch_loss(
    model: Model, loss: str | LossFn, X: Sequence[Sequence[float]], y: Sequence[Any]
) -> tuple[Value, list[int | None]]:
    """(mean loss over the batch as a Value, the predicted class of every row; None for regression).

    `loss` is a name or a function of `losses.LOSSES` (label conventions and output counts checked,
    a loss on logits fed ``model.logits(x)``) or any ``loss(output, target) -> Value``.
    """
    entry = label_loss(loss)
    fn: LossFn = entry if entry is not None else loss  # type: ignore[assignment]
    logits = entry is not None and entry.on_logits and hasattr(model, "logits")
    forward = model.logits if logits else model  # type: ignore[attr-defined]
    outs = [forward(x) for x in X]
    terms = [fn(o, t) for o, t in zip(outs, y, strict=True)]
    total = Value.sum(terms)
    mean = total if len(terms) == 1 else total * (1.0 / len(terms))
    if not is_classification(y):
        return mean, [None] * len(outs)
    threshold = 0.0 if logits else decision_threshold(model)
    return mean, [classify(_floats(o), threshold) for o in outs]


def evaluate(
    model: Model, X: Sequence[Sequence[float]], y: Sequence[Any], loss: str | LossFn = "cross_entropy"
) -> tuple[float, float | None]:
    """(mean loss, accuracy) on a data set, under no_grad; accuracy is None for regression targets."""
    if not X:
        raise ValueError("evaluate: no data")
    with no_grad():
        mean, predicted = batch_loss(model, loss, X, y)
    if not is_classification(y):
        return mean.data, None
    return mean.data, sum(p == t for p, t in zip(predicted, y, strict=True)) / len(y)
