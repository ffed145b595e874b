"""yum, dnf, dnf5, microdnf, tdnf and zypper: the RPM family (one ecosystem, ``Ecosystem.YUM``).

Quirks that decide a verdict:

* RPM has no ``=`` in its command-line syntax: a version is appended with a dash,
  ``httpd-2.4.57`` or ``git-core-2.39.3-1.el9`` (name-[epoch:]version[-release]). Names contain
  dashes and digits too (``java-17-openjdk-headless``, ``gcc-c++``), so a dash starts the version
  only when everything after it is a version (starting with a digit) and at most one release
  (also starting with a digit).
* zypper does take ``name=1.2``, ``name>=1.2`` (often written ``name\\>=1.2`` so the shell leaves it).
* ``dnf module install nodejs:18`` picks a stream: versions move within it (a partial pin);
  ``name:stream:version`` is exact.
* Groups and patterns (``group install``, ``@Development Tools``, ``zypper in -t pattern``) cannot
  be version-pinned at all; flagging them would give an unfixable finding, so they are left out.
* zypper and dnf give letters different meanings before and after the verb (zypper ``-D`` is a
  repos dir globally and ``--dry-run`` after ``install``), hence two tables each.
* ``yum update`` with no package upgrades the system (an upgrade); ``yum update foo`` brings foo to
  whatever is newest, which is the same hole as installing it without a version.
"""

from __future__ import annotations

import re

from pinaudit.installers._common import (
    Flags,
    SiteBuilder,
    flags,
    parse,
    split_fields,
    subcommand,
    variable_site,
)
from pinaudit.installers.programs import commands_of
from pinaudit.model import Action, Ecosystem, InstallSite, Pin
from pinaudit.parse.spec_range import nevra_dash

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.installers.interface import InstallContext
    from pinaudit.parse.shell import Command, Word

COMMANDS: frozenset[str] = commands_of("yum")

DNF_FLAGS = flags(
    "--setopt", "--enablerepo", "--disablerepo", "--repo", "--repoid", "--releasever", "--installroot",
    "-c", "--config", "-d", "--debuglevel", "-e", "--errorlevel", "-x", "--exclude", "--forcearch",
    "--rpmverbosity", "--color", "--downloaddir", "--destdir", "--repofrompath", "--disableplugin",
    "--enableplugin", "--comment", "--advisory", "--advisories", "--cve", "--bz", "--bzs",
    "--sec-severity", "--secseverity", "--nobest-for", "--from-repo", "--use-host-config",
    "--installonly-limit", "--platform-id", "--exclude-from", "--exclude-repo", "--skip-unavailable-for",
)
ZYPPER_GLOBAL = flags(
    "-c", "--config", "-R", "--root", "-D", "--reposd-dir", "-C", "--cache-dir", "--raw-cache-dir",
    "--solv-cache-dir", "--pkg-cache-dir", "-p", "--plus-repo", "--plus-content", "--releasever",
    "--userdata",
)
ZYPPER_CMD = flags("-r", "--repo", "--from", "-t", "--type", "--download")

INSTALL = frozenset({"install", "in", "localinstall", "reinstall", "install-n", "install-na",
                     "install-nevra"})
UPGRADE = frozenset({"update", "upgrade", "up", "upgrade-minimal", "update-minimal", "distro-sync",
                     "distrosync", "dsync", "dist-upgrade", "dup", "update-to", "upgrade-to", "patch"})
GROUP = frozenset({"groupinstall", "group", "groups", "groupupdate", "pattern"})

_OP = re.compile(r"\s*(==|>=|<=|=|<|>)\s*")


def split_nevra(v: str) -> tuple[str, str] | None:
    """``git-core-2.39.3-1.el9`` -> (``git-core``, ``2.39.3-1.el9``); None when no dash starts a version
    (:func:`pinaudit.parse.spec_range.nevra_dash`: ``devtoolset-9`` is a name)."""
    i = nevra_dash(v)
    return (v[:i], v[i + 1:]) if i is not None else None


