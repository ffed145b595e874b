"""The Python project tools: ``uv sync``/``uv add``, Poetry, PDM and pipenv (ecosystem pip).

Quirks that decide a verdict:

* ``uv sync`` re-locks when uv.lock is missing or stale and rewrites it; ``--locked`` fails instead
  and ``--frozen`` installs the lockfile as it is (so do ``UV_LOCKED``/``UV_FROZEN``).
* ``poetry install`` installs poetry.lock when there is one (Poetry 2 refuses a stale one) and
  resolves afresh when there is none; ``poetry lock`` earlier in the same RUN or script means a
  fresh resolution at build time whatever was committed.
* ``pdm install`` re-locks a stale pdm.lock unless ``--frozen-lockfile`` (or ``--check``, which
  fails); ``pdm sync`` never locks.
* ``pipenv install`` re-locks a stale Pipfile.lock unless ``--deploy`` (fails) or
  ``--ignore-pipfile`` (installs the lockfile); ``pipenv sync`` installs the lockfile.
* ``uv add X``, ``poetry add X``, ``pdm add X`` and ``pipenv install X`` fetch the newest X that the
  spec admits: PEP 508 specs, and Poetry's ``X@^1.2`` / ``X@1.2.3`` (exact) spelling.
* ``uv export``, ``poetry export`` and ``pdm export`` write the lockfile's pins (with hashes unless
  ``--no-hashes``/``--without-hashes``) to a requirements file, so a later ``pip install -r`` of
  that file in the same RUN or script installs the lock, not a file the build context lacks;
  ``uv export`` re-locks a stale uv.lock first unless ``--locked``/``--frozen``, as ``uv sync`` does.

Every lockless project install is a :attr:`~pinaudit.model.Action.LOCKLESS_INSTALL` site at its
subcommand word whose requirement names the project directory (a local reference), so the
analyzers can follow it into the project file it installs (PIN206's "installed" half).
"""

from __future__ import annotations

from pinaudit.installers._common import Args, SiteBuilder, flags, parse, split_fields, subcommand
from pinaudit.installers.programs import commands_of
from pinaudit.model import Action, Ecosystem, InstallSite, Pin
from pinaudit.site_context import RequirementParts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.installers.interface import InstallContext
    from pinaudit.parse.shell import Command, Word

COMMANDS: frozenset[str] = commands_of("pyproj")

_UV_ONLY = flags(
    "--extra", "--group", "--only-group", "--no-group", "--package", "--optional", "--bounds", "--tag",
    "--branch", "--rev", "--marker", "-m", "--no-install-package", "--script", "--output-format",
    "--active", "--inexact", "-E", "--with", "--without", "--only", "--extras", "-C", "--directory", "-P",
    "--project", "--categories", "--category", "--pypi-mirror", "--extra-pip-args", "--python", "-p",
    "-G", "--lockfile", "-L", "--venv", "--strategy", "-S", "--update", "-u", "--exclude", "-x",
    "--config-file", "--cache-dir", "--color", "--index", "--default-index", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "--resolution", "--prerelease", "--index-strategy",
    "--keyring-provider", "--exclude-newer", "--link-mode", "--python-preference", "--python-platform",
    "--config-setting", "--refresh-package", "--upgrade-package", "--reinstall-package", "-r",
    "--requirements", "--constraints", "-c", "--group", "--no-binary-package", "--no-build-package",
    "--allow-insecure-host", "--source", "--env-file", "-o", "--output-file", "--output", "--format",
)
FLAGS = _UV_ONLY
_TRUE = frozenset({"1", "true", "yes", "on", "y"})
_LOCKS = {"poetry": "poetry.lock", "pdm": "pdm.lock", "pipenv": "Pipfile.lock", "uv": "uv.lock"}


def _project_dir(args: Args) -> str:
    found = args.last("--directory", "--project", "-C", "-P")
    return found.value if found is not None and found.value else "."


def _lockless(verb: Word, b: SiteBuilder, project: str, why: str) -> InstallSite:
    """At the subcommand word (its spec, like npm's); the project directory it installs is a local
    reference, as ``pip install ./dir`` carries one."""
    site = b.site(Action.LOCKLESS_INSTALL, None, verb.value, Pin.UNPINNED, verb, detail=why)
    return site._replace(requirement=RequirementParts(project, None, url=project))


def _named(words: list[Word], b: SiteBuilder, *, poetry: bool = False) -> list[InstallSite]:
    """Packages named on ``uv add`` / ``poetry add`` / ``pdm add`` / ``pipenv install``."""
    from pinaudit.installers.pip import classify
    from pinaudit.parse.pylocks import poetry_exact

    out: list[InstallSite] = []
    for w in words:
        v = w.value
        if v is None:
            out.append(b.site(Action.INSTALL, None, w.raw, Pin.UNKNOWN, w,
                              detail="its value depends on a variable that is not known"))
            continue
        if poetry and "@" in v and "://" not in v and not v.startswith("git@"):
            name, _, constraint = v.partition("@")
            exact = poetry_exact(constraint) if constraint != "latest" else None
            if exact is not None:
                out.append(b.site(Action.INSTALL, name, v, Pin.EXACT, w, version=exact))
            else:
                out.append(b.site(Action.INSTALL, name, v, Pin.UNPINNED, w, detail=f"'{constraint}' is a range"))
            continue
        c = classify(v)
        out.append(b.site(Action.INSTALL, c.package, v, c.pin, w, version=c.version, detail=c.detail)
                   ._replace(requirement=c.parts))
    return out


