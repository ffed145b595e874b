"""Shell analysis through tree-sitter-bash: text -> the simple commands a shell would run.

``analyze`` parses once, walks the tree in execution order and emits every simple command with
physical spans (SPEC §5 "Shell fidelity"). It descends into lists, pipelines, compound statements,
function bodies, command/process substitutions and nested shells (``sh -c``, ``su -c``, ``eval``,
heredocs fed to a shell), strips wrappers (``sudo``, ``env``, ``xargs``...) so ``argv[0]`` is the
real program, and expands variables it can know (never guessing the ones it cannot).

tree-sitter-bash quirks this module corrects for:

* ``pip install foo>=1 bar`` parses as a redirect with destinations ``=1`` *and* ``bar``; only the
  first destination is the file, the rest are arguments of the command on the left.
* a heredoc's continuation (``cat <<EOF | sh``, ``cat <<EOF > f && x``) is nested *inside* the
  ``heredoc_redirect`` node, and a trailing heredoc/redirect may wrap a whole ``a && b`` list
  although it belongs to ``b``.
"""

from __future__ import annotations

import _thread
import fnmatch
import re
import sys
from collections.abc import Callable, Iterable, Mapping

from pinaudit.model import Span
from pinaudit.parse.text import MappedText, MappedTextBuilder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple

    from tree_sitter import Node as _Node
    from tree_sitter import Parser
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


MAX_DEPTH = 20  # nested shells (sh -c 'sh -c ...'), eval and heredoc-fed shells
_MAX_NESTING = 150  # syntactic nesting ((((...)))) before we stop rather than hit Python's stack
_MAX_LOOP_VALUES = 32  # `for p in a b c` bodies are walked once per value up to this many
_MAX_FUNCTION_CALLS = 256  # function bodies walked per analysis (each call walks the body again)

# A standalone `\<` or `\>` word: test(1)'s string comparison (compiled on first use: rare).
_ESCAPED_COMPARISON = r"(?<=[ \t])\\[<>](?=[ \t])"

def _mask_escaped_comparisons(text: str) -> str:
    """``\\<``/``\\>`` words inside a ``[ ]``/``[[ ]]`` test on their line, replaced by ``==``."""
    out = list(text)
    for m in re.finditer(_ESCAPED_COMPARISON, text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if text.rfind("[", line_start, m.start()) > text.rfind("]", line_start, m.start()):
            out[m.start() : m.end()] = "=="
    return "".join(out)


# tree-sitter parsers are not thread-safe: one per thread, made once. (``_thread``, the C module,
# rather than ``threading``: a pre-commit run should not import what it never uses.)
_local = _thread._local()


def _binding(package: str) -> Any:
    """The compiled ``package._binding`` module, loaded without running the package's ``__init__``.

    Both packages' ``__init__`` files cost a one-file pre-commit run more than the parse itself:
    tree-sitter-bash's imports importlib.resources (and through it tempfile, shutil, bz2, lzma,
    random...) only to serve highlight queries we never read; tree-sitter's imports :mod:`typing`
    for one Protocol. The binding is registered under its own name, so a later ``import
    tree_sitter`` reuses it (same types). Falls back to the package if its layout changes.
    """
    name = f"{package}._binding"
    if name in sys.modules:
        return sys.modules[name]
    import importlib.machinery
    import importlib.util

    spec = importlib.util.find_spec(package)  # finds the package without running it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = f"{folder}/_binding{suffix}"
            try:
                loader = importlib.machinery.ExtensionFileLoader(name, path)
                mod_spec = importlib.util.spec_from_file_location(name, path, loader=loader)
                if mod_spec is None:
                    continue
                module = importlib.util.module_from_spec(mod_spec)
                loader.exec_module(module)
            except (ImportError, OSError):
                continue
            return sys.modules.setdefault(name, module)
    return importlib.import_module(name)


def _parser() -> Parser:
    p: Parser | None = getattr(_local, "parser", None)
    if p is None:
        ts = _binding("tree_sitter")
        p = ts.Parser(ts.Language(_binding("tree_sitter_bash").language()))
        _local.parser = p
    return p


def _flatten(node: _Node, kind: str) -> list[_Node]:
    """The operands of a left-nested ``kind`` node (a list or a pipeline), in source order,
    without recursion: chains of thousands of ``&&`` or ``|`` are real."""
    out: list[_Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == kind:
            stack.extend(reversed([c for c in n.children if c.is_named]))
        else:
            out.append(n)
    return out


def analyze(
    src: MappedText,
    env: Mapping[str, str | None] | None = None,
    heredocs: Mapping[str, tuple[MappedText, bool]] | None = None,
) -> ShellResult:
    """Parse ``src`` as POSIX/bash shell and return its commands with physical spans.

    ``heredocs`` maps placeholder words to heredoc bodies cut out by another front-end (a
    Dockerfile RUN): the caller writes ``<PLACEHOLDER`` where the ``<<NAME`` operator stood, and
    the command gets the body (mapped to its physical lines; the flag says the delimiter was
    quoted) as its stdin. tree-sitter-bash cannot parse two heredocs of one line in different
    commands, nor a heredoc before the command word, nor a here-string after a file redirect
    (``cat > f <<<x``); a file redirect it parses in every position. (``<<<PLACEHOLDER`` is
    still understood.)
    """
    ctx = _Ctx(heredocs=dict(heredocs) if heredocs else {})
    scope: dict[str, str | None] = dict(env) if env else {}
    try:
        _Walker(src, ctx, 0, (), scope, set(scope)).run()
    except RecursionError:
        ctx.errors.append((src.span(0, 0), "shell text nested too deeply to analyse"))
    except Exception as exc:  # never let one odd RUN line take the whole audit down
        ctx.errors.append((src.span(0, 0), f"internal shell-analysis error: {type(exc).__name__}: {exc}"))
    return ShellResult(tuple(ctx.commands), tuple(ctx.errors))


# --------------------------------------------------------------------------------------------
# internals

_Scope = dict[str, "str | None"]

# piece kinds of an expanded word
_LIT = 0  # literal text (quoted or not): never field-split
_SPLIT = 1  # result of an unquoted expansion: field-split on whitespace
_UNK = 2  # unknown (variable, command substitution): text is the raw source

_IFS = " \t\n"
_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-]")
_EXPANSIONS = frozenset(
    {"simple_expansion", "expansion", "command_substitution", "process_substitution", "arithmetic_expansion"}
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "yash", "posh"})
_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_STATEMENT_CONTAINERS = frozenset(
    {"program", "compound_statement", "do_group", "else_clause", "negated_command", "ERROR"}
)
_ANSI_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
    "e": "\x1b", "E": "\x1b", "\\": "\\", "'": "'", '"': '"', "?": "?",
}  # fmt: skip


# Plain classes with __slots__, not dataclasses: importing ``dataclasses`` costs a one-file run ~10 ms.


