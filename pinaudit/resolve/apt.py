"""apt's choice at an instant: the candidate of the Debian suite set as the archive stood then.

Today's state comes from the mirror; a past instant from the snapshot service (the same files as
published at that moment). Without a snapshot service the past is not guessed: the request is
:class:`~pinaudit.resolve.interface.Unresolved` with "no snapshot service configured". Only the
named packages are resolved — their dependency closure (what apt would pull in beside them) is
out of scope, and every resolution says so in its notes. An exact pin (``curl=7.88.1-10+deb12u4``)
resolves to itself when the archive served it then; when it did not, the build would have failed
at that instant, and the request is unresolved with that reason.
"""

from __future__ import annotations

import threading

from pinaudit.resolve.interface import AptRequest, Outcome, Package, Resolution, Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime

    from pinaudit.index.http import Transport
    from pinaudit.index.interface import Index, Project

__all__ = ["CLOSURE_NOTE", "AptResolver"]

CLOSURE_NOTE = "apt: the named packages only; the dependencies apt would add are not resolved"


class AptResolver:
    name = "apt"

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._archives: dict[tuple[object, ...], tuple[Index, threading.Lock]] = {}
        self._lock = threading.Lock()

    def _archive(self, request: AptRequest) -> tuple[Index, threading.Lock]:
        from pinaudit.index.debian import DebianArchive

        key = (request.mirror, request.suite, request.security_mirror, request.snapshot, request.target,
               request.arch, request.keyring, request.at)
        with self._lock:
            got = self._archives.get(key)
            if got is None:
                archive: Index = DebianArchive(
                    request.mirror, request.suite, self._transport, security_mirror=request.security_mirror,
                    arch=request.arch, keyring=request.keyring, snapshot=request.snapshot, target=request.target,
                    extra_suites=(request.target,) if request.target else ())
                if request.at is not None:
                    archive = archive.as_of(request.at)
                got = self._archives[key] = (archive, threading.Lock())
            return got

    def resolve(self, request: AptRequest) -> Outcome:
        from pinaudit.index.interface import IndexFailure, NoTimeTravel

        archive, lock = self._archive(request)
        out: list[Package] = []
        for name, version in request.packages:
            with lock:  # one archive loads its Packages indexes once
                project = archive.project(name)
            if isinstance(project, NoTimeTravel):
                return Unresolved("no snapshot service configured (--debian-snapshot): the archive's past state "
                                  "cannot be known", index=project.url)
            if isinstance(project, IndexFailure):
                return Unresolved(f"{name}: {project.reason}", unreachable=project.unreachable, index=project.url)
            if version is not None:
                if version.endswith("*"):
                    served = [r.version for r in project.releases if r.version.startswith(version[:-1])]
                    if not served:
                        return Unresolved(f"{name}={version}: no such version was served then (the build fails)",
                                          index=project.index)
                    from functools import cmp_to_key

                    from pinaudit.index.debian import compare_versions

                    best = sorted(served, key=cmp_to_key(compare_versions))[-1]
                    out.append(Package(name, best, state=_state(archive, project, best)))
                    continue
                if version not in project.versions:
                    return Unresolved(f"{name}={version} was not served then (the build fails); the candidate was "
                                      f"{project.tags.get('candidate', 'none')}", index=project.index)
                out.append(Package(name, version, state=_state(archive, project, version)))
                continue
            candidate = project.tags.get("candidate")
            if candidate is None:
                return Unresolved(f"{name}: no candidate", index=project.index)
            out.append(Package(name, candidate, state=_state(archive, project, candidate)))
        return Resolution(tuple(sorted(out, key=lambda p: p.name)), (CLOSURE_NOTE,))


def _state(archive: Index, project: Project, version: str) -> datetime | None:
    """The archive state the suite serving ``version`` was read from (DebianArchive.state_of)."""
    from pinaudit.index.debian import DebianArchive

    origin = next((r.origin for r in project.releases if r.version == version), "")
    return archive.state_of(origin) if isinstance(archive, DebianArchive) and origin else None
