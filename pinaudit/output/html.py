"""The HTML report (``--format html``): one self-contained page a team lead opens and shares.

Layout of the page (SPEC §10, issue 14):

* **Views.** The page is a list of views (scan here; simulate in :mod:`.html_simulation`, verify
  in :mod:`.html_verify`), each a ``<section data-view=ID>`` rendered from its own template
  ``ID.html.j2`` and, when it has data for its script, fed by its own ``<script
  type="application/json">`` block. The page's one script is ``core.js`` (helpers, the registry
  of view functions), then ``ID.js`` of each view on the page, then ``boot.js``, which hands each
  view function its section and its parsed data (null without a block); the one style sheet is
  ``report.css`` and ``ID.css`` where a view has one. A new view is a template, a context
  builder and optionally a script and a style sheet; the shell stays as it is.
* **Data once.** The findings live in the JSON block only, in the compact form described by
  :func:`scan_data`; the browser renders them a page at a time (100 rows), so a 47,000-finding
  corpus report opens as fast as a small one. The server renders what must be readable without
  JavaScript: the summary (counts, pinning score per ecosystem, rules, files with most findings),
  the rule documentation (each rule once, linked from every finding) and, inside ``<noscript>``,
  the first :data:`NOSCRIPT_FINDINGS` findings with their source lines. The filters, sorting
  and paging need JavaScript; the data does not.
* **Nothing leaves the page.** CSS and JS are inline, the pictures are inline SVG, there is no
  font, image or link to fetch. A Content-Security-Policy meta tag forbids every fetch
  (``default-src 'none'``) and allows the one style and one script block by their SHA-256, so
  even a string that escaped escaping could not run.
* **Scanned text is data.** Package names, paths, source lines and messages come from files
  anyone can write. Templates autoescape them (no ``|safe`` on them anywhere); the JSON block is
  escaped for a ``<script>`` context (``<``, ``>``, ``&``, U+2028, U+2029 as ``\\uXXXX``); the
  script inserts text with ``textContent`` only.

The formatter is pure: the source lines come in as a mapping (:func:`pinaudit.sources.read_lines`
reads them), and the output is byte-for-byte deterministic (no timestamp, no nonce).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup, escape

from pinaudit import __version__
from pinaudit.model import Ecosystem, Finding, InstallSite, Pin, Report, Severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple

    from pinaudit.rules import Rule
    from pinaudit.sources import SourceLines
else:
    from pinaudit._record import NamedTuple

__all__ = [
    "DATA_SCHEMA",
    "NOSCRIPT_FINDINGS",
    "EcosystemScore",
    "View",
    "day",
    "pinning_scores",
    "render",
    "render_page",
    "scan_data",
    "scan_view",
    "script_json",
]

DATA_SCHEMA = "pinaudit/html-scan/v1"
NOSCRIPT_FINDINGS = 100  # findings rendered for readers without JavaScript (the rest: JSON only)
HOTSPOTS = 10  # files listed under "Files with most findings"

PINNED = frozenset({Pin.IMMUTABLE, Pin.EXACT})
# A local install (a .deb file, `pip install .`) fetches nothing from an index: it is neither
# pinned nor unpinned, so it stays out of the score's denominator (and is shown apart).
NOT_SCORED = frozenset({Pin.LOCAL})
PIN_ORDER = (Pin.IMMUTABLE, Pin.EXACT, Pin.PARTIAL, Pin.UNPINNED, Pin.UNKNOWN, Pin.LOCAL)
SEVERITIES = tuple(sorted(Severity, reverse=True))


class View(NamedTuple):
    """One section of the page: its template, what the template reads, what the script reads."""

    id: str  # also the key of the JS view function and the section's anchor
    title: str
    template: str
    context: Mapping[str, Any]
    data: Any  # JSON-able, embedded once and escaped for <script>; None: no block (server-rendered)


class EcosystemScore(NamedTuple):
    ecosystem: str
    sites: int
    pins: tuple[tuple[str, int], ...]  # (Pin value, count) in PIN_ORDER, zeros included
    pinned: int  # immutable + exact
    scored: int  # sites minus local installs: the score's denominator
    findings: tuple[int, int, int]  # error, warning, info

    @property
    def score(self) -> float | None:
        return self.pinned / self.scored if self.scored else None


# ---------------------------------------------------------------------------------------------
# entry points


def render(
    report: Report,
    *,
    sources: SourceLines | None = None,
    rules: Mapping[str, Rule] | None = None,
    title: str = "pinaudit scan report",
) -> str:
    """The scan report as one HTML page. ``sources``: path -> {line: text} for the excerpts."""
    if rules is None:
        rules = _registry()
    return render_page([scan_view(report, sources or {}, rules)], title=title)


def render_page(views: Sequence[View], *, title: str) -> str:
    """The page around ``views``: CSP, inline CSS and JS, one data block per view that has data."""
    ids = list(dict.fromkeys(v.id for v in views))
    css = _asset("report.css") + "".join(_asset(f"{i}.css", optional=True) for i in ids)
    parts = [_asset("core.js"), *(_asset(f"{i}.js", optional=True) for i in ids), _asset("boot.js")]
    js = '(function () {\n  "use strict";\n\n' + "\n".join(parts) + "})();\n"
    csp = "; ".join(
        (
            "default-src 'none'",
            f"style-src '{_sha256(css)}'",
            f"script-src '{_sha256(js)}'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    html = _env().get_template("page.html.j2").render(
        title=title,
        version=__version__,
        views=views,
        csp=csp,
        css=Markup(css),  # our packaged assets, never scanned content
        js=Markup(js),
        data_blocks=[(v.id, script_json(v.data)) for v in views if v.data is not None],
    )
    return html if html.endswith("\n") else html + "\n"


def scan_view(report: Report, sources: SourceLines, rules: Mapping[str, Rule]) -> View:
    findings = sorted(report.findings, key=Finding.sort_key)
    used = sorted({f.rule for f in findings})
    counts = report.by_severity()
    context = {
        "report": report,
        "counts": counts,
        "total": len(findings),
        "scores": pinning_scores(report.sites, findings),
        "overall": _overall(report.sites),
        "by_rule": _by_rule(findings, rules),
        "hotspots": _hotspots(findings),
        "files_with_findings": len({f.location.path for f in findings}),
        "noscript": _noscript_groups(_first_shown(findings, NOSCRIPT_FINDINGS), sources),
        "noscript_limit": NOSCRIPT_FINDINGS,
        "rule_docs": [(code, rules.get(code)) for code in used],
        "skipped": report.skipped,
        "severities": [s.label for s in SEVERITIES],
    }
    return View("scan", "Scan", "scan.html.j2", context, scan_data(findings, sources, rules))


# ---------------------------------------------------------------------------------------------
# summary


def pinning_scores(sites: Iterable[InstallSite], findings: Iterable[Finding] = ()) -> list[EcosystemScore]:
    """Per ecosystem, how its install sites are pinned; most sites first."""
    pins: dict[str, dict[Pin, int]] = {}
    for s in sites:
        pins.setdefault(s.ecosystem.value, dict.fromkeys(PIN_ORDER, 0))[s.pin] += 1
    found: dict[str, list[int]] = {}
    for f in findings:
        if f.ecosystem is not None:
            found.setdefault(f.ecosystem.value, [0, 0, 0])[3 - f.severity] += 1
    out = []
    for eco, by_pin in pins.items():
        total = sum(by_pin.values())
        pinned = sum(n for p, n in by_pin.items() if p in PINNED)
        scored = total - sum(n for p, n in by_pin.items() if p in NOT_SCORED)
        e, w, i = found.get(eco, [0, 0, 0])
        by_value = tuple((p.value, by_pin[p]) for p in PIN_ORDER)
        out.append(EcosystemScore(eco, total, by_value, pinned, scored, (e, w, i)))
    order = {e.value: i for i, e in enumerate(Ecosystem)}
    out.sort(key=lambda e: (-e.sites, order.get(e.ecosystem, 99)))
    return out


def _overall(sites: Sequence[InstallSite]) -> tuple[int, int] | None:
    scored = [s for s in sites if s.pin not in NOT_SCORED]
    return (sum(1 for s in scored if s.pin in PINNED), len(scored)) if scored else None


class RuleCount(NamedTuple):
    code: str
    name: str
    summary: str
    counts: tuple[int, int, int]  # error, warning, info

    @property
    def total(self) -> int:
        return sum(self.counts)


def _by_rule(findings: Sequence[Finding], rules: Mapping[str, Rule]) -> list[RuleCount]:
    """Findings per rule, the rules with most errors first (then most findings)."""
    counts: dict[str, list[int]] = {}
    for f in findings:
        counts.setdefault(f.rule, [0, 0, 0])[3 - f.severity] += 1
    out = []
    for code, (e, w, i) in counts.items():
        r = rules.get(code)
        out.append(RuleCount(code, r.name if r else "", r.summary if r else "", (e, w, i)))
    out.sort(key=lambda x: (-x.counts[0], -x.total, x.code))
    return out


def _hotspots(findings: Sequence[Finding]) -> list[tuple[str, tuple[int, int, int], int]]:
    per: dict[str, list[int]] = {}
    for f in findings:
        per.setdefault(f.location.path, [0, 0, 0])[3 - f.severity] += 1
    ranked = sorted(per.items(), key=lambda kv: (-kv[1][0], -sum(kv[1]), kv[0]))[:HOTSPOTS]
    return [(path, (c[0], c[1], c[2]), sum(c)) for path, c in ranked]


class _Excerpt(NamedTuple):
    number: int
    before: str
    token: str
    after: str


class _NoscriptRow(NamedTuple):
    finding: Finding
    excerpt: tuple[_Excerpt, ...]


def _first_shown(findings: Sequence[Finding], n: int) -> list[Finding]:
    """The first ``n`` findings in the order the page opens with: grouped by file, the files
    with the most severe findings first, most severe first within a file (as scan.js sorts)."""
    ranked = sorted(findings, key=lambda f: (-f.severity, f.sort_key()))
    groups: dict[str, list[Finding]] = {}
    for f in ranked:
        groups.setdefault(f.location.path, []).append(f)
    return [f for group in groups.values() for f in group][:n]


def _noscript_groups(findings: Sequence[Finding], sources: SourceLines) -> list[tuple[str, list[_NoscriptRow]]]:
    groups: dict[str, list[_NoscriptRow]] = {}
    for f in findings:
        groups.setdefault(f.location.path, []).append(_NoscriptRow(f, _excerpt(f, sources.get(f.location.path, {}))))
    return list(groups.items())


def _excerpt(f: Finding, lines: Mapping[int, str]) -> tuple[_Excerpt, ...]:
    """The span's lines split around the token (server side; the script does the same)."""
    span = f.location.span
    out = []
    last = max(span.end_line, span.line)
    for n in range(span.line, last + 1):
        text = lines.get(n)
        if text is None:
            continue
        start = span.column - 1 if n == span.line else 0
        end = span.end_column - 1 if n == last else len(text)
        start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
        end = max(end, start)
        out.append(_Excerpt(n, text[:start], text[start:end], text[end:]))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# the embedded data


