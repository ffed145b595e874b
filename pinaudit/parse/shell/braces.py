"""Brace expansion, as bash, zsh and ksh do it before any other expansion: ``lib{ssl,ffi}-dev`` is
the two words ``libssl-dev libffi-dev``, ``v{1..3}`` is ``v1 v2 v3``. POSIX sh and dash keep the
word as written, so the walker calls this only for a shell that expands braces.

It works on a word's expansion pieces (see ``expand``), before field splitting. Only braces and
commas written unquoted and unescaped in the word itself take part: quoted (``"{a,b}"``),
escaped (``\\{a,b}``) and variable-borne ones (``$V`` holding ``{a,b}``) are literal, as in bash,
and so are ``{}``, ``{a}`` and an unmatched ``{``.
"""

from __future__ import annotations

import itertools
import re

from pinaudit.parse.shell.expand import _LIT, _UNK

_Piece = tuple[int, str, int, bool]  # kind, text, offset, exact (see expand)
_Unit = tuple[int, str, int, bool, bool]  # a piece, or one character of one, and whether it is active

# more words than this from one word: left as written (`{1..100000}` is no package list)
MAX_BRACE_WORDS = 256

_INT_SEQ = re.compile(r"([-+]?\d+)\.\.([-+]?\d+)(?:\.\.([-+]?\d+))?")
_CHAR_SEQ = re.compile(r"([A-Za-z])\.\.([A-Za-z])(?:\.\.([-+]?\d+))?")


class _TooMany(Exception):
    pass


def brace_expand(pieces: list[_Piece], inert: list[tuple[int, int]]) -> list[list[_Piece]] | None:
    """The pieces of each word ``pieces`` expands to, in bash's order; None when it holds no
    brace expansion (or would make more than :data:`MAX_BRACE_WORDS` words).

    ``inert`` are the source ranges whose characters cannot start or split an expansion (quoted
    text, escaped characters).
    """
    units: list[_Unit] = []
    for kind, text, off, exact in pieces:
        if kind == _UNK or not exact:
            units.append((kind, text, off, exact, False))
            continue
        for i, ch in enumerate(text):
            at = off + i
            active = ch in "{}," and not any(a <= at < b for a, b in inert)
            units.append((kind, ch, at, exact, active))
    try:
        out = _expand(units)
    except _TooMany:
        return None
    if len(out) < 2:
        return None
    return [_pieces(u) for u in out]


def _is(unit: _Unit, ch: str) -> bool:
    return unit[4] and unit[1] == ch


def _expand(units: list[_Unit], made: int = 0) -> list[list[_Unit]]:
    """Expand the first brace expression of ``units`` (then, recursively, the rest)."""
    for i, unit in enumerate(units):
        if not _is(unit, "{"):
            continue
        alts = _alternatives(units, i)
        if alts is None:
            continue  # `{a}`, `{}` or unmatched: literal, a later `{` may still expand
        alternatives, close = alts
        out: list[list[_Unit]] = []
        for alt in alternatives:
            out.extend(_expand([*units[:i], *alt, *units[close + 1 :]], made + len(out)))
            if made + len(out) > MAX_BRACE_WORDS:
                raise _TooMany
        return out
    return [units]


def _alternatives(units: list[_Unit], start: int) -> tuple[list[list[_Unit]], int] | None:
    """The alternatives of the brace expression opening at ``start`` and where it closes."""
    depth = 0
    commas: list[int] = []
    for j in range(start, len(units)):
        u = units[j]
        if _is(u, "{"):
            depth += 1
        elif _is(u, "}"):
            depth -= 1
            if depth == 0:
                if commas:
                    bounds = [start, *commas, j]
                    return [units[a + 1 : b] for a, b in itertools.pairwise(bounds)], j
                seq = _sequence(units[start + 1 : j])
                if seq is None:
                    return None
                # a generated item maps to the `{` it came from
                return [[(_LIT, item, units[start][2], False, False)] for item in seq], j
        elif _is(u, ",") and depth == 1:
            commas.append(j)
    return None


def _sequence(inner: list[_Unit]) -> list[str] | None:
    """``1..3``, ``01..10..3``, ``a..e``: the items; None for anything else."""
    if any(u[0] == _UNK or not u[3] for u in inner):
        return None
    text = "".join(u[1] for u in inner)
    m = _INT_SEQ.fullmatch(text)
    if m:
        first, last = int(m.group(1)), int(m.group(2))
        step = abs(int(m.group(3) or 1)) or 1
        if abs(last - first) // step + 1 > MAX_BRACE_WORDS:
            raise _TooMany
        width = max(len(m.group(1).lstrip("+-")), len(m.group(2).lstrip("+-")))
        padded = any(g.lstrip("+-").startswith("0") and len(g.lstrip("+-")) > 1 for g in m.group(1, 2))
        rng = range(first, last + (1 if last >= first else -1), step if last >= first else -step)
        return [f"{n:0{width + (n < 0)}d}" if padded else str(n) for n in rng]
    m = _CHAR_SEQ.fullmatch(text)
    if m:
        a, b = ord(m.group(1)), ord(m.group(2))
        step = abs(int(m.group(3) or 1)) or 1
        return [chr(c) for c in range(a, b + (1 if b >= a else -1), step if b >= a else -step)]
    return None


def _pieces(units: list[_Unit]) -> list[_Piece]:
    """Units glued back into pieces: runs of one kind whose characters sit side by side."""
    out: list[_Piece] = []
    for kind, text, off, exact, _active in units:
        if out:
            pk, pt, po, pe = out[-1]
            if pk == kind != _UNK and pe == exact and (po + len(pt) == off if exact else po == off):
                out[-1] = (pk, pt + text, po, pe)
                continue
        out.append((kind, text, off, exact))
    return out
