"""Paths -> the files pinaudit audits, each with its kind (SPEC §3).

Directories are walked without following symlinks (a symlink loop cannot trap us) and skip what
never holds a project's own install instructions (``.git``, ``node_modules``, virtualenvs). Inside
a git work tree, ``.gitignore`` is honoured by asking git once for the whole tree (one process, not
one per file); outside one, or without git, every file is considered.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "bower_components", "__pycache__", ".tox", ".nox", ".venv", "venv",
     ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "site-packages", ".terraform"}
)
LOCKFILES = frozenset({"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"})
CONDA_LOCKFILES = frozenset({"conda-lock.yml", "conda-lock.yaml", "pixi.lock"})
CONDA_ENV_NAMES = ("environment.yml", "environment.yaml")
# Python lockfiles: a changed one alone is audited through the project file beside it
PY_LOCKFILES = {"uv.lock": "pyproject.toml", "poetry.lock": "pyproject.toml", "pdm.lock": "pyproject.toml",
                "pylock.toml": "pyproject.toml", "Pipfile.lock": "Pipfile"}
FORCEABLE_KINDS = ("dockerfile", "requirements", "package.json", "compose", "shell", "workflow", "conda-env", "pixi",
                   "pyproject.toml", "Pipfile")

# File kinds by name: ONE table for directory discovery and the pre-commit hook's ``files``
# pattern (tests/test_discover_table.py checks .pre-commit-hooks.yaml against hook_files_pattern()).
# Rows are (kind, pattern over the '/'-separated path, case-sensitive?). Discovery takes the first
# row that matches, so a folder (.github/workflows/, requirements/) and an extension (.sh) outrank
# a name prefix: .github/workflows/dockerfile-lint.yml is a workflow, scripts/dockerfile-check.sh
# a script.
KIND_TABLE: tuple[tuple[str, str, bool], ...] = (
    ("workflow", r"(?:^|/)\.github/workflows/[^/]+\.ya?ml$", True),
    ("requirements", r"(?:^|/)requirements/[^/]+\.(?:txt|in)$", False),
    ("shell", r"\.(?:sh|bash)$", False),
    ("compose", r"(?:^|/)(?:docker-)?compose[^/]*\.ya?ml$", False),
    ("package.json", r"(?:^|/)package\.json$", False),
    # conda environment files: environment.yml, environment-dev.yaml, conda-environment.yml,
    # ci/environment_py311.yml (a file without dependencies: is said to be no environment file)
    ("conda-env", r"(?:^|/)(?:[^/]*[._-])?environment(?:[._-][^/]*)?\.ya?ml$", False),
    ("pixi", r"(?:^|/)pixi\.toml$", False),
    ("pyproject.toml", r"(?:^|/)pyproject\.toml$", False),
    ("Pipfile", r"(?:^|/)Pipfile$", True),
    ("requirements", r"(?:^|/)[^/]*requirements[^/]*\.(?:txt|in)$", False),
    ("requirements", r"(?:^|/)constraints[^/]*\.txt$", False),
    ("dockerfile", r"(?:^|/)(?:docker|container)file(?:[._-][^/]*)?$", False),
    ("dockerfile", r"(?:^|/)[^/]+\.(?:docker|container)file$", False),
)
# What the hook passes beyond the table: lockfiles (pinaudit audits the package.json beside a
# changed one) and extensionless files (bin/bootstrap may be a script; the shebang decides).
HOOK_EXTRA: tuple[str, ...] = (
    r"(?:^|/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|conda-lock\.ya?ml|pixi\.lock)$",
    r"(?:^|/)(?:uv\.lock|poetry\.lock|pdm\.lock|pylock(?:\.[^/.]+)?\.toml|Pipfile\.lock)$",
    r"(?:^|/)[^/.]+$",
)
_KIND_RULES = tuple((kind, re.compile(pat, 0 if cs else re.I)) for kind, pat, cs in KIND_TABLE)
_DOCKERFILE_PREFIX = re.compile(r"^(?:docker|container)file[._-]", re.I)


def hook_files_pattern() -> str:
    """The pre-commit hook's ``files`` regex: every row of the table, and the hook's extras."""
    rows = [pat if cs else f"(?i:{pat})" for _, pat, cs in KIND_TABLE] + list(HOOK_EXTRA)
    return "(?x)(\n    " + "\n  | ".join(rows) + "\n)\n"


_DOC_SUFFIXES = (".md", ".rst", ".txt", ".json", ".yml", ".yaml", ".sh", ".html", ".j2", ".tpl", ".orig", ".bak")
# `dockerfile.py` is usually source code and `Dockerfile.php` usually the PHP image's Dockerfile
# (both are in the wild): with these suffixes the content decides (see _sniff_kind).
_CODE_SUFFIXES = (
    ".py", ".pyi", ".go", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".rb", ".java", ".kt", ".rs", ".c", ".h",
    ".cc", ".cpp", ".cs", ".php", ".pl", ".lua", ".swift", ".scala", ".groovy", ".toml", ".ini", ".cfg", ".xml",
    ".lock", ".log", ".patch", ".diff", ".png", ".svg", ".jpg", ".gif", ".pdf", ".zip", ".gz", ".swp", ".bat",
    ".ps1", ".cmd", ".pyc",
)


class Target(NamedTuple):
    path: Path
    kind: str
    explicit: bool  # named on the command line: unreadable means exit 2, not a finding


def kind_of(path: Path) -> str | None:
    """The kind a file has by its name alone (None: not ours, or its content must decide)."""
    posix = path.as_posix()
    kind = next((k for k, rule in _KIND_RULES if rule.search(posix)), None)
    if kind is None:
        return None
    if kind == "dockerfile":
        lower = path.name.lower()
        # Dockerfile.md, dockerfile-lint.yml, Dockerfile_notes.txt: docs and helpers named after
        # the Dockerfile they are about
        if _DOCKERFILE_PREFIX.match(lower) and lower.endswith(_DOC_SUFFIXES):
            return None
        if lower.endswith(_CODE_SUFFIXES):
            return None  # ambiguous: _maybe_dockerfile reads it
    return kind


class UnknownKindError(ValueError):
    """An explicit file whose name and first lines match no kind we read (exit 2)."""


# A Dockerfile's first instruction is a well-formed FROM (``FROM [--flag...] image [AS name]``),
# or an ARG before it; comments and parser directives may come first. Prose is not sniffed as
# one: a LICENSE saying "From time to time..." has too many words for a FROM.
_FIRST_INSTRUCTION = re.compile(
    rb"(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*"
    rb"(?:FROM(?:[ \t]+--\S+)*[ \t]+\S+(?:[ \t]+AS[ \t]+\S+)?|ARG[ \t]+[A-Za-z_][A-Za-z0-9_]*(?:=\S*)?)"
    rb"[ \t]*(?:\r?\n|$)",
    re.I,
)
_SHEBANG_SH = re.compile(rb"#!\s*\S*/(?:env\s+)?(?:ba|da|a|z|k)?sh\b")


_SCRIPT_DIRS = frozenset({"bin", "scripts", "script", "tools", "hack", "ci", ".devcontainer", "docker"})


def _extensionless_script(path: Path) -> bool:
    """``bin/bootstrap`` with a sh/bash shebang is a shell script too (issue 3).

    Only names without a suffix are looked at, and only where scripts live or when marked
    executable, so a walk does not open every file of a large tree.
    """
    if "." in path.name:
        return False
    try:
        if path.parent.name not in _SCRIPT_DIRS and not os.stat(path).st_mode & 0o111:
            return False
    except OSError:
        return False
    head = _head(path, 128)
    return head is not None and bool(_SHEBANG_SH.match(head))


def _maybe_dockerfile(path: Path) -> bool:
    """A Dockerfile-like name with a source-code suffix (``Dockerfile.php``) whose content starts
    like a Dockerfile; ``pinaudit/parse/dockerfile.py`` does not."""
    lower = path.name.lower()
    if not (_DOCKERFILE_PREFIX.match(lower) and lower.endswith(_CODE_SUFFIXES)):
        return False
    head = _head(path)
    return head is not None and _starts_like_dockerfile(head)


def _head(path: Path, size: int = 4096) -> bytes | None:
    """The first bytes of a regular file; None for anything else or what cannot be read (opening a
    named pipe would block the scan)."""
    try:
        if not path.is_file():
            return None
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError:
        return None


def _starts_like_dockerfile(head: bytes) -> bool:
    return bool(_FIRST_INSTRUCTION.match(head.lstrip(b"\xef\xbb\xbf")))


def _sniff_kind(path: Path) -> str | None:
    """The kind of an explicitly named file whose name says nothing (``ci/build-image``)."""
    head = _head(path)
    if head is None:
        return "dockerfile"  # let the reader report why it cannot be read
    if _SHEBANG_SH.match(head):
        return "shell"
    return "dockerfile" if _starts_like_dockerfile(head) else None


def _git_listing(root: Path) -> set[str] | None:
    """Files git does not ignore below root (tracked or not), or None outside a work tree."""
    import subprocess  # only directory walks need it: a one-file pre-commit run skips the import

    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name"],
            capture_output=True, timeout=60, check=False,
        )
        top = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0 or top.returncode != 0:
        return None
    base = Path(os.fsdecode(top.stdout.strip()))
    return {os.path.normpath(base / os.fsdecode(p)) for p in proc.stdout.split(b"\0") if p}


def _walk(root: Path, exclude: tuple[str, ...]) -> Iterator[Path]:
    allowed = _git_listing(root)
    # git names files by their real path; the walk names them through ``root``, which may pass
    # through a symlink (a linked checkout, macOS's /tmp): compare in git's terms, or every file
    # is "ignored" and the scan reports a silent clean
    real_root = os.path.realpath(root)
    abs_root = os.path.abspath(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=None):
        # sorted so output is stable across filesystems; virtualenvs are recognised by pyvenv.cfg
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIP_DIRS and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))
        )
        for name in sorted(filenames):
            p = Path(dirpath, name)
            if allowed is not None and _real(p, abs_root, real_root) not in allowed:
                continue
            if exclude and _excluded(p, root, exclude):
                continue
            yield p


def _real(path: Path, abs_root: str, real_root: str) -> str:
    """``path`` (found below ``abs_root`` without following links) named below the real root."""
    return os.path.normpath(os.path.join(real_root, os.path.relpath(os.path.abspath(path), abs_root)))


def _excluded(path: Path, root: Path, patterns: tuple[str, ...]) -> bool:
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    return any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(path.name, pat) for pat in patterns)


def discover(
    paths: Iterable[Path],
    *,
    force_kind: str | None = None,
    exclude: tuple[str, ...] = (),
    ignore_unknown: bool = False,
    empty: list[Path] | None = None,
) -> list[Target]:
    """Explicit files are taken whatever their name; directories are walked for known kinds.

    Raises OSError for an explicit path that does not exist (the CLI turns it into exit 2), and
    UnknownKindError for an explicit file whose kind cannot be told, unless ``ignore_unknown``
    (``--ignore-unknown``: a pre-commit hook hands over every extensionless file of a commit,
    and only the shell scripts among them are ours). Directories that hold no file of a known
    kind are appended to ``empty``, so the caller can say that nothing was audited there.
    """
    out: list[Target] = []
    seen: set[str] = set()
    for raw in paths:
        if raw.is_dir():
            before = len(out)
            for p in _walk(raw, exclude):
                kind = kind_of(p) or (
                    "dockerfile" if _maybe_dockerfile(p) else "shell" if _extensionless_script(p) else None
                )
                if kind is None:
                    continue
                key = os.path.normpath(os.path.abspath(p))
                if key not in seen:
                    seen.add(key)
                    out.append(Target(p, kind, explicit=False))
            if empty is not None and len(out) == before:
                empty.append(raw)
            continue
        if not raw.exists() and not raw.is_symlink():
            raise FileNotFoundError(f"{raw}: no such file or directory")
        if force_kind is None and raw.name in LOCKFILES:
            # a lockfile alone (pre-commit passes only what changed) is audited through the
            # package.json it locks, so a lockfile-only commit still gets the drift check
            manifest = raw.parent / "package.json"
            if not manifest.is_file():
                continue
            raw = manifest
        elif force_kind is None and raw.name in CONDA_LOCKFILES:
            # likewise a conda-lock.yml is audited through the environment file it was made from
            envs = [raw.parent / n for n in CONDA_ENV_NAMES if (raw.parent / n).is_file()]
            if raw.name == "pixi.lock":
                envs = [raw.parent / "pixi.toml"] if (raw.parent / "pixi.toml").is_file() else []
            if not envs:
                continue
            raw = envs[0]
        elif force_kind is None and (raw.name in PY_LOCKFILES or re.fullmatch(r"pylock\.[^/.]+\.toml", raw.name)):
            manifest = raw.parent / PY_LOCKFILES.get(raw.name, "pyproject.toml")
            if not manifest.is_file():
                continue
            raw = manifest
        kind = force_kind or kind_of(raw) or _sniff_kind(raw)
        if kind is None:
            if ignore_unknown:
                continue
            raise UnknownKindError(f"{raw}: cannot tell what kind of file this is; name it with --kind")
        key = os.path.normpath(os.path.abspath(raw))
        if key not in seen:
            seen.add(key)
            out.append(Target(raw, kind, explicit=True))
    return out
