"""Backprop: the topological sort, and the chain rule over the graph that `Value`s record.

`Value.backward()` lands here. Kahn's algorithm orders the graph without recursion (so a
million-node chain is fine): `count_uses` counts how often each node is an operand, and a node
is taken once every node that uses it is done. Taking a node means applying the chain rule on
each of its edges,

    parent.grad += node.grad * d(node)/d(parent)       (the local derivative, from rules.py)

so when a node is taken its gradient already sums every path from the output. The same order,
as a list, is `topological_order(root)` reversed.

The chain rule is written once, as a generator: `steps(root)` yields one `Step` per node in that
order -- the node's complete gradient (after its hooks) and, on each edge, the local derivative
and the contribution passed on -- keeping the gradients in a dict of its own, as HIPS autograd's
`backward_pass` does. It applies hooks, refuses non-finite gradients, and in anomaly mode names
the node that made one. `backward()` (when a hook, anomaly mode or ``create_graph=True`` asks for
it) and every view -- the `Stepper`, the printed table, the widget -- read these steps, so they
all show the same numbers and the same errors. `_chain_rule` is the measured fast path for
plain float gradients, tested equal to the steps on random graphs.

The counts live in a slot of each node, so two threads must not sort overlapping graphs at the
same time (grad and anomaly modes are per thread, but one graph is walked by one thread).

This module does not import `value.py` (`value.py` imports it): it reads the nodes' slots.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import checks
from .hooks import RemovableHandle, any_in_graph, hooks_of
from .modes import MODES, enable_grad, origin_of

if TYPE_CHECKING:
    from .value import Value

__all__ = [
    "Edge",
    "RemovableHandle",
    "Step",
    "grad",
    "steps",
    "takes_general_path",
    "topological_order",
    "zero_grad",
]


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
    return _kahn(root, count_uses(root))


def _kahn(root: Value, nodes: list[Value]) -> list[Value]:
    """Kahn's second pass, after `count_uses(root)` returned `nodes`: the reverse topological order."""
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
    _check_node("topological_order", "root", root)
    return reverse_topological(root)[::-1]


def _check_node(op: str, name: str, x: Any) -> None:
    """TypeError unless x is a Value (known by its slots: this module does not import value.py)."""
    if not hasattr(type(x), "_uses"):
        checks.fail(op, name, "a Value", x, TypeError)


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Any]:
    """d(output)/d(x) for each x in `inputs`, without touching any `.grad` (torch.autograd.grad).

    Returns floats, or with ``create_graph=True`` Values whose graph can be differentiated
    again: ``grad(grad(y, [x], create_graph=True)[0], [x])`` is d²y/dx². An input that `output`
    does not depend on gets 0.
    """
    _check_node("grad", "output", output)
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        checks.fail("grad", "inputs", "a sequence of Values", inputs, TypeError)
    for i, x in enumerate(inputs):
        _check_node("grad", f"inputs[{i}]", x)
    if output.untracked or output.constant:
        raise RuntimeError(
            "grad: the output was made under no_grad() (or is a constant), so it records no graph "
            "to differentiate; compute it with gradients enabled"
        )
    nodes, before = run_pass(output, create_graph)
    reached = set(nodes)
    result = [x.grad if x in reached else type(output)(0.0) if create_graph else 0.0 for x in inputs]
    for node, g in zip(nodes, before):
        node.grad = g
    return result