def scan_data(findings: Sequence[Finding], sources: SourceLines, rules: Mapping[str, Rule]) -> dict[str, Any]:
    """The findings in the compact form ``scan.js`` decodes (schema :data:`DATA_SCHEMA`).

    A repository-wide report holds tens of thousands of findings that repeat the same few
    rules, packages and sentences, so the form is built to be small (the shared corpus: 46,899
    findings in 2.6 MB) yet plain JSON a reader can follow::

        {"schema": ..., "rules": {code: [name, summary]},
         "kinds": [[rule, severity, category, ecosystem or null, message], ...],
         "strings": [package and spec texts],
         "files": [[shared, rest, lines, texts, findings, extra], ...]}

    A kind's ``message`` is a list of literal pieces and placeholders: 1 for the finding's
    package, 2 for its spec ("apt package 'curl' is ..." is ``["apt package '", 1, "' is ..."]``),
    so the 13,000 findings of one rule and one sentence share one kind.

    Files come in path order; a path is the previous one's first ``shared`` characters plus
    ``rest``. ``lines`` are the excerpt's line numbers, each after the first as the difference
    from the one before, and ``texts`` their text. ``findings`` is flat, six integers a finding:
    ``kind, line, column, length, package, spec``, where ``line`` is the difference from the
    previous finding's line and ``length`` is ``end_column - column`` (columns are 1-based code
    points, end exclusive, as in the findings JSON). ``package`` is 0 for none, else 1 + an
    index into ``strings``; ``spec`` is 0 for "the text under the span", 1 for none, 2 for "the
    package", else 3 + an index into ``strings``. ``extra`` maps a finding's index in its file
    to what the six integers cannot say: ``{"end_line": n, "end_column": n, "fix": text}``.

    Kinds and strings are numbered most frequent first, so the common ones cost one digit.
    """
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.location.path, []).append(f)
    paths = sorted(by_path)

    # pass 1: what each finding needs, and how often each kind and string is used
    kind_uses: dict[tuple[Any, ...], int] = {}
    string_uses: dict[str, int] = {}
    prepared: list[list[tuple[Finding, tuple[Any, ...], bool]]] = []
    for path in paths:
        lines = sources.get(path, {})
        rows = []
        for f in by_path[path]:
            kind = (f.rule, f.severity.label, f.category.value, f.ecosystem.value if f.ecosystem else None,
                    _template(f))
            kind_uses[kind] = kind_uses.get(kind, 0) + 1
            from_span = _spec_from_span(f, lines)
            for text in (f.package, None if from_span or f.spec == f.package else f.spec):
                if text is not None:
                    string_uses[text] = string_uses.get(text, 0) + 1
            rows.append((f, kind, from_span))
        prepared.append(rows)
    kinds = _by_frequency(kind_uses)
    strings = _by_frequency(string_uses)

    # pass 2: the files
    files: list[list[Any]] = []
    prev_path = ""
    for path, rows in zip(paths, prepared, strict=True):
        lines = sources.get(path, {})
        numbers = sorted(lines)
        flat: list[int] = []
        extra: dict[str, dict[str, Any]] = {}
        prev_line = 0
        for i, (f, kind, from_span) in enumerate(rows):
            span = f.location.span
            multi = span.end_line != span.line
            if from_span:
                spec_code = 0
            elif f.spec is None:
                spec_code = 1
            elif f.spec == f.package:
                spec_code = 2
            else:
                spec_code = strings[f.spec] + 3
            flat += [
                kinds[kind],
                span.line - prev_line,
                span.column,
                0 if multi else span.end_column - span.column,
                0 if f.package is None else strings[f.package] + 1,
                spec_code,
            ]
            prev_line = span.line
            more: dict[str, Any] = {}
            if multi:
                more.update(end_line=span.end_line, end_column=span.end_column)
            if more:
                extra[str(i)] = more
        shared = _common_prefix(prev_path, path)
        files.append([shared, path[shared:], _deltas(numbers), [lines[n] for n in numbers], flat, extra])
        prev_path = path
    used = sorted({k[0] for k in kinds})
    return {
        "schema": DATA_SCHEMA,
        "rules": {code: [r.name, r.summary] for code in used if (r := rules.get(code)) is not None},
        "kinds": [[*k[:4], list(k[4])] for k in kinds],
        "strings": list(strings),
        "files": files,
    }


