"""`compile(fn, *example_inputs)`: trace once, then replay the generated program on new numbers.

    >>> from autograd_lite import compile
    >>> def f(x1, x2):                      # lecture item 7: f = (2·x1 + 3·x2)² + 3
    ...     return (2 * x1 + 3 * x2) ** 2 + 3
    >>> f_compiled = compile(f, 1.0, 3.0)
    >>> f_compiled(1.0, 3.0)                # the output and df/dx1, df/dx2
    Replay(value=124.0, grads=[44.0, 66.0], param_grads=[], aux=())
    >>> f_compiled(0.5, -1.0).value          # (1 - 3)² + 3
    7.0

How a replay stays as trustworthy as the engine:

- *Errors.* The program uses each rule's own code, which calls the guarded forward where a plain
  expression would answer wrongly instead of raising. When a replay raises, or ends with a number
  that is not finite, the same numbers are run through the engine (`fn` on `Value`s and backprop),
  which raises the engine's own error naming the operation and the value -- or, when the engine
  succeeds (a data-dependent branch picked another graph), returns its result.
- *Shape.* A replay is valid for the graph the trace saw. With ``check=True`` every call traces
  again and raises `GraphChanged` if any operation, operand or constant differs (torch.compile's
  guards and JAX's tracer errors play this part there). What is captured: every operation on
  Values, relu's kink included (it is inside the rule). What is not: Python decisions on numbers
  (``if x.data > 0``, ``max(v.data for v in z)``) -- they are frozen at their traced outcome.
- *Parameters.* `Value`s listed in ``params`` are read afresh (their ``.data``) at every call and
  get gradients; every other leaf the function reads is a constant baked into the program.

Batches (`Compiled.batch`) replay the per-sample program over many rows: a plain Python loop by
default, or with ``backend="numpy"`` each node a NumPy vector over the batch (NumPy is optional and
imported only then).
"""

from __future__ import annotations

import builtins
import itertools
import linecache
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from ..engine.backprop import grad as engine_grad
from ..engine.checks import choice, numbers
from ..engine.rules import CODE_NAMES
from ..engine.value import Value
from .codegen import Program, write
from .trace import TraceError, describe_difference, signature, trace

__all__ = ["BACKENDS", "Batch", "Compiled", "GraphChanged", "Replay", "compile"]

BACKENDS = ("python", "numpy")
_counter = itertools.count()


class GraphChanged(TraceError):
    """A new trace of the function differs from the compiled one (``check=True``)."""


class Replay(NamedTuple):
    """One sample: the output, d output / d input for each input, d output / d param for each
    parameter, and the auxiliary outputs (numbers)."""

    value: float
    grads: list[float]
    param_grads: list[float]
    aux: tuple[float, ...]


class Batch(NamedTuple):
    """A batch: each row's output (and auxiliary outputs), and Σ_rows seed · d output / d param."""

    values: list[float]
    aux: list[tuple[float, ...]]
    param_grads: list[float]


def _finite(xs: Sequence[float]) -> bool:
    return all(x - x == 0.0 for x in xs)