def zero_grad(values: Iterable[Value]) -> None:
    """Set `.grad` to 0 on exactly the given values: not on the nodes they depend on, not on the
    nodes that use them (``v.zero_grad()`` clears v's whole graph).

    The scopes of the four zero_grads: `Value.zero_grad` a node and every node it depends on;
    this function exactly the values given; `Module.zero_grad` the module's parameters;
    `Optimizer.zero_grad` the parameters it steps. Each item is checked before any is changed.

        >>> from autograd_lite import Value
        >>> x, w = Value(3.0, "x"), Value(2.0, "w")
        >>> y = w * x
        >>> y.backward()
        >>> zero_grad([w])          # w only: x and y keep their gradients
        >>> w.grad, x.grad, y.grad
        (0.0, 2.0, 1.0)
    """
    if hasattr(type(values), "_uses"):
        checks.fail(
            "zero_grad",
            "values",
            "a list of Values (v.zero_grad() clears one Value's graph)",
            values,
            TypeError,
        )
    nodes = list(values)
    for i, v in enumerate(nodes):
        _check_node("zero_grad", f"values[{i}]", v)
    for v in nodes:
        v.grad = 0.0


# --- the backward pass ----------------------------------------------------------------------------


def run_pass(root: Value, create_graph: bool, seed: Any = 1.0) -> tuple[list[Value], list[Any]]:
    """One backward pass from `root` (seeded with `seed`, a float or with create_graph a Value):
    every node reached, and what each `.grad` held before.

    Afterwards each node's `.grad` holds this pass's gradient only, so the caller decides
    whether to add the old gradients back (backward) or restore them (grad). On any error
    every `.grad` is as it was before the pass.

    Plain float gradients take the fast path, `_chain_rule`. A hook on a node of this graph,
    anomaly mode or ``create_graph=True`` take the general path: the gradients `steps` yields.
    Both visit nodes in the same order.
    """
    nodes = count_uses(root)
    if _needs_general_path(root, create_graph):
        order = _kahn(root, nodes)  # resets the counts
        before = [node.grad for node in nodes]
        held = {step.node: step.grad for step in _walk(root, order, create_graph, seed)}  # touches no .grad
        make = type(root)
        for node in nodes:
            g = held.get(node, 0.0)
            if create_graph and (type(g) is float or g.constant):  # depends on no input: a new leaf
                g = make(g if type(g) is float else g.data)
            node.grad = g
        return nodes, before
    before = [node.grad for node in nodes]
    if before.count(0.0) != len(before):  # not `any(before)`: a Value gradient of 0 holds a graph
        for node in nodes:
            node.grad = 0.0
    root.grad = seed
    try:
        _chain_rule(root)
    except BaseException:
        for node, g in zip(nodes, before):
            node.grad = g
        _reset_counts(nodes)
        raise
    return nodes, before


def _needs_general_path(root: Value, create_graph: bool) -> bool:
    """Right after `count_uses(root)`: does this pass need `steps` rather than `_chain_rule`?

    Decided per graph: a hook on a node of another graph costs nothing here.
    """
    return create_graph or MODES.anomaly or any_in_graph(root)


def takes_general_path(root: Value, create_graph: bool = False) -> bool:
    """True if ``root.backward(create_graph)`` would take the general path (`steps`): a node of
    root's graph has a hook, this thread is in anomaly mode, or ``create_graph`` is True."""
    nodes = count_uses(root)
    try:
        return _needs_general_path(root, create_graph)
    finally:
        _reset_counts(nodes)


def _chain_rule(root: Value) -> None:
    """parent.grad += node.grad * d(node)/d(parent) over every edge: the fast path.

    This is Kahn's second pass with the chain rule done in it: a node is taken as soon as every
    node that uses it has passed its gradient on (its `_uses` count, from `count_uses`, is back
    to 0), so its gradient is complete. Binary and unary nodes are spelled out because this loop
    is most of the time `backward()` takes; every other node -- a sum, or a node whose rule has a
    `vjp` (value.py keeps its operands in a tuple, so the spelled-out branches check nothing) --
    takes the general branch, which passes a vjp's contributions through `_pass_by_vjp`, exactly
    as `_step` does.
    """
    ready = [root]
    node = root
    try:
        while ready:
            node = ready.pop()
            g = node.grad
            if g - g != 0.0 and not node.constant:  # inf or nan (a constant's gradient is unused)
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
                    rule = node._rule
                    if rule.vjp is None:  # type: ignore[union-attr]
                        local_grads = rule.local(*[p.data for p in a], node.data)  # type: ignore[union-attr]
                        for p, d in zip(a, local_grads):
                            p.grad += g * d
                    else:
                        _pass_by_vjp(node, g, a)
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


