"""The shared pragma grammar."""

from __future__ import annotations

from pinaudit.pragmas import line_suppressions, parse_pragma


def test_parse_pragma() -> None:
    assert parse_pragma("# pinaudit: ignore=PIN101,pin402") == frozenset({"PIN101", "PIN402"})
    assert parse_pragma("#pinaudit:ignore = PIN101 , PIN2") == frozenset({"PIN101", "PIN2"})
    assert parse_pragma("# pinaudit: ignore") == frozenset()
    assert parse_pragma("# pinaudit: ignore-file") == "file"
    assert parse_pragma("# just a comment") is None
    assert parse_pragma("# pinaudit: ignorance") is None


def test_line_suppressions() -> None:
    text = "a: 1  # pinaudit: ignore=PIN401\n# pinaudit: ignore=PIN402\n\n# other\nb: 2\n# pinaudit: ignore-file\n"
    sups, ignore_file = line_suppressions("f.yml", text)
    assert ignore_file
    assert [(s.codes, s.first_line, s.comment_line) for s in sups] == [
        (frozenset({"PIN401"}), 1, 1),
        (frozenset({"PIN402"}), 5, 2),
    ]
