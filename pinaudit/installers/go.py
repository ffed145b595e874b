"""go install / go get / go run with a module query.

Quirks that decide a verdict:

* ``pkg@v1.2.3`` (and pseudo-versions ``v0.0.0-20240101120000-abcdef123456``) are exact; thanks to
  the checksum database and minimal version selection, so are the dependencies they pull in.
* ``@latest``, ``@upgrade``, ``@patch``, a branch (``@master``), a partial version (``@v1`` or
  ``@v1.2``, which are queries for the newest match) and ``@>=v1.2`` all float.
* A commit id (``@abcdef123456``) is resolved to a pseudo-version: exact.
* Without ``@`` the version comes from the surrounding go.mod when there is one, otherwise from the
  default branch (GOPATH mode): unpinned, like any install without a version (PIN501).
* A version is only as good as the check of its bytes against the checksum database. ``-insecure``
  (``go get`` before Go 1.17, or in ``GOFLAGS``) fetches over plain HTTP *and* skips that check:
  any bytes can come back for ``@v1.2.3``, so the site is unpinned and says why. ``GOINSECURE``
  alone only allows plain HTTP for the modules it matches; the checksum database still checks
  them (Go's own documentation), unless ``GONOSUMDB``/``GOPRIVATE`` also match or ``GOSUMDB=off``:
  then it voids the version too.
* Go options have one dash and a whole word (``-ldflags X``); local packages (``./cmd/x``, ``.``)
  build source from the context. ``go get pkg@none`` removes a requirement; ``go get -u``
  upgrades the dependencies of what it names.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping

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


def _insecure(module: str, cmd_flags: bool, env: Mapping[str, str | None]) -> str | None:
    """Why the bytes of ``module`` reach the build unchecked (None when they are checked)."""
    goflags = (env.get("GOFLAGS") or "").split()
    if cmd_flags or any(f.lstrip("-").split("=", 1) in (["insecure"], ["insecure", "true"]) for f in goflags):
        where = "-insecure" if cmd_flags else "GOFLAGS=-insecure"
        return f"{where} fetches it over plain HTTP without the checksum database"
    insecure = _matches(module, env.get("GOINSECURE"))
    unchecked = (env.get("GOSUMDB") or "").strip() == "off" or _matches(module, env.get("GONOSUMDB")) \
        or _matches(module, env.get("GOPRIVATE"))
    if insecure and unchecked:
        return f"GOINSECURE={insecure} fetches it over plain HTTP, and the checksum database does not check it"
    return None


def _matches(module: str, patterns: str | None) -> str | None:
    """The first of Go's comma-separated module prefix globs (GOINSECURE, GONOSUMDB...) that
    matches a leading run of ``module``'s path elements."""
    parts = module.split("/")
    for pattern in (patterns or "").split(","):
        pattern = pattern.strip()
        n = pattern.count("/") + 1
        if pattern and len(parts) >= n and fnmatch.fnmatchcase("/".join(parts[:n]), pattern):
            return pattern
    return None


def _judge(word: Word, b: SiteBuilder, upgrades_deps: bool, insecure: Callable[[str], str | None]
           ) -> InstallSite | None:
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
        why = insecure(pkg)
        if why is not None:
            return b.site(Action.INSTALL, pkg, v, Pin.UNPINNED, word,
                          detail=f"{why}: @{query} names a version but guarantees nothing about what is fetched")
        return b.site(Action.INSTALL, pkg, v, Pin.EXACT, word, version=query)
    if _SEMVER.fullmatch(query) or _COMMIT.fullmatch(query):
        return b.site(Action.INSTALL, pkg, v, Pin.UNPINNED, word, detail=extra.lstrip("; "))
    why = "moves" if query in _MOVING else "is a branch or a query, not a version"
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
    env = ctx.command_env(cmd)
    flagged = args.has("-insecure") or _pre.has("-insecure")
    return [s for w in targets if (s := _judge(w, b, upgrades, lambda m: _insecure(m, flagged, env))) is not None]
