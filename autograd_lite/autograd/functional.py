"""Derivatives as functions: `grad`, `value_and_grad`, `jacobian`, `hessian` (JAX / torch.func style).

`autograd_lite.grad(output, inputs)` differentiates a graph that already exists. The functions here
differentiate a *Python function* instead: they take ``f`` and return a new function that computes
its derivative, so they compose like the math does::

    >>> from autograd_lite import functional as F
    >>> f = lambda x: x.tanh()
    >>> d3 = F.grad(F.grad(F.grad(f)))    # d³/dx³ tanh x = -2(1 - t²)² + 4t²(1 - t²), t = tanh x
    >>> round(d3(0.0), 12)
    -2.0

Convention: ``f(*args)`` takes positional arguments, each a number or a (nested) list or tuple of
numbers, and returns a `Value` (or a number). The arguments named by ``argnums`` (default 0, or a
tuple of positions) are wrapped in fresh `Value` nodes before ``f`` sees them, so ``f`` can use
every `Value` operation on them. The derivative has the structure of the argument: a float for a
number, a list for a list -- ``grad(f)([1.0, 2.0])`` is the gradient vector of ``f(xs)`` -- and a
tuple with one entry per position when ``argnums`` is a tuple.

Numbers in, numbers out. Called with `Value`s, or inside another transformation, the derivatives
are returned as `Value`s recorded with ``create_graph=True``, so they can be differentiated again:
that is how ``grad(grad(f))`` and ``hessian = jacobian(grad(f))`` work. Each differentiated argument
gets its own fresh node (an identity node when it is already a `Value`), so an inner derivative
never mixes up its variable with an outer one that ``f`` closes over (no "perturbation confusion").

Lecture item 13 (docs/lectures.md): the loss's Hessian (second-order Taylor expansion, pruning, error bars) is
`hessian_of_loss(model, loss_fn)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from ..engine.backprop import grad as _engine_grad
from ..engine.modes import enable_grad, transformation
from ..engine.value import Value

__all__ = [
    "grad",
    "value_and_grad",
    "jacobian",
    "hessian",
    "hessian_of_loss",
    "flat_parameters",
    "parameters_loaded",
]

ArgNums = int | Sequence[int]


class HasParameters(Protocol):
    """Anything with a `parameters()` method, like `autograd_lite.nn.Module`."""

    def parameters(self) -> list[Value]: ...


# --- the public transformations ------------------------------------------------------------------


def grad(f: Callable[..., Any], argnums: ArgNums = 0) -> Callable[..., Any]:
    """The function x ↦ ∇f(x) for a scalar-valued ``f``: ∂f/∂(argument) in the argument's shape.

    >>> grad(lambda x1, x2: (2 * x1 + 3 * x2) ** 2 + 3, argnums=(0, 1))(1.0, 3.0)  # docs/lectures.md item 7
    (44.0, 66.0)
    """

    def grad_f(*args: Any) -> Any:
        return _value_and_grad(f, args, argnums, "grad")[1]

    return grad_f


def value_and_grad(f: Callable[..., Any], argnums: ArgNums = 0) -> Callable[..., tuple[Any, Any]]:
    """The function x ↦ (f(x), ∇f(x)): the forward value comes for free with the gradient.

    >>> value_and_grad(lambda x: x * x)(3.0)
    (9.0, 6.0)
    """

    def value_and_grad_f(*args: Any) -> tuple[Any, Any]:
        return _value_and_grad(f, args, argnums, "value_and_grad")

    return value_and_grad_f


def jacobian(f: Callable[..., Any], argnums: ArgNums = 0) -> Callable[..., Any]:
    """The function x ↦ J(x) with J[i][j] = ∂f_i/∂x_j: one row per output, in the output's shape.

    ``f`` returns a list of `Value`s (a vector-valued function); each row is the gradient of one
    output, shaped like the arguments (as in `grad`). For a scalar ``f`` the Jacobian is the gradient.
    Reverse mode costs one backward pass per output.

    >>> jacobian(lambda xs: [xs[0] * xs[1], xs[0] + xs[1]])([2.0, 5.0])
    [[5.0, 2.0], [1.0, 1.0]]
    """

    def jacobian_f(*args: Any) -> Any:
        with transformation() as depth:
            out, inputs, nested = _call(f, args, argnums, "jacobian", depth)
            flat = _leaves(inputs)
            return _map(lambda o: _unflatten(inputs, iter(_gradient(o, flat, nested))), out)

    return jacobian_f


def hessian(f: Callable[..., Any], argnums: ArgNums = 0) -> Callable[..., Any]:
    """The function x ↦ H(x), H[i][j] = ∂²f/∂x_i∂x_j, for a scalar ``f``: ``jacobian(grad(f))``.

    The gradient is recorded as a graph (``create_graph=True``) and differentiated once more;
    H is symmetric up to rounding. For one number argument H is the second derivative f''(x).

    >>> hessian(lambda xs: xs[0] ** 2 * xs[1])([3.0, 5.0])
    [[10.0, 6.0], [6.0, 0.0]]
    """
    return jacobian(grad(f, argnums), argnums)


# --- models: the Hessian of a loss with respect to the parameters ---------------------------------


def hessian_of_loss(model: HasParameters, loss_fn: Callable[[Any], Value]) -> list[list[float]]:
    """H[i][j] = ∂²L/∂θ_i∂θ_j over the parameters θ of ``model`` (in ``model.parameters()`` order).

    ``loss_fn(model)`` computes the loss L as a `Value` (e.g. squared error on a few points). The
    gradient ∇L is recorded with ``create_graph=True`` and each of its entries differentiated again:
    one backward pass per parameter. Lecture item 13 (docs/lectures.md): L(θ + Δ) ≈ L(θ) + ∇Lᵀ Δ + ½ Δᵀ H Δ.
    """
    params = _check_parameters(model, "hessian_of_loss")
    with enable_grad():
        loss = loss_fn(model)
    if not isinstance(loss, Value):
        raise TypeError(f"hessian_of_loss: loss_fn must return a Value, got {type(loss).__name__} {loss!r}")
    with enable_grad():
        first = _engine_grad(loss, params, create_graph=True)
        return [[float(h) for h in _engine_grad(g, params)] for g in first]


def flat_parameters(model: HasParameters) -> list[float]:
    """Every parameter's data as one flat list θ, in ``model.parameters()`` order."""
    return [p.data for p in _check_parameters(model, "flat_parameters")]


