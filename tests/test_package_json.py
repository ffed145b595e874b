"""package.json: catches / catches-not over (ecosystem, action, package, pin, lock, line)."""

from __future__ import annotations

import json
from pathlib import Path

from pinaudit.analyzers import ScanOptions, SourceFile
from pinaudit.analyzers import package_json as pj
from pinaudit.model import FileResult

Row = tuple[str, str, "str | None", str, str, int]


def run(directory: Path, text: str, root: Path | None = None) -> FileResult:
    directory.mkdir(parents=True, exist_ok=True)
    p = directory / "package.json"
    p.write_text(text)
    opts = ScanOptions(cwd=root or directory, repo_root=root)
    return pj.analyze(SourceFile(p, "package.json", text, "package.json"), opts)


def rows(r: FileResult) -> list[Row]:
    return [(s.ecosystem.value, s.action.value, s.package, s.pin.value, s.lock.value, s.location.line) for s in r.sites]


MANIFEST = """{
  "name": "app",
  "dependencies": {
    "exact": "1.2.3",
    "eq": "=1.2.3",
    "vee": "v1.2.3",
    "caret": "^1.2.3",
    "tag": "latest",
    "star": "*",
    "empty": "",
    "local": "file:../lib",
    "gitsha": "github:o/r#0123456789abcdef0123456789abcdef01234567",
    "gitbranch": "o/r#main",
    "tarball": "https://example.com/x-1.0.0.tgz",
    "alias": "npm:other@2.0.0"
  },
  "devDependencies": {"dev": "~2.0.0"},
  "optionalDependencies": {"opt": "3.0.0"},
  "peerDependencies": {"peer": "^1"}
}
"""


def test_no_lockfile(tmp_path: Path) -> None:
    r = run(tmp_path, MANIFEST)
    assert not r.diagnostics
    assert rows(r) == [
        ("npm", "install", "exact", "exact", "no-lockfile", 4),
        ("npm", "install", "eq", "exact", "no-lockfile", 5),
        ("npm", "install", "vee", "exact", "no-lockfile", 6),
        ("npm", "install", "caret", "unpinned", "no-lockfile", 7),
        ("npm", "install", "tag", "unpinned", "no-lockfile", 8),
        ("npm", "install", "star", "unpinned", "no-lockfile", 9),
        ("npm", "install", "empty", "unpinned", "no-lockfile", 10),
        ("npm", "install", "local", "local", "no-lockfile", 11),
        ("npm", "install", "gitsha", "immutable", "no-lockfile", 12),
        ("npm", "install", "gitbranch", "unpinned", "no-lockfile", 13),
        ("npm", "install", "tarball", "exact", "no-lockfile", 14),  # a versioned file name pins the name
        ("npm", "install", "alias", "exact", "no-lockfile", 15),
        ("npm", "install", "dev", "unpinned", "no-lockfile", 17),
        ("npm", "install", "opt", "exact", "no-lockfile", 18),
        ("npm", "manifest", None, "unpinned", "no-lockfile", 1),
    ]
    assert r.sites[0].location.span.column == 6  # inside the key's quotes


def test_no_dependencies_no_manifest_site(tmp_path: Path) -> None:
    r = run(tmp_path, '{"name": "x", "peerDependencies": {"a": "^1"}}')
    assert r.sites == ()


def lock_v3(packages: dict[str, dict[str, object]]) -> str:
    return json.dumps({"lockfileVersion": 3, "packages": {"": {}, **packages}})


def test_locked_and_drift(tmp_path: Path) -> None:
    (tmp_path / "package-lock.json").write_text(
        lock_v3({"node_modules/a": {"version": "1.4.0"}, "node_modules/b": {"version": "1.0.0"}})
    )
    text = '{\n"dependencies": {\n"a": "^1.2.0",\n"b": "^2.0.0",\n"c": "^1.0.0",\n"d": "file:./d"\n}\n}'
    assert rows(run(tmp_path, text)) == [
        ("npm", "install", "a", "unpinned", "locked", 3),
        ("npm", "install", "b", "unpinned", "drift", 4),
        ("npm", "install", "c", "unpinned", "drift", 5),
        ("npm", "install", "d", "local", "locked", 6),
        ("npm", "manifest", None, "exact", "locked", 1),
    ]


