"""A small JSON parser that remembers where every key and value sits in the text.

The standard ``json`` module gives values but no positions, and SPEC §6 wants a package.json
finding at the line of the dependency itself. Strict RFC 8259 (what npm accepts), with a nesting
limit so a hostile file cannot exhaust the stack. Lockfiles, which need no positions and can be
megabytes, go through ``json.loads`` instead.
"""

from __future__ import annotations

import json
import re

from pinaudit.parse.lines import LineIndex as LineIndex  # one line index for every file kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeAlias

MAX_DEPTH = 256

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


class JsonError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class JScalar:
    __slots__ = ("end", "start", "value")

    def __init__(self, value: str | int | float | bool | None, start: int, end: int) -> None:
        self.value = value
        self.start = start
        self.end = end


class JMember:
    __slots__ = ("key", "key_end", "key_start", "value")

    def __init__(self, key: str, key_start: int, key_end: int, value: JNode) -> None:
        self.key = key
        self.key_start = key_start
        self.key_end = key_end
        self.value = value


class JObject:
    __slots__ = ("end", "members", "start")

    def __init__(self, start: int, end: int, members: list[JMember] | None = None) -> None:
        self.start = start
        self.end = end
        self.members: list[JMember] = [] if members is None else members

    def get(self, key: str) -> JNode | None:
        """The last member with this key wins, as in JavaScript's JSON.parse."""
        for m in reversed(self.members):
            if m.key == key:
                return m.value
        return None

    def member(self, key: str) -> JMember | None:
        for m in reversed(self.members):
            if m.key == key:
                return m
        return None


class JArray:
    __slots__ = ("end", "items", "start")

    def __init__(self, start: int, end: int, items: list[JNode] | None = None) -> None:
        self.start = start
        self.end = end
        self.items: list[JNode] = [] if items is None else items


if TYPE_CHECKING:
    JNode: TypeAlias = JScalar | JObject | JArray


def parse(text: str) -> JNode:
    """Parse a JSON document; raises :class:`JsonError` with the offending offset."""
    p = _Parser(text)
    p.pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if text.startswith("\ufeff"):
        p.pos = 1
    node = p.value(0)
    end = _WS.match(text, p.pos).end()  # type: ignore[union-attr]
    if end != len(text):
        raise JsonError("extra data after the JSON value", end)
    return node


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def ws(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def string(self) -> tuple[str, int, int]:
        m = _STRING.match(self.text, self.pos)
        if m is None:
            raise JsonError("invalid string (unterminated, or a control character/bad escape)", self.pos)
        self.pos = m.end()
        return json.loads(m.group(0)), m.start(), m.end()

    def value(self, depth: int) -> JNode:
        if depth > MAX_DEPTH:
            raise JsonError(f"JSON nested deeper than {MAX_DEPTH} levels", self.pos)
        t, i = self.text, self.pos
        if i >= len(t):
            raise JsonError("unexpected end of file", i)
        c = t[i]
        if c == "{":
            return self.obj(depth)
        if c == "[":
            return self.arr(depth)
        if c == '"':
            s, a, b = self.string()
            return JScalar(s, a, b)
        for word, val in (("true", True), ("false", False), ("null", None)):
            if t.startswith(word, i):
                self.pos = i + len(word)
                return JScalar(val, i, self.pos)
        m = _NUMBER.match(t, i)
        if m and m.end() > i:
            self.pos = m.end()
            num = json.loads(m.group(0))
            return JScalar(num, i, m.end())
        raise JsonError(f"unexpected character {c!r}", i)

    def obj(self, depth: int) -> JObject:
        node = JObject(self.pos, self.pos)
        self.pos += 1
        self.ws()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        while True:
            self.ws()
            if not self.text.startswith('"', self.pos):
                raise JsonError("expected a property name in double quotes", self.pos)
            key, ks, ke = self.string()
            self.ws()
            if not self.text.startswith(":", self.pos):
                raise JsonError("expected ':' after a property name", self.pos)
            self.pos += 1
            self.ws()
            val = self.value(depth + 1)
            node.members.append(JMember(key, ks, ke, val))
            self.ws()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("}", self.pos):
                self.pos += 1
                node.end = self.pos
                return node
            raise JsonError("expected ',' or '}' after a property value", self.pos)

    def arr(self, depth: int) -> JArray:
        node = JArray(self.pos, self.pos)
        self.pos += 1
        self.ws()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        while True:
            self.ws()
            node.items.append(self.value(depth + 1))
            self.ws()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("]", self.pos):
                self.pos += 1
                node.end = self.pos
                return node
            raise JsonError("expected ',' or ']' after an array element", self.pos)
