"""The one core function of ``pinaudit simulate``: sites -> installs -> resolutions per host -> drift.

Every install (one command or file) is resolved at every host's instant; requests are frozen
values, so two layers (or hosts) asking the same thing at the same instant share one resolution,
and the unique ones run concurrently on a bounded pool. A Python resolution at a past instant
comes from the result cache when it holds one (:mod:`pinaudit.resolve.results`); the release
dates of an install's drift are looked up as soon as its resolutions are in
(:mod:`pinaudit.simulation.released`). Nothing here prints or decides an exit
code: failures are :class:`~pinaudit.resolve.interface.Unresolved` values carried to the
:class:`~pinaudit.simulation.model.Simulation`, whose ``incomplete`` flag the CLI turns into exit 3.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pinaudit.model import Action, Ecosystem, InstallSite, Location, Pin, Span
from pinaudit.resolve.drift import change_kind, rank
from pinaudit.resolve.interface import (
    ApkRequest,
    AptRequest,
    NpmRequest,
    Outcome,
    PipRequest,
    Resolution,
    Unresolved,
)
from pinaudit.simulation.installs import Install, debian_based, group_installs, image_text
from pinaudit.simulation.model import Change, Host, Simulated, SimulateOptions, Simulation, UnresolvedSite

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.config import Config
    from pinaudit.index.http import Transport
    from pinaudit.index.select import HostConfig
    from pinaudit.resolve.results import ResultCache
    from pinaudit.simulation.released import ReleaseDates
    from pinaudit.work import Progress

__all__ = ["DEBIAN_RELEASES", "Resolvers", "install_request", "simulate"]

IMAGE_REASON = "cannot be simulated: a tag's past digest is not recorded"
# Debian stable releases (the day each became stable): the suite behind a suite-less tag such as
# python:3.11-slim at an instant is the newest one released by then
DEBIAN_RELEASES = (("buster", datetime(2019, 7, 6, tzinfo=timezone.utc)),
                   ("bullseye", datetime(2021, 8, 14, tzinfo=timezone.utc)),
                   ("bookworm", datetime(2023, 6, 10, tzinfo=timezone.utc)),
                   ("trixie", datetime(2025, 8, 9, tzinfo=timezone.utc)))

Request = PipRequest | NpmRequest | AptRequest | ApkRequest


def debian_suite_at(instant: datetime) -> str:
    suite = DEBIAN_RELEASES[0][0]
    for name, day in DEBIAN_RELEASES:
        if day <= instant:
            suite = name
    return suite


def simulate(paths: Sequence[Path], config: Config, options: SimulateOptions, *, transport: Transport,
             cwd: Path | None = None, progress: Progress | None = None,
             layer_dates: Callable[[Install], datetime | None] | None = None) -> Simulation:
    """Scan ``paths``, resolve every install at every host's instant, and compute the drift.

    ``layer_dates`` gives a ``from_git`` host its instant per install (``--cache-from-git``)."""
    from pinaudit.app import scan
    from pinaudit.index.select import HostConfig

    cwd = cwd or Path.cwd()
    result = scan(list(paths) + _compose_dockerfiles(paths), config, cwd=cwd, context=options.context)
    kinds = {r.path: r.kind for r in result.results}
    installs = group_installs(result.report.sites, kinds, cwd)
    if options.ecosystems is not None:
        installs = [i for i in installs if i.ecosystem in options.ecosystems]
    host_cfg = HostConfig(options.online)
    resolvers = Resolvers(options, transport)
    from pinaudit.simulation.released import ReleaseDates

    with ReleaseDates(transport, resolvers.results, workers=transport.settings.per_host) as dates:
        return _simulate(installs, options, resolvers, dates, host_cfg, cwd, progress, layer_dates)


def _simulate(installs: list[Install], options: SimulateOptions, resolvers: Resolvers, dates: ReleaseDates,
              host_cfg: HostConfig, cwd: Path, progress: Progress | None,
              layer_dates: Callable[[Install], datetime | None] | None) -> Simulation:

    unresolved: list[UnresolvedSite] = []
    plans: list[tuple[Install, dict[str, datetime | None], dict[str, Request | Unresolved], list[str]]] = []
    for inst in installs:
        if inst.unsupported:
            for s in inst.sites:
                unresolved.append(UnresolvedSite(s.location.path, s.location.line, inst.ecosystem, s.package, None,
                                                 inst.unsupported))
            continue
        at: dict[str, datetime | None] = {}
        requests: dict[str, Request | Unresolved] = {}
        notes: list[str] = []
        for host in options.hosts:
            instant = _instant(host, inst, options, layer_dates)
            at[host.name] = instant
            req, note = install_request(inst, instant, options, host_cfg, cwd)
            requests[host.name] = req
            if note:
                notes.append(f"{host.name}: {note}")
        plans.append((inst, at, requests, notes))

    unique = list(dict.fromkeys(r for _i, _a, reqs, _n in plans for r in reqs.values()
                                if not isinstance(r, Unresolved)))
    if progress is not None:
        progress.start(len(unique))
    answers: dict[Request, Outcome] = {}
    if any(resolvers.cached(r)[1] is None for r in unique):
        dates.prepare()  # the HTTP transport is made while the first resolution runs

    def run(req: Request) -> Outcome:
        try:
            return resolvers.resolve(req)
        except Exception as exc:  # a bug of ours on one install must not hide the others
            return Unresolved(f"internal error while resolving ({type(exc).__name__}: {exc}); please report it")
        finally:
            if progress is not None:
                progress.advance(_describe(req))

    # an install whose resolutions are all in has its drift's release dates looked up at once,
    # while the resolver works on the others
    waiting = {n: {r for r in reqs.values() if not isinstance(r, Unresolved)} for n, (_i, _a, reqs, _x) in
               enumerate(plans)}
    with ThreadPoolExecutor(max_workers=max(1, options.jobs), thread_name_prefix="pinaudit-resolve") as pool:
        futures = {pool.submit(run, req): req for req in unique}
        for future in as_completed(futures):
            req = futures[future]
            answers[req] = got = future.result()
            for n, left in waiting.items():
                if req in left:
                    left.discard(req)
                    if not left:
                        _want_dates(plans[n][2], answers, dates)
                    elif isinstance(req, PipRequest) and req.index_url and isinstance(got, Resolution):
                        # its other hosts' resolutions still run: fetch ahead for every package of
                        # this one (a months-apart comparison drifts in most of them)
                        for pkg in got.packages:
                            dates.want(req.index_url, pkg.name, (pkg.version,))
    if progress is not None:
        progress.finish()

    simulated: list[Simulated] = []
    for n, (inst, at, requests, notes) in enumerate(plans, 1):
        outcomes = {h: (r if isinstance(r, Unresolved) else answers[r]) for h, r in requests.items()}
        for o in outcomes.values():
            if isinstance(o, Resolution):
                notes += [x for x in o.notes if x not in notes]
        index = next((r.index_url or "" for r in requests.values() if isinstance(r, PipRequest)), "")
        simulated.append(Simulated(n, inst, at, outcomes, (), tuple(dict.fromkeys(notes)), index))
        for host_name, o in outcomes.items():
            if isinstance(o, Unresolved):
                for s in inst.sites:
                    if s.action is Action.REQUIREMENTS and len(inst.sites) > 1:
                        continue
                    unresolved.append(UnresolvedSite(s.location.path, s.location.line, inst.ecosystem, s.package,
                                                     host_name, o.reason, o.index, o.unreachable))
    simulated = _with_drift(simulated, options, dates)
    instants = {h.name: (options.now if h.now else h.at) for h in options.hosts if h.now or h.at}
    return Simulation(options.hosts, tuple(simulated), tuple(unresolved), options.resolver, (),
                      {k: v for k, v in instants.items() if v is not None})


def _instant(host: Host, inst: Install, options: SimulateOptions,
             layer_dates: Callable[[Install], datetime | None] | None) -> datetime | None:
    if host.from_git:
        got = layer_dates(inst) if layer_dates is not None else None
        return got  # None: never committed, a fresh build
    return None if host.now else host.at


def _describe(req: Request) -> str:
    if isinstance(req, PipRequest):
        return " ".join(req.requirements) or " ".join(Path(f).name for f in req.files)
    if isinstance(req, NpmRequest):
        return " ".join(n for n, _r in req.dependencies)
    return " ".join(n for n, _v in req.packages)


def _synthetic(inst: Install, name: str) -> InstallSite:
    """A stand-in exact site, so that online.choose_index (which answers for exact pins) tells
    where this install's index is; only its ecosystem, package and location matter there."""
    first = inst.sites[0]
    return InstallSite(Ecosystem(inst.ecosystem), Action.INSTALL, name, name, Pin.EXACT,
                       Location(first.location.path, Span.point(first.location.line)), first.installer, version="0")


