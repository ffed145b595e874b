"""The simulation view of the HTML report (``pinaudit simulate --format html``, issue 14).

A pure function of the :class:`~pinaudit.simulation.model.Simulation`, drawn in the scan view's
page shell (:func:`pinaudit.output.html.render_page`: the same CSP, style sheet, script machinery
and escaping rules). Everything is rendered on the server: the page reads completely without
JavaScript, and the data is in the page once, as markup (no JSON block to keep in step with it);
the script only filters rows by change kind and package name.

What it shows, top to bottom:

* **Which layers each host rebuilds.** One row per layer with installs, one column per host: the
  instant that host's build of the layer stands for. A host whose instant is older than the
  newest keeps its cached layer from then; the host at the newest instant rebuilds it. With
  ``--cache-from-git`` the instants differ per layer, which is the point of the picture.
* **Per layer and install, the drift table**: each drifting package's version per host with its
  release date, the change kind, and a timeline (inline SVG) from the older version's release to
  the newer one's on one time axis for the whole page, with each host's instant drawn across it.
  Packages every host gets alike are listed under the table, folded.
* **What could not be answered**, never hidden: unresolved resolutions with their reasons (also
  inside their install) and the sites that cannot be simulated at all (images, downloads).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from pinaudit.output.html import View, day, render_page
from pinaudit.output.simulation import summary
from pinaudit.resolve.interface import Resolution, Unresolved
from pinaudit.simulation.installs import image_text
from pinaudit.simulation.model import Change, Host, Simulated, Simulation, UnresolvedSite

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple

__all__ = ["CHANGE_ORDER", "TimeAxis", "render_simulation", "simulation_view"]

# the change kinds in the order a reader fixes them; "unknown": a host could not resolve the install
CHANGE_ORDER = ("major", "minor", "patch", "added", "removed", "unknown")
AXIS_LEFT, AXIS_RIGHT = 2.0, 98.0  # percent of the width: room for a marker at either end


class Tick(NamedTuple):
    x: float  # percent of the width
    label: str


class TimeAxis(NamedTuple):
    """One time scale for every timeline on the page, so bars compare across layers."""

    start: float  # POSIX seconds at x = LEFT
    end: float  # at x = RIGHT
    ticks: tuple[Tick, ...]

    def x(self, t: datetime) -> float:
        span = self.end - self.start
        share = (t.timestamp() - self.start) / span if span > 0 else 0.5
        return round(AXIS_LEFT + (AXIS_RIGHT - AXIS_LEFT) * share, 1)


class Mark(NamedTuple):
    x: float
    host: str
    version: str
    released: str
    last: bool  # the last host's version (filled); the others are drawn hollow


class Timeline(NamedTuple):
    marks: tuple[Mark, ...]
    x1: float  # the bar, oldest release to newest
    x2: float
    hosts: tuple[tuple[float, str, str], ...]  # (x, host, day) of each host's instant for this install
    label: str  # for screen readers and the tooltip


class Cell(NamedTuple):
    version: str  # "?": this host could not resolve the install; "": it does not get the package
    released: str


class Row(NamedTuple):
    package: str
    cells: tuple[Cell, ...]
    change: str  # a CHANGE_ORDER value
    timeline: Timeline | None


class HostWhen(NamedTuple):
    host: str
    day: str  # "" when unknown
    rebuilds: bool  # at the newest instant among the hosts for this layer


class Block(NamedTuple):
    """One install (a command, a requirements file) inside a layer."""

    id: int
    ecosystem: str
    specs: str
    path: str
    line: int
    rows: tuple[Row, ...]  # drift (and unknowns), CHANGE_ORDER first
    same: tuple[tuple[str, str], ...]  # (package, version) every host gets alike
    unresolved: tuple[tuple[str, Unresolved], ...]  # (host, why)
    notes: tuple[str, ...]


class Layer(NamedTuple):
    anchor: str
    path: str
    line: int
    heading: str  # "layer 2 (stage 0, FROM python:3.11)" or "installed as a whole (npm)"
    instruction: str
    when: tuple[HostWhen, ...]
    blocks: tuple[Block, ...]
    changes: tuple[tuple[str, int], ...]  # (kind, count) in CHANGE_ORDER, zeros left out
    unresolved: int


def render_simulation(sim: Simulation, *, title: str = "pinaudit simulation report") -> str:
    return render_page([simulation_view(sim)], title=title)


def simulation_view(sim: Simulation) -> View:
    hosts = list(sim.hosts)
    axis = time_axis(sim)
    layers = _layers(sim, hosts, axis)
    counts: dict[str, int] = {}
    for layer in layers:
        for kind, n in layer.changes:
            counts[kind] = counts.get(kind, 0) + n
    per_host_unresolved = [u for u in sim.unresolved if u.host is not None]
    context = {
        "sim": sim,
        "summary": summary(sim),
        "hosts": [(h, _host_text(sim, h)) for h in hosts],
        "axis": axis,
        "layers": layers,
        "counts": [(k, counts.get(k, 0)) for k in CHANGE_ORDER if counts.get(k)],
        "changed": sim.packages_changed(),
        "drifting_layers": sum(1 for layer in layers if any(k != "unknown" for k, _n in layer.changes)),
        "unresolved": _sorted_sites(per_host_unresolved),
        "not_simulated": _sorted_sites(u for u in sim.unresolved if u.host is None),
        "unreachable": sum(1 for u in sim.unresolved if u.unreachable),
        "kinds": CHANGE_ORDER,
    }
    return View("simulate", "Simulation", "simulate.html.j2", context, None)


def _host_text(sim: Simulation, h: Host) -> str:
    if h.from_git:
        return "each layer as of the commit that last invalidated it (from git)"
    at = day(sim.host_instants.get(h.name))
    return f"now ({at})" if h.now else at


def _sorted_sites(sites: Iterable[UnresolvedSite]) -> list[UnresolvedSite]:
    return sorted(sites, key=lambda u: (u.path, u.line, u.host or "", u.package or ""))


def _count(kinds: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for k in kinds:
        out[k] = out.get(k, 0) + 1
    return out


# ---------------------------------------------------------------------------------------------
# time


def _instant(sim: Simulation, s: Simulated, host: str) -> datetime | None:
    """The instant ``host`` resolved ``s`` at (None in ``s.at`` is "now": the run's own instant)."""
    got = s.at.get(host)
    if got is not None:
        return got
    return sim.host_instants.get(host) or max(sim.host_instants.values(), default=None)


def time_axis(sim: Simulation) -> TimeAxis:
    """From the oldest release date or host instant on the page to the newest, with year ticks
    (quarters when the span is under two years)."""
    times = [t for t in sim.host_instants.values()]
    for s in sim.installs:
        times += [t for h in s.at if (t := _instant(sim, s, h)) is not None]
        times += [t for c in s.drift for t in c.released.values() if t is not None]
    if not times:
        return TimeAxis(0.0, 1.0, ())
    lo, hi = min(times), max(times)
    pad = max((hi - lo).total_seconds() * 0.02, 86400.0 * 15)
    start, end = lo.timestamp() - pad, hi.timestamp() + pad
    axis = TimeAxis(start, end, ())
    years = (end - start) / (365.25 * 86400)
    months = (1, 4, 7, 10) if years < 2 else (1,)
    ticks = []
    for year in range(lo.year, hi.year + 2):
        for month in months:
            t = datetime(year, month, 1, tzinfo=lo.tzinfo)
            if start <= t.timestamp() <= end:
                ticks.append(Tick(axis.x(t), str(year) if month == 1 else f"{year}-{month:02d}"))
    if len(ticks) > 14:  # decades of history: every other year
        ticks = ticks[::2]
    return axis._replace(ticks=tuple(ticks))


def _timeline(sim: Simulation, s: Simulated, c: Change, hosts: Sequence[Host], axis: TimeAxis) -> Timeline | None:
    marks = []
    for i, h in enumerate(hosts):
        released = c.released.get(h.name)
        version = c.versions.get(h.name)
        if released is not None and version:
            marks.append(Mark(axis.x(released), h.name, version, day(released), i == len(hosts) - 1))
    instants = tuple((axis.x(t), h.name, day(t)) for h in hosts if (t := _instant(sim, s, h.name)) is not None)
    said = ", ".join(
        f"{h.name} {c.versions.get(h.name) or 'none'}"
        + (f" ({day(r)})" if (r := c.released.get(h.name)) is not None else "")
        for h in hosts
    )
    label = f"{c.package}: {said}: {c.change}"  # the SVG's title: its accessible name and tooltip
    if not marks:
        return None
    xs = [m.x for m in marks]
    return Timeline(tuple(marks), min(xs), max(xs), instants, label)


# ---------------------------------------------------------------------------------------------
# layers and installs


def _layers(sim: Simulation, hosts: Sequence[Host], axis: TimeAxis) -> list[Layer]:
    grouped: dict[tuple[str, int], list[Simulated]] = {}
    for s in sim.installs:
        build = s.install.build
        grouped.setdefault((s.install.path, build.layer if build else -1), []).append(s)
    out = []
    for n, ((path, layer), items) in enumerate(grouped.items()):
        first = items[0]
        build = first.install.build
        if build is not None:
            shown = image_text(first.install.base)
            base = f", FROM {shown}" if shown else ""
            heading = f"layer {layer} (stage {build.stage_index}{base})"
            line, instruction = build.line, first.install.heading
        else:
            heading, line, instruction = f"installed as a whole ({first.install.ecosystem})", first.install.line, ""
        blocks = tuple(_block(sim, s, hosts, axis) for s in items)
        kinds = _count(r.change for b in blocks for r in b.rows)
        out.append(Layer(
            f"layer-{n + 1}", path, line, heading, instruction, _when(sim, first, hosts), blocks,
            tuple((k, kinds[k]) for k in CHANGE_ORDER if kinds.get(k)), sum(len(b.unresolved) for b in blocks),
        ))
    return out


def _when(sim: Simulation, s: Simulated, hosts: Sequence[Host]) -> tuple[HostWhen, ...]:
    instants = {h.name: _instant(sim, s, h.name) for h in hosts}
    known = [t for t in instants.values() if t is not None]
    newest = max(known) if known else None
    return tuple(HostWhen(h.name, day(instants[h.name]), instants[h.name] == newest) for h in hosts)


def _block(sim: Simulation, s: Simulated, hosts: Sequence[Host], axis: TimeAxis) -> Block:
    inst = s.install
    specs = " ".join(x.spec for x in inst.sites if x.spec) or inst.ecosystem
    resolved: dict[str, Mapping[str, str]] = {}
    for h in hosts:
        res = s.outcomes.get(h.name)
        if isinstance(res, Resolution):
            per: dict[str, list[str]] = {}
            for p in res.packages:
                per.setdefault(p.name, []).append(p.version)
            resolved[h.name] = {k: ", ".join(v) for k, v in per.items()}
    drift = {c.package: c for c in s.drift}
    names = sorted({n for v in resolved.values() for n in v})
    rows: list[Row] = []
    same: list[tuple[str, str]] = []
    complete = len(resolved) == len(hosts)
    for name in names:
        c = drift.get(name)
        if c is None and complete:
            same.append((name, next(iter(resolved.values()))[name]))
            continue
        cells = []
        for h in hosts:
            got = resolved.get(h.name)
            version = "?" if got is None else got.get(name, "")
            when = c.released.get(h.name) if c is not None else None
            cells.append(Cell(version, day(when)))
        change = c.change if c is not None else "unknown"
        rows.append(Row(name, tuple(cells), change, _timeline(sim, s, c, hosts, axis) if c is not None else None))
    rank = {k: i for i, k in enumerate(CHANGE_ORDER)}
    rows.sort(key=lambda r: (rank.get(r.change, len(rank)), r.package))
    unresolved = tuple((h, o) for h, o in s.outcomes.items() if isinstance(o, Unresolved))
    return Block(s.id, inst.ecosystem, specs, inst.path, inst.line, tuple(rows), tuple(same), unresolved, s.notes)
