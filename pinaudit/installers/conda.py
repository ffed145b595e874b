"""conda, mamba, micromamba and conda-lock: the conda ecosystem (``Ecosystem.CONDA``).

Quirks that decide a verdict (conda's MatchSpec grammar, ``conda.models.match_spec``):

* ``pkg=1.2`` is *fuzzy*: conda reads it as ``1.2.*``, so every 1.2.x release matches (a partial
  pin, PIN702). ``pkg=1.2.3`` is ``1.2.3.*`` alike.
* ``pkg==1.2`` and the space form ``pkg 1.2`` are exact versions, but a version is published as
  several builds (``py311h64a7726_0``, ``py311h64a7726_1``, one per compiler or dependency
  rebuild), so the build still floats (PIN703).
* ``pkg=1.2=build``, ``pkg==1.2=build`` and ``pkg 1.2 build`` fix the version *and* the build: with
  a build given, ``=1.2`` is exact, not fuzzy. A build with a ``*`` (``py311*``) is a pattern.
* ``channel::pkg``, ``channel/subdir::pkg`` pick a channel, not a version;
  ``pkg[version='>=1.2', build=py*]`` is the key-value form (brackets win over the positional text);
  ``[md5=...]``/``[sha256=...]`` name one file exactly.
* ``>=``, ``<``, ``!=``, ``~=``, ``|`` and ``,`` are ranges. An unquoted ``pkg>=1.2`` never
  reaches conda as a range: the shell makes ``>=1.2`` a redirection (the shell layer did that).
* An explicit package URL or file (``https://.../numpy-1.26.4-py311h64a7726_0.conda#<md5>``,
  ``./pkg-1.0-0.tar.bz2``) names version and build; an ``#md5``/``#sha256`` fragment fixes its bytes.
* ``--file FILE`` (and ``-f FILE`` for mamba and micromamba, which read environment files and
  lockfiles that way) installs what FILE lists: the analyzers follow it like ``pip install -r``.
  ``conda env create``/``update`` read ``-f FILE`` (default ``environment.yml``).
* ``conda update``/``upgrade`` take names only and bring them (or ``--all``) to whatever is newest.
* ``conda-lock install [LOCKFILE]`` installs a lockfile (default ``conda-lock.yml``): every package
  is fixed with its hash there.
* ``pixi install`` installs ``pixi.lock`` only with ``--locked`` (fail when it is out of date) or
  ``--frozen`` (install it as it is); without them a missing or stale lock is re-solved and
  rewritten, like ``npm install`` (PIN707). ``pixi add`` and ``pixi global install`` take match
  specs (``--pypi``: requirements).
"""

from __future__ import annotations

import re

from pinaudit.installers._common import (
    Flags,
    SiteBuilder,
    flags,
    name_before_variable,
    parse,
    split_fields,
    subcommand,
    unknown_detail,
)
from pinaudit.installers.programs import commands_of
from pinaudit.model import Action, Ecosystem, InstallSite, Pin
from pinaudit.site_context import CondaSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    from pinaudit.installers.interface import InstallContext
    from pinaudit.parse.shell import Command, Word
else:
    from pinaudit._record import NamedTuple

COMMANDS: frozenset[str] = commands_of("conda")

# conda's install/create/update/env options that take a value, and micromamba's (global ones too)
FLAGS = flags(
    "-n", "--name", "-p", "--prefix", "-c", "--channel", "--file", "--revision", "--repodata-fn",
    "--experimental", "--solver", "--subdir", "--platform", "--clone", "--console", "--deps-modifier",
    "--channel-alias", "--json-output", "--env", "--rc-file", "-r", "--root-prefix", "--log-level",
    "--channel-priority", "--category", "--relocate-prefix", "--lockfile", "--cacert-path",
    "--pinned-package", "--auth", "--auth-file", "--conda", "--mamba-root-prefix",
)
# mamba, micromamba and `conda env` read an environment file, spec file or lockfile with -f; conda
# install/create spell it --file only (its -f was the long-gone --force)
FILE_FLAGS = FLAGS | flags("-f")

