"""The `Value` node and reverse-mode backprop over the graph that Values record.

Every operation on a `Value` makes a new node that remembers its rule (from `rules.py`) and
its parents in argument order. `backward()` visits the graph from the output back to the
inputs in reverse topological order and applies the chain rule on every edge:

    parent.grad += node.grad * d(node)/d(parent)

summing over every path from the output to each node. The sort is iterative (Kahn's
algorithm), so graphs of millions of nodes never hit Python's recursion limit.

Example (lecture deck 3, "derivatives three ways"):

    >>> x1, x2 = Value(1.0, "x1"), Value(3.0, "x2")
    >>> g = (2 * x1 + 3 * x2) ** 2 + 3
    >>> g.backward()
    >>> g.data, x1.grad, x2.grad
    (124.0, 44.0, 66.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from contextlib import ContextDecorator
from numbers import Real
from typing import Any, Union

from . import rules as R
from .rules import Rule

__all__ = [
    "Value",
    "Number",
    "no_grad",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "topological_order",
    "zero_grad",
]

Number = Union[int, float]
_grad_enabled = True  # False inside `no_grad()`: operations then record no graph


class Value:
    """A scalar in a computation graph: its `data`, its `grad`, and how it was made.

    `data` is the forward value (a float); `grad` is dL/d(this node), filled in by
    `backward()` and accumulated across calls until `zero_grad()`. A node made by an
    operation records its rule and its parents; `op`, `parents` and `local_grads` show
    them (read-only). Values hash by identity, so they can be kept in sets and dicts.
    """

    __slots__ = ("data", "grad", "label", "_rule", "_parents", "_uses", "__weakref__")

    data: float
    grad: Any  # a float, or a Value after backward(create_graph=True)
    label: str

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self._rule: Rule | None = None
        self._parents: tuple[Value, ...] = ()
        self._uses = 0  # scratch counter for the topological sort; 0 between sorts

    # --- what the node records (read by the renderer and the step-through view) --------------

    @property
    def op(self) -> str:
        """The name of the operation that made this node ("" for a leaf)."""
        return self._rule.name if self._rule is not None else ""

    @property
    def rule(self) -> Rule | None:
        """The `Rule` that made this node, or None for a leaf."""
        return self._rule

    @property
    def parents(self) -> tuple[Value, ...]:
        """The operands of the operation that made this node, in argument order."""
        return self._parents

    @property
    def is_leaf(self) -> bool:
        """True for inputs and parameters: nodes that no operation made."""
        return not self._parents

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(this node)/d(parent) for each parent, evaluated at the current data.

        These are the numbers on the graph's edges; backprop multiplies each by `grad`.
        """
        if self._rule is None:
            return ()
        return tuple(self._rule.local(*[p.data for p in self._parents], self.data))

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # --- arithmetic: each line applies one rule from the table ----------------------------------

    def __add__(self, other: Value | Number) -> Value:
        return _binary(R.ADD, self, other)

    def __radd__(self, other: Number) -> Value:
        return _binary(R.ADD, _wrap(other, R.ADD), self)

    def __sub__(self, other: Value | Number) -> Value:
        return _binary(R.SUB, self, other)

    def __rsub__(self, other: Number) -> Value:
        return _binary(R.SUB, _wrap(other, R.SUB), self)

    def __mul__(self, other: Value | Number) -> Value:
        return _binary(R.MUL, self, other)

    def __rmul__(self, other: Number) -> Value:
        return _binary(R.MUL, _wrap(other, R.MUL), self)

    def __truediv__(self, other: Value | Number) -> Value:
        return _binary(R.DIV, self, other)

    def __rtruediv__(self, other: Number) -> Value:
        return _binary(R.DIV, _wrap(other, R.DIV), self)

    def __pow__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            return _binary(R.POW, self, other)
        return _unary(R.power(_as_float(other, "pow")), self)

    def __rpow__(self, other: Number) -> Value:
        return _binary(R.POW, _wrap(other, R.POW), self)

    def __neg__(self) -> Value:
        return _unary(R.NEG, self)

    def exp(self) -> Value:
        """e^x; d/dx e^x = e^x. Raises OverflowError for x above ~709.78."""
        return _unary(R.EXP, self)

    def log(self) -> Value:
        """Natural log; d/dx log x = 1/x. Raises ValueError for x <= 0."""
        return _unary(R.LOG, self)

    def tanh(self) -> Value:
        """tanh x; d/dx tanh x = 1 - tanh(x)^2."""
        return _unary(R.TANH, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e^-x), computed without overflow; dσ/dx = σ(1 - σ)."""
        return _unary(R.SIGMOID, self)

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 for x > 0, else 0 (as in PyTorch)."""
        return _unary(R.RELU, self)

    @staticmethod
    def sum(values: Iterable[Value | Number]) -> Value:
        """Σ x_i as one n-ary node (d/dx_i = 1): one node instead of a chain of additions."""
        parents = tuple(v if isinstance(v, Value) else _wrap(v, R.SUM) for v in values)
        if not parents:
            raise ValueError("sum: needs at least one value")
        return _apply(R.SUM, parents)

    # --- backprop ---------------------------------------------------------------------------------

    def backward(self, create_graph: bool = False) -> None:
        """Fill in d(self)/d(node) for every node this one depends on, by the chain rule.

        Seeds self's gradient with 1 and visits the graph in reverse topological order.
        Gradients *accumulate* into `.grad` across calls (as in PyTorch); call `zero_grad()`
        between passes. With ``create_graph=True`` the gradients are themselves `Value`s
        whose graph can be differentiated again (second derivatives).
        """
        order = _reverse_topological(self)
        before = _run_pass(order, create_graph)
        if any(before):
            for node, g in zip(order, before):
                if g:
                    node.grad = g + node.grad

    def zero_grad(self) -> None:
        """Reset the gradient of this node and of every node it depends on to 0."""
        zero_grad(_reverse_topological(self))


