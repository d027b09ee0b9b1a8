"""The `Value` node, and how operations on Values build the computation graph.

Every operation on a `Value` makes a new node that remembers its rule (from `rules.py`: the
forward function and the local derivatives) and its operands in argument order. Numbers used
as operands become constant leaves. `backward()` hands the graph to `backprop.py`, which sorts
it and applies the chain rule from the output back to every input.

Example (lecture item 7 (docs/lectures.md), "derivatives three ways"):

    >>> x1, x2 = Value(1.0, "x1"), Value(3.0, "x2")
    >>> g = (2 * x1 + 3 * x2) ** 2 + 3
    >>> g.backward()
    >>> g.data, x1.grad, x2.grad
    (124.0, 44.0, 66.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any

from . import backprop, checks, hooks
from . import rules as R
from .modes import MODES, detect_anomaly, enable_grad, is_grad_enabled, no_grad, remember_origin, user_line
from .rules import Rule

# The modes live in modes.py; they are named here too for code written before it existed.
__all__ = [
    "Constant",
    "Number",
    "Untracked",
    "Value",
    "apply",
    "detect_anomaly",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
]

Number = int | float

# How a node keeps its operands. Two slots rather than a tuple: one object fewer per node,
# and Python's cycle collector visits every object again and again while a graph grows
# (without this, a third of the time to build a graph went to it). `parents` gives a tuple.
#   leaf               _a = None
#   one operand        _a = x,              _b = None
#   two operands       _a = x,              _b = y
#   any number (sum)   _a = (x1, ..., xn),  _b = None
#   and, for a rule with a vjp (div, pow, log), always the tuple: backprop's fast path checks for a
#   vjp only there, and multiplies by the local derivative in the two spelled-out forms above.


class Value:
    """A scalar in a computation graph: its `data`, its `grad`, and how it was made.

    `data` is the forward value (a float); `grad` is dL/d(this node), filled in by
    `backward()` and accumulated across calls until `zero_grad()`. A node made by an
    operation records its rule and its parents; `op`, `parents` and `local_grads` show
    them (read-only).

    Comparisons ``< <= > >=`` compare `data` and return a bool (so ``max(values)`` and
    ``sorted(values)`` work); they record nothing. ``==`` stays identity (``Value(1.0) ==
    Value(1.0)`` is False): Values hash by identity, so they can be kept in sets and dicts.
    ``float(v)`` and ``v.item()`` give `data`; ``bool(v)`` is ``v.data != 0`` (PyTorch's
    truthiness of a one-element tensor).
    """

    __slots__ = ("data", "grad", "label", "_rule", "_a", "_b", "_uses", "_hooks", "__weakref__")

    constant = False
    """True for a `Constant`: a plain number used as an operand (backprop passes it no gradient)."""
    untracked = False
    """True for an `Untracked` result: made under `no_grad()`, so it has no graph to differentiate."""

    data: float
    grad: Any  # a float, or a Value after backward(create_graph=True)
    label: str

    def __init__(self, data: Number, label: str = "") -> None:
        if type(label) is not str:
            checks.fail("Value", "label", "a string", label, TypeError)
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self._rule: Rule | None = None
        self._a: Any = None
        self._b: Value | None = None
        self._uses = 0  # scratch counter for the topological sort; 0 between sorts
        self._hooks: dict[int, Callable[[Any], Any]] | None = None  # see hooks.py

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
        parents = self.parents
        try:
            return tuple(self._rule.local(*[p.data for p in parents], self.data))
        except ZeroDivisionError:  # a valid node whose derivative is infinite (x ** 0.5 at 0)
            return (math.inf,) if len(parents) == 1 else (math.nan,) * len(parents)
        except (ArithmeticError, ValueError):  # no float holds it: undefined here
            return (math.nan,) * len(parents)

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

    def __pow__(self, other: Value | Number) -> Value:
        """x ** n with a plain number n is one node of rule `power(n)` (op "power"); x ** y with a
        Value y is the two-operand `pow` (which also differentiates with respect to y)."""
        if isinstance(other, Value):
            return _pow_value(self, other)
        return _unary(R.power(_as_float(other, "power")), self)

    def __rpow__(self, base: Number) -> Value:
        """c ** x with a plain number c >= 0 is one node of rule `rpow(c)`: d/dx c^x = c^x log c
        (0 at c = 0, as PyTorch); the constant base gets no derivative of its own."""
        return _unary(R.rpow(_as_float(base, "rpow")), self)

    def __neg__(self) -> Value:
        return _unary(R.NEG, self)

    def __pos__(self) -> Value:
        """+x is x itself (no new node), as ``torch.positive``."""
        return self

    def exp(self) -> Value:
        """e^x; d/dx e^x = e^x. Raises OverflowError for x above ~709.78."""
        return _unary(R.EXP, self)

    def log(self) -> Value:
        """Natural log; d/dx log x = 1/x. Raises ValueError for x <= 0."""
        return apply(R.LOG, self)  # a rule with a vjp: the general form

    def tanh(self) -> Value:
        """tanh x; d/dx tanh x = 1 - tanh(x)^2."""
        return _unary(R.TANH, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e^-x), computed without overflow; dσ/dx = σ(1 - σ)."""
        return _unary(R.SIGMOID, self)

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 for x > 0, else 0 (as in PyTorch)."""
        return _unary(R.RELU, self)

    def sqrt(self) -> Value:
        """√x; d/dx √x = 1/(2√x). Raises ValueError for x < 0 (and backward at x = 0, where the
        derivative is infinite)."""
        return _unary(R.SQRT, self)

    def abs(self) -> Value:
        """|x|; d/dx |x| = sign(x), 0 at x = 0 (as PyTorch). ``abs(v)`` is the same."""
        return _unary(R.ABS, self)

    __abs__ = abs

    def sin(self) -> Value:
        """sin x; d/dx sin x = cos x."""
        return _unary(R.SIN, self)

    def cos(self) -> Value:
        """cos x; d/dx cos x = -sin x."""
        return _unary(R.COS, self)

    def tan(self) -> Value:
        """tan x; d/dx tan x = 1 + tan(x)^2. Raises ValueError within rounding of a pole π/2 + kπ."""
        return _unary(R.TAN, self)

    def arctan(self) -> Value:
        """arctan x (NumPy/JAX's name; `atan` is the same); d/dx arctan x = 1/(1 + x^2). Never fails."""
        return _unary(R.ARCTAN, self)

    atan = arctan

    def log1p(self) -> Value:
        """log(1 + x), accurate for tiny x; d/dx = 1/(1 + x). Raises ValueError for x <= -1."""
        return _unary(R.LOG1P, self)

    def expm1(self) -> Value:
        """e^x - 1, accurate for tiny x; d/dx = e^x. Raises OverflowError for x above ~709.78."""
        return _unary(R.EXPM1, self)

    def sign(self) -> Value:
        """-1, 0 or 1 (the lecture's perceptron activation); its derivative is 0 (as PyTorch)."""
        return _unary(R.SIGN, self)

    def clamp(self, min: Number | None = None, max: Number | None = None) -> Value:
        """x limited to [min, max] (either may be None: no bound); d/dx = 1 for min <= x <= max,
        else 0 (as PyTorch, both ends included). Needs min <= max."""
        low = -math.inf if min is None else checks.number("clamp", "min", min)
        high = math.inf if max is None else checks.number("clamp", "max", max)
        if min is None and max is None:
            checks.fail("clamp", "min or max", "given (at least one bound)", None)
        if low > high:
            checks.fail("clamp", "min", f"<= max = {high!r}", min)
        return _unary(R.clamp(low, high), self)

    def leaky_relu(self, slope: Number = 0.01) -> Value:
        """x for x > 0, else slope·x; d/dx = 1 for x > 0, else slope (PyTorch's negative_slope)."""
        return _unary(R.leaky_relu(checks.number("leaky_relu", "slope", slope)), self)

    def elu(self, alpha: Number = 1.0) -> Value:
        """x for x > 0, else alpha·(e^x - 1); d/dx = 1 for x > 0, else alpha·e^x."""
        return _unary(R.elu(checks.number("elu", "alpha", alpha)), self)

    # --- a Value as a number: conversions and comparisons (they record nothing) ------------------------

    def item(self) -> float:
        """The data as a plain float (as ``tensor.item()``)."""
        return self.data

    def __float__(self) -> float:
        return self.data

    def __bool__(self) -> bool:
        """``data != 0``, like a one-element PyTorch tensor: ``if v:`` tests the number."""
        return self.data != 0.0

    def detach(self) -> Value:
        """A new leaf with the same data (and label): no graph, no gradient (as ``tensor.detach()``,
        except that the data is copied, not shared)."""
        return Value(self.data, self.label)

    def __lt__(self, other: Value | Number) -> bool:
        return self.data < _compared(other)

    def __le__(self, other: Value | Number) -> bool:
        return self.data <= _compared(other)

    def __gt__(self, other: Value | Number) -> bool:
        return self.data > _compared(other)

    def __ge__(self, other: Value | Number) -> bool:
        return self.data >= _compared(other)

    @staticmethod
    def sum(values: Iterable[Value | Number]) -> Value:
        """Σ x_i as one n-ary node (d/dx_i = 1): one node instead of a chain of additions."""
        operands = list(values)
        if not operands:
            raise ValueError("sum: needs at least one value")
        return apply(R.SUM, *operands)

    # --- backprop ---------------------------------------------------------------------------------

    def backward(
        self,
        gradient: Value | Number | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
    ) -> None:
        """Fill in d(self)/d(node) for every node this one depends on, by the chain rule.

        Seeds self's gradient with `gradient` (default 1: PyTorch's ``gradient``; with a seed s
        every node gets s · d(self)/d(node)) and visits the graph in reverse topological order.
        Gradients *accumulate* into `.grad` across calls (as in PyTorch); call `zero_grad()`
        between passes. With ``create_graph=True`` the gradients are themselves `Value`s
        whose graph can be differentiated again (second derivatives), through a Value seed too.
        `retain_graph` is accepted for PyTorch's signature and does nothing: a graph here is
        never freed, so backward can always run again.
        """
        if self.untracked or self.constant:
            raise RuntimeError(
                "backward: this Value was made under no_grad() (or is a constant), so it records no "
                "graph to differentiate; compute it with gradients enabled"
            )
        seed: Any = 1.0
        if gradient is not None:
            if isinstance(gradient, Value):
                seed = gradient if create_graph else gradient.data
            else:
                seed = checks.number("backward", "gradient", gradient)
        nodes, before = backprop.run_pass(self, create_graph, seed)
        if before.count(0.0) != len(before):  # not `any(before)`: a Value gradient of 0 holds a graph
            _accumulate(nodes, before)

    def zero_grad(self) -> None:
        """Set `.grad` to 0 on this node and on every node it depends on (its graph, down to the
        leaves); nodes that merely use this one keep theirs.

        The scopes of the four zero_grads: `Value.zero_grad` this node and every node it depends
        on; the free function `autograd_lite.zero_grad(values)` exactly the values given;
        `Module.zero_grad` the module's parameters; `Optimizer.zero_grad` the parameters it steps.

            >>> x = Value(3.0, "x")
            >>> y = x * x
            >>> z = y + 1
            >>> z.backward()
            >>> y.zero_grad()           # y and what y depends on (x); not z, which uses y
            >>> x.grad, y.grad, z.grad
            (0.0, 0.0, 1.0)
        """
        for node in backprop.reverse_topological(self):
            node.grad = 0.0

    def register_hook(self, hook: Callable[[Any], Any]) -> hooks.RemovableHandle:
        """Call `hook(grad)` when backprop has the complete gradient of this node, before
        passing it on to the parents (or adding it to a leaf's `.grad`). If the hook returns
        a value, that value replaces the gradient. Hooks run in the order they were registered.

        Returns a handle: `handle.remove()` takes this registration off again, and
        ``with x.register_hook(f): ...`` keeps the hook on for the block only.
        """
        return hooks.register_hook(self, hook)


class Constant(Value):
    """A plain number used as an operand (the 2 in ``2 * x``): a leaf that needs no gradient.

    Backprop never refuses a pass because of what would flow into a constant (``x / 1e-300``
    has a finite derivative toward x even though its derivative toward 1e-300 is -inf), and no
    error names one as "a leaf" the user never made.
    """

    __slots__ = ()
    constant = True


class Untracked(Value):
    """A result computed under `no_grad()`: its data only, no record of how it was made.

    It can be used as an input like any leaf, but ``backward()`` from it raises (as PyTorch does
    for a tensor that does not require grad) rather than silently doing nothing.
    """

    __slots__ = ()
    untracked = True


def _accumulate(nodes: list[Value], before: list[Any]) -> None:
    """node.grad = before + this pass's gradient, for every node; a sum that is not finite
    refuses the whole accumulation (every `.grad` is left as it was before the pass)."""
    try:
        for node, g in zip(nodes, before):
            if type(g) is not float or g:
                new = node.grad
                total = g + new
                if type(total) is float and total - total != 0.0 and not node.constant:
                    what = f"{node.label!r}" if node.label else f"(data={node.data!r})"
                    raise OverflowError(
                        f"backward: accumulating the gradient of {what}: {g!r} + {new!r} is {total!r}"
                    )
                node.grad = total
    except BaseException:
        for node, g in zip(nodes, before):
            node.grad = g
        raise


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
            raise OverflowError(f"{op}: the operand {_big_int(x)} is too large for a float") from None
    if x - x != 0.0:  # inf - inf and nan - nan are nan
        raise ValueError(f"{op}: expected a finite number, got {x!r}")
    return x


def _big_int(x: Any) -> str:
    """A huge int shown by its size (str() of one over 4300 digits raises)."""
    if isinstance(x, int):
        digits = len(str(x)) if x.bit_length() < 10_000 else int(x.bit_length() * math.log10(2)) + 1
        return f"{'-' if x < 0 else ''}10^{digits - 1}... ({digits} digits)" if digits >= 30 else str(x)
    return repr(x)


def _compared(x: Any) -> float:
    """The number a comparison with a Value looks at: a Value's data, or a plain number."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"compare: a Value compares with a number or a Value, got {type(x).__name__} {x!r}")
    return x  # type: ignore[return-value]


def _constant(x: Any, rule: Rule) -> Value:
    """A plain number used as an operand becomes a constant leaf of the graph."""
    v = _new(Constant)
    v.data = _as_float(x, rule.name)
    v.grad = 0.0
    v.label = ""
    v._rule = v._a = v._b = v._hooks = None
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
    return type(error)(f"{error} [anomaly mode: {user_line()}]") if MODES.anomaly else error


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
    v._hooks = None
    if MODES.plain:  # no thread has switched a mode: record, no anomaly (one slot read)
        v._rule = rule
        v._a = a
        v._b = b
    elif MODES.grad_enabled:  # ask this thread
        v._rule = rule
        v._a = a
        v._b = b
        if MODES.anomaly:
            remember_origin(v)
    else:
        v.__class__ = Untracked
        v._rule = v._a = v._b = None
    return v


def apply(rule: Rule, *operands: Value | Number) -> Value:
    """Apply any rule of the table to Values or numbers: the general form of every operation.

    `Value`'s operators are faster special cases of this; a new rule needs no more than
    ``apply(MY_RULE, x)`` to join the graph. With plain numbers only, the result is a `Constant`
    (as PyTorch's result of tensors that need no gradient): nothing to differentiate.
    """
    xs = tuple(v if isinstance(v, Value) else _constant(v, rule) for v in operands)
    data = _forward(rule, *[x.data for x in xs])
    if xs[0].constant and all(x.constant for x in xs):  # numbers only: a constant, which needs no gradient
        return _constant(data, rule)
    if rule.vjp is not None or len(xs) > 2:  # the general form (see the note on how a node keeps operands)
        return _node(rule, data, xs, None)
    if len(xs) == 1:
        return _node(rule, data, xs[0], None)
    return _node(rule, data, xs[0], xs[1])


def _unary(rule: Rule, x: Value) -> Value:
    """rule(x) for a rule without a vjp (one with a vjp goes through `apply`)."""
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

    def general(self: Value, other: Any) -> Value:  # a rule with a vjp: the general form, by `apply`
        return apply(rule, other, self) if reflected else apply(rule, self, other)

    chosen = method if rule.vjp is None else general
    chosen.__name__ = rule.name
    chosen.__doc__ = (
        f"{'other ' if reflected else 'self '}{rule.symbol} {'self' if reflected else 'other'}: {rule.doc}"
    )
    return chosen


Value.__add__ = _binary(R.ADD)
Value.__radd__ = _binary(R.ADD, reflected=True)
Value.__sub__ = _binary(R.SUB)
Value.__rsub__ = _binary(R.SUB, reflected=True)
Value.__mul__ = _binary(R.MUL)
Value.__rmul__ = _binary(R.MUL, reflected=True)
Value.__truediv__ = _binary(R.DIV)
Value.__rtruediv__ = _binary(R.DIV, reflected=True)
_pow_value = _binary(R.POW)  # Value ** Value; Value ** number and number ** Value are methods above
