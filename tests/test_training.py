"""Training: the lecture's XOR solutions, micrograd's moons demo, spirals, and the mechanics of `fit`.

Each update `fit` makes is checked against central finite differences of the loss evaluated in
plain floats, so the loss, the L2 term, backprop and the optimizer step are all checked at once.
"""

import math

import pytest

from autograd_lite import Value
from autograd_lite.nn import MLP
from autograd_lite.optim import SGD, StepLR
from autograd_lite.training import (
    Callback,
    History,
    ScheduleEachEpoch,
    accuracy,
    decision_threshold,
    evaluate,
    fit,
    predict,
    scores,
)
from autograd_lite.training.data import Standardizer, moons, spirals, train_val_test_split, xor


def set_parameters(model, values):
    for p, v in zip(model.parameters(), values, strict=True):
        p.data = float(v)


def lecture_xor_net():
    """h = relu(Wx + b), W = [[1, 1], [1, 1]], b = [0, -1]; ŷ = w·h, w = [1, -2] (docs/lectures.md item 2)."""
    model = MLP(2, [2, 1], activation="relu")
    # parameter order: L0.N0.w0 w1 b, L0.N1.w0 w1 b, L1.N0.w0 w1 b
    set_parameters(model, [1, 1, 0, 1, 1, -1, 1, -2, 0])
    return model


# --- XOR (lecture items 1 and 2, docs/lectures.md) -------------------------------------------------


def test_hand_made_xor_net_gives_exactly_0_1_1_0():
    X, y = xor()
    model = lecture_xor_net()
    assert [model(x).data for x in X] == [0.0, 1.0, 1.0, 0.0]
    assert predict(model, X, threshold=0.5) == y


def test_hand_made_xor_with_raw_values():
    outputs = []
    for x1, x2 in xor()[0]:
        x1, x2 = Value(x1), Value(x2)
        h1 = (1 * x1 + 1 * x2 + 0).relu()
        h2 = (1 * x1 + 1 * x2 - 1).relu()
        outputs.append((1 * h1 - 2 * h2).data)
    assert outputs == [0.0, 1.0, 1.0, 0.0]


def test_trained_tanh_mlp_solves_xor():
    X, y = xor()
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    history = fit(model, X, y, loss="bce", optimizer="adam", lr=0.1, epochs=200, progress=False)
    assert predict(model, X) == [0, 1, 1, 0]
    assert accuracy(model, X, y) == 1.0
    assert history.train_loss[-1] < 0.05 < history.train_loss[0]


def test_a_linear_model_cannot_fit_xor():
    X, y = xor()
    model = MLP(2, [1], output_activation="sigmoid", seed=0)
    fit(model, X, y, loss="bce", optimizer="adam", lr=0.1, epochs=200, progress=False)
    assert accuracy(model, X, y) <= 0.75


# --- the required results ---------------------------------------------------------------------------


@pytest.mark.slow
def test_micrograd_moons_demo_reaches_100_percent():
    """micrograd's demo: 100 points, 2-16-16-1 ReLU, hinge + 1e-4 L2, lr = 1 - 0.9·k/100, 100 steps."""
    X, y = moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], activation="relu", seed=1)
    history = fit(
        model,
        X,
        y,
        loss="hinge",
        lr=lambda k: 1.0 - 0.9 * k / 100,
        epochs=100,
        l2=1e-4,
        progress=False,
    )
    assert history.steps == 100
    assert history.lr[0] == 1.0 and history.lr[-1] == pytest.approx(1.0 - 0.9 * 99 / 100)
    assert accuracy(model, X, y) == 1.0
    assert history.train_loss[-1] < 0.1 * history.train_loss[0]


