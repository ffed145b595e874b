"""What pyproject.toml and Pipfile share: a dependency judged against the lockfile beside it.

A range in a project file is how Python projects are meant to be written; it is a hole only when
nothing pins it. So each dependency site carries its own pin *and* its lock state (like a
package.json dependency): locked and in range is information (PIN206), missing from the lockfile
or locked outside its range is drift (PIN207), and without a lockfile a range is an error only
when a build in this repository installs the project. That last fact is not in the file: the
Dockerfile or script that installs the project follows into it (:func:`follow_project`, as
``pip install -r`` follows into a requirements file), and its sites carry ``via``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pinaudit.analyzers import KINDS, ScanOptions, SourceFile, display_path
from pinaudit.model import (
    Action,
    Diagnostic,
    Ecosystem,
    FileResult,
    InstallSite,
    Location,
    LockState,
    Pin,
    Severity,
    Span,
)
from pinaudit.parse.lines import LineIndex
from pinaudit.parse.pylocks import PyLock, admits, canonical, read_pylock, same_specifier
from pinaudit.parse.text import point_at, span_of
from pinaudit.parse.toml_pos import Path_, Positions, TomlError
from pinaudit.site_context import SiteSource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple

# the sections a plain `pip install .` installs (extras only when named: `.[test]`)
_CORE_SECTIONS = ("project.dependencies", "tool.poetry.dependencies")


class Dep(NamedTuple):
    """One dependency as a project file declares it."""

    name: str
    spec: str  # as written: "requests>=2", "^1.2", "*", a git URL
    pin: Pin
    where: Path_  # the key path of its entry (for its line)
    section: str  # "project.dependencies", "dependency-groups.test", "packages", ...
    version: str | None = None
    specifiers: list[str] | None = None  # PEP 440 alternatives for the drift check; None: not judged
    detail: str = ""
    group: str | None = None  # pdm: the lock group it belongs to ("default", "dev", ...)
    value_path: Path_ | None = None  # where the version is written, when not at ``where``
    uv_managed: bool = False  # PEP 621 / PEP 735 / tool.uv: uv.lock records its specifier


class Ctx:
    """One project file being turned into sites."""

    def __init__(self, path: Path, display: str, text: str, kind: str, options: ScanOptions,
                 via: Location | None) -> None:
        self.path = path
        self.display = display
        self.text = text
        self.kind = kind
        self.options = options
        self.via = via
        self.index = LineIndex(text)
        self.positions = Positions(text)
        self.sites: list[InstallSite] = []
        self.diagnostics: list[Diagnostic] = []
        self.related: list[str] = []
        self.project = ""  # the project's PEP 503 name (uv.lock records what each project declared)

    def span(self, where: Path_, value: bool = False) -> Span:
        """Where an entry is written (its key, else its value); ``value``: its value first."""
        found = self.positions.values.get(where) if value else None
        found = found or self.positions.key_or_value(where)
        while found is None and where:
            where = where[:-1]
            found = self.positions.key_or_value(where) or self.positions.headers.get(where)
        if found is None:
            return Span.point(1)
        start, end = found
        if self.text.count("\n", start, end):
            end = self.text.find("\n", start)  # a multi-line value: point at its first line
        return span_of(self.index, start, end)

    def result(self) -> FileResult:
        return FileResult(self.display, self.kind, tuple(self.sites), tuple(self.diagnostics),
                          related=tuple(self.related))


def find_lock(ctx: Ctx, candidates: list[Path]) -> PyLock | None:
    """The first readable lockfile of ``candidates``; an unreadable one is said, and skipped."""
    for path in candidates:
        lock = read_pylock(path)
        if lock.error:
            shown = display_path(path, ctx.options.cwd)
            ctx.diagnostics.append(Diagnostic(Location(shown, Span.point(lock.error_line)),
                                              f"{path.name}: {lock.error}", Severity.WARNING))
            continue
        ctx.related.append(display_path(path, ctx.options.cwd))
        return lock
    return None


def lock_state(lock: PyLock | None, dep: Dep, project: str = "") -> tuple[LockState, str]:
    if lock is None:
        return LockState.NO_LOCKFILE, ""
    if dep.pin in (Pin.LOCAL, Pin.UNKNOWN):
        return LockState.LOCKED, ""
    name = lock.path.name
    recorded = lock.requires.get(project)
    if recorded is not None and dep.uv_managed and dep.specifiers is not None:
        was = recorded.get(canonical(dep.name))
        if was is None:
            return LockState.DRIFT, f"{name} was made before '{dep.name}' was declared"
        if same_specifier(dep.specifiers[0], was) is False:
            said = " or ".join(f"'{w or 'any version'}'" for w in sorted(was))
            return LockState.DRIFT, f"{name} was resolved for {said}, now '{dep.specifiers[0] or 'any version'}'"
    if lock.groups is not None and dep.group is not None and dep.group not in lock.groups:
        return LockState.LOCKED, f"group {dep.group} is not in {name}"
    versions = lock.versions.get(canonical(dep.name))
    if versions is None:
        return LockState.DRIFT, f"missing from {name}"
    if dep.specifiers is None or not versions:
        return LockState.LOCKED, ""
    if admits(dep.specifiers, versions) is False:
        return LockState.DRIFT, f"{name} locks {', '.join(versions)}, which '{dep.spec}' does not admit"
    return LockState.LOCKED, ""


def add_site(ctx: Ctx, dep: Dep, lock: PyLock | None) -> None:
    state, lock_detail = lock_state(lock, dep, ctx.project)
    if state is LockState.NO_LOCKFILE and ctx.via is None and dep.pin is Pin.UNPINNED:
        lock_detail = "no lockfile, and no build in this repository installs the project"
    detail = "; ".join(p for p in (lock_detail, dep.detail) if p)
    ctx.sites.append(InstallSite(
        ecosystem=Ecosystem.PIP, action=Action.INSTALL, package=dep.name, spec=dep.spec, pin=dep.pin,
        location=Location(ctx.display, ctx.span(dep.where)), installer=ctx.kind, version=dep.version,
        lock=state, detail=detail, via=ctx.via, source_kind=SiteSource.PYTHON_PROJECT,
        project_section=dep.section,
        lockfile=display_path(lock.path, ctx.options.cwd) if lock is not None else None,
        spec_span=ctx.span(dep.value_path or dep.where, value=True),
    ))


def vcs_dep(name: str, table: dict[str, Any], ref_keys: tuple[str, ...], where: Path_, section: str) -> Dep:
    """A git dependency (``{git = URL, rev|tag|branch|ref = ...}``), judged by pip's one VCS policy
    (SPEC §5): the one place to switch. Its spec is written at the ref, else at the URL."""
    from pinaudit.installers.pip import classify

    key = next((k for k in ref_keys if k in table), None)
    ref = str(table[key]) if key is not None else None
    written = f"git+{table['git']}" + (f"@{ref}" if ref else "")
    c = classify(f"{name} @ {written}")
    return Dep(name, written, c.pin, where, section, c.version, None, c.detail, value_path=(*where, key or "git"))


def pep508_dep(text: str, where: Path_, section: str, group: str | None = None) -> Dep | None:
    """A PEP 508 string (``[project] dependencies``, dependency groups); None when it is not one."""
    from pinaudit.installers.pip import classify

    c = classify(text)
    if c.package is None or c.detail.startswith("not a valid"):
        return None
    parts = c.parts
    specifiers = [parts.specifier] if parts is not None and parts.url is None else None
    return Dep(c.package, text, c.pin, where, section, c.version, specifiers, c.detail, group)


def toml_error(source: SourceFile, exc: TomlError) -> Diagnostic:
    """PIN001 at tomllib's position; a file with Jinja markers is probably a template (cookiecutter)."""
    hint = " (a template?)" if "{{" in source.text or "{%" in source.text else ""
    loc = Location(source.display, point_at(source.text, exc.line, exc.column))
    return Diagnostic(loc, f"malformed TOML: {exc.message}{hint}")


