"""The instants users write, and the change kinds by each ecosystem's version rules."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pinaudit.resolve.dates import format_instant, parse_instant
from pinaudit.resolve.drift import change_kind

NOW = datetime(2024, 8, 31, 12, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(("text", "expected"), [
    ("now", "2024-08-31T12:30:00Z"),
    ("2024-03-01", "2024-03-01T00:00:00Z"),
    ("2024-03-01T12:00:00Z", "2024-03-01T12:00:00Z"),
    ("2024-03-01T12:00:00+02:00", "2024-03-01T10:00:00Z"),
    ("2024-03-01T12:00:00.5-01:00", "2024-03-01T13:00:00Z"),
    ("90d", "2024-06-02T12:30:00Z"),
    ("2w", "2024-08-17T12:30:00Z"),
    ("6m", "2024-02-29T12:30:00Z"),  # calendar months, the day clamped to February's end
    ("1y", "2023-08-31T12:30:00Z"),
])
def test_instants(text: str, expected: str) -> None:
    assert format_instant(parse_instant(text, now=NOW)) == expected


@pytest.mark.parametrize("text", ["2024-02-30", "yesterday", "6x", "", "2024/03/01"])
def test_bad_instants_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_instant(text, now=NOW)


@pytest.mark.parametrize(("eco", "old", "new", "kind"), [
    ("pip", "2.28.1", "2.32.3", "minor"),
    ("pip", "1.26.13", "2.2.1", "major"),
    ("pip", "2022.12.7", "2024.2.2", "major"),
    ("pip", "1.0", "1.0.0", "same"),  # PEP 440: equal
    ("pip", "1.0.0", "1.0.0.post1", "patch"),
    ("pip", "3.0.3", "2.2.2", "major"),  # a downgrade names its size too
    ("npm", "1.0.0", "1.1.0", "minor"),
    ("npm", "1.1.0", "1.1.1-beta.1", "patch"),
    ("npm", "0.9.0", "1.0.0", "major"),
    ("apt", "7.86.0-2", "7.88.1-10+deb12u5", "minor"),
    ("apt", "7.88.1-10+deb12u4", "7.88.1-10+deb12u5", "patch"),  # the Debian revision alone
    ("apt", "1:2.3-1", "2:2.3-1", "major"),  # the epoch
    ("apt", "20230311", "20230311", "same"),
    ("pip", None, "24.0", "added"),
    ("npm", "1.0.0", None, "removed"),
])
def test_change_kinds(eco: str, old: str | None, new: str | None, kind: str) -> None:
    assert change_kind(eco, old, new) == kind
