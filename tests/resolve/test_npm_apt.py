"""npm's picking rule and tree against the real npm on the loopback registry; apt's candidate at
an instant from the snapshot service, and what happens without one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pinaudit.index.http import Transport
from pinaudit.index.npm import parse_packument
from pinaudit.resolve.apt import CLOSURE_NOTE, AptResolver
from pinaudit.resolve.interface import AptRequest, NpmRequest, Resolution, Unresolved
from pinaudit.resolve.npm import NpmResolver, pick_version
from tests.indexes.history import CACHED, FRESH, fill_debian, fill_npm
from tests.indexes.servers import DebianServer, NpmServer, refused_url


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def _packument(**versions: tuple[str, bool]) -> dict[str, object]:
    """name-less packument: version -> (published, deprecated)."""
    return {"name": "p", "dist-tags": {"latest": "2.0.0"},
            "versions": {v: {"version": v, **({"deprecated": "no"} if dep else {})} for v, (_t, dep) in
                         versions.items()},
            "time": {v: t for v, (t, _dep) in versions.items()}}


def test_pick_latest_tag_when_it_satisfies_and_was_published() -> None:
    doc = _packument(**{"1.0.0": ("2020-01-01T00:00:00Z", False), "1.5.0": ("2021-01-01T00:00:00Z", False),
                        "2.0.0": ("2022-01-01T00:00:00Z", False), "2.1.0-beta.1": ("2023-01-01T00:00:00Z", False)})
    project = parse_packument("p", "http://x/", doc)
    assert pick_version(project, "*", None) == "2.0.0"
    assert pick_version(project, "^1.0.0", None) == "1.5.0"
    assert pick_version(project, "*", _utc("2021-06-01")) == "1.5.0"  # latest not published yet
    assert pick_version(project, "latest", _utc("2021-06-01")) == "1.5.0"  # a tag after T: highest <= it by then
    assert pick_version(project, "1.0.0", None) == "1.0.0"
    assert pick_version(project, "2.0.0", _utc("2021-06-01")) is None  # an exact version not yet published
    assert pick_version(project, "^3", None) is None


def test_pick_prefers_versions_not_deprecated() -> None:
    doc = _packument(**{"1.0.0": ("2020-01-01T00:00:00Z", False), "1.1.0": ("2021-01-01T00:00:00Z", True),
                        "2.0.0": ("2022-01-01T00:00:00Z", False)})
    assert pick_version(parse_packument("p", "http://x/", doc), "^1.0.0", None) == "1.0.0"


def _real_npm(registry: str, deps: dict[str, str], before: datetime, tmp: Path) -> list[tuple[str, str]]:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "package.json").write_text(json.dumps({"name": "probe", "version": "1.0.0", "dependencies": deps}))
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_config_")}
    env.update({"npm_config_userconfig": str(tmp / ".npmrc"), "npm_config_globalconfig": str(tmp / ".npmrc-g"),
                "npm_config_cache": str(tmp / ".npm-cache"), "npm_config_update_notifier": "false"})
    npm = shutil.which("npm")
    assert npm, "npm is preinstalled on this machine kind and .ci/run checks it"
    proc = subprocess.run([npm, "install", "--package-lock-only", f"--before={before:%Y-%m-%dT%H:%M:%SZ}",
                           "--registry", registry, "--no-audit", "--no-fund", "--ignore-scripts"],
                          cwd=tmp, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lock = json.loads((tmp / "package-lock.json").read_text())
    return sorted({(k.rsplit("node_modules/", 1)[1], v["version"]) for k, v in lock["packages"].items() if k})


def test_the_resolution_is_what_the_real_npm_locks(npm: NpmServer, transport: Transport, tmp_path: Path) -> None:
    fill_npm(npm)
    npm.add("util", "1.2.0", published="2023-06-01T10:00:00Z", deprecated="broken")
    npm.add("util", "1.3.0", published="2023-07-01T10:00:00Z", tag=None)
    npm.add("right", "3.1.0", published="2023-05-01T10:00:00Z", dependencies={"util": "^1.0.0", "left": "^1.0.0"})
    deps = {"left": "^1.0.0", "right": "^3.0.0", "util": "*"}
    resolver = NpmResolver(transport)
    for i, at in enumerate((CACHED, _utc("2023-08-01"), FRESH)):
        mine = resolver.resolve(NpmRequest(tuple(deps.items()), npm.url, at=at))
        assert isinstance(mine, Resolution), mine
        assert sorted((p.name, p.version) for p in mine.packages) == _real_npm(npm.url, deps, at, tmp_path / str(i))
    fresh = resolver.resolve(NpmRequest((("left", "^1"), ("right", "3.0.0")), npm.url, at=FRESH))
    assert isinstance(fresh, Resolution)
    assert sorted((p.name, p.version) for p in fresh.packages) == [
        ("left", "1.1.0"), ("right", "3.0.0"), ("util", "1.0.0"), ("util", "2.0.0")]  # util nested under right
    assert fresh.package("left") is not None and fresh.package("left").released == _utc("2024-03-01T10:00:00")  # type: ignore[union-attr]


def test_npm_failures(npm: NpmServer, transport: Transport) -> None:
    fill_npm(npm)
    resolver = NpmResolver(transport)
    none = resolver.resolve(NpmRequest((("left", "^9"),), npm.url))
    assert isinstance(none, Unresolved) and not none.unreachable and "left" in none.reason
    down = resolver.resolve(NpmRequest((("left", "^1"),), refused_url()))
    assert isinstance(down, Unresolved) and down.unreachable
    locked = resolver.resolve(NpmRequest((("left", "^1"),), npm.url, locked=(("left", "1.0.0"), ("util", "1.0.0"))))
    assert isinstance(locked, Resolution) and locked.versions() == {"left": "1.0.0", "util": "1.0.0"}
    assert "lockfile" in locked.notes[0]


def _apt(debian: DebianServer, *, snapshot: bool, at: datetime | None,
         packages: tuple[tuple[str, str | None], ...] = (("curl", None), ("ca-certificates", None))) -> AptRequest:
    return AptRequest(packages, debian.mirror("debian"), "bookworm", debian.mirror("debian-security"),
                      debian.snapshot if snapshot else None, at=at)


def test_apt_candidates_then_and_now(debian: DebianServer, transport: Transport) -> None:
    fill_debian(debian)
    resolver = AptResolver(transport)
    cached = resolver.resolve(_apt(debian, snapshot=True, at=CACHED))
    now = resolver.resolve(_apt(debian, snapshot=True, at=None))
    assert isinstance(cached, Resolution) and isinstance(now, Resolution), (cached, now)
    assert cached.versions() == {"ca-certificates": "20230311", "curl": "7.86.0-2"}
    assert now.versions() == {"ca-certificates": "20230311", "curl": "7.88.1-10+deb12u5"}
    assert CLOSURE_NOTE in now.notes  # the dependency closure is out of scope, and said so
    gone = resolver.resolve(_apt(debian, snapshot=True, at=None, packages=(("curl", "7.86.0-2"),)))
    assert isinstance(gone, Unresolved) and "the build fails" in gone.reason and not gone.unreachable


def test_apt_without_a_snapshot_service_does_not_guess_the_past(debian: DebianServer, transport: Transport) -> None:
    fill_debian(debian)
    got = AptResolver(transport).resolve(_apt(debian, snapshot=False, at=CACHED))
    assert isinstance(got, Unresolved) and not got.unreachable
    assert "no snapshot service configured" in got.reason
    assert debian.hits() == 0  # nothing asked: the answer is known without the network


@pytest.mark.parametrize("snapshot", [False, True])
def test_apt_unreachable(transport: Transport, snapshot: bool) -> None:
    down = refused_url().rstrip("/")
    got = AptResolver(transport).resolve(AptRequest((("curl", None),), down + "/debian", "bookworm",
                                                    snapshot=down if snapshot else None,
                                                    at=CACHED if snapshot else None))
    assert isinstance(got, Unresolved) and got.unreachable, got
