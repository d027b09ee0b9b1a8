"""compile(): the generated program computes what the engine computes, on every op and every model.

Oracles: the hand-worked numbers of lecture item 7 (docs/lectures.md: g = 124, dg/dx1 = 44,
dg/dx2 = 66) and the engine itself (`backward()` / `grad` on freshly built graphs), which
tests/test_engine.py checks against PyTorch float64. Every comparison is at new numbers, not the traced ones.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from autograd_lite import MLP, GraphChanged, Value, compile, grad
from autograd_lite.nn import losses

try:
    import numpy  # noqa: F401

    BACKENDS = ["python", "numpy"]
except ImportError:  # pragma: no cover
    BACKENDS = ["python"]


def close(a: float, b: float, tol: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def engine(
    fn: Callable[..., Any], xs: Sequence[float], params: Sequence[Value] = ()
) -> tuple[float, list[float]]:
    """The engine's output and gradients (inputs, then params) for fn at xs."""
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    out = out[0] if isinstance(out, (tuple, list)) else out
    return out.data, grad(out, [*leaves, *params])


# --- the lecture example ---------------------------------------------------------------------------


def lecture(x1: Value, x2: Value) -> Value:
    a = 2 * x1
    b = 3 * x2
    c = a + b
    e = c**2
    g = e + 3
    for v, name in ((a, "a"), (b, "b"), (c, "c"), (e, "e"), (g, "g")):
        v.label = name
    return g


def test_lecture_example_reads_like_the_slide() -> None:
    f = compile(lecture, 1.0, 3.0)
    assert f.forward_source.splitlines()[1:6] == [
        "    a = 2 * x1",
        "    b = 3 * x2",
        "    c = a + b",
        "    e = c ** 2",
        "    g = e + 3",
    ]
    lines = f.backward_source.splitlines()
    assert lines[0] == "g_g = 1.0"
    assert "g_e = g_g" in lines and "g_c = 2 * c * g_e" in lines  # d(c²)/dc = 2c
    assert "g_a = g_c" in lines and "g_b = g_c" in lines
    assert "g_x1 = 2 * g_a" in lines and "g_x2 = 3 * g_b" in lines
    assert f.source.startswith("def value_and_grad(x1, x2):") and "return g, [g_x1, g_x2]" in f.source
    r = f(1.0, 3.0)  # lecture item 7: g = 124, dg/dx1 = 2·2c = 44, dg/dx2 = 3·2c = 66
    assert (r.value, r.grads) == (124.0, [44.0, 66.0])
    r = f(-2.0, 0.5)  # c = -4 + 1.5 = -2.5: g = 9.25, grads 4c = -10 and 6c = -15
    assert (r.value, r.grads) == (9.25, [-10.0, -15.0])
    assert f.forward(-2.0, 0.5) == 9.25


# --- random graphs: every op, shared subexpressions, constants, Value ** Value ----------------------

APPLY: dict[str, Callable[[Value, Value], Value]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "neg": lambda a, b: -a,
    "vpow": lambda a, b: (a.sigmoid() + 0.5) ** b.tanh(),  # Value ** Value
    "rpow": lambda a, b: 2.0 ** a.tanh(),  # number ** Value
    "pow2": lambda a, b: a**2,
    "pow3": lambda a, b: a.tanh() ** 3,
    "powm1": lambda a, b: (a * a + 1.0) ** -1,
    "powhalf": lambda a, b: (a * a + 0.1) ** 0.5,
    "exp": lambda a, b: a.tanh().exp(),
    "log": lambda a, b: (a * a + 0.5).log(),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
    "sum": lambda a, b: Value.sum([a, b, a, 1.5]),
    "const": lambda a, b: 3.0 - (a * 0.5) / 2.0,
    "sqrt": lambda a, b: (a * a + 0.1).sqrt(),
    "abs": lambda a, b: a.abs() - b,
    "sin": lambda a, b: a.sin(),
    "cos": lambda a, b: (a * b).cos(),
    "tan": lambda a, b: a.tanh().tan(),  # |tanh| < 1 < π/2: no pole
    "arctan": lambda a, b: a.arctan(),
    "log1p": lambda a, b: (a * a).log1p(),
    "expm1": lambda a, b: a.tanh().expm1(),
    "sign": lambda a, b: a.sign() * b,
    "clamp": lambda a, b: a.clamp(-0.5, 0.7),
    "clamp_low": lambda a, b: a.clamp(min=0.1),
    "leaky_relu": lambda a, b: a.leaky_relu(0.1),
    "elu": lambda a, b: a.elu(0.5),
}
OPS = list(APPLY)


