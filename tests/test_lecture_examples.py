"""The lectures' worked examples (lecture items 7, 8, 5 and 9 in docs/lectures.md), to the printed digits.

Every gradient is also checked against an oracle that does not use the engine's rules:
PyTorch float64, a central difference, or the hand derivation the slides print.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch

from autograd_lite import Value


def lecture_f(x1: Any, x2: Any) -> Any:
    """f(x1, x2) = (2 x1 + 3 x2)^2 + 3 (lecture item 7 (docs/lectures.md), "derivatives three ways")."""
    return (2 * x1 + 3 * x2) ** 2 + 3


def test_derivatives_three_ways_backprop() -> None:
    x1, x2 = Value(1.0, "x1"), Value(3.0, "x2")
    a = 2 * x1
    b = 3 * x2
    c = a + b
    e = c**2
    g = e + 3
    g.backward()
    assert [n.data for n in (a, b, c, e, g)] == [2.0, 9.0, 11.0, 121.0, 124.0]
    assert [n.grad for n in (a, b, c, e, g)] == [22.0, 22.0, 22.0, 1.0, 1.0]
    assert (x1.grad, x2.grad) == (44.0, 66.0)


def test_derivatives_three_ways_analytic_and_torch() -> None:
    x1, x2 = Value(1.0), Value(3.0)
    g = lecture_f(x1, x2)
    g.backward()
    # analytic: df/dx1 = 2 (2x1 + 3x2) * 2, df/dx2 = 2 (2x1 + 3x2) * 3
    assert (g.data, x1.grad, x2.grad) == (124.0, 2 * 11 * 2, 2 * 11 * 3)
    t1 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    t2 = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    w1, w2 = torch.autograd.grad(lecture_f(t1, t2), [t1, t2])
    assert (x1.grad, x2.grad) == (w1.item(), w2.item())


def test_derivatives_three_ways_finite_difference_h_2e_2() -> None:
    h = 2e-2
    up = lecture_f(Value(1.0 + h / 2), Value(3.0)).data
    down = lecture_f(Value(1.0 - h / 2), Value(3.0)).data
    assert round(up, 4) == 124.4404
    assert round(down, 4) == 123.5604
    quotient = (up - down) / h
    assert abs(quotient - 44.0) < 1e-6
    # float rounding leaves the quotient just below 44; the slide truncates it to 43.9999
    assert math.floor(quotient * 1e4) / 1e4 == 43.9999


@pytest.mark.parametrize("h", [1e-5, 1e-6])
def test_finite_difference_with_practical_steps(h: float) -> None:
    x1 = Value(1.0)
    lecture_f(x1, Value(3.0)).backward()
    fd = (lecture_f(1.0 + h, 3.0) - lecture_f(1.0 - h, 3.0)) / (2 * h)
    assert math.isclose(x1.grad, fd, rel_tol=1e-7)


def test_computational_graph_x_plus_y_times_z() -> None:
    x, y, z = Value(1.0, "x"), Value(-3.0, "y"), Value(4.0, "z")
    d = x + y
    f = d * z
    f.backward()
    assert (d.data, f.data) == (-2.0, -8.0)
    assert (x.grad, y.grad, z.grad) == (4.0, 4.0, -2.0)
    assert d.grad == 4.0  # df/dd = z


NEURON = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "b": -3.0}


def neuron_primitives(w0: Any, x0: Any, w1: Any, x1: Any, b: Any) -> Any:
    """1 / (1 + e^-(b + w0 x0 + w1 x1)) from the slide's primitives: *, +, negation, exp, 1/x."""
    s = b + w0 * x0 + w1 * x1
    return (1 + (-s).exp()) ** -1


def test_sigmoid_neuron_from_primitives_agrees_with_sigmoid_and_torch() -> None:
    prim = {k: Value(v, k) for k, v in NEURON.items()}
    out = neuron_primitives(**prim)
    out.backward()

    fused = {k: Value(v, k) for k, v in NEURON.items()}
    out2 = (fused["b"] + fused["w0"] * fused["x0"] + fused["w1"] * fused["x1"]).sigmoid()
    out2.backward()

    tens = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in NEURON.items()}
    tout = neuron_primitives(**tens)
    tgrads = dict(zip(tens, torch.autograd.grad(tout, list(tens.values()))))

    # b + w0 x0 + w1 x1 = -3 - 2 + 6 = 1, so the output is sigma(1) and sigma'(1) = s(1 - s)
    s = 1 / (1 + math.exp(-1.0))
    for v in (out.data, out2.data, tout.item()):
        assert math.isclose(v, s, rel_tol=1e-15)
    for k in NEURON:
        assert math.isclose(prim[k].grad, tgrads[k].item(), rel_tol=1e-12), k
        assert math.isclose(fused[k].grad, tgrads[k].item(), rel_tol=1e-12), k
    # the slide's derivation: dσ/db = σ(1-σ), dσ/dw_i = σ(1-σ) x_i
    local = s * (1 - s)
    assert math.isclose(prim["b"].grad, local, rel_tol=1e-12)
    assert math.isclose(prim["w0"].grad, local * NEURON["x0"], rel_tol=1e-12)
    assert math.isclose(prim["x1"].grad, local * NEURON["w1"], rel_tol=1e-12)