def install_request(inst: Install, at: datetime | None, options: SimulateOptions, host: HostConfig,
                    cwd: Path) -> tuple[Request | Unresolved, str]:
    """The request one install makes at an instant (shared with ``pinaudit lock``), and a note.

    Where it fetches from is chosen as ``scan --online`` chooses it, from the site model: the
    command's own pip index options, apt's target suite, the stage's base image and suite."""
    from pinaudit.index.select import choose_index

    base = inst.base
    build = inst.build
    params: dict[str, Any] = {"base_image": base} if base is not None else {}
    if inst.ecosystem == "pip":
        name = next((s.package for s in inst.sites if s.package), "pip")
        index = inst.pip_index
        if index is not None:
            params.update(pip_index=index.index_url, pip_extra_indexes=index.extra_index_urls)
        choice = choose_index(_synthetic(inst, name), options.online, host, container=inst.container,
                              project_dir=inst.project_dir, **params)
        if choice is None or choice.url is None:
            return Unresolved(choice.reason if choice else "no Python package index known"), ""
        python = (build.python if build is not None else None) or options.python_version or \
            f"{sys.version_info.major}.{sys.version_info.minor}"
        musl = bool(base and "alpine" in (base.tag or "")) or bool(build and (build.suite or "").startswith("alpine"))
        return PipRequest(inst.requirements, inst.files, inst.constraints, (), inst.no_deps, choice.url,
                          choice.extra_urls, python, options.platform, musl, at, _digest(inst.files)), ""
    if inst.ecosystem == "npm":
        name = inst.npm_deps[0][0] if inst.npm_deps else "npm"
        choice = choose_index(_synthetic(inst, name), options.online, host, container=inst.container,
                              project_dir=inst.project_dir)
        if inst.npm_locked is not None:  # the lockfile answers at every instant: no registry is asked
            return NpmRequest(inst.npm_deps, (choice.url if choice else None) or "", None, inst.npm_locked), ""
        if choice is None or choice.url is None:
            return Unresolved(choice.reason if choice else "no npm registry known"), ""
        return NpmRequest(inst.npm_deps, choice.url, at, None, choice.token), ""
    if inst.ecosystem == "apt":
        note = ""
        suite = build.suite if build is not None and not (build.suite or "").startswith("alpine") else None
        if suite is None and options.online.debian_suite is None and debian_based(base):
            suite = debian_suite_at(at or options.now)
            note = f"Debian suite {suite} inferred from the release dates at {(at or options.now):%Y-%m-%d} " \
                   f"({image_text(base) or 'the base image'} names none)"
        if suite is not None:
            params["base_suite"] = suite
        if inst.apt_target is not None:
            params["apt_target"] = inst.apt_target
        name = inst.apt_packages[0][0]
        choice = choose_index(_synthetic(inst, name), options.online, host, container=inst.container, **params)
        if choice is None or choice.url is None or not choice.suite:
            return Unresolved(choice.reason if choice else "no Debian archive known"), note
        from pinaudit.online import _debian_arch

        arch = _debian_arch(options.platform) or options.online.debian_arch
        return AptRequest(inst.apt_packages, choice.url, choice.suite, choice.security_url,
                          options.online.debian_snapshot, choice.target, arch, options.online.debian_keyring,
                          at), note
    if inst.ecosystem == "apk":
        name = inst.apt_packages[0][0]
        choice = choose_index(_synthetic(inst, name), options.online, host, container=inst.container, **params)
        if choice is None or choice.url is None or not choice.suite:
            return Unresolved(choice.reason if choice else "no Alpine mirror known"), ""
        from pinaudit.online import _apk_arch

        return ApkRequest(inst.apt_packages, choice.url, choice.suite, _apk_arch(options.platform), at), ""
    return Unresolved(f"{inst.ecosystem} installs are not simulated"), ""


