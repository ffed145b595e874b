"""conda environment files (``environment.yml``) and the files conda commands install -> sites.

Shared by the environment-file analyzer (:mod:`pinaudit.analyzers.conda_env`, files found by
discovery) and the analyzers of Dockerfiles, scripts and workflows (:func:`follow`), as
:mod:`pinaudit.analyzers.requirements_walk` is for pip's requirements files.

An environment file's ``dependencies:`` entries are conda match specs, judged by the one
classifier of :mod:`pinaudit.installers.conda` at each entry's own line (PyYAML's marks); its
nested ``pip:`` list is what conda hands to ``pip install -r`` (written to a temporary file in the
environment file's folder), so it is judged as a requirements file, with the pip rules, its
entries kept at their lines. ``channels:`` pick where packages come from, not which versions.

A ``conda-lock.yml`` beside the file that was made from it (its ``metadata.sources`` names the
file) pins what ``conda-lock install`` installs: its dependencies are then "locked" (PIN701 at
info), and one missing from the lock, or locked at a version its pin does not admit, is drift
(PIN705), as package.json is judged against its lockfile.

:func:`follow` resolves a file a command installs (``conda env create -f FILE``, ``conda install
--file FILE``, ``micromamba create -f FILE``, ``conda-lock install FILE``): an environment file is
judged as above (with a lock beside it, PIN707 says at the command that the command does not read
it); a conda-lock file or an
``@EXPLICIT`` list is a lock (every package fixed, with its hash); a plain spec file is judged
line by line.
"""

from __future__ import annotations

from pathlib import Path

from pinaudit.analyzers import ScanOptions, SourceFile, display_path
from pinaudit.analyzers._yaml import load_mapping
from pinaudit.analyzers.build_context import Directory, FileTooLarge
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
from pinaudit.parse.conda_files import LOCK_NAMES, CondaLock, LockError, is_lock_name, parse_lock, pip_name
from pinaudit.site_context import SiteSource

TYPE_CHECKING = False
if TYPE_CHECKING:
    import yaml

    from pinaudit.analyzers.build_context import BuildContext

KIND = "conda-env"
_WHAT = "a conda environment file"
INSTALLER = "environment.yml"
MAX_BYTES = 5 * 1024 * 1024


class LockFile:
    """The lockfile that governs an environment file or pixi manifest (display path and contents)."""

    __slots__ = ("display", "lock")

    def __init__(self, display: str, lock: CondaLock) -> None:
        self.display = display
        self.lock = lock


def _find_lock(path: Path, options: ScanOptions, diags: list[Diagnostic], display: str,
               files: BuildContext | None = None) -> LockFile | None:
    """The conda-lock file beside ``path`` that was made from it; None when there is none.
    ``files``: where to look (a Dockerfile's build context; default: the disk)."""
    files = files if files is not None else Directory(path.parent)
    for name in LOCK_NAMES:
        cand = path.parent / name
        if not files.is_file(cand):
            continue
        lock_display = display_path(cand, options.cwd)
        try:
            lock = parse_lock(files.read_text(cand, max_bytes=MAX_BYTES).removeprefix("\ufeff"))
        except (OSError, UnicodeDecodeError, FileTooLarge, LockError) as exc:
            why = "larger than 5 MiB" if isinstance(exc, FileTooLarge) else str(exc)
            diags.append(Diagnostic(Location(display, Span.point(1)),
                                    f"{lock_display} beside it cannot be read ({why}); judged without it",
                                    Severity.WARNING))  # fmt: skip
            return None
        if lock.sources and path.name not in {Path(s).name for s in lock.sources}:
            return None  # made from another file (environment-dev.yml beside environment.yml)
        return LockFile(lock_display, lock)
    return None


def lock_state(site: InstallSite, lock: LockFile) -> InstallSite:
    """The site as the lock sees it: locked, or drift (missing, or at a version it does not admit)."""
    from pinaudit.parse.conda_files import version_admits

    name = site.package or ""
    is_pip = site.ecosystem is Ecosystem.PIP
    versions = lock.lock.pip.get(pip_name(name)) if is_pip else lock.lock.conda.get(name.lower())
    found = site._replace(lockfile=lock.display)
    if site.pin in (Pin.LOCAL, Pin.UNKNOWN) or not name:
        return found
    if not versions:
        return found._replace(lock=LockState.DRIFT, detail="missing from the lockfile")
    want = site.version if site.pin in (Pin.EXACT, Pin.IMMUTABLE) else None
    partial = site.pin is Pin.PARTIAL and site.conda is not None
    if partial and site.conda is not None:
        want = site.conda.version
    if want and not any(version_admits(want, partial, v) for v in versions):
        locked = ", ".join(sorted(versions))
        return found._replace(lock=LockState.DRIFT, detail=f"locked at {locked}, which '{site.spec}' does not admit")
    return found._replace(lock=LockState.LOCKED)


