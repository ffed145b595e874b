"""The instants users write: ``2024-03-01`` (00:00:00 UTC that day), full RFC 3339
(``2024-03-01T12:00:00+02:00``), relative to now (``90d``, ``12w``, ``6m``, ``1y``) and ``now``."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["format_instant", "parse_instant"]

_RELATIVE = re.compile(r"^(\d+)\s*([dwmy])$", re.IGNORECASE)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_instant(text: str, *, now: datetime) -> datetime:
    """``text`` as a UTC-aware instant. ``now`` (aware) anchors ``now`` and the relative forms.
    Raises ValueError with a message fit for a usage error."""
    value = text.strip()
    if value.lower() == "now":
        return now
    m = _RELATIVE.match(value)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        if unit == "d":
            return now - timedelta(days=n)
        if unit == "w":
            return now - timedelta(weeks=n)
        return _months_before(now, n if unit == "m" else 12 * n)
    if _DAY.match(value):
        try:
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc)
        except ValueError:
            raise ValueError(f"{text!r} is not a calendar date") from None
    try:
        t = datetime.fromisoformat(re.sub(r"[zZ]$", "+00:00", value.replace(" ", "T", 1)))
    except ValueError:
        raise ValueError(f"{text!r}: expected YYYY-MM-DD, an RFC 3339 date-time, a relative age such as "
                         "90d or 6m, or 'now'") from None
    if t.tzinfo is None:  # RFC 3339 requires an offset; a bare date-time is read as UTC, said in --help
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc)


def _months_before(t: datetime, months: int) -> datetime:
    """Calendar months: 6m before 2024-08-31 is 2024-02-29 (the day clamped to the month's end)."""
    import calendar

    index = t.year * 12 + (t.month - 1) - months
    year, month = divmod(index, 12)
    day = min(t.day, calendar.monthrange(year, month + 1)[1])
    return t.replace(year=year, month=month + 1, day=day)


def format_instant(t: datetime) -> str:
    """RFC 3339 in UTC with a Z, to the second (what the JSON output writes)."""
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