def _exported(cmd: Command, args: Args, ctx: InstallContext, how: str, *, hashed: bool) -> None:
    """Remember the requirements file an export writes (``-o``/``--output-file``, or ``> FILE``)."""
    out = args.last("-o", "--output-file", "--output")
    target = out.value if out is not None else None
    if target is None:
        target = next((w.value for op, w in reversed(cmd.redirects) if op in (">", ">|") and w.value), None)
    if target:
        ctx.exported[target] = (how, hashed)


def uv_sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    """``uv sync`` and ``uv add``; ``uv pip``/``uv tool`` are pip's."""
    words = split_fields(cmd.argv[1:])
    _pre, verb, rest = subcommand(words, FLAGS)
    if verb is None or verb.value not in ("sync", "add", "export"):
        return []
    args = parse(rest, FLAGS)
    pre_args = parse(words[: words.index(verb)], FLAGS) if verb in words else Args()
    b = SiteBuilder(Ecosystem.PIP, f"uv {verb.value}", ctx.path)
    if verb.value == "add":
        return _named(list(args.positionals), b)
    if verb.value == "export":
        _exported(cmd, args, ctx, "uv export", hashed=not args.has("--no-hashes"))
    env = {**ctx.env, **dict(cmd.assignments)}
    frozen = any((env.get(k) or "").strip().lower() in _TRUE for k in ("UV_LOCKED", "UV_FROZEN"))
    if args.has("--locked", "--frozen") or pre_args.has("--locked", "--frozen") or frozen:
        return []
    project = _project_dir(args) if _project_dir(args) != "." else _project_dir(pre_args)
    return [_lockless(verb, b, project, "may re-resolve the project and rewrite uv.lock "
                                        "(use --locked, or --frozen)")]


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    words = split_fields(cmd.argv[1:])
    tool = cmd.name
    _pre, verb, rest = subcommand(words, FLAGS)
    if verb is None:
        return []
    pre_args = parse(words[: words.index(verb)], FLAGS) if verb in words else Args()
    args = parse(rest, FLAGS)
    b = SiteBuilder(Ecosystem.PIP, f"{tool} {verb.value}", ctx.path)
    project = _project_dir(args) if _project_dir(args) != "." else _project_dir(pre_args)
    if verb.value == "lock":
        ctx.relocked.add(f"{tool}:{project}")
        return []
    if verb.value == "export" and tool in ("poetry", "pdm"):
        hashed = not args.has("--without-hashes", "--no-hashes")
        _exported(cmd, args, ctx, f"{tool} export", hashed=hashed)
        return []
    if verb.value == "add" and tool in ("poetry", "pdm"):
        return _named(list(args.positionals), b, poetry=tool == "poetry")
    if tool == "pipenv" and verb.value == "install" and args.positionals:
        return _named(list(args.positionals), b)
    if verb.value != "install":
        return []
    if f"{tool}:{project}" in ctx.relocked:
        return [_lockless(verb, b, project, f"runs after '{tool} lock' in the same build: the lockfile "
                                            "is resolved afresh at build time")]
    if tool == "poetry":
        lock = f"{project.rstrip('/')}/poetry.lock"
        if ctx.locate is None or ctx.locate(lock) is not None:
            return []  # with a lockfile poetry installs it (Poetry 2 refuses a stale one)
        return [_lockless(verb, b, project, "without a poetry.lock beside the project resolves afresh "
                                            "(commit poetry.lock and copy it in)")]
    if tool == "pdm" and not args.has("--frozen-lockfile", "--check", "--no-lock"):
        return [_lockless(verb, b, project, "may re-lock a stale pdm.lock (use --frozen-lockfile, or pdm sync)")]
    if tool == "pipenv" and not args.has("--deploy", "--ignore-pipfile"):
        return [_lockless(verb, b, project, "re-locks when Pipfile.lock is stale or missing "
                                            "(use --deploy, or pipenv sync)")]
    return []


_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2", ".tar.xz", ".tar")


def _project_ref(site: InstallSite) -> str:
    parts = site.requirement
    return parts.url if parts is not None and parts.url is not None else site.spec or ""


def project_of(site: InstallSite) -> str:
    """The project directory a project install names (``.``, ``./app``, ``app[test]``)."""
    return _project_ref(site) or "."


def installs_project(site: InstallSite) -> bool:
    """Does this command site install a project directory with its dependencies (``pip install .``,
    ``pip install -e ./app``, a lockless ``uv sync``/``poetry install``)? Its project file is then
    followed: the ranges there are installed, not a library's."""
    if site.ecosystem is not Ecosystem.PIP or site.no_deps:
        return False
    if site.action is Action.LOCKLESS_INSTALL:
        return True
    spec = _project_ref(site).split("[", 1)[0]
    return (site.action is Action.INSTALL and site.pin is Pin.LOCAL and bool(spec) and "$" not in spec
            and not spec.lower().endswith(_ARCHIVES) and not spec.startswith(("file:", "http")))