def random_graph(seed: int, n_ops: int = 50) -> Callable[..., Value]:
    """A function of three inputs (and two parameters) applying every op, each result kept in a pool
    that later ops draw from (so subexpressions are shared), operands kept inside each op's domain."""
    w = [Value(0.7, "w0"), Value(-1.3, "w1")]

    def f(x: Value, y: Value, z: Value) -> Value:
        rng = random.Random(seed)
        pool: list[Value] = [x, y, z, *w, Value(0.25)]  # the last one: a constant leaf
        for k in range(n_ops):
            op = OPS[k % len(OPS)] if k < len(OPS) else rng.choice(OPS)
            a, b = rng.choice(pool[-8:]), rng.choice(pool)
            v = APPLY[op](a, b)
            pool.append(v.tanh() * 2.0 if k % 3 == 2 else v)  # keeps numbers moderate, by position only
        return Value.sum(pool[-6:]) + pool[len(pool) // 2] * pool[-1] + w[0] * pool[-2] - w[1]

    f.params = w  # type: ignore[attr-defined]
    return f


def test_a_reciprocal_derivative_is_written_as_a_division_as_the_engine_computes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """d(x/b)/dx = 1/b and d(log x)/dx = 1/x times g are g / b and g / x: 1/1e-310 is infinite, but
    1e-20/1e-310 = 1e290 is not. Oracle: PyTorch float64, which divides too."""
    torch = pytest.importorskip("torch")

    def f(x: Any) -> Any:
        return (x / 1e-310) * 1e-20 + x.log() * 1e-20

    c = compile(f, 1e-310)
    assert "1 / " not in c.backward_source
    monkeypatch.setattr(c, "_by_engine", lambda *args: pytest.fail("the compiled program fell back"))
    t = torch.tensor(1e-310, dtype=torch.float64, requires_grad=True)
    f(t).backward()
    assert close(c(1e-310).grads[0], float(t.grad))  # 2e290


@pytest.mark.parametrize("seed", range(6))
def test_random_graphs_equal_the_engine(seed: int) -> None:
    f = random_graph(seed)
    params: list[Value] = f.params  # type: ignore[attr-defined]
    c = compile(f, 0.3, -0.8, 1.1, params=params)
    rng = random.Random(100 + seed)
    for _ in range(5):
        xs = [rng.uniform(-2, 2) for _ in range(3)]
        value, grads = engine(f, xs, params)
        r = c(*xs)
        assert close(r.value, value)
        assert all(close(a, b) for a, b in zip(r.grads + r.param_grads, grads, strict=True)), (xs, grads, r)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("seed", range(3))
def test_random_graphs_in_batches_equal_the_engine(seed: int, backend: str) -> None:
    f = random_graph(seed)
    params: list[Value] = f.params  # type: ignore[attr-defined]
    c = compile(f, 0.3, -0.8, 1.1, params=params)
    rng = random.Random(7 + seed)
    rows = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(9)]
    b = c.batch(rows, seed=0.5, backend=backend)
    expected = [engine(f, row, params) for row in rows]
    assert all(close(v, e[0]) for v, e in zip(b.values, expected, strict=True))
    for j in range(len(params)):
        assert close(b.param_grads[j], 0.5 * math.fsum(e[1][3 + j] for e in expected))


def test_parameters_are_read_at_every_call_and_can_be_given() -> None:
    w = Value(2.0, "w")
    c = compile(lambda x: w * x + w**2, 3.0, params=[w])
    assert c(3.0) == (10.0, [2.0], [7.0], ())  # d/dx = w, d/dw = x + 2w
    w.data = -1.0
    assert c(3.0).value == -2.0
    assert c(3.0, params=[0.5]).param_grads == [4.0]
    assert w.data == -1.0 and w.grad == 0.0  # untouched


def test_auxiliary_outputs_are_returned_as_numbers() -> None:
    c = compile(lambda x: (x * x, x + 1, x.exp()), 1.0)
    r = c(2.0)
    assert r.value == 4.0 and r.grads == [4.0] and r.aux == (3.0, math.exp(2.0))
    b = c.batch([[2.0], [0.0]])
    assert b.values == [4.0, 0.0] and b.aux == [(3.0, math.exp(2.0)), (1.0, 1.0)]


