"""BuildKit's per-instruction line parsers (``line_parsers.go``, ``split_command.go``).

A logical line (continuations joined) becomes a :class:`Node`: the instruction word, its leading
``--flags``, and the argument words exactly as BuildKit's parser produces them for that
instruction (JSON exec form or shell form, ENV/LABEL name-value pairs, ONBUILD's trigger, ...).
Every word carries its offsets in the logical line, which :mod:`pinaudit.parse.dockerfile` maps
back to physical lines and columns.
"""

from __future__ import annotations

import re
from functools import cache

from pinaudit.parse.dockerfile_lex import GO_SPACE_SET

TYPE_CHECKING = False
if TYPE_CHECKING:
    from json import JSONDecoder
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple

_ASCII_SPACE = frozenset(" \t\n\v\f\r")
# BuildKit's reWhitespace / tokenWhitespace: ASCII only, and no newline.
_TOKEN_WS = re.compile(r"[\t\v\f\r ]+")


def _trim_space(s: str, start: int, end: int) -> tuple[int, int]:
    """Go's strings.TrimSpace on s[start:end], as offsets."""
    while start < end and s[start] in GO_SPACE_SET:
        start += 1
    while end > start and s[end - 1] in GO_SPACE_SET:
        end -= 1
    return start, end


# --------------------------------------------------------------------------------------------
# splitCommand / extractBuilderFlags


def _extract_flags(line: str, base: int) -> tuple[int, list[tuple[str, int, int]]]:
    """BuildKit's extractBuilderFlags: leading ``--words`` (quotes removed, ``\\`` escapes)."""
    # Go walks bytes here and asks unicode.IsSpace of each byte: only ASCII blanks count (a
    # no-break space before the flags ends them), except that a continuation byte 0x85/0xA0
    # would split a character in two, and non-ASCII flag text comes out double-encoded. This
    # walks characters and keeps the text intact instead.
    words: list[tuple[str, int, int]] = []
    n = len(line)
    pos = 0
    in_spaces, in_word, in_quote = 0, 1, 2
    phase = in_spaces
    word: list[str] = []
    wstart = 0
    quote = ""
    blank_ok = False
    while pos <= n:
        ch = line[pos] if pos < n else ""
        if phase == in_spaces:
            if pos == n:
                break
            if ch in _ASCII_SPACE:
                pos += 1
                continue
            if ch != "-" or pos + 1 == n or line[pos + 1] != "-":
                return pos, words
            phase = in_word
            wstart = pos
        if pos == n:
            w = "".join(word)
            if w != "--" and (blank_ok or w):
                words.append((w, base + wstart, base + pos))
            break
        if phase == in_word:
            if ch in _ASCII_SPACE:
                phase = in_spaces
                w = "".join(word)
                if w == "--":
                    return pos, words
                if blank_ok or w:
                    words.append((w, base + wstart, base + pos))
                word = []
                blank_ok = False
                pos += 1
                continue
            if ch in "'\"":
                quote = ch
                blank_ok = True
                phase = in_quote
                pos += 1
                continue
            if ch == "\\":
                if pos + 1 == n:
                    pos += 1
                    continue
                pos += 1
                ch = line[pos]
            word.append(ch)
            pos += 1
            continue
        # in quote
        if ch == quote:
            phase = in_word
            pos += 1
            continue
        if ch == "\\":
            if pos + 1 == n:
                phase = in_word
                pos += 1
                continue
            pos += 1
            ch = line[pos]
        word.append(ch)
        pos += 1
    return n, words


# --------------------------------------------------------------------------------------------
# line parsers (line_parsers.go)


class LineParseError(Exception):
    pass


LineWord = tuple[str, int, int]  # text, start, end offsets in the logical line


