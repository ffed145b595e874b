"""The scan pipeline: discover -> read -> analyze into install sites -> rules -> filters -> Report.

This is the one core function the CLI calls for ``pinaudit scan``. It does no printing and never
decides exit codes; it raises :class:`InputError` only for what the user named explicitly and we
cannot read (exit 2). Anything a file does wrong becomes a finding; anything *we* do wrong on a
file becomes a PIN001 finding that says so, and the rest of the scan goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from pinaudit.analyzers import ScanOptions, SourceFile, display_path
from pinaudit.discover import Target, discover
from pinaudit.model import (
    Category,
    Diagnostic,
    FileResult,
    Finding,
    InstallSite,
    Location,
    Report,
    Span,
    Suppression,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple, Protocol

    from pinaudit.baseline import Baseline
    from pinaudit.config import Config

    class Progress(Protocol):
        """Injected so core code never asks whether there is a terminal (pip-audit's lesson)."""

        def start(self, total: int) -> None: ...

        def advance(self, path: str) -> None: ...

        def finish(self) -> None: ...

else:
    from pinaudit._record import NamedTuple

MAX_FILE_BYTES = 5 * 1024 * 1024  # SPEC §3: larger files get a diagnostic, not an audit


class InputError(Exception):
    """An explicitly named path cannot be read (exit 2)."""


class NullProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self, path: str) -> None:
        pass

    def finish(self) -> None:
        pass


class ScanResult(NamedTuple):
    report: Report
    before_baseline: tuple[Finding, ...] = ()  # what --write-baseline records
    unused_suppressions: tuple[Suppression, ...] = ()
    results: tuple[FileResult, ...] = ()


def read_source(target: Target, cwd: Path, force_kind: str | None = None) -> SourceFile | Diagnostic:
    """Read and decode one file, or say precisely why it cannot be audited."""
    display = display_path(target.path, cwd)
    where = Location(display, Span.point(1))
    try:
        size = target.path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Diagnostic(where, f"file is {size / 1048576:.1f} MiB, over the 5 MiB limit; not audited")
        data = target.path.read_bytes()
    except OSError as exc:
        if target.explicit:
            raise InputError(f"{target.path}: cannot read: {exc.strerror or exc}") from exc
        return Diagnostic(where, f"cannot read file: {exc.strerror or exc}")
    if b"\0" in data[:8192]:
        return Diagnostic(where, "binary file (contains NUL bytes); not audited")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Diagnostic(
            Location(display, Span.point(line)), f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); not audited"
        )
    return SourceFile(path=target.path, display=display, text=text, kind=force_kind or target.kind)


def analyze_target(target: Target, options: ScanOptions, force_kind: str | None = None) -> FileResult:
    """One file -> its FileResult. Never raises for the file's content (picklable, for --jobs)."""
    from pinaudit.analyzers import get

    src = read_source(target, options.cwd, force_kind)
    if isinstance(src, Diagnostic):
        return FileResult(path=src.location.path, kind=force_kind or target.kind, diagnostics=(src,))
    try:
        return get(src.kind).analyze(src, options)
    except RecursionError:
        msg = "input nests too deeply to analyse; not audited"
    except MemoryError:
        msg = "input too large to analyse; not audited"
    except Exception as exc:  # a bug of ours must not hide the rest of the scan
        msg = f"internal error while analysing this file ({type(exc).__name__}: {exc}); please report it"
    return FileResult(path=src.display, kind=src.kind, diagnostics=(Diagnostic(Location(src.display, Span.point(1)),
                                                                                msg),))


def judge(sites: Iterable[InstallSite], diagnostics: Iterable[Diagnostic], enabled: frozenset[str]) -> list[Finding]:
    """Run every enabled rule over every site; parser diagnostics become PIN001 findings."""
    from pinaudit.rules import all_rules

    rules = [r for code, r in all_rules().items() if code in enabled]
    out: list[Finding] = []
    for site in sites:
        for r in rules:
            v = r.check(site)
            if v is None:
                continue
            out.append(
                Finding(r.code, v.severity or r.severity, v.category or r.category, site.ecosystem, site.package,
                        site.spec, site.location, v.message, v.fix)
            )
    if "PIN001" in enabled:
        for d in diagnostics:
            out.append(Finding("PIN001", d.severity, Category.PARSE_ERROR, None, None, None, d.location, d.message))
    return out


