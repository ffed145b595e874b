"""The coordinate property (issue 9): a site's recorded spans are its tokens as written.

For every site: ``text[start:end]`` of its package token (``location.span``), of its version
spec (``spec_span``, or an empty span at the insertion point) and of a variable's ``origin`` is
the token as written, quotes excluded, line continuations removed; and line/column agree with the
offsets through :class:`~pinaudit.parse.lines.LineIndex`.
"""

from __future__ import annotations

import re

from pinaudit.model import Action, Ecosystem, InstallSite, Span
from pinaudit.parse.lines import LineIndex

_CONTINUATION = re.compile(r"[\\`][ \t]*(?:\r\n|\r|\n)")
_SEP = re.compile(r"[-_.]+")


def written(text: str) -> str:
    """A token's text as compared: continuations and quotes removed."""
    return _CONTINUATION.sub("", text).replace('"', "").replace("'", "")


def _canon(name: str) -> str:
    return _SEP.sub("-", name).lower()


def span_problems(index: LineIndex, span: Span, what: str) -> list[str]:
    if not 0 <= span.start <= span.end <= index.length:
        return [f"{what}-offsets: {span}"]
    if index.position(span.start) != (span.line, span.column):
        return [f"{what}-start-position: {span} vs {index.position(span.start)}"]
    if span.end > span.start:
        el, ec = index.position(span.end - 1)
        if (el, ec + 1) != (span.end_line, span.end_column):
            return [f"{what}-end-position: {span} vs {(el, ec + 1)}"]
    elif (span.end_line, span.end_column) != (span.line, span.column):
        return [f"{what}-empty-position: {span}"]
    return []


def check_site(text: str, site: InstallSite, index: LineIndex | None = None) -> list[str]:
    """What is wrong with ``site``'s spans over ``text`` (its file as read); [] when nothing."""
    index = index or LineIndex(text)
    loc = site.location.span
    problems = span_problems(index, loc, "token")
    if problems:
        return problems
    token = written(text[loc.start : loc.end])
    if not token:
        problems.append(f"token-empty: {site.package!r} {loc}")
    elif site.installer == "package.json":
        expected = site.package if site.action is not Action.MANIFEST else token
        if site.spec is not None and site.spec == site.package:
            expected = token  # packageManager: the value is the token
        elif site.action is not Action.MANIFEST and token != expected and token.split("@")[0] != expected:
            problems.append(f"token-text: {token!r} != {expected!r}")
    elif site.installer == "requirements" and site.package and "$" not in token:
        if _canon(token) != _canon(site.package) and token not in (site.spec or ""):
            problems.append(f"token-text: {token!r} != {site.package!r}")
    elif site.ecosystem is Ecosystem.DOWNLOAD and site.action is Action.DOWNLOAD_EXEC:
        pass  # the token is the file run (`sh /tmp/get.sh`), the package the URL it came from
    elif "$" not in token and site.spec is not None and "$" not in site.spec and token != written(site.spec) \
            and token != site.package and not (site.package and token.startswith(site.package)) \
            and token not in written(site.spec):
        problems.append(f"token-text: {token!r} vs spec {site.spec!r}")
    spec = site.spec_span
    if spec is None:
        return [*problems, "spec-missing"]
    problems += span_problems(index, spec, "spec")
    if problems:
        return problems
    if spec.start < loc.start:
        problems.append(f"spec-before-token: {spec} {loc}")
    spec_text = written(text[spec.start : spec.end])
    if spec_text and site.spec is not None and "$" not in spec_text and "$" not in site.spec \
            and spec_text not in written(site.spec) and spec_text.strip() not in written(site.spec):
        problems.append(f"spec-text: {spec_text!r} not in {site.spec!r}")
    if site.origin is not None:
        problems += span_problems(index, site.origin, "origin")
        if not problems and not written(text[site.origin.start : site.origin.end]):
            problems.append(f"origin-empty: {site.origin}")
    return problems
