"""Scoring of labelled cases, as the shared folder's tools/eval_cases.py scores them (issue 3).

The matching is the scoring tool's, copied here so the tests do not depend on a shared folder: an
``unpinned: true`` expectation needs a finding in the case's main file with the same ecosystem (or
category, for upgrade/download/lockfile), package (PEP 503-normalised) and physical line (downloads
within two lines), at any severity; an ``unpinned: false`` one must have no such finding at
severity ``error``. Each case is laid out in a folder of its own and scanned in-process from there
(``pinaudit scan --format json .``, as a user scans a repository root).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pinaudit._cli import main as cli_main

DEFAULT_NAME = {
    "dockerfile": "Dockerfile",
    "requirements": "requirements.txt",
    "package_json": "package.json",
    "compose": "docker-compose.yml",
    "shell": "install.sh",
    "workflow": ".github/workflows/ci.yml",
}
ECOSYSTEM = {"yum": "yum", "dnf": "yum", "zypper": "yum", "microdnf": "yum"}
LINE_SLACK = {"download": 2}
CATEGORY_KINDS: dict[str, str | None] = {"upgrade": "upgrade", "download": "unverified-download", "lockfile": None}

Finding = dict[str, Any]


def _norm(name: str | None) -> str | None:
    return re.sub(r"[-_.]+", "-", name).lower() if name else None


def matches(f: Finding, e: dict[str, Any], slack: bool = True) -> bool:
    kind = e["kind"]
    if kind in CATEGORY_KINDS:
        if kind == "lockfile":
            if f.get("category") not in ("no-lockfile", "lockfile-drift") and f.get("rule") != "PIN302":
                return False
        elif f.get("category") != CATEGORY_KINDS[kind]:
            return False
    else:
        if f.get("ecosystem") != ECOSYSTEM.get(kind, kind):
            return False
        if e.get("package") and _norm(f.get("package")) != _norm(e["package"]):
            return False
    allowed = LINE_SLACK.get(kind, 0) if slack else 0
    return e.get("line") is None or abs(f.get("line", -99) - e["line"]) <= allowed


def violates(f: Finding, e: dict[str, Any]) -> bool:
    if e.get("package") is None and f.get("package") is not None:
        return False
    return f.get("severity") == "error" and matches(f, e, slack=False)


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def scan_case(case: dict[str, Any], root: Path) -> list[Finding]:
    """Lay the case out under root, scan it in-process, return the findings of its main file."""
    name = case.get("filename") or DEFAULT_NAME[case["file_type"]]
    for rel, text in [(name, case["content"]), *(case.get("files") or {}).items()]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text.encode())
    out = io.StringIO()
    with _cwd(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli_main(["scan", "--format", "json", "--fail-on", "error", "--no-progress", "--jobs", "1", "."])
    assert code in (0, 1), f"{case['id']}: pinaudit scan exited {code}"
    findings: list[Finding] = json.loads(out.getvalue()).get("findings", [])
    return [f for f in findings if f.get("path", "").removeprefix("./") == name]


def score(cases_file: Path, tmp: Path) -> tuple[float, float, list[str]]:
    cases = [json.loads(line) for line in cases_file.read_text().splitlines() if line.strip()]
    tp = fn = tn = fp = 0
    misses: list[str] = []
    for i, case in enumerate(cases):
        found = scan_case(case, tmp / f"c{i:04d}")
        for e in case["expect"]:
            if e["unpinned"]:
                if any(matches(f, e) for f in found):
                    tp += 1
                else:
                    fn += 1
                    got = [(f["rule"], f.get("package"), f["line"]) for f in found]
                    misses.append(f"MISS {case['id']}: {e} got {got}")
            elif any(violates(f, e) for f in found):
                fp += 1
                misses.append(f"FALSE {case['id']}: {e}")
            else:
                tn += 1
    recall = tp / (tp + fn) if tp + fn else 1.0
    spec = tn / (tn + fp) if tn + fp else 1.0
    return recall, spec, misses
