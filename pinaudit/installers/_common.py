"""What every package manager module shares: reading an argv against a flag table, and site building.

Installers disagree on option syntax in small ways that decide what is a package: apt and npm
accept options before and after the subcommand, zypper and dnf give the same letter different
meanings before and after it, Go spells long options with one dash, and an unknown option may or
may not swallow the next word. Each module states its own table (:class:`Flags`); this module only
applies it, so "which words are packages" is decided in exactly one place per installer.
"""

from __future__ import annotations

import re

from pinaudit.model import Action, Ecosystem, InstallSite, Location, Pin, Span
from pinaudit.parse.spec_range import spec_range

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    from pinaudit.parse.shell import Command, Word
else:
    from pinaudit._record import NamedTuple



class Flags(NamedTuple):
    """One installer's option table: which options take a value (long and short spellings)."""

    takes_value: frozenset[str]
    # single-dash multi-letter options (Go: -ldflags X); otherwise -abc is a cluster of letters
    single_dash_long: bool = False
    # unknown options: does the next word belong to them? (gem's build flags: `--with-x true`)
    unknown_value: bool = False

    def __or__(self, other: Flags) -> Flags:
        return Flags(
            self.takes_value | other.takes_value,
            self.single_dash_long or other.single_dash_long,
            self.unknown_value or other.unknown_value,
        )


def flags(*names: str, single_dash_long: bool = False, unknown_value: bool = False) -> Flags:
    """``flags("-o", "--option", ...)``: the options that take a value."""
    return Flags(frozenset(names), single_dash_long, unknown_value)


class Option(NamedTuple):
    name: str  # "--target", "-t" (the spelling used)
    value: str | None  # None: no value, or a value we could not know
    word: Word  # the option word
    value_word: Word | None = None  # the word holding the value (the option word when attached)

    @property
    def has_value(self) -> bool:
        return self.value_word is not None


class Args(NamedTuple):
    options: tuple[Option, ...] = ()
    positionals: tuple[Word, ...] = ()
    rest: tuple[Word, ...] = ()  # after '--' (or after the first positional when asked to stop)

    def has(self, *names: str) -> bool:
        return any(o.name in names for o in self.options)

    def get(self, *names: str) -> list[Option]:
        return [o for o in self.options if o.name in names]

    def last(self, *names: str) -> Option | None:
        found = self.get(*names)
        return found[-1] if found else None


def split_fields(words: tuple[Word, ...] | list[Word]) -> list[Word]:
    """Words whose known value still holds blanks from an unquoted expansion become several.

    The shell layer performs field splitting; this is a belt for braces: an unquoted ``$PKGS``
    that reached us as one word would otherwise be judged as one odd package name.
    """
    out: list[Word] = []
    for w in words:
        if w.value is not None and not w.quoted and "$" in w.raw and len(w.value.split()) > 1:
            out.extend(w._replace(value=part) for part in w.value.split())
        else:
            out.append(w)
    return out


_LONG_ATTACHED = re.compile(r"(--[A-Za-z][A-Za-z0-9_-]*)=")


def parse(words: list[Word] | tuple[Word, ...], table: Flags, *, stop_at_positional: bool = False,
          bool_value_words: frozenset[str] = frozenset()) -> Args:
    """Read ``words`` (argv without the program) against ``table``.

    ``stop_at_positional``: the first non-option word ends option parsing (npx's command and its
    arguments). ``bool_value_words``: when ``table.unknown_value`` is set, only these literal
    words (``true``, ``no``...) are taken as an unknown option's value.
    """
    options: list[Option] = []
    positionals: list[Word] = []
    ws = list(words)
    i = 0
    while i < len(ws):
        w = ws[i]
        v = w.value
        if v is None and (m := _LONG_ATTACHED.match(unquoted_raw(w))):
            # `--output=$F`: a long option whose value a variable decides is still that option
            options.append(Option(m.group(1), None, w, w))
            i += 1
            continue
        if v is None or not v.startswith("-") or v == "-":
            positionals.append(w)
            i += 1
            if stop_at_positional:
                return Args(tuple(options), tuple(positionals), tuple(ws[i:]))
            continue
        if v == "--":
            return Args(tuple(options), tuple(positionals), tuple(ws[i + 1:]))
        nxt = ws[i + 1] if i + 1 < len(ws) else None
        if v.startswith("--") or (table.single_dash_long and len(v) > 2):
            name, eq, attached = v.partition("=")
            if eq:
                options.append(Option(name, attached, w, w))
            elif nxt is not None and _takes_next(name, nxt, table, bool_value_words):
                options.append(Option(name, nxt.value, w, nxt))
                i += 1
            else:
                options.append(Option(name, None, w))
            i += 1
            continue
        # a cluster of short options: -yqq, -tsuite, -o X=Y
        letters = v[1:]
        j = 0
        consumed_next = False
        while j < len(letters):
            name = "-" + letters[j]
            if name in table.takes_value:
                attached = letters[j + 1:]
                if attached:
                    options.append(Option(name, attached.removeprefix("="), w, w))
                elif nxt is not None:
                    options.append(Option(name, nxt.value, w, nxt))
                    consumed_next = True
                else:
                    options.append(Option(name, None, w))
                break
            options.append(Option(name, None, w))
            j += 1
        i += 2 if consumed_next else 1
    return Args(tuple(options), tuple(positionals), ())


