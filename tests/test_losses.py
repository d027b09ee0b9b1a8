"""Softmax and the losses: lecture numbers, stability at ±1000, and gradients vs PyTorch float64."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Value
from autograd_lite.nn.losses import binary_cross_entropy, cross_entropy, hinge, l1, log_softmax, mse, softmax

torch = pytest.importorskip("torch")
F = torch.nn.functional

LECTURE_LOGITS = [-3.44, 1.16, -0.81, 3.91]  # Tiger, Airplane, Boat, Heavy Metal


def values(xs: list[float]) -> list[Value]:
    return [Value(x) for x in xs]


def t64(xs, grad: bool = True):
    return torch.tensor(xs, dtype=torch.float64, requires_grad=grad)


# --- softmax: the lecture's table -------------------------------------------------------------------


def test_softmax_reproduces_the_lecture_table() -> None:
    assert [round(math.exp(z), 2) for z in LECTURE_LOGITS] == [0.03, 3.19, 0.44, 49.90]
    probs = softmax(LECTURE_LOGITS)
    assert [round(p.data, 4) for p in probs] == [0.0006, 0.0596, 0.0083, 0.9315]
    assert math.fsum(p.data for p in probs) == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize("logits", [[10.0, 20.0, -30.0], [1000.0, -1000.0, 0.0], [-1000.0, -1000.0]])
def test_softmax_is_stable_for_large_logits(logits: list[float]) -> None:
    z = values(logits)
    probs = softmax(z)
    assert all(0.0 <= p.data <= 1.0 for p in probs)
    assert math.fsum(p.data for p in probs) == pytest.approx(1.0, abs=1e-15)
    expected = torch.softmax(t64(logits, grad=False), 0).tolist()
    assert [p.data for p in probs] == pytest.approx(expected, rel=1e-12, abs=1e-300)
    probs[0].backward()
    assert all(math.isfinite(v.grad) for v in z)


@given(st.lists(st.floats(-50, 50), min_size=1, max_size=6), st.integers(0, 5))
def test_softmax_and_log_softmax_gradients_match_torch(logits: list[float], k: int) -> None:
    k = k % len(logits)
    weights = [0.3 * (i + 1) * (-1) ** i for i in range(len(logits))]  # a generic linear read-out
    for ours, theirs in ((softmax, torch.softmax), (log_softmax, torch.log_softmax)):
        z = values(logits)
        out = ours(z)
        Value.sum([w * o for w, o in zip(weights, out, strict=True)]).backward()
        tz = t64(logits)
        tout = theirs(tz, 0)
        (t64(weights, grad=False) * tout).sum().backward()
        assert [o.data for o in out] == pytest.approx(tout.tolist(), rel=1e-9, abs=1e-12)
        assert [v.grad for v in z] == pytest.approx(tz.grad.tolist(), rel=1e-9, abs=1e-12)


# --- cross-entropy -------------------------------------------------------------------------------------


def test_cross_entropy_is_minus_log_of_the_true_class_probability() -> None:
    loss = cross_entropy(values(LECTURE_LOGITS), 3)
    p_true = math.exp(3.91) / math.fsum(math.exp(z) for z in LECTURE_LOGITS)
    assert loss.data == pytest.approx(-math.log(p_true), rel=1e-14)
    assert loss.data == pytest.approx(0.0710, abs=1e-4)  # -log 0.9315


@given(st.lists(st.floats(-30, 30), min_size=1, max_size=6), st.integers(0, 5))
def test_cross_entropy_matches_torch_and_its_gradient_is_softmax_minus_one_hot(
    logits: list[float], target: int
) -> None:
    target %= len(logits)
    z = values(logits)
    loss = cross_entropy(z, target)
    loss.backward()
    tz = t64([logits])
    t_loss = F.cross_entropy(tz, torch.tensor([target]))
    t_loss.backward()
    assert loss.data == pytest.approx(t_loss.item(), rel=1e-12, abs=1e-12)
    assert [v.grad for v in z] == pytest.approx(tz.grad[0].tolist(), rel=1e-9, abs=1e-12)
    # The identity ∂L/∂z = ŷ - y, computed from plain floats.
    m = max(logits)
    total = math.fsum(math.exp(x - m) for x in logits)
    identity = [math.exp(x - m) / total - (k == target) for k, x in enumerate(logits)]
    assert [v.grad for v in z] == pytest.approx(identity, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    "logits, target", [([1000.0, -1000.0, 0.0], 0), ([1000.0, -1000.0, 0.0], 1), ([10.0, 20.0, -30.0], 2)]
)
def test_cross_entropy_is_finite_for_extreme_logits(logits: list[float], target: int) -> None:
    z = values(logits)
    loss = cross_entropy(z, target)
    loss.backward()
    tz = t64([logits])
    t_loss = F.cross_entropy(tz, torch.tensor([target]))
    t_loss.backward()
    assert math.isfinite(loss.data) and loss.data == pytest.approx(t_loss.item(), rel=1e-12)
    assert [v.grad for v in z] == pytest.approx(tz.grad[0].tolist(), abs=1e-15)


@pytest.mark.parametrize(
    "target, error",
    [(-1, ValueError), (3, ValueError), (1.0, TypeError), (True, TypeError), ("0", TypeError)],
)
def test_cross_entropy_rejects_a_bad_target(target: object, error: type[Exception]) -> None:
    z = [Value(1.0), Value(2.0), Value(3.0)]
    wanted = f"^cross_entropy: target must be an integer from 0 to 2, got {re.escape(repr(target))}$"
    with pytest.raises(error, match=wanted):
        cross_entropy(z, target)  # type: ignore[arg-type]


# --- binary cross-entropy -------------------------------------------------------------------------------


def test_bce_worked_numbers_from_the_lecture() -> None:
    # Lecture item 9 (docs/lectures.md): ŷ = σ(z) = 0.25, y = 1 -> dL/dz = ŷ - y = -0.75, dL/dŷ = -1/ŷ = -4.
    z = Value(math.log(0.25 / 0.75))
    loss = binary_cross_entropy(z, 1)
    loss.backward()
    assert z.sigmoid().data == pytest.approx(0.25, rel=1e-14)
    assert z.grad == pytest.approx(-0.75, rel=1e-12)
    assert loss.data == pytest.approx(-math.log(0.25), rel=1e-12)


@pytest.mark.parametrize("z", [-1000.0, -30.0, -2.5, -1e-3, 0.0, 1e-3, 0.7, 30.0, 1000.0])
@pytest.mark.parametrize("y", [0, 1, 0.3])
def test_bce_matches_torch_and_is_stable(z: float, y: float) -> None:
    v = Value(z)
    loss = binary_cross_entropy(v, y)
    loss.backward()
    tz = t64(z)
    t_loss = F.binary_cross_entropy_with_logits(tz, torch.tensor(float(y), dtype=torch.float64))
    t_loss.backward()
    # abs=1e-14: for z = -30, y = 0 torch's loss is off by ~1e-15 (log1p(e^-30) = 9.3576e-14; torch
    # gives 9.24e-14, we give 9.348e-14); the gradients agree to rounding.
    assert loss.data == pytest.approx(t_loss.item(), rel=1e-12, abs=1e-14)
    assert v.grad == pytest.approx(tz.grad.item(), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    "y, error",
    [(-0.1, ValueError), (1.5, ValueError), (math.nan, ValueError), (True, TypeError), ("1", TypeError)],
)
def test_bce_rejects_a_bad_target(y: object, error: type[Exception]) -> None:
    wanted = (
        f"^binary_cross_entropy: target must be a finite number >= 0.0 and <= 1.0, got {re.escape(repr(y))}$"
    )
    with pytest.raises(error, match=wanted):
        binary_cross_entropy(Value(0.5), y)  # type: ignore[arg-type]


# --- regression and margin losses ---------------------------------------------------------------------------


PREDS = [0.5, -1.25, 2.0, 3.0, -0.1]
TARGETS = [1.0, -1.25, 0.5, 2.0, 0.4]  # the second pair is an exact tie (|d| = 0)


def test_mse_matches_torch() -> None:
    p = values(PREDS)
    loss = mse(p, TARGETS)
    loss.backward()
    tp = t64(PREDS)
    t_loss = F.mse_loss(tp, t64(TARGETS, grad=False))
    t_loss.backward()
    assert loss.data == pytest.approx(t_loss.item(), rel=1e-14)
    assert [v.grad for v in p] == pytest.approx(tp.grad.tolist(), rel=1e-14, abs=1e-16)


def test_l1_matches_torch_including_zero_gradient_at_a_tie() -> None:
    p = values(PREDS)
    loss = l1(p, TARGETS)
    loss.backward()
    tp = t64(PREDS)
    t_loss = F.l1_loss(tp, t64(TARGETS, grad=False))
    t_loss.backward()
    assert loss.data == pytest.approx(t_loss.item(), rel=1e-14)
    assert [v.grad for v in p] == pytest.approx(tp.grad.tolist(), rel=1e-14, abs=1e-16)
    assert p[1].grad == 0.0


def test_hinge_matches_torch_by_hand() -> None:
    scores, labels = [0.3, -2.0, 1.5, 0.999, -0.2], [1, -1, -1, 1, 1]
    s = values(scores)
    loss = hinge(s, labels)
    loss.backward()
    ts = t64(scores)
    t_loss = torch.relu(1 - t64(labels, grad=False) * ts).mean()
    t_loss.backward()
    assert loss.data == pytest.approx(t_loss.item(), rel=1e-14)
    assert [v.grad for v in s] == pytest.approx(ts.grad.tolist(), rel=1e-14, abs=1e-16)


def test_single_values_are_accepted() -> None:
    p = Value(3.0)
    loss = mse(p, 1.0)
    loss.backward()
    assert (loss.data, p.grad) == (4.0, 4.0)  # (3-1)², 2(3-1)
    q = Value(-0.5)
    h = hinge(q, -1)
    h.backward()
    assert (h.data, q.grad) == (0.5, 1.0)
    assert l1(Value(-2.0), Value(1.0)).data == 3.0


def test_targets_may_be_values_and_receive_gradients() -> None:
    p, t = Value(2.0), Value(0.5)
    mse([p], [t]).backward()
    assert (p.grad, t.grad) == (3.0, -3.0)


@pytest.mark.parametrize("loss", [mse, l1, hinge])
def test_length_mismatch_is_a_clear_error(loss) -> None:
    with pytest.raises(ValueError, match=r"2 predictions but 3 targets"):
        loss([1.0, 1.0], [1, 1, 1])


def test_hinge_rejects_labels_other_than_plus_minus_one() -> None:
    with pytest.raises(ValueError, match=r"^hinge: targets\[1\] must be one of -1, 1, got 0$"):
        hinge([0.5, 0.5], [1, 0])
    with pytest.raises(ValueError, match=r"^hinge: targets\[0\] must be one of -1, 1, got True$"):
        hinge([0.5], [True])
    with pytest.raises(
        TypeError, match=r"^hinge: targets\[0\] must be -1 or 1 \(a plain number, not a Value\)"
    ):
        hinge([0.5], [Value(1.0)])


def test_empty_inputs_are_errors() -> None:
    with pytest.raises(ValueError, match="softmax"):
        softmax([])
    with pytest.raises(ValueError, match="mse"):
        mse([], [])
