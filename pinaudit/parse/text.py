"""Text whose every character knows where it sits in the source file (a character offset).

A Dockerfile RUN is one logical line glued from many physical lines (continuations removed,
comment lines dropped); a heredoc body starts lines below its instruction. The shell parser works
on the glued text, yet a finding must name the package token where it is written, and ``fix``
must edit exactly its characters, so the gluing keeps a map from each logical offset to an
offset of the file as read (see :mod:`pinaudit.parse.lines`). Line and column are derived from
that offset through the file's one :class:`~pinaudit.parse.lines.LineIndex`, the same for every
file kind.

Text the tool inserts (a joining space, a heredoc placeholder, a ``${{ }}`` placeholder) is not in
the file: every character of it maps to one point, right after the real text before it, so a span
that covers only inserted text is empty and is never attributed to a real token.
"""

from __future__ import annotations

from bisect import bisect_right

from pinaudit.model import Span
from pinaudit.parse.lines import LineIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple


class MappedText(NamedTuple):
    text: str
    # (offset in text, offset in the file, step) for the start of each run: character
    # ``offset + k`` of the run sits at file offset ``file + k * step``. ``step`` is 1 for text
    # copied from the file and 0 for text the tool inserted (all of it maps to one point).
    segments: tuple[tuple[int, int, int], ...]
    line_index: LineIndex

    @classmethod
    def plain(cls, text: str, index: LineIndex, start: int = 0) -> MappedText:
        """Map text that is laid out in the file exactly as given, starting at file offset ``start``."""
        return cls(text, ((0, start, 1),), index)

    @classmethod
    def whole(cls, text: str) -> MappedText:
        """A whole file's text."""
        return cls(text, ((0, 0, 1),), LineIndex(text))

    def locate(self, offset: int) -> tuple[int, int]:
        segs = self.segments
        i = bisect_right(segs, (offset, 1 << 62, 0)) - 1
        off, fo, step = segs[max(i, 0)]
        return (fo + (offset - off) * step if offset >= off else fo), step

    def file_offset(self, offset: int) -> int:
        """The file offset of the character at ``offset``; the end of the text maps right after
        its last character."""
        n = len(self.text)
        if offset >= n:
            if not n:
                return self.segments[0][1]
            fo, step = self.locate(n - 1)
            return fo + step
        return self.locate(max(offset, 0))[0]

    def position(self, offset: int) -> tuple[int, int]:
        """Physical (line, column) of the character at ``offset`` (clamped to the text)."""
        return self.line_index.position(self.file_offset(offset))

    def file_range(self, start: int, end: int) -> tuple[int, int]:
        """File offsets [start, end) of text[start:end]: from its first character to after its last."""
        fs = self.file_offset(start)
        if end <= start:
            return fs, fs
        fo, step = self.locate(min(end, len(self.text)) - 1)
        return fs, max(fo + step, fs)

    def span(self, start: int, end: int) -> Span:
        """Span of text[start:end]; an empty range is a point."""
        # the hot path of every parser (each word gets a span): one bisection per end, and
        # none when the text is one run
        segs = self.segments
        n = len(self.text)
        if start >= n or start < 0:
            fs = self.file_offset(start)
        elif len(segs) == 1:
            off, fo, step = segs[0]
            fs = fo + (start - off) * step
        else:
            fs = self.locate(start)[0]
        if end <= start:
            fe = fs
        else:
            last = min(end, n) - 1
            if len(segs) == 1:
                off, fo, step = segs[0]
                fe = fo + (last - off) * step + step
            else:
                fo, step = self.locate(last)
                fe = fo + step
            if fe < fs:
                fe = fs
        return span_of(self.line_index, fs, fe)

    def slice(self, start: int, end: int) -> MappedText:
        start = max(0, start)
        end = min(len(self.text), end)
        segs = [(0, *self.locate(start))] if start < len(self.text) else [(0, self.file_offset(start), 1)]
        for off, fo, step in self.segments:
            if start < off < end:
                segs.append((off - start, fo, step))
        return MappedText(self.text[start:end], tuple(segs), self.line_index)


def span_of(index: LineIndex, start: int, end: int) -> Span:
    """The span of the file's characters [start, end); line and column derived from ``index``."""
    starts = index.starts
    if not 0 <= start <= end <= index.length:
        start = max(0, min(start, index.length))
        end = max(start, min(end, index.length))
    i = bisect_right(starts, start) - 1
    line, col = i + 1, start - starts[i] + 1
    if end <= start:
        return Span(line, col, line, col, start, start)
    j = bisect_right(starts, end - 1, i) - 1
    return Span(line, col, j + 1, end - starts[j] + 1, start, end)


def point_at(text: str, line: int, column: int = 1) -> Span:
    """An empty span at (line, column) of ``text`` (a parser error known by position only)."""
    index = LineIndex(text)
    off = index.offset(line, column)
    return span_of(index, off, off)


class MappedTextBuilder:
    """Glue physical pieces into one logical text, remembering where each piece came from."""

    def __init__(self, index: LineIndex) -> None:
        self.index = index
        self._parts: list[str] = []
        self._segments: list[tuple[int, int, int]] = []
        self._length = 0
        self._point = 0  # the file offset right after the last real character added

    def add(self, text: str, start: int) -> None:
        """Append ``text`` that sits in the file as given from file offset ``start``."""
        if not text:
            return
        self._segments.append((self._length, start, 1))
        self._parts.append(text)
        self._length += len(text)
        self._point = start + len(text)

    def add_synthetic(self, text: str) -> None:
        """Append text that is not in the file (a joining space, a placeholder): it maps to the
        point right after the real text before it, and is never attributed to a real token."""
        if not text:
            return
        self._segments.append((self._length, self._point, 0))
        self._parts.append(text)
        self._length += len(text)

    def build(self) -> MappedText:
        return MappedText("".join(self._parts), tuple(self._segments) or ((0, self._point, 1),), self.index)


def append_mapped(builder: MappedTextBuilder, text: MappedText) -> None:
    """Append an already-mapped text (a heredoc body) keeping its own positions."""
    segs = text.segments
    for i, (off, fo, step) in enumerate(segs):
        end = segs[i + 1][0] if i + 1 < len(segs) else len(text.text)
        if end <= off:
            continue
        if step:
            builder.add(text.text[off:end], fo)
        else:
            builder.add_synthetic(text.text[off:end])