@pytest.mark.slow
def test_moons_held_out_test_accuracy():
    X, y = moons(300, noise=0.1, seed=0)
    (Xtr, ytr), (Xv, yv), (Xte, yte) = train_val_test_split(X, y, seed=0)
    scaler = Standardizer().fit(Xtr)
    Xtr, Xv, Xte = scaler.transform(Xtr), scaler.transform(Xv), scaler.transform(Xte)
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    history = fit(
        model,
        Xtr,
        ytr,
        loss="hinge",
        optimizer="adam",
        lr=0.05,
        epochs=10,
        batch_size=32,
        val=(Xv, yv),
        progress=False,
    )
    assert len(Xte) == 30
    assert accuracy(model, Xte, yte) >= 0.97
    assert history.val_acc[-1] >= 0.9


@pytest.mark.slow
def test_three_class_spiral():
    X, y = spirals(50, classes=3, noise=0.2, seed=0)
    model = MLP(2, [16, 16, 3], activation="relu", seed=0)
    history = fit(
        model, X, y, loss="cross_entropy", optimizer="adam", lr=0.02, epochs=30, batch_size=16, progress=False
    )
    assert accuracy(model, X, y) >= 0.9
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]


# --- one step of fit against finite differences ------------------------------------------------------


def numeric_step(model, X, y, loss, lr, l2, h=1e-6):
    """θ − lr·∇(L + l2·Σθ²) with ∇ by central differences of the loss evaluated in floats."""
    params = model.parameters()

    def total():
        return evaluate(model, X, y, loss)[0] + l2 * sum(p.data**2 for p in params)

    new = []
    for p in params:
        keep = p.data
        p.data = keep + h
        up = total()
        p.data = keep - h
        down = total()
        p.data = keep
        new.append(keep - lr * (up - down) / (2 * h))
    return new


CASES = [
    ("cross_entropy", [3, 3], [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]], [0, 2, 1]),
    ("hinge", [3, 1], [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]], [0, 1, 1]),
    ("hinge", [3, 3], [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]], [2, 1, 0]),
    ("bce", [3, 1], [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]], [0, 1, 1]),
    ("mse", [3, 1], [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]], [0, 1, 0]),
    ("mse", [3, 2], [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]], [0, 1, 0]),
    ("mse", [3, 1], [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]], [0.3, -1.2, 2.0]),
]


@pytest.mark.parametrize("loss, sizes, X, y", CASES)
@pytest.mark.parametrize("l2", [0.0, 0.01])
def test_one_full_batch_step_matches_finite_differences(loss, sizes, X, y, l2):
    model = MLP(2, sizes, activation="tanh", seed=3)
    expected = numeric_step(model, X, y, loss, lr=0.1, l2=l2)
    fit(model, X, y, loss=loss, lr=0.1, epochs=1, l2=l2, progress=False)
    got = [p.data for p in model.parameters()]
    assert got == pytest.approx(expected, abs=1e-7)


def test_one_step_through_a_sigmoid_output_uses_its_logit():
    X, y = [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]], [0, 1, 1]
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=3)
    expected = numeric_step(model, X, y, "bce", lr=0.5, l2=0.0)
    fit(model, X, y, loss="bce", lr=0.5, epochs=1, progress=False)
    assert [p.data for p in model.parameters()] == pytest.approx(expected, abs=1e-7)


def test_custom_loss_function():
    X, y = [[0.5, -1.0], [1.5, 0.2]], [1.0, -2.0]
    model = MLP(2, [2, 1], activation="tanh", seed=4)
    absolute = lambda out, t: ((out - t) ** 2) ** 0.5
    expected = numeric_step(model, X, y, absolute, lr=0.1, l2=0.0)
    history = fit(model, X, y, loss=absolute, lr=0.1, epochs=1, progress=False)
    assert [p.data for p in model.parameters()] == pytest.approx(expected, abs=1e-7)
    assert history.loss == "<lambda>" and history.train_acc == [None]


def test_full_batch_train_loss_is_the_loss_before_the_step():
    X, y = moons(20, seed=2)
    model = MLP(2, [4, 1], seed=0)
    before = evaluate(model, X, y, "hinge")
    history = fit(model, X, y, loss="hinge", lr=0.1, epochs=2, progress=False)
    assert history.train_loss[0] == pytest.approx(before[0], abs=1e-12)
    assert history.train_acc[0] == before[1]


