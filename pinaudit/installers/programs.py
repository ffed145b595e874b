"""Program name -> the installer module that owns it: the one table of names.

Each module's ``COMMANDS`` is read from it, and the dispatcher imports only the module a command
needs (a pre-commit run on an apt-only Dockerfile never loads the npm or cargo tables).
"""

from __future__ import annotations

import re

PROGRAMS: dict[str, str] = {
    "apt-get": "apt", "apt": "apt", "aptitude": "apt",
    "apk": "apk",
    "yum": "yum", "dnf": "yum", "dnf5": "yum", "dnf-3": "yum", "microdnf": "yum", "tdnf": "yum", "zypper": "yum",
    "pip": "pip", "pip2": "pip", "pip3": "pip", "pipx": "pip", "uv": "pip", "uvx": "pip",
    "poetry": "pyproj", "pdm": "pyproj", "pipenv": "pyproj",
    "npm": "npm", "npx": "npm", "yarn": "npm", "pnpm": "npm", "pnpx": "npm", "bun": "npm", "bunx": "npm",
    "corepack": "npm",
    "gem": "gem",
    "go": "go",
    "cargo": "cargo",
    "conda": "conda", "mamba": "conda", "micromamba": "conda", "conda-lock": "conda", "pixi": "conda",
}  # fmt: skip
# the versioned spellings of pip and python (pip3.12, python3.11 -m pip): a pattern, not names
_VERSIONED_PIP = re.compile(r"pip\d+(\.\d+)?|python(\d+(\.\d+)?)?[mtw]?")


def commands_of(module: str) -> frozenset[str]:
    """The program names ``module`` owns (its COMMANDS)."""
    return frozenset(name for name, owner in PROGRAMS.items() if owner == module)


def owner_of(name: str) -> str | None:
    """The installer module (``"pip"``) that handles program ``name``; None when none does."""
    owner = PROGRAMS.get(name)
    if owner is None and _VERSIONED_PIP.fullmatch(name):
        owner = "pip"
    return owner
