"""npm resolution over packuments and publish times: npm's own rules, not a home-made policy.

Picking one version for one dependency is ``npm-pick-manifest``'s rule with ``--before T``: a
tag (``latest``, ``next``) takes that tag's version if it was published by T, else the highest
version ``<=`` it published by T; a range first tries the ``latest`` dist-tag (when it satisfies
the range, was published by T and is not deprecated), else the highest satisfying version
published by T, non-deprecated versions first. A version without a publish time counts as
published (npm does the same).

The tree is built as npm's arborist builds it, in the essentials that decide *which versions*
are installed: nodes are processed by depth, then path; a dependency already reachable up the
tree that satisfies the range is reused; otherwise the picked version goes as high as it can
(the root when no conflicting copy is in the way), else it is nested under the dependent. Peer and
optional dependencies are installed like others (npm >= 7); ``engines``, ``os`` and ``cpu`` are not
evaluated (the image's Node version is not known). The answer is the set of name@version pairs
(one name may appear in several versions when a conflict nests a copy).
"""

from __future__ import annotations

import heapq
import threading
from dataclasses import dataclass, field
from datetime import datetime

from pinaudit.resolve.interface import NpmRequest, Outcome, Package, Resolution, Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.index.http import Transport
    from pinaudit.index.interface import IndexFailure, Project, Release

__all__ = ["NpmResolver", "pick_version"]

MAX_NODES = 20000  # a runaway tree is a bug or a hostile registry, not an install


def _satisfies(version: str, spec: str) -> bool:
    import nodesemver

    try:
        return bool(nodesemver.satisfies(version, spec, loose=True))
    except (ValueError, TypeError):
        return False


def _is_range(spec: str) -> bool:
    import nodesemver

    try:
        return nodesemver.valid_range(spec, loose=True) is not None
    except (ValueError, TypeError):
        return False


def _valid(version: str) -> bool:
    import nodesemver

    try:
        return nodesemver.valid(version, loose=True) is not None
    except (ValueError, TypeError):
        return False


def _before(release: Release | None, at: datetime | None) -> bool:
    return release is None or at is None or release.uploaded is None or release.uploaded <= at


def pick_version(project: Project, spec: str, at: datetime | None) -> str | None:
    """npm-pick-manifest's choice for ``spec`` (a range, an exact version or a dist-tag) at ``at``."""
    import nodesemver

    spec = spec.strip() or "latest"
    by_version = {r.version: r for r in project.releases}
    tags = project.tags
    if not _is_range(spec):  # a dist-tag
        ver = tags.get(spec)
        if ver is None:
            return None
        if _before(by_version.get(ver), at):
            return ver if ver in by_version else None
        return pick_version(project, f"<={ver}", at)
    clean = nodesemver.clean(spec, loose=True) if _valid(spec) else None
    if clean is not None:  # an exact version: that one, if it existed by then
        return clean if clean in by_version and _before(by_version[clean], at) else None
    default = tags.get("latest")
    if default and default in by_version and _satisfies(default, spec):
        r = by_version[default]
        if _before(r, at) and not r.deprecated:
            return default
    candidates = [r for r in project.releases if _before(r, at) and _valid(r.version) and _satisfies(r.version, spec)]
    if not candidates:
        return None
    best_live = [r for r in candidates if not r.deprecated] or candidates
    return str(nodesemver.max_satisfying([r.version for r in best_live], spec, loose=True) or best_live[-1].version)


@dataclass(eq=False)
class _Node:
    name: str
    version: str
    parent: _Node | None
    depth: int
    path: str
    children: dict[str, _Node] = field(default_factory=dict)


