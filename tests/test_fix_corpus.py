"""The property ``fix`` promises, over the whole shared corpus: with a stub resolution that gives
every site one fixed version, the bytes that change lie inside the edits' spec spans (nothing else
moves: no comment, quote, continuation, indentation or line ending), every edit replaces a spec
(never a newline, a comment or a continuation), and every changed file still parses with the
same number of install sites. The error-level unpinned findings left afterwards are counted with
their reasons (printed with ``-s``).
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from pinaudit.app import scan
from pinaudit.config import Config
from pinaudit.model import Category, Severity
from pinaudit.writer.fix import plan_fix, select_sites
from tests.helpers import CORPUS
from tests.test_fix import Stub

FILES = CORPUS / "files"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not FILES.is_dir(), reason=f"no corpus at {CORPUS}"),
]


def _outside(before: str, after: str, spans: list[tuple[int, int]]) -> list[str]:
    """Changes between the texts that no edit's range covers: line by line (an edit never writes a
    line break), the changed middle of each changed line must lie within the edits on that line."""
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(old_lines) != len(new_lines):
        return [f"{len(old_lines)} lines became {len(new_lines)}"]
    bad = []
    pos = 0
    for old, new in zip(old_lines, new_lines, strict=True):
        if old != new:
            p = 0
            while p < min(len(old), len(new)) and old[p] == new[p]:
                p += 1
            q = 0
            while q < min(len(old), len(new)) - p and old[-1 - q] == new[-1 - q]:
                q += 1
            lo, hi = pos + p, pos + len(old) - q
            mine = [(a, b) for a, b in spans if pos <= a <= pos + len(old)]
            if not mine or lo < min(a for a, _b in mine) or hi > max(b for _a, b in mine):
                bad.append(f"{old!r} -> {new!r}")
        pos += len(old)
    return bad


def test_fix_over_the_corpus_changes_only_spec_spans(tmp_path: Path) -> None:
    jobs = os.cpu_count() or 1
    first = scan([FILES], Config(), cwd=CORPUS, jobs=jobs)
    sites = select_sites(first.report.findings, first.report.sites)
    plan = plan_fix(sites, Stub(), lambda p: (CORPUS / p).read_bytes())
    assert not plan.unreachable and plan.files

    problems: list[str] = []
    for change in plan.files:
        spans = [(e.start, e.end) for e in change.edits]
        for e in change.edits:
            written = change.source.text[e.start:e.end]
            if any(c in written for c in "\r\n#\\") or written.rstrip() != written:
                problems.append(f"{change.path}: edit replaces {written!r}")
        problems += [f"{change.path}: {b}" for b in _outside(change.source.text, change.new_text, spans)[:3]]
        assert change.after == change.source.encode(change.new_text)
        assert change.after.startswith(b"\xef\xbb\xbf") == change.before.startswith(b"\xef\xbb\xbf")
    assert not problems, "\n".join(problems[:40])

    # every changed file still parses, with the same install sites
    copy = tmp_path / "corpus"
    shutil.copytree(FILES, copy / "files", symlinks=True)
    for change in plan.files:
        (copy / change.path).write_bytes(change.after)
    changed = [copy / c.path for c in plan.files]
    again = scan(changed, Config(), cwd=copy, jobs=jobs)
    before_counts = {r.path: (len(r.sites), len(r.diagnostics)) for r in first.results}
    after_counts = {r.path: (len(r.sites), len(r.diagnostics)) for r in again.results}
    differ = [f"{p}: {before_counts.get(p)} -> {n}" for p, n in after_counts.items() if before_counts.get(p) != n]
    assert not differ, "\n".join(differ[:40])

    # what is left: error-level unpinned findings after fix, and why fix left them
    changed_paths = {c.path for c in plan.files}
    def unpinned_errors(findings: object) -> list[str]:
        return [f.location.path for f in findings  # type: ignore[attr-defined]
                if f.severity is Severity.ERROR and f.category is Category.UNPINNED]
    before_n = len(unpinned_errors(first.report.findings))
    after_n = len([p for p in unpinned_errors(first.report.findings) if p not in changed_paths]) + \
        len(unpinned_errors(again.report.findings))
    reasons = Counter(why.reason.split(":")[0][:90] for _s, why in plan.left)
    print(f"\ncorpus: {len(sites)} sites selected, {len(plan.fixed)} fixed in {len(plan.files)} files, "
          f"{len(plan.left)} left; error-level unpinned findings {before_n} -> {after_n}")
    for reason, n in reasons.most_common():
        print(f"  {n:6d}  {reason}")
    assert after_n < before_n
