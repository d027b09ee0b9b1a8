"""The command line under abuse: bad --out checked before any work, bounds on sizes, Ctrl-C, closed
pipes, and the output folder written as a set (issue 10 item 12, issue 11 item 7)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_lite.cli import main
from autograd_lite.training import recipe

ROOT = Path(__file__).resolve().parent.parent
FAST = ["--epochs", "2", "--n", "40", "--hidden", "4", "--no-progress"]


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    return lines[0]


@pytest.mark.parametrize("command", ["train", "demo"])
def test_out_that_is_a_file_is_refused_before_any_work(tmp_path, capsys, command):
    existing = tmp_path / "notes.txt"
    existing.write_text("mine\n")
    assert main([command, "--out", str(existing), "--epochs", "1"]) == 2
    line = one_error_line(capsys)
    assert f"--out {str(existing)!r} exists and is not a folder" in line
    assert capsys.readouterr().out == ""  # nothing trained, nothing printed
    assert existing.read_text() == "mine\n"


@pytest.mark.parametrize(
    "out, fragment",
    [
        ("", "--out must name a folder, got ''"),
        ("{file}/sub", "is not a folder"),
    ],
)
def test_bad_out_paths_exit_2_with_one_line(tmp_path, capsys, out, fragment):
    (tmp_path / "file").write_text("x")
    assert main(["train", "--out", out.format(file=tmp_path / "file"), *FAST]) == 2
    assert fragment in one_error_line(capsys)
    assert capsys.readouterr().out == ""


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_out_in_a_read_only_folder_is_refused(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert main(["train", "--out", str(locked / "run"), *FAST]) == 2
    assert "cannot write" in one_error_line(capsys)


@pytest.mark.parametrize(
    "flags, fragment",
    [
        (["--hidden", "100000000"], f"--hidden: layer size 100000000 is more than {recipe.MAX_LAYER_SIZE}"),
        (["--hidden", "2000,2000"], "more than the cap of 1000000"),
        (["--n", "100000000"], f"--n must be at most {recipe.MAX_POINTS}, got 100000000"),
        (["--epochs", str(10**30)], f"--epochs must be at most {recipe.MAX_EPOCHS}"),
        (["--noise", "1e300"], f"--noise must be at most {recipe.MAX_NOISE}, got 1e+300"),
        (["--batch-size", "0"], "--batch-size"),
        (["--batch-size", "-5"], "--batch-size"),
    ],
)
def test_sizes_beyond_the_limits_exit_2_naming_the_limit(tmp_path, capsys, flags, fragment):
    assert main(["train", "--out", str(tmp_path / "never"), *FAST, *flags]) == 2
    assert fragment in one_error_line(capsys)
    assert not (tmp_path / "never").exists()


def test_batch_size_help_states_every_spelling(capsys):
    assert main(["train", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "'full' = full batch" in text and "a size at least the training set's is full batch" in text


def test_ctrl_c_is_exit_130_with_one_line(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("autograd_lite.cli.run_training", interrupted)
    assert main(["train", "--out", str(tmp_path / "run"), *FAST]) == 130
    assert one_error_line(capsys) == "autograd-lite: interrupted"


def test_interrupt_while_saving_leaves_the_old_set(tmp_path, capsys, monkeypatch):
    """Ctrl-C during the plots: the previous run's three files stay together, nothing new mixed in."""
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), "--seed", "1", *FAST]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == {"model.json", "loss.png", "decision_boundary.png", "manifest.json"}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("autograd_lite.training.plot.plot_decision_boundary", interrupted)
    assert main(["train", "--out", str(out), "--seed", "2", *FAST]) == 130
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no staging folder left either
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_the_manifest_lists_the_complete_set(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), *FAST]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["files"]) == ["decision_boundary.png", "loss.png", "model.json"]
    import hashlib

    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def run_cli(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "autograd_lite", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


@pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="needs pipes that signal")
def test_a_closed_pipe_ends_quietly(tmp_path):
    """`autograd-lite train ... | head -1`: the reader goes away after one line."""
    child = run_cli("train", "--out", str(tmp_path / "run"), "--epochs", "3000", "--n", "40", "--hidden", "4")
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline().startswith(b"moons: 40 points")
    child.stdout.close()  # like head -1 exiting
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 141  # 128 + SIGPIPE, as a tool killed by the signal
    assert err == ""


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="needs SIGINT")
def test_sigint_in_a_child_is_130_and_one_line(tmp_path):
    out = str(tmp_path / "run")
    child = run_cli("train", "--out", out, "--epochs", "99999", "--n", "40", "--hidden", "4")
    assert child.stdout is not None and child.stderr is not None
    child.stdout.readline()  # training has started
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=120) == 130
    assert child.stderr.read().decode() == "autograd-lite: interrupted\n"
    assert not (tmp_path / "run").exists()


def test_standardizer_of_huge_values_matches_statistics_pstdev():
    """Library callers without the CLI's noise bound: (x - mean)² must not overflow (was errno 34)."""
    import statistics

    from autograd_lite.training.data import Standardizer, make_dataset

    X, _ = make_dataset("moons", 20, noise=1e300)
    scaler = Standardizer().fit(X)
    for j in range(2):
        column = [row[j] for row in X]
        assert scaler.mean[j] == pytest.approx(statistics.fmean(column), rel=1e-12)
        assert scaler.std[j] == pytest.approx(statistics.pstdev(column), rel=1e-12)
