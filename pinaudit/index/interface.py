"""The index layer's one small interface: what an index knows about a package, and how it failed.

Every index kind (PyPI-compatible Simple API, npm registry, Debian archive, OCI registry) answers
the same question — "which releases do you have for NAME, when did each appear, is it yanked or
deprecated, what are its files, hashes and dependencies" — with the frozen values below. A lookup
that could not be answered is a *value* too (:class:`IndexFailure`), carrying the URL (credentials
masked) and the reason, so one unreachable index never aborts a run and the report can say what
was left unchecked (pip-audit's ``SkippedDependency`` lesson). Exit code 3 is decided once, at the
edge, from those values.

:class:`AsOf` is the "cached layer" view (pip-tools' wrapper-repository idea): the same index with
everything uploaded after an instant hidden. An index that gives no upload times cannot travel in
time, and says so (:class:`NoTimeTravel`) instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Protocol, runtime_checkable

__all__ = [
    "AsOf",
    "Dependency",
    "DistFile",
    "Index",
    "IndexFailure",
    "IndexUnavailable",
    "NoTimeTravel",
    "PackageNotFound",
    "Project",
    "Release",
    "is_failure",
    "release_dependencies",
]

_EMPTY: Mapping[str, str] = MappingProxyType({})


# ---- failures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexFailure:
    """Why a question could not be answered. ``url`` is always display-safe (credentials masked)."""

    url: str
    reason: str

    kind = "index failure"

    def message(self) -> str:
        return f"{self.url}: {self.reason}"

    @property
    def unreachable(self) -> bool:
        """Does this failure mean "could not look" (exit 3), rather than an answer ("not there")?"""
        return True


@dataclass(frozen=True)
class IndexUnavailable(IndexFailure):
    """The index could not be reached or answered with something unusable (after retries)."""

    kind = "index unavailable"


@dataclass(frozen=True)
class PackageNotFound(IndexFailure):
    """The index answered, and it has no such package: an answer, not an outage."""

    name: str = ""
    kind = "package not found"

    @property
    def unreachable(self) -> bool:
        return False


@dataclass(frozen=True)
class NoTimeTravel(IndexFailure):
    """The index gives no upload times (or no snapshot service is configured): the state on a past
    date cannot be known, and we will not guess it."""

    kind = "no time travel possible"


class IndexLookupError(Exception):
    """Raised inside the layer (transport, parsers) and turned into the failure value at the
    :class:`Index` boundary; never escapes a client's public methods."""

    def __init__(self, failure: IndexFailure) -> None:
        super().__init__(failure.message())
        self.failure = failure


def is_failure(value: object) -> bool:
    return isinstance(value, IndexFailure)


# ---- values -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dependency:
    """One declared dependency of a release: a PEP 508 string for pip, ``name``/``range`` for npm,
    a Depends clause for Debian."""

    name: str
    spec: str = ""  # "requests>=2; python_version>'3.8'" for pip, "^1.2.0" for npm
    kind: str = "runtime"  # npm: "runtime", "optional", "peer"; pip: extra name or "runtime"


@dataclass(frozen=True)
class DistFile:
    """A downloadable file of a release: wheel, sdist, npm tarball, .deb, image manifest."""

    filename: str
    url: str  # absolute, credentials masked
    hashes: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # "sha256" -> hex; npm "integrity"
    uploaded: datetime | None = None  # PEP 700 upload-time; npm publish time; None when unknown
    yanked: str | None = None  # None: not yanked; "" yanked without reason; else the reason
    requires_python: str | None = None
    metadata_hashes: Mapping[str, str] | None = None  # PEP 658: None = no separate metadata file
    size: int | None = None


@dataclass(frozen=True)
class Release:
    """One version of a package as the index serves it."""

    version: str
    uploaded: datetime | None = None  # the earliest upload among its files (pip), publish time (npm)
    yanked: str | None = None  # PyPI: None when any file is still not yanked (pip's rule)
    deprecated: str | None = None  # npm's deprecation message
    files: tuple[DistFile, ...] = ()
    dependencies: tuple[Dependency, ...] | None = None  # None: not known without another request
    origin: str = ""  # Debian: the suite that serves it ("bookworm-security"); npm/pip: ""
    priority: int = 500  # Debian: apt pin priority of its suite (backports 100)