# --- building nodes -----------------------------------------------------------------------------

_new = object.__new__


def _as_float(x: Any, op: str) -> float:
    """x as a finite float, or a TypeError/ValueError that names the operation."""
    if type(x) is not float:
        if isinstance(x, bool) or not isinstance(x, Real):
            raise TypeError(f"{op}: expected a number or a Value, got {type(x).__name__} {x!r}")
        x = float(x)
    if x - x != 0.0:  # inf - inf and nan - nan are nan
        raise ValueError(f"{op}: expected a finite number, got {x!r}")
    return x


def _wrap(x: Any, rule: Rule) -> Value:
    """An operand as a node: Values pass through, numbers become constant leaves."""
    if isinstance(x, Value):
        return x
    v = _new(Value)
    v.data = _as_float(x, rule.name)
    v.grad = 0.0
    v.label = ""
    v._rule = None
    v._parents = ()
    v._uses = 0
    return v


def _make(rule: Rule, parents: tuple[Value, ...], data: float) -> Value:
    """A new node holding `data`; under `no_grad()` a leaf that remembers nothing."""
    if data - data != 0.0:
        args = ", ".join(repr(p.data) for p in parents)
        raise OverflowError(f"{rule.name}: the result for operand(s) {args} is not finite")
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._uses = 0
    if _grad_enabled:
        v._rule = rule
        v._parents = parents
    else:
        v._rule = None
        v._parents = ()
    return v


def _unary(rule: Rule, x: Value) -> Value:
    return _make(rule, (x,), rule.forward(x.data))


def _binary(rule: Rule, a: Value, b: Any) -> Value:
    if type(b) is not Value:
        b = _wrap(b, rule)
    return _make(rule, (a, b), rule.forward(a.data, b.data))


def _apply(rule: Rule, parents: tuple[Value, ...]) -> Value:
    return _make(rule, parents, rule.forward(*[p.data for p in parents]))


# --- graph order ----------------------------------------------------------------------------------


def _reverse_topological(root: Value) -> list[Value]:
    """Every node `root` depends on, `root` first, each before all of its parents.

    Kahn's algorithm, no recursion: first count in `_uses` how often each node is used as a
    parent, then emit a node once every node that uses it has been emitted (its count is
    back to 0). Counting in a slot instead of a dict halves the cost of the sort.
    """
    seen = [root]
    try:
        for node in seen:  # breadth-first: `seen` grows while we walk it
            for p in node._parents:
                if p._uses:
                    p._uses += 1
                else:
                    p._uses = 1
                    seen.append(p)
        order = []
        ready = [root]
        while ready:
            node = ready.pop()
            order.append(node)
            for p in node._parents:
                p._uses -= 1
                if not p._uses:
                    ready.append(p)
    except BaseException:  # e.g. KeyboardInterrupt: leave every count at 0 again
        for node in seen:
            node._uses = 0
        raise
    return order