def bad_entry(ctx: Ctx, where: Path_, message: str) -> None:
    ctx.diagnostics.append(Diagnostic(Location(ctx.display, ctx.span(where)), message, Severity.WARNING))


def follow_project(
    site: InstallSite, locate: Callable[[str], Path | None], options: ScanOptions
) -> tuple[list[InstallSite], list[Diagnostic], list[str]]:
    """The project file a build installs (``pip install .``, ``uv sync``...), analysed with the
    build's location as ``via``: its unpinned dependencies are then installed, not a library's."""
    from pinaudit.installers.pyproj import project_of
    from pinaudit.work import MAX_FILE_BYTES

    written = project_of(site)
    project = written.split("[", 1)[0].rstrip("/") or "/"
    name = "Pipfile" if site.installer.startswith("pipenv") else "pyproject.toml"
    found = locate(f"{project}/{name}")
    if found is None:
        return [], [], []
    try:
        if found.stat().st_size > MAX_FILE_BYTES:
            return [], [], []
        text = found.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return [], [], []
    display = display_path(found, options.cwd)
    src = SourceFile(found, display, text, name)
    # through the registry: the two analyzers build on this module
    module = importlib.import_module(KINDS[name])
    by_pip = site.action is not Action.LOCKLESS_INSTALL
    extra = {"uv_sources": False} if by_pip and name == "pyproject.toml" else {}
    result: FileResult = module.analyze_file(src, options, via=site.location, **extra)
    sites = list(result.sites)
    if by_pip:  # the core dependencies and the extras named
        extras = {e.strip().lower() for e in written.partition("[")[2].rstrip("]").split(",") if e.strip()}
        wanted = (*_CORE_SECTIONS, *(f"project.optional-dependencies.{e}" for e in extras))
        # pip reads pyproject.toml's ranges, never uv.lock or poetry.lock: what the lock pins is
        # not what this install gets (a drift stays drift: PIN207 says it at the file)
        sites = [s._replace(lock=LockState.NO_LOCKFILE) if s.lock is LockState.LOCKED else s
                 for s in sites if s.project_section in wanted]
    return sites, list(result.diagnostics), [display, *result.related]
