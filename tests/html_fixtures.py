"""Reports for the HTML tests: hostile strings everywhere, and a 5,000-finding one.

Built as values (no scan), so each field can carry what a hostile repository could put there,
and so a large report costs milliseconds. ``decode`` reads the page's compact data back into
finding dicts: the Python twin of ``decodeScan`` in ``report.js``, for round-trip tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pinaudit.model import Action, Category, Ecosystem, Finding, InstallSite, Location, Pin, Report, Severity, Span

# Each payload flips window.__pwned if it ever runs; the browser test asserts it never does.
PAYLOADS = (
    "<img src=x onerror=window.__pwned=1>",
    '"><script>window.__pwned=2</script>',
    "</script><script>window.__pwned=3</script>",
    "<!--<script>window.__pwned=4</script>-->",
    "'><svg onload=window.__pwned=5>",
    "javascript:window.__pwned=6",
    "\u2028</SCRIPT ><script>window.__pwned=7</script>\u2029",
    "&lt;img src=x onerror=window.__pwned=8&gt;",
    "{{ 7*7 }}${window.__pwned=9}",
)


def hostile_report() -> tuple[Report, dict[str, dict[int, str]]]:
    """Every string field of every finding (and the paths, lines and skipped notes) hostile."""
    findings: list[Finding] = []
    sources: dict[str, dict[int, str]] = {}
    for i, p in enumerate(PAYLOADS):
        path = f"evil{i}/{p}/Dockerfile"  # a "/" in a payload makes more folders, as on disk
        line = f"RUN pip install {p} && echo {p}"
        col = len("RUN pip install ") + 1
        sources[path] = {3: line, 4: f"  # {p}"}
        span = Span(3, col, 3, col + len(p))
        findings.append(
            Finding("PIN201", Severity.ERROR, Category.UNPINNED, Ecosystem.PIP, p, p, Location(path, span),
                    f"pip package '{p}' is installed without a version")
        )
        findings.append(
            Finding("PIN402", Severity.WARNING, Category.MUTABLE_IMAGE, Ecosystem.IMAGE, f"img{p}", f"{p}:1",
                    Location(path, Span(3, 1, 4, 3)), f"image {p} is a tag without a digest {p}")
        )
        findings.append(
            Finding("PIN001", Severity.ERROR, Category.PARSE_ERROR, None, None, None,
                    Location(path, Span.point(4)), p)
        )
    sites = tuple(
        InstallSite(Ecosystem.PIP, Action.INSTALL, p, p, Pin.UNPINNED, Location(f"evil{i}/x", Span.point(1)), "pip")
        for i, p in enumerate(PAYLOADS)
    )
    report = Report(tuple(sorted(findings, key=Finding.sort_key)), files=len(PAYLOADS),
                    install_sites=len(sites), skipped=PAYLOADS, sites=sites)
    return report, sources


ECOSYSTEM_RULES = (
    ("PIN101", Severity.ERROR, Category.UNPINNED, Ecosystem.APT, "apt package '{0}' is installed without a version"),
    ("PIN203", Severity.WARNING, Category.NO_HASH, Ecosystem.PIP,
     "'{1}' is pinned without --hash: its files and dependencies can still change"),
    ("PIN303", Severity.ERROR, Category.LOCKFILE_DRIFT, Ecosystem.NPM, "'{0}' is '{1}' and no lockfile pins it"),
    ("PIN402", Severity.WARNING, Category.MUTABLE_IMAGE, Ecosystem.IMAGE,
     "image '{1}' is a tag without a digest: the tag can be re-pushed"),
    ("PIN204", Severity.INFO, Category.LOCAL_INSTALL, Ecosystem.PIP, "local install '{1}': its dependencies resolve"),
)


def large_report(n: int = 5000, per_file: int = 25) -> tuple[Report, dict[str, dict[int, str]]]:
    """``n`` findings over ``n / per_file`` files, the rules of :data:`ECOSYSTEM_RULES` in turn."""
    findings: list[Finding] = []
    sources: dict[str, dict[int, str]] = {}
    sites: list[InstallSite] = []
    for i in range(n):
        path = f"services/svc{i // per_file:04d}/Dockerfile"
        code, sev, cat, eco, msg = ECOSYSTEM_RULES[i % len(ECOSYSTEM_RULES)]
        line = i % per_file + 2
        pkg = f"pkg-{i % 700}"
        if eco in (Ecosystem.PIP, Ecosystem.IMAGE):
            spec = f"{pkg}==1.{i % 7}"
        else:
            spec = pkg if eco is Ecosystem.APT else "^1.2"
        text = f"    {spec} \\"
        sources.setdefault(path, {})[line] = text
        span = Span(line, 5, line, 5 + len(spec))
        findings.append(Finding(code, sev, cat, eco, pkg, spec, Location(path, span), msg.format(pkg, spec)))
        pin = Pin.UNPINNED if sev is Severity.ERROR else Pin.EXACT
        sites.append(InstallSite(eco, Action.INSTALL, pkg, spec, pin, Location(path, span), "x"))
    findings.sort(key=Finding.sort_key)
    return Report(tuple(findings), files=n // per_file, install_sites=len(sites), sites=tuple(sites)), sources


def write_page(path: Path, html: str) -> Path:
    path.write_text(html, encoding="utf-8")
    return path


_DATA = re.compile(r'<script type="application/json" id="data-scan">(.*?)</script>', re.S)


def page_data(html: str) -> dict[str, Any]:
    m = _DATA.search(html)
    assert m is not None, "no scan data block"
    data: dict[str, Any] = json.loads(m.group(1))
    return data


def _cp_slice(text: str, start: int, end: int) -> str:
    return text[start:end]


def decode(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The findings of a scan data block, as the findings JSON (SPEC §6) writes them."""
    out: list[dict[str, Any]] = []
    path = ""
    for shared, rest, deltas, texts, flat, extra in data["files"]:
        path = path[:shared] + rest
        lines: dict[int, str] = {}
        n = 0
        for d, t in zip(deltas, texts, strict=True):
            n += d
            lines[n] = t
        line = 0
        for k in range(0, len(flat), 6):
            kind, dline, column, length, pkg, spec = flat[k : k + 6]
            rule, severity, category, ecosystem, message = data["kinds"][kind]
            line += dline
            more = extra.get(str(k // 6), {})
            end_line = more.get("end_line", line)
            end_column = more.get("end_column", column + length)
            package = data["strings"][pkg - 1] if pkg else None
            if spec == 0:
                spec_text: str | None = _cp_slice(lines.get(line, ""), column - 1, end_column - 1)
            elif spec == 1:
                spec_text = None
            elif spec == 2:
                spec_text = package
            else:
                spec_text = data["strings"][spec - 3]
            text = "".join(package if p == 1 else spec_text if p == 2 else p for p in message)  # type: ignore[misc]
            out.append({
                "rule": rule, "severity": severity, "category": category, "ecosystem": ecosystem,
                "package": package, "spec": spec_text, "path": path, "line": line, "column": column,
                "end_line": end_line, "end_column": end_column, "message": text, "fix": more.get("fix"),
            })
    return out
