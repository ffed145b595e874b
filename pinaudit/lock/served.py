"""Is each locked version still what the index serves? The half of ``verify`` that asks the index
about the lock itself, not about a fresh resolution.

A lock can break without any new release: a maintainer deletes a version (PyPI, an npm
unpublish), a file is replaced under the same version (its hash no longer matches, so
``pip install --require-hashes`` refuses it), or the Debian snapshot a package was locked at
no longer has it. Each check answers with :class:`~pinaudit.lock.core.Difference` values of the
kinds ``not served`` and ``hash changed``, or an :class:`Unresolved` value when the index could
not be asked (exit 3: never "clean" without looking). "A floating site would now get a newer
version" is the other half (a fresh resolution compared with the lock) and lives in the callers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pinaudit.resolve.interface import ApkRequest, AptRequest, Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.index.http import Transport
    from pinaudit.index.interface import Index, Release

__all__ = ["Difference", "Locked", "apk_served", "apt_served", "npm_served", "pip_served"]


@dataclass(frozen=True)
class Difference:
    """One way a lock and what a build would get differ."""

    package: str
    locked: str | None  # version in the lock (None: not in it)
    fresh: str | None  # what a fresh build gets (None: no longer)
    # the index about the lock: "not served", "hash changed"; a fresh resolution against the lock:
    # "newer", "older", "added", "removed"; an image tag: "digest moved"
    kind: str
    detail: str = ""


# one locked package: (name, version, its hashes as the lock writes them)
Locked = tuple[str, str, frozenset[str]]


def _each(index: Index, pins: Sequence[Locked], where: str, hash_kind: str,
          served_hashes: Callable[[Release], set[str]]) -> list[Difference] | Unresolved:
    """Ask ``index`` about every pin; ``served_hashes(release)`` gives the hashes it serves now."""
    from pinaudit.index.interface import IndexFailure, PackageNotFound

    suffix = f" ({where})" if where else ""
    out: list[Difference] = []
    for name, version, hashes in pins:
        project = index.project(name)
        if isinstance(project, PackageNotFound):
            out.append(Difference(name, version, None, "not served", f"the index no longer has this project{suffix}"))
            continue
        if isinstance(project, IndexFailure):
            return Unresolved(f"{name}: {project.reason}", unreachable=project.unreachable, index=project.url)
        release = next((r for r in project.releases if r.version == version), None)
        if release is None:
            out.append(Difference(name, version, None, "not served", f"this version is no longer served{suffix}"))
            continue
        served = served_hashes(release)
        if hashes and served and not hashes <= served:
            gone = len(hashes - served)
            out.append(Difference(name, version, version, "hash changed",
                                  f"{gone} locked {hash_kind}{'s' if gone > 1 else ''} no longer on the index"
                                  f"{suffix}"))
    return out


def pip_served(index_url: str, pins: Sequence[Locked], transport: Transport,
               where: str = "") -> list[Difference] | Unresolved:
    """Every locked version still on the Python package index, every locked file hash still one of
    its files' (``sha256:hex``)."""
    from pinaudit.index.pypi import SimpleIndex

    return _each(SimpleIndex(index_url, transport), pins, where, "file hash",
                 lambda r: {f"{alg}:{h.lower()}" for f in r.files for alg, h in f.hashes.items()})


def npm_served(registry: str, token: str | None, pins: Sequence[Locked], transport: Transport,
               where: str = "") -> list[Difference] | Unresolved:
    """Every locked version still in its packument, with the integrity the lock recorded."""
    from pinaudit.index.npm import NpmRegistry

    return _each(NpmRegistry(registry, transport, token=token), pins, where, "integrity",
                 lambda r: {h for f in r.files for k, h in f.hashes.items() if k == "integrity"})


def apk_served(request: ApkRequest, pins: Sequence[Locked], transport: Transport,
               where: str = "") -> list[Difference] | Unresolved:
    """Every locked Alpine package still in the branch's index, with the checksum (``Q1...``) the
    lock recorded (the branch keeps one version of each: a rebuild drops the locked one)."""
    from pinaudit.index.alpine import AlpineRepository

    return _each(AlpineRepository(request.mirror, request.branch, transport, arch=request.arch), pins, where,
                 "checksum", lambda r: {f"Q1{h}" for f in r.files for k, h in f.hashes.items() if k == "Q1"})


def apt_served(request: AptRequest, pins: Sequence[tuple[str, str, datetime | None]], transport: Transport,
               where: str = "") -> list[Difference] | Unresolved:
    """Each locked Debian package at the snapshot instant the lock recorded for it (where a rebuild
    finds it), or in today's archive when the lock has no instant or no snapshot service is
    configured. Packages locked at one instant share one archive load."""
    from pinaudit.index.debian import DebianArchive

    archive = DebianArchive(request.mirror, request.suite, transport, security_mirror=request.security_mirror,
                            arch=request.arch, keyring=request.keyring, snapshot=request.snapshot,
                            target=request.target, extra_suites=(request.target,) if request.target else ())
    by_instant: dict[datetime | None, list[Locked]] = {}
    for name, version, at in pins:
        by_instant.setdefault(at if request.snapshot else None, []).append((name, version, frozenset()))
    out: list[Difference] = []
    for at, group in sorted(by_instant.items(), key=lambda kv: (kv[0] is not None, kv[0] or datetime.min)):
        view: Index = archive.as_of(at) if at is not None else archive
        shown = f"{where}, snapshot {at:%Y-%m-%dT%H:%M:%SZ}" if at is not None else where
        got = _each(view, group, shown, "hash", lambda r: set())
        if isinstance(got, Unresolved):
            return got
        out += got
    return out
