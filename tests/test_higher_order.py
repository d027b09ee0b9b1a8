"""Second derivatives on random expression graphs: Hessians and Jacobians against PyTorch float64.

Hypothesis draws expression trees over three inputs from every primitive (each written once below and
applied to autograd_lite Values and to torch tensors alike), so the engine's create_graph pass, the
grad-of-grad composition in `functional` and `gradgradcheck` are exercised on graphs nobody wrote by
hand: shared subexpressions, constants on either side, Value ** Value, n-ary sums, relu.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd_lite import Value
from autograd_lite import functional as F
from autograd_lite.autograd.gradcheck import gradgradcheck

NVARS = 3

# Each op works on Values and on 0-d float64 tensors; the guarded forms keep operands in the domain.
UNARY: dict[str, Callable[[Any], Any]] = {
    "neg": lambda a: -a,
    "exp": lambda a: a.exp(),
    "log": lambda a: (1.0 + a * a).log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "square": lambda a: a**2,
    "cube": lambda a: a**3,
    "rpow": lambda a: 2.0**a,
    # (0 ** x is not here: PyTorch's second derivative of it is NaN; tests/test_ops.py checks it by hand.)
    "sqrt": lambda a: (0.5 + a * a).sqrt(),
    "abs": lambda a: abs(a),
    "sin": lambda a: a.sin(),
    "cos": lambda a: a.cos(),
    "tan": lambda a: a.tanh().tan(),
    "arctan": lambda a: a.arctan(),
    "log1p": lambda a: (a * a).log1p(),
    "expm1": lambda a: a.tanh().expm1(),
    "sign": lambda a: a.sign() * a,
    "clamp": lambda a: a.clamp(-0.5, 0.5),
    "leaky_relu": lambda a: (
        torch.nn.functional.leaky_relu(a, 0.2) if isinstance(a, torch.Tensor) else a.leaky_relu(0.2)
    ),
    "elu": lambda a: torch.nn.functional.elu(a, 0.7) if isinstance(a, torch.Tensor) else a.elu(0.7),
}
KINKED = ("relu", "abs", "sign", "clamp", "leaky_relu", "elu")  # finite differences across a kink disagree
BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (1.0 + b * b),
    # A positive base under a (Value) exponent kept away from 0: at an exponent of exactly 0, PyTorch's
    # double backward of pow drops a term (see test_second_derivative_of_a_power_at_exponent_zero).
    "pow": lambda a, b: a.sigmoid() ** (b * b + 0.25),
}

Tree = tuple[Any, ...]


def _on_torch(xs: list[Any]) -> bool:
    return any(isinstance(x, torch.Tensor) for x in xs)


def _sum(terms: list[Any], xs: list[Any]) -> Any:
    return torch.stack(terms).sum() if _on_torch(xs) else Value.sum(terms)


def evaluate(tree: Tree, xs: list[Any]) -> Any:
    """The expression on inputs xs (Values or tensors); constants stay plain floats."""
    kind = tree[0]
    if kind == "x":
        return xs[tree[1]]
    if kind == "c":
        return tree[1]
    if kind == "sum":
        return _sum([_as_node(evaluate(t, xs), xs) for t in tree[1:]], xs)
    if kind in UNARY:
        return UNARY[kind](_as_node(evaluate(tree[1], xs), xs))
    return BINARY[kind](_as_node(evaluate(tree[1], xs), xs), evaluate(tree[2], xs))


def _as_node(v: Any, xs: list[Any]) -> Any:
    """Methods like .exp() need a node: a constant becomes one of the same kind as the inputs."""
    if isinstance(v, float):
        return torch.tensor(v, dtype=torch.float64) if _on_torch(xs) else Value(v)
    return v


def uses_a_variable(tree: Tree) -> bool:
    return tree[0] == "x" or (tree[0] != "c" and any(uses_a_variable(t) for t in tree[1:]))


leaves = st.one_of(
    st.tuples(st.just("x"), st.integers(0, NVARS - 1)),
    st.tuples(st.just("c"), st.floats(-2.0, 2.0, allow_nan=False).map(lambda c: round(c, 3))),
)


def _extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), children),
        st.tuples(st.sampled_from(sorted(BINARY)), children, children),
        st.lists(children, min_size=2, max_size=3).map(lambda ts: ("sum", *ts)),
    )


trees = st.recursive(leaves, _extend, max_leaves=8).filter(uses_a_variable)
points = st.lists(st.floats(-1.5, 1.5, allow_nan=False), min_size=NVARS, max_size=NVARS)


def engine_value(tree: Tree, point: list[float]) -> float:
    """The forward value, or reject the example if it leaves an op's domain (overflow etc.)."""
    try:
        out = evaluate(tree, [Value(x) for x in point])
    except (ArithmeticError, ValueError):
        assume(False)
    assume(abs(out.data) < 1e6)
    return float(out.data)