# --- batches, schedules, callbacks, validation --------------------------------------------------------


@pytest.mark.parametrize("batch_size, steps_per_epoch", [(None, 1), (1, 10), (4, 3), (32, 1)])
def test_number_of_steps(batch_size, steps_per_epoch):
    X, y = moons(10, seed=1)
    model = MLP(2, [3, 1], seed=0)
    history = fit(model, X, y, loss="hinge", lr=0.01, epochs=3, batch_size=batch_size, progress=False)
    assert history.steps == 3 * steps_per_epoch
    assert history.epoch == [1, 2, 3]


def test_minibatch_training_is_deterministic():
    X, y = moons(30, seed=1)
    runs = []
    for _ in range(2):
        model = MLP(2, [4, 1], seed=0)
        fit(
            model, X, y, loss="bce", optimizer="adam", lr=0.05, epochs=3, batch_size=8, seed=5, progress=False
        )
        runs.append([p.data for p in model.parameters()])
    assert runs[0] == runs[1]


def test_step_lr_schedule_is_stepped_per_epoch():
    X, y = moons(10, seed=1)
    model = MLP(2, [3, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.2)
    history = fit(
        model,
        X,
        y,
        loss="hinge",
        optimizer=opt,
        epochs=5,
        callbacks=[ScheduleEachEpoch(StepLR(opt, 2, gamma=0.5))],
        progress=False,
    )
    assert history.lr == [0.2, 0.2, 0.1, 0.1, 0.05]


def test_callbacks_and_stopping():
    X, y = moons(12, seed=1)
    seen_epochs, seen_steps = [], []

    class Recorder:  # any object with the protocol's methods
        def on_batch_end(self, step, loss, history):
            seen_steps.append((step, loss))

    class StopAfterThree(Callback):
        def on_epoch_end(self, epoch, history):
            seen_epochs.append((epoch, len(history.train_loss)))
            if epoch == 3:
                history.stop = True

    model = MLP(2, [3, 1], seed=0)
    history = fit(
        model, X, y, loss="hinge", lr=0.01, epochs=10, batch_size=4, callbacks=[Recorder(), StopAfterThree()],
        progress=False,
    )  # fmt: skip
    assert seen_epochs == [(1, 1), (2, 2), (3, 3)]
    assert [s for s, _ in seen_steps] == list(range(1, 10))
    assert history.epoch == [1, 2, 3] and history.steps == 9
    assert all(math.isfinite(loss) for _, loss in seen_steps)


def test_a_bare_function_is_not_a_callback():
    X, y = moons(12, seed=1)
    with pytest.raises(TypeError, match="fit: every callback must be an object with on_epoch_end"):
        fit(MLP(2, [3, 1], seed=0), X, y, loss="hinge", callbacks=[lambda epoch, history: None])


def test_loss_functions_and_their_names_train_alike():
    """`loss=losses.binary_cross_entropy` is the registry's "bce": same label convention, same steps."""
    from autograd_lite.nn import losses

    X, y = [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]], [0, 1, 1]
    runs = []
    for loss in ("bce", losses.binary_cross_entropy, losses.LOSSES["bce"]):
        model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=3)
        history = fit(model, X, y, loss=loss, lr=0.5, epochs=2, progress=False)
        runs.append(([p.data for p in model.parameters()], history.loss))
    assert runs[0] == runs[1] == runs[2] and runs[0][1] == "bce"


def test_validation_history_matches_evaluate():
    X, y = moons(40, seed=3)
    Xv, yv = moons(20, seed=4)
    model = MLP(2, [5, 2], seed=0)
    history = fit(
        model, X, y, loss="cross_entropy", optimizer="adam", lr=0.05, epochs=4, val=(Xv, yv), progress=False
    )
    assert len(history.val_loss) == len(history.val_acc) == 4
    loss, acc = evaluate(model, Xv, yv, "cross_entropy")
    assert history.val_loss[-1] == pytest.approx(loss) and history.val_acc[-1] == acc == accuracy(
        model, Xv, yv
    )
    assert history.last()["val_acc"] == acc
    assert History().last() == {}


