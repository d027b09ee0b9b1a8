"""Derivatives as functions: `grad`, `value_and_grad`, `jacobian`, `hessian`, `jvp`, `vjp`, `hvp`
(JAX / torch.func style).

`autograd_lite.grad(output, inputs)` differentiates a graph that already exists. The functions here
differentiate a *Python function* instead: they take ``f`` and return a new function that computes
its derivative, so they compose like the math does::

    >>> from autograd_lite import functional as F
    >>> f = lambda x: x.tanh()
    >>> d3 = F.grad(F.grad(F.grad(f)))    # d³/dx³ tanh x = -2(1 - t²)² + 4t²(1 - t²), t = tanh x
    >>> round(d3(0.0), 12)
    -2.0

Convention: ``f(*args, **kwargs)`` takes positional arguments, each a number or a (nested) list or
tuple of numbers, and returns a `Value` (or a number). The arguments named by ``argnums`` (default 0,
or a tuple of positions; negative positions count from the end, as in JAX) are wrapped in fresh
`Value` nodes before ``f`` sees them, so ``f`` can use every `Value` operation on them. Keyword
arguments are passed to ``f`` unchanged and never differentiated. The derivative has the structure
of the argument: a float for a number, a list for a list -- ``grad(f)([1.0, 2.0])`` is the gradient
vector of ``f(xs)`` -- and a tuple with one entry per position when ``argnums`` is a tuple.

Numbers in, numbers out. Called with `Value`s, or inside another transformation, the derivatives
are returned as `Value`s recorded with ``create_graph=True``, so they can be differentiated again:
that is how ``grad(grad(f))`` and ``hessian = jacobian(grad(f))`` work. Each differentiated argument
gets its own fresh node (an identity node when it is already a `Value`), so an inner derivative
never mixes up its variable with an outer one that ``f`` closes over (no "perturbation confusion").

Inside `no_grad()` a transformation still computes its derivatives (it records what it needs), but
returns them *detached*: plain numbers, or leaf Values when Values went in -- as torch.func does. So
``with no_grad(): shift = grad(g)(x)`` inside a function that is itself differentiated makes
``shift`` a constant of the outer derivative.

Lecture item 13 (docs/lectures.md): the loss's Hessian (second-order Taylor expansion, pruning, error bars) is
`hessian_of_loss(model, loss_fn)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from ..engine.backprop import grad as _engine_grad
from ..engine.checks import fail, integer, is_integer, is_number, number, numbers
from ..engine.modes import enable_grad, is_grad_enabled, transformation
from ..engine.value import Value

__all__ = [
    "grad",
    "value_and_grad",
    "jacobian",
    "hessian",
    "jvp",
    "vjp",
    "hvp",
    "hessian_of_loss",
    "flat_parameters",
    "parameters_loaded",
]

ArgNums = int | Sequence[int]


class HasParameters(Protocol):
    """Anything with a `parameters()` method, like `autograd_lite.nn.Module`."""

    def parameters(self) -> list[Value]: ...


# --- the public transformations ------------------------------------------------------------------


def grad(f: Callable[..., Any], argnums: ArgNums = 0, has_aux: bool = False) -> Callable[..., Any]:
    """The function x ↦ ∇f(x) for a scalar-valued ``f``: ∂f/∂(argument) in the argument's shape.

    With ``has_aux=True`` (JAX), ``f`` returns a pair ``(output, aux)``; the result is then
    ``(∇output, aux)``, aux passed through undifferentiated (a loss and its accuracy, say).

    >>> grad(lambda x1, x2: (2 * x1 + 3 * x2) ** 2 + 3, argnums=(0, 1))(1.0, 3.0)  # lecture item 7
    (44.0, 66.0)
    """

    def grad_f(*args: Any, **kwargs: Any) -> Any:
        (value, aux), derivatives = _value_and_grad(f, args, kwargs, argnums, has_aux, "grad")
        return (derivatives, aux) if has_aux else derivatives

    return grad_f


def value_and_grad(
    f: Callable[..., Any], argnums: ArgNums = 0, has_aux: bool = False
) -> Callable[..., tuple[Any, Any]]:
    """The function x ↦ (f(x), ∇f(x)): the forward value comes for free with the gradient.

    With ``has_aux=True`` (JAX), ``f`` returns ``(output, aux)`` and the result is
    ``((output, aux), ∇output)``.

    >>> value_and_grad(lambda x: x * x)(3.0)
    (9.0, 6.0)
    """

    def value_and_grad_f(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        (value, aux), derivatives = _value_and_grad(f, args, kwargs, argnums, has_aux, "value_and_grad")
        return ((value, aux) if has_aux else value), derivatives

    return value_and_grad_f


def jacobian(f: Callable[..., Any], argnums: ArgNums = 0) -> Callable[..., Any]:
    """The function x ↦ J(x) with J[i][j] = ∂f_i/∂x_j: one row per output, in the output's shape.

    ``f`` returns a list of `Value`s (a vector-valued function); each row is the gradient of one
    output, shaped like the arguments (as in `grad`). For a scalar ``f`` the Jacobian is the gradient.
    Reverse mode costs one backward pass per output.

    >>> jacobian(lambda xs: [xs[0] * xs[1], xs[0] + xs[1]])([2.0, 5.0])
    [[5.0, 2.0], [1.0, 1.0]]
    """

    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        with _transformation() as mode:
            out, inputs = _call(f, args, kwargs, argnums, mode, "jacobian")
            flat = _leaves(inputs)
            return _map(lambda o: _unflatten(inputs, iter(_gradient(o, flat, mode))), out)

    return jacobian_f


def hessian(f: Callable[..., Any], argnums: ArgNums = 0) -> Callable[..., Any]:
    """The function x ↦ H(x), H[i][j] = ∂²f/∂x_i∂x_j, for a scalar ``f``: ``jacobian(grad(f))``.

    The gradient is recorded as a graph (``create_graph=True``) and differentiated once more;
    H is symmetric up to rounding. For one number argument H is the second derivative f''(x).

    >>> hessian(lambda xs: xs[0] ** 2 * xs[1])([3.0, 5.0])
    [[10.0, 6.0], [6.0, 0.0]]
    """
    return jacobian(grad(f, argnums), argnums)


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """(f(x), J(x)·v): the derivative of ``f`` at ``x = primals`` in the direction ``v = tangents``.

    ``primals`` is the tuple of ``f``'s arguments (all differentiated), ``tangents`` has the same
    structure; the result has the output's structure (a number for a scalar ``f``). JAX and torch.func
    compute this in forward mode; here it is reverse mode twice (the "double vjp"): u ↦ uᵀJ is
    linear in u, so the gradient of (uᵀJ)·v with respect to u is J·v -- two backward passes
    whatever the number of outputs.

    >>> jvp(lambda x, y: x * y, (2.0, 5.0), (1.0, 0.0))   # ∂(xy)/∂x = y
    (10.0, 5.0)
    """
    primals, tangents = _primals_and_tangents(primals, tangents, "jvp")
    with _transformation() as mode:
        out, inputs = _call(f, primals, {}, tuple(range(len(primals))), mode, "jvp")
        outputs = _leaves(out)
        probes = [Value(0.0, f"u{i}") for i in range(len(outputs))]
        weighted = _dot(probes, outputs)  # uᵀ f
        ujs = _gradient(weighted, _leaves(inputs), _Mode(nested=True, detached=False))  # uᵀ J
        directional = _dot(ujs, _leaves(tangents))  # uᵀ J v
        jv = iter(_gradient(directional, probes, mode))
        return _map(lambda o: _result(o, mode), out), _map(lambda _: next(jv), out)


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[[Any], tuple[Any, ...]]]:
    """(f(x), the function u ↦ uᵀJ(x)): reverse mode's own product, one backward pass per call.

    ``vjp_fn(u)`` takes a cotangent ``u`` shaped like ``f``'s output and returns a tuple with one
    entry per primal, each shaped like that primal (as torch.func.vjp and jax.vjp).

    >>> out, vjp_fn = vjp(lambda xs: [xs[0] * xs[1], xs[0] + xs[1]], [2.0, 5.0])
    >>> out, vjp_fn([1.0, 10.0])     # [1, 10] · J = [5 + 10, 2 + 10]
    ([10.0, 7.0], ([15.0, 12.0],))
    """
    _check_some_primals(primals, "vjp")
    with _transformation() as mode:
        out, inputs = _call(f, primals, {}, tuple(range(len(primals))), mode, "vjp")
    value = _map(lambda o: _result(o, mode), out)

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        cotangent = _like(out, cotangent, "vjp", "cotangent")
        with _transformation(mode):
            weighted = _dot(_leaves(cotangent), _leaves(out))
            return tuple(_unflatten(inputs, iter(_gradient(weighted, _leaves(inputs), mode))))

    return value, vjp_fn


def hvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """(f(x), H(x)·v) for a scalar ``f``, without building H: the gradient of ∇f(x)·v.

    Two backward passes whatever the dimension (the Hessian would need one per input). ``primals``
    and ``tangents`` as in `jvp`; H·v has the structure of ``primals``.

    >>> hvp(lambda x, y: x * x * y, (3.0, 5.0), (1.0, 0.0))   # H = [[2y, 2x], [2x, 0]]
    (45.0, (10.0, 6.0))
    """
    primals, tangents = _primals_and_tangents(primals, tangents, "hvp")
    with _transformation() as mode:
        out, inputs = _call(f, primals, {}, tuple(range(len(primals))), mode, "hvp")
        _check_scalar(out, "hvp")
        flat = _leaves(inputs)
        gradient = _gradient(out, flat, _Mode(nested=True, detached=False))  # ∇f, recorded
        directional = _dot(gradient, _leaves(tangents))  # ∇f · v
        hv = _unflatten(inputs, iter(_gradient(directional, flat, mode)))
        return _result(out, mode), hv


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
    values = numbers("parameters_loaded", "theta", list(theta))
    saved = [p.data for p in params]
    for p, t in zip(params, values, strict=True):
        p.data = t
    try:
        yield
    finally:
        for p, s in zip(params, saved, strict=True):
            p.data = s


# --- the machinery -------------------------------------------------------------------------------


class _Mode:
    """How one transformation call returns its results.

    nested: as Values recorded with create_graph (another transformation runs further out, or Values
    went in), so they can be differentiated again. detached: the call began inside `no_grad()`;
    derivatives are computed all the same and returned as plain numbers or leaf Values.
    """

    def __init__(self, nested: bool = False, detached: bool = False, values: bool = False) -> None:
        self.nested = nested  # record the derivatives (create_graph)
        self.detached = detached
        self.values = values  # return Values (leaves when detached)


@contextmanager
def _transformation(mode: _Mode | None = None) -> Iterator[_Mode]:
    """Mark a transformation as running in this thread (so transformations called inside it return
    Values) and record graphs inside it, whatever the grad mode outside; say whether the caller was
    in no_grad."""
    detached = not is_grad_enabled()
    with transformation() as depth:
        yield mode if mode is not None else _Mode(nested=depth > 1, detached=detached)


def _value_and_grad(
    f: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    argnums: ArgNums,
    has_aux: bool,
    name: str,
) -> Any:
    """((value, aux), derivatives) of f at args; aux is None unless has_aux."""
    with _transformation() as mode:
        out, inputs = _call(f, args, kwargs, argnums, mode, name, has_aux)
        aux = None
        if has_aux:
            out, aux = out
        _check_scalar(out, name)
        derivatives = _unflatten(inputs, iter(_gradient(out, _leaves(inputs), mode)))
        return (_result(out, mode), aux), derivatives


def _call(
    f: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    argnums: ArgNums,
    mode: _Mode,
    name: str,
    has_aux: bool = False,
) -> tuple[Any, Any]:
    """Call f with fresh input nodes; return (output, the inputs shaped like argnums).

    Settles `mode`: results are Values when another transformation is running further out or when
    the caller passed Values in; recorded (nested) unless the call began inside `no_grad()`.
    """
    positions = _positions(argnums, len(args), name)
    mode.values = mode.nested or any(isinstance(leaf, Value) for i in positions for leaf in _leaves(args[i]))
    mode.nested = mode.values and not mode.detached
    new_args = list(args)
    for i in positions:
        new_args[i] = _map_indexed(_fresh_inputs_for(i, name), args[i])
    out = f(*new_args, **kwargs)
    if has_aux and not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError(
            f"{name}: with has_aux=True f must return a pair (output, aux), got {type(out).__name__} {out!r}"
        )
    _map(lambda o: _check_output(o, name), out[0] if has_aux else out)
    single = is_integer(argnums)
    inputs = new_args[positions[0]] if single else tuple(new_args[i] for i in positions)
    return out, inputs


def _gradient(out: Any, inputs: list[Value], mode: _Mode) -> list[Any]:
    """d out / d x for each input: floats, Values recorded with create_graph when nested, or leaf
    Values when detached but Values went in."""
    if not isinstance(out, Value):  # f returned a constant
        return [Value(0.0) if mode.values else 0.0] * len(inputs)
    derivatives = _engine_grad(out, inputs, create_graph=mode.nested)
    if mode.values and not mode.nested:
        return [Value(float(g)) for g in derivatives]
    return derivatives


def _result(out: Any, mode: _Mode) -> Any:
    """f's output as returned: a Value when nested, a leaf Value when detached, else a float."""
    if mode.nested and isinstance(out, Value):
        return out
    return Value(_data(out)) if mode.values else _data(out)