def torch_function(tree: Tree) -> Callable[[torch.Tensor], torch.Tensor]:
    return lambda t: evaluate(tree, [t[i] for i in range(NVARS)])


def assert_matrices_close(got: Any, want: torch.Tensor) -> None:
    got_t = torch.tensor(got, dtype=torch.float64)
    scale = 1.0 + want.abs().max().item()
    assert torch.allclose(got_t, want, rtol=1e-9, atol=1e-9 * scale), (got_t, want)


@given(trees, points)
def test_hessian_matches_torch_on_random_graphs(tree: Tree, point: list[float]) -> None:
    engine_value(tree, point)
    want = torch.autograd.functional.hessian(torch_function(tree), torch.tensor(point, dtype=torch.float64))
    got = F.hessian(lambda xs: evaluate(tree, xs))(point)
    assert_matrices_close(got, want)
    for i in range(NVARS):  # exact symmetry is not promised, agreement to rounding is
        for j in range(i):
            assert abs(got[i][j] - got[j][i]) <= 1e-9 * (1.0 + abs(got[i][j]))


@given(trees, trees, points)
def test_jacobian_matches_torch_on_random_graphs(first: Tree, second: Tree, point: list[float]) -> None:
    engine_value(first, point)
    engine_value(second, point)
    pair = lambda t: torch.stack([torch_function(first)(t), torch_function(second)(t)])
    want = torch.autograd.functional.jacobian(pair, torch.tensor(point, dtype=torch.float64))
    got = F.jacobian(lambda xs: [evaluate(first, xs), evaluate(second, xs)])(point)
    assert_matrices_close(got, want)


@given(trees, points)
def test_jacobian_of_the_gradient_equals_grad_of_grad(tree: Tree, point: list[float]) -> None:
    engine_value(tree, point)
    f = lambda *xs: evaluate(tree, list(xs))
    hessian = F.hessian(f, argnums=(0, 1, 2))(*point)
    for i in range(NVARS):
        for j in range(NVARS):
            second = F.grad(F.grad(f, argnums=i), argnums=j)(*point)
            assert abs(second - hessian[i][j]) <= 1e-12 * (1.0 + abs(second))


@settings(max_examples=25)
@given(trees, points)
def test_gradgradcheck_passes_on_random_graphs(tree: Tree, point: list[float]) -> None:
    engine_value(tree, point)
    result = gradgradcheck(lambda *xs: evaluate(tree, list(xs)), point, raise_exception=False)
    assume(result.ok or not any(f"'{name}'" in repr(tree) for name in KINKED))
    assert result.ok, str(result)


def test_second_derivative_of_a_power_at_exponent_zero() -> None:
    # f(x) = σ(x)^x: f'' = f·(log σ + x(1 - σ))² + f·(2(1 - σ) - xσ(1 - σ)); at 0: ln²2 + 1.
    # PyTorch 2.13 gives ln²2 + 0.5 here: its pow backward masks exponent == 0 to a zero gradient,
    # which loses the exponent's derivative in the double backward. Finite differences agree with us.
    f = lambda x: x.sigmoid() ** x
    assert F.grad(F.grad(f))(0.0) == pytest.approx(math.log(2) ** 2 + 1, rel=1e-14)
    assert gradgradcheck(f, [0.0]).ok


@pytest.mark.parametrize(
    ("f", "order", "want"),
    [
        (lambda x: x**2, 3, 0.0),  # d³/dx³ x² = 0
        (lambda x: x**1, 2, 0.0),  # d²/dx² x = 0
        (lambda x: x**3, 4, 0.0),  # d⁴/dx⁴ x³ = 0
        (lambda x: x**3, 3, 6.0),
    ],
    ids=["x^2 third", "x^1 second", "x^3 fourth", "x^3 third"],
)
def test_derivatives_of_integer_powers_at_zero(f: Callable[[Any], Any], order: int, want: float) -> None:
    # Each derivative of x**n makes an x**(n-1) node; differentiating the x**0 node at x = 0 must give
    # 0 (x**0 is the constant 1), not evaluate 0 * 0.0**-1 (ZeroDivisionError).
    d = f
    for _ in range(order):
        d = F.grad(d)
    assert d(0.0) == want
