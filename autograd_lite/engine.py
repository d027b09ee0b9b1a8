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

import linecache
import os
import sys
import weakref
from collections.abc import Callable, Iterable, Sequence
from contextlib import ContextDecorator, nullcontext
from numbers import Real
from typing import Any

from . import rules as R
from .rules import Rule

__all__ = [
    "Value",
    "Number",
    "RemovableHandle",
    "apply",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
    "zero_grad",
]

Number = int | float
_grad_enabled = True  # False inside `no_grad()`: operations then record no graph
_anomaly = False  # True inside `detect_anomaly()`: nodes remember the line that made them

# How a node keeps its operands. Two slots rather than a tuple: one object fewer per node,
# and Python's cycle collector visits every object again and again while a graph grows
# (without this, a third of the time to build a graph went to it). `parents` gives a tuple.
#   leaf               _a = None
#   one operand        _a = x,              _b = None
#   two operands       _a = x,              _b = y
#   any number (sum)   _a = (x1, ..., xn),  _b = None


class Value:
    """A scalar in a computation graph: its `data`, its `grad`, and how it was made.

    `data` is the forward value (a float); `grad` is dL/d(this node), filled in by
    `backward()` and accumulated across calls until `zero_grad()`. A node made by an
    operation records its rule and its parents; `op`, `parents` and `local_grads` show
    them (read-only). Values hash by identity, so they can be kept in sets and dicts.
    """

    __slots__ = ("data", "grad", "label", "_rule", "_a", "_b", "_uses", "__weakref__")

    data: float
    grad: Any  # a float, or a Value after backward(create_graph=True)
    label: str

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self._rule: Rule | None = None
        self._a: Any = None
        self._b: Value | None = None
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
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is not None:
            return (a, b)
        return a if type(a) is tuple else (a,)

    @property
    def is_leaf(self) -> bool:
        """True for inputs and parameters: nodes that no operation made."""
        return self._a is None

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(this node)/d(parent) for each parent, evaluated at the current data.

        These are the numbers on the graph's edges; backprop multiplies each by `grad`.
        """
        if self._rule is None:
            return ()
        return tuple(self._rule.local(*[p.data for p in self.parents], self.data))

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # --- arithmetic: each operator applies one rule from the table (methods made below) -------

    __add__: Callable[[Value, Value | Number], Value]
    __radd__: Callable[[Value, Number], Value]
    __sub__: Callable[[Value, Value | Number], Value]
    __rsub__: Callable[[Value, Number], Value]
    __mul__: Callable[[Value, Value | Number], Value]
    __rmul__: Callable[[Value, Number], Value]
    __truediv__: Callable[[Value, Value | Number], Value]
    __rtruediv__: Callable[[Value, Number], Value]
    __rpow__: Callable[[Value, Number], Value]

    def __pow__(self, other: Value | Number) -> Value:
        """x ** n with a plain number n is one node of rule `power(n)`; x ** y with a Value y
        is the two-operand `pow` (which also differentiates with respect to y)."""
        if isinstance(other, Value):
            return _pow_value(self, other)
        return _unary(R.power(_as_float(other, "pow")), self)

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
        operands = list(values)
        if not operands:
            raise ValueError("sum: needs at least one value")
        return apply(R.SUM, *operands)

    # --- backprop ---------------------------------------------------------------------------------

    def backward(self, create_graph: bool = False) -> None:
        """Fill in d(self)/d(node) for every node this one depends on, by the chain rule.

        Seeds self's gradient with 1 and visits the graph in reverse topological order.
        Gradients *accumulate* into `.grad` across calls (as in PyTorch); call `zero_grad()`
        between passes. With ``create_graph=True`` the gradients are themselves `Value`s
        whose graph can be differentiated again (second derivatives).
        """
        nodes, before = _run_pass(self, create_graph)
        if any(before):
            for node, g in zip(nodes, before):
                if g:
                    node.grad = g + node.grad

    def zero_grad(self) -> None:
        """Reset the gradient of this node and of every node it depends on to 0."""
        zero_grad(_reverse_topological(self))

    def register_hook(self, hook: Callable[[Any], Any]) -> RemovableHandle:
        """Call `hook(grad)` when backprop has the complete gradient of this node, before
        passing it on to the parents (or adding it to a leaf's `.grad`). If the hook returns
        a value, that value replaces the gradient. `handle.remove()` takes the hook off."""
        hooks = _HOOKS.setdefault(self, [])
        hooks.append(hook)
        return RemovableHandle(self, hook)


# --- building nodes -----------------------------------------------------------------------------

_new = object.__new__


def _as_float(x: Any, op: str) -> float:
    """x as a finite float, or a TypeError/ValueError that names the operation."""
    if type(x) is not float:
        if isinstance(x, bool) or not isinstance(x, Real):
            raise TypeError(f"{op}: expected a number or a Value, got {type(x).__name__} {x!r}")
        try:
            x = float(x)
        except OverflowError:
            digits = str(x)
            shown = digits if len(digits) < 30 else f"{digits[:12]}...({len(digits)} digits)"
            raise OverflowError(f"{op}: the operand {shown} is too large for a float") from None
    if x - x != 0.0:  # inf - inf and nan - nan are nan
        raise ValueError(f"{op}: expected a finite number, got {x!r}")
    return x


def _constant(x: Any, rule: Rule) -> Value:
    """A plain number used as an operand becomes a constant leaf of the graph."""
    v = _new(Value)
    v.data = _as_float(x, rule.name)
    v.grad = 0.0
    v.label = ""
    v._rule = v._a = v._b = None
    v._uses = 0
    return v


def _forward(rule: Rule, *operands: float) -> float:
    """rule.forward(*operands), refusing a non-finite result."""
    try:
        data = rule.forward(*operands)
    except (ArithmeticError, ValueError) as error:
        raise _forward_error(error) from None
    if data - data != 0.0:
        raise _not_finite_result(rule, *operands)
    return data


def _forward_error(error: Exception) -> Exception:
    """A failed forward: in anomaly mode the message also names the user's line."""
    return type(error)(f"{error} [anomaly mode: {_user_line()}]") if _anomaly else error


def _not_finite_result(rule: Rule, *operands: float) -> Exception:
    args = ", ".join(repr(x) for x in operands)
    return _forward_error(OverflowError(f"{rule.name}: the result for {args} is not finite"))


def _node(rule: Rule, data: float, a: Any, b: Value | None) -> Value:
    """A new node holding `data`; under `no_grad()` a leaf that remembers nothing."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._uses = 0
    if _grad_enabled:
        v._rule = rule
        v._a = a
        v._b = b
        if _anomaly:
            _ORIGINS[v] = _user_line()
    else:
        v._rule = v._a = v._b = None
    return v


def apply(rule: Rule, *operands: Value | Number) -> Value:
    """Apply any rule of the table to Values or numbers: the general form of every operation.

    `Value`'s operators are faster special cases of this; a new rule needs no more than
    ``apply(MY_RULE, x)`` to join the graph.
    """
    xs = tuple(v if isinstance(v, Value) else _constant(v, rule) for v in operands)
    data = _forward(rule, *[x.data for x in xs])
    if len(xs) == 1:
        return _node(rule, data, xs[0], None)
    if len(xs) == 2:
        return _node(rule, data, xs[0], xs[1])
    return _node(rule, data, xs, None)


def _unary(rule: Rule, x: Value) -> Value:
    return _node(rule, _forward(rule, x.data), x, None)


def _binary(rule: Rule, reflected: bool = False) -> Callable[[Value, Any], Value]:
    """The method `self <op> other` (or `other <op> self` when reflected) applying `rule`."""

    def method(self: Value, other: Any) -> Value:
        if type(other) is not Value:
            other = other if isinstance(other, Value) else _constant(other, rule)
        a, b = (other, self) if reflected else (self, other)
        try:  # `_forward` spelled out: this is the hot path of building a graph
            data = rule.forward(a.data, b.data)
        except (ArithmeticError, ValueError) as error:
            raise _forward_error(error) from None
        if data - data != 0.0:
            raise _not_finite_result(rule, a.data, b.data)
        return _node(rule, data, a, b)

    method.__name__ = rule.name
    method.__doc__ = (
        f"{'other ' if reflected else 'self '}{rule.symbol} {'self' if reflected else 'other'}: {rule.doc}"
    )
    return method


Value.__add__ = _binary(R.ADD)
Value.__radd__ = _binary(R.ADD, reflected=True)
Value.__sub__ = _binary(R.SUB)
Value.__rsub__ = _binary(R.SUB, reflected=True)
Value.__mul__ = _binary(R.MUL)
Value.__rmul__ = _binary(R.MUL, reflected=True)
Value.__truediv__ = _binary(R.DIV)
Value.__rtruediv__ = _binary(R.DIV, reflected=True)
Value.__rpow__ = _binary(R.POW, reflected=True)  # number ** Value; Value ** x is __pow__ above
_pow_value = _binary(R.POW)


# --- graph order ----------------------------------------------------------------------------------


def _count_uses(root: Value) -> list[Value]:
    """Every node `root` depends on (`root` first, breadth-first), leaving in each node's `_uses`
    how many times it is an operand of those nodes: the first pass of Kahn's algorithm.

    Counting in a slot rather than a dict halves the cost of the sort. Between passes every
    count is 0 again; the second pass (`_reverse_topological` or `_chain_rule`) sees to that.
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


def _reverse_topological(root: Value) -> list[Value]:
    """Every node `root` depends on, `root` first, each before all of its parents.

    Kahn's algorithm, no recursion: after `_count_uses`, emit a node once every node that uses
    it has been emitted (its count is back to 0). `_chain_rule` visits nodes in this same order.
    """
    nodes = _count_uses(root)
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
    return _reverse_topological(root)[::-1]


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Any]:
    """d(output)/d(x) for each x in `inputs`, without touching any `.grad` (torch.autograd.grad).

    Returns floats, or with ``create_graph=True`` Values whose graph can be differentiated
    again: ``grad(grad(y, [x], create_graph=True)[0], [x])`` is d²y/dx². An input that `output`
    does not depend on gets 0.
    """
    nodes, before = _run_pass(output, create_graph)
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