def _conda_site(raw: str, span: Span, display: str, via: Location | None) -> InstallSite:
    from pinaudit.installers.conda import classify
    from pinaudit.parse.spec_range import spec_span_in

    spec_span = spec_span_in(span, raw, "conda")
    c = classify(raw)
    return InstallSite(
        ecosystem=Ecosystem.CONDA, action=Action.INSTALL, package=c.package, spec=raw, pin=c.pin,
        location=Location(display, span), installer=INSTALLER,
        version=c.version if c.pin in (Pin.EXACT, Pin.IMMUTABLE) else None, detail=c.detail, via=via,
        spec_span=spec_span, source_kind=SiteSource.CONDA_ENV, conda=c.spec,
    )


def _blank_except(text: str, ranges: list[tuple[int, int, str]]) -> str:
    """``text`` with every character blanked (line breaks kept) except ``ranges``, each given
    the text it holds: the pip entries, at their own offsets, for the requirements parser."""
    out = [c if c in "\r\n" else " " for c in text]
    for start, end, value in ranges:
        if text[start:end] == value or (len(value) <= end - start and "\n" not in value):
            out[start:start + len(value)] = value
    return "".join(out)


def _env_file(path: Path, display: str, text: str, options: ScanOptions, *, lock: LockFile | None,
              via: Location | None, files: BuildContext | None, diags: list[Diagnostic]) -> FileResult:
    from pinaudit.analyzers.requirements_walk import analyze_embedded
    from pinaudit.parse import yaml_pos
    from pinaudit.parse.lines import LineIndex
    from pinaudit.parse.text import span_of

    root, base = load_mapping(display, text, KIND, _WHAT)
    if root is None:
        if base.diagnostics and base.diagnostics[0].message == f"{_WHAT} must be a mapping":
            # valid YAML that is no environment (`name=jack`, a list): another tool's file by that name
            return base._replace(diagnostics=(), skipped=(f"{display}: not a mapping; not a conda environment file",))
        return base._replace(diagnostics=(*base.diagnostics, *diags))
    budget = yaml_pos.Budget()
    deps = yaml_pos.get(root, "dependencies", budget)
    if deps is None:
        return base._replace(skipped=(f"{display}: no dependencies: list; not a conda environment file",))
    lines, starts, index = yaml_pos.physical_lines(text), yaml_pos.line_starts(text), LineIndex(text)
    if not yaml_pos.is_sequence(deps):
        at = span_of(index, deps.start_mark.index, deps.start_mark.index)
        return base._replace(diagnostics=(Diagnostic(Location(display, at), "dependencies: must be a list"),))
    sites: list[InstallSite] = []
    pip_ranges: list[tuple[int, int, str]] = []

    def where(node: yaml.Node) -> tuple[int, int]:
        return yaml_pos.value_range(node, lines, starts)

    for item in deps.value:
        budget.spend()
        raw = yaml_pos.scalar(item)
        if raw is not None:
            sites.append(_conda_site(raw, span_of(index, *where(item)), display, via))
            continue
        pip = yaml_pos.get(item, "pip", budget) if yaml_pos.is_mapping(item) else None
        if yaml_pos.is_sequence(pip):
            for entry in getattr(pip, "value", ()):
                budget.spend()
                value = yaml_pos.scalar(entry)
                if value is not None:
                    pip_ranges.append((*where(entry), value))
            continue
        at = span_of(index, item.start_mark.index, item.start_mark.index)
        diags.append(Diagnostic(Location(display, at), "dependency entry is neither a package spec nor a pip: list",
                                Severity.WARNING))  # fmt: skip
    related: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    if pip_ranges:
        embedded = analyze_embedded(path, display, _blank_except(text, pip_ranges), options,
                                    installer=f"{INSTALLER} pip", via=via, files=files)
        sites.extend(embedded.sites)
        diags.extend(embedded.diagnostics)
        related, skipped = embedded.related, embedded.skipped
    if lock is not None:
        sites = [lock_state(s, lock) if s.action is Action.INSTALL and s.location.path == display else s
                 for s in sites]
    return base._replace(sites=tuple(sites), diagnostics=(*base.diagnostics, *diags), related=related,
                         skipped=skipped)


def analyze_source(source: SourceFile, options: ScanOptions) -> FileResult:
    """An environment file found by discovery, judged with its lock. Never raises for bad input."""
    diags: list[Diagnostic] = []
    try:
        lock = _find_lock(source.path, options, diags, source.display)
        return _env_file(source.path, source.display, source.text, options, lock=lock, via=None, files=None,
                         diags=diags)
    except RecursionError:
        loc = Location(source.display, Span.point(1))
        return FileResult(source.display, KIND, diagnostics=(Diagnostic(loc, "environment file nested too deeply"),))


