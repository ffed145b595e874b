"""``pinaudit.lock`` beside a Dockerfile: for every install site, the exact set it resolves to.

pip with hashes (through the same backend as requirements locks), npm with integrity, apt with
the snapshot service's own timestamp for the archive state each package was resolved from (an
exact apt pin rots within days; a rebuild can still find the version in that snapshot), apk with
the branch index's checksums and state (now only: Alpine has no snapshot service), image tags
with their digests, and each install's index (credentials masked). The instant the lock stands
for is the ``--at``/``--cooldown`` instant, else the index state used (the newest upload among
what was resolved, the newest archive state), never the wall clock: locking twice without index
changes yields no diff.

The Dockerfile is read as a build with the configured build args and build context would read
it; its sites become requests through :func:`pinaudit.simulation.run.install_request`, the code
``simulate`` uses; a failed resolution is an :class:`Unresolved` value.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from pinaudit.resolve.interface import ApkRequest, AptRequest, NpmRequest, PipRequest, Resolution, Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.config import Config
    from pinaudit.index.http import Transport
    from pinaudit.index.select import OnlineOptions
    from pinaudit.resolve._pip import PipSettings
    from pinaudit.simulation.installs import Install
    from pinaudit.simulation.model import SimulateOptions
    from pinaudit.simulation.run import Request

__all__ = ["DockerLock", "DockerLockOptions", "LockedImage", "LockedInstall", "LockedPackage", "install_requests",
           "lock_dockerfile"]


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str
    hashes: tuple[str, ...] = ()  # pip "sha256:…"; npm its integrity
    snapshot: str | None = None  # apt: the instant it was resolved at


@dataclass(frozen=True)
class LockedInstall:
    line: int
    ecosystem: str
    command: str
    index: str  # credentials masked
    packages: tuple[LockedPackage, ...]
    python: str | None = None
    platform: str | None = None
    suite: str | None = None  # apt: the Debian suite; apk: the Alpine branch
    state: str | None = None  # apk: the index state read (its newest build), RFC 3339


@dataclass(frozen=True)
class LockedImage:
    """One image site: ``digest`` is what a ``FROM …@sha256:`` pin carries (the multi-arch index's,
    or a single-platform image's manifest): what ``fix`` writes and ``verify`` compares;
    ``platform_digest`` the manifest ``platform`` pulls from it (what a built image's base is).
    A v1 lock recorded only the platform's manifest: read back with ``digest`` None."""

    line: int
    reference: str
    digest: str | None
    platform: str | None = None
    platform_digest: str | None = None


@dataclass(frozen=True)
class DockerLock:
    dockerfile: Path
    instant: datetime | None
    instant_source: str
    installs: tuple[LockedInstall, ...]
    images: tuple[LockedImage, ...]
    left_out: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class DockerLockOptions:
    online: OnlineOptions
    pip: PipSettings
    now: datetime
    at: datetime | None = None
    at_source: str = ""
    ecosystems: frozenset[str] | None = None
    backend: str = "uv"
    python_version: str | None = None
    platform: str = "linux/amd64"
    # requirements files this run is re-locking: a Dockerfile that installs one is locked with
    # the new text, so that one run gives what a second run would (byte-identical locks)
    overrides: Mapping[Path, str] = field(default_factory=dict)
    config: Config | None = None  # its build args and build contexts apply, as for scan
    context: Path | None = None  # --context


def _installs(path: Path, cwd: Path, options: DockerLockOptions) -> list[Install]:
    """The Dockerfile's installs as a build with the configured build args and context sees them."""
    from pinaudit.app import scan
    from pinaudit.config import Config as Default
    from pinaudit.simulation.installs import group_installs

    result = scan([path], options.config or Default(), cwd=cwd, context=options.context)
    return group_installs(result.report.sites, {r.path: r.kind for r in result.results}, cwd)


def _simulate_options(options: DockerLockOptions) -> SimulateOptions:
    from pinaudit.simulation.model import SimulateOptions

    return SimulateOptions((), options.online, options.pip, options.now, options.ecosystems, options.backend,
                           options.python_version, options.platform)


def install_requests(path: Path, cwd: Path, options: DockerLockOptions) -> dict[tuple[int, str], Request]:
    """(line, ecosystem) -> what each install of the Dockerfile asks which index (unmasked URLs,
    the snapshot service, the suite), as a lock would ask it; nothing is resolved. ``verify``
    asks the same indexes whether the locked versions are still served."""
    from pinaudit.index.select import HostConfig
    from pinaudit.simulation.run import install_request

    sim = _simulate_options(options)
    host = HostConfig(options.online)
    out: dict[tuple[int, str], Request] = {}
    for inst in _installs(path, cwd, options):
        if inst.unsupported or inst.ecosystem not in ("pip", "npm", "apt", "apk"):
            continue
        req, _note = install_request(inst, None, sim, host, cwd)
        if not isinstance(req, Unresolved):
            out[(inst.line, inst.ecosystem)] = req
    return out


def lock_dockerfile(path: Path, cwd: Path, options: DockerLockOptions,
                    transport: Transport) -> DockerLock | Unresolved:
    """Resolve every install of one Dockerfile; the first failure is returned as the value."""
    from pinaudit.index.http import mask_url
    from pinaudit.index.select import HostConfig
    from pinaudit.resolve.dates import format_instant
    from pinaudit.simulation.run import install_request

    installs = _installs(path, cwd, options)
    sim = _simulate_options(options)
    host = HostConfig(options.online)
    locked: list[LockedInstall] = []
    images: list[LockedImage] = []
    left_out: list[str] = []
    released: list[datetime] = []
    states: list[datetime] = []  # apt: the archive states resolved from
    for inst in installs:
        where = f"{inst.path}:{inst.line}"
        if options.ecosystems is not None and inst.ecosystem not in options.ecosystems:
            left_out.append(f"{where}: {inst.ecosystem} (left out by --ecosystem)")
            continue
        if inst.ecosystem == "image":
            for s in inst.sites:
                got = _image(s.spec or s.package or "", _platform(s.image.platform if s.image else None, options),
                             transport, options)
                if isinstance(got, Unresolved):
                    return replace(got, reason=f"{where}: {got.reason}")
                if got is None:
                    left_out.append(f"{s.location.path}:{s.location.line}: image {s.spec}: a stage or scratch")
                else:
                    images.append(replace(got, line=s.location.line))
            continue
        if inst.unsupported:
            left_out.append(f"{where}: {inst.ecosystem}: {inst.unsupported}")
            continue
        req, _note = install_request(inst, options.at, sim, host, cwd)
        if isinstance(req, Unresolved):
            return replace(req, reason=f"{where}: {req.reason}")
        command = inst.heading or where
        if isinstance(req, PipRequest):
            got_pip = _pip(req, options)
            if isinstance(got_pip, Unresolved):
                return replace(got_pip, reason=f"{where}: {got_pip.reason}")
            released += _pip_uploads(got_pip, req.index_url or "", transport)
            locked.append(LockedInstall(inst.line, "pip", command, mask_url(req.index_url or ""), got_pip,
                                        req.python_version, req.platform + ("/musl" if req.musl else "")))
        elif isinstance(req, NpmRequest):
            got_npm = _npm(req, transport, released)
            if isinstance(got_npm, Unresolved):
                return replace(got_npm, reason=f"{where}: {got_npm.reason}")
            locked.append(LockedInstall(inst.line, "npm", command, mask_url(req.registry), got_npm))
        elif isinstance(req, AptRequest):
            got_apt = _apt(req, options, transport)
            if isinstance(got_apt, Unresolved):
                return replace(got_apt, reason=f"{where}: {got_apt.reason}")
            states += [p.state for p in got_apt.packages if p.state]
            locked.append(LockedInstall(inst.line, "apt", command, mask_url(req.mirror), _apt_locked(got_apt, req),
                                        suite=req.suite))
        elif isinstance(req, ApkRequest):
            got_apk = _apk(req, transport)
            if isinstance(got_apk, Unresolved):
                return replace(got_apk, reason=f"{where}: {got_apk.reason}")
            packages, state = got_apk
            locked.append(LockedInstall(inst.line, "apk", command, mask_url(req.mirror), packages, suite=req.branch,
                                        state=format_instant(state) if state else None))
            states += [state] if state else []
    instant, source = options.at, options.at_source
    if instant is None and (released or states):
        instant = max([*released, *states])
        source = "the newest upload among what was resolved" if instant in released else \
            "the archive state resolved from (Debian snapshot timestamp, Alpine index build)"
    return DockerLock(path, instant, source or "unknown (the indexes gave no upload times)", tuple(locked),
                      tuple(images), tuple(left_out))


def _apt(req: AptRequest, options: DockerLockOptions, transport: Transport) -> Resolution | Unresolved:
    """apt's candidates; with a snapshot service, read through it even for "now" (asked for this
    instant, answered under the snapshot's own timestamp), so that the lock records the snapshot
    a rebuild finds each version in, and two locks without index changes are the same bytes."""
    from pinaudit.resolve.apt import AptResolver

    if req.at is None and req.snapshot:
        req = replace(req, at=options.now)
    return AptResolver(transport).resolve(req)


def _apk(req: ApkRequest, transport: Transport) -> tuple[tuple[LockedPackage, ...], datetime | None] | Unresolved:
    """apk's candidates today (a lock --at a past instant cannot be made for Alpine: no snapshot
    source exists), with each package's checksum from the index, and the index state read."""
    from pinaudit.resolve.apk import ApkResolver

    resolver = ApkResolver(transport)
    got = resolver.resolve(req)
    if isinstance(got, Unresolved):
        return got
    repo = resolver.repository(req)
    packages: list[LockedPackage] = []
    for p in got.packages:
        project = repo.project(p.name)
        release = next((r for r in getattr(project, "releases", ()) if r.version == p.version), None)
        sums = tuple(sorted({f"Q1{h}" for f in (release.files if release else ()) for k, h in f.hashes.items()
                             if k == "Q1"}))
        packages.append(LockedPackage(p.name, p.version, sums))
    return tuple(packages), max((p.state for p in got.packages if p.state), default=None)


def _apt_locked(got: Resolution, req: AptRequest) -> tuple[LockedPackage, ...]:
    from pinaudit.resolve.dates import format_instant

    # a live mirror's Release date is no snapshot: recorded only where a snapshot service answered
    return tuple(LockedPackage(p.name, p.version, snapshot=format_instant(p.state) if p.state and req.snapshot
                               else None) for p in got.packages)


def _pip(req: PipRequest, options: DockerLockOptions) -> tuple[LockedPackage, ...] | Unresolved:
    from pinaudit.lock.compile import CompileRequest, compile_requirements
    from pinaudit.lock.reqfile import parse_lock

    with tempfile.TemporaryDirectory(prefix="pinaudit-lock-") as tmp:
        folder = Path(tmp)
        files: list[Path] = []
        for n, f in enumerate(req.files):
            real = Path(f).resolve()
            if real in options.overrides:
                real = folder / f"locked-{n}.txt"
                real.write_text(options.overrides[Path(f).resolve()], encoding="utf-8")
            files.append(real)
        lines = [*req.requirements, *(f"-r {f}" for f in files),
                 *(f"-c {folder / 'constraints.txt'}" for _ in [0] if req.constraints)]
        if req.constraints:
            (folder / "constraints.txt").write_text("\n".join(req.constraints) + "\n", encoding="utf-8")
        (folder / "requirements.in").write_text("\n".join(lines) + "\n", encoding="utf-8")
        got = compile_requirements(CompileRequest(folder / "requirements.in", req.python_version, (req.platform,),
                                                  req.musl, req.index_url, req.extra_index_urls, req.at,
                                                  options.backend), options.pip)
    if isinstance(got, Unresolved):
        return got
    return tuple(LockedPackage(p.name, p.version, tuple(sorted(p.hashes))) for p in parse_lock(got.body).pins)


def _pip_uploads(pins: Sequence[LockedPackage], index: str, transport: Transport) -> list[datetime]:
    from pinaudit.index.pypi import SimpleIndex

    if not index:
        return []
    client = SimpleIndex(index, transport)
    out: list[datetime] = []
    for p in pins:
        project = client.project(p.name)
        release = next((r for r in getattr(project, "releases", ()) if r.version == p.version), None)
        if release is not None and release.uploaded is not None:
            out.append(release.uploaded)
    return out


def _npm(req: NpmRequest, transport: Transport, released: list[datetime]) -> tuple[LockedPackage, ...] | Unresolved:
    from pinaudit.index.npm import NpmRegistry
    from pinaudit.resolve.npm import NpmResolver

    got = NpmResolver(transport).resolve(req)
    if not isinstance(got, Resolution):
        return got
    registry = NpmRegistry(req.registry, transport, token=req.token)
    out: list[LockedPackage] = []
    for p in got.packages:
        if p.released:
            released.append(p.released)
        project = registry.project(p.name)
        release = next((r for r in getattr(project, "releases", ()) if r.version == p.version), None)
        integrity = tuple(sorted({h for f in (release.files if release else ()) for k, h in f.hashes.items()
                                  if k == "integrity"}))
        out.append(LockedPackage(p.name, p.version, integrity))
    return tuple(out)


def _platform(asked: str | None, options: DockerLockOptions) -> str:
    """The platform an image site pulls: its ``FROM --platform=`` when literal, else the lock's."""
    if asked and "$" not in asked and asked.startswith("linux/"):
        return asked
    return options.platform


def _image(spec: str, platform: str, transport: Transport,
           options: DockerLockOptions) -> LockedImage | Unresolved | None:
    """Both digests of one image reference (a pinned one is looked up by its digest, which also
    checks that the registry still serves it)."""
    from pinaudit.images import parse_image
    from pinaudit.index.interface import IndexFailure, PackageNotFound
    from pinaudit.index.oci import ImageRegistry

    ref = parse_image(spec)
    if not spec or spec == "scratch" or "$" in spec:
        return None
    got = ImageRegistry(transport, hub_registry=options.online.image_registry).pin(ref, platform)
    if isinstance(got, IndexFailure):
        return Unresolved(got.reason, unreachable=not isinstance(got, PackageNotFound), index=got.url)
    return LockedImage(0, spec, ref.digest or got.digest, platform, got.platform_digest)
