"""Wrappers that run another command (sudo, env, xargs, exec, nohup, ...) and shells' own argv.

Stripping them makes ``argv[0]`` the real program, so ``sudo -u app pip install x`` is judged as
the pip install it is; ``VAR=x`` given through ``env`` or ``sudo`` is kept for the command.
"""

from __future__ import annotations

from pinaudit.parse.shell.values import Word

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from pinaudit.parse.shell.values import Command

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


def _strip_wrappers(argv: list[Word]) -> tuple[list[Word], list[tuple[str, str | None]], list[str]]:
    """argv with its wrappers stripped, the VAR=x they set, and their names (for ``Command.via``)."""
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


def _su_script(argv: tuple[Word, ...]) -> tuple[Word, int] | None:
    """The word holding ``su``'s (or ``runuser``'s) ``-c`` script and where the script starts in it."""
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


def _xargs_argv(
    original: list[Word],
    argv: list[Word],
    redirects: list[tuple[str, Word]],
    stdin_from: tuple[Command, ...],
) -> list[Word]:
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
    if source is None and stdin_from and all(c.name in ("echo", "printf") for c in stdin_from):
        items = []
        for c in stdin_from:
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
        feeders = ", ".join(c.name or "?" for c in stdin_from)
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
