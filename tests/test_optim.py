"""SGD, Adam, AdamW and the learning-rate schedules, step by step against torch.optim in float64."""

from __future__ import annotations

import math

import pytest

from autograd_lite import Value
from autograd_lite.nn import MLP
from autograd_lite.nn.losses import mse
from autograd_lite.optim import SGD, Adam, AdamW, LinearLR, StepLR

torch = pytest.importorskip("torch")

XS = [[0.5, -1.0], [1.5, 0.25], [-0.75, 0.8], [0.1, 0.2]]
YS = [0.3, -0.6, 0.9, 0.1]


def make_pair(seed: int = 2) -> tuple[MLP, list]:
    """Our tanh MLP 2-3-1 and one float64 torch scalar per parameter, starting equal."""
    model = MLP(2, [3, 1], activation="tanh", seed=seed)
    for i, p in enumerate(model.parameters()):
        p.data += 0.05 * math.sin(i)  # non-zero biases
    tparams = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for p in model.parameters()]
    return model, tparams


def torch_loss(model: MLP, tparams: list):
    """The same network and mean squared error, evaluated in torch with the scalar parameters."""
    it = iter(tparams)
    params = [[([next(it) for _ in n.w], next(it)) for n in layer.neurons] for layer in model.layers]
    preds = []
    for x in XS:
        h = [torch.tensor(v, dtype=torch.float64) for v in x]
        for layer, lp in zip(model.layers, params, strict=True):
            z = [sum((w * hi for w, hi in zip(ws, h, strict=True)), b) for ws, b in lp]
            h = [torch.tanh(v) for v in z] if layer.activation == "tanh" else z
        preds.append(h[0])
    return sum((p - y) ** 2 for p, y in zip(preds, YS, strict=True)) / len(YS)


def our_loss(model: MLP) -> Value:
    return mse([model(x) for x in XS], YS)  # type: ignore[misc]


