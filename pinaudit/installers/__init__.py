"""Package managers: a shell Command -> the install sites it makes the build fetch.

One module per package manager (apt.py, apk.py, yum.py, pip.py, npm.py, gem.py, go.py, cargo.py,
download.py); each holds its own flag table (which flags take a value, subcommands and aliases)
and exports ``COMMANDS: frozenset[str]`` (program names it handles) and
``def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]``.

Program names are matched exactly (``mydnf`` is not dnf), except the versioned spellings of pip
and python (``pip3.12``, ``python3.11 -m pip``), which are a pattern. Download-then-run is not a
program of its own: any command may execute a file fetched earlier, so the download module sees
every command, first, and keeps its memory of fetched files in :class:`DownloadTracker` across
the RUN instructions of a build.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

from pinaudit.model import InstallSite

if TYPE_CHECKING:
    from pinaudit.parse.shell import Command


@dataclass
class DownloadTracker:
    """Files fetched by curl/wget/ADD earlier in the build, so running one later is caught."""

    fetched: dict[str, str] = field(default_factory=dict)  # path in the image -> URL
    verified: set[str] = field(default_factory=set)  # paths whose checksum was checked


@dataclass
class InstallContext:
    path: str  # display path of the file being analysed
    in_dockerfile: bool = True  # scripts and workflows are "scripts" for PIN302 wording
    workdir: str = "/"  # current WORKDIR (Dockerfile) for relative paths
    # pip -c FILE on a command line: returns {normalised name: exact version} or None if not found
    read_constraints: Callable[[str], Mapping[str, str] | None] = lambda _p: None
    downloads: DownloadTracker = field(default_factory=DownloadTracker)


_VERSIONED_PIP = re.compile(r"pip\d+(\.\d+)?|python(\d+(\.\d+)?)?[mtw]?")
_REGISTRY: dict[str, ModuleType] | None = None


def registry() -> dict[str, ModuleType]:
    """Program name -> the module that owns it (imported on first use: startup stays cheap)."""
    global _REGISTRY
    if _REGISTRY is None:
        from pinaudit.installers import apk, apt, cargo, gem, go, npm, pip, yum

        table: dict[str, ModuleType] = {}
        for module in (apt, apk, yum, pip, npm, gem, go, cargo):
            for name in module.COMMANDS:
                table[name] = module
        _REGISTRY = table
    return _REGISTRY


def module_for(name: str) -> ModuleType | None:
    found = registry().get(name)
    if found is None and _VERSIONED_PIP.fullmatch(name):
        from pinaudit.installers import pip

        return pip
    return found


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    """Dispatch ``cmd`` to the package manager that owns its program name."""
    from pinaudit.installers import download

    out: list[InstallSite] = download.sites(cmd, ctx)
    module = module_for(cmd.name)
    if module is not None:
        found: list[InstallSite] = module.sites(cmd, ctx)
        out.extend(found)
    return out