def test_workspace_root_lockfile(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"workspaces": ["packages/*"]}')
    (tmp_path / "package-lock.json").write_text(
        lock_v3(
            {
                "packages/web": {},
                "packages/web/node_modules/a": {"version": "2.0.0"},
                "node_modules/a": {"version": "1.0.0"},
            }
        )
    )
    r = run(tmp_path / "packages" / "web", '{"dependencies": {"a": "^2"}}', root=tmp_path)
    assert rows(r)[0] == ("npm", "install", "a", "unpinned", "locked", 1)
    assert r.related == ("package-lock.json",)


def test_unrelated_ancestor_lockfile_ignored(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {}}')
    (tmp_path / "package-lock.json").write_text(lock_v3({"node_modules/a": {"version": "1.0.0"}}))
    r = run(tmp_path / "tools" / "x", '{"dependencies": {"a": "^1"}}', root=tmp_path)
    assert [s.lock.value for s in r.sites] == ["no-lockfile", "no-lockfile"]


def test_folder_outside_the_workspace_globs_has_no_lockfile(tmp_path: Path) -> None:
    # `scripts/tool` sits below the root but no glob takes it: `npm ci` at the root never
    # installs it, so the root's lockfile does not pin its ranges
    (tmp_path / "package.json").write_text('{"workspaces": {"packages": ["packages/*", "./apps/**"]}}')
    (tmp_path / "yarn.lock").write_text('# yarn lockfile v1\n\n"a@^1":\n  version "1.0.0"\n')
    outside = run(tmp_path / "scripts" / "tool", '{"dependencies": {"a": "^1"}}', root=tmp_path)
    assert [s.lock.value for s in outside.sites] == ["no-lockfile", "no-lockfile"]
    for member in ("packages/web", "apps/x/y"):
        inside = run(tmp_path / member, '{"dependencies": {"a": "^1"}}', root=tmp_path)
        assert rows(inside)[0][4] == "locked", member


