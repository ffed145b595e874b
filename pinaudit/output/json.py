"""Findings JSON, exactly the contract of SPEC §6 (schema ``pinaudit/findings/v1``)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from pinaudit import __version__
from pinaudit.model import Finding, Report, Unchecked

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SCHEMA = "pinaudit/findings/v1"
# a finding's fields as SPEC §6 first wrote them (the HTML report carries these); later
# additions (offsets, spec span, origin, edits) are new keys beside them
V1_FIELDS = ("rule", "severity", "category", "ecosystem", "package", "spec", "path", "line", "column",
             "end_line", "end_column", "message", "fix", "index")
_MARK = "\x00pinaudit-findings\x00"


def finding_dict(f: Finding) -> dict[str, Any]:
    s = f.location.span
    site = f.site
    spec = site.spec_span if site is not None and site.spec_span is not None and site.spec_span.start >= 0 else None
    return {
        "rule": f.rule,
        "severity": f.severity.label,
        "category": f.category.value,
        "ecosystem": f.ecosystem.value if f.ecosystem else None,
        "package": f.package,
        "spec": f.spec,
        "path": f.location.path,
        "line": s.line,
        "column": s.column,
        "end_line": s.end_line,
        "end_column": s.end_column,
        "message": f.message,
        "fix": None,  # v1's field, kept; a fix is now ``edits`` (below)
        **({"index": f.index_url} if f.index_url is not None else {}),
        # issue 9: new fields only, so ``pinaudit/findings/v1`` readers are unaffected. Offsets
        # count characters of the file as read (decoded, BOM removed, line endings kept): the
        # package token, and the version spec as written (empty: where one would be inserted).
        "offset": s.start if s.start >= 0 else None,
        "end_offset": s.end if s.start >= 0 else None,
        "spec_offset": spec.start if spec is not None else None,
        "spec_end_offset": spec.end if spec is not None else None,
        **({"origin_offset": site.origin.start, "origin_end_offset": site.origin.end}
           if site is not None and site.origin is not None else {}),
        **({"edits": [e.to_json() for e in f.edits]} if f.edits else {}),
    }


def unchecked_dict(u: Unchecked) -> dict[str, Any]:
    return {"path": u.path, "line": u.line, "ecosystem": u.ecosystem, "package": u.package,
            "index": u.index_url, "reason": u.reason}


def render(report: Report) -> str:
    return "".join(render_chunks(report))


def render_chunks(report: Report) -> Iterator[str]:
    """The document a finding at a time: a repository-wide report must not need its whole text
    (and a dict per finding) in memory at once."""
    doc = {
        "schema": SCHEMA,
        "tool": {"name": "pinaudit", "version": __version__},
        "findings": _MARK,
        **({"unchecked": [unchecked_dict(u) for u in report.unchecked]} if report.unchecked is not None else {}),
        "summary": {
            "files": report.files,
            "install_sites": report.install_sites,
            "findings": len(report.findings),
            "by_severity": report.by_severity(),
        },
    }
    head, tail = json.dumps(doc, indent=2, ensure_ascii=False).split(json.dumps(_MARK), 1)
    yield head + "["
    sep = "\n"
    for f in report.findings:
        yield sep + "    " + json.dumps(finding_dict(f), indent=2, ensure_ascii=False).replace("\n", "\n    ")
        sep = ",\n"
    yield ("\n  ]" if report.findings else "]") + tail + "\n"