def _spec_file(display: str, text: str, via: Location) -> FileResult:
    """A ``--file`` spec list or ``@EXPLICIT`` file: one site a line."""
    from pinaudit.installers.conda import classify
    from pinaudit.parse.conda_files import parse_spec_file
    from pinaudit.parse.lines import LineIndex
    from pinaudit.parse.spec_range import spec_span_in
    from pinaudit.parse.text import span_of

    parsed = parse_spec_file(text)
    index = LineIndex(text)
    sites: list[InstallSite] = []
    for line in parsed.lines:
        span = span_of(index, line.start, line.end)
        c = classify(line.text)
        sites.append(InstallSite(
            ecosystem=Ecosystem.CONDA, action=Action.INSTALL, package=c.package, spec=line.text, pin=c.pin,
            location=Location(display, span), installer="conda --file",
            version=c.version if c.pin in (Pin.EXACT, Pin.IMMUTABLE) else None, detail=c.detail, via=via,
            spec_span=span if parsed.explicit else spec_span_in(span, line.text, "conda"),
            source_kind=SiteSource.CONDA_SPECS, conda=c.spec,
        ))  # fmt: skip
    return FileResult(display, KIND, tuple(sites))


def follow(site: InstallSite, found: Path | None, options: ScanOptions, *, missing: str,
           files: BuildContext | None = None) -> FileResult:
    """Resolve a conda ``--file``/``-f`` site (Action.REQUIREMENTS) against the file found for it,
    like :func:`pinaudit.analyzers.requirements_walk.follow` for pip's ``-r``."""
    if found is None:
        return FileResult(site.location.path, KIND, sites=(site._replace(pin=Pin.UNKNOWN, detail=missing),))
    files = files if files is not None else Directory(found.parent)
    display = display_path(found, options.cwd)
    try:
        text = files.read_text(found, max_bytes=MAX_BYTES).removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError, FileTooLarge) as exc:
        why = "larger than 5 MiB" if isinstance(exc, FileTooLarge) else f"cannot be read ({exc})"
        return FileResult(site.location.path, KIND, sites=(site._replace(pin=Pin.UNKNOWN, detail=f"it {why}"),))
    lower = found.name.lower()
    diags: list[Diagnostic] = []
    if is_lock_name(lower) or lower.endswith(".lock") or text.lstrip().startswith("@EXPLICIT") \
            or "\n@EXPLICIT" in text:
        result = _locked(site, display, text, lower)
    elif lower.endswith((".yml", ".yaml")):
        # with a lock beside it, the entries read as they do on their own (pinned only by the lock:
        # the same verdict whichever file the scan meets first) and PIN707 says at the command
        # that the lock goes unused
        lock = _find_lock(found, options, [], display, files)
        result = _env_file(found, display, text, options, lock=lock, via=site.location, files=files, diags=diags)
        followed = [site._replace(pin=Pin.LOCAL, detail=f"follows {display}")]
        if lock is not None:  # the command resolves the file afresh; the lock beside it goes unused
            followed.append(site._replace(action=Action.LOCKLESS_INSTALL, pin=Pin.UNPINNED,
                                          detail=f"{lock.display} beside it locks it", lockfile=lock.display))
        result = result._replace(sites=(*followed, *result.sites))
    else:
        result = _spec_file(display, text, site.location)
        result = result._replace(sites=(site._replace(pin=Pin.LOCAL, detail=f"follows {display}"), *result.sites))
    return result._replace(path=site.location.path, related=(display, *result.related))


def _locked(site: InstallSite, display: str, text: str, lower: str) -> FileResult:
    """A conda-lock file or an ``@EXPLICIT`` list: installed as locked (explicit entries are sites:
    a hash fragment makes them immutable, the file name alone fixes version and build)."""
    if "@EXPLICIT" in text:
        spec = _spec_file(display, text, site.location)
        return spec._replace(sites=(site._replace(pin=Pin.LOCAL, detail=f"follows the explicit list {display}"),
                                    *spec.sites))  # fmt: skip
    try:
        parse_lock(text)
    except LockError as exc:
        diag = Diagnostic(Location(display, Span.point(1)), f"conda lockfile {display}: {exc}")
        return FileResult(display, KIND, sites=(site._replace(pin=Pin.UNKNOWN, detail=f"{display}: {exc}"),),
                          diagnostics=(diag,))  # fmt: skip
    return FileResult(display, KIND, sites=(site._replace(pin=Pin.LOCAL, detail=f"installs the lockfile {display}"),))