def parse_words(rest: str, base: int, escape: str) -> list[LineWord]:
    """BuildKit's parseWords: whitespace-split, quotes and escapes kept verbatim."""
    words: list[LineWord] = []
    n = len(rest)
    in_spaces, in_word, in_quote = 0, 1, 2
    phase = in_spaces
    quote = ""
    blank_ok = False
    buf: list[str] = []
    wstart = 0
    pos = 0
    while pos <= n:
        ch = rest[pos] if pos < n else ""
        if phase == in_spaces:
            if pos == n:
                break
            if ch in GO_SPACE_SET:
                pos += 1
                continue
            phase = in_word
            wstart = pos
        if pos == n:
            if blank_ok or buf:
                words.append(("".join(buf), base + wstart, base + pos))
            break
        if phase == in_word:
            if ch in GO_SPACE_SET:
                phase = in_spaces
                if blank_ok or buf:
                    words.append(("".join(buf), base + wstart, base + pos))
                buf = []
                blank_ok = False
                pos += 1
                continue
            if ch in "'\"":
                quote = ch
                blank_ok = True
                phase = in_quote
            if ch == escape:
                if pos + 1 == n:
                    pos += 1
                    continue
                buf.append(ch)
                pos += 1
                ch = rest[pos]
            buf.append(ch)
            pos += 1
            continue
        # in quote
        if ch == quote:
            phase = in_word
        if ch == escape and quote != "'":
            if pos + 1 == n:
                phase = in_word
                pos += 1
                continue
            pos += 1
            buf.append(ch)
            ch = rest[pos]
        buf.append(ch)
        pos += 1
    return words


def _reject_float(s: str) -> float:
    v = float(s)
    if v in (float("inf"), float("-inf")):
        # Go's json refuses to put an out-of-range number into a float64; the array then does
        # not decode and BuildKit falls back to shell form.
        raise ValueError(s)
    return v


def _reject_constant(s: str) -> object:
    raise ValueError(s)  # NaN/Infinity are not JSON to Go


@cache
def _decoder() -> JSONDecoder:
    # Imported on first use: the fast path below handles nearly every exec form without it.
    import json

    return json.JSONDecoder(parse_float=_reject_float, parse_constant=_reject_constant)


_JSON_SPACE = " \t\n\r"  # JSON's whitespace (Go's decoder agrees)


def _plain_string_array(rest: str, lead: int, base: int) -> list[LineWord] | None:
    """The exec form nearly every Dockerfile has, ``["python", "app.py"]``, read without the json
    module: strings without escapes or control characters. None means "not that simple": the
    full decoder then decides (escapes, numbers, invalid JSON...), so the result never differs.
    """
    n = len(rest)
    out: list[LineWord] = []
    i = lead + 1
    while i < n and rest[i] in _JSON_SPACE:
        i += 1
    if i < n and rest[i] == "]":
        return out
    while i < n and rest[i] == '"':
        j = rest.find('"', i + 1)
        if j < 0:
            return None
        value = rest[i + 1 : j]
        if "\\" in value or not value.isprintable():
            return None
        out.append((value, base + i + 1, base + j))
        i = j + 1
        while i < n and rest[i] in _JSON_SPACE:
            i += 1
        if i < n and rest[i] == "]":
            return out
        if i >= n or rest[i] != ",":
            return None
        i += 1
        while i < n and rest[i] in _JSON_SPACE:
            i += 1
    return None


def _parse_json(rest: str, base: int) -> list[LineWord] | None:
    """BuildKit's parseJSON; None when it is not a JSON array (shell form then)."""
    lead = 0
    n = len(rest)
    while lead < n and rest[lead] in GO_SPACE_SET:
        lead += 1
    if lead == n or rest[lead] != "[":
        return None
    simple = _plain_string_array(rest, lead, base)
    if simple is not None:
        return simple
    try:
        # BuildKit decodes with json.NewDecoder(...).Decode: the first value counts, whatever
        # follows it is ignored ('RUN ["a"] b' is exec form ["a"]).
        value, end = _decoder().raw_decode(rest, lead)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if any(not isinstance(v, str) for v in value):
        raise LineParseError("when using JSON array syntax, arrays must be comprised of strings only")
    out: list[LineWord] = []
    i = lead + 1
    for v in value:
        i = rest.index('"', i)
        j = i + 1
        while rest[j] != '"':
            j += 2 if rest[j] == "\\" else 1
        if "\\u" in rest[i:j]:
            # Go decodes a lone surrogate escape to U+FFFD (pattern compiled only here: rare)
            v = re.sub("[\ud800-\udfff]", "\ufffd", v)
        out.append((v, base + i + 1, base + j))
        i = j + 1
    del end
    return out


