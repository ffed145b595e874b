"""The scan pipeline: discover -> read -> analyze into install sites -> rules -> filters -> Report.

This is the one core function the CLI calls for ``pinaudit scan``. It does no printing and never
decides exit codes; it raises :class:`InputError` only for what the user named explicitly and we
cannot read (exit 2). Anything a file does wrong becomes a finding; anything *we* do wrong on a
file becomes a PIN001 finding that says so, and the rest of the scan goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from pinaudit.analyzers import ScanOptions
from pinaudit.discover import Target, discover
from pinaudit.model import Category, Diagnostic, Ecosystem, FileResult, Finding, InstallSite, Report, Suppression
from pinaudit.site_context import SiteSource
from pinaudit.work import InputError, NullProgress, Work, analyze_target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    from pinaudit.baseline import Baseline
    from pinaudit.config import Config
    from pinaudit.work import Progress
else:
    from pinaudit._record import NamedTuple


class ScanResult(NamedTuple):
    report: Report
    before_baseline: tuple[Finding, ...] = ()  # what --write-baseline records
    unused_suppressions: tuple[Suppression, ...] = ()
    results: tuple[FileResult, ...] = ()


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
                        site.spec, site.location, v.message, None, v.edits, site)
            )
    if "PIN001" in enabled:
        for d in diagnostics:
            out.append(Finding("PIN001", d.severity, Category.PARSE_ERROR, None, None, None, d.location, d.message))
    return out


def _dedup_sites(results: Sequence[FileResult]) -> list[InstallSite]:
    """A requirements file installed by several Dockerfiles (and scanned itself) is audited once.

    A project file (pyproject.toml, Pipfile) is judged as installed when any build installs it,
    whichever of the file and the build was analysed first: the copy a build reached wins. A file
    that ``conda install --file`` installs is a conda spec list whatever its name says: its lines
    are not judged a second time as pip requirements (``requirements.txt`` given to mamba)."""
    conda_lists = {s.location.path for r in results for s in r.sites if s.source_kind is SiteSource.CONDA_SPECS}
    seen: dict[tuple[object, ...], int] = {}
    out: list[InstallSite] = []
    for r in results:
        for s in r.sites:
            if (conda_lists and s.ecosystem is Ecosystem.PIP and s.via is None
                    and s.source_kind is SiteSource.REQUIREMENTS and s.location.path in conda_lists):
                continue
            key = (s.location, s.ecosystem, s.action, s.package, s.spec)
            at = seen.get(key)
            if at is None:
                seen[key] = len(out)
                out.append(s)
            elif s.via is not None and out[at].via is None and s.source_kind is SiteSource.PYTHON_PROJECT:
                out[at] = s
    return out


def _dedup_diagnostics(results: Sequence[FileResult]) -> list[Diagnostic]:
    return list(dict.fromkeys(d for r in results for d in r.diagnostics))


# below this many files a process pool costs more than it saves: benchmarks/bench_parallel.py on an
# idle 2-CPU machine gave parallel/serial 1.06 at 64 files, 1.15 at 96, 0.98 at 128, 0.84 at 256 and
# 0.75 from 1,024 (the pool's start-up, ~50 ms, is paid back only past ~128 corpus files)
PARALLEL_MIN_FILES = 128


def iter_results(work: Sequence[Work], *, jobs: int, progress: Progress) -> Iterator[FileResult]:
    """Analyse targets in order; across processes when there are many (output identical to serial)."""
    if jobs > 1 and len(work) >= PARALLEL_MIN_FILES:
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
    empty: list[Path] = []
    try:
        targets = discover(paths or [Path(".")], force_kind=force_kind, exclude=(), ignore_unknown=ignore_unknown,
                           empty=empty)
    except (OSError, ValueError) as exc:
        raise InputError(str(exc)) from exc
    if config.exclude:
        targets = [t for t in targets if t.explicit or not config.is_excluded(t.path, cwd=cwd)]
    options = ScanOptions(build_args=dict(config.build_args), context=context, cwd=cwd,
                          repo_root=_repo_root(cwd))
    composed = _compose_contexts(targets) if options.context is None else {}
    work: list[Work] = [(t, _options_for(t, options, config, cwd, composed), force_kind) for t in targets]
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
    # a directory with nothing to audit is said, never a silent clean (a wrong path, an ignore rule)
    skipped = tuple(f"{d}: no Dockerfile, requirements file, package.json, compose file, script or workflow found"
                    for d in empty) + tuple(s for r in results for s in r.skipped)
    files = len({r.path for r in results} | {p for r in results for p in r.related})
    report = Report(findings=tuple(kept), files=files, install_sites=len(sites), skipped=skipped,
                    sites=tuple(sites))
    unused_shown = tuple(unused) if config.warn_unused_ignores else ()
    return ScanResult(report, before_baseline, unused_shown, tuple(results))


def _options_for(target: Target, options: ScanOptions, config: Config, cwd: Path,
                 composed: Mapping[Path, Path]) -> ScanOptions:
    """A Dockerfile's build context: --context wins, then the config's mapping, then a compose file
    of the scan that builds it, then its folder."""
    if options.context is None and target.kind == "dockerfile":
        ctx = config.context_for(target.path, cwd=cwd) if config.context else None
        if ctx is None and composed:
            ctx = composed.get(target.path.resolve())
        if ctx is not None:
            return options._replace(context=ctx)
    return options


def _compose_contexts(targets: Sequence[Target]) -> dict[Path, Path]:
    composes = [t.path for t in targets if t.kind == "compose"]
    if not composes or not any(t.kind == "dockerfile" for t in targets):
        return {}
    from pinaudit.compose_builds import contexts

    return contexts(composes)


def _repo_root(cwd: Path) -> Path | None:
    """The enclosing git work tree, so -r includes cannot wander outside the repository."""
    here = cwd.resolve()
    for d in (here, *here.parents):
        if (d / ".git").exists():
            return d
    return None