def test_pnpm_workspace_negated_glob(tmp_path: Path) -> None:
    (tmp_path / "pnpm-workspace.yaml").write_text("packages:\n  - 'packages/*'\n  - '!packages/legacy'\n")
    (tmp_path / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\nimporters: {}\n")
    legacy = run(tmp_path / "packages" / "legacy", '{"dependencies": {"a": "^1"}}', root=tmp_path)
    assert [s.lock.value for s in legacy.sites] == ["no-lockfile", "no-lockfile"]


def test_pnpm_workspace(tmp_path: Path) -> None:
    (tmp_path / "pnpm-workspace.yaml").write_text("packages: ['apps/*']\n")
    (tmp_path / "pnpm-lock.yaml").write_text(
        "lockfileVersion: '9.0'\nimporters:\n  apps/web:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n"
        "        version: 1.3.0\n      b:\n        specifier: ^1.0.0\n        version: 1.3.0\n"
    )
    r = run(tmp_path / "apps" / "web", '{"dependencies": {\n"a": "^1.0.0",\n"b": "^2.0.0"}}', root=tmp_path)
    assert rows(r)[:2] == [
        ("npm", "install", "a", "unpinned", "locked", 2),
        ("npm", "install", "b", "unpinned", "drift", 3),
    ]


def test_yarn_lock_beside(tmp_path: Path) -> None:
    (tmp_path / "yarn.lock").write_text('# yarn lockfile v1\n\na@^1.0.0:\n  version "1.5.0"\n')
    r = run(tmp_path, '{"dependencies": {"a": "^1.0.0", "b": "1.0.0"}}')
    assert [(s.package, s.lock.value) for s in r.sites] == [("a", "locked"), ("b", "drift"), (None, "locked")]


def test_unknown_lockfile_version_is_no_lockfile(tmp_path: Path) -> None:
    (tmp_path / "package-lock.json").write_text('{"lockfileVersion": 9}')
    r = run(tmp_path, '{"dependencies": {"a": "1.0.0"}}')
    assert [s.lock.value for s in r.sites] == ["no-lockfile", "no-lockfile"]
    assert [d.location.path for d in r.diagnostics] == ["package-lock.json"]


def test_overrides_resolutions_package_manager(tmp_path: Path) -> None:
    text = """{
  "dependencies": {"foo": "^1.0.0"},
  "overrides": {
    "bar": "1.0.0",
    "baz": {".": "^2.0.0", "qux": "3.0.0"},
    "foo": "$foo"
  },
  "resolutions": {"**/deep/leaf": "latest"},
  "pnpm": {"overrides": {"a>b@1": "2.0.0"}},
  "packageManager": "pnpm@8.6.0+sha512.abcdef"
}"""
    got = [(s.package, s.pin.value, s.location.line) for s in run(tmp_path, text).sites]
    assert got == [
        ("foo", "unpinned", 2),
        ("bar", "exact", 4),
        ("baz", "unpinned", 5),
        ("qux", "exact", 5),
        ("foo", "unpinned", 6),
        ("leaf", "unpinned", 8),
        ("b", "exact", 9),
        ("pnpm", "immutable", 10),
        (None, "unpinned", 1),
    ]


def test_package_manager_pins(tmp_path: Path) -> None:
    for value, pin in [("yarn@4.1.0", "exact"), ("yarn@4", "unpinned"), ("pnpm", "unpinned"), ("npm@^10", "unpinned")]:
        r = run(tmp_path, json.dumps({"packageManager": value}))
        assert [(s.package, s.pin.value) for s in r.sites] == [(value.split("@")[0], pin)]


def test_malformed_json(tmp_path: Path) -> None:
    r = run(tmp_path, '{\n  "dependencies": {\n    "a": "1.0.0",\n  }\n}')
    assert r.sites == ()
    assert [d.location.line for d in r.diagnostics] == [4]


def test_bad_shapes(tmp_path: Path) -> None:
    assert run(tmp_path, "[1, 2]").diagnostics
    r = run(tmp_path, '{"dependencies": {"a": 1, "b": "1.0.0"}, "devDependencies": "x"}')
    assert [s.package for s in r.sites] == ["b", None]
    assert len(r.diagnostics) == 2


def test_deep_nesting(tmp_path: Path) -> None:
    r = run(tmp_path, "[" * 5000 + "]" * 5000)
    assert r.diagnostics and r.sites == ()
    deep = '{"overrides": ' + '{"a": ' * 200 + '"1.0.0"' + "}" * 200 + "}"
    assert run(tmp_path, deep).diagnostics


def test_pnpm_catalog_specs_are_judged_by_the_catalog(tmp_path: Path) -> None:
    (tmp_path / "pnpm-workspace.yaml").write_text(
        "packages: ['apps/*']\ncatalog:\n  react: ^18.2.0\n  zod: 3.23.8\n"
        "catalogs:\n  legacy:\n    react: 17.0.2\n    vue: 2.7.16\n"
    )
    r = run(tmp_path / "apps" / "web",
            '{"dependencies": {"react": "catalog:", "zod": "catalog:default", "old": "catalog:legacy",\n'
            ' "r17": "catalog:legacy", "none": "catalog:", "vue": "catalog:legacy"}}', root=tmp_path)
    got = {s.package: (s.pin.value, s.version) for s in r.sites if s.package}
    assert got == {
        "react": ("unpinned", None),  # ^18.2.0 from the default catalog
        "zod": ("exact", "3.23.8"),
        "old": ("unknown", None),  # not in catalog 'legacy': pnpm install fails
        "r17": ("unknown", None),  # catalogs.legacy has react, not r17
        "none": ("unknown", None),
        "vue": ("exact", "2.7.16"),  # a named catalog
    }


def test_duplicate_dependency_key_last_one_wins(tmp_path: Path) -> None:
    r = run(tmp_path, '{"dependencies": {\n"ms": "^2.1.0",\n"ms": "2.1.3"}}')
    assert [(s.package, s.spec, s.location.line) for s in r.sites if s.package] == [("ms", "2.1.3", 3)]
