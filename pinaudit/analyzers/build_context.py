"""The files a build can read: a folder on disk, a dict of files, (later) a git tree at a commit.

A Dockerfile's ``COPY requirements.txt .`` and ``RUN pip install -r requirements.txt`` are followed
into the build context, and the requirements file's own ``-r``/``-c`` includes after it. Every such
read goes through a :class:`BuildContext`, so the same analysis runs over the working tree
(:class:`Directory`), over files a test or a caller hands in (:class:`FileDict`), or over the tree
of an older commit (what ``simulate --cache-from-git`` needs: the files a cached layer was built
from).

Paths are the context's ``root`` joined with what the Dockerfile or requirements file names
(``root / "requirements.txt"``), as on disk: one path names one file whichever implementation
answers, and findings name files by it.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class BuildContext(Protocol):
        """Read-only access to the files of a build context."""

        @property
        def root(self) -> Path:
            """The folder the context stands for (``docker build`` ran with it as its context)."""
            ...

        def read_text(self, path: Path, *, max_bytes: int | None = None) -> str:
            """The file's text, strictly UTF-8 (a leading BOM is kept: callers decide about it).

            Raises :class:`FileTooLarge` when the file has more than ``max_bytes`` bytes (checked
            before reading), ``UnicodeDecodeError`` when it is not UTF-8, and ``OSError`` when it
            cannot be read (``FileNotFoundError`` when it is not there).
            """
            ...

        def is_file(self, path: Path) -> bool: ...

        def is_dir(self, path: Path) -> bool: ...

        def resolve(self, path: Path) -> Path:
            """The path that identifies the file, for include cycles and "outside the repository"
            checks: symlinks followed on disk, ``..`` folded elsewhere."""
            ...


class FileTooLarge(ValueError):
    """A file over the size a caller accepts (``max_bytes``); not read."""


class Directory:
    """A build context on disk. It answers for any path, as the disk does: a requirements file
    may include one outside the context (the repository-root check is the walker's business)."""

    __slots__ = ("_root",)

    def __init__(self, root: Path) -> None:
        self._root = root

    @property
    def root(self) -> Path:
        return self._root

    def read_text(self, path: Path, *, max_bytes: int | None = None) -> str:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise FileTooLarge(f"{path.name} is larger than {max_bytes} bytes")
        return path.read_bytes().decode("utf-8")

    def is_file(self, path: Path) -> bool:
        return path.is_file()

    def is_dir(self, path: Path) -> bool:
        return path.is_dir()

    def resolve(self, path: Path) -> Path:
        return path.resolve()

    def __repr__(self) -> str:
        return f"Directory({str(self._root)!r})"


class FileDict:
    """A build context made of given files: ``FileDict({"requirements.txt": "flask==3.0.3\\n"})``.

    Keys are '/'-separated paths relative to ``root`` (default: the current directory, so findings
    name the files as the keys do); a folder exists when some key lies below it. Nothing outside
    ``root`` exists, and there are no symlinks.
    """

    __slots__ = ("_dirs", "_files", "_root")

    def __init__(self, files: Mapping[str, str | bytes], root: Path | None = None) -> None:
        self._root = root if root is not None else Path(".")
        self._files: dict[str, bytes] = {}
        self._dirs: set[str] = {"."}
        for key, content in files.items():
            rel = _norm_key(key)
            self._files[rel] = content.encode("utf-8") if isinstance(content, str) else content
            parent = posixpath.dirname(rel)
            while parent:
                self._dirs.add(parent)
                parent = posixpath.dirname(parent)

    @property
    def root(self) -> Path:
        return self._root

    def _key(self, path: Path) -> str | None:
        """``path`` as a key: relative to root, folded; None when it lies outside the context."""
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self._root))
        rel = Path(rel).as_posix()
        return None if rel == ".." or rel.startswith("../") else rel

    def read_text(self, path: Path, *, max_bytes: int | None = None) -> str:
        key = self._key(path)
        data = self._files.get(key) if key is not None else None
        if data is None:
            raise FileNotFoundError(2, "No such file or directory", str(path))
        if max_bytes is not None and len(data) > max_bytes:
            raise FileTooLarge(f"{path.name} is larger than {max_bytes} bytes")
        return data.decode("utf-8")

    def is_file(self, path: Path) -> bool:
        key = self._key(path)
        return key is not None and key in self._files

    def is_dir(self, path: Path) -> bool:
        key = self._key(path)
        return key is not None and key in self._dirs

    def resolve(self, path: Path) -> Path:
        return Path(os.path.normpath(os.path.abspath(path)))

    def __repr__(self) -> str:
        return f"FileDict({sorted(self._files)!r}, root={str(self._root)!r})"


def _norm_key(key: str) -> str:
    """A FileDict key folded: ``./a//b/../c`` -> ``a/c``, leading slashes dropped."""
    return posixpath.normpath(key.lstrip("/")) if key.strip("/") else "."
