"""``fix --generate-hashes`` (pip-compile's name): after pinning, every entry of a requirements file
gets the ``--hash=sha256:…`` of every file of its pinned release, in pip-compile's layout::

    requests==2.32.5 \\
        --hash=sha256:2462f94637a34fd532264295e186976db0f5d453d1cdd31473c85a6a161affb6 \\
        --hash=sha256:dbba0bac56e100853db0ea71b82b4dfd5fe2bf6d3754a8893c3af500cec7d7cf

One hash makes pip check every requirement (hash-checking mode): an entry without one, or a
dependency the file does not list, fails the install. So a file is hashed whole or not at all:
every entry must be pinned to one version (after this run's pins), and every dependency of the
pinned releases (their Requires-Dist, markers judged for this interpreter, the entry's extras
applied) must be an entry of the file. A file that is not yet that complete set is left with the
reason — ``pinaudit lock`` compiles the whole set from an input file, which is the tool for it.

The hashes are inserted at the end of each entry (after its markers, before its comment, which
then follows the last hash), so every other byte stays. Entries hashed already are kept as they
are; a second run changes nothing. Pure apart from the :class:`HashSource` the edge hands in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from pinaudit.edits import Edit, EditConflict, check_edits
from pinaudit.model import Ecosystem, InstallSite, Pin
from pinaudit.parse.lines import LineIndex, SourceText
from pinaudit.writer.fix import FileChange, FixPlan, Left, site_key

__all__ = ["HashSource", "add_hashes", "hashable_sites"]

_INCLUDE = re.compile(r"^\s*(?:-r|--requirement|-e|--editable)\b", re.M)
_HASH = re.compile(r"--hash[= ]")


class HashSource(Protocol):
    """The index's answers for one pinned release: its files' hashes (``sha256:hex``) and its
    declared dependencies (PEP 508 strings), or the reason there are none."""

    def hashes(self, site: InstallSite, version: str) -> tuple[str, ...] | Left: ...

    def requires(self, site: InstallSite, version: str) -> tuple[str, ...] | Left: ...


def hashable_sites(sites: Sequence[InstallSite]) -> dict[str, list[InstallSite]]:
    """The entries of each requirements file (not constraints files: pip never hashes those)."""
    out: dict[str, list[InstallSite]] = {}
    for s in sites:
        if s.ecosystem is Ecosystem.PIP and s.installer == "requirements" and s.via is None:
            out.setdefault(s.location.path, []).append(s)
    return out


def _entry_end(text: str, index: LineIndex, line: int) -> tuple[int, bool]:
    """Where an entry starting on ``line`` ends (its last physical line's content, before a
    comment and trailing blanks), and whether it holds a ``--hash`` already."""
    hashed = False
    while True:
        a = index.line_start(line)
        b = index.line_start(line + 1) if line < index.line_count else len(text)
        body = text[a:b].rstrip("\r\n")
        hashed = hashed or bool(_HASH.search(body))
        cut = re.search(r"(?:^|[ \t])#", body)
        content = body[:cut.start()] if cut else body
        stripped = content.rstrip(" \t")
        if stripped.endswith("\\") and not cut and line < index.line_count:
            line += 1
            continue
        return a + len(stripped), hashed


def _missing(entries: Sequence[tuple[InstallSite, str]], source: HashSource) -> list[str] | Left:
    """The dependencies of the pinned releases that are not entries of the file."""
    from packaging.markers import InvalidMarker, UndefinedEnvironmentName
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    names = {canonicalize_name(s.package or "") for s, _v in entries}
    out: list[str] = []
    for s, version in entries:
        deps = source.requires(s, version)
        if isinstance(deps, Left):
            return deps
        extras = ["", *(s.requirement.extras if s.requirement is not None else ())]
        for dep in deps:
            try:
                req = Requirement(dep)
                applies = req.marker is None or any(req.marker.evaluate({"extra": e}) for e in extras)
            except (InvalidRequirement, InvalidMarker, UndefinedEnvironmentName):
                applies = True
                req = None
            name = canonicalize_name(req.name if req else dep.split(";")[0].strip())
            if applies and name not in names and name not in out:
                out.append(name)
    return sorted(out)


def add_hashes(plan: FixPlan, files: Mapping[str, Sequence[InstallSite]], source: HashSource,
               read: Callable[[str], bytes]) -> FixPlan:
    """``plan`` with every requirements file in ``files`` hashed, or left with a note."""
    fixed = {site_key(s): v for s, v in plan.fixed}
    changes = {f.path: f for f in plan.files}
    notes = list(plan.notes)
    unreachable = plan.unreachable
    for path, sites in sorted(files.items()):
        change = changes.get(path)
        if change is None:
            try:
                raw = read(path)
                src = SourceText.decode(raw)
            except (OSError, UnicodeDecodeError) as exc:
                notes.append(f"{path}: not hashed: the file could not be read again: {exc}")
                continue
            change = FileChange(path, src, raw, raw, ())
        text = change.source.text
        index = LineIndex(text)
        if _INCLUDE.search(text):
            notes.append(f"{path}: not hashed: it includes other files or editable installs (-r/-e); hash the "
                         "complete set with pinaudit lock")
            continue
        entries: list[tuple[InstallSite, str]] = []
        loose = []
        for s in sites:
            version = fixed.get(site_key(s)) or (s.version if s.pin is Pin.EXACT else None)
            if version:
                entries.append((s, version))
            else:
                loose.append(s.package or s.spec or "?")
        if loose:
            notes.append(f"{path}: not hashed: {', '.join(loose[:5])} not pinned to one version (hash-checking "
                         "mode needs every entry pinned)")
            continue
        missing = _missing(entries, source)
        if isinstance(missing, Left):
            unreachable = unreachable or missing.unreachable
            notes.append(f"{path}: not hashed: {missing.reason}")
            continue
        if missing:
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            notes.append(f"{path}: not hashed: the pinned releases depend on {', '.join(missing[:5])}{more}, which "
                         "the file does not list (hash-checking mode needs every dependency pinned and hashed: "
                         "pinaudit lock compiles the complete set)")
            continue
        inserts: list[Edit] = []
        failed: Left | None = None
        for s, version in entries:
            end, hashed = _entry_end(text, index, s.location.span.line)
            if hashed:
                continue
            got = source.hashes(s, version)
            if isinstance(got, Left) or not got:
                failed = got if isinstance(got, Left) else Left(f"{s.package} {version}: the index lists no hashes")
                break
            nl = change.source.newline
            inserts.append(Edit(path, end, end, "".join(f" \\{nl}    --hash={h}" for h in sorted(got))))
        if failed is not None:
            unreachable = unreachable or failed.unreachable
            notes.append(f"{path}: not hashed: {failed.reason}")
            continue
        if not inserts:
            continue
        merged = _merge(change.edits, inserts)
        try:
            ordered = check_edits(text, merged)
        except EditConflict as exc:
            notes.append(f"{path}: not hashed: {exc}")
            continue
        new = FileChange(path, change.source, change.before, b"", tuple(ordered))
        changes[path] = new._replace(after=change.source.encode(new.new_text))
    return FixPlan(tuple(sorted((f for f in changes.values() if f.after != f.before), key=lambda f: f.path)),
                   plan.fixed, plan.left, unreachable, tuple(notes))


def _merge(edits: Sequence[Edit], inserts: Sequence[Edit]) -> list[Edit]:
    """The version edits and the hash insertions as one set: an insertion where a version edit
    ends is appended to that edit (two edits at one point would be a conflict)."""
    by_end = {e.end: i for i, e in enumerate(edits)}
    out = list(edits)
    for ins in inserts:
        i = by_end.get(ins.start)
        if i is not None:
            out[i] = out[i]._replace(replacement=out[i].replacement + ins.replacement)
        else:
            out.append(ins)
    return out
