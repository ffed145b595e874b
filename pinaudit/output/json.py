"""Findings JSON, exactly the contract of SPEC §6 (schema ``pinaudit/findings/v1``)."""

from __future__ import annotations

import json
from typing import Any

from pinaudit import __version__
from pinaudit.model import Finding, Report

SCHEMA = "pinaudit/findings/v1"


def finding_dict(f: Finding) -> dict[str, Any]:
    s = f.location.span
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
        "fix": f.fix,
    }


def render(report: Report) -> str:
    doc = {
        "schema": SCHEMA,
        "tool": {"name": "pinaudit", "version": __version__},
        "findings": [finding_dict(f) for f in report.findings],
        "summary": {
            "files": report.files,
            "install_sites": report.install_sites,
            "findings": len(report.findings),
            "by_severity": report.by_severity(),
        },
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
