"""Word expansion that needs no syntax tree: pieces, field splitting, ``${...}`` pattern operators,
ANSI-C quoting, and the marked values that keep a list's unknown items apart.

A word is expanded into *pieces* ``(kind, text, offset, exact)``: the kind says whether the text
is literal, field-split or unknown; ``offset`` is where in the source it starts, and ``exact``
whether each of its characters sits at its own source offset (false for a variable's value, whose
characters all map to the ``$``).
"""

from __future__ import annotations

import fnmatch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from pinaudit.parse.shell.values import Command

# piece kinds of an expanded word
_LIT = 0  # literal text (quoted or not): never field-split
_SPLIT = 1  # result of an unquoted expansion: field-split on whitespace
_UNK = 2  # unknown (variable, command substitution): text is the raw source

_IFS = " \t\n"
_ANSI_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
    "e": "\x1b", "E": "\x1b", "\\": "\\", "'": "'", '"': '"', "?": "?",
}  # fmt: skip


# Plain class with __slots__, not a dataclass: importing ``dataclasses`` costs a one-file run ~10 ms.
class _Acc:
    """Accumulates one word's expansion."""

    __slots__ = ("inert", "pieces", "quoted", "subs", "unknown")

    def __init__(self) -> None:
        self.pieces: list[tuple[int, str, int, bool]] = []  # kind, text, offset, exact
        self.quoted = False
        self.unknown: list[str] = []
        self.subs: list[Command] = []
        self.inert: list[tuple[int, int]] = []  # quoted or escaped source ranges (see braces)


def _field_split(pieces: list[tuple[int, str, int, bool]]) -> list[str]:
    return ["".join(t for _k, t, _o, _e in field) for field in _field_split_pieces(pieces)]


# A variable's value with some parts unknown keeps those parts, as written, between two _MARK
# characters (see _marked); the scope otherwise holds plain strings, or None for unknown.
_MARK = "\x00"
_VAR_REF = r"\$\{?([A-Za-z_][A-Za-z0-9_]*)"


def _marked(pieces: list[tuple[int, str, int, bool]]) -> str | None:
    """The value to keep for an assignment: the text, or None when something in it is unknown.

    One exception keeps more: a list with an unknown item (``P="nginx=${NGINX_VERSION} curl"``,
    the version from the base image) keeps its unknown parts between _MARK characters, so a later
    unquoted ``apk add $P`` still splits the list, judges ``curl`` and names ``nginx`` in an
    unknown-version info, instead of one info about ``$P``.
    """
    if not any(k == _UNK for k, _t, _o, _e in pieces):
        return "".join(t for _k, t, _o, _e in pieces)
    if any(_MARK in t for _k, t, _o, _e in pieces):
        return None
    if not any(k != _UNK and any(c in _IFS for c in t) for k, t, _o, _e in pieces):
        return None
    return "".join(f"{_MARK}{t}{_MARK}" if k == _UNK else t for k, t, _o, _e in pieces)


def _field_split_pieces(pieces: list[tuple[int, str, int, bool]]) -> list[list[tuple[int, str, int, bool]]]:
    """:func:`_field_split` keeping each field's pieces (unknown parts never split)."""
    fields: list[list[tuple[int, str, int, bool]]] = []
    cur: list[tuple[int, str, int, bool]] | None = None
    for kind, text, o, e in pieces:
        if kind != _SPLIT:
            cur = [*(cur or []), (kind, text, o, e)]
            continue
        if not text:
            continue
        segs = text.split()
        if not segs:
            if cur is not None:
                fields.append(cur)
                cur = None
            continue
        if text[0] in _IFS and cur is not None:
            fields.append(cur)
            cur = None
        cur = [*(cur or []), (_LIT, segs[0], o, False)]
        for seg in segs[1:]:
            fields.append(cur)
            cur = [(_LIT, seg, o, False)]
        if text[-1] in _IFS:
            fields.append(cur)
            cur = None
    if cur is not None:
        fields.append(cur)
    return fields


def _script_form(pieces: list[tuple[int, str, int, bool]]) -> tuple[str, list[int]]:
    """Text of a word with unknown parts kept as written, and each char's source offset."""
    parts: list[str] = []
    offs: list[int] = []
    for _k, text, o, exact in pieces:
        parts.append(text)
        offs.extend(range(o, o + len(text)) if exact else [o] * len(text))
    return "".join(parts), offs


def _glob_strip(val: str, op: str, pat: str) -> str:
    """${v#p} ${v##p} ${v%p} ${v%%p} with shell glob patterns."""
    n = len(val)
    # shortest prefix / longest suffix scan forwards; the other two backwards
    rng: Iterable[int] = range(n + 1) if op in ("#", "%%") else range(n, -1, -1)
    for i in rng:
        if op in ("#", "##"):
            if fnmatch.fnmatchcase(val[:i], pat):
                return val[i:]
        elif fnmatch.fnmatchcase(val[i:], pat):
            return val[:i]
    return val


def _pattern_op(val: str, op: str, rest: str) -> str | None:
    """The pattern/substring/case operators of ${...}; None when we cannot be exact."""
    if op in ("#", "##", "%", "%%"):
        return _glob_strip(val, op, rest)
    if op in ("^^", "^") and not rest:
        return val.upper() if op == "^^" else val[:1].upper() + val[1:]
    if op in (",,", ",") and not rest:
        return val.lower() if op == ",," else val[:1].lower() + val[1:]
    if op in ("/", "//", "/#", "/%"):
        pat, _, rep = rest.partition("/")
        if any(c in pat for c in "*?[") or not pat:
            return None
        if op == "/":
            return val.replace(pat, rep, 1)
        if op == "//":
            return val.replace(pat, rep)
        if op == "/#":
            return rep + val[len(pat) :] if val.startswith(pat) else val
        return val[: -len(pat)] + rep if val.endswith(pat) else val
    if op == ":":
        off_s, sep, len_s = rest.partition(":")
        try:
            off = int(off_s.strip() or "0")
            length = int(len_s.strip()) if sep else None
        except ValueError:
            return None
        if off < 0:
            off = max(0, len(val) + off)
        if length is None:
            return val[off:]
        end = off + length if length >= 0 else len(val) + length
        return val[off:end] if end >= off else None
    return None


def _ansi_c(body: str) -> str:
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch != "\\" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _ANSI_ESCAPES:
            out.append(_ANSI_ESCAPES[nxt])
            i += 2
        elif nxt in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[nxt]
            j = i + 2
            while j < n and j < i + 2 + width and body[j] in "0123456789abcdefABCDEF":
                j += 1
            if j > i + 2:
                try:
                    out.append(chr(int(body[i + 2 : j], 16)))
                except (ValueError, OverflowError):
                    out.append(body[i:j])
                i = j
            else:
                out.append(body[i : i + 2])
                i += 2
        elif nxt in "01234567":
            j = i + 1
            while j < n and j < i + 4 and body[j] in "01234567":
                j += 1
            out.append(chr(int(body[i + 1 : j], 8) & 0xFF))
            i = j
        elif nxt == "c" and i + 2 < n:
            out.append(chr(ord(body[i + 2]) & 0x1F))
            i += 3
        else:
            out.append(body[i : i + 2])
            i += 2
    return "".join(out)
