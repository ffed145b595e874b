"""The simulation's frozen values: hosts, resolved installs with their drift, unresolved sites."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pinaudit.resolve.interface import Outcome, Resolution, Unresolved
from pinaudit.simulation.installs import Install

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.index.select import OnlineOptions
    from pinaudit.resolve._pip import PipSettings

__all__ = ["Change", "Host", "SimulateOptions", "Simulated", "Simulation", "UnresolvedSite"]


@dataclass(frozen=True)
class Host:
    """A build host: a fixed instant, "now" (a fresh build today: no cutoff), or per layer from git
    history (``from_git``: each layer's instant is when git last invalidated it)."""

    name: str
    at: datetime | None  # None only with from_git
    now: bool = False
    from_git: bool = False


@dataclass(frozen=True)
class SimulateOptions:
    hosts: tuple[Host, ...]
    online: OnlineOptions
    pip: PipSettings
    now: datetime
    ecosystems: frozenset[str] | None = None  # None: all
    resolver: str = "uv"  # or "pip-tools"
    python_version: str | None = None  # when the base image implies none (default: this interpreter's)
    platform: str = "linux/amd64"
    jobs: int = 4  # resolutions at once
    context: Path | None = None
    results: Path | None = None  # the result cache's folder (None: resolve every time)


@dataclass(frozen=True)
class Change:
    """One package whose version differs between hosts (SPEC §8 ``drift`` entry)."""

    package: str
    versions: Mapping[str, str | None]  # host -> version (None: that host does not get it)
    change: str  # major, minor, patch, added, removed
    released: Mapping[str, datetime | None]


@dataclass(frozen=True)
class Simulated:
    """One install resolved at every host's instant."""

    id: int
    install: Install
    at: Mapping[str, datetime | None]  # host -> the instant used (None: now)
    outcomes: Mapping[str, Outcome]
    drift: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()
    index: str = ""  # pip: the index its resolutions used (release dates are read from it)

    def resolved(self, host: str) -> Resolution | None:
        got = self.outcomes.get(host)
        return got if isinstance(got, Resolution) else None

    @property
    def complete(self) -> bool:
        return all(isinstance(o, Resolution) for o in self.outcomes.values())


@dataclass(frozen=True)
class UnresolvedSite:
    path: str
    line: int
    ecosystem: str
    package: str | None
    host: str | None  # None: at every host's instant (image sites, what is never simulated)
    reason: str
    index: str = ""
    unreachable: bool = False


@dataclass(frozen=True)
class Simulation:
    hosts: tuple[Host, ...]
    installs: tuple[Simulated, ...]
    unresolved: tuple[UnresolvedSite, ...]
    resolver: str = "uv"
    notes: tuple[str, ...] = field(default=())
    host_instants: Mapping[str, datetime] = field(default_factory=dict)  # what "now" was, per host

    @property
    def incomplete(self) -> bool:
        """An index needed for the answer could not be reached (exit 3)."""
        return any(u.unreachable for u in self.unresolved)

    @property
    def drifting(self) -> tuple[Simulated, ...]:
        return tuple(s for s in self.installs if s.drift)

    def packages_changed(self) -> int:
        return sum(len(s.drift) for s in self.installs)

    def unresolved_outcomes(self) -> list[tuple[Simulated, str, Unresolved]]:
        return [(s, h, o) for s in self.installs for h, o in s.outcomes.items() if isinstance(o, Unresolved)]