def _digest(files: Sequence[str]) -> str:
    h = hashlib.sha256()
    for f in files:
        try:
            h.update(Path(f).read_bytes())
        except OSError:
            h.update(b"\0missing")
    return h.hexdigest()[:16] if files else ""


class Resolvers:
    def __init__(self, options: SimulateOptions, transport: Transport) -> None:
        from pinaudit.resolve.apk import ApkResolver
        from pinaudit.resolve.apt import AptResolver
        from pinaudit.resolve.npm import NpmResolver

        self.pip: Any
        if options.resolver == "pip-tools":
            from pinaudit.resolve.piptools import PipToolsResolver

            self.pip = PipToolsResolver(options.pip, transport=transport)
        else:
            from pinaudit.resolve.uv import UvResolver

            self.pip = UvResolver(options.pip)
        self.npm = NpmResolver(transport)
        self.apt = AptResolver(transport)
        self.apk = ApkResolver(transport)
        # one Python resolver process at a time: uv (and pip) fetch in parallel themselves, and two
        # at once on one cache and two cores measured 3x slower than one after the other
        import threading

        self._pip_slot = threading.Semaphore(1)
        self._down: dict[tuple[str | None, tuple[str, ...]], Unresolved] = {}  # indexes found unreachable
        self.results: ResultCache | None = None
        if options.results is not None:
            from pinaudit.resolve.results import ResultCache

            self.results = ResultCache(options.results, now=options.now, refresh=options.pip.refresh,
                                       offline=options.pip.offline)
        self._identity: str | None = None

    def identity(self) -> str:
        """The Python resolver and its version(s): a new release may resolve differently."""
        if self._identity is None:
            from importlib.metadata import PackageNotFoundError, version

            dists = ("pip-tools", "pip") if self.pip.name == "pip-tools" else ("uv",)
            try:
                self._identity = " ".join(f"{d}=={version(d)}" for d in dists)
            except PackageNotFoundError:
                self._identity = self.pip.name
        return self._identity

    def cached(self, req: Request) -> tuple[str | None, Resolution | None]:
        """The request's key in the result cache (None: not cacheable) and the entry found there."""
        if not isinstance(req, PipRequest) or self.results is None:
            return None, None
        key = self.results.key(self.identity(), req)
        return key, self.results.get(key) if key is not None else None

    def resolve(self, req: Request) -> Outcome:
        if isinstance(req, PipRequest):
            key, hit = self.cached(req)
            if hit is not None:
                return hit
            result = self._resolve_pip(req)
            if key is not None and self.results is not None and isinstance(result, Resolution):
                self.results.put(key, result)
            return result
        if isinstance(req, NpmRequest):
            return self.npm.resolve(req)
        if isinstance(req, ApkRequest):
            return self.apk.resolve(req)
        return self.apt.resolve(req)

    def _resolve_pip(self, req: PipRequest) -> Outcome:
        key = (req.index_url, req.extra_index_urls)
        with self._pip_slot:
            # an index that could not be reached once in this run is not retried for every
            # install (each attempt costs the resolver's whole retry budget)
            if key in self._down:
                return self._down[key]
            result: Outcome = self.pip.resolve(req)
            if isinstance(result, Unresolved) and result.unreachable:
                self._down[key] = result
        return result