_INSTALL = frozenset({"install", "create"})
_UPDATE = frozenset({"update", "upgrade"})
_NAME = re.compile(r"\s*([A-Za-z0-9_*][A-Za-z0-9_.*+-]*)")
_RANGE_CHARS = re.compile(r"[<>!~|,]")
_KEY_VALUE = re.compile(r"""\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'([^']*)'|"([^"]*)"|([^,\]]*))\s*,?""")
_HEX = re.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{64}|sha256:[0-9a-fA-F]{64}")
_PACKAGE_FILE = (".tar.bz2", ".conda")


class Classified(NamedTuple):
    """What one conda match spec as written pins."""

    package: str | None
    pin: Pin
    spec: CondaSpec
    version: str | None = None
    detail: str = ""


def _explicit(s: str, channel: str | None = None) -> Classified:
    """A package file by URL or path: its name says name-version-build; a hash fragment its bytes."""
    url, _, frag = s.partition("#")
    filename = url.rstrip("/").rsplit("/", 1)[-1]
    stem = filename
    for suffix in _PACKAGE_FILE:
        stem = stem.removesuffix(suffix)
    parts = stem.rsplit("-", 2)
    name, version, build = (parts[0], parts[1], parts[2]) if len(parts) == 3 else (stem, None, None)
    spec = CondaSpec(s, name, version, build, channel)
    if "://" not in url or url.startswith("file:"):
        return Classified(name, Pin.LOCAL, spec, detail="a local package file")
    if _HEX.fullmatch(frag):
        return Classified(name, Pin.IMMUTABLE, spec, version)
    if version is None:
        return Classified(name, Pin.UNPINNED, spec, detail="a URL that names no package version")
    return Classified(name, Pin.EXACT, spec, version, "the file name fixes version and build; no #md5 fixes the bytes")


def _brackets(text: str) -> dict[str, str]:
    return {m.group(1).lower(): next(g for g in m.group(2, 3, 4) if g is not None).strip()
            for m in _KEY_VALUE.finditer(text)}


def _version_and_build(rest: str) -> tuple[str | None, str | None, bool]:
    """(version as conda reads it, build, fuzzy?) of the text after the name."""
    rest = rest.strip()
    if not rest:
        return None, None, False
    if rest.startswith("=") and not rest.startswith("=="):
        body = rest[1:].strip()
        version, sep, build = body.partition("=")
        # `=1.2` is `1.2.*`; with a build (`=1.2=py_0`) the version is taken as written
        return version.strip() or None, build.strip() or None, not sep
    if rest.startswith("=="):
        version, _, build = rest[2:].strip().partition("=")
        return version.strip() or None, build.strip() or None, False
    if _RANGE_CHARS.match(rest):
        head, _, build = rest.partition(" ")
        return head, build.strip() or None, False
    words = rest.split()  # the space form: `numpy 1.26.4 py311h64a7726_0`
    return words[0], (words[1] if len(words) > 1 else None), False