def test_progress_bar_shows_loss_and_accuracy(capsys):
    X, y = xor()
    fit(MLP(2, [3, 1], seed=0), X, y, loss="bce", lr=0.1, epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "loss=" in err and "acc=" in err
    fit(MLP(2, [3, 1], seed=0), X, y, loss="bce", lr=0.1, epochs=3, progress=False)
    assert capsys.readouterr().err == ""


# --- predictions and the label convention ------------------------------------------------------------


def test_label_convention():
    score_model = MLP(2, [1], seed=0)
    set_parameters(score_model, [1.0, 0.0, -0.25])  # output x1 - 0.25
    assert decision_threshold(score_model) == 0.0
    assert predict(score_model, [[0.0, 0.0], [0.3, 0.0], [1.0, 5.0]]) == [0, 1, 1]
    prob_model = MLP(2, [1], output_activation="sigmoid", seed=0)
    set_parameters(prob_model, [1.0, 0.0, -0.25])  # σ(x1 - 0.25) > 0.5 iff x1 > 0.25
    assert decision_threshold(prob_model) == 0.5
    assert predict(prob_model, [[0.0, 0.0], [0.3, 0.0]]) == [0, 1]
    multi = MLP(2, [3], seed=0)
    set_parameters(multi, [1, 0, 0, 0, 1, 0, -1, -1, 0])  # outputs x1, x2, -x1-x2
    assert predict(multi, [[2.0, 1.0], [0.0, 3.0], [-1.0, -1.0]]) == [0, 1, 2]
    assert scores(multi, [[2.0, 1.0]]) == [[2.0, 1.0, -3.0]]


def test_regression_with_float_targets():
    X = [[x / 10] for x in range(-10, 11)]
    y = [2.0 * row[0] + 0.5 for row in X]
    model = MLP(1, [1], seed=0)
    history = fit(model, X, y, loss="mse", lr=0.3, epochs=100, progress=False)
    w, b = (p.data for p in model.parameters())
    assert (w, b) == (pytest.approx(2.0, abs=1e-3), pytest.approx(0.5, abs=1e-3))
    assert history.train_acc[-1] is None


# --- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": 0}, "epochs"),
        ({"lr": -1.0}, "lr"),
        ({"l2": -0.1}, "l2"),
        ({"loss": "l7"}, "unknown loss"),
        ({"optimizer": "rmsprop"}, "unknown optimizer"),
        ({"loss": "cross_entropy"}, "several outputs"),
    ],
)
def test_bad_arguments(kwargs, message):
    X, y = xor()
    model = MLP(2, [2, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=message):
        fit(model, X, y, progress=False, **{"loss": "bce", **kwargs})
    assert [p.data for p in model.parameters()] == before


def test_mismatched_data_and_wrong_output_count():
    X, y = xor()
    with pytest.raises(ValueError, match="4 rows but y has 3"):
        fit(MLP(2, [2, 1]), X, y[:3], loss="bce", progress=False)
    with pytest.raises(ValueError, match="one output"):
        fit(MLP(2, [2, 2]), X, y, loss="bce", progress=False)
    with pytest.raises(ValueError, match="4 rows but y has 2"):
        accuracy(MLP(2, [2, 1]), X, y[:2])


def test_divergence_is_reported_with_the_learning_rate():
    X = [[1e3 * i, -1e3 * i] for i in range(5)]
    y = [0, 1, 0, 1, 0]
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(OverflowError, match=r"diverged.*lr=1e\+06.*smaller learning rate"):
        fit(model, X, y, loss="mse", lr=1e6, epochs=50, progress=False)
