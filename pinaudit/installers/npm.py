"""npm, npx, yarn, pnpm, bun and corepack: the npm registry family (one ecosystem, ``Ecosystem.NPM``).

Quirks that decide a verdict:

* The verb is found by position after npm's options (``npm --prefix /app install x``): ``npm run ci``
  runs a script named ci, ``npm run install`` a script named install. Unknown verbs are scripts
  (yarn and bun run ``yarn build`` as ``yarn run build``), never installs.
* npm accepts many spellings of install (``i``, ``add``, ``isntall``...); ``ci``/``clean-install``
  install exactly the lock file and are what a build should use.
* ``npm install`` with no package reads package.json and *updates* the lock file when they disagree;
  so do ``yarn``/``yarn install`` without ``--frozen-lockfile``/``--immutable`` and ``pnpm install``
  without ``--frozen-lockfile``. pnpm freezes by default when it believes it runs in CI (ci-info:
  ``CI`` set and not "false"): every GitHub Actions step (the runner sets ``CI=true``), a stage
  with ``ENV CI=1`` or ``ARG CI=true``, ``CI=1 pnpm install``; ``--no-frozen-lockfile`` unfreezes it
  again. A plain ``docker build`` sets no ``CI``. (yarn berry freezes in CI too, but yarn 1 does
  not, and a command line cannot tell which yarn it runs.)
* A package spec is ``name@version``; a scoped name starts with ``@`` (``@scope/x@1.2.3``), so
  the version separator is the *second* ``@``. Only a full semver version is exact: ``^1``,
  ``1.x``, ``>=1 <2`` are ranges and ``latest``/``next`` are dist-tags that move.
* ``--save-exact`` changes what package.json records, not what this install fetches.
* git and URL specs follow the one policy for references (:mod:`pinaudit.vcs_refs`): the ``@`` in
  ``git+ssh://git@host`` is the user part; the ref follows ``#``, and ``#semver:^5`` is a range
  over tags. ``user/repo#ref`` is GitHub shorthand.
* ``npx pkg args``, ``npm exec``, ``pnpm dlx``, ``yarn dlx``, ``bunx`` download and run a package:
  the first positional is the package, everything after it belongs to that program.
* corepack fetches the package manager itself: ``pnpm@8.6.0`` is exact, and a
  ``+sha512.<hex>`` suffix fixes its bytes.
"""

from __future__ import annotations

import re

from pinaudit.installers._common import (
    Args,
    SiteBuilder,
    flags,
    parse,
    split_fields,
    subcommand,
    variable_site,
)
from pinaudit.installers.interface import in_ci
from pinaudit.installers.programs import commands_of
from pinaudit.model import Action, Ecosystem, InstallSite, Pin
from pinaudit.vcs_refs import reference

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    from pinaudit.installers.interface import InstallContext
    from pinaudit.parse.shell import Command, Word
else:
    from pinaudit._record import NamedTuple

COMMANDS: frozenset[str] = commands_of("npm")

FLAGS = flags(
    # npm
    "--registry", "--prefix", "-C", "--cache", "--loglevel", "--omit", "--include", "--only", "--tag", "-w",
    "--workspace", "--userconfig", "--globalconfig", "--install-strategy", "--before", "--otp", "--scope",
    "--auth-type", "--fetch-retries", "--fetch-retry-mintimeout", "--fetch-retry-maxtimeout",
    "--fetch-timeout", "--save-prefix", "--cpu", "--os", "--libc", "--location", "-p", "--package", "-c",
    "--call", "--node-options", "--script-shell", "--shell", "--proxy", "--https-proxy", "--noproxy",
    "--cafile", "--ca", "--cert", "--key", "--maxsockets", "--lockfile-version", "--access", "--depth",
    "--preid", "--editor", "--browser", "--viewer", "--useragent", "--logs-dir", "--logs-max",
    # yarn
    "--cwd", "--modules-folder", "--cache-folder", "--network-timeout", "--mutex", "--global-folder",
    "--link-folder", "--network-concurrency", "--mode", "--use-yarnrc",
    # pnpm
    "--dir", "--filter", "-F", "--store-dir", "--reporter", "--virtual-store-dir", "--modules-dir",
    "--lockfile-dir", "--node-linker", "--package-import-method", "--child-concurrency",
    "--resolution-mode", "--allow-build", "--workspace-dir", "--config-dir",
    # bun
    "--cwd", "--backend", "--cache-dir", "--concurrent-scripts", "--trust",
)

