"""Baselines hide accepted findings by rule/path/package, count duplicates, and let new ones fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pinaudit.baseline import SCHEMA, BaselineError, fingerprint, load_baseline, render_baseline, write_baseline
from pinaudit.model import Category, Ecosystem, Finding, Location, Severity, Span


def f(line: int, package: str | None = "curl", rule: str = "PIN101", path: str = "Dockerfile") -> Finding:
    return Finding(
        rule,
        Severity.ERROR,
        Category.UPGRADE if package is None else Category.UNPINNED,
        Ecosystem.APT,
        package,
        package,
        Location(path, Span(line, 10, line, 14)),
        f"{rule} {package} (line {line})",
    )


def test_fingerprint_ignores_line_not_rule_path_package() -> None:
    assert fingerprint(f(2)) == fingerprint(f(40))
    assert fingerprint(f(2)) != fingerprint(f(2, "git"))
    assert fingerprint(f(2)) != fingerprint(f(2, rule="PIN103"))
    assert fingerprint(f(2)) != fingerprint(f(2, path="other/Dockerfile"))
    # package-less findings: category + spec / message with numbers blanked
    assert fingerprint(f(3, None, "PIN102")) == fingerprint(f(30, None, "PIN102"))


def test_moved_line_stays_hidden_new_finding_surfaces(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    write_baseline([f(2), f(3, "git")], path, cwd=tmp_path)
    baseline = load_baseline(path, cwd=tmp_path)
    # two lines were inserted above; a new unpinned package appeared
    later = [f(4), f(5, "git"), f(6, "wget")]
    assert baseline.filter(later) == [later[2]]


def test_duplicates_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    write_baseline([f(2), f(9)], path, cwd=tmp_path)
    baseline = load_baseline(path, cwd=tmp_path)
    assert len(baseline) == 2
    assert baseline.filter([f(3), f(10)]) == []
    third = [f(3), f(10), f(20)]
    assert baseline.filter(third) == [third[2]]  # one more curl than accepted still fails


def test_file_is_sorted_stable_and_line_free(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    findings = [f(9, "wget"), f(2), f(5, "curl"), f(1, "zlib", path="a/Dockerfile")]
    write_baseline(findings, path, cwd=tmp_path)
    first = path.read_text(encoding="utf-8")
    moved = [f(x.location.line + 7, x.package, path=x.location.path) for x in findings]
    write_baseline(list(reversed(moved)), path, cwd=tmp_path)
    assert path.read_text(encoding="utf-8") == first  # moved lines, other order: no diff
    doc = json.loads(first)
    assert doc["schema"] == SCHEMA
    assert [(e["path"], e["package"], e["count"]) for e in doc["findings"]] == [
        ("Dockerfile", "curl", 2),
        ("Dockerfile", "wget", 1),
        ("a/Dockerfile", "zlib", 1),
    ]
    assert all(set(e) == {"path", "rule", "package", "fingerprint", "count"} for e in doc["findings"])
    assert render_baseline(findings) == first
    assert not [p for p in tmp_path.iterdir() if p.name != "b.json"]  # no temp file left behind


def test_empty_baseline(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    write_baseline([], path, cwd=tmp_path)
    assert load_baseline(path, cwd=tmp_path).filter([f(1)]) == [f(1)]


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[]",
        '{"schema": "something/else", "findings": []}',
        '{"schema": "pinaudit/baseline/v1", "findings": {}}',
        '{"schema": "pinaudit/baseline/v1", "findings": [{"count": 1}]}',
        '{"schema": "pinaudit/baseline/v1", "findings": [{"fingerprint": "x", "count": 0}]}',
    ],
)
def test_garbled_baseline_raises(tmp_path: Path, text: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError, match=str(path).replace("\\", "\\\\")):
        load_baseline(path, cwd=tmp_path)


def test_missing_baseline_raises(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="cannot read"):
        load_baseline(tmp_path / "absent.json")


def test_paths_are_relative_to_the_baseline_folder(tmp_path: Path) -> None:
    # written from the root, read from a subfolder: the same findings are the same entries
    (tmp_path / "docker").mkdir()
    path = tmp_path / "ci" / "baseline.json"
    path.parent.mkdir()
    write_baseline([f(2, path="docker/Dockerfile")], path, cwd=tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema"] == "pinaudit/baseline/v2"
    assert [e["path"] for e in doc["findings"]] == ["../docker/Dockerfile"]
    from_subfolder = load_baseline(path, cwd=tmp_path / "docker")
    assert from_subfolder.filter([f(7, path="Dockerfile"), f(8, "git", path="Dockerfile")]) == [
        f(8, "git", path="Dockerfile")
    ]
    from_root = load_baseline(path, cwd=tmp_path)
    assert from_root.filter([f(7, path="docker/Dockerfile")]) == []


def test_version_1_baselines_still_read_paths_as_displayed(tmp_path: Path) -> None:
    entry = {"path": "Dockerfile", "rule": "PIN101", "package": "curl", "fingerprint": fingerprint(f(1)), "count": 1}
    path = tmp_path / "sub" / "old.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"schema": "pinaudit/baseline/v1", "findings": [entry]}), encoding="utf-8")
    assert load_baseline(path, cwd=tmp_path).filter([f(5), f(6, "git")]) == [f(6, "git")]


def _old_entry(rule: str, path: str, package: str) -> dict[str, object]:
    """An entry as pinaudit wrote it before references were named by what they install."""
    import hashlib

    digest = hashlib.sha256("\x1e".join((rule, path, package)).encode("utf-8")).hexdigest()
    return {"path": path, "rule": rule, "package": package, "fingerprint": digest, "count": 1}


def test_entries_under_a_references_old_name_still_match(tmp_path: Path) -> None:
    from tests.helpers import scan_files

    files = {
        "requirements.txt": "git+https://example.com/acme/tool.git@main\ngit+https://example.com/acme/new.git@main\n",
        "Dockerfile": "FROM python:3.12@sha256:" + "a" * 64 + "\n"
                      "RUN pip install git+https://example.com/acme/cli.git@develop\n",
    }
    findings = scan_files(tmp_path, files)
    assert [(x.rule, x.location.path, x.package) for x in findings if x.rule in ("PIN201", "PIN202")] == [
        ("PIN201", "Dockerfile", "cli"),
        ("PIN202", "requirements.txt", "tool"),
        ("PIN202", "requirements.txt", "new"),
    ]
    old = {"schema": SCHEMA, "findings": [
        _old_entry("PIN201", "Dockerfile", "git+https://example.com/acme/cli.git@develop"),
        _old_entry("PIN202", "requirements.txt", "git+https://example.com/acme/tool.git@main"),
    ]}
    path = tmp_path / ".pinaudit-baseline.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    left = load_baseline(path, cwd=tmp_path).filter(findings)
    # the two accepted under their old names stay hidden; the new reference still fails the gate
    assert [(x.rule, x.package) for x in left if x.rule in ("PIN201", "PIN202")] == [("PIN202", "new")]
    # an old name is only ever the reference as written: `pip install cli` is not covered by it
    plain = Finding("PIN201", Severity.ERROR, Category.UNPINNED, Ecosystem.PIP, "cli", "cli",
                    Location("Dockerfile", Span(2, 17, 2, 20)), "pip package 'cli' is installed without a version")
    assert load_baseline(path, cwd=tmp_path).filter([plain]) == [plain]


def test_rewritten_baseline_uses_the_new_name(tmp_path: Path) -> None:
    from tests.helpers import scan_files

    findings = scan_files(tmp_path, {"requirements.txt": "git+https://example.com/acme/tool.git@main\n"})
    path = tmp_path / "b.json"
    write_baseline(findings, path, cwd=tmp_path)
    assert [e["package"] for e in json.loads(path.read_text())["findings"]] == ["tool"]
    assert load_baseline(path, cwd=tmp_path).filter(findings) == []
