"""What shell analysis hands to the installers: argv words, simple commands, the whole result."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    from pinaudit.model import Span
    from pinaudit.parse.text import MappedText
else:
    from pinaudit._record import NamedTuple


class Word(NamedTuple):
    """One argv word of a command."""

    raw: str  # as written in the source (quotes included)
    value: str | None  # after quote removal and expansion; None when an unknown variable decides it
    span: Span  # physical span of the raw word
    quoted: bool = False  # some part of it was quoted (so it is never a redirection or a glob)
    unknown_vars: tuple[str, ...] = ()  # variables whose value we could not know
    substitutions: tuple[Command, ...] = ()  # commands inside $(...), `...`, <(...) in this word
    # the text the span covers and where: (mapped text, start, end), so a site can take the token
    # without its quotes and its spec out of it by offset; None when the word is not written
    # as such (an exec-form string is JSON-escaped)
    source: tuple[MappedText, int, int] | None = None
    origin: Span | None = None  # where its value was written, when it came through a variable (`$P`)


class Command(NamedTuple):
    """A simple command after wrappers are stripped (sudo, env, VAR=x, exec, xargs, nohup, ...)."""

    argv: tuple[Word, ...]  # argv[0] is the program word
    span: Span  # the whole simple command as written
    stdin_from: tuple[Command, ...] = ()  # commands whose stdout is piped into this one
    stdin_text: MappedText | None = None  # a heredoc / here-string fed to stdin
    via: tuple[str, ...] = ()  # how it was reached: ("sh -c",), ("sudo",), ("xargs",) ... for messages
    # VAR=x prefixes and `env VAR=x` given to this command only (value None when unknown): installers
    # read PIP_REQUIRE_HASHES, DEBIAN_FRONTEND, NPM_CONFIG_* from here
    assignments: tuple[tuple[str, str | None], ...] = ()
    # file redirections as (operator as written, e.g. ">", "2>>", "<"; target word): lets the
    # download tracker see `curl url > install.sh` and heredocs written to requirements files
    redirects: tuple[tuple[str, Word], ...] = ()

    @property
    def name(self) -> str:
        """Basename of the program (``/usr/bin/pip3`` -> ``pip3``); '' when unknown."""
        v = self.argv[0].value if self.argv else None
        return v.rsplit("/", 1)[-1] if v else ""


class ShellResult(NamedTuple):
    commands: tuple[Command, ...]  # execution order; nested ones (sh -c, $(...), bodies) included
    errors: tuple[tuple[Span, str], ...] = ()  # syntax errors: (where, message)
