"""A pure-Python Dockerfile front-end equal to BuildKit's parser, with a physical-position map.

The reference is BuildKit's ``frontend/dockerfile/parser`` (``parser.go``, ``line_parsers.go``,
``split_command.go``, ``directives.go``) and ``frontend/dockerfile/shell/lex.go``. Their quirks
are reproduced on purpose, because a build does what BuildKit parses, not what looks sensible:
whitespace before a continuation's escape is kept, comment and blank lines inside a continued
instruction vanish, a JSON array that does not decode silently becomes shell form, an unknown
instruction is not a parser error, and so on. ``tests/test_dockerfile_differential.py`` holds
this module to BuildKit's own Go parser.

This module reads the file: parser directives, physical lines joined into logical lines, heredoc
bodies, and the map from every character back to its physical line and column. The words of one
logical line are BuildKit's line parsers' business (:mod:`pinaudit.parse.dockerfile_lines`);
variables and quotes are its shell lexer's (:mod:`pinaudit.parse.dockerfile_lex`, which also
gives :func:`expand` and :func:`expand_words`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping

from pinaudit.model import Span
from pinaudit.parse.dockerfile_lex import GO_SPACE, Lexer, LexError, expand, expand_words
from pinaudit.parse.dockerfile_lines import LineParseError, Node, node_from_line, parse_name_val, parse_words
from pinaudit.parse.lines import LineIndex
from pinaudit.parse.text import MappedText, span_of

TYPE_CHECKING = False
if TYPE_CHECKING:
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
# the grammar's words and limits

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


# --------------------------------------------------------------------------------------------
# the logical line and its map back to the file


class _LineMap:
    """Pieces of one logical line, each contiguous on one physical line."""

    __slots__ = ("_files", "_starts", "index", "text")

    def __init__(self, text: str, starts: list[int], files: list[int], index: LineIndex) -> None:
        self.text = text
        self._starts = starts  # logical offset where each piece starts
        self._files = files  # the file offset of each piece's first character
        self.index = index

    def file_offset(self, offset: int) -> int:
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            i = 0
        return self._files[i] + offset - self._starts[i]

    def span(self, start: int, end: int) -> Span:
        fs = self.file_offset(start)
        return span_of(self.index, fs, self.file_offset(end - 1) + 1 if end > start else fs)

    def mapped(self, start: int, end: int) -> MappedText:
        if end <= start:
            return MappedText("", ((0, self.file_offset(start), 1),), self.index)
        starts = self._starts
        i = max(bisect_right(starts, start) - 1, 0)
        segs = [(0, self._files[i] + start - starts[i], 1)]
        i += 1
        while i < len(starts) and starts[i] < end:
            segs.append((starts[i] - start, self._files[i], 1))
            i += 1
        return MappedText(self.text[start:end], tuple(segs), self.index)




# --------------------------------------------------------------------------------------------
# heredocs (BuildKit's heredocsFromLine)


_EMPTY_ENV: Mapping[str, str | None] = {}


def _heredocs_from_line(line: str) -> list[tuple[str, int, bool, bool]]:
    """BuildKit's heredocsFromLine: (name, fd, chomp, expand) for each ``<<WORD`` word."""
    try:
        # BuildKit lexes with '\\' whatever the escape directive says
        _, words = Lexer(line, _EMPTY_ENV, "\\", raw_quotes=True, raw_escapes=True, skip_unset=True).process()
    except LexError:
        return []  # BuildKit ignores this error: no heredocs then
    docs: list[tuple[str, int, bool, bool]] = []
    for word in words:
        m = _HEREDOC_WORD.match(word)
        if m is None or not m.group(3):
            continue
        rest = m.group(3)
        try:
            _, cooked = Lexer(rest, _EMPTY_ENV, "\\", skip_unset=True).process()
            if len(cooked) != 1:
                continue
            _, raw = Lexer(rest, _EMPTY_ENV, "\\", raw_quotes=True, skip_unset=True).process()
        except LexError as e:
            raise LineParseError(str(e)) from None
        if len(raw) != len(cooked):
            raise LineParseError(f"internal lexing of heredoc produced inconsistent results: {rest}")
        name = cooked[0]
        expand = (name.count("'") + name.count('"')) == (raw[0].count("'") + raw[0].count('"'))
        fd = min(int(m.group(1) or "0"), (1 << 64) - 1)  # Go's ParseUint saturates
        docs.append((name, fd, m.group(2) == "-", expand))
    return docs


# --------------------------------------------------------------------------------------------
# Parse: physical lines -> logical lines (continuations) -> instructions with heredoc bodies


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


