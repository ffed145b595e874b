"""Labelled conda cases (issue 16): environment files, conda-lock files beside them, pixi manifests
and pixi.lock, command lines in scripts, Dockerfiles and workflows, scored as the shared folder's
tools/eval_cases.py scores them (``tests/case_scoring.py``). Each case names its file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.case_scoring import score

CASES = Path(__file__).parent / "cases" / "conda.jsonl"


def test_conda_cases_are_well_formed() -> None:
    cases = [json.loads(line) for line in CASES.read_text().splitlines() if line.strip()]
    assert len({c["id"] for c in cases}) == len(cases) >= 25
    kinds = {c["file_type"] for c in cases}
    assert kinds == {"conda_env", "pixi", "shell", "dockerfile", "workflow"}
    for c in cases:
        assert c["filename"] and c["expect"], c["id"]
        n_lines = c["content"].count("\n") + 1
        assert all(1 <= e["line"] <= n_lines for e in c["expect"]), c["id"]


def test_conda_cases(tmp_path: Path) -> None:
    recall, spec, misses = score(CASES, tmp_path)
    assert (recall, spec) == (1.0, 1.0), "\n".join([f"recall {recall:.3f}, specificity {spec:.3f}", *misses])
