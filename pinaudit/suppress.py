"""Filters applied after the rules ran: pragmas, ignore-file, config ignores, severity overrides.

Rules never see suppressions (hadolint's lesson): a rule answers "is this site pinned?", and
whether the user has accepted the answer is a separate, later question. Keeping it here means one
place decides, in one order, and ``--warn-unused-ignores`` can tell which pragmas did nothing.

Order for each finding:

1. ``# pinaudit: ignore-file`` on its file drops it (including PIN001: the user said "not this
   file").
2. A rule switched off by ``select``/``ignore`` drops it (the engine normally never runs such
   rules; repeating the test here keeps PIN001, which comes from parsers, under the same switch).
3. A pragma covering its line drops it. PIN001 is dropped only by a pragma that *names* it: a
   blanket ``# pinaudit: ignore`` silences install findings, not the fact that pinaudit could not
   read the code below it (whatever is hidden in an unparseable RUN was never audited). A file
   that cannot be parsed at all is silenced by ``ignore-file`` or by config, never by a pragma.
4. ``per-file-ignores`` from the config drops it.

Pragmas are tried before ``per-file-ignores`` so that a pragma made redundant by today's config is
not reported as unused (the config can change per run; the pragma is still right).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from pinaudit.config import Config
from pinaudit.model import FileResult, Finding, Suppression

__all__ = ["PARSE_ERROR_RULE", "apply", "apply_severity", "covers"]

PARSE_ERROR_RULE = "PIN001"


def covers(suppression: Suppression, finding: Finding) -> bool:
    """Does this pragma silence this finding? (same file, line in range, code named or blanket)."""
    if suppression.path != finding.location.path:
        return False
    if not suppression.first_line <= finding.location.span.line <= suppression.last_line:
        return False
    if not suppression.codes:
        return finding.rule != PARSE_ERROR_RULE
    return _matches(finding.rule, suppression.codes)


def apply(
    findings: Sequence[Finding],
    results: Sequence[FileResult],
    config: Config,
    *,
    cwd: Path | None = None,
) -> tuple[list[Finding], list[Suppression]]:
    """Return (the findings that survive, the pragmas that suppressed nothing).

    ``cwd`` is the directory displayed paths are relative to (default: the process's), used to
    match ``per-file-ignores`` globs, which are relative to the config file's folder.
    Unused pragmas are sorted by path and line; a pragma whose codes are all switched off by
    ``select``/``ignore`` is not reported (it did nothing because nothing ran, not because it is
    stale), nor is any pragma in an ``ignore-file`` file.
    """
    ignored_files = {r.path for r in results if r.ignore_file}
    by_path: dict[str, list[Suppression]] = {}
    for r in results:
        for s in r.suppressions:
            bucket = by_path.setdefault(s.path, [])
            if s not in bucket:  # the same file can come back twice (scanned, and via -r)
                bucket.append(s)
    used: set[Suppression] = set()
    pfi_cache: dict[str, tuple[str, ...]] = {}
    kept: list[Finding] = []
    for f in findings:
        path = f.location.path
        if path in ignored_files or not config.enabled(f.rule):
            continue
        hits = [s for s in by_path.get(path, ()) if covers(s, f)]
        if hits:
            used.update(hits)
            continue
        if config.per_file_ignores:
            if path not in pfi_cache:
                pfi_cache[path] = config.ignored_codes(path, cwd=cwd)
            if _matches(f.rule, pfi_cache[path]):
                continue
        kept.append(f)

    unused = [
        s
        for path, sups in by_path.items()
        if path not in ignored_files
        for s in sups
        if s not in used and (not s.codes or any(config.enabled(c) for c in s.codes))
    ]
    unused.sort(key=lambda s: (s.path, s.comment_line, s.first_line, sorted(s.codes)))
    return kept, unused


def apply_severity(findings: Iterable[Finding], config: Config) -> list[Finding]:
    """The findings with ``[tool.pinaudit.severity]`` overrides applied (exact code beats prefix).

    Applied after the rules, so a rule's own per-verdict severity (PIN303 is info when a lockfile
    pins the range) is what the user overrides, uniformly, like hadolint's ``--error``/``--info``.
    """
    if not config.severity:
        return list(findings)
    out: list[Finding] = []
    for f in findings:
        sev = config.severity_for(f.rule)
        out.append(f if sev is None or sev == f.severity else f._replace(severity=sev))
    return out


def _matches(code: str, patterns: Iterable[str]) -> bool:
    code = code.upper()
    return any(code.startswith(p.upper()) for p in patterns)
