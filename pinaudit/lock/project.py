"""``pinaudit lock pyproject.toml`` for a project that already has a lock tool: run that tool.

A project managed by uv, Poetry or PDM is installed from *its* lockfile (``uv sync --locked``,
``poetry install``, ``pdm install --frozen-lockfile``), so a compiled requirements.txt beside it
would be a second, unused lock. The tool is told by the files present: its lockfile first
(``uv.lock``, ``poetry.lock``, ``pdm.lock``), then its ``[tool.*]`` table; a pyproject.toml with
neither keeps being compiled to requirements.txt (:mod:`pinaudit.lock.compile`).

uv runs from the wheel pinaudit depends on (never from PATH), with the host's uv configuration
scrubbed from the environment and the lock's index options given explicitly (``--at`` becomes
``--exclude-newer``); Poetry and PDM run from PATH, as the project's developers run them, and a
missing one is an :class:`~pinaudit.resolve.interface.Unresolved` value naming what to install.
The tool writes its lockfile itself, and only when it resolved.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from pinaudit.lock.compile import run_resolver
from pinaudit.resolve._pip import PipSettings, classify_failure, index_args, isolated_env
from pinaudit.resolve.dates import format_instant
from pinaudit.resolve.interface import Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.lock.core import LockOptions

__all__ = ["ProjectLock", "lock_project", "project_tool"]

LOCKFILE = {"uv": "uv.lock", "poetry": "poetry.lock", "pdm": "pdm.lock"}


@dataclass(frozen=True)
class ProjectLock:
    pyproject: Path  # absolute
    tool: str  # "uv", "poetry", "pdm"
    lockfile: Path  # what the tool writes
    outcome: str | Unresolved  # the command that ran, or why it could not


def project_tool(pyproject: Path) -> str | None:
    """The lock tool a project already uses; None when the files say none."""
    folder = pyproject.parent
    for tool, name in LOCKFILE.items():
        if (folder / name).is_file():
            return tool
    try:
        text = pyproject.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    from pinaudit.parse.toml_pos import TomlError, loads

    try:
        tables = loads(text).get("tool", {})
    except TomlError:
        return None
    return next((t for t in LOCKFILE if isinstance(tables, dict) and t in tables), None)


def lock_project(pyproject: Path, tool: str, options: LockOptions) -> ProjectLock:
    """Run the project's own lock command in its folder."""
    settings = options.pip or PipSettings()
    lockfile = pyproject.parent / LOCKFILE[tool]
    if tool == "uv":
        from pinaudit.resolve.uv import find_uv, uv_cache_args, uv_env

        argv = [find_uv(), "lock", "--no-python-downloads", "--quiet", *index_args(options)]
        if options.at is not None:
            argv += ["--exclude-newer", format_instant(options.at)]
        argv += uv_cache_args(settings, refresh=False)
        env = uv_env(settings)
    else:
        found = shutil.which(tool)
        if found is None:
            why = f"the project is locked with {tool} ({LOCKFILE[tool]}), which is not installed here; install it"
            return ProjectLock(pyproject, tool, lockfile, Unresolved(why))
        if options.at is not None:
            return ProjectLock(pyproject, tool, lockfile,
                               Unresolved(f"{tool} cannot lock as of a date (--at/--cooldown need uv)"))
        argv = [found, "lock"]
        env = isolated_env(None, settings.environ)
    code, _out, err = run_resolver(argv, pyproject.parent, env, settings.process_timeout)
    shown = f"{tool} lock"
    if code != 0:
        failure = classify_failure(err, options.index_url or "")
        return ProjectLock(pyproject, tool, lockfile, failure)
    return ProjectLock(pyproject, tool, lockfile, shown)