class NpmResolver:
    """:class:`~pinaudit.resolve.interface.Resolver` for npm requests, over the registry's
    packuments (one :class:`~pinaudit.index.npm.NpmRegistry` per registry URL, shared by every
    resolution of the run, so each packument is fetched once)."""

    name = "npm"

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._registries: dict[tuple[str, str | None], object] = {}
        self._lock = threading.Lock()

    def _project(self, request: NpmRequest, name: str) -> Project | IndexFailure:
        from pinaudit.index.npm import NpmRegistry

        key = (request.registry, request.token)
        with self._lock:
            registry = self._registries.get(key)
            if registry is None:
                registry = self._registries[key] = NpmRegistry(request.registry, self._transport, token=request.token)
        assert isinstance(registry, NpmRegistry)
        return registry.project(name)

    def resolve(self, request: NpmRequest) -> Outcome:
        if request.locked is not None:
            pkgs = tuple(Package(n, v) for n, v in sorted(set(request.locked)))
            return Resolution(pkgs, ("npm: the lockfile's versions, the same at every instant (npm ci installs "
                                     "exactly the lockfile)",))
        try:
            return self._tree(request)
        except _Failed as exc:
            return exc.unresolved

    def _tree(self, request: NpmRequest) -> Resolution:
        from pinaudit.index.interface import IndexFailure

        root = _Node("", "", None, 0, "")
        queue: list[tuple[int, str, int, tuple[tuple[str, str], ...], _Node]] = []
        counter = 0
        heapq.heappush(queue, (0, "", counter, tuple(sorted(request.dependencies)), root))
        released: dict[tuple[str, str], datetime | None] = {}
        nodes = 0
        while queue:
            _depth, _path, _n, deps, node = heapq.heappop(queue)
            for name, spec in deps:
                found = self._lookup(node, name)
                if found is not None and _satisfies(found.version, spec or "*"):
                    continue
                project = self._project(request, name)
                if isinstance(project, IndexFailure):
                    raise _Failed(Unresolved(f"{name}: {project.reason}", unreachable=project.unreachable,
                                             index=project.url))
                version = pick_version(project, spec or "latest", request.at)
                if version is None:
                    when = f" published by {request.at:%Y-%m-%d}" if request.at else ""
                    raise _Failed(Unresolved(f"no version of {name} matching {spec!r}{when}", index=project.index))
                target = self._target(node, found)
                if name in target.children and target.children[name].version == version:
                    continue
                child = _Node(name, version, target, target.depth + 1,
                              f"{target.path}/node_modules/{name}" if target.path else f"node_modules/{name}")
                target.children[name] = child
                nodes += 1
                if nodes > MAX_NODES:
                    raise _Failed(Unresolved(f"the dependency tree grew past {MAX_NODES} packages; stopped"))
                release = project.release(version)
                released[(name, version)] = release.uploaded if release else None
                child_deps = tuple(sorted((d.name, d.spec) for d in (release.dependencies or ()))) if release else ()
                counter += 1
                heapq.heappush(queue, (child.depth, child.path, counter, child_deps, child))
        pkgs = sorted({(n, v) for (n, v) in released})
        return Resolution(tuple(Package(n, v, released[(n, v)]) for n, v in pkgs))

    @staticmethod
    def _lookup(node: _Node, name: str) -> _Node | None:
        """What ``require(name)`` from ``node`` finds: its own node_modules, then each ancestor's."""
        here: _Node | None = node
        while here is not None:
            if name in here.children:
                return here.children[name]
            here = here.parent
        return None

    @staticmethod
    def _target(node: _Node, conflict: _Node | None) -> _Node:
        """The shallowest place a new copy is found from ``node``: the root when no copy is in the
        way, else just below the ancestor holding the conflicting copy (the dependent itself at
        worst)."""
        chain: list[_Node] = []
        here: _Node | None = node
        while here is not None:
            chain.append(here)
            here = here.parent
        if conflict is None or conflict.parent is None:
            return chain[-1]
        holder = conflict.parent
        below = chain[: chain.index(holder)] if holder in chain else chain[:1]
        return below[-1] if below else node


class _Failed(Exception):
    def __init__(self, unresolved: Unresolved) -> None:
        super().__init__(unresolved.reason)
        self.unresolved = unresolved
