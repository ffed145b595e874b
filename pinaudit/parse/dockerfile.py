"""A pure-Python Dockerfile front-end equal to BuildKit's parser, with a physical-position map.

INTERFACE STUB (types are the contract; the implementation replaces the bodies).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pinaudit.model import Span
from pinaudit.parse.text import MappedText


class DockerfileSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Flag:
    name: str  # "mount" for --mount=type=cache,target=/x ; "platform"; "from"; "checksum"
    value: str | None  # None for a bare --flag
    span: Span


@dataclass(frozen=True)
class Heredoc:
    name: str  # delimiter word without quotes
    body: MappedText  # body lines (tabs stripped for <<-), mapped to physical lines
    chomp: bool  # <<-
    expand: bool  # False when the delimiter was quoted: no variable expansion in the body


@dataclass(frozen=True)
class Instruction:
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


@dataclass(frozen=True)
class DockerfileAST:
    escape: str  # '\\' or '`'
    directives: Mapping[str, str]  # parser directives: syntax, escape, check
    instructions: tuple[Instruction, ...]
    warnings: tuple[tuple[int, str], ...] = ()  # non-fatal oddities BuildKit warns about


def parse(text: str) -> DockerfileAST:
    """Parse like BuildKit; raise DockerfileSyntaxError where BuildKit would reject the file."""
    raise NotImplementedError


def expand(word: str, env: Mapping[str, str | None], escape: str = "\\") -> str | None:
    """Expand $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:+x}, ${VAR+x}... as Docker's shell-lexer does
    for FROM/ARG/ENV/COPY words, with quote removal. None when an unset-and-unknown variable
    (value None in env) decides the result."""
    raise NotImplementedError
