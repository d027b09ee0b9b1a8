"""Backprop: the topological sort and the chain rule over the graph that `Value`s record.

`Value.backward()` lands here. Kahn's algorithm orders the graph without recursion (so a
million-node chain is fine): `count_uses` counts how often each node is an operand, and a node
is taken once every node that uses it is done. Taking a node means applying the chain rule on
each of its edges,

    parent.grad += node.grad * d(node)/d(parent)       (the local derivative, from rules.py)

so when a node is taken its gradient already sums every path from the output. The same order,
as a list, is `topological_order(root)` reversed; the step-through view replays it.

The counts live in a slot of each node, so two threads must not sort overlapping graphs at the
same time (like the rest of the engine, this is single-threaded code).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from typing import Any

from . import value as E
from .value import Value, enable_grad

__all__ = ["RemovableHandle", "grad", "topological_order", "zero_grad"]


# --- graph order ----------------------------------------------------------------------------------


def count_uses(root: Value) -> list[Value]:
    """Every node `root` depends on (`root` first, breadth-first), leaving in each node's `_uses`
    how many times it is an operand of those nodes: the first pass of Kahn's algorithm.

    Counting in a slot rather than a dict halves the cost of the sort. Between passes every
    count is 0 again; the second pass (`reverse_topological` or `_chain_rule`) sees to that.
    """
    seen = [root]
    try:
        for node in seen:  # `seen` grows while we walk it
            a, b = node._a, node._b
            if a is None:
                continue
            for p in (a, b) if b is not None else a if type(a) is tuple else (a,):
                if p._uses:
                    p._uses += 1
                else:
                    p._uses = 1
                    seen.append(p)
    except BaseException:  # e.g. KeyboardInterrupt: leave every count at 0 again
        _reset_counts(seen)
        raise
    return seen


def _reset_counts(nodes: list[Value]) -> None:
    for node in nodes:
        node._uses = 0


def reverse_topological(root: Value) -> list[Value]:
    """Every node `root` depends on, `root` first, each before all of its parents.

    Kahn's algorithm, no recursion: after `count_uses`, emit a node once every node that uses
    it has been emitted (its count is back to 0). `_chain_rule` visits nodes in this same order.
    """
    nodes = count_uses(root)
    order = []
    ready = [root]
    try:
        while ready:
            node = ready.pop()
            order.append(node)
            a, b = node._a, node._b
            if a is None:
                continue
            for p in (a, b) if b is not None else a if type(a) is tuple else (a,):
                p._uses -= 1
                if not p._uses:
                    ready.append(p)
    except BaseException:
        _reset_counts(nodes)
        raise
    return order


def topological_order(root: Value) -> list[Value]:
    """The nodes `root` depends on, inputs first and `root` last (backward visits it reversed)."""
    return reverse_topological(root)[::-1]


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Any]:
    """d(output)/d(x) for each x in `inputs`, without touching any `.grad` (torch.autograd.grad).

    Returns floats, or with ``create_graph=True`` Values whose graph can be differentiated
    again: ``grad(grad(y, [x], create_graph=True)[0], [x])`` is d²y/dx². An input that `output`
    does not depend on gets 0.
    """
    nodes, before = run_pass(output, create_graph)
    reached = set(nodes)
    result = [x.grad if x in reached else Value(0.0) if create_graph else 0.0 for x in inputs]
    for node, g in zip(nodes, before):
        node.grad = g
    return result


def zero_grad(values: Iterable[Value]) -> None:
    """Set `.grad` of each value to 0."""
    for v in values:
        v.grad = 0.0


# --- the backward pass ----------------------------------------------------------------------------


def run_pass(root: Value, create_graph: bool, seed: Any = 1.0) -> tuple[list[Value], list[Any]]:
    """One backward pass from `root` (seeded with `seed`, a float or with create_graph a Value):
    every node reached, and what each `.grad` held before.

    Afterwards each node's `.grad` holds this pass's gradient only, so the caller decides
    whether to add the old gradients back (backward) or restore them (grad). On any error
    every `.grad` is restored, leaving the graph as it was.

    Plain float gradients take the fast path, `_chain_rule`; hooks, anomaly mode and
    ``create_graph=True`` take `_chain_rule_general`. Both visit nodes in the same order.
    """
    general = create_graph or E._anomaly or bool(_HOOKS)
    nodes = reverse_topological(root) if general else count_uses(root)
    before = [node.grad for node in nodes]
    if before.count(0.0) != len(before):  # not `any(before)`: a Value gradient of 0 holds a graph
        zero_grad(nodes)
    root.grad = seed
    try:
        if general:
            _chain_rule_general(nodes, create_graph)
        else:
            _chain_rule(root)
    except BaseException:
        for node, g in zip(nodes, before):
            node.grad = g
        _reset_counts(nodes)
        raise
    if create_graph:  # every gradient a Value, constants included
        for node in nodes:
            if not isinstance(node.grad, Value):
                node.grad = Value(node.grad)
    return nodes, before


def _chain_rule(root: Value) -> None:
    """parent.grad += node.grad * d(node)/d(parent) over every edge: the fast path.

    This is Kahn's second pass with the chain rule done in it: a node is taken as soon as every
    node that uses it has passed its gradient on (its `_uses` count, from `count_uses`, is back
    to 0), so its gradient is complete. Binary, n-ary and unary nodes are spelled out because
    this loop is most of the time `backward()` takes.
    """
    ready = [root]
    node = root
    try:
        while ready:
            node = ready.pop()
            g = node.grad
            if g - g != 0.0:  # inf or nan
                _not_finite(node, g)
            a, b = node._a, node._b
            if a is None:  # a leaf: nothing to pass on
                continue
            if b is not None:
                if g != 0.0:
                    da, db = node._rule.local(a.data, b.data, node.data)  # type: ignore[union-attr]
                    a.grad += g * da
                    b.grad += g * db
                a._uses -= 1
                if not a._uses:
                    ready.append(a)
                b._uses -= 1
                if not b._uses:
                    ready.append(b)
            elif type(a) is tuple:
                if g != 0.0:
                    local_grads = node._rule.local(*[p.data for p in a], node.data)  # type: ignore[union-attr]
                    for p, d in zip(a, local_grads):
                        p.grad += g * d
                for p in a:
                    p._uses -= 1
                    if not p._uses:
                        ready.append(p)
            else:
                if g != 0.0:
                    a.grad += g * node._rule.local(a.data, node.data)[0]  # type: ignore[union-attr]
                a._uses -= 1
                if not a._uses:
                    ready.append(a)
    except (ArithmeticError, ValueError) as error:
        raise _backward_error(error, node) from error


def _chain_rule_general(order: list[Value], create_graph: bool) -> None:
    """The chain rule over `order` (output first), with hooks and anomaly checks, and with
    ``create_graph=True`` on Values, so that the pass itself is recorded and differentiable.

    Simplifications keep a derivative graph small: a contribution into a zero gradient is
    stored as is (no `0 + c` node), and a local derivative of exactly 1 multiplies nothing.
    """
    node = None
    try:
        with enable_grad() if create_graph else nullcontext():
            for node in order:
                if node in _HOOKS:
                    _call_hooks(node)
                g = node.grad
                if type(g) is float and g - g != 0.0:
                    _not_finite(node, g)
                parents = node.parents
                if not parents or (type(g) is float and g == 0.0):
                    continue
                args = [*parents, node] if create_graph else [*(p.data for p in parents), node.data]
                for p, d in zip(parents, node._rule.local(*args)):  # type: ignore[union-attr]
                    c = g if (type(d) is float and d == 1.0) else g * d
                    p.grad = c if (type(p.grad) is float and p.grad == 0.0) else p.grad + c
                if E._anomaly:
                    _check_contributions(node)
    except (ArithmeticError, ValueError) as error:
        raise _backward_error(error, node) from error


def _check_contributions(node: Value) -> None:
    """Anomaly mode: blame the node whose local derivative made a parent's gradient non-finite."""
    for p, d in zip(node.parents, node.local_grads):
        if p.grad - p.grad != 0.0:
            raise OverflowError(
                f"backward: {_describe(node)} passes the gradient {p.grad!r} to its operand "
                f"(data={p.data!r}); its local derivative there is {d!r}"
            )