def _judge(word: Word, b: SiteBuilder) -> InstallSite | None:
    v = word.value
    if v is None:
        return variable_site(b, Action.INSTALL, word, "-=<>")
    if v.startswith("@"):
        if ":" in v:
            return _module(word, v[1:], b)
        return None  # a group/environment: not version-pinnable
    if v.endswith(".rpm"):
        detail = "a remote .rpm: nothing checks its bytes" if "://" in v else ""
        return b.site(Action.INSTALL, v, v, Pin.LOCAL, word, detail=detail)
    if v.startswith("/"):
        return b.site(Action.INSTALL, v, v, Pin.UNPINNED, word,
                      detail="a file path names whichever package provides it")
    m = _OP.search(v)
    if m:
        name, op, version = v[: m.start()], m.group(1), v[m.end():]
        if op in ("=", "==") and version and "*" not in version:
            return b.site(Action.INSTALL, name, v, Pin.EXACT, word, version=version)
        return b.site(Action.INSTALL, name, v, Pin.UNPINNED, word, detail=f"{op}{version} is a range")
    nevra = split_nevra(v)
    if nevra:
        name, version = nevra
        if "*" in version:
            return b.site(Action.INSTALL, name, v, Pin.PARTIAL, word,
                          detail=f"{version} is a pattern that matches whichever build the repository has")
        return b.site(Action.INSTALL, name, v, Pin.EXACT, word, version=version)
    if "*" in v:
        return b.site(Action.INSTALL, v, v, Pin.UNPINNED, word, detail="a name pattern without a version")
    return b.site(Action.INSTALL, v, v, Pin.UNPINNED, word)


def _module(word: Word, v: str, b: SiteBuilder) -> InstallSite:
    spec = v.split("/", 1)[0]  # drop the profile
    parts = spec.split(":")
    name = parts[0]
    if len(parts) >= 3 and parts[2]:
        return b.site(Action.INSTALL, name, v, Pin.EXACT, word, version=":".join(parts[1:]))
    if len(parts) == 2 and parts[1]:
        return b.site(Action.INSTALL, name, v, Pin.PARTIAL, word,
                      detail=f"module stream {parts[1]} moves to newer versions within the stream")
    return b.site(Action.INSTALL, name, v, Pin.UNPINNED, word, detail="the module's default stream")


def _sites_after_verb(verb: Word, words: list[Word], table: Flags, b: SiteBuilder,
                      *, zypper: bool) -> list[InstallSite]:
    v = verb.value or ""
    args = parse(words, table)
    kind = args.last("-t", "--type") if zypper else None
    if v in GROUP or (kind is not None and kind.value != "package"):
        return []  # groups, patterns, products: nothing to pin
    if v == "module":
        if not args.positionals or args.positionals[0].value != "install":
            return []
        out: list[InstallSite] = []
        for w in args.positionals[1:]:
            s = _module(w, w.value, b) if w.value is not None else _judge(w, b)
            if s is not None:
                out.append(s)
        return out
    if v in UPGRADE:
        if not args.positionals:
            return [b.site(Action.UPGRADE, None, v, Pin.UNPINNED, verb)]
    elif v not in INSTALL:
        return []
    return [s for w in args.positionals if (s := _judge(w, b)) is not None]


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    zypper = cmd.name == "zypper"
    global_table = ZYPPER_GLOBAL if zypper else DNF_FLAGS
    cmd_table = ZYPPER_CMD if zypper else DNF_FLAGS
    _pre, verb, rest = subcommand(split_fields(cmd.argv[1:]), global_table)
    if verb is None or verb.value is None:
        return []
    b = SiteBuilder(Ecosystem.YUM, cmd.name, ctx.path)
    return _sites_after_verb(verb, rest, cmd_table, b, zypper=zypper)
