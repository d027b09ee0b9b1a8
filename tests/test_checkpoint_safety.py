"""Checkpoints that survive crashes, and hostile or broken files refused quickly with one typed error.

Saves are atomic (a temporary file in the same folder, flushed and fsynced, then `os.replace`), so a
failure at any point of a save leaves the previous checkpoint as it was: checked here by making the
write fail (monkeypatched), by a child process killed with SIGKILL in the middle of saves, and by a
child whose file-size limit (RLIMIT_FSIZE, a full disk) is smaller than the new file.

Loading reads regular files only, at most `MAX_BYTES`, and turns every problem into a
`CheckpointError` (a ValueError) naming the file: the corpus in tests/hostile_checkpoints/ holds the
small malformed files; the ones that cannot be committed (a FIFO, a folder, a symlink to /dev/zero, a
file over the size cap, nesting 100,000 deep) are made here.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from autograd_lite.nn import MLP, checkpoint, modules
from autograd_lite.nn.checkpoint import CheckpointError
from autograd_lite.nn.modules import Layer, Neuron

CORPUS = Path(__file__).parent / "hostile_checkpoints"
ROOT = Path(__file__).resolve().parent.parent

HOSTILE = {
    "architecture_bomb.json": r"the architecture has 1001000 parameters, the file holds 1",
    "architecture_nin_1e9.json": r"the architecture has 1000000001000 parameters, the file holds 1",
    "architecture_huge_literal.json": r"an integer literal of 401 digits",
    "parameter_400_digits.json": r"an integer literal of 400 digits",
    "parameter_1e400.json": r"'L0.N0.b' is not finite",
    "not_utf8.json": r"not UTF-8 text \(invalid byte at offset \d+\)",
    "duplicate_key.json": r"duplicate key 'L0.N0.b'",
    "deep_metadata.json": r"nested deeper than 100 levels",
    "truncated.json": r"malformed JSON at line 1",
    "empty.json": r"malformed JSON at line 1, column 1",
}


def test_the_corpus_is_all_covered() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(HOSTILE)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_checkpoint_is_one_typed_error_naming_the_file(name: str) -> None:
    with pytest.raises(CheckpointError, match=HOSTILE[name]) as info:
        MLP.load(CORPUS / name)
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith(str(CORPUS / name) + ": ")


def good_checkpoint(tmp_path: Path, name: str = "model.json") -> Path:
    path = tmp_path / name
    MLP(2, [3, 1], seed=1).save(path)
    return path


def test_very_deep_nesting_is_refused_without_recursion_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(CheckpointError, match=r"deep\.json: nested deeper than"):
        MLP.load(path)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match=r"not a regular file \(a directory\)"):
        MLP.load(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(CheckpointError, match=r"pipe\.json: not a regular file \(a FIFO\)"):
        MLP.load(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_symlink_to_dev_zero_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(CheckpointError, match=r"zero\.json: not a regular file \(a character device\)"):
        MLP.load(link)


def test_a_symlink_to_a_good_checkpoint_loads(tmp_path: Path) -> None:
    path = good_checkpoint(tmp_path)
    link = tmp_path / "link.json"
    link.symlink_to(path)
    assert MLP.load(link).state_dict() == MLP.load(path).state_dict()


def test_size_cap_is_checked_before_reading_and_can_be_raised(tmp_path: Path) -> None:
    path = good_checkpoint(tmp_path)
    size = path.stat().st_size
    with pytest.raises(CheckpointError, match=rf"model\.json: {size} bytes is more than the cap of 100"):
        MLP.load(path, max_bytes=100)
    assert MLP.load(path, max_bytes=size).num_parameters() == 13
    assert checkpoint.MAX_BYTES == 64 * 2**20  # the documented default


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        MLP.load(tmp_path / "absent.json")


def test_huge_model_sizes_are_refused_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=r"MLP: 2 -> 10\^400 has about 10\^400 parameters, more than"):
        MLP(2, [10**400])
    with pytest.raises(ValueError, match=r"MLP: 1000000000 -> 1 has 1000000001 parameters, more than"):
        MLP(10**9, [1])
    assert modules.MAX_PARAMETERS == 1_000_000  # the documented default
    monkeypatch.setattr(modules, "MAX_PARAMETERS", 15)
    assert MLP(2, [5]).num_parameters() == 15  # at the cap
    with pytest.raises(ValueError, match=r"MLP: 2 -> 3 -> 2 has 17 parameters, more than the cap of 15"):
        MLP(2, [3, 2])
    with pytest.raises(ValueError, match=r"Layer: 2 -> 7 has 21 parameters"):
        Layer(2, 7)
    with pytest.raises(ValueError, match=r"Neuron: 20 -> 1 has 21 parameters"):
        Neuron(20)


# --- saving -----------------------------------------------------------------------------------------


def test_save_writes_no_stray_files(tmp_path: Path) -> None:
    good_checkpoint(tmp_path)
    good_checkpoint(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_save_replaces_a_symlink_and_leaves_its_target_alone(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    link = tmp_path / "model.json"
    link.symlink_to(target)
    MLP(2, [1]).save(link)
    assert target.read_text() == "keep me\n"
    assert not link.is_symlink() and MLP.load(link).num_parameters() == 3


@pytest.mark.parametrize("failing", ["fsync", "replace", "write"])
def test_a_failure_mid_save_keeps_the_old_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = good_checkpoint(tmp_path)
    before = path.read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if failing == "write":  # the bytes go out half-way, then the disk is full
        real_write = os.write

        def half(fd: int, data: bytes) -> int:
            real_write(fd, bytes(data)[: len(data) // 2])
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(checkpoint.os, "write", half)
    else:
        monkeypatch.setattr(checkpoint.os, failing, boom)
    with pytest.raises(OSError, match="No space left"):
        MLP(2, [30, 1], seed=2).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # the temporary file is gone


def test_save_with_a_nan_parameter_names_it(tmp_path: Path) -> None:
    path = good_checkpoint(tmp_path)
    before = path.read_bytes()
    model = MLP(2, [3, 1], seed=1)
    model.layers[1].neurons[0].w[2].data = float("nan")
    with pytest.raises(ValueError, match=r"model\.json: parameter 'L1\.N0\.w2' is not finite: nan"):
        model.save(path)
    assert path.read_bytes() == before


def run_child(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_child_killed_mid_save_leaves_a_whole_checkpoint(tmp_path: Path) -> None:
    """The child overwrites one file with an 8 MB text again and again; SIGKILL lands mid-save.

    The child serialises once (json.dumps is patched to return that text), so nearly all of its time
    is spent writing: a save that truncates and rewrites in place is torn almost every time.
    """
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"generation": "old"}))
    child = run_child(
        """
        import json, sys
        from autograd_lite.nn import checkpoint
        text = json.dumps({"generation": "new", "pad": "y" * 8_000_000})
        checkpoint.json.dumps = lambda *args, **kwargs: text
        checkpoint.write_json(sys.argv[1], {})  # from now on the file holds the new text
        print("saving", flush=True)
        while True:
            checkpoint.write_json(sys.argv[1], {})
        """,
        str(path),
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "saving\n"
        time.sleep(0.3)  # not a timing assertion: any moment of the loop must leave a whole file
    finally:
        child.kill()
        child.communicate()
    assert child.returncode == -signal.SIGKILL
    assert json.loads(path.read_text())["generation"] == "new"  # whole, never torn


@pytest.mark.skipif(sys.platform == "win32", reason="needs resource limits")
def test_a_full_disk_child_keeps_the_old_checkpoint(tmp_path: Path) -> None:
    """RLIMIT_FSIZE below the new file's size: the save fails with EFBIG, the old file stays."""
    path = good_checkpoint(tmp_path)
    before = path.read_bytes()
    child = run_child(
        """
        import resource, signal, sys
        from autograd_lite.nn import MLP
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so the write fails with EFBIG instead
        model = MLP(2, [100, 1], seed=3)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            model.save(sys.argv[1])
        except OSError as e:
            print("refused:", e.errno)
        """,
        str(path),
    )
    out, err = child.communicate(timeout=60)
    assert out.startswith("refused: 27"), err  # EFBIG
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]
