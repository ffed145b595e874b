"""What ``lock`` and ``verify`` work on, found in the paths the user names, and the platform each
requirements input is locked for.

A lock is for the platform that installs it: when a Dockerfile in the tree installs a
requirements file (``pip install -r requirements.txt``), the Python version and platform come from
its base image (``FROM python:3.11-slim`` -> 3.11, linux; an Alpine tag -> musl), not from the
machine running ``lock`` (a lock made on a Mac for a Linux image is a common break). The
Dockerfile's installs come from the scan and :func:`pinaudit.simulation.installs.group_installs`,
the same site -> install code ``simulate`` uses.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.config import Config

__all__ = ["Platform", "Target", "dockerfiles_beside", "find_targets", "platforms_from_dockerfiles"]

_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox"})


@dataclass(frozen=True)
class Target:
    input: Path  # absolute: requirements.in, pyproject.toml, or a requirements file
    output: Path  # absolute: the compiled requirements.txt
    root: Path  # absolute: the tree the user named; nothing is written outside it


@dataclass(frozen=True)
class Platform:
    python_version: str
    platform: str
    musl: bool
    origin: str  # "Dockerfile:4 (python:3.11-slim)"


def _is_dockerfile(p: Path) -> bool:
    n = p.name.lower()
    return n == "dockerfile" or n.startswith("dockerfile.") or n.endswith(".dockerfile")


def _walk(root: Path) -> list[Path]:
    out: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        out += [Path(folder) / f for f in sorted(files)]
    return out


def find_targets(paths: Sequence[Path], cwd: Path) -> tuple[list[Target], list[Path], list[str]]:
    """Requirements inputs to lock, hashed requirements files and Dockerfiles found; problems
    with the paths as usage messages (the third item)."""
    targets: dict[Path, Target] = {}
    dockerfiles: list[Path] = []
    problems: list[str] = []
    for given in paths:
        path = (cwd / given).absolute()
        if not path.exists():
            problems.append(f"{given}: no such file or directory")
            continue
        if path.is_dir():
            root = path
            for f in _walk(path):
                if f.suffix == ".in" and not f.name.startswith("."):
                    targets.setdefault(f, Target(f, f.with_suffix(".txt"), root))
                elif _is_dockerfile(f):
                    dockerfiles.append(f)
            continue
        root = path.parent
        if _is_dockerfile(path):
            dockerfiles.append(path)
        elif path.suffix == ".in":
            targets.setdefault(path, Target(path, path.with_suffix(".txt"), root))
        elif path.name == "pyproject.toml":
            targets.setdefault(path, Target(path, path.with_name("requirements.txt"), root))
        elif path.with_suffix(".in").is_file():
            src = path.with_suffix(".in")
            targets.setdefault(src, Target(src, path, root))
        else:
            problems.append(f"{given}: a requirements file with no .in beside it; name its input "
                            "(requirements.in or pyproject.toml)")
    return list(targets.values()), dockerfiles, problems


def dockerfiles_beside(files: Sequence[Path]) -> list[Path]:
    """The Dockerfiles in the folders of ``files``: a requirements file named alone is still
    locked for the image that installs it."""
    out: list[Path] = []
    for folder in dict.fromkeys(f.parent for f in files):
        try:
            out += sorted(p for p in folder.iterdir() if p.is_file() and _is_dockerfile(p))
        except OSError:
            continue
    return out


def platforms_from_dockerfiles(dockerfiles: Sequence[Path], cwd: Path, config: Config | None = None,
                               context: Path | None = None) -> dict[Path, list[Platform]]:
    """Requirements file (absolute) -> the platforms of the Dockerfile RUNs that install it, from
    the sites' build context (``site.build``: the stage's base image, its Python version from
    the tag, ``FROM --platform``)."""
    from pinaudit.app import scan
    from pinaudit.config import Config as Default
    from pinaudit.model import Action, Ecosystem

    if not dockerfiles:
        return {}
    result = scan(list(dockerfiles), config or Default(), cwd=cwd, context=context)
    out: dict[Path, list[Platform]] = {}
    for site in result.report.sites:
        build = site.build
        if site.ecosystem is not Ecosystem.PIP or build is None or build.python is None:
            continue
        if site.via is not None:  # an entry of a requirements file the RUN installs
            path, where = cwd / site.location.path, site.via
        elif site.action is Action.REQUIREMENTS and site.spec:
            # the file is not there yet (the first lock writes it), so the scan could not follow
            # the COPY: the name `pip install -r` gives, beside the Dockerfile (its usual context)
            path, where = (cwd / site.location.path).parent / Path(site.spec).name, site.location
        else:
            continue
        base = build.base_image
        tag = (base.tag or "") if base else ""
        musl = "alpine" in tag or (build.suite or "").startswith("alpine")
        shown = f"{base.repository}:{tag}" if base else "?"
        plat = Platform(build.python, build.platform or "linux/amd64", musl, f"{where.path}:{where.line} ({shown})")
        found = out.setdefault(path.absolute(), [])
        if all((p.python_version, p.platform, p.musl) != (plat.python_version, plat.platform, plat.musl)
               for p in found):
            found.append(plat)
    return out
