"""A pure-Python Dockerfile front-end equal to BuildKit's parser, with a physical-position map.

The reference is BuildKit's ``frontend/dockerfile/parser`` (``parser.go``, ``line_parsers.go``,
``split_command.go``, ``directives.go``) and ``frontend/dockerfile/shell/lex.go``. Their quirks
are reproduced on purpose, because a build does what BuildKit parses, not what looks sensible:
whitespace before a continuation's escape is kept, comment and blank lines inside a continued
instruction vanish, a JSON array that does not decode silently becomes shell form, an unknown
instruction is not a parser error, and so on. ``tests/test_dockerfile_differential.py`` holds
this module to BuildKit's own Go parser.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from functools import cache

from pinaudit.model import Span
from pinaudit.parse.text import MappedText

TYPE_CHECKING = False
if TYPE_CHECKING:
    from json import JSONDecoder
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple


class DockerfileSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class Flag(NamedTuple):
    name: str  # "mount" for --mount=type=cache,target=/x ; "platform"; "from"; "checksum"
    value: str | None  # None for a bare --flag
    span: Span


class Heredoc(NamedTuple):
    name: str  # delimiter word without quotes
    body: MappedText  # body lines (tabs stripped for <<-), mapped to physical lines
    chomp: bool  # <<-
    expand: bool  # False when the delimiter was quoted: no variable expansion in the body
    # BuildKit's Heredoc.Content byte for byte: not chomped, CRs of CRLF endings kept. ``body``
    # drops those CRs, because a shell parser would otherwise glue them onto the last word.
    content: str = ""
    file_descriptor: int = 0  # the N of N<<EOF


class Instruction(NamedTuple):
    keyword: str  # upper case: FROM, RUN, COPY, ONBUILD, ...
    keyword_span: Span
    flags: tuple[Flag, ...]
    args: MappedText  # text after keyword and flags; continuations joined, comment lines dropped
    json_args: tuple[tuple[str, Span], ...] | None  # exec (JSON) form, else None
    heredocs: tuple[Heredoc, ...]
    start_line: int
    end_line: int  # last physical line, heredoc bodies included
    original: str  # as BuildKit's Node.Original
    onbuild: Instruction | None = None  # ONBUILD's trigger instruction
    comments: tuple[tuple[int, str], ...] = ()  # comment lines directly before it: (line, text)
    # BuildKit's Node.Next chain: the argument words its per-instruction line parser produced
    # (quotes kept where BuildKit keeps them; ENV/LABEL as key, value, key, value, ...).
    values: tuple[str, ...] = ()
    raw_keyword: str = ""  # the keyword as written (BuildKit keeps its case)


class DockerfileAST(NamedTuple):
    escape: str  # '\\' or '`'
    directives: Mapping[str, str]  # parser directives: syntax, escape, check
    instructions: tuple[Instruction, ...]
    warnings: tuple[tuple[int, str], ...] = ()  # non-fatal oddities BuildKit warns about


# --------------------------------------------------------------------------------------------
# character classes

# Go's unicode.IsSpace. Python's str.isspace/strip() also count \x1c-\x1f, which Go does not.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
_GO_SPACE_SET = frozenset(_GO_SPACE)
_ASCII_SPACE = frozenset(" \t\n\v\f\r")
# BuildKit's reWhitespace / tokenWhitespace: ASCII only, and no newline.
_TOKEN_WS = re.compile(r"[\t\v\f\r ]+")
_DIRECTIVE_KEY = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=")
_DIRECTIVE_WS = "\t\n\f\r "  # Go regexp's \s
_VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC_WORD = re.compile(r"([0-9]*)<<(-?)([^<]*)\Z", re.DOTALL)
_HEREDOC_COMMANDS = frozenset({"run", "copy", "add"})
# Instructions BuildKit's instruction layer rejects without any argument (CMD and ENTRYPOINT
# may be empty; an unknown instruction is left to the caller).
_NEEDS_ARGS = frozenset(
    {
        "run", "from", "copy", "add", "env", "label", "arg", "expose", "user", "workdir",
        "volume", "onbuild", "maintainer", "stopsignal", "healthcheck", "shell",
    }
)  # fmt: skip
KNOWN_INSTRUCTIONS = frozenset(
    {
        "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck",
        "label", "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
    }
)  # fmt: skip


def _trim_space(s: str, start: int, end: int) -> tuple[int, int]:
    """Go's strings.TrimSpace on s[start:end], as offsets."""
    while start < end and s[start] in _GO_SPACE_SET:
        start += 1
    while end > start and s[end - 1] in _GO_SPACE_SET:
        end -= 1
    return start, end


