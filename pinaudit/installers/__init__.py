"""Package managers: a shell Command -> the install sites it makes the build fetch.

One module per package manager (apt.py, apk.py, yum.py, pip.py, npm.py, gem.py, go.py, cargo.py,
conda.py, download.py; pyproj.py for uv sync/add, Poetry, PDM and pipenv); each holds its own flag
table (which flags take a value, subcommands and aliases) and is an
:class:`~pinaudit.installers.interface.Installer`: ``COMMANDS`` (the program names it handles,
from the table in programs.py) and ``sites(cmd, ctx) -> list[InstallSite]``.

Program names are matched exactly (``mydnf`` is not dnf), except the versioned spellings of pip
and python (``pip3.12``, ``python3.11 -m pip``), which are a pattern. Download-then-run is not a
program of its own: any command may execute a file fetched earlier, so the download module sees
every command, first, and keeps its memory of fetched files in :class:`DownloadTracker` across
the RUN instructions of a build.
"""

from __future__ import annotations

import importlib

from pinaudit.installers.interface import DownloadTracker, InstallContext
from pinaudit.installers.programs import PROGRAMS, owner_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.installers import apk, apt, cargo, conda, download, gem, go, npm, pip, pyproj, yum
    from pinaudit.installers.interface import Installer
    from pinaudit.model import InstallSite
    from pinaudit.parse.shell import Command

    # mypy holds every installer module to the Installer protocol here
    _INSTALLERS: tuple[Installer, ...] = (apk, apt, cargo, conda, download, gem, go, npm, pip, pyproj, yum)

__all__ = ["DownloadTracker", "InstallContext", "module_for", "registry", "sites"]


def registry() -> dict[str, Installer]:
    """Program name -> its module, every module imported (for tools and tests, not the scan)."""
    return {name: _load(owner) for name, owner in PROGRAMS.items()}


def _load(owner: str) -> Installer:
    module: Installer = importlib.import_module(f"pinaudit.installers.{owner}")
    return module


def module_for(name: str) -> Installer | None:
    """The installer module that handles program ``name``; None when no package manager does."""
    owner = owner_of(name)
    return _load(owner) if owner is not None else None


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    """Dispatch ``cmd`` to the package manager that owns its program name."""
    from pinaudit.installers import download

    out: list[InstallSite] = download.sites(cmd, ctx)
    module = module_for(cmd.name)
    if module is not None:
        out.extend(module.sites(cmd, ctx))
    if cmd.name == "uv":  # `uv pip`/`uv tool` are pip's; `uv sync`/`uv add` the project tools'
        from pinaudit.installers.pyproj import uv_sites

        out.extend(uv_sites(cmd, ctx))
    return out