def _takes_next(name: str, nxt: Word, table: Flags, bool_value_words: frozenset[str]) -> bool:
    if name in table.takes_value:
        return True
    return table.unknown_value and nxt.value is not None and nxt.value.lower() in bool_value_words


def subcommand(words: list[Word], table: Flags) -> tuple[Args, Word | None, list[Word]]:
    """Global options, the subcommand word (by position, never by search), and the words after it."""
    pre = parse(words, table, stop_at_positional=True)
    if not pre.positionals:
        return pre, None, []
    return pre, pre.positionals[0], list(pre.rest)


def argv_tail(cmd: Command) -> list[Word]:
    return split_fields(cmd.argv[1:])


def loc(ctx_path: str, word: Word) -> Location:
    return Location(ctx_path, word.span)


def unknown_detail(word: Word) -> str:
    names = ", ".join(f"${n}" for n in word.unknown_vars) or word.raw
    which = "is" if len(word.unknown_vars) <= 1 else "are"
    return f"from {names}, which {which} not known at build time"


def unquoted_raw(word: Word) -> str:
    return word.raw.replace('"', "").replace("'", "")


def name_before_variable(word: Word, separators: str) -> str:
    """For a word an unknown variable decides, the package name written before the variable.

    ``git-core-${VER}`` -> ``git-core``; ``jq=$V`` -> ``jq``; ``${PKG}`` -> ``${PKG}`` (nothing
    literal to name it by, so the word as written).
    """
    raw = unquoted_raw(word)
    if "$" not in raw:
        return raw
    head = raw.split("$", 1)[0]
    name = head.rstrip(separators)
    return name if name and name != head else raw


# a simple variable reference: $NAME, $1, $@ (${...}, $(...) and `...` are matched by _var_refs)
_SIMPLE_VAR = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])")
_CLOSE = {"{": "}", "(": ")"}
# words that are files, not names: a path, or a package file (its name is the file's business)
_PATH_START = ("/", "./", "../", "~")
_PACKAGE_FILE = re.compile(r"\.(deb|rpm|apk|whl|gem|tgz|tar(\.\w+)?|zip|egg)\*?$", re.I)