def _dedup_sites(results: Sequence[FileResult]) -> list[InstallSite]:
    """A requirements file installed by several Dockerfiles (and scanned itself) is audited once."""
    seen: set[tuple[object, ...]] = set()
    out: list[InstallSite] = []
    for r in results:
        for s in r.sites:
            key = (s.location, s.ecosystem, s.action, s.package, s.spec)
            if key in seen:
                continue
            seen.add(key)
            out.append(s)
    return out


def _dedup_diagnostics(results: Sequence[FileResult]) -> list[Diagnostic]:
    return list(dict.fromkeys(d for r in results for d in r.diagnostics))


Work = tuple[Target, ScanOptions, "str | None"]


def iter_results(work: Sequence[Work], *, jobs: int, progress: Progress) -> Iterator[FileResult]:
    """Analyse targets in order; across processes when there are many (output identical to serial)."""
    if jobs > 1 and len(work) >= 64:
        from pinaudit.parallel import analyze_parallel

        yield from analyze_parallel(work, jobs=jobs, progress=progress)
        return
    for target, options, force_kind in work:
        progress.advance(target.path.as_posix())
        yield analyze_target(target, options, force_kind)


def scan(
    paths: Sequence[Path],
    config: Config,
    *,
    cwd: Path | None = None,
    force_kind: str | None = None,
    ignore_unknown: bool = False,
    context: Path | None = None,
    baseline: Baseline | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> ScanResult:
    """Audit ``paths`` (files or directories) and return what was found, filtered and sorted."""
    from pinaudit.rules import all_rules
    from pinaudit.suppress import apply, apply_severity

    cwd = cwd or Path.cwd()
    progress = progress or NullProgress()
    try:
        targets = discover(paths or [Path(".")], force_kind=force_kind, exclude=(), ignore_unknown=ignore_unknown)
    except (OSError, ValueError) as exc:
        raise InputError(str(exc)) from exc
    if config.exclude:
        targets = [t for t in targets if t.explicit or not config.is_excluded(t.path, cwd=cwd)]
    options = ScanOptions(build_args=dict(config.build_args), context=context, cwd=cwd,
                          repo_root=_repo_root(cwd))
    work: list[Work] = [(t, _options_for(t, options, config, cwd), force_kind) for t in targets]
    progress.start(len(work))
    results = list(iter_results(work, jobs=jobs, progress=progress))
    progress.finish()

    enabled = frozenset(c for c in all_rules() if config.enabled(c))
    sites = _dedup_sites(results)
    findings = judge(sites, _dedup_diagnostics(results), enabled)
    kept, unused = apply(findings, results, config, cwd=cwd)
    kept = apply_severity(kept, config)
    kept.sort(key=Finding.sort_key)
    before_baseline = tuple(kept)
    if baseline is not None:
        kept = baseline.filter(kept)
    skipped = tuple(s for r in results for s in r.skipped)
    files = len({r.path for r in results} | {p for r in results for p in r.related})
    report = Report(findings=tuple(kept), files=files, install_sites=len(sites), skipped=skipped,
                    sites=tuple(sites))
    unused_shown = tuple(unused) if config.warn_unused_ignores else ()
    return ScanResult(report, before_baseline, unused_shown, tuple(results))


def _options_for(target: Target, options: ScanOptions, config: Config, cwd: Path) -> ScanOptions:
    """A Dockerfile's build context: --context wins, then the config's mapping, then its folder."""
    if options.context is None and config.context and target.kind == "dockerfile":
        ctx = config.context_for(target.path, cwd=cwd)
        if ctx is not None:
            return options._replace(context=ctx)
    return options


def _repo_root(cwd: Path) -> Path | None:
    """The enclosing git work tree, so -r includes cannot wander outside the repository."""
    here = cwd.resolve()
    for d in (here, *here.parents):
        if (d / ".git").exists():
            return d
    return None