# --------------------------------------------------------------------------------------------
# the logical line and its map back to the file


class _LineMap:
    """Pieces of one logical line, each contiguous on one physical line."""

    __slots__ = ("_cols", "_lines", "_starts", "text")

    def __init__(self, text: str, starts: list[int], lines: list[int], cols: list[int]) -> None:
        self.text = text
        self._starts = starts
        self._lines = lines
        self._cols = cols

    def position(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            i = 0
        return self._lines[i], self._cols[i] + offset - self._starts[i]

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        if end <= start:
            return Span(line, col, line, col)
        end_line, end_col = self.position(end - 1)
        return Span(line, col, end_line, end_col + 1)

    def mapped(self, start: int, end: int) -> MappedText:
        # Built from segments directly: every piece sits on one physical line and holds no
        # newline, which is exactly MappedText's segment model (MappedTextBuilder.add would
        # split at \f, \v, \x1c-\x1e, \x85 and \u2028 as if they ended a line).
        if end <= start:
            line, col = self.position(start)
            return MappedText("", ((0, line, col),))
        starts = self._starts
        i = max(bisect_right(starts, start) - 1, 0)
        segs = [(0, self._lines[i], self._cols[i] + start - starts[i])]
        i += 1
        while i < len(starts) and starts[i] < end:
            segs.append((starts[i] - start, self._lines[i], self._cols[i]))
            i += 1
        return MappedText(self.text[start:end], tuple(segs))


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


class _ParseError(Exception):
    pass


_Word = tuple[str, int, int]  # text, start, end offsets in the logical line


def _parse_words(rest: str, base: int, escape: str) -> list[_Word]:
    """BuildKit's parseWords: whitespace-split, quotes and escapes kept verbatim."""
    words: list[_Word] = []
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
            if ch in _GO_SPACE_SET:
                pos += 1
                continue
            phase = in_word
            wstart = pos
        if pos == n:
            if blank_ok or buf:
                words.append(("".join(buf), base + wstart, base + pos))
            break
        if phase == in_word:
            if ch in _GO_SPACE_SET:
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


def _plain_string_array(rest: str, lead: int, base: int) -> list[_Word] | None:
    """The exec form nearly every Dockerfile has, ``["python", "app.py"]``, read without the json
    module: strings without escapes or control characters. None means "not that simple": the
    full decoder then decides (escapes, numbers, invalid JSON...), so the result never differs.
    """
    n = len(rest)
    out: list[_Word] = []
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


def _parse_json(rest: str, base: int) -> list[_Word] | None:
    """BuildKit's parseJSON; None when it is not a JSON array (shell form then)."""
    lead = 0
    n = len(rest)
    while lead < n and rest[lead] in _GO_SPACE_SET:
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
        raise _ParseError("when using JSON array syntax, arrays must be comprised of strings only")
    out: list[_Word] = []
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


def _split_ws(rest: str, base: int) -> list[_Word]:
    out: list[_Word] = []
    pos = 0
    for m in _TOKEN_WS.finditer(rest):
        out.append((rest[pos : m.start()], base + pos, base + m.start()))
        pos = m.end()
    out.append((rest[pos:], base + pos, base + len(rest)))
    return out


class _Node(NamedTuple):
    cmd: str
    cmd_start: int
    cmd_end: int
    flags: list[_Word]
    args_start: int
    args_end: int
    values: list[_Word]
    json: bool
    original: str
    child: _Node | None = None


def _node_from_line(line: str, base: int, escape: str) -> _Node:
    """BuildKit's newNodeFromLine on ``line`` (which sits at ``base`` in the logical line)."""
    a, b = _trim_space(line, 0, len(line))
    m = _TOKEN_WS.search(line, a, b)
    flags: list[_Word] = []
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
    values: list[_Word] = []
    is_json = False
    child: _Node | None = None
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
        values = _parse_name_val(args, abase, key.upper(), escape)
    elif key == "arg":
        values = _parse_words(args, abase, escape)
    elif key == "healthcheck":
        values, is_json = _parse_health(args, abase)
    elif key == "onbuild":
        if args:
            child = _node_from_line(args, abase, escape)
            values, is_json = child.values, child.json
    else:
        values = [("", abase, abase)]  # parseIgnore: an empty node
    return _Node(cmd, base + a, base + cmd_end, flags, abase, base + args_end, values, is_json, line, child)


def _parse_name_val(rest: str, base: int, key: str, escape: str) -> list[_Word]:
    words = _parse_words(rest, base, escape)
    if not words:
        return []
    if "=" not in words[0][0]:
        # legacy ``ENV name value with spaces``: split the raw text once, quotes and all
        m = _TOKEN_WS.search(rest)
        if m is None:
            raise _ParseError(f"{key} must have two arguments")
        return [(rest[: m.start()], base, base + m.start()), (rest[m.end() :], base + m.end(), base + len(rest))]
    out: list[_Word] = []
    for w, s, e in words:
        k, eq, v = w.partition("=")
        if not eq:
            import json  # this error's quoting only

            raise _ParseError(f"Syntax error - can't find = in {json.dumps(w)}. Must be of the form: name=value")
        out.append((k, s, s + len(k)))
        out.append((v, s + len(k) + 1, e))
    return out


def _parse_health(rest: str, base: int) -> tuple[list[_Word], bool]:
    sep = 0
    n = len(rest)
    while sep < n and rest[sep] not in " \t\n\v\f\r":
        sep += 1
    nxt = sep
    while nxt < n and rest[nxt] in " \t\n\v\f\r":
        nxt += 1
    if sep == 0:
        return [], False
    out: list[_Word] = [(rest[:sep], base, base + sep)]
    tail = rest[nxt:]
    if not tail:
        return out, False
    js = _parse_json(tail, base + nxt)
    if js is None:
        return [*out, (tail, base + nxt, base + n)], False
    return out + js, True


# --------------------------------------------------------------------------------------------
# shell/lex.go: the word lexer behind heredoc detection and variable expansion


class _LexError(Exception):
    pass


class _Lexer:
    """BuildKit's shell.Lex (ProcessWord/ProcessWords) over a string with a cursor."""

    __slots__ = ("env", "escape", "n", "pos", "raw_escapes", "raw_quotes", "s", "skip_unset", "unknown")

    def __init__(
        self,
        s: str,
        env: Mapping[str, str | None],
        escape: str = "\\",
        *,
        raw_quotes: bool = False,
        raw_escapes: bool = False,
        skip_unset: bool = False,
    ) -> None:
        self.s = s
        self.n = len(s)
        self.pos = 0
        self.env = env
        self.escape = escape
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.skip_unset = skip_unset
        self.unknown = False  # a None-valued variable decided part of the result

    def _peek(self) -> str:
        return self.s[self.pos] if self.pos < self.n else ""

    def _next(self) -> str:
        if self.pos < self.n:
            ch = self.s[self.pos]
            self.pos += 1
            return ch
        return ""

    def process(self) -> tuple[str, list[str]]:
        return self.stop_on("", self.raw_escapes)

    def stop_on(self, stop: str, raw_escapes: bool) -> tuple[str, list[str]]:
        saved = self.raw_escapes
        self.raw_escapes = raw_escapes
        try:
            return self._stop_on(stop)
        finally:
            self.raw_escapes = saved

    def _stop_on(self, stop: str) -> tuple[str, list[str]]:
        result: list[str] = []
        words: list[str] = []
        word: list[str] = []
        in_word = False
        esc = self.escape
        s = self.s
        while self.pos < self.n:
            ch = s[self.pos]
            if stop and ch == stop:
                self.pos += 1
                if word:
                    words.append("".join(word))
                return "".join(result), words
            if ch == "$" or ch in "'\"":
                if ch == "$":
                    tmp = self._dollar()
                elif ch == "'":
                    tmp = self._single()
                else:
                    tmp = self._double()
                result.append(tmp)
                if ch == "$":
                    for c in tmp:  # words.addString: an expansion is split at whitespace
                        if c in _GO_SPACE_SET:
                            if in_word and word:
                                words.append("".join(word))
                                word = []
                                in_word = False
                        else:
                            word.append(c)
                            in_word = True
                else:
                    word.append(tmp)
                    in_word = True
                continue
            self.pos += 1
            if ch == esc:
                if self.raw_escapes:
                    word.append(ch)
                    in_word = True
                    result.append(ch)
                if self.pos >= self.n:
                    break
                ch = s[self.pos]
                self.pos += 1
                word.append(ch)
                in_word = True
            elif ch in _GO_SPACE_SET:
                if in_word and word:
                    words.append("".join(word))
                    word = []
                    in_word = False
            else:
                word.append(ch)
                in_word = True
            result.append(ch)
        if stop:
            raise _LexError(f"unexpected end of statement while looking for matching {stop}")
        if word:
            words.append("".join(word))
        return "".join(result), words

    def _single(self) -> str:
        start = self.pos
        end = self.s.find("'", start + 1)
        if end < 0:
            raise _LexError("unexpected end of statement while looking for matching single-quote")
        self.pos = end + 1
        return self.s[start : end + 1] if self.raw_quotes else self.s[start + 1 : end]

    def _double(self) -> str:
        out: list[str] = []
        ch = self._next()
        if self.raw_quotes:
            out.append(ch)
        esc = self.escape
        while True:
            p = self._peek()
            if p == "":
                raise _LexError("unexpected end of statement while looking for matching double-quote")
            if p == '"':
                self.pos += 1
                if self.raw_quotes:
                    out.append(p)
                return "".join(out)
            if p == "$":
                out.append(self._dollar())
                continue
            ch = self._next()
            if ch == esc:
                if self.raw_escapes:
                    out.append(ch)
                p = self._peek()
                if p == "":
                    continue
                if p in ('"', "$", esc):
                    ch = self._next()
            out.append(ch)

    def _name(self) -> str:
        s = self.s
        start = self.pos
        if start < self.n:
            ch = s[start]
            if ch.isdecimal():
                i = start
                while i < self.n and s[i].isdecimal():
                    i += 1
                self.pos = i
                return s[start:i]
            if ch in "@*#?-$!0":
                self.pos += 1
                return ch
        i = start
        while i < self.n and (s[i].isalpha() or s[i].isdecimal() or s[i] == "_"):
            i += 1
        self.pos = i
        return s[start:i]

    def _get(self, name: str) -> tuple[str, bool, bool]:
        """(value, set, known)"""
        if name in self.env:
            v = self.env[name]
            if v is None:
                return "", True, False
            return v, True, True
        return "", False, True

    def _dollar(self) -> str:
        self.pos += 1
        if self._peek() != "{":
            name = self._name()
            if not name:
                return "$"
            value, found, known = self._get(name)
            if not found and self.skip_unset:
                return "$" + name
            if not known:
                self.unknown = True
            return value
        self.pos += 1
        p = self._peek()
        if p == "":
            raise _LexError("syntax error: missing '}'")
        if p in "{}:":
            raise _LexError("syntax error: bad substitution")
        name = self._name()
        ch = self._next()
        chs = ch
        if ch == "}":
            value, found, known = self._get(name)
            if not found and self.skip_unset:
                return "${" + name + "}"
            if not known:
                self.unknown = True
            return value
        null_is_unset = False
        if ch == ":":
            null_is_unset = True
            ch = self._next()
            chs += ch
        elif ch == "/":
            return self._replace(name)
        elif ch not in ("+", "-", "?", "#", "%"):
            raise _LexError(f"unsupported modifier ({chs}) in substitution")
        outer_unknown = self.unknown
        self.unknown = False
        try:
            word, _ = self.stop_on("}", ch in ("#", "%"))
        except _LexError:
            if self._peek() == "":
                raise _LexError("syntax error: missing '}'") from None
            raise
        word_unknown = self.unknown
        self.unknown = outer_unknown
        value, found, known = self._get(name)
        if self.skip_unset and not found:
            return "${" + name + chs + word + "}"
        if ch == "-":
            if not found:
                self.unknown |= word_unknown
                return word
            if not known:
                self.unknown = True
                return ""
            if null_is_unset and value == "":
                self.unknown |= word_unknown
                return word
            return value
        if ch == "+":
            if not found:
                return ""
            if null_is_unset:
                if not known:
                    self.unknown = True
                    return ""
                if value == "":
                    return ""
            self.unknown |= word_unknown
            return word
        if ch == "?":
            if not found:
                raise _LexError(f"{name}: {word or 'is not allowed to be unset'}")
            if not known:
                self.unknown = True
                return ""
            if null_is_unset and value == "":
                raise _LexError(f"{name}: {word or 'is not allowed to be empty'}")
            return value
        if ch in ("#", "%"):
            if not known or word_unknown:
                self.unknown = True
                return ""
            greedy = False
            if word[:1] == ch:
                greedy = True
                word = word[1:]
            if ch == "%":
                return _trim_suffix(word, value, greedy)
            return _trim_prefix(word, value, greedy)
        raise _LexError(f"unsupported modifier ({chs}) in substitution")

    def _replace(self, name: str) -> str:
        replace_all = self._peek() == "/"
        if replace_all:
            self.pos += 1
        outer_unknown = self.unknown
        self.unknown = False
        try:
            pattern, _ = self.stop_on("/", True)
        except _LexError:
            if self._peek() == "":
                raise _LexError("syntax error: missing '/' in ${}") from None
            raise
        try:
            replacement, _ = self.stop_on("}", True)
        except _LexError:
            if self._peek() == "":
                raise _LexError("syntax error: missing '}'") from None
            raise
        parts_unknown = self.unknown
        self.unknown = outer_unknown
        value, found, known = self._get(name)
        if self.skip_unset and not found:
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        if not known or parts_unknown:
            self.unknown = True
            return ""
        rx = _shell_pattern(pattern, True, False)
        if replace_all:
            return rx.sub(lambda _m: replacement, value)
        return rx.sub(lambda _m: replacement, value, count=1)


def _shell_pattern(pattern: str, greedy: bool, anchored: bool) -> re.Pattern[str]:
    out = ["^"] if anchored else []
    star = ".*" if greedy else ".*?"
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        i += 1
        if ch == "*":
            out.append(star)
        elif ch == "?":
            out.append(".")
        elif ch == "\\":
            if i < n and pattern[i] in "}/":
                continue
            nxt = pattern[i] if i < n else ""
            i += 1
            if nxt not in ("*", "?", "\\"):
                raise _LexError(f"invalid pattern ({pattern}) in substitution: invalid escape '\\{nxt}'")
            out.append(re.escape(nxt))
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


def _trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    m = _shell_pattern(pattern, greedy, True).search(value)
    return value[m.end() :] if m else value


def _reverse_pattern(pattern: str) -> str:
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        if pattern[i] == "\\" and i != n - 1:
            out.append(pattern[i : i + 2])  # keep an escape in front of what it escapes
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(reversed(out))


def _trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    # BuildKit reverses pattern and value so the shortest suffix is a leftmost match
    return _trim_prefix(_reverse_pattern(pattern), value[::-1], greedy)[::-1]


_EMPTY_ENV: Mapping[str, str | None] = {}


def _heredocs_from_line(line: str) -> list[tuple[str, int, bool, bool]]:
    """BuildKit's heredocsFromLine: (name, fd, chomp, expand) for each ``<<WORD`` word."""
    try:
        # BuildKit lexes with '\\' whatever the escape directive says
        _, words = _Lexer(line, _EMPTY_ENV, "\\", raw_quotes=True, raw_escapes=True, skip_unset=True).process()
    except _LexError:
        return []  # BuildKit ignores this error: no heredocs then
    docs: list[tuple[str, int, bool, bool]] = []
    for word in words:
        m = _HEREDOC_WORD.match(word)
        if m is None or not m.group(3):
            continue
        rest = m.group(3)
        try:
            _, cooked = _Lexer(rest, _EMPTY_ENV, "\\", skip_unset=True).process()
            if len(cooked) != 1:
                continue
            _, raw = _Lexer(rest, _EMPTY_ENV, "\\", raw_quotes=True, skip_unset=True).process()
        except _LexError as e:
            raise _ParseError(str(e)) from None
        if len(raw) != len(cooked):
            raise _ParseError(f"internal lexing of heredoc produced inconsistent results: {rest}")
        name = cooked[0]
        expand = (name.count("'") + name.count('"')) == (raw[0].count("'") + raw[0].count('"'))
        fd = min(int(m.group(1) or "0"), (1 << 64) - 1)  # Go's ParseUint saturates
        docs.append((name, fd, m.group(2) == "-", expand))
    return docs


# --------------------------------------------------------------------------------------------
# Parse


def _trim_continuation(s: str, escape: str) -> tuple[str, bool]:
    """BuildKit's lineContinuationRegex: escape + blanks at the end, unless the escape is
    itself escaped. Returns (line, is_end_of_line)."""
    t = s.rstrip(" \t")
    if t and t[-1] == escape and (len(t) == 1 or t[-2] != escape):
        return t[:-1], False
    return s, True


def _directive_value(rest: str) -> str | None:
    """Group 2 of BuildKit's ``\\s*=\\s*(.+?)\\s*$`` given what follows the '='."""
    if not rest:
        return None
    stripped = rest.strip(_DIRECTIVE_WS)
    if stripped:
        return stripped
    return rest[-1]  # all blanks: the lazy group still takes one of them


def parse(text: str, *, strict: bool = True) -> DockerfileAST:
    """Parse like BuildKit; raise DockerfileSyntaxError where BuildKit would reject the file.

    ``strict`` adds the argument-count checks of BuildKit's instruction layer (``RUN`` alone
    does not build); without it the result is exactly BuildKit's parser package.
    """
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()  # bufio.Scanner yields no empty token after a final newline
    n = len(raw_lines)
    last_has_nl = text.endswith("\n")

    escape = "\\"
    directives: dict[str, str] = {}
    directives_done = False
    comments: list[tuple[int, str]] = []
    warnings: list[tuple[int, str]] = []
    instructions: list[Instruction] = []

    i = 0
    cur = 0
    while i < n:
        raw = raw_lines[i]
        i += 1
        if cur == 0 and raw.startswith("\ufeff"):
            raw = raw[1:]
        if len(raw) > 16000 and len(raw.encode("utf-8", "surrogatepass")) >= 65536:
            raise DockerfileSyntaxError(cur + 1, "dockerfile line greater than max allowed size of 65535")
        content = raw.rstrip("\r")
        token = content.lstrip(_GO_SPACE)
        lead = len(content) - len(token)
        is_comment = token.startswith("#")
        if is_comment:
            body = token[1:].strip(_GO_SPACE)
            if body:
                comments.append((cur + 1, body))
            else:
                comments = []
        if not directives_done:
            found = False
            if is_comment:
                m = _DIRECTIVE_KEY.match(token[1:].lstrip(_GO_SPACE))
                value = _directive_value(token[1:].lstrip(_GO_SPACE)[m.end() :]) if m else None
                if m is not None and value is not None and m.group(1).lower() in _VALID_DIRECTIVES:
                    key = m.group(1).lower()
                    if key in directives:
                        raise DockerfileSyntaxError(cur + 1, f"only one {key} parser directive can be used")
                    directives[key] = value
                    if key == "escape":
                        if value not in ("`", "\\"):
                            raise DockerfileSyntaxError(
                                cur + 1, f"invalid escape token '{value}' does not match ` or \\"
                            )
                        escape = value
                    found = True
            if found:
                comments.pop()
            else:
                directives_done = True
        if is_comment:
            token = ""
        cur += 1
        start_line = cur
        token, eol = _trim_continuation(token, escape)
        if eol and not token:
            continue
        parts = [token]
        starts = [0]
        plines = [cur]
        pcols = [lead + 1]
        length = len(token)
        empty_continuation = False
        while not eol and i < n:
            raw2 = raw_lines[i]
            i += 1
            cur += 1
            if len(raw2) > 16000 and len(raw2.encode("utf-8", "surrogatepass")) >= 65536:
                raise DockerfileSyntaxError(cur, "dockerfile line greater than max allowed size of 65535")
            stripped = raw2.lstrip(_GO_SPACE)
            if stripped.startswith("#"):
                continue  # a comment line inside a continuation vanishes
            tok = raw2.rstrip("\r")
            if not stripped.rstrip("\r"):
                empty_continuation = True  # BuildKit drops it with a warning
                continue
            tok, eol = _trim_continuation(tok, escape)
            if tok:
                starts.append(length)
                plines.append(cur)
                pcols.append(1)
                parts.append(tok)
                length += len(tok)
        line = "".join(parts) if len(parts) > 1 else token
        lmap = _LineMap(line, starts, plines, pcols)
        if empty_continuation:
            warnings.append((cur, "empty continuation line found in: " + line))
        try:
            node = _node_from_line(line, 0, escape)
        except _ParseError as e:
            raise DockerfileSyntaxError(start_line, str(e)) from None

        heredocs: list[Heredoc] = []
        target = node.child if node.cmd.lower() == "onbuild" and node.child is not None else node
        if target.cmd.lower() in _HEREDOC_COMMANDS and not target.json and "<<" in line:
            try:
                docs = _heredocs_from_line(line)
            except _ParseError as e:
                raise DockerfileSyntaxError(start_line, str(e)) from None
            for name, fd, chomp, expand_ in docs:
                content_parts: list[str] = []
                body_parts: list[str] = []
                segs: list[tuple[int, int, int]] = []
                blen = 0
                terminated = False
                while i < n:
                    braw = raw_lines[i]
                    i += 1
                    cur += 1
                    has_nl = i < n or last_has_nl
                    candidate = braw.rstrip("\r")
                    if chomp:
                        candidate = candidate.lstrip("\t")
                    if candidate == name:
                        terminated = True
                        break
                    content_parts.append(braw + "\n" if has_nl else braw)
                    bline = braw[:-1] if has_nl and braw.endswith("\r") else braw
                    col = 1
                    if chomp:
                        t = bline.lstrip("\t")
                        col += len(bline) - len(t)
                        bline = t
                    if has_nl:
                        bline += "\n"
                    if bline:
                        segs.append((blen, cur, col))
                        body_parts.append(bline)
                        blen += len(bline)
                if not terminated:
                    raise DockerfileSyntaxError(start_line, "unterminated heredoc")
                mapped = MappedText("".join(body_parts), tuple(segs) or ((0, start_line + 1, 1),))
                heredocs.append(Heredoc(name, mapped, chomp, expand_, "".join(content_parts), fd))

        original = line
        if heredocs:
            original = line + "".join("\n" + h.content + h.name for h in heredocs) + "\n"
        instr = _instruction(node, lmap, tuple(heredocs), start_line, cur, original, tuple(comments))
        if strict and not instr.values and node.child is None and node.cmd.lower() in _NEEDS_ARGS:
            raise DockerfileSyntaxError(start_line, f"{instr.keyword} requires at least one argument")
        if node.cmd.lower() not in KNOWN_INSTRUCTIONS:
            warnings.append((start_line, f"unknown instruction: {node.cmd}"))
        instructions.append(instr)
        comments = []

    if not instructions:
        raise DockerfileSyntaxError(max(cur, 1), "file with no instructions")
    return DockerfileAST(escape, directives, tuple(instructions), tuple(warnings))


def _instruction(
    node: _Node,
    lmap: _LineMap,
    heredocs: tuple[Heredoc, ...],
    start_line: int,
    end_line: int,
    original: str,
    comments: tuple[tuple[int, str], ...],
) -> Instruction:
    flags = []
    for word, s, e in node.flags:
        name, eq, value = word[2:].partition("=")
        flags.append(Flag(name, value if eq else None, lmap.span(s, e)))
    child = None
    if node.child is not None:
        child = _instruction(node.child, lmap, heredocs, start_line, end_line, node.child.original, ())
    json_args = None
    if node.json:
        vals = node.values[1:] if node.cmd.lower() == "healthcheck" else node.values
        json_args = tuple((v, lmap.span(s, e)) for v, s, e in vals)
    return Instruction(
        keyword=node.cmd.upper(),
        keyword_span=lmap.span(node.cmd_start, node.cmd_end),
        flags=tuple(flags),
        args=lmap.mapped(node.args_start, node.args_end),
        json_args=json_args,
        heredocs=heredocs,
        start_line=start_line,
        end_line=end_line,
        original=original,
        onbuild=child,
        comments=comments,
        values=tuple(v for v, _, _ in node.values),
        raw_keyword=node.cmd,
    )


# --------------------------------------------------------------------------------------------
# ARG / ENV / LABEL


def parse_key_values(instr: Instruction, escape: str = "\\") -> list[tuple[str, str | None, Span]]:
    """The ``name[=value]`` pairs of an ARG, ENV or LABEL, as written (quotes and ``$`` kept:
    expand them with :func:`expand` in the instruction's scope). The span covers the pair.

    ``ARG name`` gives a None value; the legacy ``ENV name value with spaces`` gives one pair.
    """
    kw = instr.keyword
    args = instr.args
    text = args.text
    out: list[tuple[str, str | None, Span]] = []
    if kw == "ARG":
        for w, s, e in _parse_words(text, 0, escape):
            k, eq, v = w.partition("=")
            out.append((k, v if eq else None, args.span(s, e)))
        return out
    if kw not in ("ENV", "LABEL"):
        return out
    try:
        vals = _parse_name_val(text, 0, kw, escape)
    except _ParseError:
        return out
    for j in range(0, len(vals) - 1, 2):
        (k, ks, _), (v, _, ve) = vals[j], vals[j + 1]
        out.append((k, v, args.span(ks, ve)))
    return out


# --------------------------------------------------------------------------------------------
# expansion


def expand(word: str, env: Mapping[str, str | None], escape: str = "\\") -> str | None:
    """Expand $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:+x}, ${VAR+x}... as Docker's shell-lexer does
    for FROM/ARG/ENV/COPY words, with quote removal. None when an unset-and-unknown variable
    (value None in env) decides the result.

    An undeclared variable expands to "" as in Docker. A word Docker would refuse (an
    unterminated quote, ``${``, ``${X:?}`` with X unset) also gives None: nothing can be said.
    """
    lex = _Lexer(word, env, escape)
    try:
        result, _ = lex.process()
    except _LexError:
        return None
    return None if lex.unknown else result


def expand_words(text: str, env: Mapping[str, str | None], escape: str = "\\") -> list[str] | None:
    """Docker's ProcessWords: expand, then split at unquoted whitespace (an expansion's own
    whitespace splits too; quoted text never does). None as for :func:`expand`."""
    lex = _Lexer(text, env, escape)
    try:
        _, words = lex.process()
    except _LexError:
        return None
    return None if lex.unknown else words


__all__ = [
    "KNOWN_INSTRUCTIONS",
    "DockerfileAST",
    "DockerfileSyntaxError",
    "Flag",
    "Heredoc",
    "Instruction",
    "expand",
    "expand_words",
    "parse",
    "parse_key_values",
]
