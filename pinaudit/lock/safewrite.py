"""Writing a generated file safely: atomic (a temporary file in the same folder, then a rename),
keeping the file's mode, never through a symlink, never outside the tree the user named.

A lock half-written by an interrupted run, or written through a symlink that an attacker (or a
mistaken checkout) pointed at ``~/.bashrc``, is worse than no lock at all.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["UnsafeWrite", "check_writable", "write_text_safely"]


class UnsafeWrite(Exception):
    """The target may not be written (a symlink, outside the tree); nothing was written."""


def check_writable(path: Path, *, root: Path) -> None:
    """Raise :class:`UnsafeWrite` when ``path`` may not be written (checked for every file before
    the first is written, so a refusal leaves nothing half done)."""
    _target(path, root)


def _target(path: Path, root: Path) -> tuple[Path, int | None]:
    folder = path.parent.resolve()
    base = root.resolve()
    if folder != base and base not in folder.parents:
        raise UnsafeWrite(f"{path}: outside the tree being locked ({root})")
    target = folder / path.name
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return target, None
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeWrite(f"{path}: a symbolic link; not written through")
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeWrite(f"{path}: not a regular file")
    return target, stat.S_IMODE(st.st_mode)


def write_text_safely(path: Path, text: str, *, root: Path) -> bool:
    """Write ``text`` to ``path`` unless it already holds exactly that; True when written."""
    target, mode = _target(path, root)
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    else:
        with contextlib.suppress(OSError):
            if target.read_bytes() == text.encode("utf-8"):
                return False
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return True
