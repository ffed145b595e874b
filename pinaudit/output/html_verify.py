"""The verify view of the HTML report (``pinaudit verify --format html``, issue 14).

A pure function of verify's results (:class:`~pinaudit.lock.core.Verified`), drawn in the scan
view's page shell (:func:`pinaudit.output.html.render_page`). One panel per lock, the ones that
differ first: what differs from the lock (package, the locked and the fresh or image version, the
kind of difference and why), a stale lock's changed inputs, and why a lock could not be checked;
then what was not verified at all. Server-rendered, so it reads without JavaScript; the script
only filters the locks by status and text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pinaudit.lock.core import Verified
from pinaudit.lock.report import _rel, summary
from pinaudit.output.html import View, render_page

__all__ = ["STATUS_ORDER", "TONES", "render_verify", "verify_view"]

STATUS_ORDER = ("drift", "stale", "unresolved", "ok")
STATUS_TEXT = {
    "drift": "differs",
    "stale": "stale",
    "unresolved": "could not check",
    "ok": "matches",
}
# The colour of each kind of difference, in the change-kind palette the simulation view uses:
# a build that breaks or installs other bytes (major), a version that moved (minor), one that
# went back (patch), a package that came or went (added, removed).
TONES = {
    "not served": "major", "hash changed": "major", "digest moved": "major", "not in image": "major",
    "image differs": "major", "newer": "minor", "specifier changed": "minor", "older": "patch",
    "added": "added", "removed": "removed",
    # statuses
    "drift": "major", "stale": "minor", "unresolved": "unknown", "ok": "added",
}


def render_verify(results: Sequence[Verified], cwd: Path, left_out: Sequence[str] = (),
                  *, title: str = "pinaudit verify report") -> str:
    return render_page([verify_view(results, cwd, left_out)], title=title)


def verify_view(results: Sequence[Verified], cwd: Path, left_out: Sequence[str] = ()) -> View:
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    locks = sorted(
        ((v, _rel(v.path, cwd), _rel(v.input, cwd) if v.input else None) for v in results),
        key=lambda x: (rank.get(x[0].status, len(rank)), x[1]),
    )
    statuses = [v.status for v in results]
    context = {
        "summary": summary(results),
        "locks": locks,
        "total": len(results),
        "differ": sum(1 for s in statuses if s in ("drift", "stale")),
        "unchecked": sum(1 for v in results if v.unresolved is not None),
        "unreachable": sum(1 for v in results if v.unresolved is not None and v.unresolved.unreachable),
        "ok": statuses.count("ok"),
        "left_out": list(left_out),
        "status_text": STATUS_TEXT,
        "tone": lambda kind: TONES.get(kind, "unknown"),
    }
    return View("verify", "Verify", "verify.html.j2", context, None)
