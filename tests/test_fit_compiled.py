"""fit(compile=True) trains exactly like the engine: the same parameters after 20 steps (to 1e-9).

The oracle is fit(compile=False), which builds every batch's graph and calls backward(); both runs
start from the same seeded weights. Every loss of `losses.LOSSES`, SGD and Adam, L2, mini-batches.
"""

from __future__ import annotations

import math

import pytest

from autograd_lite.nn import MLP, losses
from autograd_lite.training.compiled import CompiledLoss, compiles_by_default
from autograd_lite.training.data import moons, spirals
from autograd_lite.training.fit import fit


def _train(compile: bool, loss: str, outputs: int, **kw):  # type: ignore[no-untyped-def]
    X, y = moons(40, noise=0.2, seed=3) if outputs <= 2 else spirals(40, classes=3, seed=3)
    model = MLP(2, [6, outputs], activation=kw.pop("activation", "tanh"), seed=1, **kw.pop("model", {}))
    history = fit(model, X, y, loss=loss, epochs=kw.pop("epochs", 20), progress=False, compile=compile, **kw)
    return model, history


CASES = [
    ("cross_entropy", 2, {"optimizer": "sgd", "lr": 0.3}),
    ("bce", 1, {"optimizer": "adam", "lr": 0.05, "l2": 1e-3}),
    ("hinge", 1, {"optimizer": "sgd", "lr": 0.1, "activation": "relu"}),
    ("mse", 1, {"optimizer": "sgd", "lr": 0.1, "batch_size": 8, "epochs": 4}),
    ("cross_entropy", 3, {"optimizer": "adam", "lr": 0.02, "activation": "sigmoid"}),
    ("bce", 1, {"optimizer": "sgd", "lr": 0.5, "model": {"output_activation": "sigmoid"}}),
]


@pytest.mark.parametrize(("loss", "outputs", "kw"), CASES)
def test_compiled_training_reaches_the_same_parameters(loss: str, outputs: int, kw: dict) -> None:
    plain, h1 = _train(False, loss, outputs, **dict(kw))
    fast, h2 = _train(True, loss, outputs, **dict(kw))
    assert h1.steps == h2.steps >= 20
    for p, q in zip(plain.parameters(), fast.parameters(), strict=True):
        assert math.isclose(p.data, q.data, rel_tol=1e-9, abs_tol=1e-9), (p, q)
    for a, b in zip(h1.train_loss, h2.train_loss, strict=True):
        assert math.isclose(a, b, rel_tol=1e-9)
    assert h1.train_acc == h2.train_acc


def test_compiled_step_leaves_gradients_for_the_optimizer() -> None:
    X, y = moons(10, seed=0)
    model = MLP(2, [3, 1], seed=0)
    step = CompiledLoss(model, "bce")
    value, predicted, grads = step(X, y)
    assert len(grads) == model.num_parameters() and len(predicted) == 10
    assert sorted(step.programs) == [0, 1]  # one trace per label
    assert all(p.grad == 0.0 for p in model.parameters())  # computing does not write


def test_on_by_default_only_where_known_valid() -> None:
    model = MLP(2, [3, 1], seed=0)
    assert compiles_by_default(model, "bce", [0, 1, 1])
    assert compiles_by_default(model, losses.binary_cross_entropy, [0, 1])
    assert not compiles_by_default(model, lambda out, t: (out - t) ** 2, [0, 1])  # a custom loss
    assert not compiles_by_default(model, "mse", [0.1 * k for k in range(100)])  # regression targets
    assert not compiles_by_default(lambda x: x[0], "mse", [0, 1])  # not an nn model


def test_cli_and_recipe_pass_the_choice_on() -> None:
    from autograd_lite.cli import build_parser, config_from_args

    parser = build_parser()
    assert config_from_args(parser.parse_args(["train"])).compile is None
    assert config_from_args(parser.parse_args(["train", "--compile"])).compile is True
    assert config_from_args(parser.parse_args(["train", "--no-compile"])).compile is False
