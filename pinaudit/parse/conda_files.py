"""conda's own file formats, apart from environment files: conda-lock's unified lockfile
(``conda-lock.yml``) and the spec files ``conda install --file`` reads (one match spec a line, or
an ``@EXPLICIT`` list of package URLs, which is what ``conda list --explicit`` and
``conda-lock render`` write).

Only what pinning needs is read: which packages a lock holds, at which versions, for which
sources; which lines of a spec file name what. A lock is machine-written YAML, but it is still
walked under :class:`~pinaudit.parse.yaml_pos.Budget` (a hostile file must not expand forever).
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple

LOCK_NAMES = ("conda-lock.yml", "conda-lock.yaml")
_PEP503 = re.compile(r"[-_.]+")


class CondaLock(NamedTuple):
    """What a conda-lock file pins: name -> the versions locked for it (one per platform)."""

    conda: dict[str, frozenset[str]]  # conda package name (lower case)
    pip: dict[str, frozenset[str]]  # PEP 503 name
    sources: tuple[str, ...]  # metadata.sources: the files it was made from, relative to the lock


class LockError(ValueError):
    """The lockfile is not a conda-lock file we can read (message says why)."""


def pip_name(name: str) -> str:
    return _PEP503.sub("-", name).lower()


class _Entries(NamedTuple):
    root: object  # the document's node
    entries: list[dict[str, str | None]]  # each package entry's scalar fields of interest
    sources: tuple[str, ...]  # metadata.sources (conda-lock)


def _read_entries(text: str, key: str, fields: tuple[str, ...], what: str) -> _Entries:
    """The ``key:`` list of a lockfile, each entry's ``fields``, walked under a budget."""
    from pinaudit.parse import yaml_pos

    try:
        root = yaml_pos.compose(text)
    except yaml_pos.YamlError as exc:
        raise LockError(f"malformed YAML at line {exc.line}: {exc.message}") from None
    budget = yaml_pos.Budget()
    packages = yaml_pos.get(root, key, budget) if yaml_pos.is_mapping(root) else None
    if not yaml_pos.is_sequence(packages):
        raise LockError(f"no {key}: list (not {what})")
    try:
        entries = []
        for entry in getattr(packages, "value", []):
            budget.spend()
            entries.append({k: yaml_pos.scalar(v) for k, _kn, v in yaml_pos.items(entry, budget) if k in fields})
        meta = yaml_pos.get(root, "metadata", budget)
        src_node = yaml_pos.get(meta, "sources", budget) if meta is not None else None
        sources = tuple(s for s in (yaml_pos.scalar(n) for n in getattr(src_node, "value", None) or ()
                                    if yaml_pos.is_sequence(src_node)) if s)
    except yaml_pos.BudgetExceeded as exc:
        raise LockError(str(exc)) from None
    return _Entries(root, entries, sources)


def _lock(found: list[tuple[bool, str, str]], sources: tuple[str, ...]) -> CondaLock:
    """(is it PyPI?, name, version) of every locked package -> the lock; raises when there is none."""
    conda: dict[str, set[str]] = {}
    pip: dict[str, set[str]] = {}
    for is_pypi, name, version in found:
        if is_pypi:
            pip.setdefault(pip_name(name), set()).add(version)
        else:
            conda.setdefault(name.lower(), set()).add(version)
    if not conda and not pip:
        raise LockError("no package in it has a name and a version")
    return CondaLock({k: frozenset(v) for k, v in conda.items()}, {k: frozenset(v) for k, v in pip.items()}, sources)


def parse_lock(text: str) -> CondaLock:
    """Read a conda-lock unified lockfile (version 1); raises :class:`LockError`."""
    read = _read_entries(text, "package", ("name", "version", "manager"), "a conda-lock unified lockfile")
    found: list[tuple[bool, str, str]] = []
    for e in read.entries:
        name, version = e.get("name"), e.get("version")
        if name and version:
            found.append((e.get("manager") == "pip", name, version))
    return _lock(found, read.sources)


def parse_pixi_lock(text: str) -> CondaLock:
    """Read a ``pixi.lock`` (versions 4 to 6): its ``packages:`` list, each entry a ``conda:`` or
    ``pypi:`` URL (version 6) or with ``kind``/``name``/``version`` (older); raises :class:`LockError`."""
    read = _read_entries(text, "packages", ("conda", "pypi", "kind", "name", "version", "url"), "a pixi lockfile")
    found: list[tuple[bool, str, str]] = []
    for e in read.entries:
        is_pypi = e.get("pypi") is not None or e.get("kind") == "pypi"
        name, version = e.get("name"), e.get("version")
        if not name or not version:
            name, version = _from_filename(e.get("pypi") or e.get("conda") or e.get("url") or "", is_pypi)
        if name and version:
            found.append((is_pypi, name, version))
    return _lock(found, ())


def _from_filename(url: str, pypi: bool) -> tuple[str | None, str | None]:
    """(name, version) from a package file's name: ``numpy-1.26.4-py311h64a7726_0.conda``,
    ``requests-2.32.3-py3-none-any.whl``, ``pkg-1.0.tar.gz``."""
    filename = url.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if pypi:
        stem = re.sub(r"\.(whl|tar\.gz|zip|tar\.bz2)$", "", filename)
        parts = stem.split("-")
        return (parts[0], parts[1]) if len(parts) >= 2 else (None, None)
    stem = re.sub(r"\.(conda|tar\.bz2)$", "", filename)
    parts = stem.rsplit("-", 2)
    return (parts[0], parts[1]) if len(parts) == 3 else (None, None)


def is_lock_name(name: str) -> bool:
    """``conda-lock.yml``, ``linux-64.conda-lock.yml``, ``openfe-1.0.1-conda-lock.yml``: conda-lock's
    unified lockfiles, which micromamba also installs with ``-f`` (it goes by this suffix)."""
    lower = name.lower()
    return lower.endswith(("-lock.yml", "-lock.yaml", ".conda-lock.yml"))


class SpecLine(NamedTuple):
    """One line of a ``--file`` spec file: the spec text and its offsets in the file."""

    text: str
    start: int
    end: int


class SpecFile(NamedTuple):
    explicit: bool  # an @EXPLICIT file: every line a package URL
    lines: tuple[SpecLine, ...]


def parse_spec_file(text: str) -> SpecFile:
    """The specs of a file ``conda install --file`` reads (comments and blank lines skipped)."""
    explicit = False
    out: list[SpecLine] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        body = line.split("#", 1)[0] if not explicit else line
        stripped = body.strip()
        if line.strip() == "@EXPLICIT":
            explicit = True
        elif stripped and not stripped.startswith(("#", "@")):
            if explicit:
                stripped = stripped.split()[0]  # a URL (its #md5 fragment kept)
            lead = len(body) - len(body.lstrip())
            out.append(SpecLine(stripped, pos + lead, pos + lead + len(stripped)))
        pos += len(raw)
    return SpecFile(explicit, tuple(out))


def version_admits(spec_version: str, partial: bool, locked: str) -> bool:
    """Whether ``locked`` is what an exact (``1.26.4``) or partial (``1.26``, ``1.26.*``) conda pin
    admits; conda compares ``1.2`` and ``1.2.0`` equal."""
    want = spec_version.lstrip("=").rstrip("*").rstrip(".")
    if partial:
        return locked == want or locked.startswith(want + ".") or _trim(locked) == _trim(want)
    return _trim(locked) == _trim(want)


def _trim(version: str) -> str:
    v = version.lower()
    while v.endswith(".0") and v.count(".") > 0:
        v = v[:-2]
    return v