class _Lines:
    """The file's physical lines, taken one at a time; ``number`` is the last one taken (1-based)."""

    __slots__ = ("ends_with_newline", "index", "lines", "number", "starts")

    def __init__(self, text: str) -> None:
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # bufio.Scanner yields no empty token after a final newline
        self.lines = lines
        # the file offset of each of BuildKit's lines. They end at \n only: a lone \r is a
        # character to BuildKit and a line break to the line index that every reported position
        # is derived from, so ``start_line`` and the like (BuildKit's numbers) may differ from a
        # span's line in such a file; spans are right either way
        self.starts = [0] * len(lines)
        pos = 0
        for k, ln in enumerate(lines):
            self.starts[k] = pos
            pos += len(ln) + 1
        self.index = LineIndex(text)
        self.number = 0
        self.ends_with_newline = text.endswith("\n")

    @property
    def start(self) -> int:
        """The file offset of the line taken last."""
        return self.starts[self.number - 1]

    def more(self) -> bool:
        return self.number < len(self.lines)

    def take(self) -> str:
        raw = self.lines[self.number]
        self.number += 1
        return raw

    def check_length(self, raw: str) -> None:
        """BuildKit's scanner refuses a line of 64 KiB or more (heredoc bodies are not checked).
        Callers test ``len(raw) > 16000`` first: 16,000 characters cannot make 64 KiB of UTF-8."""
        if len(raw.encode("utf-8", "surrogatepass")) >= 65536:
            raise DockerfileSyntaxError(self.number, "dockerfile line greater than max allowed size of 65535")


def parse(text: str, *, strict: bool = True) -> DockerfileAST:
    """Parse like BuildKit; raise DockerfileSyntaxError where BuildKit would reject the file.

    ``strict`` adds the argument-count checks of BuildKit's instruction layer (``RUN`` alone
    does not build); without it the result is exactly BuildKit's parser package.
    """
    lines = _Lines(text)
    escape = "\\"
    directives: dict[str, str] = {}
    directives_done = False
    comments: list[tuple[int, str]] = []
    warnings: list[tuple[int, str]] = []
    instructions: list[Instruction] = []

    count = len(lines.lines)
    while lines.number < count:
        raw = lines.take()
        bom = 0
        if lines.number == 1 and raw.startswith("\ufeff"):
            raw = raw[1:]
            bom = 1
        if len(raw) > 16000:
            lines.check_length(raw)
        content = raw.rstrip("\r")
        token = content.lstrip(GO_SPACE)
        lead = len(content) - len(token)
        is_comment = token.startswith("#")
        if is_comment:
            body = token[1:].strip(GO_SPACE)
            if body:
                comments.append((lines.number, body))
            else:
                comments = []
        if not directives_done:
            directive = _parser_directive(token) if is_comment else None
            if directive is None:
                directives_done = True
            else:
                key, value = directive
                if key in directives:
                    raise DockerfileSyntaxError(lines.number, f"only one {key} parser directive can be used")
                directives[key] = value
                if key == "escape":
                    if value not in ("`", "\\"):
                        raise DockerfileSyntaxError(
                            lines.number, f"invalid escape token '{value}' does not match ` or \\"
                        )
                    escape = value
                comments.pop()
        if is_comment or not token:
            continue  # between instructions
        start_line = lines.number
        lmap = _logical_line(lines, token, lead + bom, escape, warnings)
        if lmap is None:
            continue
        try:
            node = node_from_line(lmap.text, 0, escape)
        except LineParseError as e:
            raise DockerfileSyntaxError(start_line, str(e)) from None
        heredocs = _heredocs(lines, node, lmap.text, start_line) if "<<" in lmap.text else ()
        original = lmap.text
        if heredocs:
            original = lmap.text + "".join("\n" + h.content + h.name for h in heredocs) + "\n"
        instr = _instruction(node, lmap, heredocs, start_line, lines.number, original, tuple(comments))
        if strict and not instr.values and node.child is None and node.cmd.lower() in _NEEDS_ARGS:
            raise DockerfileSyntaxError(start_line, f"{instr.keyword} requires at least one argument")
        if node.cmd.lower() not in KNOWN_INSTRUCTIONS:
            warnings.append((start_line, f"unknown instruction: {node.cmd}"))
        instructions.append(instr)
        comments = []

    if not instructions:
        raise DockerfileSyntaxError(max(lines.number, 1), "file with no instructions")
    return DockerfileAST(escape, directives, tuple(instructions), tuple(warnings))


