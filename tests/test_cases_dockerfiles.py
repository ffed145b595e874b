"""Labelled Dockerfile/shell/workflow cases written from the SPEC (tests/cases/dockerfiles_extra.jsonl).

Each case is laid out in a folder of its own and scanned in-process, judged as the shared
``eval_cases.py`` judges: an ``unpinned: true`` expectation needs a finding with the same
ecosystem (or category for upgrade/download/lockfile), package and physical line (downloads
within two lines); an ``unpinned: false`` one must have no such finding at severity error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pinaudit.app import scan
from pinaudit.config import Config
from pinaudit.output.json import finding_dict

CASES = Path(__file__).parent / "cases" / "dockerfiles_extra.jsonl"
DEFAULT_NAME = {"dockerfile": "Dockerfile", "shell": "install.sh", "workflow": ".github/workflows/ci.yml"}
ECOSYSTEM = {"yum": "yum", "dnf": "yum", "zypper": "yum", "microdnf": "yum"}
CATEGORY = {"upgrade": "upgrade", "download": "unverified-download"}
LINE_SLACK = {"download": 2}


def _norm(name: str | None) -> str | None:
    return re.sub(r"[-_.]+", "-", name).lower() if name else None


def _matches(f: dict[str, Any], e: dict[str, Any], slack: bool = True) -> bool:
    kind = e["kind"]
    if kind == "lockfile":
        if f.get("category") not in ("no-lockfile", "lockfile-drift") and f.get("rule") != "PIN302":
            return False
    elif kind in CATEGORY:
        if f.get("category") != CATEGORY[kind]:
            return False
    else:
        if f.get("ecosystem") != ECOSYSTEM.get(kind, kind):
            return False
        if e.get("package") and _norm(f.get("package")) != _norm(e["package"]):
            return False
    allowed = LINE_SLACK.get(kind, 0) if slack else 0
    return e.get("line") is None or abs(f.get("line", -99) - e["line"]) <= allowed


def _violates(f: dict[str, Any], e: dict[str, Any]) -> bool:
    if e.get("package") is None and f.get("package") is not None:
        return False
    return f.get("severity") == "error" and _matches(f, e, slack=False)


def test_extra_cases_recall_and_specificity(tmp_path: Path) -> None:
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(cases) >= 120
    tp = fn = tn = fp = 0
    misses: list[str] = []
    for i, case in enumerate(cases):
        root = tmp_path / f"c{i:04d}"
        name = case.get("filename") or DEFAULT_NAME[case["file_type"]]
        for rel, text in [(name, case["content"]), *(case.get("files") or {}).items()]:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        findings = [finding_dict(f) for f in scan([root], Config(root=root), cwd=root).report.findings]
        found = [f for f in findings if f["path"].removeprefix("./") == name]
        for e in case["expect"]:
            if e["unpinned"]:
                hit = any(_matches(f, e) for f in found)
                tp, fn = tp + hit, fn + (not hit)
            else:
                hit = any(_violates(f, e) for f in found)
                tn, fp = tn + (not hit), fp + hit
            if hit != e["unpinned"]:
                got = [(f["rule"], f["package"], f["line"]) for f in found]
                misses.append(f"{'MISS' if e['unpinned'] else 'FALSE'} {case['id']}: {e} got {got}")
    recall = tp / (tp + fn)
    specificity = tn / (tn + fp)
    assert recall >= 0.97 and specificity >= 0.97, (recall, specificity, misses)
