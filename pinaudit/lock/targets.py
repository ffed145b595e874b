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

__all__ = ["Platform", "Target", "find_targets", "platforms_from_dockerfiles"]

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


def platforms_from_dockerfiles(dockerfiles: Sequence[Path], cwd: Path) -> dict[Path, list[Platform]]:
    """Requirements file (absolute) -> the platforms of the Dockerfile installs that install it."""
    from pinaudit.app import scan
    from pinaudit.config import Config
    from pinaudit.simulation.installs import group_installs, python_from_image

    if not dockerfiles:
        return {}
    result = scan(list(dockerfiles), Config(), cwd=cwd)
    kinds = {r.path: r.kind for r in result.results}
    out: dict[Path, list[Platform]] = {}
    from pinaudit.model import Action

    for inst in group_installs(result.report.sites, kinds, cwd):
        if inst.ecosystem != "pip" or inst.position is None:
            continue
        files = list(inst.files)
        if not files:
            # the file is not there yet (the first lock writes it): the scan cannot follow the COPY,
            # so take the name `pip install -r` gives, beside the Dockerfile (its usual build context)
            folder = (cwd / inst.path).parent
            files = [str(folder / Path(s.spec).name) for s in inst.sites
                     if s.action is Action.REQUIREMENTS and s.spec]
        base = inst.base
        python = python_from_image(base)
        if python is None:
            continue
        musl = bool(base and "alpine" in (base.tag or ""))
        origin = f"{inst.path}:{inst.line} ({inst.position.base_image})"
        for f in files:
            plat = Platform(python, "linux/amd64", musl, origin)
            if plat not in out.setdefault(Path(f), []):
                out[Path(f)].append(plat)
    return out