NPM_INSTALL = frozenset({"install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta",
                         "isntal", "isntall", "add", "install-test", "it"})
NPM_CI = frozenset({"ci", "clean-install", "install-clean", "ic", "isntall-clean"})
NPM_UPDATE = frozenset({"update", "up", "upgrade", "udpate"})
NPM_EXEC = frozenset({"exec", "x"})

_EXACT = re.compile(r"=?v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?")
_TAG = re.compile(r"[A-Za-z][\w.-]*")
_TARBALL = (".tgz", ".tar.gz", ".tar")


class Classified(NamedTuple):
    package: str | None
    pin: Pin
    version: str | None = None
    detail: str = ""


def _reference(spec: str, package: str | None = None) -> Classified | None:
    """A git or URL reference, judged by the one policy for references (:mod:`pinaudit.vcs_refs`)
    and named by ``package`` when written (``widget@github:acme/widget``), else by the spec as
    written: the shared conformance cases name ``npm install github:acme/widget`` that way, so
    the repository name :func:`~pinaudit.vcs_refs.reference` gives is not used here (yet)."""
    ref = reference(spec, "npm", name=package)
    if ref is None:
        return None
    return Classified(package or spec, ref.pin, ref.version, ref.detail)


def _range(name: str, rng: str) -> Classified:
    if rng.startswith("npm:"):  # alias@npm:real@1.2.3
        real = classify(rng[4:])
        return Classified(real.package, real.pin, real.version, f"installed under the alias {name}")
    found = _reference(rng, name)
    if found is not None:
        return found
    if rng.startswith("file:"):
        return Classified(name, Pin.LOCAL)
    if not rng or rng == "*":
        return Classified(name, Pin.UNPINNED)
    m = _EXACT.fullmatch(rng.strip())
    if m:
        return Classified(name, Pin.EXACT, rng.strip().lstrip("=v"))
    if _TAG.fullmatch(rng):
        return Classified(name, Pin.UNPINNED, detail=f"'{rng}' is a dist-tag, which moves")
    return Classified(name, Pin.UNPINNED, detail=f"{rng} is a range")


def classify(spec: str) -> Classified:
    """Judge one npm package spec as written on a command line."""
    s = spec.strip()
    if s in (".", "..") or s.startswith(("file:", "./", "../", "/", "~/")):
        return Classified(s, Pin.LOCAL)
    found = _reference(s)
    if found is not None:
        return found
    if s.endswith(_TARBALL):
        return Classified(s, Pin.LOCAL)
    at = s.find("@", 1) if s.startswith("@") else s.find("@")
    name, rng = (s[:at], s[at + 1:]) if at > 0 else (s, "")
    if "/" in name and not name.startswith("@"):
        return Classified(s, Pin.UNPINNED, detail="neither a package name nor a repository npm can read")
    return _range(name, rng)


def _site(word: Word, b: SiteBuilder, action: Action = Action.INSTALL) -> InstallSite:
    v = word.value
    if v is None:
        return variable_site(b, action, word, "@")
    c = classify(v)
    return b.site(action, c.package, v, c.pin, word, version=c.version, detail=c.detail)


def _is_global(args: Args) -> bool:
    loc = args.last("--location")
    return args.has("-g", "--global") or (loc is not None and loc.value == "global")


def _lockless(word: Word, b: SiteBuilder, note: str = "") -> InstallSite:
    """An install that resolves package.json and may rewrite the lock file; ``note`` is what PIN302
    adds to its own wording."""
    return b.site(Action.LOCKLESS_INSTALL, None, word.value, Pin.UNPINNED, word, detail=note)


def _frozen(args: Args, *names: str) -> bool:
    return any(o.value is None or o.value.lower() not in ("false", "0", "no") for o in args.get(*names))


def _exec_like(words: list[Word], b: SiteBuilder, *, package_flags: tuple[str, ...]) -> list[InstallSite]:
    """npx / npm exec / pnpm dlx / yarn dlx / bunx: -p/--package names packages, else the first word."""
    args = parse(words, FLAGS, stop_at_positional=True)
    if args.has("--no-install", "--offline"):
        return []
    named = [o.value_word for o in args.get(*package_flags) if o.value_word is not None]
    if named:
        return [_site(w, b) for w in named]
    first = [*args.positionals, *args.rest][:1]  # `npm exec -- pkg args`
    return [_site(w, b) for w in first]