def _not_finite(node: Value, g: float) -> None:
    raise OverflowError(f"backward: the gradient reaching {_describe(node)} is {g!r}")


def _backward_error(error: Exception, node: Value | None) -> Exception:
    """An error met during backward, said again with the node (and its line) it happened at."""
    if node is None or str(error).startswith("backward:"):
        return error
    return type(error)(f"backward: at {_describe(node)}: {error}")


def _describe(node: Value) -> str:
    """'the mul node (data=-8.0) made at file.py:12: f = d * z' -- the line only in anomaly mode."""
    what = f"the {node.op} node" if node.op else "a leaf"
    where = f" made at {E._ORIGINS[node]}" if node in E._ORIGINS else ""
    return f"{what} (data={node.data!r}){where}"


# --- hooks: watching (or changing) the gradient that reaches a node -------------------------------------

_HOOKS: weakref.WeakKeyDictionary[Value, list[Callable[[Any], Any]]] = weakref.WeakKeyDictionary()


class RemovableHandle:
    """Returned by `Value.register_hook`; `remove()` takes the hook off again."""

    def __init__(self, node: Value, hook: Callable[[Any], Any]) -> None:
        self._node = weakref.ref(node)
        self._hook = hook

    def remove(self) -> None:
        node = self._node()
        if node is None:
            return
        hooks = _HOOKS.get(node)
        if hooks and self._hook in hooks:
            hooks.remove(self._hook)
            if not hooks:
                del _HOOKS[node]


def register_hook(node: Value, hook: Callable[[Any], Any]) -> RemovableHandle:
    """See `Value.register_hook`."""
    _HOOKS.setdefault(node, []).append(hook)
    return RemovableHandle(node, hook)


def _call_hooks(node: Value) -> None:
    for hook in list(_HOOKS[node]):
        result = hook(node.grad)
        if result is not None:
            node.grad = result
