"""GitLab Code Quality report (``--format gitlab``): a JSON array of Code Climate issues.

GitLab compares the report of a merge request with the target branch's by ``fingerprint``, and
drops issues whose fingerprint repeats. So the fingerprint is the location-free identity (rule,
path, package, spec) plus an occurrence index: moving code does not turn an old issue into a "new"
one, and two identical unpinned installs in one file remain two issues.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from pinaudit.baseline import occurrence_keys
from pinaudit.model import Finding, Report, Severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["SEVERITIES", "render"]

# Code Climate severities: info, minor, major, critical, blocker. "blocker" is kept for nothing
# we report: the gate decides what blocks (--fail-on), not the severity label.
SEVERITIES: Mapping[Severity, str] = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def render(report: Report) -> str:
    findings = sorted(report.findings, key=Finding.sort_key)
    issues: list[dict[str, Any]] = []
    for f, (key, nth) in zip(findings, occurrence_keys(findings), strict=True):
        issues.append(
            {
                "type": "issue",
                "description": f"{f.rule} {f.message}",
                "check_name": f.rule,
                "fingerprint": hashlib.md5(f"{key}\x1e{nth}".encode(), usedforsecurity=False).hexdigest(),
                "severity": SEVERITIES[f.severity],
                "categories": ["Security"],
                "location": {"path": f.location.path, "lines": {"begin": f.location.span.line}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
