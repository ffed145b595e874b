"""Scan every file of the shared real-world corpus (issue 5): no exception, no PIN001 that is an
internal error or lacks a parser message, and the same findings serially and in parallel.

The corpus lives beside the repository (``../shared/corpus``; ``PINAUDIT_SHARED`` or ``PINAUDIT_CORPUS``
overrides); without it these tests skip, which fails a CI run (tests/conftest.py).
"""

from __future__ import annotations

import csv

import pytest

from pinaudit.app import ScanResult, scan
from pinaudit.config import Config
from pinaudit.discover import discover
from tests.helpers import CORPUS

FILES = CORPUS / "files"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not FILES.is_dir(), reason=f"no corpus at {CORPUS}"),
]

KIND_OF_TYPE = {"dockerfile": "dockerfile", "requirements": "requirements", "package_json": "package.json",
                "compose": "compose"}


@pytest.fixture(scope="module")
def serial() -> ScanResult:
    return scan([FILES], Config(), cwd=CORPUS, jobs=1)


def test_every_corpus_file_is_discovered_with_its_kind() -> None:
    with (CORPUS / "MANIFEST.tsv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    found = {t.path.resolve(): t.kind for t in discover([FILES])}
    missing = []
    for row in rows:
        kind = KIND_OF_TYPE.get(row["file_type"])
        if kind is None:  # lockfiles are read through their package.json
            continue
        path = (CORPUS / row["path_in_corpus"]).resolve()
        if found.get(path) != kind:
            missing.append(f"{row['path_in_corpus']}: {row['file_type']} -> {found.get(path)}")
    # a few names are ambiguous by design (Dockerfile.md is documentation; requirements under a
    # docs folder); anything beyond a handful is a discovery regression
    assert len(missing) <= 0.01 * len(rows), "\n".join(missing[:50])


def test_no_internal_errors_and_every_pin001_has_a_message(serial: ScanResult) -> None:
    assert serial.report.files >= 5000
    bad = []
    for f in serial.report.findings:
        if f.rule != "PIN001":
            continue
        if "internal error" in f.message or "internal shell-analysis error" in f.message or not f.message.strip():
            bad.append(f"{f.location.path}:{f.location.line}: {f.message}")
    assert not bad, "\n".join(bad[:50])
    for r in serial.results:
        for d in r.diagnostics:
            assert d.message.strip(), r.path


def test_parallel_scan_equals_serial(serial: ScanResult) -> None:
    parallel = scan([FILES], Config(), cwd=CORPUS, jobs=2)
    assert parallel.results == serial.results
    assert parallel.report == serial.report
    from pinaudit import parallel as parallel_module

    assert parallel_module.last_fallback is None  # really in worker processes


def test_every_site_span_is_its_token_as_written(serial: ScanResult) -> None:
    """Issue 9's coordinate property over the whole corpus: package token, spec span (or the
    insertion point) and origin of every site are the characters as written, and their
    line/column agree with the offsets (tests/coords.py); every finding has offsets."""
    from pinaudit.model import InstallSite
    from pinaudit.parse.lines import LineIndex
    from tests.coords import check_site

    by_path: dict[str, list[InstallSite]] = {}
    for site in serial.report.sites:
        by_path.setdefault(site.location.path, []).append(site)
    bad: list[str] = []
    for path, sites in by_path.items():  # one file in memory at a time: later tests fork children
        text = (CORPUS / path).read_bytes().decode("utf-8-sig")
        index = LineIndex(text)
        for site in sites:
            bad.extend(f"{path}:{site.location.line}: {p}" for p in check_site(text, site, index))
    assert len(serial.report.sites) > 40_000
    assert not bad, f"{len(bad)} of {len(serial.report.sites)} sites:\n" + "\n".join(bad[:50])
    no_offsets = [f for f in serial.report.findings if f.location.span.start < 0]
    assert not no_offsets, "\n".join(f"{f.location.path}:{f.location.line}: {f.rule}" for f in no_offsets[:50])
