"""``pinaudit fix``'s core: scan -> the sites to fix -> versions -> edits per file -> new texts.

Pure apart from reading the files it plans for: the versions come from a :class:`VersionSource`
(the indexes at the edge, a stub in tests), and nothing here writes. The plan is a value
(:class:`FixPlan`) the edge turns into a diff (``--dry-run``) or into one all-or-nothing write.

A site is left as it is — listed with its reason — when no version could be had for it, when its
spec span cannot be told, or when its edit would overlap another; an ``apt-get upgrade`` is left
on purpose (dropping it trades security updates for reproducibility: the user's call). When any
index could not be reached the plan says so and the edge writes nothing (exit 3).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Protocol

from pinaudit.edits import Edit, EditConflict, apply_edits, check_edits
from pinaudit.model import Action, Category, Ecosystem, Finding, InstallSite, Pin
from pinaudit.parse.lines import LineIndex, SourceText
from pinaudit.vcs_refs import is_reference
from pinaudit.writer.rewrite import Left, Target, render_edit, spec_range

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple

__all__ = ["FileChange", "FixPlan", "Left", "SiteKey", "VersionSource", "plan_fix", "render_diff", "select_sites",
           "site_key"]

SiteKey = tuple[str, int, int, str]
# what fix answers: unpinned versions, upgrades (left with a reason), images without a digest
FIX_CATEGORIES = frozenset({Category.UNPINNED, Category.UPGRADE, Category.MUTABLE_IMAGE})
RESOLVABLE = frozenset({Ecosystem.PIP, Ecosystem.NPM, Ecosystem.APT, Ecosystem.APK, Ecosystem.YUM, Ecosystem.IMAGE})
UPGRADE_REASON = ("an upgrade is kept: dropping it stops security updates in this layer, keeping it makes the "
                  "layer depend on its build day; the trade-off is yours (--apt-strategy snapshot installs "
                  "from a dated archive instead)")


def site_key(site: InstallSite) -> SiteKey:
    span = site.location.span
    return site.location.path, span.line, span.column, site.package or ""


class VersionSource(Protocol):
    """Where the versions come from: the indexes now / at an instant, a lock file, a test stub.
    Answers a version (an image's ``sha256:…`` digest) or a :class:`Left` per site it was asked."""

    def versions(self, sites: Sequence[InstallSite]) -> Mapping[SiteKey, str | Left]: ...


class FileChange(NamedTuple):
    path: str
    source: SourceText
    before: bytes
    after: bytes
    edits: tuple[Edit, ...]

    @property
    def new_text(self) -> str:
        return apply_edits(self.source.text, self.edits)


class FixPlan(NamedTuple):
    files: tuple[FileChange, ...]  # only files whose bytes change
    fixed: tuple[tuple[InstallSite, str], ...]
    left: tuple[tuple[InstallSite, Left], ...]
    unreachable: bool  # an index could not be asked: nothing may be written
    notes: tuple[str, ...] = ()  # what was left that is not one site (a stage without a known suite)

    def without(self, reasons: Mapping[str, str]) -> FixPlan:
        """This plan less the files in ``reasons`` (path -> why it may not be written): their
        sites move to ``left`` with that reason."""
        if not reasons:
            return self
        moved = [(s, Left(reasons[s.location.path])) for s, _v in self.fixed if s.location.path in reasons]
        return FixPlan(tuple(f for f in self.files if f.path not in reasons),
                       tuple((s, v) for s, v in self.fixed if s.location.path not in reasons),
                       tuple(sorted((*self.left, *moved), key=lambda p: site_key(p[0]))), self.unreachable,
                       self.notes)

    def summary(self) -> str:
        shown = ", ".join(f"{s.ecosystem.value} {s.package or s.spec or ''}".strip() for s, _w in self.left[:5])
        more = f" and {len(self.left) - 5} more" if len(self.left) > 5 else ""
        left = f"; {len(self.left)} left: {shown}{more}" if self.left else ""
        n = len(self.fixed)
        files = len(self.files)
        return (f"fixed {n} install{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}{left}"
                + (" (nothing written: an index could not be reached)" if self.unreachable else ""))


def select_sites(findings: Sequence[Finding], sites: Sequence[InstallSite],
                 ecosystems: frozenset[str] | None = None) -> list[InstallSite]:
    """The sites behind ``fix``'s findings (after pragmas, --select/--ignore and the baseline),
    in source order, each once."""
    by_key = {site_key(s): s for s in sites}
    out: dict[SiteKey, InstallSite] = {}
    for f in findings:
        if f.category not in FIX_CATEGORIES:
            continue
        site = getattr(f, "site", None)
        if not isinstance(site, InstallSite):
            site = by_key.get((f.location.path, f.location.span.line, f.location.span.column, f.package or ""))
        if site is None or (ecosystems is not None and site.ecosystem.value not in ecosystems):
            continue
        if site.ecosystem is not Ecosystem.IMAGE and site.pin in (Pin.EXACT, Pin.IMMUTABLE):
            continue  # the version is written already (PIN305: its dependencies float; a lock's job)
        out.setdefault(site_key(site), site)
    return sorted(out.values(), key=site_key)


def _precheck(site: InstallSite) -> Left | None:
    if site.action is Action.UPGRADE:
        return Left(UPGRADE_REASON)
    if site.action is not Action.INSTALL or site.package is None:
        return Left("not a named install")
    if site.pin is Pin.UNKNOWN:
        return Left(_outside_origin(site))
    if "$" in site.package or "`" in site.package:
        return Left("its name depends on a variable that is not set")
    if site.pin is Pin.LOCAL:
        return Left("a local path")
    if site.ecosystem in (Ecosystem.PIP, Ecosystem.NPM) and is_reference(site.spec, site.ecosystem.value):
        return Left("a VCS or URL reference: pin it to a full commit id or a hashed file by hand")
    if site.ecosystem not in RESOLVABLE:
        return Left(f"{site.ecosystem.value} installs are not resolved by fix")
    return None


def _outside_origin(site: InstallSite) -> str:
    """Why a spec that depends on a variable not set in the file cannot be fixed in it: where
    its value comes from instead."""
    from pinaudit.writer.origins import is_dockerfile

    path = site.location.path
    name = path.rsplit("/", 1)[-1].lower()
    if is_dockerfile(path):
        where = "a build argument without a default, a base image's ENV or a runtime value"
        how = "give the ARG a pinned default or pin where it is set"
    elif name.startswith(("docker-compose", "compose")):
        where = "the environment or .env when compose runs"
        how = "pin it there"
    elif path.startswith(".github/") or "/.github/" in path:
        where = "a workflow expression, a secret or the runner's environment"
        how = "pin it where it is set"
    else:
        where = "the environment or the script's caller"
        how = "set it in the file or pin it where it is set"
    return f"its spec depends on a variable set outside this file ({where}): {how}"


FileEdits = Callable[[str, SourceText], tuple[list[Edit], list[str]]]


def plan_fix(sites: Sequence[InstallSite], source: VersionSource, read: Callable[[str], bytes], *,
             extra_paths: Sequence[str] = (), extra: FileEdits | None = None) -> FixPlan:
    """Ask ``source`` for every site that can be fixed, and turn its answers into edits per file.

    ``read(path)`` gives a file's bytes (paths as the sites name them). ``extra(path, source)``
    adds edits that belong to no one site (the apt snapshot sources) to each of ``extra_paths``,
    with notes on what it left."""
    left: list[tuple[InstallSite, Left]] = []
    ask: list[InstallSite] = []
    for s in sites:
        if extra is not None and s.action is Action.UPGRADE and s.ecosystem is Ecosystem.APT:
            continue  # from a dated snapshot an upgrade is as reproducible as the install
        pre = _precheck(s)
        if pre is None:
            ask.append(s)
        else:
            left.append((s, pre))
    answers = source.versions(ask) if ask else {}
    unreachable = False
    texts: dict[str, tuple[SourceText, bytes, LineIndex] | Left] = {}
    per_file: dict[str, list[tuple[InstallSite, str, Edit]]] = {}
    for s in ask:
        got = answers.get(site_key(s), Left("no version was found for it"))
        if isinstance(got, Left):
            unreachable = unreachable or got.unreachable
            left.append((s, got))
            continue
        path = s.location.path
        if path not in texts:
            texts[path] = _load(path, read)
        loaded = texts[path]
        if isinstance(loaded, Left):
            left.append((s, loaded))
            continue
        src, _raw, index = loaded
        target = spec_range(s, src.text, index)
        if isinstance(target, Left):
            left.append((s, target))
            continue
        if _already(s, target, got):
            continue
        per_file.setdefault(path, []).append((s, got, render_edit(s, target, got)))

    notes: list[str] = []
    more: dict[str, list[Edit]] = {}
    for path in extra_paths if extra is not None else ():
        if path not in texts:
            texts[path] = _load(path, read)
        loaded = texts[path]
        if isinstance(loaded, Left):
            notes.append(f"{path}: {loaded.reason}")
            continue
        assert extra is not None
        got_edits, got_notes = extra(path, loaded[0])
        notes += got_notes
        if got_edits:
            more[path] = got_edits
            per_file.setdefault(path, [])
    files: list[FileChange] = []
    fixed: list[tuple[InstallSite, str]] = []
    for path, items in per_file.items():
        loaded = texts[path]
        assert not isinstance(loaded, Left)
        src, raw, _index = loaded
        edits = [e for _s, _v, e in items] + more.get(path, [])
        try:
            ordered = check_edits(src.text, edits)
        except EditConflict as exc:
            left += [(s, Left(f"refused: {exc}")) for s, _v, _e in items]
            notes += [f"refused: {exc}"] if not items else []
            continue
        after = src.encode(apply_edits(src.text, ordered))
        fixed += [(s, v) for s, v, _e in items]
        if after != raw:
            files.append(FileChange(path, src, raw, after, tuple(ordered)))
    left.sort(key=lambda p: site_key(p[0]))
    fixed.sort(key=lambda p: site_key(p[0]))
    return FixPlan(tuple(sorted(files, key=lambda f: f.path)), tuple(fixed), tuple(left), unreachable, tuple(notes))


def _already(site: InstallSite, target: Target, version: str) -> bool:
    """Would the edit write what is there already (a second run, or an image already digested)?"""
    return site.ecosystem is Ecosystem.IMAGE and "@" in target.written


def _load(path: str, read: Callable[[str], bytes]) -> tuple[SourceText, bytes, LineIndex] | Left:
    try:
        raw = read(path)
        src = SourceText.decode(raw)
    except (OSError, UnicodeDecodeError) as exc:
        return Left(f"the file could not be read again: {exc}")
    return src, raw, LineIndex(src.text)


def render_diff(plan: FixPlan) -> Iterator[str]:
    """``--dry-run``: a unified diff of every file the plan changes (the sink is the caller's)."""
    for change in plan.files:
        old = change.source.text.splitlines(keepends=True)
        new = change.new_text.splitlines(keepends=True)
        for line in difflib.unified_diff(old, new, f"a/{change.path}", f"b/{change.path}"):
            yield line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"


def describe_left(site: InstallSite, why: Left) -> str:
    loc = site.location
    what = f"{site.ecosystem.value} {site.package}" if site.package else f"{site.ecosystem.value} {site.spec or ''}"
    return f"{loc.path}:{loc.span.line}:{loc.span.column}: {what.strip()}: {why.reason}"