def _dot(xs: list[Any], ys: list[Any]) -> Any:
    """Σ x_i·y_i as one recorded node (0.0 for no terms)."""
    terms = [x * y for x, y in zip(xs, ys, strict=True)]
    return Value.sum(terms) if terms else 0.0


def _check_scalar(out: Any, name: str) -> None:
    if isinstance(out, (list, tuple)):
        raise TypeError(
            f"{name}: f must return a scalar (a Value or a number), got a {type(out).__name__} "
            f"of length {len(out)}; use jacobian for vector-valued functions"
        )


def _primals_and_tangents(primals: Any, tangents: Any, name: str) -> tuple[tuple[Any, ...], Any]:
    for what, x in (("primals", primals), ("tangents", tangents)):
        if not isinstance(x, (tuple, list)):
            fail(name, what, "a tuple of f's arguments", x, TypeError)
    _check_some_primals(primals, name)
    return tuple(primals), _like(tuple(primals), tuple(tangents), name, "tangents")


def _check_some_primals(primals: Any, name: str) -> None:
    if not primals:
        raise ValueError(f"{name}: needs at least one primal (an argument of f to differentiate)")


def _like(template: Any, tree: Any, op: str, name: str) -> Any:
    """`tree`, checked to have the structure of `template` (numbers or Values at the leaves)."""
    if isinstance(template, (list, tuple)):
        if not isinstance(tree, (list, tuple)) or len(tree) != len(template):
            fail(op, name, f"shaped like {_shape(template)}", tree)
        return type(template)(_like(t, x, op, f"{name}[{i}]") for i, (t, x) in enumerate(zip(template, tree)))
    if isinstance(tree, Value):
        return tree
    return number(op, name, tree)


