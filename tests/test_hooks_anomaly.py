"""Gradient hooks and anomaly mode (issue 5), checked against PyTorch's hook semantics."""

import math

import pytest
import torch

from autograd_lite import Value, detect_anomaly, grad


def _torch_grads_with_hook(scale: float) -> tuple[float, float]:
    x = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(-0.5, dtype=torch.float64, requires_grad=True)
    h = x * y
    h.register_hook(lambda g: g * scale)
    (h.tanh() + x * x).backward()
    return x.grad.item(), y.grad.item()


def _graph() -> tuple[Value, Value, Value, Value]:
    x, y = Value(1.5), Value(-0.5)
    h = x * y
    return x, y, h, h.tanh() + x * x


def test_hook_sees_the_gradient_arriving_at_its_node() -> None:
    x, y, h, out = _graph()
    seen: list[float] = []
    h.register_hook(seen.append)
    out.backward()
    assert seen == [pytest.approx(1.0 - math.tanh(-0.75) ** 2)]
    ref = _torch_grads_with_hook(1.0)
    assert (x.grad, y.grad) == pytest.approx(ref, rel=1e-12)


def test_hook_can_replace_the_gradient_and_removing_it_restores_plain_behaviour() -> None:
    x, y, h, out = _graph()
    handle = h.register_hook(lambda g: 3.0 * g)
    out.backward()
    assert (x.grad, y.grad) == pytest.approx(_torch_grads_with_hook(3.0), rel=1e-12)
    handle.remove()
    out.zero_grad()
    out.backward()
    assert (x.grad, y.grad) == pytest.approx(_torch_grads_with_hook(1.0), rel=1e-12)


def test_hook_on_a_leaf_changes_what_is_accumulated() -> None:
    x = Value(2.0)
    x.register_hook(lambda g: g + 100.0)
    (x * x).backward()
    assert x.grad == pytest.approx(104.0)
    assert grad(x * 3.0, [x]) == [pytest.approx(103.0)]
    assert x.grad == pytest.approx(104.0)  # grad() leaves .grad alone


def test_anomaly_mode_names_the_op_and_the_users_line_of_a_failing_forward() -> None:
    x = Value(-1.0)
    with detect_anomaly(), pytest.raises(ValueError) as info:
        x.log()  # THE-FAILING-LINE
    assert "log" in str(info.value) and "THE-FAILING-LINE" in str(info.value)


def test_anomaly_mode_names_the_line_that_made_a_node_whose_derivative_fails() -> None:
    with detect_anomaly():
        x = Value(0.0)
        r = x**0.5  # MADE-HERE
        with pytest.raises(ZeroDivisionError) as info:
            r.backward()
    message = str(info.value)
    assert "power" in message and "MADE-HERE" in message and "test_hooks_anomaly.py" in message
    assert x.grad == 0.0 and r.grad == 0.0  # the failed pass left every gradient as it was


def test_anomaly_mode_blames_the_op_whose_derivative_makes_a_gradient_non_finite() -> None:
    with detect_anomaly():
        x = Value(1e-160)
        r = 1.0 / x  # BIG-DERIVATIVE
        with pytest.raises(OverflowError) as info:
            r.backward()
    message = str(info.value)
    assert "div" in message and "BIG-DERIVATIVE" in message and "inf" in message
    assert x.grad == 0.0 and r.grad == 0.0


def test_non_finite_gradient_is_refused_outside_anomaly_mode_too() -> None:
    x = Value(1e-160)
    r = 1.0 / x
    with pytest.raises(OverflowError, match="backward: the gradient reaching a leaf"):
        r.backward()
    assert x.grad == 0.0


def test_outside_anomaly_mode_nodes_remember_nothing() -> None:
    x = Value(0.0)
    r = x**0.5
    with pytest.raises(ZeroDivisionError) as info:
        r.backward()
    assert "backward: at the power node" in str(info.value)
    assert "made at" not in str(info.value)


def test_no_grad_as_a_decorator_is_reentrant() -> None:
    from autograd_lite import is_grad_enabled, no_grad

    @no_grad()
    def depth(n: int) -> int:
        assert not is_grad_enabled()
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(3) == 3
    assert is_grad_enabled()
    x = Value(2.0)
    assert (x * x).parents == (x, x)
