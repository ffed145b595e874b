"""Python lockfiles (uv.lock, poetry.lock, pdm.lock, pylock.toml, Pipfile.lock): which versions they pin.

Only what the drift check needs: every locked version of every package, by PEP 503 name, and what
the lockfile says about the manifest it was made from (Pipfile.lock's hash of the Pipfile, pdm's
groups). Poetry's constraint syntax (``^1.2``, ``~1.2``, ``1.2.3``, ``||``) is translated to PEP 440
here, so every manifest is judged with ``packaging``. A lockfile that cannot be read is reported
and treated as absent: guessing "locked" would hide drift.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pinaudit.parse.toml_pos import TomlError, loads

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple

# the lockfile of each tool, in the order we prefer them when several sit beside a pyproject.toml
PYPROJECT_LOCKS = ("uv.lock", "poetry.lock", "pdm.lock", "pylock.toml")
_PYLOCK_NAMED = re.compile(r"pylock\.[^/.]+\.toml")
MAX_LOCK_BYTES = 32 * 1024 * 1024


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class PyLock(NamedTuple):
    path: Path
    tool: str  # "uv", "poetry", "pdm", "pylock", "pipenv"
    versions: dict[str, tuple[str, ...]]  # PEP 503 name -> every version locked for it
    error: str = ""
    error_line: int = 1
    groups: frozenset[str] | None = None  # pdm: the groups the lock was made for (None: all)
    manifest_hash: str | None = None  # Pipfile.lock: sha256 of the Pipfile it locks
    # uv: what each project of the lock declared when it was locked ([package.metadata]
    # requires-dist and requires-dev): project -> dependency -> the specifiers recorded for it
    requires: Mapping[str, Mapping[str, frozenset[str]]] = {}


def lock_candidates(directory: Path) -> list[Path]:
    """The Python project lockfiles in ``directory``, most specific tool first."""
    out = [directory / n for n in PYPROJECT_LOCKS if (directory / n).is_file()]
    try:
        named = sorted(p for p in directory.iterdir() if _PYLOCK_NAMED.fullmatch(p.name) and p.is_file())
    except OSError:
        named = []
    return out + named


def _tool_of(name: str) -> str:
    if name == "Pipfile.lock":
        return "pipenv"
    if name.startswith("pylock."):
        return "pylock"
    return name.split(".", 1)[0]


def read_pylock(path: Path) -> PyLock:
    tool = _tool_of(path.name)
    try:
        if path.stat().st_size > MAX_LOCK_BYTES:
            return PyLock(path, tool, {}, "over the 32 MiB limit; not read")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return PyLock(path, tool, {}, f"cannot be read ({exc})")
    if tool == "pipenv":
        return _read_pipfile_lock(path, text)
    try:
        doc = loads(text)
    except TomlError as exc:
        return PyLock(path, tool, {}, f"malformed TOML: {exc.message}", exc.line)
    key = "packages" if tool == "pylock" else "package"
    packages = doc.get(key, [])
    if not isinstance(packages, list):
        return PyLock(path, tool, {}, f"'{key}' is not an array of tables")
    versions: dict[str, list[str]] = {}
    for p in packages:
        if isinstance(p, dict) and isinstance(p.get("name"), str):
            v = p.get("version")
            versions.setdefault(canonical(p["name"]), []).extend([v] if isinstance(v, str) else [])
    groups = None
    requires = _uv_requires(packages) if tool == "uv" else {}
    meta = doc.get("metadata")
    if tool == "pdm" and isinstance(meta, dict) and isinstance(meta.get("groups"), list):
        groups = frozenset(str(g) for g in meta["groups"])
    return PyLock(path, tool, {k: tuple(v) for k, v in versions.items()}, groups=groups, requires=requires)


def _uv_requires(packages: list[Any]) -> dict[str, dict[str, frozenset[str]]]:
    """The declared dependencies uv recorded for each project it locked (an editable or virtual
    source): ``uv sync --locked`` fails when the pyproject.toml no longer says the same."""
    out: dict[str, dict[str, frozenset[str]]] = {}
    for p in packages:
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            continue
        source, meta = p.get("source"), p.get("metadata")
        if not (isinstance(source, dict) and ("editable" in source or "virtual" in source) and isinstance(meta, dict)):
            continue
        entries: list[Any] = list(meta.get("requires-dist") or [])
        dev = meta.get("requires-dev")
        if isinstance(dev, dict):
            entries += [e for group in dev.values() if isinstance(group, list) for e in group]
        recorded: dict[str, set[str]] = {}
        for e in entries:
            if isinstance(e, dict) and isinstance(e.get("name"), str):
                recorded.setdefault(canonical(e["name"]), set()).add(str(e.get("specifier", "")))
        out[canonical(p["name"])] = {k: frozenset(v) for k, v in recorded.items()}
    return out


def same_specifier(written: str, recorded: frozenset[str]) -> bool | None:
    """Is ``written`` one of the specifiers a lock recorded (compared as PEP 440 sets)?"""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        mine = SpecifierSet(written)
        return any(mine == SpecifierSet(r) for r in recorded)
    except InvalidSpecifier:
        return None


def _read_pipfile_lock(path: Path, text: str) -> PyLock:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", 1)
        return PyLock(path, "pipenv", {}, f"malformed JSON: {exc}", line)
    if not isinstance(doc, dict):
        return PyLock(path, "pipenv", {}, "not a JSON object")
    versions: dict[str, list[str]] = {}
    for section, entries in doc.items():
        if section == "_meta" or not isinstance(entries, dict):
            continue
        for name, entry in entries.items():
            v = entry.get("version") if isinstance(entry, dict) else None
            got = versions.setdefault(canonical(name), [])
            if isinstance(v, str):
                got.append(v.lstrip("="))
    meta = doc.get("_meta")
    hashes = meta.get("hash") if isinstance(meta, dict) else None
    digest = hashes.get("sha256") if isinstance(hashes, dict) else None
    return PyLock(path, "pipenv", {k: tuple(v) for k, v in versions.items()},
                  manifest_hash=digest if isinstance(digest, str) else None)


def pipfile_hash(doc: dict[str, Any]) -> str | None:
    """The hash pipenv records in Pipfile.lock's ``_meta.hash.sha256`` (plette's ``get_hash``):
    the sources, requires and package sections, as sorted compact JSON. None for a Pipfile without
    ``[[source]]``: pipenv then hashes its built-in default index, which we do not spell out."""
    if "source" not in doc:
        return None
    data: dict[str, Any] = {
        "_meta": {"sources": doc["source"], "requires": doc.get("requires", {})},
        "default": doc.get("packages", {}),
        "develop": doc.get("dev-packages", {}),
    }
    for section, values in doc.items():
        if section in ("source", "requires", "packages", "dev-packages", "pipenv", "scripts", "default", "develop"):
            continue
        data[section] = values
    content = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(content.encode("utf8")).hexdigest()


# -- Poetry's constraints -> PEP 440 -----------------------------------------------------------
_POETRY_ATOM = re.compile(r"(\^|~(?!=)|~=|==|!=|>=|<=|>|<|=)?\s*v?([0-9][0-9A-Za-z.*+!-]*)")


def poetry_exact(constraint: str) -> str | None:
    """The version a Poetry constraint fixes (``1.2.3``, ``==1.2.3``, ``=1.2.3``), else None."""
    m = re.fullmatch(r"\s*(?:==|=)?\s*v?([0-9]+(?:\.[0-9]+)*(?:[A-Za-z0-9.+-]*))\s*", constraint)
    return m.group(1) if m and "*" not in m.group(1) else None


def _bump(parts: list[int], upto: int) -> str:
    """The release after ``parts`` at position ``upto`` (``[1, 2]``, 0 -> ``2``)."""
    head = parts[:upto + 1]
    head[-1] += 1
    return ".".join(str(x) for x in head)


def _poetry_atom(op: str, version: str) -> str:
    if version in ("*", ""):
        return ""
    if "*" in version:
        return f"=={version}"
    release = [int(x) for x in re.findall(r"\d+", version.split("-")[0].split("+")[0])[:3]] or [0]
    if op == "^":
        first = next((i for i, x in enumerate(release) if x != 0), len(release) - 1)
        return f">={version},<{_bump(release, first)}"
    if op == "~":
        return f">={version},<{_bump(release, 0 if len(release) == 1 else 1)}"
    if op in ("", "="):
        return f"=={version}"
    return f"{op}{version}"


def poetry_to_pep440(constraint: str) -> list[str] | None:
    """Alternatives (``||``) of a Poetry constraint as PEP 440 specifier strings ("" admits any);
    None when it cannot be read (never guess a verdict)."""
    out: list[str] = []
    for alt in re.split(r"\|\|?", constraint):
        alt = alt.strip()
        if alt in ("*", ""):
            out.append("")
            continue
        specs: list[str] = []
        for atom in re.split(r"\s*,\s*|\s+(?=[\^~<>=!0-9])", alt):
            if not atom:
                continue
            m = _POETRY_ATOM.fullmatch(atom.replace(" ", ""))
            if m is None:
                return None
            spec = _poetry_atom(m.group(1) or "", m.group(2))
            if spec:
                specs.append(spec)
        out.append(",".join(specs))
    return out


def admits(specifiers: list[str], versions: tuple[str, ...]) -> bool | None:
    """Does any locked version satisfy any of the alternatives? None when nothing can be judged."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    judged = False
    for text in specifiers:
        try:
            sset = SpecifierSet(text)
        except InvalidSpecifier:
            continue
        for v in versions:
            try:
                parsed = Version(v)
            except InvalidVersion:
                continue
            judged = True
            if sset.contains(parsed, prereleases=True):
                return True
    return False if judged else None