def classify(text: str) -> Classified:
    """Judge one conda match spec as conda receives it."""
    s = text.strip()
    channel = None
    if "::" in s:
        channel, _, s = s.rpartition("::")
    if "://" in s or s.startswith(("/", "./", "../", "~", "file:")) or s.split("#", 1)[0].endswith(_PACKAGE_FILE):
        return _explicit(s, channel)
    m = _NAME.match(s)
    if "{{" in s or "{%" in s or "$" in s:
        # a template the file is rendered from (`{{ pkg }}`), or a variable: its value is unknown
        name = m.group(1) if m is not None and s[m.end():m.end() + 1] in ("", "=", "<", ">", "!", "~", " ") else s
        return Classified(name, Pin.UNKNOWN, CondaSpec(text.strip(), None, channel=channel),
                          detail="a template placeholder or variable, filled in before conda reads it")
    if m is None:
        spec = CondaSpec(text.strip(), None, channel=channel)
        return Classified(s, Pin.UNPINNED, spec, detail="not a valid conda package spec")
    name = m.group(1)
    rest = s[m.end():]
    keys: dict[str, str] = {}
    if rest.lstrip().startswith("["):
        close = rest.find("]")
        keys = _brackets(rest[rest.find("[") + 1: close if close != -1 else len(rest)])
        rest = rest[close + 1:] if close != -1 else ""
    version, build, fuzzy = _version_and_build(rest)
    if "version" in keys:
        version, fuzzy = keys["version"].strip("'\"") or None, False
    if "build" in keys:
        build = keys["build"] or None
    channel = keys.get("channel", channel)
    loose_build = build is not None and "*" in build
    spec = CondaSpec(text.strip(), name, version, None if loose_build else build, channel)
    if keys.get("md5") or keys.get("sha256"):
        return Classified(name, Pin.IMMUTABLE, spec, version, "the spec names the file's hash")
    return _judge(name, version, build, fuzzy, spec)


def _judge(name: str, version: str | None, build: str | None, fuzzy: bool, spec: CondaSpec) -> Classified:
    if version is None or version == "*":
        return Classified(name, Pin.UNPINNED, spec)
    v = version.lstrip("=")
    if _RANGE_CHARS.search(version.lstrip("=")) or version.startswith((">", "<", "!", "~")):
        return Classified(name, Pin.UNPINNED, spec, detail=f"{version} is a range")
    if fuzzy or "*" in v:
        series = v.rstrip("*").rstrip(".")
        detail = f"conda reads it as {series}.*: any {series}.x release matches"
        return Classified(name, Pin.PARTIAL, spec, detail=detail)
    if build is None:
        return Classified(name, Pin.EXACT, spec, v, "no build string")
    if "*" in build:
        return Classified(name, Pin.EXACT, spec, v, f"build {build} is a pattern")
    return Classified(name, Pin.EXACT, spec, v)


def spec_site(word: Word, text: str | None, b: SiteBuilder) -> InstallSite:
    """The install site of one match spec on a command line."""
    if text is None:
        return b.site(Action.INSTALL, name_before_variable(word, "=<>~![ "), word.raw, Pin.UNKNOWN, word,
                      detail=unknown_detail(word))
    c = classify(text)
    site = b.site(Action.INSTALL, c.package, text, c.pin, word, version=c.version, detail=c.detail)
    return site._replace(conda=c.spec)


def _file_site(word: Word, b: SiteBuilder) -> InstallSite:
    """``--file FILE`` / ``-f FILE``: the analyzers follow FILE (package None, spec = FILE)."""
    return b.site(Action.REQUIREMENTS, None, word.value if word.value is not None else word.raw, Pin.UNKNOWN, word)


def _install(verb: Word, rest: list[Word], b: SiteBuilder, table_flags: Flags) -> list[InstallSite]:
    args = parse(rest, table_flags)
    if args.has("--clone"):
        return []  # a copy of a local environment: nothing is fetched by name
    out = [_file_site(o.value_word, b) for o in args.get("--file", "-f") if o.value_word is not None]
    if verb.value in _UPDATE:
        if args.has("--all") or not args.positionals:
            out.append(b.site(Action.UPGRADE, None, f"{verb.value} --all" if args.has("--all") else verb.value,
                              Pin.UNPINNED, verb))
        for w in args.positionals:
            out.append(b.site(Action.UPGRADE, w.value or w.raw, w.value or w.raw, Pin.UNPINNED, w,
                              detail="brought to the newest version the channels serve"))
        return out
    out.extend(spec_site(w, w.value, b) for w in [*args.positionals, *args.rest])
    out.sort(key=lambda s: (s.location.span.line, s.location.span.column))
    return out


