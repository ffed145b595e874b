#!/usr/bin/env python3
"""Snapshot the findings pinaudit reports over the shared corpus, and compare two snapshots.

A refactoring that should change nothing (issue 9's reshaping) is checked by running this
before and after and comparing: every finding's (rule, path, line, column, package, severity),
plus the number of files and install sites.

    python scripts/corpus_findings.py snapshot before.json
    ... change the code ...
    python scripts/corpus_findings.py snapshot after.json
    python scripts/corpus_findings.py compare before.json after.json    # exit 1 on any difference

The corpus defaults to ``../shared/corpus/files`` from the repository root (``PINAUDIT_SHARED``
overrides the shared folder). The path is resolved first: a symlinked ``../shared`` must not
change what is scanned.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    return Path(os.environ.get("PINAUDIT_SHARED") or REPO.parent / "shared").resolve()


def snapshot(corpus: Path, out: Path) -> int:
    cmd = [sys.executable, "-m", "pinaudit", "scan", "--format", "json", "--fail-on", "error", "--jobs", "2", "."]
    proc = subprocess.run(cmd, cwd=corpus, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr)
        return proc.returncode or 4
    data = json.loads(proc.stdout)
    rows = sorted(
        (f["rule"], f["path"], f["line"], f["column"], f["package"] or "", f["severity"]) for f in data["findings"]
    )
    summary = {k: data["summary"][k] for k in ("files", "install_sites", "findings")}
    out.write_text(json.dumps({"summary": summary, "findings": rows}, indent=0) + "\n")
    print(f"{out}: {summary}")
    return 0


def compare(a: Path, b: Path) -> int:
    da, db = json.loads(a.read_text()), json.loads(b.read_text())
    ra = {tuple(r) for r in da["findings"]}
    rb = {tuple(r) for r in db["findings"]}
    only_a, only_b = sorted(ra - rb), sorted(rb - ra)
    for r in only_a[:50]:
        print("-", *r)
    for r in only_b[:50]:
        print("+", *r)
    same = not only_a and not only_b and da["summary"] == db["summary"]
    print(
        f"{a.name}: {da['summary']}\n{b.name}: {db['summary']}\n"
        f"{len(only_a)} findings only in {a.name}, {len(only_b)} only in {b.name}: "
        f"{'identical' if same else 'DIFFERENT'}"
    )
    return 0 if same else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("out", type=Path)
    s.add_argument("--corpus", type=Path, default=None)
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = p.parse_args(argv)
    if args.cmd == "snapshot":
        corpus = (args.corpus or shared_dir() / "corpus" / "files").resolve()
        return snapshot(corpus, args.out.resolve())
    return compare(args.a, args.b)


if __name__ == "__main__":
    raise SystemExit(main())