def _pass_by_vjp(node: Value, g: float, parents: tuple[Value, ...]) -> None:
    """parent.grad += vjp(g, ...) for each parent but a constant (no derivative toward it is evaluated)."""
    args = [p.data for p in parents]
    args.append(node.data)
    for p, vjp in zip(parents, node._rule.vjp):  # type: ignore[union-attr, arg-type]
        if not p.constant:
            p.grad += vjp(g, *args)


# --- the steps: the chain rule written once -----------------------------------------------------


@dataclass(slots=True)
class Edge:
    """One edge of a step: the operand, d(node)/d(operand), and grad · local passed to it."""

    index: int  # the operand's position in node.parents
    parent: Value
    local: Any  # a float; a Value with create_graph=True (for a rule with a vjp, the float at the data)
    contribution: Any  # grad · local, or the rule's vjp if it has one (0 toward a constant there)


@dataclass(slots=True)
class Step:
    """Backprop at one node: its complete gradient and what it passes to each operand.

    `grad` is dL/d(node) after the node's hooks (what a leaf adds to its `.grad`); when hooks
    ran, `before_hooks` is the gradient that arrived (otherwise None).
    """

    index: int  # the position of the step in the pass: 0 is the root
    node: Value
    grad: Any  # a float (a Value with create_graph=True)
    edges: tuple[Edge, ...]
    before_hooks: Any = None


def steps(root: Value, create_graph: bool = False, seed: Any = 1.0) -> Iterator[Step]:
    """The backward pass from `root` (seeded with dL/dL = 1, or `seed`), one `Step` per node,
    output first, in the order `backward()` visits the nodes. Touches no `.grad`.

    At each node, in this order: the gradient that arrived (the sum of the contributions its
    users passed to it) goes through the node's hooks (a hook's result, if not None, replaces
    it); a gradient that is not finite is refused (OverflowError); then each edge gets

        contribution = grad · d(node)/d(operand)       (the local derivative, from rules.py)

    or, for a rule with a `vjp` (div, log, pow), what its vjp computes (grad / b rather than
    grad · (1/b)), evaluated only toward operands that are not constants. With ``create_graph=True``
    nothing toward a constant is recorded, for any rule.
    A node whose gradient is 0 passes 0 on every edge: its local derivatives are only shown (nan
    where undefined), never multiplied, so a derivative that fails there fails nothing. In anomaly
    mode a contribution that makes an operand's gradient non-finite is blamed on this node.
    Errors name the node (and, in anomaly mode, the line that made it), exactly as `backward()`
    says them, since `backward()` runs these same steps.

    With ``create_graph=True`` the pass is itself recorded (gradients and local derivatives are
    `Value`s that can be differentiated again). Simplifications keep that graph small: a
    contribution into a zero gradient is stored as is (no ``0 + c`` node), and a local
    derivative of exactly 1 multiplies nothing.
    """
    return _walk(root, reverse_topological(root), create_graph, seed)


def _walk(root: Value, order: list[Value], create_graph: bool, seed: Any = 1.0) -> Iterator[Step]:
    held: dict[Value, Any] = {root: seed}  # the gradients, pass-local
    anomaly = MODES.anomaly
    for i, node in enumerate(order):
        if create_graph:  # record the step's arithmetic (grad mode on only while computing it)
            with enable_grad():
                step = _step(i, node, held, create_graph, anomaly)
        else:
            step = _step(i, node, held, create_graph, anomaly)
        yield step


