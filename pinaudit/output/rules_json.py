"""``pinaudit rules --format json``: the rule catalogue as data, for editors and dashboards."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import pinaudit
from pinaudit.rules import DOC_HEADINGS, Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["SCHEMA", "render", "rule_record"]

SCHEMA = "pinaudit/rules/v1"


def rule_record(rule: Rule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.label,
        "category": rule.category.value,
        "summary": rule.summary,
        "sections": {heading: rule.section(heading) for heading in DOC_HEADINGS},
        "doc": rule.doc,
    }


def render(rules: Mapping[str, Rule] | Iterable[Rule]) -> str:
    """The rules sorted by code, each with its documentation split by heading."""
    items = list(rules.values()) if isinstance(rules, Mapping) else list(rules)
    doc = {
        "schema": SCHEMA,
        "tool": {"name": "pinaudit", "version": pinaudit.__version__},
        "rules": [rule_record(r) for r in sorted(items, key=lambda r: r.code)],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
