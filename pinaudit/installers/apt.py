"""apt-get, apt and aptitude.

Quirks that decide a verdict:

* Options may come before or after the verb (``apt-get -yqq --no-install-recommends install x``),
  and ``-o Dpkg::Options::=--force-confold`` carries an ``=`` that is not a version: the verb is
  found by position after the option table, never by searching for the word ``install``.
* ``pkg=1.2*`` is a glob apt expands against the archive: a partial pin (PIN107), not an exact one.
  ``pkg=1:2.39.2-1.1`` carries an epoch and is exact.
* ``-t bookworm-backports`` and ``pkg/bookworm-backports`` choose which suite a package comes from,
  not which version: within the suite it still floats.
* A path to a ``.deb`` is installed from the build context, not the index.
* A trailing ``-`` (``apt-get install foo-``) asks apt to remove ``foo``.
* ``install --only-upgrade pkg=ver`` is still an install of an exact version, not an upgrade.
"""

from __future__ import annotations

from pinaudit.installers._common import (
    SiteBuilder,
    flags,
    parse,
    split_fields,
    subcommand,
    unquoted_raw,
    variable_site,
)
from pinaudit.installers.programs import commands_of
from pinaudit.model import Action, Ecosystem, InstallSite, Pin

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.installers.interface import InstallContext
    from pinaudit.parse.shell import Command, Word

COMMANDS: frozenset[str] = commands_of("apt")

FLAGS = flags(
    "-o", "--option", "-t", "--target-release", "--default-release", "-c", "--config-file",
    "-a", "--host-architecture", "-P", "--build-profiles", "--solver", "--planner",
    # aptitude
    "-F", "--display-format", "-w", "--width", "-O", "--sort", "--add-user-tag", "--remove-user-tag",
    "--add-user-tag-to", "--remove-user-tag-from",
)

INSTALL = frozenset({"install", "reinstall"})
UPGRADE = frozenset({"upgrade", "dist-upgrade", "full-upgrade", "safe-upgrade"})


def _is_local(v: str) -> bool:
    return v.endswith(".deb") or v.startswith(("./", "../", "/", "~/"))


def _judge(word: Word, suite: str | None, b: SiteBuilder) -> InstallSite | None:
    v = word.value
    if v is None:
        raw = unquoted_raw(word)
        if _is_local(raw):  # `./$FILE`, `/tmp/${PKG}.deb`: a file, whatever the variable holds
            return b.site(Action.INSTALL, raw, raw, Pin.LOCAL, word)
        return variable_site(b, Action.INSTALL, word, "=/")
    if not v or (v.endswith("-") and "=" not in v):
        return None  # `foo-` removes foo
    if _is_local(v):
        return b.site(Action.INSTALL, v, v, Pin.LOCAL, word)
    name, eq, version = v.partition("=")
    if eq:
        if not version:
            return b.site(Action.INSTALL, name, v, Pin.UNPINNED, word, detail="the version is empty")
        if version.strip("*?") == "":
            return b.site(Action.INSTALL, name, v, Pin.UNPINNED, word, detail=f"={version} matches every version")
        if any(c in version for c in "*?["):
            return b.site(Action.INSTALL, name, v, Pin.PARTIAL, word,
                          detail=f"{version} is a pattern that matches whichever version the archive has")
        return b.site(Action.INSTALL, name, v, Pin.EXACT, word, version=version)
    name, slash, release = v.partition("/")
    if slash:
        return b.site(Action.INSTALL, name, v, Pin.UNPINNED, word,
                      detail=f"/{release} selects a suite, not a version")
    if suite:
        return b.site(Action.INSTALL, v, v, Pin.UNPINNED, word,
                      detail=f"-t {suite} selects a suite, not a version")
    if any(c in v for c in "*?["):
        return b.site(Action.INSTALL, v, v, Pin.UNPINNED, word, detail="a name pattern without a version")
    return b.site(Action.INSTALL, v, v, Pin.UNPINNED, word)


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    pre, verb, rest = subcommand(split_fields(cmd.argv[1:]), FLAGS)
    if verb is None or verb.value is None:
        return []
    b = SiteBuilder(Ecosystem.APT, cmd.name, ctx.path)
    if verb.value in UPGRADE:
        return [b.site(Action.UPGRADE, None, verb.value, Pin.UNPINNED, verb)]
    if verb.value not in INSTALL:
        return []
    args = parse(rest, FLAGS)
    opt = args.last("-t", "--target-release", "--default-release") or pre.last(
        "-t", "--target-release", "--default-release")
    suite = opt.value if opt else None
    out = []
    for w in args.positionals:
        s = _judge(w, suite, b)
        if s is not None:
            # the suite apt takes it from: `pkg/suite` for this package, else -t for the whole command
            _name, slash, release = (w.value or "").partition("/")
            target = release if slash and "=" not in _name and not _is_local(w.value or "") else suite
            out.append(s._replace(apt_target=target or None))
    return out