def _spec_from_span(f: Finding, lines: Mapping[int, str]) -> bool:
    """Is the spec the source text under the span? (Then the page takes it from there.)"""
    span = f.location.span
    if f.spec is None or span.end_line != span.line or span.end_column <= span.column:
        return False
    text = lines.get(span.line)
    return text is not None and text[span.column - 1 : span.end_column - 1] == f.spec


def _by_frequency(uses: Mapping[Any, int]) -> dict[Any, int]:
    """Index by descending use, first seen first among equals (dicts keep insertion order)."""
    ranked = sorted(uses, key=lambda k: -uses[k])  # stable: ties keep their first-seen order
    return {k: i for i, k in enumerate(ranked)}


def _template(f: Finding) -> tuple[str | int, ...]:
    """The message with ``'package'`` and ``'spec'`` (quoted, as messages quote them) replaced
    by 1 and 2, so 13,000 "apt package 'X' is installed without a version" share one entry.
    Leftmost occurrence first, the longer token where both start (a spec holds its package)."""
    quoted = [(f"'{t}'", 1 if t == f.package else 2) for t in {f.spec, f.package} if t]
    msg = f.message
    parts: list[str | int] = []
    literal = search = 0  # where the pending literal starts; where to look for the next token
    while quoted:
        best: tuple[int, str, int] | None = None
        for q, n in quoted:
            j = msg.find(q, search)
            if j >= 0 and (best is None or j < best[0] or (j == best[0] and len(q) > len(best[1]))):
                best = (j, q, n)
        if best is None:
            break
        j, q, n = best
        parts += [msg[literal : j + 1], n]  # the quotes stay literal
        literal, search = j + len(q) - 1, j + len(q)
    parts.append(msg[literal:])
    return tuple(p for p in parts if p != "")


