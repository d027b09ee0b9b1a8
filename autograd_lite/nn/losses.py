"""Loss functions built from `Value` operations, so backprop through them needs no special code.

Lecture items 4 and 5 (docs/lectures.md). Each pairs with an output activation so that the gradient at the
output logits is ŷ - y: softmax + cross-entropy, sigmoid + binary cross-entropy, linear + the halved
squared error ½(ŷ - y)². (`mse` is the mean (1/n) Σ (ŷ - y)², whose gradient is 2(ŷ - y)/n.)
The softmax-based losses subtract the largest logit first. That subtracts a *constant*
(its data, not a node): softmax(z - c) = softmax(z), so the value and the gradient are exactly
those of the formula, but exp never sees a number above 0 and cannot overflow.

    >>> from autograd_lite import Value
    >>> z = [Value(2.0), Value(1.0), Value(0.1)]
    >>> loss = cross_entropy(z, 0)
    >>> loss.backward()
    >>> round(z[0].grad, 4)  # softmax(z)[0] - 1
    -0.341
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine.checks import choice, fail, integer, number
from ..engine.value import Value

__all__ = [
    "LOSSES",
    "LabelLoss",
    "binary_cross_entropy",
    "class_hinge",
    "class_mse",
    "cross_entropy",
    "hinge",
    "l1",
    "label_loss",
    "log_softmax",
    "mse",
    "softmax",
]

Scalar = Value | float
Scalars = Scalar | Sequence[Scalar]


def _as_values(xs: Sequence[Scalar], op: str) -> list[Value]:
    values = [x if isinstance(x, Value) else Value(x) for x in xs]
    if not values:
        raise ValueError(f"{op}: needs at least one logit")
    return values


def _shifted(logits: Sequence[Scalar], op: str) -> tuple[list[Value], Value]:
    """(z_k - max z, log Σ_j exp(z_j - max z)): the two pieces of every softmax formula."""
    z = _as_values(logits, op)
    top = Value(max(v.data for v in z))  # one constant leaf, shared by every subtraction
    shifted = [v - top for v in z]
    log_total = Value.sum([s.exp() for s in shifted]).log()  # the sum is >= 1: one term is exp(0)
    return shifted, log_total


def softmax(logits: Sequence[Scalar]) -> list[Value]:
    """ŷ_k = exp(z_k) / Σ_j exp(z_j): positive and summing to 1 (lecture item 4, docs/lectures.md).

    Computed as exp(z_k - m) / Σ_j exp(z_j - m) with m = max z, which is the same number.
    """
    z = _as_values(logits, "softmax")
    top = Value(max(v.data for v in z))  # a constant: no gradient reaches the logits through it
    exps = [(v - top).exp() for v in z]
    total = Value.sum(exps)
    return [e / total for e in exps]


def log_softmax(logits: Sequence[Scalar]) -> list[Value]:
    """log ŷ_k = z_k - log Σ_j exp(z_j) = (z_k - m) - log Σ_j exp(z_j - m), with m = max z."""
    shifted, log_total = _shifted(logits, "log_softmax")
    return [s - log_total for s in shifted]


def cross_entropy(logits: Sequence[Scalar], target: int) -> Value:
    """The softmax loss L = -log ŷ_target = log Σ_j exp(z_j) - z_target (lecture item 5, docs/lectures.md).

    Cross-entropy H(p, q) = -Σ_k p_k log q_k with a one-hot p. Its gradient with respect to the
    logits is ∂L/∂z_k = ŷ_k - [k == target]: softmax minus the one-hot target.
    """
    # a class index: 0 to K - 1 for K logits (no logits at all is _shifted's error)
    integer("cross_entropy", "target", target, low=0, high=max(len(logits), 1) - 1)
    shifted, log_total = _shifted(logits, "cross_entropy")
    return log_total - shifted[target]


def binary_cross_entropy(logit: Scalar, target: float) -> Value:
    """L = -[y log σ(z) + (1 - y) log(1 - σ(z))] from the logit z, for a target y in [0, 1].

    Written as max(z, 0) - z·y + log(1 + exp(-|z|)), the same function with no overflow for any
    z (the branch is chosen by the sign of z's data). ∂L/∂z = σ(z) - y = ŷ - y (docs/lectures.md, item 9).
    """
    y = number("binary_cross_entropy", "target", target, low=0.0, high=1.0)  # usually 0 or 1
    z = logit if isinstance(logit, Value) else Value(logit)
    if z.data >= 0.0:  # max(z, 0) = z:  z - z·y + log(1 + e^-z)
        return z * (1.0 - y) + (1.0 + (-z).exp()).log()
    return z * -y + (1.0 + z.exp()).log()  # max(z, 0) = 0:  -z·y + log(1 + e^z)


def _pairs(preds: Scalars, targets: Scalars, op: str) -> tuple[list[Scalar], list[Scalar]]:
    p = list(preds) if isinstance(preds, Sequence) else [preds]
    t = list(targets) if isinstance(targets, Sequence) else [targets]
    if len(p) != len(t):
        raise ValueError(f"{op}: {len(p)} predictions but {len(t)} targets")
    if not p:
        raise ValueError(f"{op}: needs at least one prediction")
    return p, t


def _mean(terms: list[Value]) -> Value:
    total = Value.sum(terms)
    return total if len(terms) == 1 else total * (1.0 / len(terms))


def mse(preds: Scalars, targets: Scalars) -> Value:
    """Mean squared error (1/n) Σ_i (ŷ_i - y_i)²; ∂L/∂ŷ_i = 2(ŷ_i - y_i)/n. Single values or lists.

    This is torch's ``mse_loss``, not the lectures' ½(ŷ - y)² (whose gradient is ŷ - y): for one value,
    ``mse`` is twice that loss and its gradient is 2(ŷ - y).
    """
    p, t = _pairs(preds, targets, "mse")
    return _mean([_diff(a, b) ** 2 for a, b in zip(p, t, strict=True)])


def l1(preds: Scalars, targets: Scalars) -> Value:
    """Mean absolute error (1/n) Σ_i |ŷ_i - y_i|; ∂L/∂ŷ_i = sign(ŷ_i - y_i)/n, which is 0 at 0 (as torch).

    |d| is built as relu(d) + relu(-d), whose derivative at d = 0 is 0 + 0.
    """
    p, t = _pairs(preds, targets, "l1")
    terms = []
    for a, b in zip(p, t, strict=True):
        d = _diff(a, b)
        terms.append(d.relu() + (-d).relu())
    return _mean(terms)


def hinge(scores: Scalars, targets: Scalars) -> Value:
    """The max-margin loss (1/n) Σ_i max(0, 1 - y_i·s_i) for labels y_i = ±1 (micrograd's moons demo)."""
    s, y = _pairs(scores, targets, "hinge")
    for i, label in enumerate(y):
        if isinstance(label, Value):
            fail("hinge", f"targets[{i}]", "-1 or 1 (a plain number, not a Value)", label, TypeError)
        choice("hinge", f"targets[{i}]", label, (-1, 1))
    return _mean([_as_value(-yi * si + 1.0).relu() for si, yi in zip(s, y, strict=True)])


def _diff(a: Scalar, b: Scalar) -> Value:
    """ŷ - y as a Value (a constant leaf when both are plain numbers)."""
    return _as_value(a - b)


def _as_value(x: Scalar) -> Value:
    return x if isinstance(x, Value) else Value(x)


# --- losses on class labels: the one registry of label conventions ---------------------------------------
#
# A data set's labels are class indices 0 .. k-1. Each loss below takes one sample's model output (a
# Value for a one-output model, a list of k Values otherwise) and its label, and states how the label
# becomes a target. `fit`, the training recipe and the CLI read `LOSSES`; nothing else restates it.


def class_hinge(scores: Value | Sequence[Value], label: int) -> Value:
    """Hinge on a class label. One output s: y = +1 for class 1, −1 for class 0, L = max(0, 1 − y·s).
    k outputs: the multi-class margin L = Σ_{j≠y} max(0, 1 + s_j − s_y) (torch's MultiMarginLoss · k)."""
    if isinstance(scores, Value):
        return hinge(scores, 1.0 if label == 1 else -1.0)
    s = list(scores)
    return Value.sum([(s[j] - s[label] + 1.0).relu() for j in range(len(s)) if j != label])


def class_mse(output: Value | Sequence[Value], target: int | float) -> Value:
    """Squared error. A float target is fitted as it is (regression): (ŷ − t)². A class label on one
    output becomes the target +1 (class 1) or −1 (class 0), for a linear or tanh output whose decision
    threshold is 0; on k outputs the target is one-hot and the loss the mean over the outputs."""
    if isinstance(target, float):
        if not isinstance(output, Value):
            raise ValueError(f"mse: a float target needs a model with one output, got {len(output)} outputs")
        return (output - target) ** 2
    if isinstance(output, Value):
        return (output - (1.0 if target == 1 else -1.0)) ** 2
    return mse(list(output), [float(j == target) for j in range(len(output))])


@dataclass(frozen=True)
class LabelLoss:
    """A loss of (one sample's model output, its class label) and the convention it follows.

    `outputs` is "one" (one output; two classes), "per class" (k outputs) or "either" (one output
    for two classes, else one per class). `on_logits`: the loss is computed from the pre-activation z
    of the output layer (``model.logits(x)``), so a sigmoid output's probability σ(z) is never
    logged: stable for any z. Calling it checks the output count, then applies `fn`.
    """

    name: str
    fn: Callable[[Any, Any], Value]
    labels: str
    outputs: str
    on_logits: bool = False

    def num_outputs(self, classes: int) -> int:
        """How many outputs a model needs for this loss on `classes` classes."""
        if self.outputs == "one" or (self.outputs == "either" and classes == 2):
            return 1
        return classes

    def check_output(self, output: Any) -> None:
        """ValueError when the model's output count does not suit this loss."""
        one = isinstance(output, Value)
        if self.outputs == "one" and not one:
            raise ValueError(f"loss {self.name!r} needs a model with one output, got {len(output)} outputs")
        if self.outputs == "per class" and one:
            raise ValueError(
                f"loss {self.name!r} needs a model with several outputs (one per class), got one"
            )

    def __call__(self, output: Any, label: Any) -> Value:
        self.check_output(output)
        return self.fn(output, label)


LOSSES: dict[str, LabelLoss] = {
    entry.name: entry
    for entry in (
        LabelLoss("cross_entropy", cross_entropy, "class index 0 .. k-1 (softmax loss)", "per class"),
        LabelLoss("bce", binary_cross_entropy, "0 or 1, on the logit", "one", on_logits=True),
        LabelLoss(
            "hinge", class_hinge, "one output: -1/+1 from 0/1; k outputs: multi-class margin", "either"
        ),
        LabelLoss(
            "mse", class_mse, "one output: -1/+1 from 0/1; k outputs: one-hot; floats as they are", "either"
        ),
    )
}
"""Every loss that training can name: name -> `LabelLoss` (function, label convention, outputs)."""


def label_loss(loss: str | Callable[[Any, Any], Value]) -> LabelLoss | None:
    """The registry entry for a loss given by name, by entry or by its function; None for any other
    function (a custom loss(output, target) is used as it is). An unknown name is a ValueError."""
    if isinstance(loss, LabelLoss):
        return loss
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)} or pass a function")
        return LOSSES[loss]
    return next((entry for entry in LOSSES.values() if entry.fn is loss), None)