def _split_ws(rest: str, base: int) -> list[LineWord]:
    out: list[LineWord] = []
    pos = 0
    for m in _TOKEN_WS.finditer(rest):
        out.append((rest[pos : m.start()], base + pos, base + m.start()))
        pos = m.end()
    out.append((rest[pos:], base + pos, base + len(rest)))
    return out


class Node(NamedTuple):
    cmd: str
    cmd_start: int
    cmd_end: int
    flags: list[LineWord]
    args_start: int
    args_end: int
    values: list[LineWord]
    json: bool
    original: str
    child: Node | None = None


def node_from_line(line: str, base: int, escape: str) -> Node:
    """BuildKit's newNodeFromLine on ``line`` (which sits at ``base`` in the logical line)."""
    a, b = _trim_space(line, 0, len(line))
    m = _TOKEN_WS.search(line, a, b)
    flags: list[LineWord] = []
    if m is None:
        cmd_end = b
        args_start = args_end = b
    else:
        cmd_end = m.start()
        rest = line[m.end() : b]
        consumed, flags = _extract_flags(rest, base + m.end())
        args_start, args_end = _trim_space(line, m.end() + consumed, b)
    cmd = line[a:cmd_end]
    args = line[args_start:args_end]
    abase = base + args_start
    key = cmd.lower()
    values: list[LineWord] = []
    is_json = False
    child: Node | None = None
    if key in ("run", "cmd", "entrypoint", "shell"):
        if args:
            js = _parse_json(args, abase)
            if js is None:
                values = [(args, abase, abase + len(args))]
            else:
                values, is_json = js, True
    elif key in ("add", "copy", "volume"):
        js = _parse_json(args, abase)
        if js is not None:
            values, is_json = js, True
        elif args:
            values = _split_ws(args, abase)
    elif key in ("from", "expose"):
        if args:
            values = _split_ws(args, abase)
    elif key in ("maintainer", "stopsignal", "user", "workdir"):
        if args:
            values = [(args, abase, abase + len(args))]
    elif key in ("env", "label"):
        values = parse_name_val(args, abase, key.upper(), escape)
    elif key == "arg":
        values = parse_words(args, abase, escape)
    elif key == "healthcheck":
        values, is_json = _parse_health(args, abase)
    elif key == "onbuild":
        if args:
            child = node_from_line(args, abase, escape)
            values, is_json = child.values, child.json
    else:
        values = [("", abase, abase)]  # parseIgnore: an empty node
    return Node(cmd, base + a, base + cmd_end, flags, abase, base + args_end, values, is_json, line, child)


def parse_name_val(rest: str, base: int, key: str, escape: str) -> list[LineWord]:
    words = parse_words(rest, base, escape)
    if not words:
        return []
    if "=" not in words[0][0]:
        # legacy ``ENV name value with spaces``: split the raw text once, quotes and all
        m = _TOKEN_WS.search(rest)
        if m is None:
            raise LineParseError(f"{key} must have two arguments")
        return [(rest[: m.start()], base, base + m.start()), (rest[m.end() :], base + m.end(), base + len(rest))]
    out: list[LineWord] = []
    for w, s, e in words:
        k, eq, v = w.partition("=")
        if not eq:
            import json  # this error's quoting only

            raise LineParseError(f"Syntax error - can't find = in {json.dumps(w)}. Must be of the form: name=value")
        out.append((k, s, s + len(k)))
        out.append((v, s + len(k) + 1, e))
    return out


def _parse_health(rest: str, base: int) -> tuple[list[LineWord], bool]:
    sep = 0
    n = len(rest)
    while sep < n and rest[sep] not in " \t\n\v\f\r":
        sep += 1
    nxt = sep
    while nxt < n and rest[nxt] in " \t\n\v\f\r":
        nxt += 1
    if sep == 0:
        return [], False
    out: list[LineWord] = [(rest[:sep], base, base + sep)]
    tail = rest[nxt:]
    if not tail:
        return out, False
    js = _parse_json(tail, base + nxt)
    if js is None:
        return [*out, (tail, base + nxt, base + n)], False
    return out + js, True
