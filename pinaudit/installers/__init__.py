"""Package managers: a shell Command -> the install sites it makes the build fetch.

INTERFACE STUB. One module per package manager (apt.py, apk.py, yum.py, pip.py, npm.py, gem.py,
go.py, cargo.py, download.py); each holds its own flag table (which flags take a value,
subcommands and aliases) and exports ``COMMANDS: frozenset[str]`` (program names it handles) and
``def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pinaudit.model import InstallSite
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


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    """Dispatch ``cmd`` to the package manager that owns its program name."""
    raise NotImplementedError
