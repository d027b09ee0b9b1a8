"""Writing files so that nothing is lost: a file is, at every moment, either its old or its new self.

Every file this package writes (checkpoints, pictures, plots, a run's manifest) goes through
`write_atomic`: the bytes go to a temporary file in the same folder, which is flushed and fsynced,
then `os.replace` moves it over the target in one step. A crash, a full disk or Ctrl-C mid-write
leaves the previous file intact, and a symlink at the target is replaced, never written through.
Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: str | Path, data: bytes) -> None:
    """Replace the file at `path` with `data` so that it is, at every moment, either old or new.

    The bytes go to a new temporary file in the same folder (same file system), which is flushed
    and fsynced before `os.replace` moves it over `path` in one step; the folder is fsynced after,
    so the rename itself survives a power cut. If `path` is a symlink, the link is replaced and its
    target left alone. On any failure (a full disk, an interrupt) the temporary file is removed and
    `path` is untouched.
    """
    target = Path(path)
    if target.is_dir() and not target.is_symlink():
        raise IsADirectoryError(21, "Is a directory", str(path))
    folder = target.parent
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = folder / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, flags, 0o666)  # the umask applies, as for any new file
            break
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
