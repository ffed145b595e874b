"""The GitHub Action and CI install nothing unpinned: their lock files are complete, hashed and
satisfy pyproject.toml (regenerate them as their ``requirements.in`` says when this fails)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.version import Version

from pinaudit.app import scan
from pinaudit.config import Config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "action" / "requirements.txt"
INPUT = ROOT / "action" / "requirements.in"
CI_LOCK = ROOT / ".ci" / "requirements.txt"


def _locked(lock: Path = LOCK) -> dict[str, list[tuple[Version, Marker | None, int]]]:
    """name -> [(version, marker, number of hashes)] from a compiled universal lock file (a name
    may appear once per Python range)."""
    out: dict[str, list[tuple[Version, Marker | None, int]]] = {}
    text = lock.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        spec, *hashes = re.split(r"\s+--hash=", line)
        req = Requirement(spec)
        (pin,) = list(req.specifier)
        assert pin.operator == "==", line
        out.setdefault(req.name.lower(), []).append((Version(pin.version), req.marker, len(hashes)))
    return out


def _project() -> dict[str, object]:
    data: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("lock", [LOCK, CI_LOCK], ids=["action", "ci"])
def test_every_locked_package_is_exact_and_hashed(lock: Path) -> None:
    locked = _locked(lock)
    assert locked
    for name, pins in locked.items():
        assert all(hashes >= 1 for _version, _marker, hashes in pins), name


def _check_satisfied(lock: Path, requirements: list[str]) -> None:
    locked = _locked(lock)
    for raw in requirements:
        req = Requirement(raw)
        for python in ("3.10", "3.11", "3.13"):
            env = {"python_version": python, "python_full_version": f"{python}.0", "extra": "test",
                   "platform_machine": "x86_64", "platform_python_implementation": "CPython",
                   "sys_platform": "linux"}
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            pins = [v for v, marker, _ in locked.get(req.name.lower(), []) if marker is None or marker.evaluate(env)]
            assert len(pins) == 1, f"{raw}: {len(pins)} pins for Python {python} in {lock} (regenerate it)"
            assert req.specifier.contains(pins[0], prereleases=True), f"{raw}: locked {pins[0]} does not satisfy"


def test_action_lock_satisfies_the_runtime_dependencies_and_build_backend() -> None:
    project, build = _project()["project"], _project()["build-system"]
    assert isinstance(project, dict) and isinstance(build, dict)
    _check_satisfied(LOCK, [*project["dependencies"], *build["requires"]])


def test_ci_lock_satisfies_runtime_and_test_dependencies_and_build_backend() -> None:
    project, build = _project()["project"], _project()["build-system"]
    assert isinstance(project, dict) and isinstance(build, dict)
    _check_satisfied(CI_LOCK, [*project["dependencies"], *project["optional-dependencies"]["test"],
                               *build["requires"], "editables"])


def test_lock_input_lists_every_runtime_dependency() -> None:
    wanted = {Requirement(r).name.lower() for r in _project()["project"]["dependencies"]}  # type: ignore[index]
    listed = {
        Requirement(line).name.lower()
        for line in INPUT.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert wanted <= listed


def test_pinaudit_finds_nothing_in_its_own_lock_files_and_ci_script() -> None:
    result = scan([ROOT / "action", ROOT / ".ci"], Config(root=ROOT), cwd=ROOT)
    assert [(f.location.path, f.rule) for f in result.report.findings] == []


def test_action_pins_every_action_by_commit_and_installs_from_the_lock() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses
    install = next(s["run"] for s in steps if s.get("id") == "install")
    assert "--require-hashes" in install and "action/requirements.txt" in install
    assert "--no-deps --no-build-isolation" in install
