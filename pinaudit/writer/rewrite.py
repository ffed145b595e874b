"""One site and the version to write -> one :class:`~pinaudit.edits.Edit` over its spec span.

Pure: text and values in, an edit (or the reason there is none) out. Every rewrite replaces the
site's *spec span* — the version spec as written, or an empty span at the point where a spec
goes — and nothing else:

* apt/apk/yum ``curl`` -> ``curl=VER`` (a wildcard ``curl=7.88*`` or a suite ``curl/bookworm``
  is replaced by the exact version);
* pip ``requests``/``requests>=2`` -> ``requests==VER``, extras and markers kept;
* npm on a command line ``express``/``express@^4`` -> ``express@VER``;
* package.json ``"express": "^4.18.0"`` -> ``"express": "VER"`` (the string's contents only);
* images ``python:3.11`` -> ``python:3.11@sha256:…`` (the tag kept for readers).

A spec that reaches the site through a variable is fixed at the variable's origin (its
``ARG``/``ENV``/assignment value), never by replacing the variable.

:func:`spec_range` takes the site model's ``spec_span``/``origin`` when the site carries them.
Sites scanned before that field existed get it derived *within the token's recorded span* (the
package.json value just after its key) — an adapter that only reads inside the recorded
location, never searches the text for the token again; it goes once every analyzer records the
spec span itself.
"""

from __future__ import annotations

import re

from pinaudit.edits import Edit
from pinaudit.model import Ecosystem, InstallSite
from pinaudit.parse.lines import LineIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple

__all__ = ["Left", "Target", "render_edit", "spec_range"]

_PIP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?")
_NPM_NAME = re.compile(r"(@[^/@\s]+/)?[^@\s]+")
_OS_NAME = re.compile(r"[^=/\s]+")
_VARIABLE = re.compile(r"\$")
_TRAILING_VARIABLE = re.compile(r"""\$(?:\{[^}]*\}|\w+)["']?$""")
FILE_INSTALLERS = frozenset({"requirements", "constraints"})  # entries of a requirements/constraints file


class Left(NamedTuple):
    """A site ``fix`` leaves as it is, and why (``unreachable``: an index could not be asked)."""

    reason: str
    unreachable: bool = False


class Target(NamedTuple):
    """Where a site's version goes: ``[start, end)`` of the file's text, and what the range holds
    now (an empty string for an insertion point)."""

    start: int
    end: int
    written: str
    bare: bool = False  # the range holds the version alone (`V=1.*` of `numpy==$V`): no operator written


def _offsets(site: InstallSite, index: LineIndex, attr: str = "location") -> tuple[int, int] | None:
    span = getattr(site, attr, None)
    if span is None:
        return None
    span = getattr(span, "span", span)  # a Location or a Span
    start, end = getattr(span, "start", -1), getattr(span, "end", -1)
    if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end:
        return start, end
    return index.offset(span.line, span.column), index.offset(span.end_line, span.end_column)


_REFERENCE = re.compile(r"/|^\s*@|git\+|^(github|gitlab|bitbucket|file|link|workspace|npm|portal|patch):")


def spec_range(site: InstallSite, text: str, index: LineIndex) -> Target | Left:
    """The spec span of ``site`` in ``text`` (at the variable's origin when it came through one)."""
    got = _spec_range(site, text, index)
    if isinstance(got, Target) and site.ecosystem in (Ecosystem.PIP, Ecosystem.NPM) and \
            _REFERENCE.search(got.written.lstrip("@") if site.ecosystem is Ecosystem.NPM else got.written):
        return Left("a direct URL, VCS or local reference: pin it to a commit or a hashed file by hand "
                    "(a registry version would change where it comes from)")
    return got