def _versions(res: Resolution | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if res is not None:
        for p in res.packages:
            out.setdefault(p.name, []).append(p.version)
    return out


def joined(versions: list[str] | None) -> str | None:
    return ", ".join(versions) if versions else None


def _want_dates(requests: dict[str, Request | Unresolved], answers: dict[Request, Outcome],
                dates: ReleaseDates) -> None:
    """Start the release-date lookups one pip install's drift will need."""
    pip = {h: r for h, r in requests.items() if isinstance(r, PipRequest) and r.index_url}
    resolved = {h: _versions(o) for h, r in pip.items() if isinstance(o := answers.get(r), Resolution)}
    if len(resolved) < 2:
        return
    index = next(iter(pip.values())).index_url or ""
    for name in sorted({n for v in resolved.values() for n in v}):
        per = {joined(v.get(name)) for v in resolved.values()}
        if len(per) > 1:
            dates.want(index, name, {x for v in resolved.values() for x in v.get(name, ())})


def _with_drift(simulated: list[Simulated], options: SimulateOptions, dates: ReleaseDates) -> list[Simulated]:
    """Each install's drift: packages whose versions differ between hosts that both resolved, with
    release dates (pip's come from the index, for the drifting packages only)."""
    hosts = [h.name for h in options.hosts]
    staged: list[tuple[Simulated, list[tuple[str, dict[str, str | None], str]]]] = []
    for sim in simulated:
        resolved = {h: _versions(sim.resolved(h)) for h in hosts if sim.resolved(h) is not None}
        if len(resolved) < 2:
            staged.append((sim, []))
            continue
        names = sorted({n for v in resolved.values() for n in v})
        rows: list[tuple[str, dict[str, str | None], str]] = []
        first = next(iter(resolved))
        for name in names:
            per = {h: joined(v.get(name)) for h, v in resolved.items()}
            if len(set(per.values())) == 1:
                continue
            kinds = [change_kind(sim.install.ecosystem, _top(resolved[first].get(name)), _top(resolved[h].get(name)))
                     for h in resolved if h != first]
            kinds = [k for k in kinds if k != "same"] or ["patch"]
            rows.append((name, per, min(kinds, key=rank)))
            index = _pip_index(sim)
            if sim.install.ecosystem == "pip" and index:
                dates.want(index, name, {x for v in resolved.values() for x in v.get(name, ())})
        staged.append((sim, rows))
    out: list[Simulated] = []
    for sim, rows in staged:
        changes = []
        for name, per, kind in rows:
            released: dict[str, datetime | None] = {}
            for h, v in per.items():
                res = sim.resolved(h)
                pkg = res.package(name) if res else None
                when = pkg.released if pkg and pkg.version == v else None
                if when is None and v and sim.install.ecosystem == "pip" and _pip_index(sim):
                    when = dates.get(_pip_index(sim) or "", name, v)
                released[h] = when
            changes.append(Change(name, per, kind, released))
        changes.sort(key=lambda c: (rank(c.change), c.package))
        out.append(replace(sim, drift=tuple(changes)))
    return out


def _top(versions: list[str] | None) -> str | None:
    if not versions:
        return None
    return versions[-1]


def _pip_index(sim: Simulated) -> str | None:
    return sim.index or None


def _compose_dockerfiles(paths: Sequence[Path]) -> list[Path]:
    """The Dockerfiles a compose file's ``build:`` sections name (a compose PATH stands for them)."""
    from pinaudit.compose_builds import compose_builds
    from pinaudit.discover import kind_of

    out: list[Path] = []
    for p in paths:
        if p.is_file() and kind_of(p) == "compose":
            out.extend(d for d, _context in compose_builds(p) if d not in out)
    return out
