"""Renderers for ``pinaudit simulate``: a table per layer (text) and ``pinaudit/simulation/v1`` (JSON).

Pure functions of the :class:`~pinaudit.simulation.model.Simulation`; the CLI decides where they go.
JSON shape (SPEC §8, JSON Schema in ``docs/simulation.schema.json``): one entry in ``sites`` per
install site as the scan found it (a package on a command line or in a requirements file, the
``-r FILE`` itself, an ``npm install``); the sites of one command share its ``resolution`` number
and carry the same ``resolved`` (the whole resolution of the command or file) and ``drift``.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from pinaudit.model import Pin
from pinaudit.resolve.dates import format_instant
from pinaudit.resolve.interface import Resolution
from pinaudit.simulation.installs import image_text
from pinaudit.simulation.model import Host, Simulated, Simulation

__all__ = ["SCHEMA", "render_json", "render_text", "summary"]

SCHEMA = "pinaudit/simulation/v1"


def _day(t: datetime | None) -> str | None:
    return f"{t.astimezone(timezone.utc):%Y-%m-%d}" if t else None


def _host_label(sim: Simulation, host: Host) -> str:
    if host.from_git:
        return f"{host.name} (from git)"
    at = sim.host_instants.get(host.name)
    if host.now:
        return f"{host.name} (now, {_day(at)})"
    return f"{host.name} ({_day(at)})"


def _layer_key(s: Simulated) -> tuple[str, int]:
    layer = s.install.layer
    return (s.install.path, -1 if layer is None else layer)


def summary(sim: Simulation) -> str:
    names = [h.name for h in sim.hosts]
    who = " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]
    drifting = sim.drifting
    layers = {_layer_key(s) for s in drifting}
    n = sim.packages_changed()
    majors = sum(1 for s in drifting for c in s.drift if c.change == "major")
    if n:
        text = f"{who} differ in {n} package{'s' if n != 1 else ''} across {len(layers)} " \
               f"layer{'s' if len(layers) != 1 else ''}; {majors} major"
    else:
        text = f"{who} get the same versions in {len({_layer_key(s) for s in sim.installs})} layers"
    lost = sum(1 for u in sim.unresolved if u.unreachable)
    if sim.incomplete:
        text += f" (incomplete: an index could not be reached; {lost} site resolution" \
                f"{'s' if lost != 1 else ''} missing)"
    return text


def render_text(sim: Simulation) -> str:
    out: list[str] = []
    hosts = list(sim.hosts)
    by_layer: dict[tuple[str, int], list[Simulated]] = {}
    for s in sim.installs:
        by_layer.setdefault(_layer_key(s), []).append(s)
    for (path, layer), items in by_layer.items():
        inst = items[0].install
        build = inst.build
        if build is not None:
            shown = image_text(inst.base)
            base = f", FROM {shown}" if shown else ""
            out.append(f"{path}:{build.line}: layer {layer} (stage {build.stage_index}{base}): {inst.heading}")
        else:
            out.append(f"{path}: installed as a whole ({items[0].install.ecosystem})")
        for s in items:
            out += _table(sim, s, hosts)
        out.append("")
    skipped = [u for u in sim.unresolved if u.host is None]
    if skipped:
        out.append("not simulated:")
        for u in skipped:
            what = f"{u.ecosystem} {u.package}" if u.package else u.ecosystem
            out.append(f"  {u.path}:{u.line}: {what}: {u.reason}")
        out.append("")
    out.append(summary(sim))
    return "\n".join(out) + "\n"


def _table(sim: Simulation, s: Simulated, hosts: list[Host]) -> list[str]:
    inst = s.install
    lines: list[str] = []
    specs = " ".join(x.spec or "" for x in inst.sites if x.spec)[:100]
    at = ", ".join(f"{h}: {_day(t) or 'now'}" for h, t in s.at.items() if any(x.from_git and x.name == h
                                                                              for x in hosts))
    lines.append(f"  [{s.id}] {inst.ecosystem} {specs}" + (f"  (cached no earlier than {at})" if at else ""))
    drift = {c.package: c for c in s.drift}
    names: list[str] = []
    for h in hosts:
        res = s.resolved(h.name)
        if res:
            names += [p.name for p in res.packages if p.name not in names]
    header = ["package", *(_host_label(sim, h) for h in hosts), "change"]
    rows: list[list[str]] = []
    for name in sorted(names):
        c = drift.get(name)
        cells = [name]
        for h in hosts:
            res = s.resolved(h.name)
            if res is None:
                cells.append("?")
                continue
            versions = [p.version for p in res.packages if p.name == name]
            text = ", ".join(versions) if versions else "-"
            if c is not None and versions and c.released.get(h.name):
                text += f" ({_day(c.released[h.name])})"
            cells.append(text)
        complete = all(s.resolved(h.name) is not None for h in hosts)
        cells.append(c.change if c else "same" if complete else "?")
        rows.append(cells)
    if rows:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for r in [header, *rows]:
            lines.append("    " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip())
    for h in hosts:
        o = s.outcomes.get(h.name)
        if o is not None and not isinstance(o, Resolution):
            where = f" [{o.index}]" if o.index else ""
            lines.append(f"    unresolved for {h.name}: {o.reason}{where}")
    for note in s.notes:
        lines.append(f"    note: {note}")
    return lines


def _instant(t: datetime | None) -> str | None:
    return format_instant(t) if t else None


def to_dict(sim: Simulation) -> dict[str, object]:
    from pinaudit import __version__

    hosts = []
    for h in sim.hosts:
        entry: dict[str, object] = {"name": h.name, "at": _instant(sim.host_instants.get(h.name))}
        if h.now:
            entry["now"] = True
        if h.from_git:
            entry["from_git"] = True
        hosts.append(entry)
    sites: list[dict[str, object]] = []
    drifting_sites = 0
    for s in sim.installs:
        resolved: dict[str, dict[str, str] | None] = {}
        for h in sim.hosts:
            res = s.resolved(h.name)
            if res is None:
                resolved[h.name] = None
                continue
            per: dict[str, list[str]] = {}
            for p in res.packages:
                per.setdefault(p.name, []).append(p.version)
            resolved[h.name] = {k: ", ".join(v) for k, v in sorted(per.items())}
        drift = [{"package": c.package, "versions": dict(c.versions), "change": c.change,
                  "released": {h: _day(t) for h, t in c.released.items()}} for c in s.drift]
        build = s.install.build
        for site in s.install.sites:
            if s.drift:
                drifting_sites += 1
            sites.append({
                "path": site.location.path, "line": site.location.line, "column": site.location.span.column,
                "layer": build.layer if build else None, "stage": build.stage_index if build else None,
                "base_image": image_text(s.install.base),
                "ecosystem": site.ecosystem.value, "package": site.package, "spec": site.spec,
                "pinned": site.pin in (Pin.EXACT, Pin.IMMUTABLE), "resolution": s.id,
                "at": {h: _instant(t) for h, t in s.at.items()},
                "resolved": resolved, "drift": drift, "notes": list(s.notes),
            })
    unresolved = [{"path": u.path, "line": u.line, "ecosystem": u.ecosystem, "package": u.package,
                   "host": u.host, "reason": u.reason, "index": u.index or None, "unreachable": u.unreachable}
                  for u in sim.unresolved]
    return {
        "schema": SCHEMA,
        "tool": {"name": "pinaudit", "version": __version__},
        "resolver": sim.resolver,
        "complete": not sim.incomplete,
        "hosts": hosts,
        "sites": sites,
        "unresolved": unresolved,
        "summary": {"sites": len(sites), "drifting_sites": drifting_sites,
                    "packages_changed": sim.packages_changed(), "resolutions": len(sim.installs)},
    }


def render_json(sim: Simulation) -> str:
    return json.dumps(to_dict(sim), indent=2, ensure_ascii=False) + "\n"