def _shape(tree: Any) -> str:
    if isinstance(tree, (list, tuple)):
        inner = ", ".join(_shape(t) for t in tree)
        return f"[{inner}]" if isinstance(tree, list) else f"({inner}{',' if len(tree) == 1 else ''})"
    return "x"


def _positions(argnums: ArgNums, nargs: int, name: str) -> list[int]:
    single = is_integer(argnums)
    if not single and (isinstance(argnums, (str, bytes)) or not isinstance(argnums, Sequence)):
        fail(name, "argnums", "an int or a tuple of ints", argnums, TypeError)
    given = [argnums] if isinstance(argnums, int) else list(argnums)  # a bool was refused above
    if not given:
        fail(name, "argnums", "a non-empty tuple (at least one argument to differentiate)", argnums)
    if nargs == 0:
        fail(name, "f", "called with at least one argument to differentiate", ())
    where = ["argnums"] if single else [f"argnums[{k}]" for k in range(len(given))]
    # a position from -nargs to nargs - 1; -1 is the last argument
    positions = [integer(name, w, i, low=-nargs, high=nargs - 1) % nargs for w, i in zip(where, given)]
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
    return Value(number(name, f"argument {label}", x), label)


def _check_output(o: Any, name: str) -> None:
    if not isinstance(o, Value) and not is_number(o):
        fail(name, "f's output", "a Value or a number (or a list of them)", o, TypeError)


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
