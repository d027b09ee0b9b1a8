"""The command line: files written, accuracies printed, one-line errors with exit status 2, --help."""

import argparse
import json
import subprocess
import sys

import pytest

from autograd_lite.cli import build_parser, main
from autograd_lite.nn import MLP
from autograd_lite.training import predict

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FAST = ["--epochs", "3", "--n", "60", "--hidden", "8", "--no-progress"]


def test_train_writes_model_and_plots(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--dataset", "moons", "--out", str(out), *FAST]) == 0
    printed = capsys.readouterr().out
    for name in ("train accuracy", "validation accuracy", "test accuracy"):
        assert name in printed
    assert (out / "loss.png").read_bytes()[:8] == PNG_SIGNATURE
    assert (out / "decision_boundary.png").read_bytes()[:8] == PNG_SIGNATURE
    state = json.loads((out / "model.json").read_text())
    assert state["architecture"] == {
        "nin": 2,
        "nouts": [8, 1],
        "activation": "relu",
        "output_activation": "linear",
    }
    assert state["metadata"]["loss"] == "bce" and state["metadata"]["config"]["epochs"] == 3
    assert len(state["metadata"]["standardizer"]["mean"]) == 2


def test_saved_model_reloads_and_predicts_like_the_reported_accuracy(tmp_path, capsys):
    from autograd_lite.training.data import Standardizer, make_dataset, train_val_test_split

    out = tmp_path / "run"
    assert main(["train", "--dataset", "circles", "--out", str(out), "--seed", "2", *FAST]) == 0
    printed = capsys.readouterr().out
    test_line = next(line for line in printed.splitlines() if line.startswith("test accuracy"))
    model = MLP.load(out / "model.json")
    stats = json.loads((out / "model.json").read_text())["metadata"]["standardizer"]
    scaler = Standardizer()
    scaler.mean, scaler.std = stats["mean"], stats["std"]
    _, _, (Xte, yte) = train_val_test_split(*make_dataset("circles", 60, seed=2), seed=2)
    predicted = predict(model, scaler.transform(Xte))
    acc = sum(p == t for p, t in zip(predicted, yte, strict=True)) / len(yte)
    assert test_line.split()[-1] == f"{acc:.3f}"


@pytest.mark.parametrize(
    "flags, outputs, loss",
    [
        (["--dataset", "spirals"], 3, "cross_entropy"),
        (["--dataset", "blobs", "--loss", "hinge", "--optimizer", "sgd"], 3, "hinge"),
        (["--dataset", "xor", "--activation", "tanh", "--batch-size", "full"], 1, "bce"),
        (["--dataset", "moons", "--loss", "cross_entropy", "--batch-size", "1"], 2, "cross_entropy"),
        (["--dataset", "moons", "--loss", "mse", "--hidden", "none", "--l2", "0.01"], 1, "mse"),
    ],
)
def test_train_variants(tmp_path, capsys, flags, outputs, loss):
    out = tmp_path / "run"
    assert main(["train", *FAST, *flags, "--out", str(out)]) == 0
    state = json.loads((out / "model.json").read_text())
    assert state["architecture"]["nouts"][-1] == outputs
    assert state["metadata"]["loss"] == loss
    printed = capsys.readouterr().out
    if "xor" in flags:
        assert "validation accuracy  n/a" in printed


def test_progress_lines_when_not_a_terminal(tmp_path, capsys):
    argv = ["train", "--epochs", "4", "--n", "40", "--hidden", "4", "--out", str(tmp_path)]
    assert main(argv) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    assert [line.split()[1] for line in lines] == ["1/4", "2/4", "3/4", "4/4"]


@pytest.mark.parametrize(
    "flags, fragment",
    [
        (["--hidden", "16,x"], "--hidden"),
        (["--hidden", "16,0"], "--hidden"),
        (["--lr", "-1"], "--lr"),
        (["--lr", "nan"], "--lr"),
        (["--epochs", "0"], "--epochs"),
        (["--batch-size", "two"], "--batch-size"),
        (["--dataset", "mnist"], "--dataset"),
        (["--activation", "gelu"], "--activation"),
        (["--seed", "-3"], "--seed"),
        (["--frobnicate"], "unrecognized"),
        (["--dataset", "spirals", "--loss", "bce"], "bce needs two classes"),
        (["--n", "1"], "too small"),
    ],
)
def test_bad_flags_exit_2_with_one_line(tmp_path, capsys, flags, fragment):
    assert main(["train", "--out", str(tmp_path / "never"), *flags]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and fragment in lines[0]
    assert "Traceback" not in captured.err
    assert not (tmp_path / "never" / "model.json").exists()


def train_actions():
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return [a for a in sub.choices["train"]._actions if a.dest != "help"]


def test_help_mentions_every_flag_with_its_default(capsys):
    assert main(["train", "--help"]) == 0
    text = capsys.readouterr().out
    actions = train_actions()
    flags = [s for a in actions for s in a.option_strings]
    assert len(flags) == 16  # --compile and --no-compile are one action
    for flag in flags:
        assert flag in text
    for action in actions:
        assert action.help and "default" in action.help, action.dest
    assert "(default: moons)" in text and "(default: 30)" in text and "(default: 16,16)" in text


def test_demo_subcommand(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--epochs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "124" in printed and "44" in printed  # the lecture table: g = 124, dg/dx1 = 44
    assert "test accuracy" in printed
    for name in ("model.json", "loss.png", "decision_boundary.png"):
        assert (tmp_path / name).exists()


def test_no_command_is_an_error(capsys):
    assert main([]) == 2
    assert "required" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_command_line():
    ok = subprocess.run(
        [sys.executable, "-m", "autograd_lite", "--help"], capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0 and "train" in ok.stdout and "demo" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "autograd_lite", "train", "--hidden", "16,x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("autograd-lite train: error: argument --hidden")