def topological_order(root: Value) -> list[Value]:
    """The nodes `root` depends on, inputs first and `root` last (backward visits it reversed)."""
    return _reverse_topological(root)[::-1]


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Any]:
    """d(output)/d(x) for each x in `inputs`, without touching any `.grad` (torch.autograd.grad).

    Returns floats, or with ``create_graph=True`` Values whose graph can be differentiated
    again: ``grad(grad(y, [x], create_graph=True)[0], [x])`` is d²y/dx². An input that `output`
    does not depend on gets 0.
    """
    order = _reverse_topological(output)
    before = _run_pass(order, create_graph)
    reached = set(order)
    zero = Value(0.0) if create_graph else 0.0
    result = [x.grad if x in reached else zero for x in inputs]
    for node, g in zip(order, before):
        node.grad = g
    return result


def zero_grad(values: Iterable[Value]) -> None:
    """Set `.grad` of each value to 0."""
    for v in values:
        v.grad = 0.0


# --- the backward pass ----------------------------------------------------------------------------


def _run_pass(order: list[Value], create_graph: bool) -> list[Any]:
    """One backward pass from order[0] (seeded with 1); returns what `.grad` held before.

    Afterwards each node's `.grad` holds this pass's gradient only, so the caller decides
    whether to add the old gradients back (backward) or restore them (grad). On any error
    every `.grad` is restored, leaving the graph as it was.
    """
    before = [node.grad for node in order]
    if any(before):
        zero_grad(order)
    order[0].grad = 1.0
    try:
        if create_graph:
            _chain_rule_graph(order)
        else:
            _chain_rule(order)
    except BaseException:
        for node, g in zip(order, before):
            node.grad = g
        raise
    if create_graph:  # every gradient a Value, constants included
        for node in order:
            if not isinstance(node.grad, Value):
                node.grad = Value(node.grad)
    return before


def _chain_rule(order: list[Value]) -> None:
    """parent.grad += node.grad * local, over every edge, visiting `order` (output first)."""
    for node in order:
        g = node.grad
        if g - g != 0.0:
            _not_finite(node, g)
        parents = node._parents
        if not parents or g == 0.0:  # a leaf, or nothing to pass on
            continue
        local = node._rule.local  # type: ignore[union-attr]
        if len(parents) == 2:
            a, b = parents
            da, db = local(a.data, b.data, node.data)
            a.grad += g * da
            b.grad += g * db
        elif len(parents) == 1:
            a = parents[0]
            a.grad += g * local(a.data, node.data)[0]
        else:
            for p, d in zip(parents, local(*[p.data for p in parents], node.data)):
                p.grad += g * d


def _chain_rule_graph(order: list[Value]) -> None:
    """The chain rule with gradients as Values, so that the pass itself is differentiable.

    Simplifications keep the derivative graph small: a contribution into a zero gradient
    is stored as is (no `0 + c` node), and multiplying by a local derivative of 1 makes no node.
    """
    global _grad_enabled
    enabled, _grad_enabled = _grad_enabled, True
    try:
        for node in order:
            g = node.grad
            parents = node._parents
            if not parents or (type(g) is float and g == 0.0):
                continue
            local_grads = node._rule.local(*parents, node)  # type: ignore[union-attr]
            for p, d in zip(parents, local_grads):
                c = g if (type(d) is float and d == 1.0) else g * d
                p.grad = c if (type(p.grad) is float and p.grad == 0.0) else p.grad + c
    finally:
        _grad_enabled = enabled


def _not_finite(node: Value, g: float) -> None:
    raise OverflowError(
        f"backward: the gradient reaching a {node.op or 'leaf'} node (data={node.data!r}) is {g!r}"
    )


# --- grad mode ----------------------------------------------------------------------------------------


class no_grad(ContextDecorator):
    """Inside `with no_grad():` (or a function decorated `@no_grad()`) no graph is recorded:
    results are plain leaves. For inference, plotting and optimizer updates."""

    def __enter__(self) -> None:
        global _grad_enabled
        self._prev = _grad_enabled
        _grad_enabled = False

    def __exit__(self, *exc: object) -> None:
        global _grad_enabled
        _grad_enabled = self._prev


class enable_grad(ContextDecorator):
    """Record the graph again inside a `no_grad()` block."""

    def __enter__(self) -> None:
        global _grad_enabled
        self._prev = _grad_enabled
        _grad_enabled = True

    def __exit__(self, *exc: object) -> None:
        global _grad_enabled
        _grad_enabled = self._prev


def is_grad_enabled() -> bool:
    """False inside `no_grad()`."""
    return _grad_enabled