def _npm(cmd: Command, words: list[Word], b: SiteBuilder) -> list[InstallSite]:
    pre, verb, rest = subcommand(words, FLAGS)
    if verb is None or verb.value is None:
        return []
    v = verb.value
    if v in NPM_EXEC:
        return _exec_like(rest, b, package_flags=("-p", "--package"))
    args = parse(rest, FLAGS)
    b.global_install = _is_global(args) or _is_global(pre)
    pkgs = [*args.positionals, *args.rest]
    if v in NPM_INSTALL:
        if not pkgs:
            return [] if b.global_install else [_lockless(verb, b)]
        return [_site(w, b) for w in pkgs]
    if v in NPM_UPDATE:
        if not pkgs:
            return [b.site(Action.UPGRADE, None, v, Pin.UNPINNED, verb)]
        return [_site(w, b) for w in pkgs]
    if v in NPM_CI and not b.global_install:
        # pinned by its lockfile: a site (simulate and lock show it) that no rule flags
        return [b.site(Action.LOCKFILE_INSTALL, None, v, Pin.IMMUTABLE, verb,
                       detail="npm ci installs exactly the lockfile")]
    return []


def _yarn(cmd: Command, words: list[Word], b: SiteBuilder) -> list[InstallSite]:
    pre, verb, rest = subcommand(words, FLAGS)
    if verb is None:
        # bare `yarn` installs, but `yarn -v` / `yarn --help` only print
        if _frozen(pre, "--frozen-lockfile", "--immutable", "-v", "--version", "-h", "--help"):
            return []
        return [_lockless(cmd.argv[0], b)]
    v = verb.value
    if v == "global":
        _pre2, verb2, rest = subcommand(rest, FLAGS)
        if verb2 is None or verb2.value != "add":
            return []
        b.global_install = True
        v = "add"
    if v == "dlx":
        return _exec_like(rest, b, package_flags=("-p", "--package"))
    args = parse(rest, FLAGS)
    pkgs = [*args.positionals, *args.rest]
    if v == "install":
        if _frozen(args, "--frozen-lockfile", "--immutable") or _frozen(pre, "--frozen-lockfile", "--immutable"):
            return []
        return [_lockless(verb, b)]
    if v == "add":
        return [_site(w, b) for w in pkgs]
    if v in ("upgrade", "up"):
        if not pkgs:
            return [b.site(Action.UPGRADE, None, v, Pin.UNPINNED, verb)]
        return [_site(w, b) for w in pkgs]
    return []


def _pnpm_or_bun(cmd: Command, words: list[Word], b: SiteBuilder, ctx: InstallContext) -> list[InstallSite]:
    tool = cmd.name
    pre, verb, rest = subcommand(words, FLAGS)
    if verb is None:
        return []  # bare pnpm / bun print their help
    v = verb.value
    if v == "dlx" or (tool == "bun" and v == "x"):
        return _exec_like(rest, b, package_flags=("--package", "-p"))
    args = parse(rest, FLAGS)
    b.global_install = _is_global(args) or _is_global(pre)
    pkgs = [*args.positionals, *args.rest]
    if v in ("install", "i"):
        if pkgs:
            return [_site(w, b) for w in pkgs]
        if b.global_install or _frozen(args, "--frozen-lockfile") or _frozen(pre, "--frozen-lockfile"):
            return []
        # --no-frozen-lockfile, or --frozen-lockfile=false: told not to freeze, CI or not
        unfrozen = args.has("--no-frozen-lockfile", "--frozen-lockfile") or pre.has("--no-frozen-lockfile",
                                                                                   "--frozen-lockfile")
        if tool == "pnpm" and not unfrozen and in_ci(ctx.command_env(cmd)):
            return []  # pnpm's default in CI is --frozen-lockfile
        note = "pnpm freezes it by default only where CI is set" if tool == "pnpm" and not unfrozen else ""
        return [_lockless(verb, b, note)]
    if v == "add":
        return [_site(w, b) for w in pkgs]
    if v in ("update", "up", "upgrade"):
        if not pkgs:
            return [b.site(Action.UPGRADE, None, v, Pin.UNPINNED, verb)]
        return [_site(w, b) for w in pkgs]
    return []