def _parser_directive(token: str) -> tuple[str, str] | None:
    """(key, value) of a parser directive BuildKit knows (``# escape=``...) in a comment line;
    None when the comment is not one (which ends the directives at the top of the file)."""
    text = token[1:].lstrip(GO_SPACE)
    m = _DIRECTIVE_KEY.match(text)
    value = _directive_value(text[m.end() :]) if m else None
    if m is None or value is None or m.group(1).lower() not in _VALID_DIRECTIVES:
        return None
    return m.group(1).lower(), value


def _logical_line(
    lines: _Lines, token: str, lead: int, escape: str, warnings: list[tuple[int, str]]
) -> _LineMap | None:
    """The instruction starting with ``token`` (its first physical line, ``lead`` blanks cut off),
    with the lines its continuations take joined; None for a blank or comment line.

    As BuildKit: whitespace before a continuation's escape is kept, and comment lines and blank
    lines inside a continued instruction vanish (blank ones with a warning).
    """
    token, eol = _trim_continuation(token, escape)
    if eol and not token:
        return None
    parts = [token]
    starts = [0]
    files = [lines.start + lead]
    length = len(token)
    empty_continuation = False
    while not eol and lines.more():
        raw = lines.take()
        if len(raw) > 16000:
            lines.check_length(raw)
        stripped = raw.lstrip(GO_SPACE)
        if stripped.startswith("#"):
            continue  # a comment line inside a continuation vanishes
        tok = raw.rstrip("\r")
        if not stripped.rstrip("\r"):
            empty_continuation = True  # BuildKit drops it with a warning
            continue
        tok, eol = _trim_continuation(tok, escape)
        if tok:
            starts.append(length)
            files.append(lines.start)
            parts.append(tok)
            length += len(tok)
    line = "".join(parts) if len(parts) > 1 else token
    if empty_continuation:
        warnings.append((lines.number, "empty continuation line found in: " + line))
    return _LineMap(line, starts, files, lines.index)


def _heredocs(lines: _Lines, node: Node, line: str, start_line: int) -> tuple[Heredoc, ...]:
    """The bodies of the ``<<WORD`` heredocs a RUN, COPY or ADD line opens (ONBUILD's trigger
    too), read from the lines that follow it, in order."""
    target = node.child if node.cmd.lower() == "onbuild" and node.child is not None else node
    if target.cmd.lower() not in _HEREDOC_COMMANDS or target.json or "<<" not in line:
        return ()
    try:
        docs = _heredocs_from_line(line)
    except LineParseError as e:
        raise DockerfileSyntaxError(start_line, str(e)) from None
    return tuple(_heredoc_body(lines, name, fd, chomp, expand_, start_line) for name, fd, chomp, expand_ in docs)


def _heredoc_body(lines: _Lines, name: str, fd: int, chomp: bool, expand_: bool, start_line: int) -> Heredoc:
    """One heredoc's body: the lines up to its delimiter, which is consumed too."""
    content_parts: list[str] = []
    body_parts: list[str] = []
    segs: list[tuple[int, int, int]] = []
    after = lines.starts[lines.number] if lines.more() else lines.index.length
    blen = 0
    while lines.more():
        braw = lines.take()
        has_nl = lines.more() or lines.ends_with_newline
        candidate = braw.rstrip("\r")
        if chomp:
            candidate = candidate.lstrip("\t")
        if candidate == name:
            break
        content_parts.append(braw + "\n" if has_nl else braw)
        bline = braw[:-1] if has_nl and braw.endswith("\r") else braw
        col = 0
        if chomp:
            t = bline.lstrip("\t")
            col += len(bline) - len(t)
            bline = t
        if has_nl:
            bline += "\n"
        if bline:
            segs.append((blen, lines.start + col, 1))
            body_parts.append(bline)
            blen += len(bline)
    else:
        raise DockerfileSyntaxError(start_line, "unterminated heredoc")
    mapped = MappedText("".join(body_parts), tuple(segs) or ((0, after, 1),), lines.index)
    return Heredoc(name, mapped, chomp, expand_, "".join(content_parts), fd)


def _instruction(
    node: Node,
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
        for w, s, e in parse_words(text, 0, escape):
            k, eq, v = w.partition("=")
            out.append((k, v if eq else None, args.span(s, e)))
        return out
    if kw not in ("ENV", "LABEL"):
        return out
    try:
        vals = parse_name_val(text, 0, kw, escape)
    except LineParseError:
        return out
    for j in range(0, len(vals) - 1, 2):
        (k, ks, _), (v, _, ve) = vals[j], vals[j + 1]
        out.append((k, v, args.span(ks, ve)))
    return out





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
