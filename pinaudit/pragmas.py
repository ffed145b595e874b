"""``# pinaudit: ignore=CODES`` and ``# pinaudit: ignore-file`` pragmas, shared by every analyzer.

One grammar for every file kind (Dockerfile, requirements, YAML, shell) so users learn it once,
and so a typo such as ``ignore=PIN10l`` is treated the same way everywhere. The parsers own what
is a comment in their language; this module only reads the comment's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pinaudit.model import Suppression

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    #: what :func:`parse_pragma` returns: codes to ignore (empty: every code), "file", or None
    Pragma: TypeAlias = frozenset[str] | Literal["file"] | None

# Compiled on first use (``re`` caches it): most files have no comment that mentions pinaudit,
# and a one-file pre-commit run should not pay for the pattern.
_PRAGMA = (
    r"(?i)pinaudit\s*:\s*(?P<kind>ignore-file|ignore)\b"
    r"(?:\s*=\s*(?P<codes>[A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*))?"
)


def parse_pragma(comment: str) -> Pragma:
    """Read one comment's text (with or without its leading ``#``).

    Returns ``"file"`` for ``ignore-file``, the upper-cased codes for ``ignore=PIN101,PIN402``,
    an empty frozenset for a bare ``ignore`` (every code), and None when there is no pragma.
    """
    if "pinaudit" not in comment.lower():
        return None
    m = re.search(_PRAGMA, comment)
    if m is None:
        return None
    if m.group("kind").lower() == "ignore-file":
        return "file"
    codes = m.group("codes")
    if not codes:
        return frozenset()
    return frozenset(c.strip().upper() for c in codes.split(",") if c.strip())


def hash_comments(text: str) -> Iterator[tuple[int, int, str, bool]]:
    """``#`` comments of a line-oriented file (YAML, shell, requirements) that mention pinaudit.

    Yields (line, column, comment text, own_line). A ``#`` starts a comment at the start of a line
    or after whitespace, which is the rule in YAML, POSIX shell and pip requirements files. It is
    deliberately naive about quotes: only comments containing ``pinaudit`` are reported, and a
    quoted string that happens to hold a pragma is vanishingly rare.
    """
    for lineno, line in enumerate(text.splitlines(), start=1):
        if "pinaudit" not in line.lower():
            continue
        for m in re.finditer(r"(?:^|(?<=\s))#", line):
            comment = line[m.start() :]
            if "pinaudit" in comment.lower():
                yield lineno, m.start() + 1, comment, line[: m.start()].strip() == ""
                break


def line_suppressions(path: str, text: str) -> tuple[tuple[Suppression, ...], bool]:
    """Suppressions for a line-oriented file: a trailing pragma covers its own line, a pragma on a
    line of its own covers the next non-blank, non-comment line (hadolint's convention).

    Returns (suppressions, ignore_file).
    """
    lines = text.splitlines()
    out: list[Suppression] = []
    ignore_file = False
    for lineno, _col, comment, own_line in hash_comments(text):
        pragma = parse_pragma(comment)
        if pragma is None:
            continue
        if pragma == "file":
            ignore_file = True
            continue
        target = lineno
        if own_line:
            target = lineno + 1
            while target <= len(lines) and (
                not lines[target - 1].strip() or lines[target - 1].lstrip().startswith("#")
            ):
                target += 1
        out.append(Suppression(path, pragma, target, target, lineno))
    return tuple(out), ignore_file
