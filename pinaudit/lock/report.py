"""``verify``'s report: pure functions ``results -> str`` (text table, JSON with a schema in
``docs/verify.schema.json``); the command line chooses stdout or a file."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from pinaudit.lock.core import Verified

__all__ = ["SCHEMA", "render_json", "render_text", "summary"]

SCHEMA = "pinaudit/verify/v1"


def _rel(p: Path, cwd: Path) -> str:
    try:
        return p.relative_to(cwd).as_posix()
    except ValueError:
        return os.path.relpath(p, cwd).replace(os.sep, "/")


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["    " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def render_text(results: Sequence[Verified], cwd: Path, left_out: Sequence[str] = ()) -> str:
    out: list[str] = []
    for v in results:
        name = _rel(v.path, cwd)
        if v.status == "ok":
            out.append(f"{name}: {v.against} {'installs' if v.against == 'a fresh build' else 'holds'} exactly "
                       "the lock")
        elif v.stale:
            src = v.input.name if v.input else "its input"
            out.append(f"{name}: stale: {src} changed since the lock was compiled (nothing resolved)")
            out += _table([("package", "change", "locked from", "now")] +
                          [(s.package, s.change, s.locked or "-", s.now or "-") for s in v.stale])
        elif v.differences:
            out.append(f"{name}: {len(v.differences)} difference{'s' if len(v.differences) != 1 else ''} "
                       f"between the lock and {v.against}")
            out += _table([("package", "locked", "fresh" if v.against == "a fresh build" else "image", "what")] +
                          [(d.package, d.locked or "-", d.fresh or "-", d.detail or d.kind) for d in v.differences])
        if v.unresolved is not None:
            out.append(f"{name}: could not look: {v.unresolved.reason}")
        out += [f"    note: {n}" for n in v.notes]
    if left_out:
        out.append("not verified:")
        out += [f"  {x}" for x in left_out]
    out.append(summary(results))
    return "\n".join(out) + "\n"


def summary(results: Sequence[Verified]) -> str:
    drift = sum(1 for v in results if v.status in ("drift", "stale"))
    failed = sum(1 for v in results if v.unresolved is not None)
    text = f"{len(results)} lock{'s' if len(results) != 1 else ''} verified; {drift} differ"
    return text + (f"; {failed} could not be checked" if failed else "")


def render_json(results: Sequence[Verified], cwd: Path, left_out: Sequence[str] = ()) -> str:
    doc = {
        "schema": SCHEMA,
        "complete": not any(v.unresolved is not None and v.unresolved.unreachable for v in results),
        "locks": [{
            "path": _rel(v.path, cwd),
            "input": _rel(v.input, cwd) if v.input else None,
            "status": v.status,
            "differences": [{"package": d.package, "locked": d.locked, "fresh": d.fresh, "kind": d.kind,
                             "detail": d.detail} for d in v.differences],
            "stale": [{"package": s.package, "change": s.change, "locked": s.locked or None, "now": s.now or None}
                      for s in v.stale],
            "reason": v.unresolved.reason if v.unresolved else None,
            "notes": list(v.notes),
        } for v in results],
        "not_verified": list(left_out),
        "summary": {"locks": len(results), "differ": sum(1 for v in results if v.status in ("drift", "stale")),
                    "unresolved": sum(1 for v in results if v.unresolved is not None)},
    }
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"