def _deltas(numbers: Sequence[int]) -> list[int]:
    return [n - (numbers[i - 1] if i else 0) for i, n in enumerate(numbers)]


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_json(data: Any) -> Markup:
    """JSON safe inside ``<script type="application/json">``: no ``</script>``, no ``<!--``.

    The characters are escaped as JSON ``\\u`` escapes, so ``JSON.parse`` gives the text back
    unchanged; outside strings JSON has none of them.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Markup(text.translate(_SCRIPT_ESCAPES))


# ---------------------------------------------------------------------------------------------
# templates and assets


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pinaudit.output", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = markdown
    env.filters["inline_markdown"] = inline_markdown
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["percent"] = _percent
    env.filters["day"] = day
    return env


@cache
def _asset(name: str, *, optional: bool = False) -> str:
    """A packaged CSS or JS file (``optional``: "" when the view has none)."""
    path = resources.files("pinaudit.output").joinpath("templates").joinpath(name)
    if optional and not path.is_file():
        return ""
    return path.read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def day(t: datetime | None) -> str:
    """An instant as its UTC day, the resolution the views show dates at."""
    return f"{t.astimezone(timezone.utc):%Y-%m-%d}" if t is not None else ""


def _percent(share: float | None) -> str:
    if share is None:
        return "–"
    pct = share * 100
    if 0 < pct < 1:
        return "<1%"
    if 99 < pct < 100:
        return ">99%"
    return f"{pct:.0f}%"


_FENCE = re.compile(r"^```")
_INLINE_CODE = re.compile(r"`([^`]+)`")


def inline_markdown(text: str) -> Markup:
    """`code` spans as <code>; everything else escaped."""
    pieces = _INLINE_CODE.split(text)
    return Markup("".join(f"<code>{escape(p)}</code>" if i % 2 else str(escape(p)) for i, p in enumerate(pieces)))


def markdown(text: str) -> Markup:
    """The rule docs' Markdown (paragraphs, ``##`` headings, fenced code, inline code, lists) as
    HTML. Every piece of text is escaped; only the tags made here are markup."""
    out: list[str] = []
    para: list[str] = []
    items: list[str] = []

    def inline(s: str) -> str:
        return str(inline_markdown(s))

    def flush() -> None:
        if para:
            out.append(f"<p>{inline(' '.join(para))}</p>")
            para.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if _FENCE.match(stripped):
            flush()
            lang = stripped[3:].strip()
            body = []
            i += 1
            while i < len(lines) and not _FENCE.match(lines[i].strip()):
                body.append(lines[i])
                i += 1
            cls = f' data-lang="{escape(lang)}"' if lang else ""
            out.append(f"<pre{cls}><code>{escape(chr(10).join(body))}</code></pre>")
        elif stripped.startswith("#"):
            flush()
            out.append(f"<h5>{inline(stripped.lstrip('#').strip())}</h5>")
        elif stripped.startswith(("- ", "* ")):
            if para:
                flush()
            items.append(stripped[2:])
        elif not stripped:
            flush()
        elif items and line.startswith("  "):
            items[-1] += " " + stripped
        else:
            if items:
                flush()
            para.append(stripped)
        i += 1
    flush()
    return Markup("\n".join(out))


def _registry() -> Mapping[str, Rule]:
    try:
        from pinaudit.rules import all_rules

        return all_rules()
    except Exception:  # a broken rule module must not cost the whole report (as in sarif.py)
        return {}
