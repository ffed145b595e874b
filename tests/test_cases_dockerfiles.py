"""Labelled Dockerfile/shell/workflow cases written from the SPEC (tests/cases/dockerfiles_extra.jsonl).

Each case is laid out in a folder of its own and scanned in-process, judged as the shared
``eval_cases.py`` judges: an ``unpinned: true`` expectation needs a finding with the same
ecosystem (or category for upgrade/download/lockfile), package and physical line (downloads
within two lines); an ``unpinned: false`` one must have no such finding at severity error.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.case_scoring import score

CASES = Path(__file__).parent / "cases" / "dockerfiles_extra.jsonl"


def test_extra_cases_recall_and_specificity(tmp_path: Path) -> None:
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(cases) >= 120
    recall, specificity, misses = score(CASES, tmp_path)
    assert recall >= 0.97 and specificity >= 0.97, (recall, specificity, misses)
