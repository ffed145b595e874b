"""Analyzers: one per file kind, each turns one file into a FileResult of install sites.

INTERFACE. Every analyzer module exposes::

    def analyze(source: SourceFile, options: ScanOptions) -> FileResult

and must never raise for bad input: unreadable or malformed content becomes a Diagnostic
(-> PIN001). The registry maps a kind to its module, imported lazily so a one-file pre-commit
run pays only for the kinds it meets.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path

from pinaudit.model import FileResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple, Protocol

    class Analyzer(Protocol):
        def analyze(self, source: SourceFile, options: ScanOptions) -> FileResult: ...

else:
    from pinaudit._record import NamedTuple

KINDS: dict[str, str] = {
    "dockerfile": "pinaudit.analyzers.dockerfile",
    "requirements": "pinaudit.analyzers.requirements",
    "package.json": "pinaudit.analyzers.package_json",
    "compose": "pinaudit.analyzers.compose",
    "shell": "pinaudit.analyzers.script",
    "workflow": "pinaudit.analyzers.workflow",
    "conda-env": "pinaudit.analyzers.conda_env",
    "pixi": "pinaudit.analyzers.pixi",
    "pyproject.toml": "pinaudit.analyzers.pyproject",
    "Pipfile": "pinaudit.analyzers.pipfile",
}


class ScanOptions(NamedTuple):
    cwd: Path  # paths are displayed relative to this
    # --build-arg NAME=VALUE; a dict, not a MappingProxyType: options cross process boundaries
    # (--jobs) and a mappingproxy cannot be pickled. Never mutated.
    build_args: Mapping[str, str] = {}
    context: Path | None = None  # --context DIR: build context for Dockerfiles (default: its folder)
    repo_root: Path | None = None  # -r/-c includes must not escape it (None: no limit)


class SourceFile(NamedTuple):
    path: Path  # where to read it (and its neighbours) on disk
    display: str  # how findings name it: relative to cwd when below it, '/'-separated
    text: str  # decoded UTF-8 content (discover.py rejected binary / oversized files already)
    kind: str


def get(kind: str) -> Analyzer:
    module: Analyzer = importlib.import_module(KINDS[kind])
    return module


def display_path(path: Path, cwd: Path) -> str:
    """Relative to cwd when below it, else as given; always '/'-separated (SPEC §6)."""
    # abspath, not resolve(): a symlinked file keeps the name it was found under, and a symlink
    # loop cannot raise here
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(cwd))
    if rel == os.curdir or rel.startswith(os.pardir):
        # outside cwd: as given, but normalised, so `req/sub/../base.txt` reached through an
        # include is the same file (and its findings deduplicated) as `req/base.txt`
        return Path(os.path.normpath(path)).as_posix()
    return Path(rel).as_posix()
