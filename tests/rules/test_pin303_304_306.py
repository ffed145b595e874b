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
