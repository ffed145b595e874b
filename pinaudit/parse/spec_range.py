"""Where the version spec sits inside a package token, per ecosystem: (start, end) offsets.

``fix`` writes a version where the spec is, or inserts one where a spec would go, so every site
records that range (``InstallSite.spec_span``). The range is found in the token as written
(quotes removed), never by searching the file again: ``=7.8*`` of ``curl=7.8*``, ``>=2`` of
``requests[socks]>=2; python_version<"3.13"`` (the specifier only: not the extras, not the
marker), ``@^4`` of ``express@^4``. An empty range is the insertion point: right after
``curl``, after ``requests`` or after its extras.
"""

from __future__ import annotations

import re

from pinaudit.model import Span

_PIP_NAME = re.compile(r"\s*[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_EXTRAS = re.compile(r"\s*\[[^\]]*\]")


def pip_spec_range(text: str, name_end: int | None = None) -> tuple[int, int]:
    """The specifier of a PEP 508 requirement (or a ``name @ url``): after the name and extras,
    up to the marker's ``;``; trailing blanks excluded."""
    if name_end is None:
        m = _PIP_NAME.match(text)
        if m is None:
            return len(text), len(text)
        name_end = m.end()
    pos = name_end
    ex = _EXTRAS.match(text, pos)
    if ex is not None:
        pos = ex.end()
    stop = text.find(";", pos)
    if stop == -1:
        stop = len(text)
    # a URL requirement's marker needs a blank before the ';' (PEP 508); a specifier's does not
    body = text[pos:stop]
    lead = len(body) - len(body.lstrip())
    end = pos + len(body.rstrip())
    start = min(pos + lead, end)
    return (start, end) if start < end else (pos, pos)


def spec_range(ecosystem: str, token: str) -> tuple[int, int]:
    """The spec inside a command-line package token of ``ecosystem`` (an ``Ecosystem`` value)."""
    n = len(token)
    if ecosystem == "pip":
        if "://" in token or token.startswith((".", "/", "~")):
            return n, n  # a URL or path: no spec to write inside it
        return pip_spec_range(token)
    if ecosystem in ("npm", "go", "cargo"):
        at = token.find("@", 1)  # an npm scope's leading '@' is part of the name
        if ecosystem == "cargo" and at == -1:
            return n, n
        return (at, n) if at != -1 else (n, n)
    if ecosystem == "apt":
        return _first_of(token, "=/")
    if ecosystem == "apk":
        return _first_of(token, "=<>~")
    if ecosystem == "gem":
        return _first_of(token, ":")
    if ecosystem == "image":
        return image_spec_range(token)
    if ecosystem == "conda":
        # after `channel::` and the name: `=1.2`, `==1.2=build`, `>=1.2`, `[version='>=1']`
        name = re.match(r"(?:.*::)?[A-Za-z0-9_*][A-Za-z0-9_.*+-]*", token)
        if name is None or "://" in token or token.startswith((".", "/", "~")):
            return n, n
        end = len(token.rstrip())
        return (name.end(), end) if name.end() < end else (n, n)
    if ecosystem == "yum":
        op = re.search(r"[=<>]", token)  # zypper's name=1.2, name>=1.2
        if op:
            return op.start(), n
        dash = nevra_dash(token)
        return (dash, n) if dash is not None else (n, n)
    return n, n


_VERSION_REST = re.compile(r"(\d+:)?\d[\w.+~^*]*(-\d[\w.+~^*]*)?")


def nevra_dash(token: str) -> int | None:
    """Where the version of an RPM ``name-[epoch:]version[-release]`` starts (its dash), or None.

    Names contain dashes and digits too (``java-17-openjdk-headless``, ``gcc-c++``): a dash starts
    the version only when everything after it is a version and at most one release, each starting
    with a digit; and a bare number after the last dash belongs to the name (``devtoolset-9``)."""
    for i, c in enumerate(token):
        if c == "-" and i > 0 and _VERSION_REST.fullmatch(token[i + 1:]) and not token[i + 1:].isdigit():
            return i
    return None


def _first_of(token: str, chars: str) -> tuple[int, int]:
    for i, c in enumerate(token):
        if c in chars:
            return i, len(token)
    return len(token), len(token)


def image_spec_range(ref: str) -> tuple[int, int]:
    """``:tag`` and/or ``@digest`` of an image reference (a registry's ``:port`` is not a tag)."""
    name_start = ref.rfind("/") + 1
    at = [i for i in (ref.find(":", name_start), ref.find("@", name_start)) if i != -1]
    return (min(at), len(ref)) if at else (len(ref), len(ref))


def spec_span_in(span: Span, token: str, ecosystem: str) -> Span:
    """The spec's span inside a token written as-is at ``span`` (one line, no escapes); the
    insertion point at its end when the token is not laid out character for character."""
    if span.start >= 0 and span.line == span.end_line and span.end - span.start == len(token):
        a, b = image_spec_range(token) if ecosystem == "image" else spec_range(ecosystem, token)
        if "$" not in token[:a]:  # `${IMAGE:-x:1}`: the tag is not where it would be written
            return span.sub(a, b)
    return end_point(span)


def end_point(span: Span) -> Span:
    return Span(span.end_line, span.end_column, span.end_line, span.end_column, span.end, span.end)
