"""cmd.exe and PowerShell: the simple commands of a line, without a grammar."""

from __future__ import annotations

import re

from pinaudit.parse.shell.values import Command, ShellResult, Word

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from pinaudit.parse.text import MappedText

# Patterns as strings, compiled (and cached by ``re``) on first use: Windows images are rare and
# a one-file run on a Linux Dockerfile should not pay for them.
_CMD_VAR = r"%([A-Za-z_][A-Za-z0-9_]*)%"
_SIMPLE_REDIRECT = r"[0-9*]?>>?(?:&[0-9])?|<"
_PS_VAR = r"(?i)\$(?:env:)?([A-Za-z_][A-Za-z0-9_]*)"


def analyze_simple(src: MappedText, dialect: str, env: Mapping[str, str | None] | None = None) -> ShellResult:
    """The simple commands of a cmd.exe (``dialect="cmd"``) or PowerShell (``"pwsh"``) line.

    No grammar beyond what an install command needs: commands split at unquoted ``&&``, ``||``,
    ``&``, ``|`` (and ``;`` in PowerShell), words at blanks with double quotes (and PowerShell's
    single quotes) removed, redirections dropped, ``%VAR%`` / ``$env:VAR`` expanded from ``env``
    and otherwise unknown. ``pip install flask`` reads the same in every shell.
    """
    pwsh = dialect != "cmd"
    escape = "`" if pwsh else "^"
    seps = ("&&", "||", "&", "|", ";", "\n") if pwsh else ("&&", "||", "&", "|", "\n")
    var = re.compile(_PS_VAR if pwsh else _CMD_VAR)
    simple_redirect = re.compile(_SIMPLE_REDIRECT)
    text = src.text
    commands: list[Command] = []
    words: list[Word] = []
    cur: list[str] = []
    start = -1
    quote = ""
    quoted = False
    redirect = False

    def end_word(i: int) -> None:
        nonlocal cur, start, quoted, redirect
        if start >= 0:
            raw = text[start:i]
            if redirect:
                redirect = False  # the target of `> file`
            elif not quoted and (m := simple_redirect.match(raw)) is not None:
                redirect = m.end() == len(raw) and "&" not in raw  # a bare operator: its target follows
            else:
                value: str | None = "".join(cur)
                unknown: list[str] = []

                def sub(m: re.Match[str]) -> str:
                    v = (env or {}).get(m.group(1))
                    if v is None:
                        unknown.append(m.group(1))
                        return m.group(0)
                    return v

                if not (pwsh and raw.startswith("'")) and var.search(value or ""):
                    value = var.sub(sub, value or "")
                words.append(Word(raw, None if unknown else value, src.span(start, i), quoted, tuple(unknown),
                                  source=(src, start, i)))
        cur, start, quoted = [], -1, False

    def end_command(i: int) -> None:
        nonlocal words
        end_word(i)
        argv = words
        if argv and pwsh and argv[0].value in ("&", "."):
            argv = argv[1:]  # the call operator
        if argv:
            commands.append(Command(tuple(argv), argv[0].span.through(argv[-1].span)))
        words = []

    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
            elif c == escape and quote == '"' and pwsh and i + 1 < n:
                i += 1
                cur.append(text[i])
            else:
                cur.append(c)
            i += 1
            continue
        sep = next((s for s in seps if text.startswith(s, i)), None)
        if sep is not None and not (sep == "&" and pwsh and not words and start < 0):
            end_command(i)
            i += len(sep)
            continue
        if c in " \t\r":
            end_word(i)
        else:
            if start < 0:
                start = i
            if c == escape and i + 1 < n:
                i += 1
                if text[i] != "\n":
                    cur.append(text[i])
            elif c == '"' or (c == "'" and pwsh):
                quote, quoted = c, True
            else:
                cur.append(c)
        i += 1
    end_command(n)
    return ShellResult(tuple(commands))
