"""Where a Dockerfile variable's value was written: the ``origin`` a spec that came through
``$NAME`` is fixed at (``ARG PKG=attrs`` -> ``ARG PKG=attrs==23.2.0``), never the ``$NAME`` itself.

An adapter for sites that do not carry ``origin`` yet (the site model reserves the field): it
reads the Dockerfile's own ``ARG``/``ENV`` instructions through the Dockerfile parser — the
nearest declaration of NAME before the site with a value, or, for an ``ARG NAME`` redeclared
without one, the declaration it inherits from — and maps the value back to file offsets
through the instruction's own position map. It never searches the file for the value.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pinaudit.parse.lines import LineIndex

__all__ = ["dockerfile_origin", "is_dockerfile", "variable_name"]

_WHOLE_VARIABLE = re.compile(r"""^["']?\$(?:\{(\w+)\}|(\w+))["']?$""")
_TRAILING_VARIABLE = re.compile(r"""\$(?:\{(\w+)\}|(\w+))["']?$""")


def is_dockerfile(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.startswith(("dockerfile", "containerfile")) or name.endswith(".dockerfile")


def variable_name(token: str, *, trailing: bool = False) -> str | None:
    """``$PKG``, ``${PKG}``, ``"$PKG"``: the variable the whole token is; with ``trailing``, the
    variable a token ends with (an image's ``python:${TAG}``: the digest goes after its value)."""
    m = (_TRAILING_VARIABLE.search if trailing else _WHOLE_VARIABLE.match)(token)
    return (m.group(1) or m.group(2)) if m else None


@lru_cache(maxsize=16)
def _declarations(text: str) -> tuple[tuple[str, int, int, int], ...]:
    """(name, line of the instruction, value start, value end) for every ARG/ENV, in file order;
    start == end == -1 for an ``ARG NAME`` without a default."""
    from pinaudit.parse.dockerfile import DockerfileSyntaxError, parse

    try:
        ast = parse(text)
    except DockerfileSyntaxError:
        return ()
    index = LineIndex(text)
    out: list[tuple[str, int, int, int]] = []
    for instr in ast.instructions:
        if instr.keyword not in ("ARG", "ENV"):
            continue
        args = instr.args
        if instr.keyword == "ENV" and "=" not in args.text.split(None, 1)[0]:
            m = re.match(r"\s*(\w+)\s+", args.text)  # the legacy form: ENV NAME value with spaces
            if m:
                out.append((m.group(1), instr.start_line, *_offsets(args, index, m.end(), len(args.text.rstrip()))))
            continue
        for m in re.finditer(r"(?:^|\s)(\w+)(?:=(\"[^\"]*\"|'[^']*'|\S*))?", args.text):
            if m.group(2) is None:
                out.append((m.group(1), instr.start_line, -1, -1))
                continue
            a, b = m.span(2)
            if m.group(2)[:1] in ("'", '"'):
                a, b = a + 1, b - 1
            out.append((m.group(1), instr.start_line, *_offsets(args, index, a, b)))
    return tuple(out)


def _offsets(args: object, index: LineIndex, a: int, b: int) -> tuple[int, int]:
    span = args.span(a, b)  # type: ignore[attr-defined]
    start = index.offset(span.line, span.column)
    return (start, start) if b <= a else (start, index.offset(span.end_line, span.end_column))


def dockerfile_origin(text: str, name: str, line: int) -> tuple[int, int] | None:
    """The value of the declaration of ``name`` in force at ``line`` (offsets into ``text``)."""
    found = [d for d in _declarations(text) if d[0] == name and d[1] < line]
    for _name, _line, a, b in reversed(found):
        if a >= 0:
            return a, b
    return None
