"""The source lines a report points at, read once by the core for formatters that show them.

The HTML report shows each finding's offending line(s) with the token highlighted. Formatters are
pure functions of their inputs, so they never open files: this module reads, for each path of the
findings, only the lines their spans cover, and hands a mapping ``path -> {line: text}`` over.

Lines are split exactly as the parsers count them (``\\n``, ``\\r\\n`` or a lone ``\\r``, after a
UTF-8 BOM is removed: :mod:`pinaudit.parse.lines`), so a span's columns land on the same
characters here as in the file. A file that has gone, grown binary or stopped decoding since the
scan simply contributes no lines: the finding is still reported, without its excerpt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from pinaudit.model import Finding

__all__ = ["MAX_LINE_CHARS", "MAX_SPAN_LINES", "SourceLines", "read_lines"]

SourceLines = Mapping[str, Mapping[int, str]]

# A minified one-line package.json or a 5 MiB heredoc must not put megabytes into a report:
# an excerpt shows at most this many lines of one span (its first and last) and this many
# characters of a line (the formatter marks what it cut).
MAX_SPAN_LINES = 6
MAX_LINE_CHARS = 2000

_BREAK = re.compile(r"\r\n?|\n")  # pinaudit.parse.lines' line ends, and no others


def wanted_lines(findings: Iterable[Finding]) -> dict[str, set[int]]:
    """Per path, the line numbers the findings' spans cover (long spans: their ends only)."""
    out: dict[str, set[int]] = {}
    for f in findings:
        span = f.location.span
        first, last = span.line, max(span.end_line, span.line)
        lines = out.setdefault(f.location.path, set())
        if last - first < MAX_SPAN_LINES:
            lines.update(range(first, last + 1))
        else:
            half = MAX_SPAN_LINES // 2
            lines.update(range(first, first + half))
            lines.update(range(last - half + 1, last + 1))
    return out


def read_lines(findings: Iterable[Finding], *, cwd: Path) -> dict[str, dict[int, str]]:
    """Read the lines ``findings`` point at; paths are the report's, relative to ``cwd``."""
    out: dict[str, dict[int, str]] = {}
    for path, numbers in wanted_lines(findings).items():
        lines = _file_lines(cwd / path, max(numbers))
        if lines is None:
            continue
        got = {n: lines[n - 1][:MAX_LINE_CHARS] for n in sorted(numbers) if 0 < n <= len(lines)}
        if got:
            out[path] = got
    return out


def _file_lines(path: Path, upto: int) -> list[str] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return _BREAK.split(text, maxsplit=upto)[:upto]
