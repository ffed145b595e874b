"""Findings JSON, exactly the contract of SPEC §6 (schema ``pinaudit/findings/v1``)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from pinaudit import __version__
from pinaudit.model import Finding, InstallSite, Report, Unchecked

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from pinaudit.site_context import ImageReference

SCHEMA = "pinaudit/findings/v1"
# a finding's fields as SPEC §6 first wrote them (the HTML report carries these); later
# additions (offsets, spec span, origin, edits) are new keys beside them
V1_FIELDS = ("rule", "severity", "category", "ecosystem", "package", "spec", "path", "line", "column",
             "end_line", "end_column", "message", "fix", "index")
_MARK = "\x00pinaudit-findings\x00"


def finding_dict(f: Finding) -> dict[str, Any]:
    s = f.location.span
    site = f.site
    spec = site.spec_span if site is not None and site.spec_span is not None and site.spec_span.start >= 0 else None
    return {
        "rule": f.rule,
        "severity": f.severity.label,
        "category": f.category.value,
        "ecosystem": f.ecosystem.value if f.ecosystem else None,
        "package": f.package,
        "spec": f.spec,
        "path": f.location.path,
        "line": s.line,
        "column": s.column,
        "end_line": s.end_line,
        "end_column": s.end_column,
        "message": f.message,
        "fix": None,  # v1's field, kept; a fix is now ``edits`` (below)
        **({"index": f.index_url} if f.index_url is not None else {}),
        # issue 9: new fields only, so ``pinaudit/findings/v1`` readers are unaffected. Offsets
        # count characters of the file as read (decoded, BOM removed, line endings kept): the
        # package token, and the version spec as written (empty: where one would be inserted).
        "offset": s.start if s.start >= 0 else None,
        "end_offset": s.end if s.start >= 0 else None,
        "spec_offset": spec.start if spec is not None else None,
        "spec_end_offset": spec.end if spec is not None else None,
        **({"origin_offset": site.origin.start, "origin_end_offset": site.origin.end}
           if site is not None and site.origin is not None else {}),
        **({"edits": [e.to_json() for e in f.edits]} if f.edits else {}),
    }


def finding_json(f: Finding) -> dict[str, Any]:
    """A finding as ``--format json`` writes it: the v1 keys, then the site's context (new keys)."""
    d = finding_dict(f)
    if f.site is not None:
        d.update(context_dict(f.site))
    return d


def _image(ref: ImageReference) -> dict[str, Any]:
    return {"registry": ref.registry, "repository": ref.repository, "tag": ref.tag, "digest": ref.digest,
            "platform": ref.platform}


def context_dict(site: InstallSite) -> dict[str, Any]:
    """The site's typed context as extra finding fields (new keys only: ``pinaudit/findings/v1``
    stays valid): where it is written, its build position, requirement parts, pip index, apt
    target suite, npm section and lockfile, an image reference and a conda match spec taken apart."""
    out: dict[str, Any] = {"source": site.source_kind.value}
    b = site.build
    if b is not None:
        out["stage"] = {"index": b.stage_index, "name": b.stage_name}
        out["layer"] = b.layer
        out["base_image"] = _image(b.base_image) if b.base_image is not None else None
        out["base_python"] = b.python
        out["base_suite"] = b.suite
    r = site.requirement
    if r is not None:
        out["requirement"] = {"name": r.name, "specifier": r.specifier, "extras": list(r.extras),
                              "marker": r.marker, "url": r.url}
    i = site.pip_index
    if i is not None and not i.is_default:
        out["pip_index"] = {
            "index_url": i.index_url, "extra_index_urls": list(i.extra_index_urls), "find_links": list(i.find_links),
            "no_index": i.no_index, "pre": i.pre,
            "constraint_files": [
                {"path": c.path, "constraints": None if c.constraints is None else [p.raw for p in c.constraints]}
                for c in i.constraint_files
            ],
        }  # fmt: skip
    if site.apt_target is not None:
        out["apt_target"] = site.apt_target
    if site.npm_section is not None:
        out["npm_section"] = site.npm_section
    if site.project_section is not None:
        out["project_section"] = site.project_section
    if site.lockfile is not None:
        out["lockfile"] = site.lockfile
    if site.image is not None:
        out["image"] = _image(site.image)
    c = site.conda
    if c is not None:
        out["conda"] = {"name": c.name, "version": c.version, "build": c.build, "channel": c.channel}
    return out


def unchecked_dict(u: Unchecked) -> dict[str, Any]:
    return {"path": u.path, "line": u.line, "ecosystem": u.ecosystem, "package": u.package,
            "index": u.index_url, "reason": u.reason}


def render(report: Report) -> str:
    return "".join(render_chunks(report))


def render_chunks(report: Report) -> Iterator[str]:
    """The document a finding at a time: a repository-wide report must not need its whole text
    (and a dict per finding) in memory at once."""
    doc = {
        "schema": SCHEMA,
        "tool": {"name": "pinaudit", "version": __version__},
        "findings": _MARK,
        **({"unchecked": [unchecked_dict(u) for u in report.unchecked]} if report.unchecked is not None else {}),
        "summary": {
            "files": report.files,
            "install_sites": report.install_sites,
            "findings": len(report.findings),
            "by_severity": report.by_severity(),
        },
    }
    head, tail = json.dumps(doc, indent=2, ensure_ascii=False).split(json.dumps(_MARK), 1)
    yield head + "["
    sep = "\n"
    for f in report.findings:
        yield sep + "    " + json.dumps(finding_json(f), indent=2, ensure_ascii=False).replace("\n", "\n    ")
        sep = ",\n"
    yield ("\n  ]" if report.findings else "]") + tail + "\n"
