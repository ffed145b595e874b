"""Run the whole scan pipeline over files laid out in a temporary folder, as a user would."""

from __future__ import annotations

import os
from pathlib import Path

from pinaudit.app import scan
from pinaudit.config import Config
from pinaudit.model import Finding
from pinaudit.parse.lines import LineIndex
from pinaudit.parse.text import MappedText, MappedTextBuilder

REPO = Path(__file__).resolve().parents[1]
# The shared folder (labelled cases, corpus, schemas) sits beside the checkout: ``../shared``
# from the repository root, wherever the checkout lives; PINAUDIT_SHARED overrides it and
# PINAUDIT_CORPUS the corpus alone. Resolved, so a symlinked ``../shared`` reads the same files.
SHARED = Path(os.environ.get("PINAUDIT_SHARED") or REPO.parent / "shared").resolve()
CORPUS = Path(os.environ.get("PINAUDIT_CORPUS") or SHARED / "corpus").resolve()


def lay_out(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def scan_files(root: Path, files: dict[str, str], **config: object) -> list[Finding]:
    """Lay ``files`` out under ``root`` and scan it from there; returns findings in output order."""
    lay_out(root, files)
    cfg = Config(root=root).merged(**config) if config else Config(root=root)
    return list(scan([root], cfg, cwd=root).report.findings)


def hits(findings: list[Finding], code: str | None = None) -> list[tuple[str, int, str | None]]:
    """(code, line, package) triples, optionally of one rule only."""
    return [(f.rule, f.location.span.line, f.package) for f in findings if code is None or f.rule == code]


def dockerfile(tmp_path: Path, text: str, code: str | None = None, **extra: str) -> list[tuple[str, int, str | None]]:
    return hits(scan_files(tmp_path, {"Dockerfile": text, **extra}), code)


def mapped_pieces(*pieces: tuple[str, int, int]) -> MappedText:
    """A logical text glued from ``(text, line, column)`` pieces of a made-up file that holds
    each piece at that place (blanks elsewhere): offsets and positions as a parser would map them."""
    rows: list[str] = []
    for text, line, col in pieces:
        for k, part in enumerate(text.split("\n")):
            i = line - 1 + k
            while len(rows) <= i:
                rows.append("")
            at = col - 1 if k == 0 else 0
            row = rows[i].ljust(at)
            rows[i] = row[:at] + part + row[at + len(part):]
    index = LineIndex("\n".join(rows) + "\n")
    b = MappedTextBuilder(index)
    for text, line, col in pieces:
        b.add(text, index.offset(line, col))
    return b.build()


def mapped_at(text: str, line: int = 1, column: int = 1) -> MappedText:
    """``text`` laid out in a made-up file from (line, column)."""
    return mapped_pieces((text, line, column))