class _Ctx:
    """State shared by the walkers of one ``analyze`` call (outer text and nested shells)."""

    __slots__ = ("calls_left", "collectors", "commands", "errors", "heredocs", "iterating", "loop_items", "seen_subst")

    def __init__(self, heredocs: dict[str, tuple[MappedText, bool]]) -> None:
        self.commands: list[Command] = []
        self.errors: list[tuple[Span, str]] = []
        # commands of the pipeline stage being walked; None while inside a substitution/nested shell
        self.collectors: list[list[Command] | None] = []
        self.iterating = 0  # >0 while a for-loop body is walked per value: nested loops walk once
        # physical starts of $(...) already walked, so a nested shell re-reading the same text
        # (`sh -c "x $(y)"`) does not emit y twice
        self.seen_subst: set[tuple[int, int]] = set()
        # placeholder word -> (heredoc body, delimiter quoted): see ``analyze``
        self.heredocs = heredocs
        # for-loop variable -> the list word it holds in this pass (``$p`` is reported there)
        self.loop_items: dict[str, Word] = {}
        # shell-function calls still to walk: f calling g twice calling h twice... must not explode
        self.calls_left = _MAX_FUNCTION_CALLS


class _Acc:
    """Accumulates one word's expansion."""

    __slots__ = ("pieces", "quoted", "subs", "unknown")

    def __init__(self) -> None:
        self.pieces: list[tuple[int, str, int, bool]] = []  # kind, text, offset, exact
        self.quoted = False
        self.unknown: list[str] = []
        self.subs: list[Command] = []


class _Pending:
    """Redirect-borne parts that tree-sitter hung on an enclosing node but belong to a command."""

    __slots__ = ("redirects",)

    def __init__(self) -> None:
        self.redirects: list[_Node] = []


def _submap(src: MappedText, text: str, offsets: list[int]) -> MappedText:
    """A MappedText for ``text`` whose char i sits where ``src`` char ``offsets[i]`` sits."""
    if not text:
        line, col = src.position(offsets[0] if offsets else 0)
        return MappedText("", ((0, line, col),))
    bounds = {o for o, _, _ in src.segments}
    segs: list[tuple[int, int, int]] = []
    prev = -2
    for i, o in enumerate(offsets):
        if o != prev + 1 or o in bounds or (i and text[i - 1] == "\n"):
            line, col = src.position(o)
            segs.append((i, line, col))
        prev = o
    return MappedText(text, tuple(segs))


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


# wrapper tables: option -> takes a value. Options not listed are flags.
_SUDO_VALUE = frozenset("ugCDprtTURh") - {"h"}
_SUDO_LONG_VALUE = frozenset(
    {"--user", "--group", "--chdir", "--prompt", "--role", "--type", "--other-user", "--host",
     "--close-from", "--chroot", "--command-timeout"}
)  # fmt: skip
_XARGS_VALUE = frozenset("aEILnPsd")
_XARGS_LONG_VALUE = frozenset(
    {"--arg-file", "--delimiter", "--max-args", "--max-lines", "--max-procs", "--max-chars",
     "--process-slot-var"}
)  # fmt: skip


def _skip_opts(
    vals: list[str | None],
    i: int,
    short_value: Iterable[str],
    long_value: Iterable[str] = (),
    stop_at_first: bool = True,
) -> int:
    """Skip getopt-style options from index i; return the index of the first operand."""
    n = len(vals)
    while i < n:
        v = vals[i]
        if v is None or not v.startswith("-") or v == "-":
            return i
        if v == "--":
            return i + 1
        if v.startswith("--"):
            i += 2 if (v in long_value and "=" not in v) else 1
            continue
        # a cluster: the first letter that takes a value eats the rest, or the next word
        j = 1
        taken = False
        while j < len(v):
            if v[j] in short_value:
                i += 1 if j + 1 < len(v) else 2
                taken = True
                break
            j += 1
        if not taken:
            i += 1
    return i


def _strip_one(name: str, vals: list[str | None]) -> tuple[int, list[tuple[str, str | None]]] | None:
    """If vals[0] (basename ``name``) is a wrapper with a command after it, return the index of that
    command and any VAR=val it sets; None when it is not used as a wrapper here."""
    n = len(vals)
    assigns: list[tuple[str, str | None]] = []

    def eat_assigns(i: int) -> int:
        while i < n:
            v = vals[i]
            if v is None or "=" not in v or v.startswith("="):
                break
            k, _, val = v.partition("=")
            if not k.replace("_", "a").isalnum() or k[0].isdigit():
                break
            assigns.append((k, val))
            i += 1
        return i

    i: int
    if name in ("sudo", "doas"):
        short = _SUDO_VALUE if name == "sudo" else frozenset("uC")
        i = _skip_opts(vals, 1, short, _SUDO_LONG_VALUE)
        i = eat_assigns(i)
    elif name == "env":
        i = 1
        while i < n:
            v = vals[i]
            if v is None:
                break
            if v in ("-u", "--unset", "-C", "--chdir"):
                i += 2
            elif v in ("-S", "--split-string") or v.startswith("--split-string="):
                return None  # the command is inside one string: too rare to model
            elif v == "--":
                i += 1
                break
            elif v.startswith("-"):
                i += 1
            else:
                j = eat_assigns(i)
                if j == i:
                    break
                i = j
    elif name == "exec":
        i = _skip_opts(vals, 1, "a")
    elif name in ("nohup", "builtin", "eatmydata", "fakeroot-ng"):
        i = 1 + (n > 1 and vals[1] == "--")
    elif name == "command":
        if n > 1 and vals[1] is not None and vals[1].startswith("-") and set(vals[1][1:]) & {"v", "V"}:
            return None  # `command -v x` looks x up, it does not run it
        i = _skip_opts(vals, 1, "")
    elif name == "time":
        i = _skip_opts(vals, 1, "fo", ("--format", "--output"))
    elif name == "nice":
        i = 1
        while i < n:
            v = vals[i]
            if v in ("-n", "--adjustment"):
                i += 2
            elif v is not None and v.startswith("-") and v != "--":
                i += 1
            else:
                i += v == "--"
                break
    elif name == "ionice":
        if "-p" in vals or "-P" in vals or "-u" in vals:
            return None
        i = _skip_opts(vals, 1, "cn")
    elif name == "timeout":
        i = _skip_opts(vals, 1, "sk", ("--signal", "--kill-after"))
        i += 1  # the duration
    elif name == "stdbuf":
        i = _skip_opts(vals, 1, "ioe", ("--input", "--output", "--error"))
    elif name == "chroot":
        i = _skip_opts(vals, 1, "", ("--userspec", "--groups"))
        i += 1  # the new root
    elif name == "xargs":
        i = _skip_opts(vals, 1, _XARGS_VALUE, _XARGS_LONG_VALUE)
    elif name in ("gosu", "su-exec"):
        i = 2
    elif name == "tini":
        i = _skip_opts(vals, 1, "pe")
    elif name == "dumb-init":
        i = _skip_opts(vals, 1, "r", ("--rewrite",))
    elif name == "catatonit":
        i = _skip_opts(vals, 1, "")
    elif name == "fakeroot":
        i = _skip_opts(vals, 1, "lsib", ("--lib", "--faked"))
    elif name == "setsid":
        i = _skip_opts(vals, 1, "")
    elif name == "runuser":
        if any(v is not None and (v in ("-c", "--command") or v.startswith("--command=")) for v in vals):
            return None  # runuser -c 'cmd' user: a nested shell, handled like su
        i = _skip_opts(vals, 1, "ugG", ("--user", "--group", "--supp-group"))
    elif name == "busybox":
        i = 1
        if n > 1 and vals[1] is not None and vals[1].startswith("-"):
            return None
    else:
        return None
    if i >= n:
        return None  # nothing after the wrapper: the wrapper itself is the program
    return i, assigns


