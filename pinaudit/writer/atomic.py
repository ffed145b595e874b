"""The one atomic file writer: a temporary file in the same folder, then a rename.

Reports, baselines, lock files and ``fix``'s rewrites all go through here, so a crash, a full disk
or an interrupt leaves the old file, never half a new one. :func:`write_group` is the
all-or-nothing form ``fix`` needs: every new file is staged (written, flushed, given the old
file's mode) before the first rename, and a failure while renaming puts back the files already
replaced, so a run that fails midway leaves every file as it was.

Symlinks are never followed for writing, and nothing outside the tree the user named is written:
a rewrite through a link that a checkout (or an attacker) pointed at ``~/.bashrc`` is worse than
no rewrite.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["UnsafeWrite", "check_target", "check_writable", "write_atomic", "write_group", "write_text_safely"]


class UnsafeWrite(Exception):
    """The target may not be written (a symlink, not a regular file, outside the tree)."""


def check_target(path: Path, roots: Sequence[Path]) -> int:
    """The mode to give ``path``'s new content; :class:`UnsafeWrite` when it may not be written."""
    folder = path.parent.resolve()
    if roots and not any(folder == r.resolve() or r.resolve() in folder.parents for r in roots):
        raise UnsafeWrite(f"{path}: outside the tree being fixed; not written")
    st = os.lstat(folder / path.name)
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeWrite(f"{path}: a symbolic link; not written through")
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeWrite(f"{path}: not a regular file; not written")
    return stat.S_IMODE(st.st_mode)


def check_writable(path: Path, *, root: Path) -> None:
    """:class:`UnsafeWrite` when ``path`` (which may not exist yet) may not be written below
    ``root``: checked for every file before the first is written."""
    if os.path.lexists(path):
        check_target(path, [root])
        return
    folder = path.parent.resolve()
    if folder != root.resolve() and root.resolve() not in folder.parents:
        raise UnsafeWrite(f"{path}: outside the tree being written ({root})")


def _stage(target: Path, data: bytes | Iterable[bytes], mode: int | None) -> str:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:  # a report a chunk at a time: a repository-wide one is never whole in memory
                for piece in data:
                    fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def write_atomic(path: Path, chunks: Iterable[str]) -> None:
    """Write text (UTF-8, newlines as given) through a temporary file and a rename.

    ``-o /dev/null``, ``-o /dev/stdout`` or a named pipe is written in place: renaming over a
    device or a FIFO would replace it with a regular file (it did: /dev/null became one).
    """
    try:
        st: os.stat_result | None = os.stat(path)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        with open(path, "w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if st is not None:
        mode = stat.S_IMODE(st.st_mode)
    else:  # a new file: what open() would give it, not mkstemp's 0600
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    tmp = _stage(path, (c.encode("utf-8") for c in chunks), mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_group(files: Sequence[tuple[Path, bytes, bytes]], roots: Sequence[Path] = ()) -> None:
    """Replace every ``(path, old bytes, new bytes)`` or none: all are checked and staged first,
    then renamed; if a rename fails, the files already replaced get their old bytes back."""
    staged: list[tuple[Path, str, bytes, int]] = []
    try:
        for path, old, new in files:
            mode = check_target(path, roots)
            staged.append((path, _stage(path, new, mode), old, mode))
        done: list[tuple[Path, bytes, int]] = []
        try:
            for path, tmp, old, mode in staged:
                os.replace(tmp, path)
                done.append((path, old, mode))
        except BaseException:
            for path, old, mode in reversed(done):
                with contextlib.suppress(OSError):
                    os.replace(_stage(path, old, mode), path)
            raise
    finally:
        for _path, tmp, _old, _mode in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_text_safely(path: Path, text: str, *, root: Path) -> bool:
    """A generated file (a lock): written atomically below ``root``, never through a symlink,
    with the old file's mode (a new file gets the umask's); False when it holds ``text`` already."""
    data = text.encode("utf-8")
    check_writable(path, root=root)
    if not os.path.lexists(path):
        write_atomic(path, [text])
        return True
    old = path.read_bytes()
    if old == data:
        return False
    write_group([(path, old, data)], [root])
    return True
