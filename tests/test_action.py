"""The GitHub Action installs nothing unpinned: its lock file is complete, hashed and current."""

from __future__ import annotations

import re
import sys
from pathlib import Path

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


def _locked() -> dict[str, tuple[Version, Marker | None, int]]:
    """name -> (version, marker, number of hashes) from the compiled lock file."""
    out: dict[str, tuple[Version, Marker | None, int]] = {}
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        spec, *hashes = re.split(r"\s+--hash=", line)
        req = Requirement(spec)
        (pin,) = list(req.specifier)
        assert pin.operator == "==", line
        out[req.name.lower()] = (Version(pin.version), req.marker, len(hashes))
    return out


def _project() -> dict[str, object]:
    data: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data


def test_every_locked_package_is_exact_and_hashed() -> None:
    locked = _locked()
    assert locked
    for name, (_version, _marker, hashes) in locked.items():
        assert hashes >= 1, name


def test_lock_satisfies_the_runtime_dependencies_and_build_backend() -> None:
    locked = _locked()
    project = _project()["project"]
    build = _project()["build-system"]
    assert isinstance(project, dict) and isinstance(build, dict)
    for raw in [*project["dependencies"], *build["requires"]]:
        req = Requirement(raw)
        for python in ("3.10", "3.12"):
            env = {"python_version": python, "python_full_version": f"{python}.0"}
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            assert req.name.lower() in locked, f"{raw}: not in {LOCK.name} (regenerate it)"
            version, marker, _ = locked[req.name.lower()]
            assert marker is None or marker.evaluate(env), f"{raw} locked only for other Pythons"
            assert req.specifier.contains(version, prereleases=True), f"{raw}: locked {version} does not satisfy"


def test_lock_input_lists_every_runtime_dependency() -> None:
    wanted = {Requirement(r).name.lower() for r in _project()["project"]["dependencies"]}  # type: ignore[index]
    listed = {
        Requirement(line).name.lower()
        for line in INPUT.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert wanted <= listed


def test_pinaudit_finds_nothing_in_its_own_lock_files() -> None:
    result = scan([ROOT / "action"], Config(root=ROOT), cwd=ROOT)
    assert [f.rule for f in result.report.findings] == []


def test_action_pins_every_action_by_commit_and_installs_from_the_lock() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses
    install = next(s["run"] for s in steps if s.get("id") == "install")
    assert "--require-hashes" in install and "action/requirements.txt" in install
    assert "--no-deps --no-build-isolation" in install
