"""The resolve layer's one small interface: requests, results and the failure value.

A request says *what* to install (requirement lines, files, constraints, packages), *from where*
(the index the site would use, chosen by :mod:`pinaudit.index.select`) and *when* (an instant, or None
for "now": a fresh build today). A resolver answers with a :class:`Resolution` (every package
the install would get, with its release instant where the index says it) or an
:class:`Unresolved` value carrying the reason (pip-audit's ``SkippedDependency`` lesson): one
failed resolution never aborts a run, and exit 3 is decided once, at the edge, from the
``unreachable`` flags.

Requests are frozen and hashable: two sites that ask the same thing at the same instant share one
resolution (the simulation keys its work by request).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

__all__ = [
    "ApkRequest",
    "AptRequest",
    "NpmRequest",
    "Outcome",
    "Package",
    "PipRequest",
    "Resolution",
    "ResolveError",
    "Resolver",
    "Unresolved",
]


class ResolveError(Exception):
    """Raised inside the layer (a resolver's output we cannot read) and turned into an
    :class:`Unresolved` value at the resolver's boundary; never escapes ``resolve``."""


@dataclass(frozen=True)
class Package:
    """One package an install gets. ``name`` is normalised (PEP 503 for pip; as published for npm
    and Debian); ``released`` is the upload/publish instant when the index gives one."""

    name: str
    version: str
    released: datetime | None = None
    # apt: the instant of the archive state it was resolved from (the snapshot service's own
    # timestamp; a live mirror's Release Date), where a rebuild finds this version again
    state: datetime | None = None


@dataclass(frozen=True)
class Resolution:
    """Everything one install gets, sorted by name; ``notes`` say how it was obtained when that
    matters to a reader ("from the lockfile", "suite inferred", "dependencies not resolved")."""

    packages: tuple[Package, ...]
    notes: tuple[str, ...] = ()

    def versions(self) -> dict[str, str]:
        return {p.name: p.version for p in self.packages}

    def package(self, name: str) -> Package | None:
        for p in self.packages:
            if p.name == name:
                return p
        return None


@dataclass(frozen=True)
class Unresolved:
    """Why a request could not be answered. ``unreachable``: the index could not be asked (exit 3),
    rather than an answer such as "no version satisfies" or "the past cannot be known"."""

    reason: str
    unreachable: bool = False
    index: str = ""  # credentials masked


Outcome = Resolution | Unresolved


@dataclass(frozen=True)
class PipRequest:
    """``pip install`` as one command gives it: requirement lines, ``-r`` files, ``-c``
    constraints, ``--no-deps``, the index options the site uses, for a Python version and
    platform, at an instant (None: now)."""

    requirements: tuple[str, ...] = ()  # PEP 508 lines as the command writes them
    files: tuple[str, ...] = ()  # requirements files (-r), paths on disk
    constraints: tuple[str, ...] = ()  # constraint lines (name==version)
    constraint_files: tuple[str, ...] = ()
    no_deps: bool = False
    index_url: str | None = None  # None: no index at all (--no-index)
    extra_index_urls: tuple[str, ...] = ()
    python_version: str = "3.12"
    platform: str = "linux/amd64"
    musl: bool = False  # an Alpine-based image: musllinux wheels
    at: datetime | None = None
    digest: str = ""  # of the files' contents, so a changed file is a different request


@dataclass(frozen=True)
class NpmRequest:
    """``npm install`` of named packages or of a package.json's dependencies (name, range), or
    ``npm ci`` with a lockfile (``locked``: name -> version, used as it is at every instant)."""

    dependencies: tuple[tuple[str, str], ...]
    registry: str
    at: datetime | None = None
    locked: tuple[tuple[str, str], ...] | None = None
    token: str | None = None  # never shown


@dataclass(frozen=True)
class AptRequest:
    """``apt-get install`` of named packages (name, exact version or None) from one Debian suite
    set; the past comes from a snapshot service. Their dependency closure is out of scope."""

    packages: tuple[tuple[str, str | None], ...]
    mirror: str
    suite: str
    security_mirror: str | None = None
    snapshot: str | None = None
    target: str | None = None  # apt-get -t
    arch: str = "amd64"
    keyring: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class ApkRequest:
    """``apk add`` of named packages (name, exact version, ``prefix*`` for a fuzzy pin, or None)
    from one Alpine branch. Only "now" can be answered: no snapshot source exists for Alpine."""

    packages: tuple[tuple[str, str | None], ...]
    mirror: str
    branch: str
    arch: str = "x86_64"
    at: datetime | None = None


R = TypeVar("R", contravariant=True)


class Resolver(Protocol[R]):
    """What every resolver offers: one request in, one outcome out; never raises for what an
    index or a resolver subprocess does (every failure is an :class:`Unresolved` value)."""

    @property
    def name(self) -> str: ...

    def resolve(self, request: R) -> Outcome: ...


def released_map(resolution: Resolution) -> Mapping[str, datetime | None]:
    return {p.name: p.released for p in resolution.packages}
