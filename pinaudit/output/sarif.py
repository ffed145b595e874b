"""SARIF 2.1.0 output (``--format sarif``), for GitHub code scanning and other SARIF viewers.

Choices that matter to consumers:

* Every rule a result uses is described in ``tool.driver.rules`` with the help text of its
  documentation, and results point at it by ``ruleId`` *and* ``ruleIndex``.
* Artifact URIs are relative, with ``uriBaseId: "%SRCROOT%"``: the file must not leak the
  machine's paths, and code scanning resolves them against the checkout.
* ``partialFingerprints`` hash rule, path, package and spec plus an occurrence index, never the
  line: GitHub matches alerts across commits by them, so inserting a line above a finding must not
  close one alert and open another.
* Columns are counted in Unicode code points (``columnKind``), as pinaudit's spans are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import pinaudit
from pinaudit.baseline import occurrence_keys
from pinaudit.model import Finding, Report, Severity
from pinaudit.output.json import context_dict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from pinaudit.rules import Rule

__all__ = ["FINGERPRINT_KEY", "LEVELS", "render", "render_chunks", "rule_descriptor"]

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "pinaudit/v1"
LEVELS: Mapping[Severity, str] = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
TAGS = ("supply-chain", "reproducibility")


def render(
    report: Report,
    *,
    rules: Mapping[str, Rule] | None = None,
    srcroot: Path | None = None,
) -> str:
    """The SARIF log for ``report`` as JSON text (see :func:`render_chunks`)."""
    return "".join(render_chunks(report, rules=rules, srcroot=srcroot))


_RESULTS_MARK = "\x00pinaudit-results\x00"


def render_chunks(
    report: Report,
    *,
    rules: Mapping[str, Rule] | None = None,
    srcroot: Path | None = None,
) -> Iterator[str]:
    """The SARIF log for ``report``, as text pieces: one result at a time.

    A repository-wide scan can hold tens of thousands of results; building one dict tree and one
    string for them all cost half a gigabyte on the shared corpus. The skeleton is rendered once
    around a marker and the results are streamed in its place.

    ``rules`` defaults to the registry (a code missing from it still gets a minimal descriptor, so
    the log stays valid). ``srcroot``, when given, is written as the absolute URI of ``%SRCROOT%``;
    by default it is left for the consumer to supply (code scanning uses the checkout).
    """
    if rules is None:
        rules = _registry()
    findings = sorted(report.findings, key=Finding.sort_key)
    used = sorted({f.rule for f in findings})
    index = {code: i for i, code in enumerate(used)}
    keys = occurrence_keys(findings)

    root: dict[str, Any] = {"description": {"text": "The directory pinaudit scanned from."}}
    if srcroot is not None:
        root["uri"] = srcroot.resolve().as_uri().rstrip("/") + "/"

    invocation: dict[str, Any] = {"executionSuccessful": True}
    if report.skipped:
        invocation["toolExecutionNotifications"] = [
            {"level": "note", "message": {"text": text}} for text in report.skipped
        ]

    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pinaudit",
                        "version": pinaudit.__version__,
                        "semanticVersion": pinaudit.__version__,
                        "rules": [rule_descriptor(code, rules.get(code)) for code in used],
                    }
                },
                "invocations": [invocation],
                "originalUriBaseIds": {"%SRCROOT%": root},
                "columnKind": "unicodeCodePoints",
                "results": _RESULTS_MARK,
                "properties": {
                    "files": report.files,
                    "installSites": report.install_sites,
                },
            }
        ],
    }
    head, tail = json.dumps(log, indent=2, ensure_ascii=False).split(json.dumps(_RESULTS_MARK), 1)
    yield head + "["
    pad = " " * 8  # results sit at the fifth level of the indented log
    sep = "\n"
    for f, (key, nth) in zip(findings, keys, strict=True):
        item = json.dumps(_result(f, index[f.rule], key, nth), indent=2, ensure_ascii=False)
        yield sep + pad + item.replace("\n", "\n" + pad)
        sep = ",\n"
    yield ("\n" + " " * 6 + "]" if findings else "]") + tail + "\n"


def rule_descriptor(code: str, rule: Rule | None) -> dict[str, Any]:
    """A ``reportingDescriptor`` for one rule; help text and markdown come from its docstring."""
    if rule is None:
        return {
            "id": code,
            "shortDescription": {"text": code},
            "properties": {"tags": list(TAGS)},
        }
    what = rule.section("What it does") or rule.summary
    return {
        "id": rule.code,
        "name": _pascal(rule.name),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _plain(what)},
        "help": {"text": _plain(rule.doc), "markdown": rule.doc},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": [*TAGS, rule.category.value],
            "precision": "very-high",
            "problem.severity": LEVELS[rule.severity] if rule.severity != Severity.INFO else "recommendation",
        },
    }


def _result(f: Finding, rule_index: int, key: str, nth: int) -> dict[str, Any]:
    span = f.location.span
    start_col = max(span.column, 1)
    region: dict[str, int] = {"startLine": span.line, "startColumn": start_col}
    if span.end_line > span.line:
        region.update(endLine=span.end_line, endColumn=max(span.end_column, 1))
    elif span.end_line == span.line:
        # endColumn is exclusive in SARIF as in our spans; equal to startColumn = an empty region.
        region.update(endLine=span.line, endColumn=max(span.end_column, start_col))
    if span.start >= 0:
        # characters of the file as read (a BOM not counted), beside the line and column
        region.update(charOffset=span.start, charLength=max(span.end - span.start, 0))
    properties: dict[str, Any] = {"category": f.category.value, "severity": f.severity.label}
    if f.ecosystem is not None:
        properties["ecosystem"] = f.ecosystem.value
    if f.package is not None:
        properties["package"] = f.package
    if f.spec is not None:
        properties["spec"] = f.spec
    if f.site is not None and f.site.spec_span is not None and f.site.spec_span.start >= 0:
        sp = f.site.spec_span
        properties["specSpan"] = {"charOffset": sp.start, "charLength": sp.end - sp.start,
                                  "startLine": sp.line, "startColumn": sp.column}
    if f.edits:
        properties["edits"] = [e.to_json() for e in f.edits]
    if f.site is not None:
        properties.update(context_dict(f.site))
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact(f.location.path), "region": region}}],
        "partialFingerprints": {
            FINGERPRINT_KEY: hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + f":{nth}",
        },
        "properties": properties,
    }
    return result


def _artifact(path: str) -> dict[str, Any]:
    p = PurePosixPath(path.replace("\\", "/"))
    if p.is_absolute():  # outside the current directory: no base to be relative to
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(p.as_posix(), safe="/"), "uriBaseId": "%SRCROOT%"}


def _pascal(name: str) -> str:
    """SARIF suggests a PascalCase ``name``; ours are kebab-case (``apt-install-unpinned``)."""
    return "".join(part[:1].upper() + part[1:] for part in name.replace("_", "-").split("-") if part)


def _plain(markdown: str) -> str:
    """Markdown as plain text, well enough for viewers that show ``help.text`` verbatim."""
    lines = []
    for line in markdown.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("```"):
            continue
        if stripped.startswith("#"):
            line = stripped.lstrip("#").strip() + ":"
        lines.append(line.replace("`", ""))
    return "\n".join(lines).strip()


def _registry() -> Mapping[str, Rule]:
    # The rule modules import parsers and installers; a formatter should still work (with bare
    # descriptors) if one of them is broken, rather than lose the whole log.
    try:
        from pinaudit.rules import all_rules

        return all_rules()
    except Exception:
        return {}
