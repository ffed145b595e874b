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

import importlib
import re
from collections.abc import Callable, Mapping
from types import ModuleType

from pinaudit.model import InstallSite

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.parse.shell import Command


# Plain classes, not dataclasses: importing ``dataclasses`` alone costs a pre-commit run ~10 ms.


class DownloadTracker:
    """Files fetched by curl/wget/ADD earlier in the build, so running one later is caught."""

    __slots__ = ("fetched", "verified")

    def __init__(self) -> None:
        self.fetched: dict[str, str] = {}  # path in the image -> URL
        self.verified: set[str] = set()  # paths whose checksum was checked


def _no_constraints(_path: str) -> Mapping[str, str] | None:
    return None


def _no_manifest() -> tuple[frozenset[str], frozenset[str]] | None:
    return None


class InstallContext:
    """What an installer module may ask about the file and the place a command runs in."""

    __slots__ = ("downloads", "in_dockerfile", "npm_local", "path", "read_constraints", "read_manifest", "workdir")

    def __init__(
        self,
        path: str,  # display path of the file being analysed
        in_dockerfile: bool = True,  # scripts and workflows are "scripts" for PIN302 wording
        workdir: str = "/",  # current WORKDIR (Dockerfile) for relative paths
        # pip -c FILE on a command line: returns {normalised name: exact version} or None if not found
        read_constraints: Callable[[str], Mapping[str, str] | None] = _no_constraints,
        downloads: DownloadTracker | None = None,
        # npm packages installed into the project's node_modules so far (this stage / script):
        # `npx NAME` runs that copy instead of fetching one
        npm_local: set[str] | None = None,
        # the package.json an `npm ci` / `yarn install` here installs: (dependencies, devDependencies)
        read_manifest: Callable[[], tuple[frozenset[str], frozenset[str]] | None] = _no_manifest,
    ) -> None:
        self.path = path
        self.in_dockerfile = in_dockerfile
        self.workdir = workdir
        self.read_constraints = read_constraints
        self.downloads = downloads if downloads is not None else DownloadTracker()
        self.npm_local = npm_local if npm_local is not None else set()
        self.read_manifest = read_manifest


_VERSIONED_PIP = re.compile(r"pip\d+(\.\d+)?|python(\d+(\.\d+)?)?[mtw]?")
# Program name -> the module that owns it. The one table of names: each module's COMMANDS is read
# from it, and only the module a command needs is imported (a pre-commit run on an apt-only
# Dockerfile never loads the npm or cargo tables).
PROGRAMS: dict[str, str] = {
    "apt-get": "apt", "apt": "apt", "aptitude": "apt",
    "apk": "apk",
    "yum": "yum", "dnf": "yum", "dnf5": "yum", "dnf-3": "yum", "microdnf": "yum", "tdnf": "yum", "zypper": "yum",
    "pip": "pip", "pip2": "pip", "pip3": "pip", "pipx": "pip", "uv": "pip", "uvx": "pip",
    "npm": "npm", "npx": "npm", "yarn": "npm", "pnpm": "npm", "pnpx": "npm", "bun": "npm", "bunx": "npm",
    "corepack": "npm",
    "gem": "gem",
    "go": "go",
    "cargo": "cargo",
}  # fmt: skip


def commands_of(module: str) -> frozenset[str]:
    """The program names ``module`` owns (its COMMANDS)."""
    return frozenset(name for name, owner in PROGRAMS.items() if owner == module)


def registry() -> dict[str, ModuleType]:
    """Program name -> its module, every module imported (for tools and tests, not the scan)."""
    return {name: _load(owner) for name, owner in PROGRAMS.items()}


def _load(owner: str) -> ModuleType:
    return importlib.import_module(f"pinaudit.installers.{owner}")


def module_for(name: str) -> ModuleType | None:
    owner = PROGRAMS.get(name)
    if owner is None and _VERSIONED_PIP.fullmatch(name):
        owner = "pip"
    return _load(owner) if owner is not None else None


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    """Dispatch ``cmd`` to the package manager that owns its program name."""
    from pinaudit.installers import download

    out: list[InstallSite] = download.sites(cmd, ctx)
    module = module_for(cmd.name)
    if module is not None:
        found: list[InstallSite] = module.sites(cmd, ctx)
        out.extend(found)
    return out
