"""The rule registry: a plain dict from code to Rule, built from one module per rule.

Each module ``pinaudit/rules/pinNNN.py`` has a docstring that is the rule's documentation (What it
does / Why is this bad? / Example / Use instead) and a ``RULE`` built with :func:`rule`.
"""

from __future__ import annotations

import importlib
from functools import cache

from pinaudit.rules._base import DOC_HEADINGS, Rule, Verdict

__all__ = ["DOC_HEADINGS", "Rule", "Verdict", "all_rules", "get_rule", "select_rules"]

RULE_MODULES: tuple[str, ...] = (
    "pin001",
    "pin101", "pin102", "pin103", "pin104", "pin105", "pin106", "pin107",
    "pin201", "pin202", "pin203", "pin204", "pin205", "pin206", "pin207", "pin208",
    "pin301", "pin302", "pin303", "pin304", "pin305", "pin306",
    "pin401", "pin402",
    "pin501", "pin502",
    "pin701", "pin702", "pin703", "pin704", "pin705", "pin706", "pin707",  # conda
    "pin601", "pin602", "pin603",  # online only (scan --online): their static check never fires
)  # fmt: skip


@cache
def all_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for name in RULE_MODULES:
        module = importlib.import_module(f"pinaudit.rules.{name}")
        r: Rule = module.RULE
        rules[r.code] = r
    return rules


def get_rule(code: str) -> Rule | None:
    return all_rules().get(code.upper())


def select_rules(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> frozenset[str]:
    """Codes enabled by --select/--ignore, each a code or a prefix (``PIN1``)."""
    codes = set(all_rules())
    if select:
        codes = {c for c in codes if any(c.startswith(p.upper()) for p in select)}
    return frozenset(c for c in codes if not any(c.startswith(p.upper()) for p in ignore))
