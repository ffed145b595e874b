"""One line index for every file kind: character offsets <-> 1-based (line, column).

Every parser used to count lines its own way: the Dockerfile and JSON parsers split on ``\\n``,
requirements on ``str.splitlines()`` (which also breaks at ``\\v``, ``\\f``, ``\\x1c``-``\\x1e``,
``\\x85``, ``\\u2028``, ``\\u2029``), YAML on its own set. A ``\\u2028`` in a requirements comment
then moved every later finding a line down, and an edit made at such a position landed on the
wrong bytes. Here a line ends at ``\\n``, ``\\r\\n`` or a lone ``\\r`` and nowhere else (what git,
editors and SARIF viewers count), and every position in a report is derived from an offset
through this one index.

Offsets count characters (code points) of the file as read: decoded from UTF-8 with a leading
byte-order mark removed, line endings untouched. :class:`SourceText` records the BOM and the
line-ending style, so a writer can give the file back byte for byte.
"""

from __future__ import annotations

import re
from bisect import bisect_right

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple

_BREAK = re.compile(r"\r\n?|\n")


class LineIndex:
    """Start offsets of the lines of one text; positions are computed by bisection."""

    __slots__ = ("length", "starts")

    def __init__(self, text: str) -> None:
        self.starts: list[int] = [0]
        self.starts.extend(m.end() for m in _BREAK.finditer(text))
        self.length = len(text)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of the character at ``offset`` (clamped to the text)."""
        offset = max(0, min(offset, self.length))
        i = bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    def offset(self, line: int, column: int = 1) -> int:
        """The offset of 1-based (line, column); a line past the end gives the text's length."""
        if line < 1:
            return 0
        if line > len(self.starts):
            return self.length
        return min(self.starts[line - 1] + max(column, 1) - 1, self.length)

    def line_start(self, line: int) -> int:
        return self.offset(line, 1)

    @property
    def line_count(self) -> int:
        return len(self.starts)


class SourceText(NamedTuple):
    """A file's text as the parsers see it, plus what decoding took away."""

    text: str  # decoded, BOM removed, line endings as in the file
    bom: bool = False
    newline: str = "\n"  # the first line ending found ("\n", "\r\n" or "\r"); "\n" when there is none
    mixed_newlines: bool = False

    @classmethod
    def decode(cls, data: bytes) -> SourceText:
        """UTF-8 with an optional BOM; raises UnicodeDecodeError like ``bytes.decode``."""
        bom = data.startswith(b"\xef\xbb\xbf")
        text = data[3:].decode("utf-8") if bom else data.decode("utf-8")
        kinds = {m.group() for m in _BREAK.finditer(text)}
        first = _BREAK.search(text)
        return cls(text, bom, first.group() if first else "\n", len(kinds) > 1)

    def encode(self, text: str | None = None) -> bytes:
        """Bytes to write for ``text`` (default: this text) with the BOM this file had."""
        body = (self.text if text is None else text).encode("utf-8")
        return b"\xef\xbb\xbf" + body if self.bom else body