def _var_refs(raw: str) -> list[tuple[int, int]]:
    """(start, end) of each expansion in ``raw``: ``$NAME``, ``${...}``, ``$(...)`` (nested
    parentheses and quotes inside included, as in ``$(node -p 'require("x").y')``), backquotes."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "`":
            end = raw.find("`", i + 1)
            end = len(raw) if end < 0 else end + 1
        elif c == "$" and raw[i + 1 : i + 2] in _CLOSE:
            opening = raw[i + 1]
            depth, end = 0, len(raw)
            for j in range(i + 1, len(raw)):
                if raw[j] == opening:
                    depth += 1
                elif raw[j] == _CLOSE[opening]:
                    depth -= 1
                    if depth == 0:
                        end = j + 1
                        break
        elif c == "$" and (m := _SIMPLE_VAR.match(raw, i)):
            end = m.end()
        else:
            i += 1
            continue
        out.append((i, end))
        i = end
    return out


def variable_only_in_name(word: Word, version_ops: str) -> bool:
    """Whether the unknown variables of ``word`` can only complete the package *name*, so that
    no value of theirs gives it a version: the install is unpinned whatever they hold.

    ``version_ops`` are the characters that start a version in this ecosystem (apt ``=``, pip
    ``=<>~!``, npm ``@``, yum ``-``...). The variables could carry a version -- and the word stays
    "cannot be judged" -- when any such character is written around them (``curl=$V``,
    ``postgresql-${PG}=13.2``), when the word is nothing but variables (``$PKG``), or when the last
    one ends the word straight after a letter, a digit or ``]`` (``torch${TORCH_SPEC}`` is written
    for ``TORCH_SPEC='==2.1.0'``; ``psycopg${V}`` looks the same, so it stays unknown too). A
    variable after a name's own joiner (``-``, ``.``, ``_``, ``/``: ``postgresql-${PG_MAJOR}``,
    ``@x/${PKG}``) or followed by more of the name (``openjdk-${V}-jdk``, ``$(uname -r)``'s
    ``linux-headers-...``) only names the package: its value would need a version operator
    right after a joiner, which no one writes.
    """
    raw = unquoted_raw(word)
    refs = _var_refs(raw)
    if not refs or raw.startswith(_PATH_START) or _PACKAGE_FILE.search(raw):
        return False  # no variable; or a file, which no name or version is read from
    literal = "".join(raw[a:b] for a, b in zip([0, *[e for _s, e in refs]], [*[s for s, _e in refs], len(raw)],
                                                  strict=True))
    if any(c in version_ops for c in literal.removeprefix("@")):  # a leading @ is an npm scope
        return False
    start, end = refs[-1]
    if end < len(raw):
        return True  # more of the name follows the last variable
    before = raw[:start]
    if before in ("", "@") or (len(refs) > 1 and refs[-2][1] == start):
        return False  # nothing but variables, or one straight after another
    return before[-1] in "-._/"


def variable_site(b: SiteBuilder, action: Action, word: Word, version_ops: str, *,
                  version_elsewhere: bool = False) -> InstallSite:
    """The site of a word an unknown variable decides: unpinned when the variables can only be
    part of the name (:func:`variable_only_in_name`) and no option gives the version
    (``version_elsewhere``: gem's ``-v``, cargo's ``--version``), else "cannot be judged"."""
    name = name_before_variable(word, version_ops)
    if not version_elsewhere and variable_only_in_name(word, version_ops):
        raw = unquoted_raw(word)
        refs = list(dict.fromkeys(raw[a:b] for a, b in _var_refs(raw)))
        which = "only completes" if len(refs) == 1 else "only complete"
        return b.site(action, raw, raw, Pin.UNPINNED, word,
                      detail=f"{', '.join(refs)} {which} the package name: no version is given, whatever the value")
    return b.site(action, name, word.raw, Pin.UNKNOWN, word, detail=unknown_detail(word))


class SiteBuilder:
    """Fills the fields every site of one command shares (set ``global_install``/``hashed`` as flags are read)."""

    __slots__ = ("ecosystem", "global_install", "hashed", "installer", "no_deps", "path")

    def __init__(self, ecosystem: Ecosystem, installer: str, path: str, *,
                 global_install: bool = False, hashed: bool = False, no_deps: bool = False) -> None:
        self.ecosystem = ecosystem
        self.installer = installer
        self.path = path
        self.global_install = global_install
        self.hashed = hashed
        self.no_deps = no_deps

    def site(self, action: Action, package: str | None, spec: str | None, pin: Pin, word: Word,
             *, version: str | None = None, detail: str = "") -> InstallSite:
        token, spec_span = token_spans(word, self.ecosystem.value if package is not None else "")
        return InstallSite(
            ecosystem=self.ecosystem,
            action=action,
            package=package,
            spec=spec,
            pin=pin,
            location=Location(self.path, token),
            installer=self.installer,
            version=version if pin in (Pin.EXACT, Pin.IMMUTABLE) else None,
            global_install=self.global_install,
            hashed=self.hashed,
            detail=detail,
            no_deps=self.no_deps,
            spec_span=spec_span,
            origin=word.origin,
        )


_QUOTES = "\"'"


def token_spans(word: Word, ecosystem: str) -> tuple[Span, Span]:
    """The span of ``word`` as a package token (enclosing quotes excluded) and of the version spec
    inside it (:func:`pinaudit.parse.spec_range.spec_range`; empty at the insertion point), both
    taken by offset from the text the word was read from."""
    if word.source is None:
        span = word.span
        raw = word.raw
        if span.line == span.end_line and span.start >= 0 and span.end - span.start == len(raw) + 2:
            span = span.sub(1, len(raw) + 1)  # an exec-form string: its quotes
        if span.line != span.end_line or span.end - span.start != len(raw):
            return span, span.sub(span.end_column - span.column, span.end_column - span.column) \
                if span.line == span.end_line else span
        a, b = spec_range(ecosystem, raw) if ecosystem else (len(raw), len(raw))
        return span, span.sub(a, b)
    src, s, e = word.source
    raw = src.text[s:e]
    i, j = 0, len(raw)
    if raw[:2] == "$'":
        i = 1  # ANSI-C quoting: the '$' belongs to the quote
    while i < j and raw[i] in _QUOTES:
        i += 1
    while j > i and raw[j - 1] in _QUOTES and raw[j - 2 : j - 1] != "\\":
        j -= 1
    token = src.span(s + i, s + j)
    keep = [k for k in range(i, j) if raw[k] not in _QUOTES]
    unquoted = "".join(raw[k] for k in keep)
    if not ecosystem or unquoted.startswith("$"):
        # no spec in the token as written (its value came through a variable): insert at its end
        return token, src.span(s + j, s + j)
    a, b = spec_range(ecosystem, unquoted)
    ra = keep[a] if a < len(keep) else j
    rb = keep[b - 1] + 1 if b > a else ra
    return token, src.span(s + ra, s + rb)
