"""GitHub workflow commands: one annotation per finding, escaped as the runner parses them."""

from __future__ import annotations

from pinaudit.model import Category, Ecosystem, Finding, Location, Report, Severity, Span
from pinaudit.output import github

CURL = Span(2, 31, 2, 35)


def finding(
    path: str = "Dockerfile",
    span: Span = CURL,
    severity: Severity = Severity.ERROR,
    message: str = "apt package 'curl' is installed without a version",
    rule: str = "PIN101",
) -> Finding:
    return Finding(rule, severity, Category.UNPINNED, Ecosystem.APT, "curl", "curl", Location(path, span), message)


def render(*findings: Finding, skipped: tuple[str, ...] = ()) -> list[str]:
    return github.render(Report(findings=findings, files=1, install_sites=1, skipped=skipped)).splitlines()


def test_error_annotation() -> None:
    assert render(finding()) == [
        "::error file=Dockerfile,line=2,col=31,endLine=2,endColumn=34,title=PIN101::"
        "apt package 'curl' is installed without a version"
    ]


def test_severity_commands() -> None:
    lines = render(
        finding(severity=Severity.WARNING, span=Span(1, 1, 1, 2)),
        finding(severity=Severity.INFO, span=Span(3, 1, 3, 2)),
    )
    assert lines[0].startswith("::warning ")
    assert lines[1].startswith("::notice ")


def test_multiline_span_has_no_columns() -> None:
    (line,) = render(finding(span=Span(4, 5, 6, 2)))
    assert line.startswith("::error file=Dockerfile,line=4,endLine=6,title=PIN101::")
    assert "col=" not in line


def test_escaping() -> None:
    (line,) = render(finding(path="a,b:c%/Dockerfile", message="100% bad\r\nreally: yes, truly"))
    assert line.startswith("::error file=a%2Cb%3Ac%25/Dockerfile,line=2,")
    # message: only %, CR and LF are escaped; ':' and ',' stay as they are
    assert line.endswith("::100%25 bad%0D%0Areally: yes, truly")
    assert "\n" not in line and "\r" not in line


def test_escape_functions() -> None:
    assert github.escape_data("a%b\nc\rd:e,f") == "a%25b%0Ac%0Dd:e,f"
    assert github.escape_property("a%b\nc\rd:e,f") == "a%25b%0Ac%0Dd%3Ae%2Cf"


def test_sorted_and_skipped_as_notice() -> None:
    lines = render(finding(path="b/Dockerfile"), finding(path="a/Dockerfile"), skipped=("x.sh: not UTF-8, skipped",))
    assert "file=a/Dockerfile" in lines[0] and "file=b/Dockerfile" in lines[1]
    assert lines[2] == "::notice title=pinaudit::x.sh: not UTF-8, skipped"


def test_empty_report_prints_nothing() -> None:
    assert github.render(Report(findings=(), files=0, install_sites=0)) == ""