def _run_pass(root: Value, create_graph: bool) -> tuple[list[Value], list[Any]]:
    """One backward pass from `root` (seeded with 1): every node reached, and what each `.grad`
    held before.

    Afterwards each node's `.grad` holds this pass's gradient only, so the caller decides
    whether to add the old gradients back (backward) or restore them (grad). On any error
    every `.grad` is restored, leaving the graph as it was.

    Plain float gradients take the fast path, `_chain_rule`; hooks, anomaly mode and
    ``create_graph=True`` take `_chain_rule_general`. Both visit nodes in the same order.
    """
    general = create_graph or _anomaly or bool(_HOOKS)
    nodes = _reverse_topological(root) if general else _count_uses(root)
    before = [node.grad for node in nodes]
    if any(before):
        zero_grad(nodes)
    root.grad = 1.0
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
    node that uses it has passed its gradient on (its `_uses` count, from `_count_uses`, is back
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
                if _anomaly:
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
    where = f" made at {_ORIGINS[node]}" if node in _ORIGINS else ""
    return f"{what} (data={node.data!r}){where}"


# --- hooks ---------------------------------------------------------------------------------------------

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


def _call_hooks(node: Value) -> None:
    for hook in list(_HOOKS[node]):
        result = hook(node.grad)
        if result is not None:
            node.grad = result


# --- anomaly mode -----------------------------------------------------------------------------------

_ORIGINS: weakref.WeakKeyDictionary[Value, str] = weakref.WeakKeyDictionary()
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_line() -> str:
    """'file.py:12: f = d * z' for the innermost frame outside autograd_lite."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "<unknown>"
    code = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" + (f": {code}" if code else "")


# --- grad mode ----------------------------------------------------------------------------------------


class _Switch(ContextDecorator):
    """Sets one of this module's flags inside a `with` block (or a decorated call) and restores
    it afterwards; re-entrant, so a decorated function may call itself."""

    flag = ""
    value = False

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __enter__(self) -> None:
        self._saved.append(globals()[self.flag])
        globals()[self.flag] = self.value

    def __exit__(self, *exc: object) -> None:
        globals()[self.flag] = self._saved.pop()


class no_grad(_Switch):
    """Inside `with no_grad():` (or a function decorated `@no_grad()`) no graph is recorded:
    results are plain leaves. For inference, plotting and optimizer updates."""

    flag, value = "_grad_enabled", False


class enable_grad(_Switch):
    """Record the graph again inside a `no_grad()` block."""

    flag, value = "_grad_enabled", True


class detect_anomaly(_Switch):
    """Debug mode: every node remembers the line of user code that made it, and errors say it.

    When an operation fails, or backprop meets a failing derivative or a gradient that is not
    finite, the error names the op and that line. Slower; for debugging only.
    """

    flag, value = "_anomaly", True


def is_grad_enabled() -> bool:
    """False inside `no_grad()`."""
    return _grad_enabled