@contextmanager
def parameters_loaded(model: HasParameters, theta: Sequence[float]) -> Iterator[None]:
    """Temporarily set the model's parameters to the flat vector ``theta``; restored on exit.

    >>> # with parameters_loaded(model, theta): H = hessian_of_loss(model, loss_fn)
    """
    params = _check_parameters(model, "parameters_loaded")
    if len(theta) != len(params):
        raise ValueError(f"parameters_loaded: model has {len(params)} parameters, theta has {len(theta)}")
    values = [_check_number(t, f"parameters_loaded: theta[{i}]") for i, t in enumerate(theta)]
    saved = [p.data for p in params]
    for p, t in zip(params, values, strict=True):
        p.data = t
    try:
        yield
    finally:
        for p, s in zip(params, saved, strict=True):
            p.data = s


# --- the machinery -------------------------------------------------------------------------------


def _value_and_grad(f: Callable[..., Any], args: tuple[Any, ...], argnums: ArgNums, name: str) -> Any:
    with transformation() as depth:
        out, inputs, nested = _call(f, args, argnums, name, depth)
        if isinstance(out, (list, tuple)):
            raise TypeError(
                f"{name}: f must return a scalar (a Value or a number), got a {type(out).__name__} "
                f"of length {len(out)}; use jacobian for vector-valued functions"
            )
        derivatives = _unflatten(inputs, iter(_gradient(out, _leaves(inputs), nested)))
        value = out if nested else _data(out)
        return value, derivatives


