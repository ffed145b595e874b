"""Edits as values: what a rule proposes and ``fix`` writes, applied by one helper.

An :class:`Edit` replaces the characters ``[start, end)`` of one file's text (offsets as the line
index counts them: the decoded text, BOM removed, line endings untouched) with new text; an
insertion has ``start == end``. Rules and resolvers produce edits; only the writer touches
files. Nothing re-finds a token by searching the text again, which is how a rewrite changes the
wrong ``curl`` on a line that names it twice.
"""

from __future__ import annotations

from collections.abc import Iterable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple


class Edit(NamedTuple):
    path: str  # the file, as findings name it
    start: int  # character offset, inclusive
    end: int  # character offset, exclusive; == start for an insertion
    replacement: str

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "start": self.start, "end": self.end, "replacement": self.replacement}


class EditConflict(ValueError):
    """Two edits touch the same characters: applying both would depend on their order."""


def check_edits(text: str, edits: Iterable[Edit]) -> list[Edit]:
    """The edits sorted by position, or :class:`EditConflict` when they overlap or fall outside.

    Identical edits are merged (two rules proposing the same pin agree). Two insertions at one
    point, or an insertion inside a replaced range, are conflicts: their result would depend on
    the order they were made in.
    """
    ordered = sorted(set(edits), key=lambda e: (e.start, e.end, e.replacement))
    prev: Edit | None = None
    for e in ordered:
        if not 0 <= e.start <= e.end <= len(text):
            raise EditConflict(f"{e.path}: edit [{e.start}, {e.end}) lies outside the text ({len(text)} characters)")
        if prev is not None and (
            e.start < prev.end or (e.start == prev.start and (e.start == e.end or prev.start == prev.end))
        ):
            raise EditConflict(
                f"{e.path}: edits [{prev.start}, {prev.end}) -> {prev.replacement!r} and "
                f"[{e.start}, {e.end}) -> {e.replacement!r} overlap"
            )
        prev = e
    return ordered


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with every edit applied; every character outside the edited ranges is kept."""
    ordered = check_edits(text, edits)
    out: list[str] = []
    pos = 0
    for e in ordered:
        out.append(text[pos : e.start])
        out.append(e.replacement)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)
