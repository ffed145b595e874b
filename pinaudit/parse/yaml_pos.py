"""YAML with positions, safely: ``yaml.compose`` node graphs walked under a budget.

Composing (not constructing) keeps every scalar's start mark, which SPEC §6 needs for the line of
an ``image:`` value or a ``run:`` script. Aliases are shared nodes in the graph, so a "billion
laughs" document is small until someone expands it; every walk here goes through a
:class:`Budget` that counts visited nodes and stops the walk when it runs out, and anchors that
refer to themselves cannot loop for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    import yaml

MAX_NODES = 200_000


class YamlError(ValueError):
    def __init__(self, message: str, line: int, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class BudgetExceeded(Exception):
    """The document expands to more nodes than we are willing to visit."""


class Budget:
    __slots__ = ("remaining",)

    def __init__(self, remaining: int = MAX_NODES) -> None:
        self.remaining = remaining

    def spend(self, n: int = 1) -> None:
        self.remaining -= n
        if self.remaining < 0:
            raise BudgetExceeded(f"YAML document expands to more than {MAX_NODES} nodes (alias bomb?)")


def compose(text: str) -> yaml.Node | None:
    """The first document's node graph (None for an empty file); raises :class:`YamlError`."""
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loader = loader_cls(text)
        try:
            node = loader.get_node() if loader.check_node() else None  # first document only
        finally:
            loader.dispose()
        return node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        col = mark.column + 1 if mark is not None else 1
        raise YamlError(f"{exc.problem or exc.context or 'invalid YAML'}", line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0] if str(exc) else "invalid YAML", 1) from None
    except RecursionError:
        raise YamlError("YAML nested too deeply", 1) from None


def is_mapping(node: object) -> bool:
    import yaml

    return isinstance(node, yaml.MappingNode)


def is_sequence(node: object) -> bool:
    import yaml

    return isinstance(node, yaml.SequenceNode)


def scalar(node: object) -> str | None:
    """A scalar's text (None for a non-scalar or a null)."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        plain_null = node.style is None and node.value in ("", "~", "null", "Null", "NULL")
        if node.tag == "tag:yaml.org,2002:null" or plain_null:
            return None
        return str(node.value)
    return None


def items(node: object, budget: Budget, _depth: int = 0) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key text, key node, value node) of a mapping, with ``<<`` merge keys applied
    (explicit keys win over merged ones, earlier merged maps over later ones)."""
    import yaml

    if not isinstance(node, yaml.MappingNode) or _depth > 64:
        return
    seen: set[str] = set()
    merged: list[yaml.Node] = []
    for k, v in node.value:
        budget.spend()
        plain_merge = isinstance(k, yaml.ScalarNode) and k.value == "<<" and k.style is None
        if k.tag == "tag:yaml.org,2002:merge" or plain_merge:
            if isinstance(v, yaml.SequenceNode):
                merged.extend(v.value)
            else:
                merged.append(v)
            continue
        key = str(k.value) if isinstance(k, yaml.ScalarNode) else ""
        seen.add(key)
        yield key, k, v
    for m in merged:
        for key, k, v in items(m, budget, _depth + 1):
            if key not in seen:
                seen.add(key)
                yield key, k, v


def get(node: object, key: str, budget: Budget) -> yaml.Node | None:
    for k, _kn, v in items(node, budget):
        if k == key:
            return v
    return None


_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def physical_lines(text: str) -> list[str]:
    """The document's lines as the YAML scanner counts them (its marks index into this list)."""
    return _BREAK.split(text)


def line_starts(text: str) -> list[int]:
    """The file offset where each of the scanner's lines starts: a mark (line, column) is the
    offset ``starts[line] + column``. The scanner also breaks lines at \x85, \u2028 and
    \u2029, which the one line index does not; positions are derived from the offset."""
    return [0, *(m.end() for m in _BREAK.finditer(text))]


def value_range(node: yaml.Node, lines: Sequence[str], starts: Sequence[int]) -> tuple[int, int]:
    """File offsets [start, end) of a scalar's text, quotes excluded (see :func:`value_span`)."""
    line, col, eline, ecol = value_span(node, lines)
    n = len(starts) - 1
    start = starts[min(line - 1, n)] + col - 1
    return start, max(start, starts[min(eline - 1, n)] + ecol - 1)


def value_span(node: yaml.Node, lines: Sequence[str] | None = None) -> tuple[int, int, int, int]:
    """1-based (line, column, end_line, end_column) of a scalar's text, quotes excluded.

    A block scalar (``|``, ``>``) starts at its indicator, but its text starts on the first
    non-blank line after it: with the document's ``lines`` that is where the span starts (SPEC §6:
    the physical line of the token itself), else on the line after the indicator.
    """
    sm, em = node.start_mark, node.end_mark
    line, col, eline, ecol = sm.line + 1, sm.column + 1, em.line + 1, em.column + 1
    style = getattr(node, "style", None)
    if style in ('"', "'"):
        col += 1
        ecol = max(col, ecol - 1)
    elif style in ("|", ">"):
        first = sm.line + 1  # 0-based index of the line after the indicator
        if lines is not None:
            last = min(em.line, len(lines) - 1)
            i = first
            while i <= last and not lines[i].strip():
                i += 1
            if i <= last:
                text = lines[i]
                indent = len(text) - len(text.lstrip(" "))
                return i + 1, indent + 1, i + 1, len(text.rstrip()) + 1
        return first + 1, 1, max(first + 1, eline), ecol
    return line, col, eline, ecol
