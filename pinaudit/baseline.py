"""Baselines: accept today's findings, fail only on new ones.

A baseline records findings by *fingerprint* — rule, path and package, never the line number —
so adding a line above ``RUN apt-get install curl`` does not resurrect an accepted finding (SPEC
§5). Identical fingerprints are counted, not collapsed: a Dockerfile that installs unpinned
``curl`` twice has two entries' worth, and a third unpinned ``curl`` added tomorrow still fails
the gate. The same location-free identity, plus the spec and an occurrence index, gives the
SARIF and GitLab fingerprints (:func:`occurrence_keys`).

Paths in a baseline (schema v2) are relative to the baseline file's folder, not to wherever
pinaudit ran: a baseline written from the repository root still matches a run from a subfolder
(``cd docker && pinaudit scan --baseline ../.pinaudit-baseline.json .``). Schema v1 files, whose
paths were as displayed in the run that wrote them, are still read that way. Entries written
before VCS and URL references were named by what they install still match
(:func:`legacy_fingerprints`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from pinaudit.model import Ecosystem, Finding
from pinaudit.vcs_refs import is_reference

__all__ = [
    "SCHEMA",
    "Baseline",
    "BaselineError",
    "fingerprint",
    "legacy_fingerprints",
    "load_baseline",
    "occurrence_keys",
    "render_baseline",
    "write_baseline",
]

SCHEMA = "pinaudit/baseline/v2"
_SCHEMA_V1 = "pinaudit/baseline/v1"  # paths as displayed (relative to the writer's cwd)

# Numbers in a message are usually positions ("line 12", "RUN at 4:7"); they must not make the
# identity of a package-less finding move with the code around it.
_NUMBERS = re.compile(r"\d+")


class BaselineError(Exception):
    """A baseline file that cannot be read or is not a pinaudit baseline (exit code 2)."""


def _subject(f: Finding, *, with_spec: bool = False) -> str:
    """What the finding is about, without where it is."""
    if f.package is not None:
        return f"{f.package}\x1f{f.spec or ''}" if with_spec else f.package
    if f.spec:
        return f"{f.category.value}\x1f{f.spec}"
    return f"{f.category.value}\x1f{_NUMBERS.sub('#', f.message)}"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


def fingerprint(f: Finding) -> str:
    """Rule + path + package (for a package-less finding: category + spec, or the message with
    its numbers blanked). Line and column are left out on purpose."""
    return _digest(f.rule, f.location.path, _subject(f))


def legacy_fingerprints(f: Finding) -> tuple[str, ...]:
    """The fingerprints an older pinaudit gave this finding, which its baseline entries still carry.

    A VCS or URL reference without a name of its own was named by the reference as written
    (``git+https://host/acme/tool.git@main``) until :mod:`pinaudit.vcs_refs` named it by what it
    installs (``tool``, from ``#egg=``, the repository or the file name). An entry written under the
    old name must keep hiding the finding under the new one, or upgrading pinaudit fails every gate.
    """
    old = (f.spec or "").strip()
    if f.package is None or not old or old == f.package:
        return ()
    syntax = {Ecosystem.PIP: "pip", Ecosystem.NPM: "npm"}.get(f.ecosystem) if f.ecosystem else None
    if syntax is None or not is_reference(old, syntax):
        return ()
    return (_digest(f.rule, f.location.path, old),)


def rebase(path: str, cwd: Path, folder: Path) -> str:
    """A finding's displayed path (relative to ``cwd``, or absolute) relative to ``folder``,
    '/'-separated; absolute when no relative path exists (another drive on Windows)."""
    absolute = os.path.normpath(os.path.join(os.path.abspath(cwd), path))
    try:
        return Path(os.path.relpath(absolute, os.path.abspath(folder))).as_posix()
    except ValueError:
        return Path(absolute).as_posix()


def _rebased(findings: Iterable[Finding], cwd: Path, folder: Path) -> list[Finding]:
    return [f._replace(location=f.location._replace(path=rebase(f.location.path, cwd, folder))) for f in findings]


def astuple_span(f: Finding) -> tuple[int, int, int, int]:
    s = f.location.span
    return (s.line, s.column, s.end_line, s.end_column)


def occurrence_keys(findings: Sequence[Finding], *, with_spec: bool = True) -> list[tuple[str, int]]:
    """For each finding (in input order): its location-free key and its occurrence index among
    findings with the same key, counted in source order.

    The index keeps two identical findings apart (GitLab drops duplicate fingerprints; GitHub
    would merge two alerts into one) while staying stable when code moves, as long as the
    duplicates keep their relative order.
    """
    keys = ["\x1e".join((f.rule, f.location.path, _subject(f, with_spec=with_spec))) for f in findings]
    order = sorted(range(len(findings)), key=lambda i: (astuple_span(findings[i]), i))
    seen: Counter[str] = Counter()
    index = [0] * len(findings)
    for i in order:
        index[i] = seen[keys[i]]
        seen[keys[i]] += 1
    return list(zip(keys, index, strict=True))


class BaselineEntry:
    """One entry of a baseline file, as read (a plain class: a NamedTuple cannot have a ``count`` field)."""

    __slots__ = ("count", "fingerprint", "package", "path", "rule")

    def __init__(self, fingerprint: str, rule: str, path: str, package: str | None, count: int) -> None:
        self.fingerprint = fingerprint
        self.rule = rule
        self.path = path
        self.package = package
        self.count = count


_NO_COUNTS: Mapping[str, int] = MappingProxyType({})


class Baseline:
    """Accepted findings: fingerprint -> how many occurrences are accepted."""

    # A plain class, not a NamedTuple: its ``__len__`` (accepted occurrences) would break the tuple's.
    __slots__ = ("counts", "cwd", "entries", "folder", "source")

    def __init__(
        self,
        counts: Mapping[str, int] = _NO_COUNTS,
        entries: tuple[BaselineEntry, ...] = (),
        source: Path | None = None,
        folder: Path | None = None,  # paths are relative to this folder (v2); None: as displayed (v1)
        cwd: Path | None = None,  # what displayed paths are relative to in this run
    ) -> None:
        self.counts = counts
        self.entries = entries
        self.source = source
        self.folder = folder
        self.cwd = cwd

    def filter(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings not covered by the baseline, in input order.

        Up to ``count`` occurrences of each fingerprint are hidden, earliest in source order
        first, so one more occurrence than was accepted still surfaces.
        """
        items = list(findings)
        keyed = items if self.folder is None else _rebased(items, self.cwd or Path.cwd(), self.folder)
        budget = Counter(self.counts)
        hidden: set[int] = set()
        for i in sorted(range(len(items)), key=lambda i: (items[i].sort_key(), i)):
            for fp in (fingerprint(keyed[i]), *legacy_fingerprints(keyed[i])):
                if budget[fp] > 0:
                    budget[fp] -= 1
                    hidden.add(i)
                    break
        return [f for i, f in enumerate(items) if i not in hidden]

    def __len__(self) -> int:
        return sum(self.counts.values())


def render_baseline(findings: Iterable[Finding]) -> str:
    """The baseline file's text: sorted, one entry per fingerprint with a count, no line numbers
    and no tool version, so re-writing an unchanged baseline gives no diff. Paths are taken as
    they are: :func:`write_baseline` makes them relative to the file's folder first."""
    counts: Counter[str] = Counter()
    meta: dict[str, tuple[str, str, str | None]] = {}
    for f in findings:
        fp = fingerprint(f)
        counts[fp] += 1
        meta[fp] = (f.rule, f.location.path, f.package)
    entries = sorted(
        (
            {"path": path, "rule": rule, "package": package, "fingerprint": fp, "count": counts[fp]}
            for fp, (rule, path, package) in meta.items()
        ),
        key=lambda e: (str(e["path"]), str(e["rule"]), str(e["package"] or ""), str(e["fingerprint"])),
    )
    doc = {"schema": SCHEMA, "findings": entries}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_baseline(findings: Iterable[Finding], path: Path, *, cwd: Path | None = None) -> None:
    """Write atomically (temp file in the same folder + ``os.replace``): a crash or a full disk
    leaves the old baseline, never half a file that would then fail every build. ``cwd``: what
    the findings' paths are relative to (default: the current directory)."""
    from pinaudit.writer.atomic import write_atomic

    folder = path.parent if str(path.parent) else Path(".")
    write_atomic(path, [render_baseline(_rebased(findings, cwd or Path.cwd(), folder))])


def load_baseline(path: Path, *, cwd: Path | None = None) -> Baseline:
    """Read a baseline; ``cwd`` is what this run's displayed paths are relative to."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BaselineError(f"{path}: cannot read baseline: {reason}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("schema") not in (SCHEMA, _SCHEMA_V1):
        got = doc.get("schema") if isinstance(doc, dict) else None
        raise BaselineError(f"{path}: not a pinaudit baseline (expected schema {SCHEMA!r}, got {got!r})")
    raw = doc.get("findings")
    if not isinstance(raw, list):
        raise BaselineError(f"{path}: 'findings' must be an array")
    counts: Counter[str] = Counter()
    entries: list[BaselineEntry] = []
    for n, e in enumerate(raw):
        if not isinstance(e, dict):
            raise BaselineError(f"{path}: findings[{n}] must be an object")
        fp, count = e.get("fingerprint"), e.get("count", 1)
        if not isinstance(fp, str) or not fp:
            raise BaselineError(f"{path}: findings[{n}].fingerprint must be a non-empty string")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise BaselineError(f"{path}: findings[{n}].count must be a positive integer")
        counts[fp] += count
        pkg = e.get("package")
        entries.append(
            BaselineEntry(
                fp, str(e.get("rule", "")), str(e.get("path", "")), pkg if isinstance(pkg, str) else None, count
            )
        )
    folder = None if doc["schema"] == _SCHEMA_V1 else (path.parent if str(path.parent) else Path("."))
    return Baseline(MappingProxyType(dict(counts)), tuple(entries), path, folder, cwd)
