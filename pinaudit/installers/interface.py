"""The installer layer's interface: what a package manager module is, and what it may ask.

An installer module (apt.py, pip.py, ...) is an :class:`Installer`: the program names it owns and
a ``sites`` function that turns one shell command into the install sites the build would fetch.
The :class:`InstallContext` is everything such a module may know about where the command runs
(the file, the WORKDIR, files fetched earlier, what a constraints file pins); the analyzers build
it, the installer modules only read it (and record downloads and local npm packages in it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    from pinaudit.model import InstallSite
    from pinaudit.parse.shell import Command
    from pinaudit.site_context import RequirementParts

    class Installer(Protocol):
        """One package manager module, e.g. :mod:`pinaudit.installers.apt`."""

        # program names this module handles (read from the PROGRAMS table of programs.py)
        COMMANDS: frozenset[str]

        def sites(self, cmd: Command, ctx: InstallContext) -> list[InstallSite]:
            """The install sites ``cmd`` makes the build fetch (none when it installs nothing)."""
            ...


# Plain classes, not dataclasses: importing ``dataclasses`` alone costs a pre-commit run ~10 ms.


class DownloadTracker:
    """Files fetched by curl/wget/ADD earlier in the build, so running one later is caught."""

    __slots__ = ("checked", "fetched", "verified")

    def __init__(self) -> None:
        self.fetched: dict[str, str] = {}  # path in the image -> URL
        self.verified: set[str] = set()  # paths whose checksum was checked
        self.checked: set[str] = set()  # of those, the ones a checksum or signature check named


def _no_constraints(_path: str) -> Mapping[str, str] | None:
    return None


def _no_manifest() -> tuple[frozenset[str], frozenset[str]] | None:
    return None


def _no_constraint_file(_path: str) -> tuple[RequirementParts, ...] | None:
    return None


_NO_ENV: Mapping[str, str | None] = {}


class InstallContext:
    """What an installer module may ask about the file and the place a command runs in."""

    __slots__ = (
        "downloads", "env", "exported", "in_dockerfile", "locate", "npm_local", "path", "read_constraint_file",
        "read_constraints", "read_manifest", "relocked", "workdir",
    )  # fmt: skip

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
        # pip -c FILE: every constraint the file gives (ranges too), for the sites' PipIndex
        read_constraint_file: Callable[[str], tuple[RequirementParts, ...] | None] = _no_constraint_file,
        # variables the command runs with (a Dockerfile stage's ARG/ENV; None: unknown value), where
        # pip reads PIP_INDEX_URL and friends
        env: Mapping[str, str | None] = _NO_ENV,
        # a file the command names (``poetry.lock`` of the project it installs), as the build or
        # script would find it; None: we cannot look, so nothing is judged by a file's absence
        locate: Callable[[str], Path | None] | None = None,
    ) -> None:
        self.path = path
        self.in_dockerfile = in_dockerfile
        self.workdir = workdir
        self.read_constraints = read_constraints
        self.downloads = downloads if downloads is not None else DownloadTracker()
        self.npm_local = npm_local if npm_local is not None else set()
        self.read_manifest = read_manifest
        self.read_constraint_file = read_constraint_file
        self.env = env
        self.locate = locate
        # "poetry:DIR" / "pdm:DIR" / "uv:DIR": projects re-locked earlier in this RUN or script
        self.relocked: set[str] = set()
        # requirements files written earlier in this RUN or script from a project's lockfile
        # (``uv export -o FILE``): path as written -> (the command that wrote it, with hashes)
        self.exported: dict[str, tuple[str, bool]] = {}

    def command_env(self, cmd: Command) -> Mapping[str, str | None]:
        """The variables ``cmd`` runs with: the context's, and its own ``VAR=x`` / ``env VAR=x``."""
        if not cmd.assignments:
            return self.env
        return {**self.env, **dict(cmd.assignments)}


def in_ci(env: Mapping[str, str | None]) -> bool:
    """Whether a tool that asks ``ci-info`` (pnpm, yarn berry) believes it runs in CI: ``CI`` set to
    anything but "" or "false" (ci-info's own test, so ``CI=0`` counts). An unknown value (``ARG CI``
    without a default, which ``docker build`` leaves unset unless told) is not CI."""
    value = env.get("CI")
    return value is not None and value.strip() not in ("", "false")