@dataclass(frozen=True)
class Project:
    """Everything one index serves under one name."""

    name: str
    ecosystem: str  # "pip", "npm", "apt", "image"
    index: str  # the index URL, credentials masked: findings carry it
    releases: tuple[Release, ...]
    tags: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # npm dist-tags; apt {"candidate": version}
    time_travel: bool = True  # every release carries an upload time
    warnings: tuple[str, ...] = ()  # e.g. "Valid-Until passed" for a live Debian archive

    def release(self, version: str) -> Release | None:
        for r in self.releases:
            if r.version == version:
                return r
        return None

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(r.version for r in self.releases)


# ---- the interface ------------------------------------------------------------------------------


@runtime_checkable
class Index(Protocol):
    """What every index client offers. Implementations never raise for the network or for what
    the index sends: every failure is returned as an :class:`IndexFailure` value."""

    @property
    def url(self) -> str:
        """The index location, credentials masked (what messages and findings show)."""
        ...

    def project(self, name: str) -> Project | IndexFailure:
        """All releases of ``name`` (today's state)."""
        ...

    def dependencies(self, name: str, version: str) -> tuple[Dependency, ...] | IndexFailure:
        """The dependencies ``version`` of ``name`` declares (PEP 658 metadata, packument, ...)."""
        ...

    def as_of(self, instant: datetime) -> Index:
        """This index as it was at ``instant`` (UTC-aware): later uploads hidden, or a snapshot."""
        ...


class AsOf:
    """``index`` with every release uploaded after ``instant`` hidden: what a months-old cached
    layer saw. Works for any index whose releases carry upload times; for one that gives none,
    every lookup is :class:`NoTimeTravel` (never a guess).

    For pip a release appeared when its first file was uploaded; a file without an upload time
    cannot be placed in time, so it is dropped from the past view (uv's ``--exclude-newer`` does
    the same). npm dist-tags are rewritten: ``latest`` becomes the newest non-prerelease that was
    published by then (the registry keeps no history of tags)."""

    def __init__(self, index: Index, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("AsOf needs a timezone-aware instant")
        self._index = index
        self.instant = instant

    @property
    def url(self) -> str:
        return self._index.url

    def project(self, name: str) -> Project | IndexFailure:
        got = self._index.project(name)
        if isinstance(got, IndexFailure):
            return got
        if not got.time_travel and not any(r.uploaded for r in got.releases):
            return NoTimeTravel(got.index, f"the index gives no upload times for {name!r}: its state on "
                                           f"{self.instant:%Y-%m-%d} cannot be known")
        kept: list[Release] = []
        for r in got.releases:
            files = tuple(f for f in r.files if f.uploaded is not None and f.uploaded <= self.instant)
            if r.files and not files:
                continue
            if not r.files and (r.uploaded is None or r.uploaded > self.instant):
                continue
            uploaded = min((f.uploaded for f in files if f.uploaded), default=r.uploaded)
            # a yank cannot be dated: today's flag is kept (pip skips yanked releases for ranges)
            kept.append(replace(r, files=files, uploaded=uploaded))
        tags = dict(got.tags)
        if got.ecosystem == "npm":
            tags = _npm_tags_as_of(got.tags, kept)
        return replace(got, releases=tuple(kept), tags=MappingProxyType(tags))

    def dependencies(self, name: str, version: str) -> tuple[Dependency, ...] | IndexFailure:
        return self._index.dependencies(name, version)

    def as_of(self, instant: datetime) -> Index:
        return AsOf(self._index, instant)


def release_dependencies(index: Index, name: str, version: str, missing: str) -> tuple[Dependency, ...] | IndexFailure:
    """Dependencies as the project page already lists them per release (npm packuments, Debian and
    Alpine indexes): the project's lookup, then the release; ``missing`` says why when it is not
    there, in the index's own words."""
    proj = index.project(name)
    if isinstance(proj, IndexFailure):
        return proj
    rel = proj.release(version)
    if rel is None:
        return PackageNotFound(index.url, missing, name=name)
    return rel.dependencies or ()


def _npm_tags_as_of(tags: Mapping[str, str], kept: list[Release]) -> dict[str, str]:
    present = {r.version for r in kept}
    out = {k: v for k, v in tags.items() if k != "latest" and v in present}
    stable = [r for r in kept if "-" not in r.version and r.uploaded is not None]
    if stable:
        out["latest"] = max(stable, key=lambda r: r.uploaded or datetime.min).version
    return out
