"""docs/rules.md is generated from the rule docstrings; every rule documents the four headings."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from pinaudit.output import rules_json
from pinaudit.rules import DOC_HEADINGS, all_rules

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "gen_rule_docs.py"


def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_rule_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_rule_doc_has_every_heading(code: str) -> None:
    rule = all_rules()[code]
    missing = [h for h in DOC_HEADINGS if not rule.section(h)]
    assert not missing, f"{code}: docstring lacks ## {', ## '.join(missing)}"
    assert rule.summary and not rule.summary.startswith("#"), f"{code}: first line must be a one-line summary"


def test_docs_rules_md_is_current() -> None:
    expected = gen().render_rules_markdown()
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == expected, "docs/rules.md is stale: run python scripts/gen_rule_docs.py"


def test_every_rule_is_in_the_docs() -> None:
    text = gen().render_rules_markdown()
    for code, rule in all_rules().items():
        assert f"## {code} {rule.name}" in text


def test_check_flag(tmp_path: Path) -> None:
    stale = tmp_path / "rules.md"
    stale.write_text("old\n", encoding="utf-8")
    run = [sys.executable, str(SCRIPT), "--output", str(stale)]
    assert subprocess.run([*run, "--check"], capture_output=True).returncode == 1
    assert subprocess.run(run, capture_output=True).returncode == 0
    assert subprocess.run([*run, "--check"], capture_output=True).returncode == 0


def test_rules_json() -> None:
    doc = json.loads(rules_json.render(all_rules()))
    assert doc["schema"] == "pinaudit/rules/v1"
    codes = [r["code"] for r in doc["rules"]]
    assert codes == sorted(all_rules())
    pin101 = next(r for r in doc["rules"] if r["code"] == "PIN101")
    assert pin101["severity"] == "error" and pin101["category"] == "unpinned"
    assert set(pin101["sections"]) == set(DOC_HEADINGS)
    assert all(pin101["sections"].values())