@pytest.mark.parametrize(
    "ours, theirs, kwargs",
    [
        (SGD, torch.optim.SGD, {"lr": 0.1}),
        (SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
        (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.01}),
        (Adam, torch.optim.Adam, {"lr": 0.01}),
        (Adam, torch.optim.Adam, {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
        (SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
        (SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
        (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.7, "weight_decay": 0.02, "nesterov": True}),
        (AdamW, torch.optim.AdamW, {"lr": 0.01}),  # the default weight decay, 0.01
        (AdamW, torch.optim.AdamW, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.5}),
    ],
)
def test_five_steps_match_torch(ours, theirs, kwargs: dict) -> None:
    model, tparams = make_pair()
    opt, topt = ours(model.parameters(), **kwargs), theirs(tparams, **kwargs)
    start = [p.data for p in model.parameters()]
    for _ in range(5):
        opt.zero_grad()
        loss = our_loss(model)
        loss.backward()
        opt.step()
        topt.zero_grad()
        t_loss = torch_loss(model, tparams)
        t_loss.backward()
        topt.step()
        assert loss.data == pytest.approx(t_loss.item(), abs=1e-12)
        assert [p.data for p in model.parameters()] == pytest.approx([t.item() for t in tparams], abs=1e-12)
    assert [p.data for p in model.parameters()] != start  # the parameters really moved


def test_adamw_decays_the_weight_itself_not_the_gradient() -> None:
    # With a zero gradient Adam's L2 term is scaled by 1/sqrt(v) into a full step of size lr; AdamW only
    # shrinks the weight by (1 - lr·λ): w = 2, lr = 0.1, λ = 0.5 gives 2·0.95 = 1.9 after one step.
    w_adam, w_adamw = Value(2.0), Value(2.0)
    Adam([w_adam], lr=0.1, weight_decay=0.5).step()
    AdamW([w_adamw], lr=0.1, weight_decay=0.5).step()
    assert w_adamw.data == pytest.approx(1.9, abs=1e-15)
    assert w_adam.data == pytest.approx(2.0 - 0.1 * 1.0 / (1.0 + 1e-8), rel=1e-12)  # m/sqrt(v) = 1


def test_adamw_without_weight_decay_is_adam() -> None:
    a, b = make_pair()[0], make_pair()[0]
    opt_a, opt_b = Adam(a.parameters(), lr=0.03), AdamW(b.parameters(), lr=0.03, weight_decay=0.0)
    for model, opt in ((a, opt_a), (b, opt_b)):
        for _ in range(3):
            opt.zero_grad()
            our_loss(model).backward()
            opt.step()
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def test_updates_build_no_graph_and_training_reduces_the_loss() -> None:
    model, _ = make_pair()
    opt = Adam(model.parameters(), lr=0.05)
    first = None
    for _ in range(30):
        opt.zero_grad()
        loss = our_loss(model)
        first = loss.data if first is None else first
        loss.backward()
        opt.step()
    assert all(p.is_leaf and p.op == "" for p in model.parameters())
    assert our_loss(model).data < 0.5 * first


def test_zero_grad_clears_gradients() -> None:
    w = Value(2.0)
    opt = SGD([w], lr=0.1)
    (w * w).backward()
    assert w.grad == 4.0
    opt.zero_grad()
    assert w.grad == 0.0


def test_step_accepts_gradients_recorded_as_values() -> None:
    w = Value(3.0)
    (w * w).backward(create_graph=True)
    SGD([w], lr=0.5).step()
    assert w.data == 0.0  # 3 - 0.5·6


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: SGD(p, lr=-0.1), "SGD: lr must be a finite number >= 0.0"),
        (lambda p: SGD(p, lr=float("nan")), "SGD: lr must be a finite number"),
        (lambda p: SGD(p, lr=0.1, momentum=-1), "SGD: momentum"),
        (lambda p: SGD(p, lr=0.1, weight_decay=-1e-3), "SGD: weight_decay"),
        (lambda p: Adam(p, betas=(0.9, 1.0)), "Adam: beta2 must be a finite number >= 0.0 and < 1.0"),
        (lambda p: Adam(p, betas=(0.9,)), "Adam: betas must be a pair"),
        (lambda p: Adam(p, eps=-1.0), "Adam: eps"),
        (lambda p: SGD([], lr=0.1), "empty parameter list"),
        (lambda p: SGD(p, lr=0.1, nesterov=True), "SGD: nesterov momentum needs momentum > 0"),
        (lambda p: SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "dampening = 0"),
        (lambda p: SGD(p, lr=0.1, momentum=0.9, dampening=1.5), "SGD: dampening must be a finite number"),
        (lambda p: AdamW(p, betas=(1.0, 0.9)), "AdamW: beta1 must be a finite number >= 0.0 and < 1.0"),
        (lambda p: AdamW(p, weight_decay=-0.1), "AdamW: weight_decay"),
        (lambda p: SGD([1.0], lr=0.1), "parameters must be Values"),
    ],
)
def test_bad_hyperparameters_are_clear_errors(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make([Value(1.0)])


def test_a_switch_that_is_not_a_bool_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^SGD: nesterov must be True or False, got 1$"):
        SGD([Value(1.0)], lr=0.1, momentum=0.9, nesterov=1)


# --- schedules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ours, theirs, kwargs",
    [
        (StepLR, torch.optim.lr_scheduler.StepLR, {"step_size": 2, "gamma": 0.5}),
        (StepLR, torch.optim.lr_scheduler.StepLR, {"step_size": 3, "gamma": 0.1}),
        (
            LinearLR,
            torch.optim.lr_scheduler.LinearLR,
            {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 4},
        ),
        (
            LinearLR,
            torch.optim.lr_scheduler.LinearLR,
            {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 3},
        ),
    ],
)
def test_schedules_match_torch(ours, theirs, kwargs: dict) -> None:
    w = Value(1.0)
    opt = SGD([w], lr=0.4)
    sched = ours(opt, **kwargs)
    t = torch.zeros((), dtype=torch.float64, requires_grad=True)
    topt = torch.optim.SGD([t], lr=0.4)
    tsched = theirs(topt, **kwargs)
    lrs, tlrs = [sched.lr], [tsched.get_last_lr()[0]]
    for _ in range(8):
        topt.step()  # no gradient: torch skips the update, but wants step() before the schedule
        sched.step()
        tsched.step()
        lrs.append(sched.lr)
        tlrs.append(tsched.get_last_lr()[0])
    assert lrs == pytest.approx(tlrs, rel=1e-12)
    assert opt.lr == lrs[-1]


