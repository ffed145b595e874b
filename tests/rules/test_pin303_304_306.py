"""PIN303 (package.json range), PIN304 (lockfile drift), PIN306 (no lockfile at all)."""

from __future__ import annotations

import json

from tests.helpers import scan_files

PKG = """{
  "name": "app",
  "dependencies": {
    "express": "^4.18.0",
    "lodash": "4.17.21"
  },
  "peerDependencies": {
    "react": "*"
  }
}
"""


def _lock_v3(versions: dict[str, str]) -> str:
    packages: dict[str, object] = {"": {"name": "app", "dependencies": {"express": "^4.18.0", "lodash": "4.17.21"}}}
    for name, v in versions.items():
        packages[f"node_modules/{name}"] = {"version": v}
    return json.dumps({"name": "app", "lockfileVersion": 3, "requires": True, "packages": packages}, indent=2)


def _found(findings, *codes):
    return [(f.rule, f.location.span.line, f.package, f.severity.label) for f in findings if f.rule in codes]


def test_no_lockfile(tmp_path):
    found = _found(scan_files(tmp_path, {"package.json": PKG}), "PIN303", "PIN304", "PIN306")
    # PIN306 is about the file as a whole: line 1 (its first character, so SARIF has a region)
    assert found == [("PIN306", 1, None, "warning"), ("PIN303", 4, "express", "error")]


def test_lockfile_pins_range_info(tmp_path):
    files = {"package.json": PKG, "package-lock.json": _lock_v3({"express": "4.21.1", "lodash": "4.17.21"})}
    assert _found(scan_files(tmp_path, files), "PIN303", "PIN304", "PIN306") == [("PIN303", 4, "express", "info")]


def test_lockfile_drift(tmp_path):
    files = {"package.json": PKG, "package-lock.json": _lock_v3({"express": "3.0.0"})}
    found = _found(scan_files(tmp_path, files), "PIN303", "PIN304", "PIN306")
    assert found == [("PIN304", 4, "express", "error"), ("PIN304", 5, "lodash", "error")]


def test_peer_dependencies_are_not_installs(tmp_path):
    found = scan_files(tmp_path, {"package.json": '{"peerDependencies": {"react": "*"}}\n'})
    assert _found(found, "PIN303", "PIN306") == []


FORCED = """{
  "name": "app",
  "dependencies": {
    "express": "^4.18.0",
    "lodash": "^4.17.0"
  },
  %s
}
"""
_FORCED_LOCK = {"express": "5.0.1", "lodash": "4.17.21"}


def _forced(tmp_path, block, lock_name="package-lock.json", lock=None):
    files = {"package.json": FORCED % block, lock_name: lock if lock is not None else _lock_v3(_FORCED_LOCK)}
    return _found(scan_files(tmp_path, files), "PIN304")


def test_an_override_forces_the_locked_version_in_sync(tmp_path):
    # express is locked at 5.0.1, outside ^4.18.0, because the override says so
    assert _forced(tmp_path, '"overrides": {"express": "5.0.1"}') == []
    assert _forced(tmp_path / "b", '"overrides": {"express": {".": "5.0.1"}}') == []
    assert _forced(tmp_path / "c", '"resolutions": {"**/express": "5.0.1"}') == []
    assert _forced(tmp_path / "d", '"pnpm": {"overrides": {"express": "^5.0.0"}}') == []
    assert _forced(tmp_path / "e", '"overrides": {"express@^4": "5.0.1"}') == []


def test_an_override_that_does_not_reach_the_dependency_leaves_the_drift(tmp_path):
    # another version than the lock's; scoped under a parent; another package
    # (the override itself is not what the lockfile holds either: PIN304 at its own line)
    assert _forced(tmp_path, '"overrides": {"express": "5.1.0"}') == [
        ("PIN304", 4, "express", "error"), ("PIN304", 7, "express", "error")]
    assert _forced(tmp_path / "b", '"overrides": {"body-parser": {"express": "5.0.1"}}') == [
        ("PIN304", 4, "express", "error")]
    assert _forced(tmp_path / "c", '"resolutions": {"webpack/express": "5.0.1"}') == [
        ("PIN304", 4, "express", "error")]
    assert _forced(tmp_path / "d", '"pnpm": {"overrides": {"a>express": "5.0.1"}}') == [
        ("PIN304", 4, "express", "error")]
    assert _forced(tmp_path / "e", '"overrides": {"lodash": "4.17.21"}') == [("PIN304", 4, "express", "error")]


PNPM_FORCED = """lockfileVersion: '9.0'
overrides:
  express: 5.0.1
importers:
  .:
    dependencies:
      express:
        specifier: 5.0.1
        version: 5.0.1
      lodash:
        specifier: ^4.17.0
        version: 4.17.21
"""
YARN_FORCED = """# yarn lockfile v1


express@5.0.1, express@^4.18.0:
  version "5.0.1"

lodash@^4.17.0:
  version "4.17.21"
"""


def test_an_override_in_pnpm_and_yarn_lockfiles(tmp_path):
    # pnpm records the override as the importer's specifier; yarn resolves the range to the resolution
    assert _forced(tmp_path, '"pnpm": {"overrides": {"express": "5.0.1"}}', "pnpm-lock.yaml", PNPM_FORCED) == []
    assert _forced(tmp_path / "b", '"resolutions": {"express": "5.0.1"}', "yarn.lock", YARN_FORCED) == []
    # without the override, the same lockfiles have drifted
    assert _forced(tmp_path / "c", '"private": true', "pnpm-lock.yaml", PNPM_FORCED) == [
        ("PIN304", 4, "express", "error")]
    assert _forced(tmp_path / "d", '"private": true', "yarn.lock", YARN_FORCED) == [("PIN304", 4, "express", "error")]
