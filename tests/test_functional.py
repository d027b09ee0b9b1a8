"""functional: grad / value_and_grad / jacobian / hessian of Python functions, against closed forms and
PyTorch float64 (torch.autograd.functional), including the Hessian of a small MLP's loss."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch

from autograd_lite import Value, no_grad
from autograd_lite import functional as F
from autograd_lite.nn import MLP


def tensor(x: Any) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64)


def lecture_f(x1: Any, x2: Any) -> Any:
    """Lecture item 7 (docs/lectures.md): f(x1, x2) = (2x1 + 3x2)² + 3; at (1, 3): f = 124, ∇f = (44, 66)."""
    return (2 * x1 + 3 * x2) ** 2 + 3


# --- grad and value_and_grad: the conventions ---------------------------------------------------------


def test_grad_of_the_lecture_function_positional_and_as_a_list() -> None:
    assert F.grad(lecture_f)(1.0, 3.0) == 44.0
    assert F.grad(lecture_f, argnums=1)(1.0, 3.0) == 66.0
    assert F.grad(lecture_f, argnums=(0, 1))(1.0, 3.0) == (44.0, 66.0)
    assert F.grad(lambda xs: lecture_f(*xs))([1.0, 3.0]) == [44.0, 66.0]
    assert F.value_and_grad(lambda xs: lecture_f(*xs))([1.0, 3.0]) == (124.0, [44.0, 66.0])


def test_gradient_has_the_shape_of_the_argument() -> None:
    f = lambda w, x: Value.sum([w[0][0] * x[0], w[0][1] * x[1], w[1] * w[1]])
    gw, gx = F.grad(f, argnums=(0, 1))([[2.0, 3.0], 5.0], (7.0, 11.0))
    assert gw == [[7.0, 11.0], 10.0]
    assert gx == (2.0, 3.0)


def test_arguments_not_differentiated_are_passed_through() -> None:
    f = lambda x, scale, name: (x * scale).tanh() if name == "tanh" else x
    assert F.grad(f)(0.3, 2.0, "tanh") == pytest.approx(2.0 * (1 - math.tanh(0.6) ** 2), rel=1e-15)


def test_a_constant_function_has_zero_gradient() -> None:
    assert F.grad(lambda x, y: x * 0 + 7.0 - x)(1.0, 2.0) == -1.0
    assert F.grad(lambda x: 7.0)(1.0) == 0.0
    assert F.value_and_grad(lambda x: 7)(1.0) == (7.0, 0.0)


def test_grad_works_inside_no_grad() -> None:
    with no_grad():
        assert F.grad(lambda x: x * x)(3.0) == 6.0


# --- higher derivatives by composition ------------------------------------------------------------------


@pytest.mark.parametrize("x", [-1.3, 0.0, 0.4, 2.0])
def test_third_derivative_of_tanh_and_exp(x: float) -> None:
    t = math.tanh(x)
    s = 1 - t * t  # tanh' = 1 - tanh², tanh'' = -2 t s, tanh''' = -2 s² + 4 t² s
    d = F.grad
    assert d(lambda v: v.tanh())(x) == pytest.approx(s, rel=1e-14, abs=1e-15)
    assert d(d(lambda v: v.tanh()))(x) == pytest.approx(-2 * t * s, rel=1e-13, abs=1e-15)
    assert d(d(d(lambda v: v.tanh())))(x) == pytest.approx(-2 * s * s + 4 * t * t * s, rel=1e-13, abs=1e-15)
    assert d(d(d(d(lambda v: v.exp()))))(x) == pytest.approx(math.exp(x), rel=1e-14)


def test_third_derivative_of_sigmoid_matches_torch() -> None:
    x = 0.7
    xt = tensor(x).requires_grad_()
    (g1,) = torch.autograd.grad(torch.sigmoid(xt), xt, create_graph=True)
    (g2,) = torch.autograd.grad(g1, xt, create_graph=True)
    (g3,) = torch.autograd.grad(g2, xt)
    d3 = F.grad(F.grad(F.grad(lambda v: v.sigmoid())))
    assert d3(x) == pytest.approx(g3.item(), rel=1e-13)


def test_mixed_partials_by_nesting_argnums() -> None:
    f = lambda x, y: x.exp() * y**3  # ∂²f/∂x∂y = 3 e^x y²
    fxy = F.grad(F.grad(f, argnums=0), argnums=1)
    fyx = F.grad(F.grad(f, argnums=1), argnums=0)
    assert fxy(0.5, -2.0) == pytest.approx(3 * math.exp(0.5) * 4, rel=1e-14)
    assert fyx(0.5, -2.0) == pytest.approx(fxy(0.5, -2.0), rel=1e-14)


def test_no_perturbation_confusion() -> None:
    # d/dx [x · (d/dy x·y at y = x)] = d/dx x² = 2x; confusing y with x would give 4x.
    assert F.grad(lambda x: x * F.grad(lambda y: x * y)(x))(2.0) == 4.0
    # d/dx (d/dy x·y at y = 1) = d/dx x = 1: the inner derivative must stay a function of x.
    assert F.grad(lambda x: F.grad(lambda y: x * y)(1.0))(2.0) == 1.0


def test_values_in_give_differentiable_values_out() -> None:
    x = Value(0.3)
    g = F.grad(lambda v: v**3)(x)  # 3x² as a graph over x
    assert isinstance(g, Value) and g.data == pytest.approx(0.27, rel=1e-14)
    g.backward()
    assert x.grad == pytest.approx(6 * 0.3, rel=1e-14)  # d(3x²)/dx = 6x
    value, _ = F.value_and_grad(lambda v: v**3)(x)
    assert isinstance(value, Value) and value.data == pytest.approx(0.027, rel=1e-14)


# --- jacobian and hessian against PyTorch ------------------------------------------------------------


def vector_f(xs: Any) -> list[Any]:
    a, b, c = xs
    return [a * b + c.exp(), (a - c).tanh() / (1 + b * b), (b * c).sigmoid() * a**2]


def vector_f_torch(xs: torch.Tensor) -> torch.Tensor:
    a, b, c = xs
    return torch.stack([a * b + c.exp(), torch.tanh(a - c) / (1 + b * b), torch.sigmoid(b * c) * a**2])


def test_jacobian_matches_torch() -> None:
    x = [0.4, -1.1, 0.9]
    want = torch.autograd.functional.jacobian(vector_f_torch, tensor(x))
    got = F.jacobian(vector_f)(x)
    assert len(got) == 3 and all(len(row) == 3 for row in got)
    assert torch.allclose(tensor(got), want, rtol=1e-12, atol=1e-14)


def test_jacobian_of_a_scalar_function_is_its_gradient() -> None:
    assert F.jacobian(lambda xs: lecture_f(*xs))([1.0, 3.0]) == [44.0, 66.0]
    assert F.jacobian(lambda x: [x, x * x, 3.0])(2.0) == [1.0, 4.0, 0.0]


def scalar_f(xs: Any) -> Any:
    a, b, c = xs
    return (a * b).tanh() * c.exp() + (a**2 + b.sigmoid()).log() - c / (1 + a * a)


def scalar_f_torch(xs: torch.Tensor) -> torch.Tensor:
    a, b, c = xs
    return torch.tanh(a * b) * c.exp() + torch.log(a**2 + torch.sigmoid(b)) - c / (1 + a * a)


def test_hessian_matches_torch_and_is_symmetric() -> None:
    x = [0.4, -1.1, 0.9]
    want = torch.autograd.functional.hessian(scalar_f_torch, tensor(x))
    got = F.hessian(scalar_f)(x)
    assert torch.allclose(tensor(got), want, rtol=1e-12, atol=1e-14)
    for i in range(3):
        for j in range(3):
            assert got[i][j] == pytest.approx(got[j][i], rel=1e-13, abs=1e-15)


def test_hessian_with_several_arguments_is_blocked_by_argument() -> None:
    h = F.hessian(lambda x, y: x * x * y, argnums=(0, 1))(3.0, 5.0)  # [[2y, 2x], [2x, 0]]
    assert h == ((10.0, 6.0), (6.0, 0.0))
    assert F.hessian(lambda x: x.exp() * x)(1.0) == pytest.approx(3 * math.e, rel=1e-14)  # (x + 2) e^x


# --- the Hessian of a small network's loss ------------------------------------------------------------

POINTS = [([0.5, -1.0], 0.3), ([-0.2, 0.8], -0.6)]


def squared_error(model: Any) -> Any:
    return Value.sum([(model(x) - y) ** 2 for x, y in POINTS])


def torch_loss(theta: torch.Tensor) -> torch.Tensor:
    """The same loss for MLP(2, [3, 1]) tanh, parameters in named_parameters() order:
    L0.N0.w0, L0.N0.w1, L0.N0.b, ..., L0.N2.b, L1.N0.w0..w2, L1.N0.b."""
    hidden = theta[:9].reshape(3, 3)  # each row: w0, w1, b of one hidden neuron
    w1, b1 = hidden[:, :2], hidden[:, 2]
    w2, b2 = theta[9:12], theta[12]
    x = tensor([p for p, _ in POINTS])
    y = tensor([t for _, t in POINTS])
    out = torch.tanh(x @ w1.T + b1) @ w2 + b2
    return ((out - y) ** 2).sum()


def test_hessian_of_an_mlp_loss_matches_torch() -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=3)
    with no_grad():  # non-zero biases so that every block of H is exercised
        for k, b in enumerate(p for name, p in model.named_parameters() if name.endswith(".b")):
            b.data = 0.1 * (k + 1)
    theta = F.flat_parameters(model)
    assert len(theta) == 13
    want = torch.autograd.functional.hessian(torch_loss, tensor(theta))
    got = F.hessian_of_loss(model, squared_error)
    assert torch.allclose(tensor(got), want, rtol=1e-10, atol=1e-12)
    assert all(p.grad == 0.0 for p in model.parameters())  # .grad untouched


def test_hessian_of_loss_at_a_loaded_point_and_restored() -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    before = F.flat_parameters(model)
    theta = [0.05 * (i - 6) for i in range(13)]
    with F.parameters_loaded(model, theta):
        assert F.flat_parameters(model) == theta
        got = F.hessian_of_loss(model, squared_error)
    assert F.flat_parameters(model) == before
    want = torch.autograd.functional.hessian(torch_loss, tensor(theta))
    assert torch.allclose(tensor(got), want, rtol=1e-10, atol=1e-12)


def test_hessian_of_a_function_of_the_flat_parameters_matches_hessian_of_loss() -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=2)
    params = model.parameters()

    def loss_of(theta: list[Any]) -> Any:  # the loss as a function of θ, parameters swapped in
        saved = [(n, list(n.w), n.b) for layer in model.layers for n in layer.neurons]
        it = iter(theta)
        for layer in model.layers:
            for n in layer.neurons:
                n.w, n.b = [next(it) for _ in n.w], next(it)
        try:
            return squared_error(model)
        finally:
            for n, w, b in saved:
                n.w, n.b = w, b

    h_functional = F.hessian(loss_of)([p.data for p in params])
    h_direct = F.hessian_of_loss(model, squared_error)
    assert torch.allclose(tensor(h_functional), tensor(h_direct), rtol=1e-13, atol=1e-15)


# --- bad input ----------------------------------------------------------------------------------------------


def test_bad_calls_name_the_transformation_and_the_value() -> None:
    with pytest.raises(TypeError, match="grad: f must return a scalar.*use jacobian"):
        F.grad(lambda x: [x, x])(1.0)
    with pytest.raises(ValueError, match=r"^grad: argnums must be an integer from -2 to 1, got 2$"):
        F.grad(lecture_f, argnums=2)(1.0, 3.0)
    with pytest.raises(ValueError, match="repeats"):
        F.grad(lecture_f, argnums=(0, 0))(1.0, 3.0)
    with pytest.raises(
        TypeError, match=r"^value_and_grad: argument x0\[1\] must be a finite number, got 'a'$"
    ):
        F.value_and_grad(lambda xs: xs[0])([1.0, "a"])
    with pytest.raises(ValueError, match="^jacobian: argument x0 must be a finite number, got inf$"):
        F.jacobian(lambda x: [x])(math.inf)
    with pytest.raises(
        TypeError, match=r"^jacobian: f's output must be a Value or a number \(or a list of them\), got 'no'$"
    ):
        F.jacobian(lambda x: [x, "no"])(1.0)
    with pytest.raises(TypeError, match="hessian_of_loss: loss_fn must return a Value"):
        F.hessian_of_loss(MLP(1, [1]), lambda m: 1.0)
    loaded = F.parameters_loaded(MLP(1, [1]), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="parameters_loaded: model has 2 parameters, theta has 3"):
        loaded.__enter__()
    with pytest.raises(TypeError, match=r"^parameters_loaded: theta\[1\] must be a finite number, got 'b'$"):
        F.parameters_loaded(MLP(1, [1]), [1.0, "b"]).__enter__()  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"^grad: argnums\[1\] must be an integer from -2 to 1, got -3$"):
        F.grad(lecture_f, argnums=(0, -3))(1.0, 3.0)
    with pytest.raises(TypeError, match=r"^grad: argnums must be an int or a tuple of ints, got 1.0$"):
        F.grad(lecture_f, argnums=1.0)(1.0, 3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^grad: argnums\[0\] must be an integer from -2 to 1, got True$"):
        F.grad(lecture_f, argnums=(True,))(1.0, 3.0)
    with pytest.raises(ValueError, match=r"^grad: argnums must be an integer from -2 to 1, got -3$"):
        F.grad(lecture_f, argnums=-3)(1.0, 3.0)
    with pytest.raises(ValueError, match="repeats"):
        F.grad(lecture_f, argnums=(1, -1))(1.0, 3.0)
    with pytest.raises(TypeError, match=r"grad: with has_aux=True f must return a pair \(output, aux\)"):
        F.grad(lambda x: x * x, has_aux=True)(1.0)
    with pytest.raises(ValueError, match=r"^jvp: tangents must be shaped like \(x, x\), got \(1.0,\)$"):
        F.jvp(lecture_f, (1.0, 3.0), (1.0,))
    with pytest.raises(ValueError, match=r"^hvp: tangents\[1\] must be a finite number, got nan$"):
        F.hvp(lecture_f, (1.0, 3.0), (1.0, math.nan))
    with pytest.raises(TypeError, match="hvp: f must return a scalar"):
        F.hvp(lambda x: [x, x], (1.0,), (1.0,))
    with pytest.raises(TypeError, match="^jvp: primals must be a tuple of f's arguments, got 1.0$"):
        F.jvp(lecture_f, 1.0, (1.0,))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="vjp: needs at least one primal"):
        F.vjp(lambda: Value(1.0))
    _, vjp_fn = F.vjp(lambda xs: [xs[0], xs[1]], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"^vjp: cotangent must be shaped like \[x, x\], got \[1.0\]$"):
        vjp_fn([1.0])


# --- no_grad around a transformation: detached results, as torch.func (issue 9) ------------------------


def test_grad_under_no_grad_is_a_constant_of_the_outer_derivative_as_in_torch_func() -> None:
    def h(x: Any) -> Any:
        with no_grad():
            shift = F.grad(lambda t: 0.25 * t**4)(x)  # t³, meant as a constant
        return x**3 - shift

    def h_torch(x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            shift = torch.func.grad(lambda t: 0.25 * t**4)(x)
        return x**3 - shift

    want = torch.func.grad(h_torch)(tensor(1.5)).item()
    assert F.grad(h)(1.5) == want == 6.75  # 3x² at 1.5; the shift contributes nothing
    assert F.grad(F.grad(h))(1.5) == torch.func.grad(torch.func.grad(h_torch))(tensor(1.5)).item() == 9.0


@pytest.mark.parametrize(
    "transform",
    [
        lambda f: F.grad(f),
        lambda f: lambda x: F.value_and_grad(f)(x)[1],
        lambda f: lambda x: F.jacobian(lambda y: [f(y)])(x)[0],
        lambda f: lambda x: F.hessian(lambda y: f(y).tanh())(x),
        lambda f: lambda x: F.jvp(f, (x,), (1.0,))[1],
        lambda f: lambda x: F.vjp(f, x)[1](1.0)[0],
        lambda f: lambda x: F.hvp(lambda y: f(y).tanh(), (x,), (1.0,))[1][0],
    ],
    ids=["grad", "value_and_grad", "jacobian", "hessian", "jvp", "vjp", "hvp"],
)
def test_every_transformation_under_no_grad_returns_a_detached_leaf(transform: Any) -> None:
    x = Value(0.7)
    recorded = transform(lambda t: t.tanh())(x)
    with no_grad():
        detached = transform(lambda t: t.tanh())(x)
    assert isinstance(recorded, Value) and not recorded.is_leaf
    assert isinstance(detached, Value) and detached.is_leaf and detached.data == recorded.data
    assert F.grad(transform(lambda t: t.tanh()))(0.7) != 0.0  # the recorded one can be differentiated
    with no_grad():  # numbers in, numbers out, under no_grad too
        assert transform(lambda t: t.tanh())(0.7) == recorded.data


def test_tanh_derivative_under_no_grad_matches_torch_func() -> None:
    t = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    with torch.no_grad():
        want = torch.func.grad(torch.tanh)(t)
    with no_grad():
        got = F.grad(lambda v: v.tanh())(Value(0.7))
    assert not want.requires_grad and got.is_leaf
    assert got.data == pytest.approx(want.item(), rel=1e-15)


# --- has_aux, negative argnums, keyword arguments -----------------------------------------------------------


def test_has_aux_returns_the_auxiliary_output_undifferentiated_as_in_jax() -> None:
    def loss_and_accuracy(w: Any, x: float) -> tuple[Any, str]:
        return (w * x - 1.0) ** 2, f"x={x}"

    assert F.grad(loss_and_accuracy, has_aux=True)(2.0, 3.0) == (2 * (6.0 - 1.0) * 3.0, "x=3.0")
    (value, aux), g = F.value_and_grad(loss_and_accuracy, has_aux=True)(2.0, 3.0)
    assert (value, aux, g) == (25.0, "x=3.0", 30.0)
    # second derivative through has_aux: d²/dw² (wx - 1)² = 2x²
    assert F.grad(lambda w: F.grad(loss_and_accuracy, has_aux=True)(w, 3.0)[0])(2.0) == 18.0


def test_negative_argnums_count_from_the_end() -> None:
    assert F.grad(lecture_f, argnums=-1)(1.0, 3.0) == 66.0
    assert F.grad(lecture_f, argnums=(-1, 0))(1.0, 3.0) == (66.0, 44.0)
    assert F.hessian(lambda a, b: a * a * b, argnums=-2)(3.0, 5.0) == 10.0


def test_keyword_arguments_are_forwarded_and_not_differentiated() -> None:
    f = lambda x, *, scale=1.0, shift=0.0: (x * scale + shift).tanh()
    want = 2.0 * (1 - math.tanh(0.6 - 0.1) ** 2)
    assert F.grad(f)(0.3, scale=2.0, shift=-0.1) == pytest.approx(want, rel=1e-15)
    assert F.value_and_grad(f)(0.3, scale=2.0)[0] == pytest.approx(math.tanh(0.6), rel=1e-15)
    assert F.jacobian(lambda x, k=1.0: [x * k, x + k])(2.0, k=3.0) == [3.0, 1.0]


# --- jvp, vjp, hvp against torch.func / torch.autograd.functional -----------------------------------------


def two_input_f(x: Any, y: Any) -> list[Any]:
    return [(x * y).sin(), x.exp() * y, (x - y).tanh() + y * y]


def test_jvp_matches_torch_func() -> None:
    primals, tangents = (0.4, -1.3), (0.7, 2.0)
    value, jv = F.jvp(two_input_f, primals, tangents)
    torch_f = lambda x, y: torch.stack(two_input_f(x, y))
    want_value, want_jv = torch.func.jvp(torch_f, tuple(map(tensor, primals)), tuple(map(tensor, tangents)))
    assert value == pytest.approx(want_value.tolist(), rel=1e-14)
    assert jv == pytest.approx(want_jv.tolist(), rel=1e-13)
    value, d = F.jvp(lecture_f, (1.0, 3.0), (1.0, 0.0))  # a scalar f: the directional derivative
    assert (value, d) == (124.0, 44.0)


def test_vjp_matches_torch_func() -> None:
    primals, cotangent = (0.4, -1.3), [1.5, -0.5, 2.0]
    value, vjp_fn = F.vjp(two_input_f, *primals)
    torch_f = lambda x, y: torch.stack(two_input_f(x, y))
    want_value, torch_vjp = torch.func.vjp(torch_f, *map(tensor, primals))
    assert value == pytest.approx(want_value.tolist(), rel=1e-14)
    got = vjp_fn(cotangent)
    assert list(got) == pytest.approx([w.item() for w in torch_vjp(tensor(cotangent))], rel=1e-13)
    assert vjp_fn([0.0, 0.0, 1.0]) == vjp_fn([0.0, 0.0, 1.0])  # can be called again


def test_hvp_matches_torch_without_building_the_hessian() -> None:
    f = lambda xs: (xs[0] * xs[1]).sin() + xs[0] ** 3 * xs[2].exp() - xs[1] / (1.0 + xs[2] * xs[2])
    point, v = [0.4, -1.3, 0.2], [1.0, -2.0, 0.5]
    value, (hv,) = F.hvp(f, (point,), (v,))
    want_value, want_hv = torch.autograd.functional.hvp(f, tensor(point), tensor(v))
    assert value == pytest.approx(want_value.item(), rel=1e-14)
    assert hv == pytest.approx(want_hv.tolist(), rel=1e-13)
    hessian = F.hessian(f)(point)
    assert hv == pytest.approx([sum(h * vj for h, vj in zip(row, v)) for row in hessian], rel=1e-13)


def test_hvp_costs_two_backward_passes_whatever_the_dimension(monkeypatch: pytest.MonkeyPatch) -> None:
    from autograd_lite.autograd import functional as functional_module

    calls = []
    real = functional_module._engine_grad
    monkeypatch.setattr(functional_module, "_engine_grad", lambda *a, **k: calls.append(1) or real(*a, **k))
    n = 12
    F.hvp(lambda xs: Value.sum([x * x * x for x in xs]), ([0.5] * n,), ([1.0] * n,))
    assert len(calls) == 2  # the Hessian would take n + 1


def test_transformations_compose_with_the_new_ones() -> None:
    # d/dx of the jvp of sin in direction 1 is -sin x; the vjp inside grad too.
    assert F.grad(lambda x: F.jvp(lambda t: t.sin(), (x,), (1.0,))[1])(0.3) == pytest.approx(-math.sin(0.3))
    assert F.grad(lambda x: F.vjp(lambda t: t.sin(), x)[1](1.0)[0])(0.3) == pytest.approx(-math.sin(0.3))
    third = F.grad(lambda x: F.hvp(lambda t: t.sin(), (x,), (1.0,))[1][0])(0.3)
    assert third == pytest.approx(-math.cos(0.3))