def test_numpy_batches_with_auxiliary_outputs_run_on_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    """The NumPy program answers by itself (it used to return a 3-tuple and fall back to the Python loop)."""
    pytest.importorskip("numpy")
    w = Value(0.5, "w")
    c = compile(lambda x: ((w * x).relu(), x + 1, (w * x).exp()), 1.0, params=[w])

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the NumPy replay fell back")

    monkeypatch.setattr(c, "_run_python", refuse)
    monkeypatch.setattr(c, "_rows_by_engine", refuse)
    b = c.batch([[2.0], [-4.0]], seed=0.5, backend="numpy")
    assert b.values == [1.0, 0.0] and b.aux == [(3.0, math.exp(1.0)), (-3.0, math.exp(-2.0))]
    assert b.param_grads == [0.5 * 2.0]  # d relu(w x)/dw = x where w x > 0, else 0


# --- models: every activation and every loss --------------------------------------------------------

ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"]


def _model_losses() -> dict[str, Callable[[Any, int], Value]]:
    return {
        "cross_entropy": lambda out, t: losses.cross_entropy(out, t),
        "hinge": lambda out, t: losses.hinge(out[0], 1 if t else -1),
        "bce": lambda out, t: losses.binary_cross_entropy(out[0], float(t == 1)),
        "mse": lambda out, t: losses.mse(out, [float(t == j) for j in range(3)]),
        "l1": lambda out, t: losses.l1(out, [float(t == j) for j in range(3)]),
        "nll_of_softmax": lambda out, t: -losses.softmax(out)[t].log(),
        "log_softmax": lambda out, t: -losses.log_softmax(out)[t],
    }


@pytest.mark.parametrize("loss_name", sorted(_model_losses()))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_models_with_every_activation_and_loss(activation: str, loss_name: str) -> None:
    model = MLP(3, [5, 3], activation=activation, output_activation="linear", seed=3)
    params = model.parameters()
    loss = _model_losses()[loss_name]
    target = 2

    def per_sample(a: Value, b: Value, c: Value) -> Value:
        return loss(model([a, b, c]), target)

    c = compile(per_sample, 0.1, 0.2, 0.3, params=params)
    rng = random.Random(5)
    rows = [[rng.gauss(0, 1) for _ in range(3)] for _ in range(6)]
    expected = [engine(per_sample, row, params) for row in rows]
    for row, (value, grads) in zip(rows, expected, strict=True):
        r = c(*row)
        assert close(r.value, value) and all(close(x, y) for x, y in zip(r.grads + r.param_grads, grads))
    for backend in BACKENDS:
        b = c.batch(rows, seed=1 / len(rows), backend=backend)
        assert all(close(v, e[0]) for v, e in zip(b.values, expected, strict=True))
        for j in range(len(params)):
            assert close(b.param_grads[j], math.fsum(e[1][3 + j] for e in expected) / len(rows))


# --- errors and limits ------------------------------------------------------------------------------


def test_errors_are_the_engines() -> None:
    c = compile(lambda x: (x * 2.0).log(), 1.0)
    with pytest.raises(ValueError, match=r"log: operand must be positive, got -2\.0"):
        c(-1.0)
    e = compile(lambda x: x.exp() * 2.0, 1.0)
    with pytest.raises(OverflowError, match="exp: exp"):
        e(800.0)
    with pytest.raises(OverflowError, match="mul: the result"):  # exp fine, the product overflows
        compile(lambda x: x.exp() * 1e300, 1.0)(300.0)
    p = compile(lambda x: x**0.5, 4.0)
    assert p(9.0).value == 3.0
    with pytest.raises(ValueError, match="power: negative base"):  # not a complex number
        p(-4.0)
    for backend in BACKENDS:
        with pytest.raises(ValueError, match="log: operand must be positive"):
            c.batch([[1.0], [-3.0]], backend=backend)


def test_a_branch_on_data_is_frozen_and_check_mode_detects_it() -> None:
    def f(x: Value) -> Value:
        return x * 2.0 if x.data > 0 else x * x  # Python control flow: not an operation

    c = compile(f, 1.0)
    assert c(-3.0).value == -6.0  # the traced graph (x·2), not the engine's 9: documented limit
    checked = compile(f, 1.0, check=True)
    assert checked(5.0).value == 10.0
    with pytest.raises(GraphChanged, match=r"node 1: traced the const 2.0, now mul"):
        checked(-3.0)
    with pytest.raises(GraphChanged):
        checked.batch([[1.0], [-1.0]])


