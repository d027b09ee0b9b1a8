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
from autograd_lite.nn.losses import binary_cross_entropy, cross_entropy, mse


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


# --- lecture item 9: the backprop deck's worked example -----------------------------------------------------
# One hidden sigmoid unit, a sigmoid output, binary cross-entropy; x = 60, w1 = 0.1, w2 = 12, y = 1, η = 0.01.
# The slide uses a1 = 0.37 and ŷ = 0.25 (its z1 = 0.5 does not fit: σ(0.5) = 0.62), so the biases below are
# chosen to give exactly those activations: b1 = logit(0.37) - w1·x, b2 = logit(0.25) - w2·a1.
SLIDE = {"x": 60.0, "w1": 0.1, "w2": 12.0, "a1": 0.37, "y_hat": 0.25, "y": 1.0, "lr": 0.01}


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def worked_example(lib: Any, w1: Any, w2: Any) -> tuple[Any, Any, Any]:
    """(loss, a1, ŷ) of the slide's network, for Values (lib=None) or torch tensors (lib=torch)."""
    x, y = SLIDE["x"], SLIDE["y"]
    b1 = logit(SLIDE["a1"]) - SLIDE["w1"] * x
    b2 = logit(SLIDE["y_hat"]) - SLIDE["w2"] * SLIDE["a1"]
    if lib is None:
        a1 = (w1 * x + b1).sigmoid()
        z2 = w2 * a1 + b2
        return binary_cross_entropy(z2, y), a1, z2.sigmoid()
    a1 = torch.sigmoid(w1 * x + b1)
    z2 = w2 * a1 + b2
    return (
        torch.nn.functional.binary_cross_entropy_with_logits(z2, torch.tensor(y, dtype=torch.float64)),
        a1,
        z2,
    )


def test_backprop_deck_worked_example_four_numbers() -> None:
    w1, w2 = Value(SLIDE["w1"], "w1"), Value(SLIDE["w2"], "w2")
    loss, a1, y_hat = worked_example(None, w1, w2)
    assert math.isclose(a1.data, 0.37, rel_tol=1e-12) and math.isclose(y_hat.data, 0.25, rel_tol=1e-12)
    loss.backward()
    # the slide's four numbers: -0.75·0.37, its update, -0.75·12·0.37·0.63·60, its update
    assert round(w2.grad, 10) == -0.2775
    assert round(w2.data - SLIDE["lr"] * w2.grad, 10) == 12.002775
    assert round(round(w2.data - SLIDE["lr"] * w2.grad, 10), 4) == 12.0028  # as the slide prints it
    assert round(w1.grad, 9) == -125.874
    assert round(w1.data - SLIDE["lr"] * w1.grad, 10) == 1.35874  # the slide prints 1.35


def test_backprop_deck_worked_example_agrees_with_torch() -> None:
    w1, w2 = Value(SLIDE["w1"]), Value(SLIDE["w2"])
    loss, _, _ = worked_example(None, w1, w2)
    loss.backward()
    t1, t2 = (torch.tensor(SLIDE[k], dtype=torch.float64, requires_grad=True) for k in ("w1", "w2"))
    tloss, _, _ = worked_example(torch, t1, t2)
    g1, g2 = torch.autograd.grad(tloss, [t1, t2])
    assert math.isclose(loss.data, tloss.item(), rel_tol=1e-12)
    assert math.isclose(w1.grad, g1.item(), rel_tol=1e-12) and math.isclose(w2.grad, g2.item(), rel_tol=1e-12)


# --- lecture item 5, table 4.1: output activation + loss pairs whose delta is ŷ - y -------------------------
LOGITS = [-1.3, 0.2, 2.1, 0.7]


@pytest.mark.parametrize("z, y", [(0.8, 2.0), (-1.5, 0.25), (3.0, -1.0)])
def test_linear_output_with_half_squared_error_has_delta_y_hat_minus_y(z: float, y: float) -> None:
    zv = Value(z)
    loss = 0.5 * (zv - y) ** 2  # ŷ = z (linear output), L = ½(ŷ - y)²
    loss.backward()
    assert zv.grad == z - y


@pytest.mark.parametrize("z, y", [(0.8, 1.0), (-1.5, 0.0), (3.0, 1.0), (-40.0, 1.0)])
def test_sigmoid_output_with_binary_cross_entropy_has_delta_y_hat_minus_y(z: float, y: float) -> None:
    zv = Value(z)
    binary_cross_entropy(zv, y).backward()
    y_hat = 1.0 / (1.0 + math.exp(-z))
    assert math.isclose(zv.grad, y_hat - y, rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize("target", range(len(LOGITS)))
def test_softmax_output_with_cross_entropy_has_delta_y_hat_minus_y(target: int) -> None:
    z = [Value(v) for v in LOGITS]
    cross_entropy(z, target).backward()
    total = math.fsum(math.exp(v) for v in LOGITS)
    for k, zk in enumerate(z):
        assert math.isclose(
            zk.grad, math.exp(LOGITS[k]) / total - (k == target), rel_tol=1e-12, abs_tol=1e-15
        )


def test_the_library_mse_is_the_mean_with_gradient_two_deltas_over_n() -> None:
    preds, targets = [Value(0.8), Value(-1.5), Value(3.0)], [2.0, 0.25, -1.0]
    mse(preds, targets).backward()
    for p, t in zip(preds, targets, strict=True):
        assert math.isclose(p.grad, 2 * (p.data - t) / 3, rel_tol=1e-12)  # not ŷ - y: that needs ½(ŷ - y)²


def test_squared_error_after_a_sigmoid_learns_slowly() -> None:
    # L = ½(σ(z) - y)²: ∂L/∂z = (ŷ - y)·ŷ(1 - ŷ) ≈ 0 for a confidently wrong ŷ ≈ 0, y = 1; BCE gives ŷ - 1.
    z_se, z_bce = Value(-8.0), Value(-8.0)
    (0.5 * (z_se.sigmoid() - 1.0) ** 2).backward()
    binary_cross_entropy(z_bce, 1.0).backward()
    y_hat = 1.0 / (1.0 + math.exp(8.0))
    assert math.isclose(z_se.grad, (y_hat - 1.0) * y_hat * (1.0 - y_hat), rel_tol=1e-12)
    assert math.isclose(z_bce.grad, y_hat - 1.0, rel_tol=1e-12)
    assert abs(z_se.grad) < 1e-3 < 0.99 < abs(z_bce.grad)
