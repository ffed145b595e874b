"""go install / go get / go run with a module query.

Quirks that decide a verdict:

* ``pkg@v1.2.3`` (and pseudo-versions ``v0.0.0-20240101120000-abcdef123456``) are exact; thanks to
  the checksum database and minimal version selection, so are the dependencies they pull in.
* ``@latest``, ``@upgrade``, ``@patch``, a branch (``@master``), a partial version (``@v1`` or
  ``@v1.2``, which are queries for the newest match) and ``@>=v1.2`` all float.
* A commit id (``@abcdef123456``) is resolved to a pseudo-version: exact.
* Without ``@`` the version comes from the surrounding go.mod when there is one, otherwise from the
  default branch (GOPATH mode): unpinned, like any install without a version (PIN501).
* Go options have one dash and a whole word (``-ldflags X``); local packages (``./cmd/x``, ``.``)
  build source from the context. ``go get pkg@none`` removes a requirement; ``go get -u``
  upgrades the dependencies of what it names.
"""

from __future__ import annotations

import re

from pinaudit.installers._common import (
    SiteBuilder,
    flags,
    parse,
    split_fields,
    subcommand,
    variable_site,
)
from pinaudit.installers.programs import commands_of
from pinaudit.model import Action, Ecosystem, InstallSite, Pin

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.installers.interface import InstallContext
    from pinaudit.parse.shell import Command, Word

COMMANDS: frozenset[str] = commands_of("go")

FLAGS = flags(
    "-C", "-p", "-mod", "-modfile", "-tags", "-ldflags", "-gcflags", "-asmflags", "-gccgoflags", "-pkgdir",
    "-toolexec", "-overlay", "-pgo", "-buildmode", "-compiler", "-installsuffix", "-exec", "-coverpkg",
    "-covermode", "-o", "-debug-actiongraph", "-debug-runtime-trace", "-debug-trace",
    single_dash_long=True,
)
_SEMVER = re.compile(r"v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?")
_COMMIT = re.compile(r"[0-9a-f]{12,40}")
_MOVING = frozenset({"latest", "upgrade", "patch", "master", "main", "HEAD"})


def _judge(word: Word, b: SiteBuilder, upgrades_deps: bool) -> InstallSite | None:
    v = word.value
    if v is None:
        return variable_site(b, Action.INSTALL, word, "@")
    # local code and Go's meta-packages: `tool` (Go 1.24) is the tools go.mod lists, fixed by go.sum
    if v.startswith((".", "/")) or v in ("all", "std", "cmd", "tool") or v.endswith(".go"):
        return b.site(Action.INSTALL, v, v, Pin.LOCAL, word)
    pkg, at, query = v.partition("@")
    if at and query == "none":
        return None
    extra = "; -u upgrades its dependencies to their newest versions" if upgrades_deps else ""
    if not at:
        return b.site(Action.INSTALL, pkg, v, Pin.UNPINNED, word,
                      detail="no @version: go.mod or the default branch decides" + extra)
    if (_SEMVER.fullmatch(query) or _COMMIT.fullmatch(query)) and not upgrades_deps:
        return b.site(Action.INSTALL, pkg, v, Pin.EXACT, word, version=query)
    if _SEMVER.fullmatch(query) or _COMMIT.fullmatch(query):
        return b.site(Action.INSTALL, pkg, v, Pin.UNPINNED, word, detail=extra.lstrip("; "))
    why = "moves" if query in _MOVING else "is a query, not a version"
    return b.site(Action.INSTALL, pkg, v, Pin.UNPINNED, word, detail=f"@{query} {why}{extra}")


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    _pre, verb, rest = subcommand(split_fields(cmd.argv[1:]), FLAGS)
    if verb is None or verb.value not in ("install", "get", "run"):
        return []
    b = SiteBuilder(Ecosystem.GO, "go", ctx.path)
    # `go run pkg@v ARGS`: only the first word is a package, and only a remote one is fetched
    args = parse(rest, FLAGS, stop_at_positional=verb.value == "run")
    targets = list(args.positionals)
    if verb.value == "run":
        targets = [w for w in targets if w.value is None or "@" in w.value]
    upgrades = verb.value == "get" and args.has("-u")
    if verb.value == "get" and not targets and upgrades:
        return [b.site(Action.UPGRADE, None, "get -u", Pin.UNPINNED, verb)]
    return [s for w in targets if (s := _judge(w, b, upgrades)) is not None]