def _corepack_site(word: Word, b: SiteBuilder) -> InstallSite:
    v = word.value
    if v is None:
        return _site(word, b)
    spec, plus, digest = v.partition("+")
    name, at, version = spec.partition("@")
    if not at or not version:
        return b.site(Action.INSTALL, name, v, Pin.UNPINNED, word, detail="no version: corepack picks its default")
    if not _EXACT.fullmatch(version):
        c = _range(name, version)
        return b.site(Action.INSTALL, name, v, Pin.UNPINNED, word, detail=c.detail)
    if plus and digest:
        return b.site(Action.INSTALL, name, v, Pin.IMMUTABLE, word, version=version)
    return b.site(Action.INSTALL, name, v, Pin.EXACT, word, version=version)


def _corepack(cmd: Command, words: list[Word], b: SiteBuilder) -> list[InstallSite]:
    _pre, verb, rest = subcommand(words, FLAGS)
    if verb is None or verb.value not in ("prepare", "install", "use", "hydrate"):
        return []
    args = parse(rest, FLAGS)
    b.global_install = args.has("-g", "--global")
    if verb.value == "hydrate":
        return []
    return [_corepack_site(w, b) for w in args.positionals]


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    name = cmd.name
    if name not in COMMANDS:
        return []
    words = split_fields(cmd.argv[1:])
    b = SiteBuilder(Ecosystem.NPM, name, ctx.path)
    if name in ("npx", "pnpx", "bunx"):
        found = _exec_like(words, b, package_flags=("-p", "--package"))
    elif name == "npm":
        found = _npm(cmd, words, b)
    elif name == "yarn":
        found = _yarn(cmd, words, b)
    elif name == "corepack":
        found = _corepack(cmd, words, b)
    else:
        found = _pnpm_or_bun(cmd, words, b, ctx)
    pre, verb, rest = subcommand(words, FLAGS) if name in ("npm", "yarn", "pnpm", "bun") else (Args(), None, [])
    v = verb.value if verb is not None else None
    if name in ("npx", "bunx") or (name == "npm" and v in NPM_EXEC) or (name == "bun" and v == "x"):
        # npx/bunx/npm exec run node_modules/.bin when the package is installed there, fetching
        # nothing; only a bare name can be taken that way (`npx x@2` fetches x@2 if it differs)
        found = [s for s in found if not (s.package in ctx.npm_local and s.spec == s.package)]
    else:
        _note_local_installs(cmd, pre, v, rest, found, ctx)
    return found


def _note_local_installs(cmd: Command, pre: Args, v: str | None, rest: list[Word], found: list[InstallSite],
                         ctx: InstallContext) -> None:
    """Remember what this command puts into the project's node_modules (npx then runs it)."""
    name = cmd.name
    if name == "npm":
        adds = v in NPM_INSTALL or v in NPM_CI
    elif name == "yarn":
        adds = v in (None, "install", "add")
    elif name in ("pnpm", "bun"):
        adds = v in ("install", "i", "add", "ci")
    else:
        adds = False
    if not adds:
        return
    args = parse(rest, FLAGS)
    if _is_global(args) or _is_global(pre):
        return
    named = [s.package for s in found if s.action is Action.INSTALL and s.package]
    if named or args.positionals or args.rest:
        ctx.npm_local.update(named)
        return
    manifest = ctx.read_manifest()  # a project install: what package.json lists
    if manifest is None:
        return
    deps, dev = manifest
    ctx.npm_local.update(deps)
    if not _without_dev(args, pre, cmd, name):
        ctx.npm_local.update(dev)


def manifest_names(text: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(dependencies and optionalDependencies, devDependencies) a package.json declares: what a
    project install (``npm ci``, ``pnpm install``) puts into node_modules. None when it is not a
    JSON object."""
    import json

    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict):
        return None

    def names(key: str) -> frozenset[str]:
        section = doc.get(key)
        return frozenset(section) if isinstance(section, dict) else frozenset()

    return names("dependencies") | names("optionalDependencies"), names("devDependencies")


def _without_dev(args: Args, pre: Args, cmd: Command, tool: str) -> bool:
    """--omit=dev, --only=prod, --production, pnpm's --prod/-P, or NODE_ENV=production."""
    opts = [*args.options, *pre.options]
    if any(o.name == "--omit" and o.value == "dev" for o in opts):
        return True
    if any(o.name == "--only" and o.value in ("prod", "production") for o in opts):
        return True
    if any(o.name in ("--production", "--prod") or (tool == "pnpm" and o.name == "-P") for o in opts):
        return True
    return any(k == "NODE_ENV" and v == "production" for k, v in cmd.assignments)
