"""apk (Alpine).

Quirks that decide a verdict:

* ``--virtual NAME`` / ``-t NAME`` names a meta-package that groups the others so ``apk del NAME``
  removes them later; NAME is not fetched from anywhere.
* ``pkg=1.2.3-r0`` is exact. ``pkg~1.2`` and ``pkg=~1.2`` are apk's fuzzy match (any version
  starting 1.2): a partial pin. ``pkg>=1``/``<``/``>`` are ranges.
* ``pkg@edge`` selects a tagged repository, not a version.
* Alpine keeps only the newest revision of a package in each branch, so even exact pins break;
  that is a reason to prefer a dated base image, not to stop pinning.
* ``apk add --upgrade x`` is an install of x (upgrade it if present), not a system upgrade.
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

COMMANDS: frozenset[str] = commands_of("apk")

FLAGS = flags(
    "-X", "--repository", "--repositories-file", "-p", "--root", "--arch", "--cache-dir",
    "--keys-dir", "--timeout", "--wait", "--progress-fd", "--cache-max-age", "--cache-predownload",
    "-t", "--virtual", "--force-binary-stdout",
)

_OP = re.compile(r"(=~|~=|>=|<=|=|~|>|<)")


def _judge(word: Word, b: SiteBuilder) -> InstallSite:
    v = word.value
    if v is None:
        return variable_site(b, Action.INSTALL, word, "=~<>")
    if v.endswith(".apk") or v.startswith(("./", "../", "/")):
        return b.site(Action.INSTALL, v, v, Pin.LOCAL, word)
    spec, _, tag = v.partition("@")
    m = _OP.search(spec)
    if not m:
        detail = f"@{tag} selects a repository, not a version" if tag else ""
        return b.site(Action.INSTALL, spec, v, Pin.UNPINNED, word, detail=detail)
    name, op, version = spec[: m.start()], m.group(1), spec[m.end():]
    if op == "=" and version and "*" not in version:
        return b.site(Action.INSTALL, name, v, Pin.EXACT, word, version=version)
    if op in ("~", "=~", "~=") or "*" in version:
        return b.site(Action.INSTALL, name, v, Pin.PARTIAL, word,
                      detail=f"{op}{version} matches any version starting {version}")
    return b.site(Action.INSTALL, name, v, Pin.UNPINNED, word, detail=f"{op}{version} is a range")


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    _pre, verb, rest = subcommand(split_fields(cmd.argv[1:]), FLAGS)
    if verb is None or verb.value is None:
        return []
    b = SiteBuilder(Ecosystem.APK, "apk", ctx.path)
    args = parse(rest, FLAGS)
    if verb.value in ("upgrade", "fix"):
        if not args.positionals:
            return [b.site(Action.UPGRADE, None, verb.value, Pin.UNPINNED, verb)]
        return [_judge(w, b) for w in args.positionals]
    if verb.value == "add":
        return [_judge(w, b) for w in args.positionals]
    return []