def _call(
    f: Callable[..., Any], args: tuple[Any, ...], argnums: ArgNums, name: str, depth: int
) -> tuple[Any, Any, bool]:
    """Call f with fresh input nodes; return (output, the inputs shaped like argnums, nested).

    "Nested" (return Values) when another transformation is running further out or when the caller
    passed Values in; `depth` (how many transformations run in this thread) counts the current
    call too, hence > 1.
    """
    positions = _positions(argnums, len(args), name)
    nested = depth > 1 or any(isinstance(leaf, Value) for i in positions for leaf in _leaves(args[i]))
    new_args = list(args)
    for i in positions:
        new_args[i] = _map_indexed(_fresh_inputs_for(i, name), args[i])
    out = f(*new_args)
    _map(lambda o: _check_output(o, name), out)
    inputs = new_args[positions[0]] if isinstance(argnums, int) else tuple(new_args[i] for i in positions)
    return out, inputs, nested


def _gradient(out: Any, inputs: list[Value], nested: bool) -> list[Any]:
    """d out / d x for each input: floats, or Values (create_graph) when nested."""
    if not isinstance(out, Value):  # f returned a constant
        return [0.0] * len(inputs)
    return _engine_grad(out, inputs, create_graph=nested)


def _positions(argnums: ArgNums, nargs: int, name: str) -> list[int]:
    if isinstance(argnums, bool) or not isinstance(argnums, (int, Sequence)):
        raise TypeError(f"{name}: argnums must be an int or a tuple of ints, got {argnums!r}")
    positions = [argnums] if isinstance(argnums, int) else list(argnums)
    if not positions:
        raise ValueError(f"{name}: argnums is empty; name at least one argument to differentiate")
    for i in positions:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < nargs:
            raise ValueError(
                f"{name}: argnums {argnums!r} names argument {i!r}, but f got {nargs} argument(s)"
            )
    if len(set(positions)) != len(positions):
        raise ValueError(f"{name}: argnums {argnums!r} repeats an argument")
    return positions


def _fresh_inputs_for(i: int, name: str) -> Callable[[Any, str], Value]:
    def fresh(x: Any, where: str) -> Value:
        return _fresh_input(x, f"x{i}{where}", name)

    return fresh


def _fresh_input(x: Any, label: str, name: str) -> Value:
    """A new node for one differentiated number: a leaf, or an identity node over a given Value."""
    if isinstance(x, Value):
        node = Value.sum([x])  # d node / d x = 1: derivatives w.r.t. node are w.r.t. this use of x
        node.label = label
        return node
    return Value(_check_number(x, f"{name}: argument {label}"), label)


def _check_number(x: Any, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"{where} must be a number, a Value or a list of them, got {type(x).__name__} {x!r}")
    if not math.isfinite(x):
        raise ValueError(f"{where} must be finite, got {x!r}")
    return float(x)


def _check_output(o: Any, name: str) -> None:
    if not isinstance(o, Value) and (isinstance(o, bool) or not isinstance(o, (int, float))):
        raise TypeError(
            f"{name}: f must return Values or numbers (or lists of them), got {type(o).__name__} {o!r}"
        )


def _check_parameters(model: HasParameters, name: str) -> list[Value]:
    if not callable(getattr(model, "parameters", None)):
        raise TypeError(f"{name}: expected a model with parameters(), got {type(model).__name__}")
    params = list(model.parameters())
    if not params:
        raise ValueError(f"{name}: the model has no parameters")
    return params


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


# --- trees: a number, or nested lists / tuples of numbers -----------------------------------------


def _leaves(tree: Any) -> list[Any]:
    """The numbers/Values in a tree, depth first."""
    if isinstance(tree, (list, tuple)):
        return [leaf for branch in tree for leaf in _leaves(branch)]
    return [tree]


def _map(fn: Callable[[Any], Any], tree: Any) -> Any:
    """fn applied to every leaf, keeping lists as lists and tuples as tuples."""
    if isinstance(tree, (list, tuple)):
        return type(tree)(_map(fn, branch) for branch in tree)
    return fn(tree)


def _map_indexed(fn: Callable[[Any, str], Any], tree: Any, where: str = "") -> Any:
    """Like `_map`, passing each leaf's index path ("[2][0]") too, for labels."""
    if isinstance(tree, (list, tuple)):
        return type(tree)(_map_indexed(fn, branch, f"{where}[{k}]") for k, branch in enumerate(tree))
    return fn(tree, where)


def _unflatten(template: Any, values: Iterator[Any]) -> Any:
    """The next values from `values`, arranged in the shape of `template`."""
    return _map(lambda _: next(values), template)
