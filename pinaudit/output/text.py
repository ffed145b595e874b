"""Compiler-style text: ``path:line:col: CODE message``, one finding a line, editors jump to it.

Colour only on request (the CLI passes ``color=True`` for a TTY without ``NO_COLOR``): the format
is grepped and parsed by editors, so escape codes never leak into pipes.
"""

from __future__ import annotations

from pinaudit.model import Finding, Report, Severity

_COLORS = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m", Severity.INFO: "\x1b[1;36m"}
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"


def line(f: Finding, *, color: bool = False) -> str:
    loc = f"{f.location.path}:{f.location.span.line}:{f.location.span.column}:"
    if color:
        return f"{_BOLD}{loc}{_RESET} {_COLORS[f.severity]}{f.rule}{_RESET} {f.message}"
    return f"{loc} {f.rule} {f.message}"


def render(report: Report, *, color: bool = False, hide_info: bool = False) -> str:
    """One line per finding; ``hide_info`` leaves out the info ones (the summary counts them).

    On a repository with lockfiles most findings are "pinned only by the lockfile" infos (153 of
    205 lines on one web app): printed by default they bury the errors a reader came for.
    """
    return "".join(line(f, color=color) + "\n" for f in report.findings
                   if not (hide_info and f.severity is Severity.INFO))


def hidden_info(report: Report) -> int:
    return sum(1 for f in report.findings if f.severity is Severity.INFO)


def summary(report: Report, *, hidden: int = 0) -> str:
    """The one line for stderr: what was looked at and what was found (and what was not shown)."""
    counts = report.by_severity()
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    sites = f"{report.install_sites} install site{'s' if report.install_sites != 1 else ''}"
    if not report.findings:
        return f"pinaudit: no findings in {files} ({sites})"
    parts = ", ".join(f"{n} {label}{'s' if n != 1 and label != 'info' else ''}" for label, n in counts.items() if n)
    total = len(report.findings)
    shown = f"; {hidden} info not shown (-v or --fail-on info shows them)" if hidden else ""
    return f"pinaudit: {total} finding{'s' if total != 1 else ''} ({parts}) in {files} ({sites}){shown}"