def _spec_range(site: InstallSite, text: str, index: LineIndex) -> Target | Left:
    if site.ecosystem is Ecosystem.YUM and ":" in (site.spec or "") and site.installer != "zypper":
        return Left("a module stream (name:stream): pin its version by hand (name:stream:version)")
    own = getattr(site, "spec_span", None)
    origin = _offsets(site, index, "origin") if getattr(site, "origin", None) is not None else None
    if origin is not None:
        return _origin_target(site, text, origin)
    tok = _offsets(site, index)
    if tok is not None and _VARIABLE.search(text[tok[0]:tok[1]]):
        from pinaudit.writer.origins import dockerfile_origin, is_dockerfile, variable_name

        var = variable_name(text[tok[0]:tok[1]], trailing=site.ecosystem is Ecosystem.IMAGE) \
            if is_dockerfile(site.location.path) else None
        found = dockerfile_origin(text, var, index.position(tok[0])[0]) if var else None
        if found is not None:
            return _origin_target(site, text, found)
        if site.ecosystem is Ecosystem.IMAGE and not _TRAILING_VARIABLE.search(text[tok[0]:tok[1]]) \
                and "@" not in text[tok[0]:tok[1]]:
            # `FROM $REPO:9.0-alpine`: the tag is written out, so the digest goes after it; the
            # variable stays (a build that sets REPO elsewhere then fails on the digest, not silently)
            return Target(tok[1], tok[1], "")
        return Left("its spec comes through a variable whose origin is not recorded; set the version where "
                    "the variable is defined")
    if own is not None:
        got = _offsets(site, index, "spec_span")
        if got is not None:
            return _checked(site, text, Target(got[0], got[1], text[got[0]:got[1]]))
    if tok is None:
        return Left("no source position for its spec")
    a, b = tok
    token = text[a:b]
    if site.installer == "package.json":
        return _json_value(site, text, b)
    if _VARIABLE.search(token):
        return Left("its spec comes through a variable whose origin is not recorded; set the version where "
                    "the variable is defined")
    if site.ecosystem is Ecosystem.IMAGE:
        return Target(b, b, "")
    quote = token[:1] if token[:1] in ("'", '"') and token.endswith(token[:1]) and len(token) > 1 else ""
    inner_a, inner_b = a + len(quote), b - len(quote)
    inner = text[inner_a:inner_b]
    if site.ecosystem is Ecosystem.PIP:
        if site.installer in FILE_INSTALLERS and not quote:
            # a requirements entry's recorded token is its name: the spec runs on to the line's
            # end, less the markers, the comment, the options and a continuation
            line = index.position(a)[0]
            inner_b = max(b, index.line_start(line + 1) if line < index.line_count else len(text))
            while inner_b > b and text[inner_b - 1] in "\r\n":
                inner_b -= 1
            if text[inner_b - 1:inner_b] == "\\":
                inner_b -= 1
            inner = text[inner_a:inner_b]
        m = _PIP_NAME.match(inner)
        if not m:
            return Left(f"cannot tell the name from the spec in {inner!r}")
        end = inner_b
        for stop in (";", " #", "\t#", " --", "\t--"):
            cut = inner.find(stop, m.end())
            if cut >= 0:
                end = min(end, inner_a + cut)
        while end > inner_a + m.end() and text[end - 1] in " \t":
            end -= 1
        if "@" in text[inner_a + m.end():end] or "://" in inner:
            return Left("a direct URL or VCS reference: pin it to a commit or a hashed file by hand")
        if not quote and site.installer not in FILE_INSTALLERS and text[b:b + 1] in ("<", ">"):
            return Left("an unquoted '<' or '>' after the name is a shell redirection: quote the requirement")
        start = inner_a + m.end()
        while start < end and text[start] in " \t":  # `requests >= 2`: the space stays, as in the site model
            start += 1
        written = text[start:end]
        if written and written[0] not in "<>=!~(":
            return Left(f"{inner.strip()!r} is not a requirement fix can read")
        return Target(start, end, written)
    if site.ecosystem is Ecosystem.NPM:
        m = _NPM_NAME.match(inner)
        if not m:
            return Left(f"cannot tell the name from the spec in {inner!r}")
        return Target(inner_a + m.end(), inner_b, text[inner_a + m.end():inner_b])
    if site.ecosystem in (Ecosystem.APT, Ecosystem.APK, Ecosystem.YUM):
        m = _OS_NAME.match(inner)
        if not m:
            return Left(f"cannot tell the name from the spec in {inner!r}")
        return Target(inner_a + m.end(), inner_b, text[inner_a + m.end():inner_b])
    return Left(f"{site.ecosystem.value} installs are not rewritten by fix")


_REST_OF_ENTRY = re.compile(r"[ \t]*(?:$|[;#\\\r\n]|--)")


def _checked(site: InstallSite, text: str, target: Target) -> Target | Left:
    """What the site model's spec span leaves for fix to judge: after a pip spec, a requirements
    entry must end (``google - cloud - pubsub`` is no requirement) and a command line must not
    go on into a redirection (unquoted ``pip install foo>=1`` installs ``foo``)."""
    if site.ecosystem is not Ecosystem.PIP:
        return target
    after = text[target.end:target.end + 200]
    if site.installer in FILE_INSTALLERS:
        if not _REST_OF_ENTRY.match(after):
            return Left(f"the entry goes on after its spec ({after.splitlines()[0][:40]!r}): not a requirement fix "
                        "can read")
    elif after[:1] in ("<", ">"):
        return Left("an unquoted '<' or '>' after the name is a shell redirection: quote the requirement")
    return target