def test_sgd_uses_the_scheduled_learning_rate() -> None:
    w = Value(1.0)
    opt = SGD([w], lr=1.0)
    sched = StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        opt.zero_grad()
        w.backward()  # dw/dw = 1
        opt.step()
        sched.step()
    assert w.data == 1.0 - (1.0 + 0.5 + 0.25)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda o: StepLR(o, step_size=0), "StepLR: step_size"),
        (lambda o: StepLR(o, step_size=2, gamma=-0.5), "StepLR: gamma"),
        (lambda o: LinearLR(o, start_factor=0.0), "LinearLR: start_factor"),
        (lambda o: LinearLR(o, end_factor=1.5), "LinearLR: end_factor"),
        (lambda o: LinearLR(o, total_iters=0), "LinearLR: total_iters"),
    ],
)
def test_bad_schedules_are_clear_errors_and_leave_the_lr_alone(make, message: str) -> None:
    opt = SGD([Value(1.0)], lr=0.3)
    with pytest.raises(ValueError, match=message):
        make(opt)
    assert opt.lr == 0.3


# --- non-finite steps are refused, naming the parameter, changing nothing (issue 10, item 8) ---------


def _three(grads: list[float]) -> list[Value]:
    params = [Value(1.0, label="w0"), Value(-2.0, label="w1"), Value(0.5)]
    for p, g in zip(params, grads, strict=True):
        p.grad = g
    return params


@pytest.mark.parametrize(
    "make, grads, message",
    [
        # Adam's second moment v = (1 - β₂)·g² overflows for g = 1e200 and would freeze w1 forever
        (lambda ps: Adam(ps, lr=0.1), [0.1, 1e200, 0.2], r"'w1' .*second moment v = inf"),
        # w ← w - η·g = 1 - 1e10·1e300 is -inf
        (lambda ps: SGD(ps, lr=1e10), [1e300, 0.0, 0.0], r"'w0' .*value = -inf"),
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9), [0.0, 0.0, math.nan], r"#2 .*gradient nan"),
        (lambda ps: Adam(ps), [0.0, math.inf, 0.0], r"'w1' .*gradient inf"),
        (lambda ps: AdamW(ps, lr=0.1), [0.1, 1e200, 0.2], r"'w1' .*second moment v = inf"),
        (lambda ps: SGD(ps, lr=1e10, momentum=0.9, nesterov=True), [1e300, 0.0, 0.0], r"'w0' .*value = -inf"),
    ],
)
def test_a_non_finite_step_is_refused_and_changes_nothing(make, grads: list[float], message: str) -> None:
    params = _three([0.3, -0.2, 0.1])
    opt = make(params)
    opt.step()  # one good step first, so there is optimizer state to keep
    data = [p.data for p in params]
    state = {k: list(v) if isinstance(v, list) else v for k, v in vars(opt).items() if k != "params"}
    for p, g in zip(params, grads, strict=True):
        p.grad = g
    with pytest.raises(ValueError, match=rf"{type(opt).__name__}\.step: parameter {message}") as info:
        opt.step()
    assert "no parameter changed" in str(info.value)
    assert [p.data for p in params] == data
    assert {k: list(v) if isinstance(v, list) else v for k, v in vars(opt).items() if k != "params"} == state
