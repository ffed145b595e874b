"""apk's choice: the version an Alpine branch serves today, for "now" only.

An Alpine branch's ``APKINDEX`` keeps one version of each package and no public service records
its past states (Debian has a snapshot archive; Alpine has none), so a past instant is never
estimated: the request is :class:`~pinaudit.resolve.interface.Unresolved` with that reason. As for
apt, only the named packages are resolved, and each resolution says so. Each package carries its
build time (``t:``) as ``released`` and the index state read (the newest build in the branch's
indexes) as ``state``: what a lock records as the instant it stands for.
"""

from __future__ import annotations

import threading

from pinaudit.resolve.interface import ApkRequest, Outcome, Package, Resolution, Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.index.alpine import AlpineRepository
    from pinaudit.index.http import Transport

__all__ = ["CLOSURE_NOTE", "NO_HISTORY", "ApkResolver"]

CLOSURE_NOTE = "apk: the named packages only; the dependencies apk would add are not resolved"
NO_HISTORY = ("no snapshot source exists for Alpine: a branch's index keeps one version of each package and no "
              "service records its past, so what it served then cannot be known")


class ApkResolver:
    name = "apk"

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._repos: dict[tuple[str, str, str], tuple[AlpineRepository, threading.Lock]] = {}
        self._lock = threading.Lock()

    def repository(self, request: ApkRequest) -> AlpineRepository:
        """The branch index a request is answered from (loaded once per run)."""
        return self._repo(request)[0]

    def _repo(self, request: ApkRequest) -> tuple[AlpineRepository, threading.Lock]:
        from pinaudit.index.alpine import AlpineRepository

        key = (request.mirror, request.branch, request.arch)
        with self._lock:
            got = self._repos.get(key)
            if got is None:
                got = self._repos[key] = (AlpineRepository(request.mirror, request.branch, self._transport,
                                                           arch=request.arch), threading.Lock())
            return got

    def resolve(self, request: ApkRequest) -> Outcome:
        from pinaudit.index.alpine import apk_version_key
        from pinaudit.index.interface import IndexFailure

        repo, lock = self._repo(request)
        if request.at is not None:
            return Unresolved(NO_HISTORY, index=repo.url)
        out: list[Package] = []
        for name, version in request.packages:
            with lock:  # one branch loads its indexes once
                project = repo.project(name)
            if isinstance(project, IndexFailure):
                return Unresolved(f"{name}: {project.reason}", unreachable=project.unreachable, index=project.url)
            served = {r.version: r for r in project.releases}
            if version is None:
                chosen = project.tags.get("candidate")
            elif version.endswith("*"):
                matching = [v for v in served if v.startswith(version[:-1])]
                chosen = max(matching, key=apk_version_key) if matching else None
            else:
                chosen = version if version in served else None
            if chosen is None:
                return Unresolved(f"{name}{'=' + version if version else ''}: not served by {request.branch} (the "
                                  f"build fails); the candidate is {project.tags.get('candidate', 'none')}",
                                  index=project.index)
            out.append(Package(name, chosen, served[chosen].uploaded, repo.state))
        return Resolution(tuple(sorted(out, key=lambda p: p.name)), (CLOSURE_NOTE,))