def _step(i: int, node: Value, held: dict[Value, Any], create_graph: bool, anomaly: bool) -> Step:
    """The chain rule at one node: hooks, the finite check, a contribution on each edge into `held`."""
    try:
        g = held.get(node, 0.0)
        arrived = None
        if node._hooks is not None:
            arrived = g
            for hook in hooks_of(node):
                result = hook(g)
                if result is not None:
                    g = result
            held[node] = g
        if type(g) is float and g - g != 0.0 and not node.constant:  # inf or nan
            _not_finite(node, g)
        a, b = node._a, node._b
        if a is None:
            return Step(i, node, g, (), arrived)
        parents = (a, b) if b is not None else a if type(a) is tuple else (a,)
        if type(g) is float and g == 0.0 or type(g) is not float and g.data == 0.0 and _constant_graph(g):
            return Step(i, node, g, _zero_edges(node, parents), arrived)
        args = (*parents, node) if create_graph else (*[p.data for p in parents], node.data)
        vjp = node._rule.vjp  # type: ignore[union-attr]
        # With a vjp the contributions come from it, and the edges show the local derivatives at the data.
        local = node._rule.local(*args) if vjp is None else node.local_grads  # type: ignore[union-attr]
        edges = []
        for k, (p, d) in enumerate(zip(parents, local)):
            # A constant needs no gradient: nothing is evaluated (or recorded) toward it. (Floats
            # toward a constant are still passed without a vjp, as the fast path does: g · d never fails.)
            if p.constant and (vjp is not None or create_graph):
                edges.append(Edge(k, p, d, 0.0))
                continue
            if vjp is not None:
                c = vjp[k](g, *args)
            elif type(d) is float and d == 1.0:  # no `g * 1` node with create_graph
                c = g
            else:
                c = g * d
            before = held.get(p, 0.0)
            held[p] = c if (type(before) is float and before == 0.0) else before + c
            edges.append(Edge(k, p, d, c))
        if anomaly:
            _check_contributions(node, edges, held)
        return Step(i, node, g, tuple(edges), arrived)
    except (ArithmeticError, ValueError) as error:
        raise _backward_error(error, node) from error


def _constant_graph(g: Value) -> bool:
    """True if g depends on no leaf but constants: a gradient that is 0 for every input, so an
    edge carrying it may be skipped with create_graph=True as the fast path skips a float 0."""
    seen = {id(g)}
    stack = [g]
    while stack:
        node = stack.pop()
        a, b = node._a, node._b
        if a is None:
            if not node.constant:
                return False
            continue
        for p in (a, b) if b is not None else a if type(a) is tuple else (a,):
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return True


def _zero_edges(node: Value, parents: tuple[Value, ...]) -> tuple[Edge, ...]:
    """The edges of a node whose gradient is 0: nothing flows, so the pass evaluates nothing.

    The local derivatives are still shown (at the data, as floats), or nan where the derivative
    is undefined -- what backward() does there does not depend on them.
    """
    try:
        locals_ = node.local_grads
    except (ArithmeticError, ValueError):
        locals_ = (float("nan"),) * len(parents)
    return tuple(Edge(k, p, d, 0.0) for k, (p, d) in enumerate(zip(parents, locals_)))


def _check_contributions(node: Value, edges: list[Edge], held: dict[Value, Any]) -> None:
    """Anomaly mode: blame the node whose local derivative made a parent's gradient non-finite."""
    for e in edges:
        if e.parent.constant:
            continue
        g = held[e.parent]
        g = g if type(g) is float else g.data
        if g - g != 0.0:
            d = e.local if type(e.local) is float else e.local.data
            raise OverflowError(
                f"backward: {_describe(node)} passes the gradient {g!r} to its operand "
                f"(data={e.parent.data!r}); its local derivative there is {d!r}"
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
    what = f"the {node.op} node" if node.op else "the constant" if node.constant else "a leaf"
    origin = origin_of(node)
    where = f" made at {origin}" if origin is not None else ""
    return f"{what} (data={node.data!r}){where}"
