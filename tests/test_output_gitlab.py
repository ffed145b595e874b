"""GitLab Code Quality JSON: the fields GitLab reads, and fingerprints that survive edits."""

from __future__ import annotations

import json
import re
from typing import Any

from pinaudit.model import Category, Ecosystem, Finding, Location, Report, Severity, Span
from pinaudit.output import gitlab


def finding(
    line: int = 2, package: str = "curl", severity: Severity = Severity.ERROR, path: str = "Dockerfile"
) -> Finding:
    return Finding(
        "PIN101",
        severity,
        Category.UNPINNED,
        Ecosystem.APT,
        package,
        package,
        Location(path, Span(line, 31, line, 35)),
        f"apt package '{package}' is installed without a version",
    )


def render(*findings: Finding) -> list[dict[str, Any]]:
    doc: list[dict[str, Any]] = json.loads(gitlab.render(Report(findings=findings, files=1, install_sites=1)))
    return doc


def test_fields() -> None:
    (issue,) = render(finding())
    assert issue["check_name"] == "PIN101"
    assert "apt package 'curl'" in issue["description"]
    assert issue["severity"] == "critical"
    assert issue["location"] == {"path": "Dockerfile", "lines": {"begin": 2}}
    assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])


def test_severity_mapping() -> None:
    issues = render(
        finding(1, severity=Severity.ERROR), finding(2, severity=Severity.WARNING), finding(3, severity=Severity.INFO)
    )
    assert [i["severity"] for i in issues] == ["critical", "major", "info"]
    assert set(gitlab.SEVERITIES.values()) <= {"info", "minor", "major", "critical", "blocker"}


def test_fingerprints_stable_and_unique() -> None:
    (a,) = render(finding(2))
    (b,) = render(finding(40))
    assert a["fingerprint"] == b["fingerprint"]  # moved, same issue
    dup = render(finding(2), finding(9), finding(5, package="git"))
    assert len({i["fingerprint"] for i in dup}) == 3  # GitLab drops repeated fingerprints
    assert dup[0]["fingerprint"] == a["fingerprint"]


def test_empty() -> None:
    assert render() == []