_WRAPPERS = frozenset(
    {"sudo", "doas", "env", "exec", "nohup", "builtin", "eatmydata", "command", "time", "nice", "ionice",
     "timeout", "stdbuf", "chroot", "xargs", "gosu", "su-exec", "tini", "dumb-init", "catatonit",
     "fakeroot", "setsid", "runuser", "busybox"}
)  # fmt: skip


def _shell_mode(vals: list[str | None]) -> tuple[str, int]:
    """For a shell's argv: ("c", index of the script string) / ("file", i) / ("stdin", i)."""
    i, n = 1, len(vals)
    cmode = smode = False
    while i < n:
        v = vals[i]
        if v is None:
            break
        if v in ("--", "-"):
            i += 1
            break
        if v.startswith("--"):
            i += 2 if v in ("--rcfile", "--init-file") else 1
            continue
        if len(v) > 1 and v[0] in "-+":
            eat = 0
            for ch in v[1:]:
                if ch == "c":
                    cmode = True
                elif ch in "oO":
                    eat += 1
                elif ch == "s":
                    smode = True
            i += 1 + eat
            continue
        break
    if cmode:
        return "c", i
    if smode or i >= n:
        return "stdin", i
    return "file", i


class _Walker:
    """Walks one parsed text; nested shells get their own walker on a mapped sub-text."""

    def __init__(
        self,
        src: MappedText,
        ctx: _Ctx,
        depth: int,
        via: tuple[str, ...],
        scope: _Scope,
        exported: set[str],
    ) -> None:
        self.src = src
        self.ctx = ctx
        self.depth = depth
        self.via = via
        self.scope = scope
        self.exported = exported
        self.text = src.text
        self.stdin_from: tuple[Command, ...] = ()
        self.pending: dict[int, _Pending] = {}
        self.last_cmd: dict[int, Command] = {}
        self.nesting = 0
        # word -> its expansion pieces, for re-reading a word as a script (sh -c, eval); the
        # word is kept in the value so its id cannot be reused while the entry lives
        self._word_pieces: dict[int, tuple[Word, list[tuple[int, str, int, bool]]]] = {}
        # shell functions defined in this text: walked at each call with its arguments bound
        # (`retry apt-get install -y curl`, `inst() { apt-get install -y "$@"; }; inst curl`),
        # and once with unknown arguments at the end if never called
        self.functions: dict[str, _Node] = {}
        self.called: set[str] = set()
        self.calling: list[str] = []
        self.call_args: list[Word] | None = None

    # ---- entry -------------------------------------------------------------------------------

    def run(self) -> None:
        text = self.text
        if not text.isascii():
            # tree-sitter-bash's scanner can crash the process on some non-ASCII input (seen with
            # '{' + U+E43CB); bash treats such characters as plain word characters, and so does
            # '.' (it is no name character, so `$é` stays literal). One ASCII char per char also
            # makes tree-sitter's byte offsets our character offsets.
            text = _NON_ASCII.sub(".", text)
        if "\\<" in text or "\\>" in text:
            # test(1)'s string comparison `[ "$v" \< 7.4 ]` is unknown to tree-sitter-bash's test
            # grammar: the whole if-statement became an ERROR and the installs inside it were lost.
            # A same-length `==` parses as a comparison (offsets unchanged); words are still read
            # from the original text, and a test's operands are never audited.
            text = _mask_escaped_comparisons(text)
        tree = _parser().parse(text.encode("ascii"))
        root = tree.root_node
        if root.has_error:
            self._collect_errors(root)
        self._stmts(root)
        for name, body in list(self.functions.items()):
            if name not in self.called:  # defined, never called here: audit it with unknown arguments
                saved = self._save()
                self._stmt(body)
                self._restore(saved)

    def _collect_errors(self, root: _Node) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.is_missing:
                self.ctx.errors.append((self._span(node), f"syntax error: missing {node.type!r}"))
            elif node.type == "ERROR":
                snippet = self._txt(node).strip().splitlines()
                near = snippet[0][:40] if snippet else ""
                self.ctx.errors.append((self._span(node), f"syntax error near {near!r}"))
            elif node.has_error:
                stack.extend(reversed(node.children))

    # ---- helpers -----------------------------------------------------------------------------

    def _txt(self, node: _Node) -> str:
        return self.text[node.start_byte : node.end_byte]

    def _span(self, node: _Node) -> Span:
        return self.src.span(node.start_byte, node.end_byte)

    def _span_nodes(self, first: _Node, last: _Node) -> Span:
        return self.src.span(first.start_byte, last.end_byte)

    def _emit(self, cmd: Command) -> None:
        self.ctx.commands.append(cmd)
        if self.ctx.collectors:
            col = self.ctx.collectors[-1]
            if col is not None:
                col.append(cmd)

    # ---- statements --------------------------------------------------------------------------

    def _stmts(self, node: _Node) -> None:
        for ch in node.children:
            if ch.is_named:
                self._stmt(ch)

    def _stmt(self, node: _Node) -> None:
        self.nesting += 1
        try:
            if self.nesting > _MAX_NESTING:
                if self.nesting == _MAX_NESTING + 1:
                    self.ctx.errors.append((self._span(node), "shell text nested too deeply to analyse"))
                return
            self._stmt_inner(node)
        finally:
            self.nesting -= 1

    def _stmt_inner(self, node: _Node) -> None:
        t = node.type
        if t == "command":
            self._command(node)
        elif t == "list":
            # left-nested for a && b && c: flatten iteratively (long chains are common)
            for it in _flatten(node, "list"):
                self._stmt(it)
        elif t == "pipeline":
            self._pipeline(self._stages(node), ())
        elif t == "redirected_statement":
            self._redirected(node)
        elif t in _STATEMENT_CONTAINERS:
            self._stmts(node)
        elif t == "subshell":
            saved = self._save()
            self._stmts(node)
            self._restore(saved)
        elif t == "variable_assignment":
            self._assign(node, persist=True)
        elif t == "variable_assignments":
            for ch in node.named_children:
                if ch.type == "variable_assignment":
                    self._assign(ch, persist=True)
        elif t == "declaration_command":
            self._declare(node)
        elif t == "unset_command":
            for ch in node.named_children:
                if ch.type in ("word", "variable_name"):
                    self.scope.pop(self._txt(ch), None)
        elif t == "if_statement":
            self._if(node)
        elif t == "case_statement":
            self._case(node)
        elif t == "for_statement":
            self._for(node)
        elif t in ("while_statement",):
            self._stmts(node)
        elif t == "function_definition":
            body = node.child_by_field_name("body")
            name_node = node.child_by_field_name("name")
            if body is not None and name_node is not None:
                self.functions[self._txt(name_node)] = body
        elif t in ("comment", "heredoc_body", "heredoc_start", "heredoc_end"):
            return
        else:  # test_command, c-style for, arithmetic, stray words: only their substitutions run
            self._generic(node)

    def _generic(self, node: _Node) -> None:
        stack = [node]
        while stack:
            n = stack.pop()
            t = n.type
            if t in ("command_substitution", "process_substitution"):
                self._substitution(n)
            elif t == "do_group" or t == "compound_statement":
                self._stmt(n)
            elif n.child_count:
                stack.extend(reversed(n.children))

    def _save(self) -> tuple[_Scope, set[str]]:
        return dict(self.scope), set(self.exported)

    def _restore(self, saved: tuple[_Scope, set[str]]) -> None:
        self.scope, self.exported = saved

    def _branches(self, bodies: list[Callable[[], None]], exhaustive: bool) -> None:
        """Walk alternative bodies from the same scope, then keep only what they agree on."""
        base = self._save()
        results: list[_Scope] = []
        exported: set[str] = set(base[1])
        for body in bodies:
            self.scope, self.exported = dict(base[0]), set(base[1])
            body()
            results.append(self.scope)
            exported |= self.exported
        if not exhaustive:
            results.append(base[0])
        merged: _Scope = {}
        for key in set().union(*results) if results else set():
            vals = [r.get(key, _MISSING) for r in results]
            first = vals[0]
            merged[key] = first if all(v == first for v in vals) and isinstance(first, str) else None
        self.scope, self.exported = merged, exported

    def _if(self, node: _Node) -> None:
        bodies: list[Callable[[], None]] = []
        cur: list[_Node] | None = None
        exhaustive = False
        for ch in node.children:
            t = ch.type
            if t == "then":
                cur = []
                bodies.append(self._seq(cur))
            elif t == "elif_clause":
                bodies.append(self._seq([c for c in ch.children if c.is_named]))
            elif t == "else_clause":
                exhaustive = True
                bodies.append(self._seq([c for c in ch.children if c.is_named]))
            elif ch.is_named:
                if cur is None:
                    self._stmt(ch)  # condition: always runs
                else:
                    cur.append(ch)
        self._branches(bodies, exhaustive)

    def _seq(self, nodes: list[_Node]) -> Callable[[], None]:
        def run() -> None:
            for n in nodes:
                self._stmt(n)

        return run

    def _case(self, node: _Node) -> None:
        bodies: list[Callable[[], None]] = []
        for ch in node.children:
            if ch.type == "case_item":
                after = False
                stmts: list[_Node] = []
                for c in ch.children:
                    if c.type == ")":
                        after = True
                    elif after and c.is_named:
                        stmts.append(c)
                bodies.append(self._seq(stmts))
            elif ch.is_named and ch.type != "comment":
                self._words([ch])  # the case subject: only its substitutions matter
        self._branches(bodies, False)

    def _for(self, node: _Node) -> None:
        var: str | None = None
        values: list[list[_Node]] = []
        body: _Node | None = None
        has_in = False
        for ch in node.children:
            t = ch.type
            if t == "variable_name" and var is None:
                var = self._txt(ch)
            elif t == "in":
                has_in = True
            elif t == "do_group" or t == "compound_statement":
                body = ch
            elif has_in and ch.is_named and t != "comment":
                if values and values[-1][-1].end_byte == ch.start_byte:
                    values[-1].append(ch)
                else:
                    values.append([ch])
        items: list[Word] | None = None
        if has_in:
            words = [w for grp in values for w in self._words(grp)]
            if all(w.value is not None for w in words) and 0 < len(words) <= _MAX_LOOP_VALUES:
                items = words
        if body is None:
            return
        if var is None or not items or self.ctx.iterating:
            if var is not None:
                self.scope[var] = None
            self._stmt(body)
            return
        self.ctx.iterating += 1
        try:
            for item in items:
                self.scope[var] = item.value
                # `for p in curl git; do apt-get install -y $p` installs curl from where it is written
                self.ctx.loop_items[var] = item
                self._stmt(body)
        finally:
            self.ctx.iterating -= 1
            self.ctx.loop_items.pop(var, None)

    # ---- assignments -------------------------------------------------------------------------

    def _assign_value(self, node: _Node) -> tuple[str, str | None, bool]:
        """(name, value, append) of a variable_assignment; value None when unknown."""
        name = ""
        value: str | None = ""
        append = False
        seen_op = False
        for ch in node.children:
            t = ch.type
            if not seen_op:
                if t in ("variable_name", "subscript"):
                    name = self._txt(ch) if t == "variable_name" else ""
                elif t in ("=", "+="):
                    seen_op = True
                    append = t == "+="
                continue
            if t == "array":
                value = None
                self._generic(ch)
                break
            acc = _Acc()
            self._pieces(ch, acc, False, False)
            value = _marked(acc.pieces)
            break
        return name, value, append

    def _assign(self, node: _Node, persist: bool) -> tuple[str, str | None]:
        """Assign (when ``persist``); returns the value as commands see it (None when not fully known)."""
        name, value, append = self._assign_value(node)
        if append:
            old = self.scope.get(name)
            value = old + value if old is not None and value is not None else None
        if persist and name:
            self.scope[name] = value
        return name, (None if value is not None and _MARK in value else value)

    def _declare(self, node: _Node) -> None:
        export = False
        for ch in node.children:
            t = ch.type
            if not ch.is_named:
                export = t == "export"
            elif t == "word":
                flag = self._txt(ch)
                if flag.startswith("-") and "x" in flag:
                    export = True
            elif t == "variable_assignment":
                name, _v = self._assign(ch, persist=True)
                if export and name:
                    self.exported.add(name)
            elif t == "variable_name" and export:
                self.exported.add(self._txt(ch))
            else:
                self._generic(ch)

    # ---- pipelines and redirects ---------------------------------------------------------------

    def _stages(self, node: _Node) -> list[_Node]:
        return _flatten(node, "pipeline")

    def _pipeline(self, stages: list[_Node], before: tuple[Command, ...]) -> None:
        prev = list(before)
        multi = len(stages) + len(before) > 1
        for stage in stages:
            saved_stdin = self.stdin_from
            self.stdin_from = tuple(prev)
            collector: list[Command] = []
            self.ctx.collectors.append(collector)
            saved = self._save() if multi else None  # each stage runs in a subshell
            try:
                self._stmt(stage)
            finally:
                self.ctx.collectors.pop()
                self.stdin_from = saved_stdin
                if saved is not None:
                    self._restore(saved)
            prev.extend(collector)

    def _rightmost(self, node: _Node | None) -> _Node | None:
        while node is not None and node.type in ("list", "pipeline", "negated_command"):
            named = [c for c in node.children if c.is_named and c.type != "comment"]
            node = named[-1] if named else None
        return node if node is not None and node.type == "command" else None

    def _redirected(self, node: _Node) -> None:
        body: _Node | None = None
        redirects: list[_Node] = []
        for ch in node.children:
            if ch.type in _REDIRECTS:
                redirects.append(ch)
            elif ch.is_named and body is None and ch.type != "comment":
                body = ch
        target = self._rightmost(body)
        continuation: list[_Node] = []
        if target is not None:
            pend = self.pending.setdefault(target.id, _Pending())
            for r in redirects:
                pend.redirects.append(r)
                continuation.extend(self._continuation(r))
        else:
            for r in redirects:
                continuation.extend(self._continuation(r))
        if body is not None:
            self._stmt(body)
        if target is None:
            for r in redirects:  # redirects of a loop/group: only their substitutions run
                for ch in r.children:
                    if ch.is_named and ch.type not in ("heredoc_body", "pipeline") and ch not in continuation:
                        self._generic(ch)
        # the heredoc continuation: `cat <<EOF | sh` and `cat <<EOF > f && next`
        last = self.last_cmd.get(target.id) if target is not None else None
        for kind, cont in ((c.type, c) for c in continuation):
            if kind == "pipeline":
                self._pipeline(self._stages(cont), (last,) if last is not None else ())
            else:
                self._stmt(cont)

    def _continuation(self, redirect: _Node) -> list[_Node]:
        if redirect.type != "heredoc_redirect":
            return []
        out: list[_Node] = []
        for i, ch in enumerate(redirect.children):
            if ch.type == "pipeline" or redirect.field_name_for_child(i) == "right":
                out.append(ch)
        return out

    # ---- simple commands -----------------------------------------------------------------------

    def _command(self, node: _Node) -> None:
        prefix: list[_Node] = []
        groups: list[list[_Node]] = []
        redirects: list[_Node] = []
        seen_name = False
        last_end = -1
        for ch in node.children:
            t = ch.type
            if t == "variable_assignment" and not seen_name:
                prefix.append(ch)
            elif t in _REDIRECTS:
                redirects.append(ch)
                last_end = -1
            elif t == "comment":
                continue
            else:
                if t == "command_name":
                    seen_name = True
                if ch.start_byte == last_end and groups:
                    groups[-1].append(ch)  # tree-sitter split one word in two (`$"..."`, `a\ b`)
                else:
                    groups.append([ch])
                last_end = ch.end_byte
        pend = self.pending.pop(node.id, None)
        all_redirects = redirects + (pend.redirects if pend else [])

        assigns: list[tuple[str, str | None]] = [self._assign(a, persist=False) for a in prefix]
        argv: list[Word] = []
        for grp in groups:
            argv.extend(self._words(grp))
        redir_words: list[tuple[str, Word]] = []
        stdin_text: MappedText | None = None
        heredoc_shell_text: tuple[MappedText, bool] | None = None
        for r in all_redirects:
            if r.type == "file_redirect":
                op, dests = self._file_redirect(r)
                placeholder = self._txt(dests[0][0]) if dests and len(dests[0]) == 1 else ""
                if op.endswith("<") and placeholder in self.ctx.heredocs:
                    stdin_text, quoted_delim = self.ctx.heredocs[placeholder]  # a Dockerfile heredoc
                    heredoc_shell_text = (stdin_text, quoted_delim)
                    continue
                if dests:
                    ws = self._words(dests[0])
                    if ws:
                        redir_words.append((op, ws[0]))
                    for grp in dests[1:]:
                        argv.extend(self._words(grp))
            elif r.type == "herestring_redirect":
                for ch in r.children:
                    if ch.is_named and self.ctx.heredocs and self._txt(ch) in self.ctx.heredocs:
                        stdin_text, quoted_delim = self.ctx.heredocs[self._txt(ch)]
                        heredoc_shell_text = (stdin_text, quoted_delim)
                        break
                    if ch.is_named:
                        acc = _Acc()
                        self._pieces(ch, acc, False, False)
                        text, offs = _script_form(acc.pieces)
                        stdin_text = _submap(self.src, text + "\n", [*offs, offs[-1] if offs else 0])
                        heredoc_shell_text = (stdin_text, True)
                        break
            else:
                body, quoted_delim, inner_redirects = self._heredoc(r)
                stdin_text = body
                heredoc_shell_text = (body, quoted_delim)
                for ir in inner_redirects:
                    op, dests = self._file_redirect(ir)
                    if dests:
                        ws = self._words(dests[0])
                        if ws:
                            redir_words.append((op, ws[0]))
                        for grp in dests[1:]:
                            argv.extend(self._words(grp))

        via: list[str] = [f"{k}=" for k, _v in assigns]
        original = argv
        argv, extra_assigns, wrappers = self._strip(argv)
        assigns.extend(extra_assigns)
        via.extend(wrappers)
        if not argv:
            return
        if "xargs" in wrappers:
            argv = self._xargs_argv(original, argv, redir_words)
        elif not wrappers and argv[0].value in self.functions and argv[0].value not in self.calling:
            if self.ctx.calls_left > 0:
                self.ctx.calls_left -= 1
                self._call(argv[0].value, argv[1:])
            return
        cmd = Command(
            argv=tuple(argv),
            span=self._span(node),
            stdin_from=self.stdin_from,
            stdin_text=stdin_text,
            via=self.via + tuple(via),
            assignments=tuple(assigns),
            redirects=tuple(redir_words),
        )
        self._emit(cmd)
        self.last_cmd[node.id] = cmd
        self._after(cmd, assigns, heredoc_shell_text)

    def _call(self, name: str, args: list[Word]) -> None:
        """Run a shell function's body with $1.. $# $@ bound, in the caller's scope (as bash does)."""
        self.called.add(name)
        keys = [str(i) for i in range(1, 10)] + ["#", "@", "*"]
        saved = {k: self.scope[k] for k in keys if k in self.scope}
        for k in keys:
            self.scope.pop(k, None)
        for i, w in enumerate(args[:9], start=1):
            self.scope[str(i)] = w.value
        self.scope["#"] = str(len(args))
        whole = None if any(w.value is None for w in args) else " ".join(w.value or "" for w in args)
        self.scope["@"] = self.scope["*"] = whole
        outer_args, self.call_args = self.call_args, args
        self.calling.append(name)
        try:
            self._stmt(self.functions[name])
        finally:
            self.calling.pop()
            self.call_args = outer_args
            for k in keys:
                self.scope.pop(k, None)
            self.scope.update(saved)

    def _xargs_argv(self, original: list[Word], argv: list[Word], redirects: list[tuple[str, Word]]) -> list[Word]:
        """The command xargs runs, with the items it reads: ``echo curl git | xargs apt-get install``
        gives the echoed words (at their own spans); from a file, another program or stdin the
        items are one unknown word at ``xargs`` (so the install is reported as unknown, never
        dropped). ``-I R`` puts them where R is written instead of at the end."""
        start = next(i for i, w in enumerate(original) if w.value and w.value.rsplit("/", 1)[-1] == "xargs")
        opts = original[start + 1 : len(original) - len(argv)]
        replace: str | None = None
        source: str | None = None
        for i, w in enumerate(opts):
            v = w.value or ""
            nxt = opts[i + 1].value if i + 1 < len(opts) else None
            if v in ("-I", "--replace") and nxt:
                replace = nxt
            elif v.startswith("-I") and len(v) > 2:
                replace = v[2:]
            elif v.startswith("--replace="):
                replace = v.partition("=")[2] or "{}"
            elif v == "-i":
                replace = "{}"
            elif v in ("-a", "--arg-file") and nxt:
                source = nxt
            elif v.startswith("--arg-file="):
                source = v.partition("=")[2]
        if source is None:
            source = next((w.value or w.raw for op, w in redirects if op in ("<", "0<")), None)
        items: list[Word] | None = None
        if source is None and self.stdin_from and all(c.name in ("echo", "printf") for c in self.stdin_from):
            items = []
            for c in self.stdin_from:
                args = list(c.argv[1:])
                if c.name == "printf" and args and "%" in (args[0].value or "%"):
                    args = args[1:]  # the format
                while c.name == "echo" and args and args[0].value in ("-n", "-e", "-E", "-ne", "-en"):
                    args = args[1:]
                for w in args:
                    if w.value is None:
                        items.append(w)
                    else:
                        items.extend(w._replace(value=tok) for tok in w.value.split())
        if items is None:
            feeders = ", ".join(c.name or "?" for c in self.stdin_from)
            what = source or (f"the output of {feeders}" if feeders else "stdin")
            items = [Word(f"<xargs items from {what}>", None, original[start].span)]
        if replace is None:
            return [*argv, *items]
        out: list[Word] = []
        for w in argv:
            if w.value is not None and replace in w.value:
                out.extend(it._replace(value=w.value.replace(replace, it.value)) if it.value is not None
                           else it for it in items)
            else:
                out.append(w)
        return out

    def _file_redirect(self, node: _Node) -> tuple[str, list[list[_Node]]]:
        dests: list[list[_Node]] = []
        op_end = node.start_byte
        last_end = -1
        for i, ch in enumerate(node.children):
            if node.field_name_for_child(i) == "destination":
                if ch.start_byte == last_end and dests:
                    dests[-1].append(ch)
                else:
                    dests.append([ch])
                last_end = ch.end_byte
            elif not dests:
                op_end = ch.end_byte
        op = self.text[node.start_byte : op_end].strip()
        return op, dests

    def _heredoc(self, node: _Node) -> tuple[MappedText, bool, list[_Node]]:
        strip_tabs = False
        quoted = False
        body: _Node | None = None
        end: _Node | None = None
        inner: list[_Node] = []
        for ch in node.children:
            t = ch.type
            if t == "<<-":
                strip_tabs = True
            elif t == "heredoc_start":
                raw = self._txt(ch)
                quoted = any(q in raw for q in "'\"\\")
            elif t == "heredoc_body":
                body = ch
            elif t == "heredoc_end":
                end = ch
            elif t == "file_redirect":
                inner.append(ch)
        if body is None:
            at = end.start_byte if end is not None else node.end_byte
            return self.src.slice(at, at), quoted, inner
        start, stop = body.start_byte, body.end_byte
        mt = self.src.slice(start, stop)
        if strip_tabs:
            mt = _strip_tabs(mt)
        return mt, quoted, inner

    def _after(
        self,
        cmd: Command,
        assigns: list[tuple[str, str | None]],
        stdin_shell: tuple[MappedText, bool] | None,
    ) -> None:
        """Side effects of a command: nested shells it starts, variables it sets."""
        name = cmd.name
        argv = cmd.argv
        vals = [w.value for w in argv]
        if name in _SHELLS:
            mode, i = _shell_mode(vals)
            tag = name
            if mode == "c":
                if i < len(argv):
                    pos = {str(k): w.value for k, w in enumerate(argv[i + 1 :])}
                    self._nested_word(argv[i], f"{tag} -c", cmd, assigns, pos)
            elif mode == "stdin":
                pos = {str(k + 1): w.value for k, w in enumerate(argv[i:])}
                if stdin_shell is not None:
                    text, quoted = stdin_shell
                    self._nested(text, f"{tag} <<", cmd, assigns, pos, full_scope=not quoted)
                elif cmd.stdin_from:
                    feeder = cmd.stdin_from[-1]
                    if feeder.name == "cat" and len(feeder.argv) == 1 and feeder.stdin_text is not None:
                        self._nested(feeder.stdin_text, f"cat <<EOF | {tag}", cmd, assigns, pos, full_scope=True)
        elif name in ("su", "runuser"):
            script = self._su_script(argv)
            if script is not None:
                w, cut = script
                self._nested_word(w, f"{name} -c", cmd, assigns, {}, cut=cut)
        elif name == "eval":
            self._eval(cmd)
        elif name in ("read", "mapfile", "readarray", "getopts"):
            for v in vals[1:]:
                if v is not None and v.isidentifier():
                    self.scope[v] = None

    def _su_script(self, argv: tuple[Word, ...]) -> tuple[Word, int] | None:
        i = 1
        while i < len(argv):
            v = argv[i].value
            if v is None:
                i += 1
                continue
            if v in ("-s", "--shell", "-g", "--group", "-G", "--supp-group", "-w", "--whitelist-environment",
                     "-u", "--user"):  # fmt: skip
                i += 2
                continue
            if v in ("-c", "--command") or (
                v.startswith("-") and not v.startswith("--") and v[-1] == "c" and set(v[1:]) <= set("lmpfc")
            ):
                return (argv[i + 1], 0) if i + 1 < len(argv) else None
            if v.startswith("--command="):
                return argv[i], len("--command=")
            i += 1
        return None

    def _eval(self, cmd: Command) -> None:
        words = cmd.argv[1:]
        if not words or any(w.substitutions for w in words):
            return  # eval "$(curl ...)": the text is only known at run time
        parts: list[str] = []
        offs: list[int] = []
        for w in words:
            text, o = self._word_script(w)
            if parts:
                parts.append(" ")
                offs.append(offs[-1] if offs else 0)
            parts.append(text)
            offs.extend(o)
        sub = _submap(self.src, "".join(parts), offs)
        self._descend(sub, "eval", cmd, self.scope, self.exported, share=True)

    def _word_script(self, w: Word) -> tuple[str, list[int]]:
        """Re-expand a word keeping unknown parts raw (the nested shell will judge them)."""
        got = self._word_pieces.get(id(w))
        if got is None:
            return "", []
        return _script_form(got[1])

    def _nested_word(
        self,
        w: Word,
        tag: str,
        cmd: Command,
        assigns: list[tuple[str, str | None]],
        positional: dict[str, str | None],
        cut: int = 0,
    ) -> None:
        text, offs = self._word_script(w)
        if not text.strip():
            return
        if w.substitutions and w.value is None and self._only_subst(w):
            return  # sh -c "$(curl ...)": the script is whatever the download says
        sub = _submap(self.src, text[cut:], offs[cut:])
        self._nested(sub, tag, cmd, assigns, positional, full_scope=False)

    def _only_subst(self, w: Word) -> bool:
        got = self._word_pieces.get(id(w))
        pieces = got[1] if got is not None else []
        return all(k == _UNK or not t.strip() for k, t, _o, _e in pieces)

    def _nested(
        self,
        sub: MappedText,
        tag: str,
        cmd: Command,
        assigns: list[tuple[str, str | None]],
        positional: dict[str, str | None],
        full_scope: bool,
    ) -> None:
        # a child shell sees exported variables plus VAR=x given to it; an unquoted heredoc is
        # expanded by the parent, so there the parent's whole scope applies
        if full_scope:
            scope: _Scope = dict(self.scope)
        else:
            scope = {k: v for k, v in self.scope.items() if k in self.exported}
        scope.update(assigns)
        for k in [k for k in scope if k.isdigit()]:
            del scope[k]
        scope.update(positional)
        self._descend(sub, tag, cmd, scope, set(scope), share=False)

    def _descend(self, sub: MappedText, tag: str, cmd: Command, scope: _Scope, exported: set[str], share: bool) -> None:
        if self.depth + 1 > MAX_DEPTH:
            self.ctx.errors.append((cmd.span, f"shells nested more than {MAX_DEPTH} deep; not analysed further"))
            return
        child = _Walker(sub, self.ctx, self.depth + 1, (*cmd.via, tag), scope, exported)
        self.ctx.collectors.append(None)
        try:
            child.run()
        finally:
            self.ctx.collectors.pop()
        if share:
            self.scope, self.exported = child.scope, child.exported

    # ---- wrappers --------------------------------------------------------------------------------

    def _strip(self, argv: list[Word]) -> tuple[list[Word], list[tuple[str, str | None]], list[str]]:
        assigns: list[tuple[str, str | None]] = []
        via: list[str] = []
        for _guard in range(32):
            if not argv:
                break
            v0 = argv[0].value
            if v0 is None:
                break
            name = v0.rsplit("/", 1)[-1]
            if name not in _WRAPPERS:
                break
            got = _strip_one(name, [w.value for w in argv])
            if got is None:
                break
            i, extra = got
            assigns.extend(extra)
            via.append(name)
            argv = argv[i:]
        return argv, assigns, via

    # ---- words -----------------------------------------------------------------------------------

    def _words(self, group: list[_Node]) -> list[Word]:
        """Expand adjacent nodes forming one shell word into zero or more argv Words."""
        acc = _Acc()
        for n in group:
            if n.type == "command_name":
                for ch in n.children:
                    self._pieces(ch, acc, False, False)
            else:
                self._pieces(n, acc, False, False)
        first, last = group[0], group[-1]
        raw = self.text[first.start_byte : last.end_byte]
        span = self._span_nodes(first, last)
        subs = tuple(acc.subs)
        if any(p[0] == _UNK for p in acc.pieces):
            items = _field_split_pieces(acc.pieces)
            if len(items) <= 1:
                words = [Word(raw, None, span, acc.quoted, tuple(dict.fromkeys(acc.unknown)), subs)]
            else:  # a list with unknown items (see _marked): each item on its own
                words = []
                for field in items:
                    text = "".join(t for _k, t, _o, _e in field)
                    if any(k == _UNK for k, _t, _o, _e in field):
                        names = tuple(dict.fromkeys(re.findall(_VAR_REF, text))) or tuple(dict.fromkeys(acc.unknown))
                        words.append(Word(text, None, span, acc.quoted, names, subs))
                    else:
                        words.append(Word(raw, text, span, acc.quoted, (), subs))
        else:
            fields = _field_split(acc.pieces)
            words = [Word(raw, f, span, acc.quoted, (), subs) for f in fields]
        if self.call_args is not None:
            m = re.fullmatch(r'"?\$\{?([@*]|[1-9])\}?"?', raw)
            if m:  # "$@" in a function: the caller's words, at the call (SPEC §6: the package token)
                if m.group(1) in "@*":
                    return list(self.call_args)
                k = int(m.group(1))
                return [self.call_args[k - 1]] if k <= len(self.call_args) else []
        if len(words) == 1 and self.ctx.loop_items:
            m = re.fullmatch(r'"?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"?', raw)
            item = self.ctx.loop_items.get(m.group(1)) if m else None
            if item is not None and item.value == words[0].value:
                words = [words[0]._replace(span=item.span)]
        if len(words) == 1:
            self._word_pieces[id(words[0])] = (words[0], acc.pieces)
        return words

    def _pieces(self, node: _Node, acc: _Acc, quoted: bool, split_lit: bool) -> None:
        t = node.type
        s, e = node.start_byte, node.end_byte
        text = self.text
        if quoted and t in _EXPANSIONS:
            while s < e and text[s] in _IFS:  # inside "...", tree-sitter folds spaces into `$`
                s += 1
        add = acc.pieces.append
        lit = _SPLIT if (split_lit and not quoted) else _LIT
        if t == "word" or t == "number":
            raw = text[s:e]
            if "\\" not in raw:
                add((lit, raw, s, True))
            else:
                self._unescape(raw, s, acc, lit, "")
        elif t == "raw_string":
            acc.quoted = True
            add((_LIT, text[s + 1 : e - 1], s + 1, True))
        elif t == "string" or t == "translated_string":
            acc.quoted = True
            add((_LIT, "", s + 1, True))  # "" is an (empty) word of its own
            pos = s
            for ch in node.children:
                ct = ch.type
                cs, ce = ch.start_byte, ch.end_byte
                if ct == '"' or ct == '$"' or ct == "$":
                    # the closing quote token swallows whitespace before it (`" "`): that is content
                    if pos > s and ce - 1 > pos:
                        self._unescape(text[pos : ce - 1], pos, acc, _LIT, '$`"\\\n')
                    pos = ce
                    continue
                if ct != "string_content":
                    while cs < ce and text[cs] in _IFS:  # whitespace folded into `$`/`$(` tokens
                        cs += 1
                if cs > pos:
                    self._unescape(text[pos:cs], pos, acc, _LIT, '$`"\\\n')
                if ct == "string_content":
                    self._unescape(text[cs:ce], cs, acc, _LIT, '$`"\\\n')
                else:
                    self._pieces(ch, acc, True, False)
                pos = ce
        elif t == "ansi_c_string":
            acc.quoted = True
            add((_LIT, _ansi_c(text[s + 2 : e - 1]), s + 2, False))
        elif t == "concatenation" or t == "command_name":
            pos = s
            for ch in node.children:
                cs = ch.start_byte
                if cs > pos:
                    add((lit, text[pos:cs], pos, True))
                self._pieces(ch, acc, quoted, split_lit)
                pos = ch.end_byte
            if e > pos:
                add((lit, text[pos:e], pos, True))
        elif t == "simple_expansion":
            self._var(text[s + 1 : e], s, e, acc, quoted)
        elif t == "expansion":
            self._expansion(node, s, acc, quoted)
        elif t in ("command_substitution", "process_substitution"):
            acc.subs.extend(self._substitution(node))
            add((_UNK, text[s:e], s, True))
        elif t == "arithmetic_expansion":
            self._generic_subs(node, acc)
            add((_UNK, text[s:e], s, True))
        elif t == "$" and node.next_sibling is not None and node.next_sibling.type == "string":
            return  # $"..." (translated string): the $ is not part of the value
        elif t == "array":
            self._generic_subs(node, acc)
            add((_UNK, text[s:e], s, True))
        else:  # brace expressions, globs, regex, stray tokens: literal as written
            add((lit, text[s:e], s, True))

    def _generic_subs(self, node: _Node, acc: _Acc) -> None:
        before = len(self.ctx.commands)
        self._generic(node)
        acc.subs.extend(self.ctx.commands[before:])

    def _unescape(self, raw: str, off: int, acc: _Acc, kind: int, special: str) -> None:
        """Backslash removal: unquoted (special == '': any char) or in double quotes (special set)."""
        add = acc.pieces.append
        start = 0
        i = raw.find("\\")
        while i != -1:
            if i + 1 >= len(raw):
                break
            nxt = raw[i + 1]
            if special and nxt not in special:
                i = raw.find("\\", i + 2)
                continue
            if i > start:
                add((kind, raw[start:i], off + start, True))
            if nxt != "\n":
                add((_LIT, nxt, off + i + 1, True))
            start = i + 2
            i = raw.find("\\", start)
        if start < len(raw):
            add((kind, raw[start:], off + start, True))

    def _var(self, name: str, s: int, e: int, acc: _Acc, quoted: bool) -> None:
        if not _VAR_NAME.fullmatch(name):
            acc.pieces.append((_LIT if quoted else _SPLIT, self.text[s:e], s, True))  # `$é` is literal
            return
        val = self.scope.get(name)
        if val is not None and _MARK in val:
            if not quoted:
                self._add_marked(val, s, acc)
                return
            val = None
        if val is None:
            acc.unknown.append(name)
            acc.pieces.append((_UNK, self.text[s:e], s, True))
        else:
            acc.pieces.append((_LIT if quoted else _SPLIT, val, s, False))

    def _add_marked(self, val: str, s: int, acc: _Acc) -> None:
        """An unquoted expansion of a partly known list (see _marked): known parts split, unknown
        parts kept as written."""
        for i, seg in enumerate(val.split(_MARK)):
            if not seg:
                continue
            if i % 2:
                acc.pieces.append((_UNK, seg, s, False))
                acc.unknown.extend(re.findall(_VAR_REF, seg))
            else:
                acc.pieces.append((_SPLIT, seg, s, False))

    def _expansion(self, node: _Node, s: int, acc: _Acc, quoted: bool) -> None:
        raw = self.text[s : node.end_byte]
        prefix_op: str | None = None
        name: str | None = None
        op: str | None = None
        op_end = 0
        alt: list[_Node] = []
        for ch in node.children:
            t = ch.type
            if t in ("${", "}"):
                continue
            if name is None and op is None:
                if t in ("variable_name", "special_variable_name"):
                    name = self._txt(ch)
                    continue
                if t == "subscript":
                    name = ""
                    continue
                if not ch.is_named:
                    prefix_op = t
                    continue
            if op is None and not ch.is_named:
                op = t
                op_end = ch.end_byte
                continue
            alt.append(ch)

        def unknown(var: str | None) -> None:
            if var:
                acc.unknown.append(var)
            for ch in alt:  # substitutions inside the operand still run
                self._generic_subs(ch, acc)
            acc.pieces.append((_UNK, raw, s, True))

        if not name or prefix_op == "!" or (prefix_op == "#" and op is not None):
            unknown(name if name and not prefix_op else None)
            return
        val = self.scope.get(name)
        if val is not None and _MARK in val:
            if op is None and prefix_op is None and not quoted:
                self._add_marked(val, s, acc)
                return
            val = None
        kind = _LIT if quoted else _SPLIT
        if prefix_op == "#":
            if val is None:
                unknown(name)
            else:
                acc.pieces.append((kind, str(len(val)), s, False))
            return
        if op is None:
            if val is None:
                unknown(name)
            else:
                acc.pieces.append((kind, val, s, False))
            return
        if val is None:
            unknown(name)
            return
        if op in (":-", "-", ":=", "=", ":+", "+", ":?", "?"):
            colon = op.startswith(":")
            base = op[-1]
            use_alt = (val == "") if colon else False
            if base in "-=?":
                if not use_alt:
                    acc.pieces.append((kind, val, s, False))
                    return
                if base == "?":
                    unknown(name)
                    return
            elif base == "+" and colon and val == "":
                return  # ${X:+alt} with X empty: nothing
            sub = _Acc()
            for ch in alt:
                self._pieces(ch, sub, quoted, True)
            acc.unknown.extend(sub.unknown)
            acc.subs.extend(sub.subs)
            acc.quoted = acc.quoted or sub.quoted
            if base == "=":
                known = not any(p[0] == _UNK for p in sub.pieces)
                self.scope[name] = "".join(p[1] for p in sub.pieces) if known else None
            # the operand's chars map to the expansion's start: its text was rewritten
            acc.pieces.extend((k, txt, s, False) if k != _UNK else (k, txt, o, e) for k, txt, o, e in sub.pieces)
            return
        rest_start = op_end - s
        rest = raw[rest_start:-1] if raw.endswith("}") else raw[rest_start:]
        if any(c in rest for c in "$`\"'\\"):
            unknown(None)
            return
        res = _pattern_op(val, op, rest)
        if res is None:
            unknown(None)
        else:
            acc.pieces.append((kind, res, s, False))

    def _substitution(self, node: _Node) -> list[Command]:
        """Walk $(...), `...`, <(...): a subshell whose commands run before the containing command."""
        start = node.start_byte
        while start < node.end_byte and self.text[start] in _IFS:  # see _pieces: folded spaces
            start += 1
        key = self.src.position(start)
        if key in self.ctx.seen_subst and self.depth > 0:
            return []  # already walked by the shell that wrote this text (sh -c "... $(x)")
        self.ctx.seen_subst.add(key)
        before = len(self.ctx.commands)
        saved = self._save()
        saved_stdin = self.stdin_from
        self.stdin_from = ()
        self.ctx.collectors.append(None)
        try:
            self._stmts(node)
        finally:
            self.ctx.collectors.pop()
            self.stdin_from = saved_stdin
            self._restore(saved)
        return self.ctx.commands[before:]


_MISSING = object()


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


def _strip_tabs(mt: MappedText) -> MappedText:
    """<<- removes leading tabs from every body line; keep each kept char's physical place."""
    b = MappedTextBuilder()
    off = 0
    for line in mt.text.splitlines(keepends=True):
        k = len(line) - len(line.lstrip("\t"))
        rest = line[k:]
        if rest:
            ln, col = mt.position(off + k)
            b.add(rest, ln, col)
        off += len(line)
    built = b.build()
    if not built.text:
        ln, col = mt.position(0)
        return MappedText("", ((0, ln, col),))
    return built


# --------------------------------------------------------------------------------------------
# cmd.exe and PowerShell: simple commands only

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
                words.append(Word(raw, None if unknown else value, src.span(start, i), quoted, tuple(unknown)))
        cur, start, quoted = [], -1, False

    def end_command(i: int) -> None:
        nonlocal words
        end_word(i)
        argv = words
        if argv and pwsh and argv[0].value in ("&", "."):
            argv = argv[1:]  # the call operator
        if argv:
            commands.append(Command(tuple(argv), Span(argv[0].span.line, argv[0].span.column,
                                                      argv[-1].span.end_line, argv[-1].span.end_column)))
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
