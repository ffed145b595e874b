"""GitHub Actions workflow commands (``--format github``): one annotation per finding.

``::error file=Dockerfile,line=2,col=31,endColumn=34,title=PIN101::message``. Escaping follows
the runner's own rules (actions/toolkit ``command.ts``): in the message ``%``, CR and LF are
percent-encoded; in property values ``:`` and ``,`` are too, or a path such as ``a,b/Dockerfile``
would end the property early and the annotation would land nowhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from pinaudit.model import Finding, Report, Severity

__all__ = ["COMMANDS", "escape_data", "escape_property", "render"]

COMMANDS: Mapping[Severity, str] = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    """One workflow command per finding, in path/line order; skipped inputs become notices."""
    lines = [_command(f) for f in sorted(report.findings, key=Finding.sort_key)]
    lines.extend(f"::notice title=pinaudit::{escape_data(text)}" for text in report.skipped)
    return "".join(line + "\n" for line in lines)


def _command(f: Finding) -> str:
    span = f.location.span
    props = [("file", f.location.path), ("line", str(span.line))]
    if span.end_line == span.line:
        # GitHub only honours columns on a single-line annotation. Its endColumn is inclusive,
        # our span's end is exclusive.
        props += [
            ("col", str(span.column)),
            ("endLine", str(span.line)),
            ("endColumn", str(max(span.end_column - 1, span.column))),
        ]
    elif span.end_line > span.line:
        props.append(("endLine", str(span.end_line)))
    props.append(("title", f.rule))
    body = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS[f.severity]} {body}::{escape_data(f.message)}"