def _json_value(site: InstallSite, text: str, key_end: int) -> Target | Left:
    """The string value right after a package.json key (the key's span ends at its closing quote
    or just inside it)."""
    i = key_end
    if text[i:i + 1] == '"':
        i += 1
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    if text[i:i + 1] != ":":
        return Left("the dependency's value is not where its key says")
    i += 1
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    if text[i:i + 1] != '"':
        return Left("the dependency's value is not a string")
    start = j = i + 1
    while j < len(text) and text[j] != '"':
        j += 2 if text[j] == "\\" else 1
    if j >= len(text) or "\\" in text[start:j]:
        return Left("the dependency's value could not be read")
    return Target(start, j, text[start:j])


def _origin_target(site: InstallSite, text: str, origin: tuple[int, int]) -> Target | Left:
    """The variable's value: the whole requirement (``ARG PKG=numpy``) gets the version added; a
    value that is only the spec part (``ARG NUMPY_SPEC=>=1.26``) is replaced."""
    a, b = origin
    value = text[a:b]
    name = site.package or ""
    if site.ecosystem is Ecosystem.IMAGE:
        return Target(a, b, value) if value and not re.search(r"\s", value) else \
            Left("the variable's value is not an image tag fix can extend")
    if re.search(r"\s", value.strip()) or not value.strip():
        return Left("the variable holds several words (a package list): pin each where the variable is defined")
    if value.lower().startswith(name.lower()) and name:
        sub = InstallSite(site.ecosystem, site.action, site.package, value, site.pin, site.location,
                          site.installer)
        rel = _spec_in_value(sub, value)
        if isinstance(rel, Left):
            return rel
        return Target(a + rel[0], a + rel[1], value[rel[0]:rel[1]])
    part = _spec_part(site)
    if part and value == part:  # `NUMPY_SPEC=">=1.26"` + `pip install "numpy$NUMPY_SPEC"`: the value is the spec
        return Target(a, b, value)
    exact = {Ecosystem.PIP: "==", Ecosystem.NPM: "@"}.get(site.ecosystem, "=")
    if part and value and part == exact + value:  # `V=1.*` + `numpy==$V`: the value is the version
        return Target(a, b, value, bare=True)
    return Left(f"the variable's value {value!r} is not the requirement itself: pin it where the variable is defined")


def _spec_part(site: InstallSite) -> str | None:
    """The version part of the site's spec as expanded (``>=1.26`` of ``numpy>=1.26; marker``,
    ``@^4`` of ``express@^4``, ``=7.8*`` of ``curl=7.8*``); None when it has none."""
    spec = site.spec or ""
    rel = _spec_in_value(site._replace(spec=spec), spec)
    if isinstance(rel, Left) or rel[0] >= rel[1]:
        return None
    part = spec[rel[0]:rel[1]].rstrip()
    ops = {Ecosystem.PIP: "<>=!~", Ecosystem.NPM: "@"}.get(site.ecosystem, "=")
    return part if part[:1] in ops else None


def _spec_in_value(site: InstallSite, value: str) -> tuple[int, int] | Left:
    pattern = {Ecosystem.PIP: _PIP_NAME, Ecosystem.NPM: _NPM_NAME}.get(site.ecosystem, _OS_NAME)
    if site.ecosystem is Ecosystem.IMAGE:
        return len(value), len(value)
    m = pattern.match(value)
    if not m:
        return Left(f"cannot tell the name from the spec in {value!r}")
    end = len(value)
    if site.ecosystem is Ecosystem.PIP and ";" in value:
        end = value.index(";")
    return m.end(), end


def render_edit(site: InstallSite, target: Target, version: str) -> Edit:
    """The edit that writes ``version`` into ``target`` in each ecosystem's own syntax."""
    eco = site.ecosystem
    if target.bare or (site.installer == "package.json" and getattr(site, "origin", None) is None):
        new = version
    elif eco is Ecosystem.IMAGE:
        new = target.written + "@" + version if "@" not in target.written else target.written
    elif eco is Ecosystem.PIP:
        new = "==" + version
    elif eco is Ecosystem.NPM:
        new = "@" + version
    elif eco is Ecosystem.YUM and site.installer != "zypper":
        new = "-" + version  # RPM's name-[epoch:]version-release (zypper also takes name=version)
    else:
        new = "=" + version
    if target.written.strip() == "" and target.start != target.end and eco is not Ecosystem.IMAGE:
        new = target.written + new  # whitespace-only range: keep it and append
    return Edit(site.location.path, target.start, target.end, new)