def test_relu_kink_is_an_operation_and_replays_on_both_sides() -> None:
    c = compile(lambda x: (x * 3.0).relu(), 1.0, check=True)  # check: the graph never changes
    assert c(2.0)[:2] == (6.0, [3.0]) and c(-2.0)[:2] == (0.0, [0.0])
    assert c(0.0)[:2] == (0.0, [0.0])  # relu'(0) = 0, as the engine and PyTorch


def test_bce_traced_on_one_side_stays_right_on_the_other() -> None:
    """binary_cross_entropy picks its stable formula by the sign of z: traced at z > 0, the formula
    is still the same function for z < 0 (to rounding), and where it would overflow the engine
    takes over."""
    c = compile(lambda z: losses.binary_cross_entropy(z, 1.0), 2.0)
    for z in (-3.0, -30.0, 0.5, -800.0):
        value, grads = engine(lambda v: losses.binary_cross_entropy(v, 1.0), [z])
        r = c(z)
        assert close(r.value, value) and close(r.grads[0], grads[0])


def test_softmax_shift_is_a_constant_of_the_trace_and_still_exact() -> None:
    """The max subtracted inside cross_entropy is computed from the numbers, so the trace freezes
    it; softmax(z - c) = softmax(z) for every c, so the loss and gradient stay exact."""

    def f(a: Value, b: Value) -> Value:
        return losses.cross_entropy([a, b, a * b], 0)

    c = compile(f, 0.5, 0.1)
    for xs in ([3.0, -2.0], [40.0, 41.0], [-5.0, 0.3]):
        value, grads = engine(f, xs)
        r = c(*xs)
        assert close(r.value, value) and all(close(x, y) for x, y in zip(r.grads, grads))
    with pytest.raises(GraphChanged, match="const"):  # check mode sees the constant move
        compile(f, 0.5, 0.1, check=True)(3.0, -2.0)


def test_bad_arguments() -> None:
    c = compile(lambda x, y: x * y, 1.0, 2.0)
    with pytest.raises(ValueError, match="traced with 2 inputs, got 1"):
        c(1.0)
    with pytest.raises(ValueError, match="^compile: backend must be one of 'python', 'numpy', got 'gpu'$"):
        c.batch([[1.0, 2.0]], backend="gpu")
    with pytest.raises(TypeError, match="function"):
        compile(3, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^compile: example_inputs\[0\] must be a finite number, got nan$"):
        compile(lambda x: x, float("nan"))
    with pytest.raises(TypeError, match=r"^compile: example_inputs\[1\] must be a finite number, got True$"):
        compile(lambda x, y: x, 1.0, True)
    with pytest.raises(ValueError, match="return a Value"):
        compile(lambda x: 3.0, 1.0)


def test_names_from_labels_are_made_safe_and_unique() -> None:
    def f(x: Value) -> Value:
        a, b, c = x * 2.0, x * 3.0, x + 1.0
        a.label, b.label, c.label = "L0.N1.w0", "L0.N1.w0", "g_a"  # a duplicate, a gradient-like name
        return a + b + c

    src = compile(f, 1.0).source
    assert "L0_N1_w0 = x * 2" in src and "L0_N1_w0_1 = x * 3" in src and "g_a =" not in src.split("g_")[0]
    assert compile(f, 1.0)(2.0).grads == [6.0]


def test_import_does_not_load_numpy() -> None:
    code = (
        "import sys, autograd_lite as al; c = al.compile(lambda x: x.tanh(), 0.5); c.batch([[1.0]]); "
        "print('numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_readme_shows_a_true_replay() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    shown = repr(compile(lambda x1, x2: (2 * x1 + 3 * x2) ** 2 + 3, 1.0, 3.0)(1.0, 3.0))
    assert f">>> f(1.0, 3.0)\n{shown}\n" in readme


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_sum_of_thousands_of_terms_compiles(backend: str) -> None:
    ws = [Value(0.001 * k) for k in range(3000)]
    c = compile(lambda x: Value.sum([w * x for w in ws]), 1.0, params=ws)
    b = c.batch([[2.0], [-1.0]], backend=backend)
    total = math.fsum(0.001 * k for k in range(3000))
    assert close(b.values[0], 2 * total) and close(b.values[1], -total)
    assert b.param_grads[:3] == [1.0, 1.0, 1.0]  # d/dw_k of w_k·2 + w_k·(-1)
