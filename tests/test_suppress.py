"""Pragmas, ignore-file, config ignores and severity overrides each silence exactly what they name."""

from __future__ import annotations

from pathlib import Path

from pinaudit.config import Config
from pinaudit.model import Category, Ecosystem, FileResult, Finding, Location, Severity, Span, Suppression
from pinaudit.suppress import apply, apply_severity


def f(rule: str, line: int, package: str | None = "curl", path: str = "Dockerfile") -> Finding:
    return Finding(
        rule,
        Severity.ERROR,
        Category.UNPINNED,
        Ecosystem.APT,
        package,
        package,
        Location(path, Span(line, 1, line, 5)),
        f"{rule} at {line}",
    )


def pragma(codes: set[str], first: int, last: int | None = None, path: str = "Dockerfile") -> Suppression:
    return Suppression(path, frozenset(codes), first, last if last is not None else first, first - 1)


FINDINGS = [
    f("PIN101", 3),
    f("PIN101", 3, "git"),
    f("PIN402", 3, "debian"),
    f("PIN101", 4),  # inside the same multi-line RUN as line 3
    f("PIN101", 8),
    f("PIN202", 2, "requests", "requirements.txt"),
]


def cfg(tmp_path: Path, **kw: object) -> Config:
    return Config(root=tmp_path).merged(**kw)


def test_nothing_suppressed_by_default(tmp_path: Path) -> None:
    kept, unused = apply(FINDINGS, [FileResult("Dockerfile", "dockerfile")], cfg(tmp_path))
    assert kept == FINDINGS and unused == []


def test_pragma_silences_exactly_its_codes_and_lines(tmp_path: Path) -> None:
    results = [FileResult("Dockerfile", "dockerfile", suppressions=(pragma({"PIN101"}, 3, 4),))]
    kept, unused = apply(FINDINGS, results, cfg(tmp_path))
    assert kept == [FINDINGS[2], FINDINGS[4], FINDINGS[5]]  # PIN402 on line 3, PIN101 on line 8, other file
    assert unused == []


def test_blanket_pragma_but_not_parse_errors(tmp_path: Path) -> None:
    parse_error = f("PIN001", 3, None)
    results = [FileResult("Dockerfile", "dockerfile", suppressions=(pragma(set(), 3),))]
    kept, _ = apply([*FINDINGS[:3], parse_error], results, cfg(tmp_path))
    assert kept == [parse_error]
    named = [FileResult("Dockerfile", "dockerfile", suppressions=(pragma({"PIN001"}, 3),))]
    assert apply([parse_error], named, cfg(tmp_path))[0] == []


def test_unused_pragmas_reported(tmp_path: Path) -> None:
    stale = pragma({"PIN401"}, 8)
    used = pragma({"PIN101"}, 8)
    disabled = pragma({"PIN501"}, 10)
    results = [FileResult("Dockerfile", "dockerfile", suppressions=(stale, used, disabled))]
    _, unused = apply(FINDINGS, results, cfg(tmp_path, ignore=["PIN5"]))
    assert unused == [stale]  # a pragma for a switched-off rule is not "unused"


def test_ignore_file(tmp_path: Path) -> None:
    results = [FileResult("Dockerfile", "dockerfile", ignore_file=True, suppressions=(pragma({"PIN401"}, 1),))]
    kept, unused = apply([*FINDINGS, f("PIN001", 1, None)], results, cfg(tmp_path))
    assert kept == [FINDINGS[5]]
    assert unused == []


def test_config_ignore_silences_only_named_rules(tmp_path: Path) -> None:
    kept, _ = apply(FINDINGS, [], cfg(tmp_path, ignore=["PIN402"]))
    assert kept == [x for x in FINDINGS if x.rule != "PIN402"]
    kept, _ = apply(FINDINGS, [], cfg(tmp_path, select=["PIN2"]))
    assert kept == [FINDINGS[5]]


def test_per_file_ignores(tmp_path: Path) -> None:
    config = cfg(tmp_path, per_file_ignores={"requirements*.txt": ["PIN2"], "docker/*": ["PIN101"]})
    findings = [*FINDINGS, f("PIN101", 1, path="docker/Dockerfile"), f("PIN402", 1, path="docker/Dockerfile")]
    kept, _ = apply(findings, [], config, cwd=tmp_path)
    assert kept == [*FINDINGS[:5], findings[-1]]


def test_per_file_ignores_relative_to_config_root_from_subfolder(tmp_path: Path) -> None:
    config = cfg(tmp_path, per_file_ignores={"/app/Dockerfile": ["PIN101"]})
    kept, _ = apply([f("PIN101", 1), f("PIN402", 1)], [], config, cwd=tmp_path / "app")
    assert [x.rule for x in kept] == ["PIN402"]
    kept, _ = apply([f("PIN101", 1)], [], config, cwd=tmp_path / "other")
    assert [x.rule for x in kept] == ["PIN101"]


def test_pragma_in_other_file_does_not_leak(tmp_path: Path) -> None:
    results = [FileResult("requirements.txt", "requirements", suppressions=(pragma(set(), 1, 99, "requirements.txt"),))]
    kept, _ = apply(FINDINGS, results, cfg(tmp_path))
    assert kept == FINDINGS[:5]


def test_severity_overrides(tmp_path: Path) -> None:
    config = cfg(tmp_path, severity={"PIN4": "warning", "PIN402": "info"})
    out = apply_severity(FINDINGS, config)
    assert [x.severity for x in out] == [
        Severity.ERROR,
        Severity.ERROR,
        Severity.INFO,
        Severity.ERROR,
        Severity.ERROR,
        Severity.ERROR,
    ]
    assert out[0] is FINDINGS[0]
    assert apply_severity(FINDINGS, cfg(tmp_path)) == FINDINGS


def test_pragma_config_and_baseline_together(tmp_path: Path) -> None:
    """Each layer removes exactly its own finding; a new finding still gets through all three."""
    from pinaudit.baseline import load_baseline, write_baseline

    accepted = f("PIN101", 8, "wget")
    findings = [f("PIN101", 3), f("PIN402", 3, "debian"), accepted, f("PIN202", 2, "requests", "requirements.txt")]
    write_baseline([accepted], tmp_path / "baseline.json")
    baseline = load_baseline(tmp_path / "baseline.json")
    results = [FileResult("Dockerfile", "dockerfile", suppressions=(pragma({"PIN101"}, 3),))]
    config = cfg(tmp_path, per_file_ignores={"requirements.txt": ["PIN202"]})

    kept, unused = apply(findings, results, config, cwd=tmp_path)
    kept = baseline.filter(apply_severity(kept, config))
    assert kept == [findings[1]]  # PIN402 was named by nobody
    assert unused == []

    new = f("PIN101", 12, "wget")  # a second unpinned wget: the baseline accepted one
    kept, _ = apply([*findings, new], results, config, cwd=tmp_path)
    assert baseline.filter(kept) == [findings[1], new]