def _load(source: str, name: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """exec `source` as a file linecache knows, so tracebacks show the generated lines."""
    filename = f"<autograd_lite.compile:{name}:{next(_counter)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    scope = dict(namespace)
    exec(builtins.compile(source, filename, "exec"), scope)
    start = source.index("def ") + 4  # after the constants the program may define first
    function: Callable[..., Any] = scope[source[start : source.index("(", start)]]
    return function


class Compiled:
    """A traced function and the programs generated from it; call it like the function, on numbers.

    `source` is ``value_and_grad`` (forward then backward for one sample), `forward_source` the
    forward pass alone, `backward_source` the backward lines as they appear in `source`.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        example_inputs: Sequence[float],
        params: Sequence[Value] = (),
        check: bool = False,
    ) -> None:
        self.fn = fn
        self.params = list(params)
        self.check = check
        self.tape, _ = trace(fn, [float(x) for x in example_inputs], self.params)
        self._signature = signature(self.tape)
        self.program: Program = write(self.tape)
        name = getattr(fn, "__name__", "fn")
        self._value_and_grad = _load(self.program.value_and_grad, name, CODE_NAMES)
        self._forward = _load(self.program.forward, name, CODE_NAMES)
        self._batch = _load(self.program.batch, name, CODE_NAMES)
        self._batch_arrays: Callable[..., Any] | None = None  # made on first use (imports NumPy)

    # --- what it shows ---------------------------------------------------------------------------

    @property
    def source(self) -> str:
        return self.program.value_and_grad

    @property
    def forward_source(self) -> str:
        return self.program.forward

    @property
    def backward_source(self) -> str:
        return "\n".join(self.program.backward_lines) + "\n"

    @property
    def num_inputs(self) -> int:
        return len(self.tape.inputs)

    def __repr__(self) -> str:
        ops = sum(n.kind == "op" for n in self.tape.nodes)
        name = getattr(self.fn, "__name__", "fn")
        return f"Compiled({name}, {self.num_inputs} inputs, {len(self.params)} params, {ops} operations)"

    # --- one sample ------------------------------------------------------------------------------

    def _param_data(self, params: Sequence[float] | None) -> list[float]:
        if params is None:
            return [p.data for p in self.params]
        if len(params) != len(self.params):
            raise ValueError(f"compile: expected {len(self.params)} parameter values, got {len(params)}")
        return [float(x) for x in params]

    def _check_inputs(self, inputs: Sequence[Any]) -> list[float]:
        if len(inputs) != self.num_inputs:
            raise ValueError(
                f"compile: the function was traced with {self.num_inputs} inputs, got {len(inputs)}"
            )
        return [float(x) for x in inputs]

    def __call__(self, *inputs: float, params: Sequence[float] | None = None) -> Replay:
        """The output and its gradients at `inputs` (and the parameters' current data, or `params`)."""
        xs, ps = self._check_inputs(inputs), self._param_data(params)
        if self.check:
            self.guard(*xs, params=ps)
        try:
            result = self._value_and_grad(*xs, *ps)
        except (ArithmeticError, ValueError):
            return self._by_engine(xs, ps)
        (value, aux), grads = (result[0], ()) if len(result) == 2 else (result[0], result[1]), result[-1]
        if not (_finite(grads) and _finite([value, *aux])):
            return self._by_engine(xs, ps)
        n = self.num_inputs
        return Replay(value, grads[:n], grads[n:], tuple(aux))

    def forward(self, *inputs: float, params: Sequence[float] | None = None) -> Any:
        """The output alone (and the auxiliary outputs, as a tuple, if the function has some)."""
        xs, ps = self._check_inputs(inputs), self._param_data(params)
        try:
            result = self._forward(*xs, *ps)
            values = [result[0], *result[1]] if self.tape.aux else [result]
            if _finite(values):
                return result
        except (ArithmeticError, ValueError):
            pass
        r = self._by_engine(xs, ps)
        return (r.value, r.aux) if self.tape.aux else r.value

    def _by_engine(self, xs: list[float], ps: list[float]) -> Replay:
        """The engine's answer for these numbers (or its error): fn on Values, then backprop."""
        saved = [p.data for p in self.params]
        try:
            for p, x in zip(self.params, ps):
                p.data = x
            leaves = [Value(x) for x in xs]
            result = self.fn(*leaves)
            roots = list(result) if isinstance(result, (tuple, list)) else [result]
            grads = engine_grad(roots[0], [*leaves, *self.params])
        finally:
            for p, x in zip(self.params, saved):
                p.data = x
        n = len(xs)
        return Replay(roots[0].data, grads[:n], grads[n:], tuple(r.data for r in roots[1:]))

    def guard(self, *inputs: float, params: Sequence[float] | None = None) -> None:
        """Trace again at these numbers and raise `GraphChanged` if the graph differs."""
        ps = self._param_data(params)
        saved = [p.data for p in self.params]
        try:
            for p, x in zip(self.params, ps):
                p.data = x
            new, _ = trace(self.fn, list(inputs), self.params)
        finally:
            for p, x in zip(self.params, saved):
                p.data = x
        if signature(new) != self._signature:
            raise GraphChanged(
                f"compile: the graph of {getattr(self.fn, '__name__', 'fn')} at inputs {list(inputs)} "
                f"differs from the traced one ({describe_difference(self.tape, new)}); the function "
                "branches on numbers: compile it again for these inputs, or write the branch as an operation"
            )

    # --- batches ---------------------------------------------------------------------------------

    def batch(
        self,
        rows: Sequence[Sequence[float]],
        seed: float = 1.0,
        backend: str = "python",
        params: Sequence[float] | None = None,
    ) -> Batch:
        """Replay every row: each row's output, and the parameters' gradients of Σ_rows seed·output.

        ``seed = 1/len(rows)`` gives the gradient of the mean. `backend` "python" loops over the rows
        in plain Python; "numpy" runs each line once on vectors over the batch. Same numbers to
        rounding (1e-12); errors and non-finite results fall back to the engine, row by row.
        """
        choice("compile", "backend", backend, BACKENDS)
        ps = self._param_data(params)
        if not rows:
            return Batch([], [], [0.0] * len(ps))
        for row in rows:
            if len(row) != self.num_inputs:
                raise ValueError(f"compile: every row needs {self.num_inputs} inputs, got {list(row)!r}")
        if self.check:
            for row in rows:
                self.guard(*row, params=ps)
        result = None
        if backend == "numpy":
            result = self._run_arrays(rows, ps, seed)
        if result is None:
            result = self._run_python(rows, ps, seed)
        if result is None:
            result = self._rows_by_engine(rows, ps, seed)
        return result

    def _split(self, outputs: list[Any]) -> tuple[list[float], list[tuple[float, ...]]]:
        if not self.tape.aux:
            return outputs, [()] * len(outputs)
        return [o[0] for o in outputs], [tuple(o[1]) for o in outputs]

    def _run_python(self, rows: Sequence[Sequence[float]], ps: list[float], seed: float) -> Batch | None:
        try:
            outputs, grads = self._batch(rows, ps, seed)
        except (ArithmeticError, ValueError):
            return None
        values, aux = self._split(outputs)
        if not (_finite(values) and _finite(grads) and all(_finite(a) for a in aux)):
            return None
        return Batch([float(v) for v in values], aux, grads)

    def _run_arrays(self, rows: Sequence[Sequence[float]], ps: list[float], seed: float) -> Batch | None:
        from .arrays import namespace, np

        if self._batch_arrays is None:
            self._batch_arrays = _load(
                self.program.batch_arrays, getattr(self.fn, "__name__", "fn"), namespace()
            )
        n = len(rows)
        columns = np.array(rows, dtype=float).T if self.num_inputs else np.empty((0, n))
        try:
            with np.errstate(all="ignore"):
                out, grads = self._batch_arrays(columns, ps, seed, n)
        except (ArithmeticError, ValueError):
            return None
        outs = [out[0], *out[1]] if self.tape.aux else [out]
        cols = [np.broadcast_to(np.asarray(o, dtype=float), (n,)) for o in outs]
        grads = [float(g) for g in grads]
        if not (all(bool(np.isfinite(c).all()) for c in cols) and _finite(grads)):
            return None
        aux: list[tuple[float, ...]] = (
            list(zip(*[c.tolist() for c in cols[1:]])) if self.tape.aux else [()] * n
        )
        return Batch(cols[0].tolist(), aux, grads)

    def _rows_by_engine(self, rows: Sequence[Sequence[float]], ps: list[float], seed: float) -> Batch:
        values, aux, total = [], [], [0.0] * len(ps)
        for row in rows:
            r = self(*row, params=ps)  # compiled if it can, else the engine (which may raise)
            values.append(r.value)
            aux.append(r.aux)
            total = [t + seed * g for t, g in zip(total, r.param_grads)]
        return Batch(values, aux, total)


def compile(
    fn: Callable[..., Any], *example_inputs: float, params: Sequence[Value] = (), check: bool = False
) -> Compiled:
    """Trace ``fn(*example_inputs)`` once on `Value`s and generate its forward and backward program.

    `fn` takes one `Value` per example input and returns a `Value` (or a tuple whose first entry is
    the output and the rest auxiliary outputs). `params` are the `Value`s it reads that should get
    gradients (a model's ``parameters()``); every other leaf is a constant. ``check=True`` traces
    again at every call and raises `GraphChanged` when the graph differs (slow; for debugging).
    See the module docstring for what a trace captures.
    """
    if not callable(fn):
        raise TypeError(f"compile: expected a function, got {type(fn).__name__} {fn!r}")
    for p in params:
        if not isinstance(p, Value) or not p.is_leaf:
            raise TypeError(f"compile: every param must be a leaf Value, got {p!r}")
    numbers("compile", "example_inputs", list(example_inputs), empty=True)
    return Compiled(fn, example_inputs, params, check)
