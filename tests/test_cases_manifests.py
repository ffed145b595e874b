"""Score pinaudit against labelled cases, as the shared folder's tools/eval_cases.py does (issue 3).

`tests/cases/manifests.jsonl` holds held-out-style cases over requirements files, package.json
with lockfiles, compose files, shell scripts and GitHub workflows, labelled from SPEC §5/§6. Each
case is laid out in a folder of its own and scanned from there (``pinaudit scan --format json .``,
as a user scans a repository root). The scan runs in-process (one CLI call per case, with the
case's folder as the working directory) so the whole set scores in seconds.

The matching lives in ``tests/case_scoring.py`` (the scoring tool's, copied).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.case_scoring import score
from tests.helpers import SHARED

HERE = Path(__file__).parent
MANIFEST_CASES = HERE / "cases" / "manifests.jsonl"
SHARED_CASES = SHARED / "cases" / "dockerfile_conformance.jsonl"


def test_manifest_cases_are_well_formed() -> None:
    lines = [json.loads(line) for line in MANIFEST_CASES.read_text().splitlines() if line.strip()]
    assert len(lines) >= 150
    ids = [c["id"] for c in lines]
    assert len(ids) == len(set(ids))
    for c in lines:
        assert c["file_type"] in {"requirements", "package_json", "compose", "shell", "workflow"}
        n_lines = c["content"].count("\n") + 1
        for e in c["expect"]:
            assert {"kind", "package", "line", "unpinned"} <= e.keys(), c["id"]
            assert 1 <= e["line"] <= n_lines, c["id"]


def test_manifest_cases(tmp_path: Path) -> None:
    recall, spec, misses = score(MANIFEST_CASES, tmp_path)
    assert recall >= 0.95 and spec >= 0.95, "\n".join([f"recall {recall:.3f}, specificity {spec:.3f}", *misses])


@pytest.mark.skipif(not SHARED_CASES.is_file(), reason="shared Dockerfile conformance cases not available")
def test_dockerfile_conformance_cases(tmp_path: Path) -> None:
    recall, spec, misses = score(SHARED_CASES, tmp_path)
    assert recall >= 0.97 and spec >= 0.97, "\n".join([f"recall {recall:.3f}, specificity {spec:.3f}", *misses])


PYTHON_PROJECT_CASES = HERE / "cases" / "python_projects.jsonl"


def test_python_project_cases(tmp_path: Path) -> None:
    """pyproject.toml / Pipfile against their lockfiles, and the commands that install them (issue 16)."""
    cases = [json.loads(line) for line in PYTHON_PROJECT_CASES.read_text().splitlines() if line.strip()]
    assert {c["file_type"] for c in cases} == {"pyproject", "pipfile", "dockerfile", "shell"}
    assert sum(e["unpinned"] for c in cases for e in c["expect"]) >= 15
    recall, spec, misses = score(PYTHON_PROJECT_CASES, tmp_path)
    assert recall == 1.0 and spec == 1.0, "\n".join([f"recall {recall:.3f}, specificity {spec:.3f}", *misses])
