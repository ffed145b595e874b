"""Shell analysis through tree-sitter-bash: text -> the simple commands a shell would run.

INTERFACE STUB (types are the contract; the implementation replaces the body of ``analyze``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pinaudit.model import Span
from pinaudit.parse.text import MappedText


@dataclass(frozen=True)
class Word:
    """One argv word of a command."""

    raw: str  # as written in the source (quotes included)
    value: str | None  # after quote removal and expansion; None when an unknown variable decides it
    span: Span  # physical span of the raw word
    quoted: bool = False  # some part of it was quoted (so it is never a redirection or a glob)
    unknown_vars: tuple[str, ...] = ()  # variables whose value we could not know
    substitutions: tuple[Command, ...] = ()  # commands inside $(...), `...`, <(...) in this word


@dataclass(frozen=True)
class Command:
    """A simple command after wrappers are stripped (sudo, env, VAR=x, exec, xargs, nohup, ...)."""

    argv: tuple[Word, ...]  # argv[0] is the program word
    span: Span  # the whole simple command as written
    stdin_from: tuple[Command, ...] = ()  # commands whose stdout is piped into this one
    stdin_text: MappedText | None = None  # a heredoc / here-string fed to stdin
    via: tuple[str, ...] = ()  # how it was reached: ("sh -c",), ("sudo",), ("xargs",) ... for messages

    @property
    def name(self) -> str:
        """Basename of the program (``/usr/bin/pip3`` -> ``pip3``); '' when unknown."""
        v = self.argv[0].value if self.argv else None
        return v.rsplit("/", 1)[-1] if v else ""


@dataclass(frozen=True)
class ShellResult:
    commands: tuple[Command, ...]  # execution order; nested ones (sh -c, $(...), bodies) included
    errors: tuple[tuple[Span, str], ...] = ()  # syntax errors: (where, message)


def analyze(src: MappedText, env: Mapping[str, str | None] | None = None) -> ShellResult:
    """Parse ``src`` as POSIX/bash shell and return its commands with physical spans."""
    raise NotImplementedError
