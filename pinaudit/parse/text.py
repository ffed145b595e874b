"""Text whose every character knows its physical (line, column) in the source file.

A Dockerfile RUN is one logical line glued from many physical lines (continuations removed,
comment lines dropped); a heredoc body starts lines below its instruction. The shell parser works
on the glued text, yet SPEC §6 wants every finding at the physical line of the package token, so
the gluing keeps a map. Columns are 1-based and count characters (not bytes).
"""

from __future__ import annotations

from bisect import bisect_right

from pinaudit.model import Span

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple


class MappedText(NamedTuple):
    text: str
    # (offset in text, physical line, physical column) for the start of each run of characters
    # that sit side by side on one physical line. A run ends at the next segment or a newline.
    segments: tuple[tuple[int, int, int], ...]

    @classmethod
    def plain(cls, text: str, line: int = 1, column: int = 1) -> MappedText:
        """Map text that is laid out in the file exactly as given, starting at (line, column)."""
        segs = [(0, line, column)]
        # only "\n" ends a line here, as in position(): str.splitlines() would also break at
        # \r, \v, \f, \x85, \u2028... and shift every later position
        offset = text.find("\n")
        while offset != -1:
            line += 1
            segs.append((offset + 1, line, 1))
            offset = text.find("\n", offset + 1)
        return cls(text, tuple(segs))

    def position(self, offset: int) -> tuple[int, int]:
        """Physical (line, column) of the character at ``offset`` (clamped to the text)."""
        if not self.segments:
            return (1, 1)
        offset = max(0, min(offset, len(self.text)))
        i = bisect_right(self.segments, (offset, 1 << 62, 0)) - 1
        seg_off, line, col = self.segments[max(i, 0)]
        # a heredoc or plain run may hold newlines of its own: count them
        nl = self.text.rfind("\n", seg_off, offset)
        if nl == -1:
            return (line, col + offset - seg_off)
        return (line + self.text.count("\n", seg_off, offset), offset - nl)

    def span(self, start: int, end: int) -> Span:
        """Span of text[start:end]; an empty range is a point."""
        line, col = self.position(start)
        if end <= start:
            return Span(line, col, line, col)
        end_line, end_col = self.position(end - 1)
        return Span(line, col, end_line, end_col + 1)

    def slice(self, start: int, end: int) -> MappedText:
        start = max(0, start)
        end = min(len(self.text), end)
        line, col = self.position(start)
        segs = [(0, line, col)]
        for off, ln, cl in self.segments:
            if start < off < end:
                segs.append((off - start, ln, cl))
        return MappedText(self.text[start:end], tuple(segs))


class MappedTextBuilder:
    """Glue physical pieces into one logical text, remembering where each piece came from."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._segments: list[tuple[int, int, int]] = []
        self._length = 0

    def add(self, text: str, line: int, column: int) -> None:
        """Append ``text`` that sits in the file at (line, column); it may span lines."""
        if not text:
            return
        self._segments.append((self._length, line, column))
        offset = text.find("\n")
        while offset != -1 and offset + 1 < len(text):
            line += 1
            self._segments.append((self._length + offset + 1, line, 1))
            offset = text.find("\n", offset + 1)
        self._parts.append(text)
        self._length += len(text)

    def add_synthetic(self, text: str) -> None:
        """Append text that is not in the file (a joining space); it maps to the previous run."""
        self._parts.append(text)
        self._length += len(text)

    def build(self) -> MappedText:
        return MappedText("".join(self._parts), tuple(self._segments) or ((0, 1, 1),))


def append_mapped(builder: MappedTextBuilder, text: MappedText) -> None:
    """Append an already-mapped text (a heredoc body) keeping its own positions."""
    segs = text.segments
    for i, (off, line, col) in enumerate(segs):
        end = segs[i + 1][0] if i + 1 < len(segs) else len(text.text)
        builder.add(text.text[off:end], line, col)