def _env(verb: Word, rest: list[Word], b: SiteBuilder) -> list[InstallSite]:
    """``conda env create|update [-f FILE]``: FILE (default environment.yml) is installed."""
    _pre, sub, tail = subcommand(rest, FILE_FLAGS)
    if sub is None or sub.value not in ("create", "update"):
        return []
    b.installer = f"{b.installer} {sub.value}"
    args = parse(tail, FILE_FLAGS)
    files = [o.value_word for o in args.get("-f", "--file") if o.value_word is not None]
    if not files:
        # the default file, reported at the subcommand word: `environment.yml` where conda runs
        return [b.site(Action.REQUIREMENTS, None, "environment.yml", Pin.UNKNOWN, sub)]
    return [_file_site(w, b) for w in files]


def _conda_lock(words: list[Word], b: SiteBuilder) -> list[InstallSite]:
    """``conda-lock install [LOCKFILE]``: the lockfile is installed (followed; default conda-lock.yml)."""
    _pre, verb, rest = subcommand(words, FLAGS)
    if verb is None or verb.value != "install":
        return []  # `conda-lock lock`, `conda-lock -f environment.yml`: writes a lock, installs nothing
    args = parse(rest, FLAGS)
    if args.positionals:
        return [_file_site(w, b) for w in args.positionals]
    return [b.site(Action.REQUIREMENTS, None, "conda-lock.yml", Pin.UNKNOWN, verb)]


PIXI_FLAGS = flags(
    "--manifest-path", "-e", "--environment", "--platform", "-p", "-f", "--feature", "-c", "--channel",
    "--concurrent-downloads", "--concurrent-solves", "--tls-root-certs", "--auth-file", "--pypi-keyring-provider",
    "-w", "--workspace", "--color", "--expose", "--git", "--rev", "--tag", "--branch", "--subdir", "--path",
)


def _pixi(words: list[Word], b: SiteBuilder) -> list[InstallSite]:
    """``pixi install`` (lockless unless --locked/--frozen), ``pixi add`` and ``pixi global install``."""
    from pinaudit.installers import pip

    _pre, verb, rest = subcommand(words, PIXI_FLAGS)
    if verb is None or verb.value is None:
        return []
    if verb.value == "global":
        _pre, verb, rest = subcommand(rest, PIXI_FLAGS)
        if verb is None or verb.value != "install":
            return []
        b.global_install = True
    b.installer = f"pixi {'global ' if b.global_install else ''}{verb.value}"
    args = parse(rest, PIXI_FLAGS)
    if verb.value == "install" and not b.global_install:
        if args.has("--locked", "--frozen"):
            return []
        return [b.site(Action.LOCKLESS_INSTALL, None, "install", Pin.UNPINNED, verb)._replace(lockfile="pixi.lock")]
    if verb.value not in ("add", "install"):
        return []
    if args.has("--pypi"):
        out = []
        for w in args.positionals:
            c = pip.classify(w.value) if w.value is not None else None
            site = (b.site(Action.INSTALL, c.package, w.value, c.pin, w, version=c.version, detail=c.detail)
                    if c is not None else spec_site(w, None, b))
            out.append(site._replace(ecosystem=Ecosystem.PIP, requirement=c.parts if c else None))
        return out
    return [spec_site(w, w.value, b) for w in args.positionals]


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    words = split_fields(cmd.argv[1:])
    name = cmd.name
    b = SiteBuilder(Ecosystem.CONDA, name, ctx.path)
    if name == "conda-lock":
        return _conda_lock(words, b)
    if name == "pixi":
        return _pixi(words, b)
    _pre, verb, rest = subcommand(words, FILE_FLAGS)
    if verb is None or verb.value is None:
        return []
    b.installer = f"{name} {verb.value}"
    if verb.value == "env":
        return _env(verb, rest, b)
    if verb.value in _INSTALL or verb.value in _UPDATE:
        return _install(verb, rest, b, FLAGS if name == "conda" else FILE_FLAGS)
    return []
