"""Every file the package writes is replaced whole or not at all: checkpoints, graph pictures, plots."""

import os
from pathlib import Path

import pytest

from autograd_lite import Value
from autograd_lite.engine import files
from autograd_lite.training.callbacks import History
from autograd_lite.training.plot import plot_history
from autograd_lite.viz.graph import draw_graph, render


def _graph() -> Value:
    x = Value(2.0, "x")
    y = x * x + 1
    y.backward()
    return y


def _history() -> History:
    return History(
        loss="mse", epoch=[1, 2, 3], train_loss=[1.0, 0.5, 0.25], train_acc=[None] * 3, lr=[0.1] * 3
    )


def _fail_replace(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", boom)


def test_write_atomic_keeps_the_old_file_when_the_move_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    _fail_replace(monkeypatch)
    with pytest.raises(OSError):
        files.write_atomic(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.bin"]  # no temporary file left behind


def test_write_atomic_replaces_a_symlink_and_leaves_its_target(tmp_path: Path):
    real = tmp_path / "real.txt"
    real.write_bytes(b"precious")
    link = tmp_path / "link.txt"
    os.symlink(real, link)
    files.write_atomic(link, b"new")
    assert real.read_bytes() == b"precious"
    assert not link.is_symlink() and link.read_bytes() == b"new"


def test_render_keeps_the_old_picture_when_the_write_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "g.svg"
    render(draw_graph(_graph()), path)
    old = path.read_bytes()
    assert b"<svg" in old
    _fail_replace(monkeypatch)
    with pytest.raises(OSError):
        render(draw_graph(_graph(), show_local=True), path)
    assert path.read_bytes() == old


def test_plot_keeps_the_old_png_when_the_write_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    pytest.importorskip("matplotlib")
    path = tmp_path / "loss.png"
    plot_history(_history(), path)
    old = path.read_bytes()
    assert old.startswith(b"\x89PNG")
    _fail_replace(monkeypatch)
    with pytest.raises(OSError):
        plot_history(_history(), path)
    assert path.read_bytes() == old
