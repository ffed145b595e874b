"""TOML values with positions: tomllib for the values, a small scanner for where keys and values sit.

``tomllib`` is the one parser of TOML we trust for values, but it gives no positions, and a
finding must name the line of the dependency itself (SPEC §5). The scanner here walks the same
text once and records, for every key path (``("project", "dependencies", 2)`` for the third
element of an array), the character range of its key and of its value (a string's value range
excludes the quotes). It runs only on text tomllib accepted, so it need not diagnose anything:
what it cannot place is simply absent, and callers fall back to the table header or line 1.
"""

from __future__ import annotations

import contextlib
import re
import sys
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

Path_ = tuple["str | int", ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ERROR_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_WS = " \t"


class TomlError(ValueError):
    """tomllib's complaint, with the line and column it names (1-based; 1, 1 when it names none)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def loads(text: str) -> dict[str, Any]:
    """The document's values; TomlError with a position for what tomllib refuses."""
    try:
        doc: dict[str, Any] = tomllib.loads(text)
        return doc
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _ERROR_AT.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        if m is None and "(at end of document)" in msg:  # the last line: where the reader gave up
            line, col = text.count("\n") + 1, 1
            msg = msg.replace("(at end of document)", "at the end of the file")
        raise TomlError(_ERROR_AT.sub("", msg).strip(), line, col) from None
    except RecursionError:
        raise TomlError("nested too deeply", 1, 1) from None


class Positions:
    """Key path -> (start, end) of the key and of the value, for text tomllib accepted."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.keys: dict[Path_, tuple[int, int]] = {}
        self.values: dict[Path_, tuple[int, int]] = {}
        self.headers: dict[Path_, tuple[int, int]] = {}
        # positions are a convenience: a construct we do not follow leaves the rest unplaced
        with contextlib.suppress(IndexError, RecursionError):
            self._scan()

    # -- lexing ------------------------------------------------------------------------------
    def _skip_ws(self, i: int, newlines: bool = False) -> int:
        t = self.text
        while i < len(t):
            c = t[i]
            if c in _WS or (newlines and c in "\r\n"):
                i += 1
            elif c == "#" and newlines:
                while i < len(t) and t[i] != "\n":
                    i += 1
            else:
                break
        return i

    def _string(self, i: int) -> tuple[str, int, int, int]:
        """(value, content start, content end, index after) of the string starting at i."""
        t = self.text
        q = t[i]
        if t.startswith(q * 3, i):
            end = t.find(q * 3, i + 3)
            while end != -1 and q == '"' and _escaped(t, end):
                end = t.find(q * 3, end + 1)
            end = len(t) if end == -1 else end
            while t.startswith(q, end + 3):  # up to two quotes may close the content
                end += 1
            return t[i + 3:end], i + 3, end, end + 3
        j = i + 1
        while j < len(t) and t[j] != q and t[j] != "\n":
            j += 2 if (q == '"' and t[j] == "\\") else 1
        raw = t[i + 1:j]
        value = raw
        if q == '"' and "\\" in raw:
            try:
                value = tomllib.loads(f"v = {t[i:j + 1]}")["v"]
            except tomllib.TOMLDecodeError:
                value = raw
        return value, i + 1, j, j + 1

    def _key(self, i: int) -> tuple[list[tuple[str, int, int]], int]:
        """A dotted key: its parts with their ranges, and the index after it."""
        parts: list[tuple[str, int, int]] = []
        while True:
            i = self._skip_ws(i)
            if self.text[i] in "\"'":
                value, _s, _e, after = self._string(i)
                parts.append((value, i, after))
                i = after
            else:
                m = _BARE.match(self.text, i)
                if m is None:
                    return parts, i
                parts.append((m.group(), m.start(), m.end()))
                i = m.end()
            i = self._skip_ws(i)
            if i < len(self.text) and self.text[i] == ".":
                i += 1
                continue
            return parts, i

    # -- structure ---------------------------------------------------------------------------
    def _scan(self) -> None:
        t = self.text
        table: Path_ = ()
        i = 0
        while i < len(t):
            i = self._skip_ws(i, newlines=True)
            if i >= len(t):
                break
            if t[i] == "[":
                aot = t.startswith("[[", i)
                start = i
                parts, i = self._key(i + (2 if aot else 1))
                table = tuple(p[0] for p in parts)
                i = t.find("\n", i)
                i = len(t) if i == -1 else i
                self.headers.setdefault(table, (start, i))
                continue
            parts, i = self._key(i)
            if not parts:
                i = _next_line(t, i)
                continue
            path = table + tuple(p[0] for p in parts)
            self.keys[path] = (parts[-1][1], parts[-1][2])
            i = self._skip_ws(i)
            i = self._value(path, i + 1)  # past '='

    def _value(self, path: Path_, i: int) -> int:
        t = self.text
        i = self._skip_ws(i)
        c = t[i]
        if c in "\"'":
            _v, s, e, after = self._string(i)
            self.values[path] = (s, e)
            return after
        if c == "[":
            start = i
            i += 1
            n = 0
            while True:
                i = self._skip_ws(i, newlines=True)
                if t[i] == "]":
                    self.values[path] = (start, i + 1)
                    return i + 1
                if t[i] == ",":
                    i += 1
                    continue
                i = self._value((*path, n), i)
                n += 1
        if c == "{":
            start = i
            i += 1
            while True:
                i = self._skip_ws(i)
                if t[i] == "}":
                    self.values[path] = (start, i + 1)
                    return i + 1
                if t[i] == ",":
                    i += 1
                    continue
                parts, i = self._key(i)
                if not parts:
                    return _next_line(t, i)
                sub = path + tuple(p[0] for p in parts)
                self.keys[sub] = (parts[-1][1], parts[-1][2])
                i = self._skip_ws(i)
                i = self._value(sub, i + 1)
        m = re.compile(r"[^,\]}\s#]+").match(t, i)
        end = m.end() if m else i + 1
        self.values[path] = (i, end)
        return end

    def key_or_value(self, path: Path_) -> tuple[int, int] | None:
        """Where an entry is written: its key, else its value (an array element has no key)."""
        return self.keys.get(path) or self.values.get(path)


def _escaped(text: str, i: int) -> bool:
    n = 0
    while i - 1 - n >= 0 and text[i - 1 - n] == "\\":
        n += 1
    return n % 2 == 1


def _next_line(text: str, i: int) -> int:
    j = text.find("\n", i)
    return len(text) if j == -1 else j + 1
