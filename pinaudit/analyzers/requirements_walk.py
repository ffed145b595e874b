"""Requirements files -> pip install sites, following ``-r``/``-c`` includes as pip does.

Shared by every analyzer that meets a requirements file: the requirements analyzer for files
found by discovery, and the Dockerfile, script and workflow analyzers for ``pip install -r FILE``
and ``pip install -c FILE`` on a command line (:func:`follow`, :func:`read_constraints`). Files are
read through a :class:`~pinaudit.analyzers.build_context.BuildContext`, so a Dockerfile's
requirements come from its build context, whatever that is (a folder, given files, a git tree).

pip treats one invocation's requirements as one set: constraints from any ``-c`` apply to every
entry, and one ``--hash`` anywhere (or ``--require-hashes``) switches the whole set to hash mode,
where pip refuses any entry without a hash. So the include tree is walked first and the verdicts
are computed over the whole set afterwards. Included files' entries are reported at their own
paths and lines (and listed in ``FileResult.related`` so the scan can report each file once).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pinaudit.analyzers import ScanOptions, display_path
from pinaudit.analyzers.build_context import Directory, FileTooLarge
from pinaudit.analyzers.requirements_inputs import compiled_sibling
from pinaudit.model import (
    Action,
    Diagnostic,
    Ecosystem,
    FileResult,
    InstallSite,
    Location,
    Pin,
    Severity,
    Span,
    Suppression,
)
from pinaudit.parse.requirements import Entry, ParsedFile, ParsedRequirement, normalize_name, parse_requirements_text
from pinaudit.pragmas import parse_pragma
from pinaudit.site_context import ConstraintFile, PipIndex, RequirementParts, SiteSource
from pinaudit.vcs_refs import has_hash_fragment

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.analyzers.build_context import BuildContext

KIND = "requirements"
# pip expands ${VAR} from the environment of the build, which we cannot see: every variable is
# unknown (an unresolvable variable is "unknown", never a guessed verdict), whatever the
# auditing machine exports
_NO_ENV: dict[str, str] = {}
MAX_DEPTH = 100
_NO_INDEX_OPTIONS = PipIndex()
MAX_BYTES = 5 * 1024 * 1024


class _Walk:
    __slots__ = (
        "constraint_files", "constraints", "diagnostics", "entries", "files", "hash_mode", "ignore_file",
        "index_options", "missing", "options", "related", "seen", "skipped", "suppressions",
    )  # fmt: skip

    def __init__(
        self,
        options: ScanOptions,
        files: BuildContext,
        entries: list[tuple[str, Entry]] | None = None,
        constraints: dict[str, tuple[str, str]] | None = None,
        hash_mode: bool = False,
        diagnostics: list[Diagnostic] | None = None,
        suppressions: list[Suppression] | None = None,
        missing: list[InstallSite] | None = None,
        related: list[str] | None = None,
        skipped: list[str] | None = None,
        seen: set[Path] | None = None,
        ignore_file: bool = False,
    ) -> None:
        self.options = options
        self.files = files  # where the files and their includes are read
        self.entries: list[tuple[str, Entry]] = [] if entries is None else entries  # (display path, entry)
        # norm name -> (version, file)
        self.constraints: dict[str, tuple[str, str]] = {} if constraints is None else constraints
        self.hash_mode = hash_mode
        self.diagnostics: list[Diagnostic] = [] if diagnostics is None else diagnostics
        self.suppressions: list[Suppression] = [] if suppressions is None else suppressions
        self.missing: list[InstallSite] = [] if missing is None else missing
        self.related: list[str] = [] if related is None else related
        self.skipped: list[str] = [] if skipped is None else skipped
        self.seen: set[Path] = set() if seen is None else seen
        self.ignore_file = ignore_file
        self.index_options: list[tuple[str, str | None]] = []  # the files' --index-url & co, in order
        self.constraint_files: list[ConstraintFile] = []  # the files' -c includes, every constraint


def _read(files: BuildContext, path: Path) -> tuple[str | None, str | None]:
    """(text, error)."""
    try:
        return files.read_text(path, max_bytes=MAX_BYTES).removeprefix("\ufeff"), None
    except FileTooLarge:
        return None, f"{path.name} is larger than 5 MiB"
    except UnicodeDecodeError:
        return None, f"{path.name} is not UTF-8 text"
    except OSError as exc:
        return None, f"cannot read {path.name}: {exc.strerror or exc}"


def _escapes(files: BuildContext, path: Path, root: Path | None) -> bool:
    if root is None:
        return False
    try:
        files.resolve(path).relative_to(files.resolve(root))
        return False
    except ValueError:
        return True


def _pragmas(walk: _Walk, display: str, parsed: ParsedFile, top: bool, text: str) -> None:
    entry_lines = sorted((e.first_line, e.last_line) for e in parsed.entries)
    for first, last, comment_line, comment, own_line in parsed.comments:
        pragma = parse_pragma(comment)
        if pragma is None:
            continue
        if pragma == "file":
            if top:
                walk.ignore_file = True
            else:
                nlines = max(1, text.count("\n") + 1)
                walk.suppressions.append(Suppression(display, frozenset(), 1, nlines, comment_line))
            continue
        if own_line:  # a pragma on a line of its own covers the next entry
            nxt = next(((f, ln) for f, ln in entry_lines if f > comment_line), None)
            if nxt is None:
                continue
            first, last = nxt
        walk.suppressions.append(Suppression(display, pragma, first, last, comment_line))


def _walk_file(
    walk: _Walk, path: Path, display: str, text: str, depth: int, chain: tuple[Path, ...], top: bool,
    parsed: ParsedFile | None = None,
) -> None:
    parsed = parsed if parsed is not None else parse_requirements_text(text, _NO_ENV)
    files = walk.files
    walk.seen.add(files.resolve(path))
    for span, message in parsed.errors:
        walk.diagnostics.append(Diagnostic(Location(display, span), message))
    walk.entries.extend((display, e) for e in parsed.entries)
    walk.index_options.extend(parsed.index_options)
    if parsed.require_hashes or any(e.hashes for e in parsed.entries):
        walk.hash_mode = True
    _pragmas(walk, display, parsed, top, text)
    for inc in parsed.includes:
        loc = Location(display, inc.span)
        if inc.unresolved:
            walk.skipped.append(f"{display}:{inc.line}: -{inc.kind[0]} {inc.target}: variable not set")
            continue
        if "://" in inc.target:
            walk.skipped.append(f"{display}:{inc.line}: remote {inc.kind} file {inc.target} is not audited")
            continue
        target = Path(os.path.expanduser(inc.target))
        if not target.is_absolute():
            target = path.parent / target
        if _escapes(files, target, walk.options.repo_root):
            walk.diagnostics.append(
                Diagnostic(loc, f"-{inc.kind[0]} {inc.target} points outside the repository; not followed")
            )
            continue
        resolved = files.resolve(target)
        if resolved in chain or resolved == files.resolve(path):
            cycle = " -> ".join(p.name for p in (*chain, resolved))
            walk.diagnostics.append(Diagnostic(loc, f"include cycle: {cycle}", Severity.WARNING))
            continue
        if depth + 1 > MAX_DEPTH:
            walk.diagnostics.append(Diagnostic(loc, f"includes nested deeper than {MAX_DEPTH}; not followed"))
            continue
        if not files.is_file(target):
            if inc.kind == "requirement":
                walk.missing.append(
                    InstallSite(
                        Ecosystem.PIP, Action.REQUIREMENTS, None, inc.target, Pin.UNKNOWN, loc, KIND,
                        detail=f"requirements file {inc.target} not found", source_kind=SiteSource.REQUIREMENTS,
                    )
                )  # fmt: skip
            else:
                walk.diagnostics.append(
                    Diagnostic(loc, f"constraints file {inc.target} not found (pip will fail)", Severity.WARNING)
                )
            continue
        inc_display = display_path(target, walk.options.cwd)
        if inc.kind == "constraint":
            entries = _constraint_entries(files, target, depth + 1, (*chain, resolved))
            for name, version in _exact_pins(entries or ()).items():
                walk.constraints.setdefault(name, (version, inc.target))
            parts = None if entries is None else tuple(r.parts for r in entries if r.parts is not None)
            walk.constraint_files.append(ConstraintFile(inc.target, parts))
            if inc_display not in walk.related:
                walk.related.append(inc_display)
            continue
        if resolved in walk.seen:
            continue  # a diamond: pip reads it twice, but its entries are reported once
        sub_text, err = _read(files, target)
        if sub_text is None:
            walk.diagnostics.append(Diagnostic(loc, err or "cannot read"))
            continue
        if inc_display not in walk.related:
            walk.related.append(inc_display)
        _walk_file(walk, target, inc_display, sub_text, depth + 1, (*chain, resolved), top=False)


def _constraint_entries(
    files: BuildContext, path: Path, depth: int, chain: tuple[Path, ...]
) -> list[ParsedRequirement] | None:
    """Every entry of a constraints file and of the files it includes (pip reads them all)."""
    text, _err = _read(files, path)
    if text is None:
        return None
    parsed = parse_requirements_text(text, _NO_ENV)
    out = [e.requirement for e in parsed.entries]
    if depth < MAX_DEPTH:
        for inc in parsed.includes:
            if inc.unresolved or "://" in inc.target:
                continue
            t = Path(os.path.expanduser(inc.target))
            t = t if t.is_absolute() else path.parent / t
            if files.resolve(t) in chain or not files.is_file(t):
                continue
            out.extend(_constraint_entries(files, t, depth + 1, (*chain, files.resolve(t))) or ())
    return out


def _constraints(files: BuildContext, path: Path, depth: int, chain: tuple[Path, ...]) -> dict[str, str] | None:
    """Exact pins of a constraints file and of the files it includes."""
    entries = _constraint_entries(files, path, depth, chain)
    return None if entries is None else _exact_pins(entries)


def _exact_pins(entries: Iterable[ParsedRequirement]) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in entries:
        if r.name and r.version and r.pin in (Pin.EXACT, Pin.IMMUTABLE) and r.kind == "name":
            out.setdefault(normalize_name(r.name), r.version)
    return out


def with_file_options(index: PipIndex, options: Iterable[tuple[str, str | None]],
                      constraint_files: Iterable[ConstraintFile] = ()) -> PipIndex:
    """The index configuration after a requirements file's own options, as pip's ``handle_option``
    applies them: ``--index-url`` replaces, extra indexes and find-links add up."""
    index_url, extra, links = index.index_url, list(index.extra_index_urls), list(index.find_links)
    no_index, pre = index.no_index, index.pre
    for name, value in options:
        if name == "--no-index":
            no_index = True
        elif name == "--pre":
            pre = True
        elif value is None:
            continue
        elif name == "--index-url":
            index_url = value
        elif name == "--extra-index-url":
            extra.append(value)
        elif name == "--find-links":
            links.append(value)
    files = (*index.constraint_files, *constraint_files)
    return PipIndex(index_url, tuple(extra), tuple(links), no_index, pre, files)


def read_constraint_file(path: Path, files: BuildContext | None = None) -> tuple[RequirementParts, ...] | None:
    """Every constraint a constraints file gives (ranges too), for the site's
    :class:`~pinaudit.site_context.PipIndex`; None when it cannot be read."""
    files = files if files is not None else Directory(path.parent)
    try:
        entries = _constraint_entries(files, path, 0, (files.resolve(path),))
    except (OSError, RecursionError):
        return None
    return None if entries is None else tuple(r.parts for r in entries if r.parts is not None)


def read_constraints(path: Path, files: BuildContext | None = None) -> dict[str, str] | None:
    """{PEP 503 name: exact version} that a constraints file pins; None when it cannot be read.

    For ``pip install -c FILE`` on a command line (the pip installer calls this through
    ``InstallContext.read_constraints``). ``files``: where to read it (default: the disk).
    """
    files = files if files is not None else Directory(path.parent)
    try:
        return _constraints(files, path, 0, (files.resolve(path),))
    except (OSError, RecursionError):
        return None


def _site(
    display: str, e: Entry, walk: _Walk, via: Location | None, installer: str, index: PipIndex
) -> InstallSite:
    r = e.requirement
    pin, version, detail = r.pin, r.version, r.error or r.detail
    if pin is Pin.UNPINNED and r.name and r.kind == "name":
        cons = walk.constraints.get(normalize_name(r.name))
        if cons is not None:
            pin, version, detail = Pin.EXACT, cons[0], f"pinned by constraints file {cons[1]}"
    if e.editable and pin is Pin.LOCAL:
        detail = f"editable install of {e.text}"
    hashed = bool(e.hashes) or (r.kind == "url" and has_hash_fragment(e.text))  # pip trusts #sha256=
    if walk.hash_mode and not hashed and pin is not Pin.LOCAL:
        extra = "the file is in hash-checking mode and this entry has no --hash: pip will refuse it"
        detail = f"{detail}; {extra}" if detail else extra
    return InstallSite(
        ecosystem=Ecosystem.PIP,
        action=Action.INSTALL,
        package=r.name if r.name else e.text,
        spec=e.text,
        pin=pin,
        location=Location(display, e.span),
        installer=installer,
        version=version,
        hashed=hashed,
        hash_required=walk.hash_mode,
        detail=detail,
        via=via,
        source_kind=SiteSource.CONSTRAINTS if installer == "constraints" else SiteSource.REQUIREMENTS,
        requirement=r.parts,
        pip_index=index,
        spec_span=e.spec_span,
    )


def _analyze(
    path: Path, display: str, options: ScanOptions, text: str | None, via: Location | None, installed_directly: bool,
    installer: str = KIND, command_constraints: tuple[tuple[str, str, str], ...] = (),
    files: BuildContext | None = None, index: PipIndex | None = None,
) -> FileResult:
    files = files if files is not None else Directory(path.parent)
    walk = _Walk(options, files)
    for name, version, source in command_constraints:  # `pip install -r FILE -c C`: C applies to FILE
        walk.constraints.setdefault(normalize_name(name), (version, source))
    if text is None:
        text, err = _read(files, path)
        if text is None:
            loc = Location(display, Span.point(1))
            return FileResult(display, KIND, diagnostics=(Diagnostic(loc, err or "cannot read"),))
    parsed = parse_requirements_text(text, _NO_ENV)  # once: the input check and the walk share it
    if not installed_directly and compiled_sibling(path, parsed, files) is not None:
        # a compiler's input (requirements.in, or a hand-kept list a pinned file beside it was
        # compiled from): its ranges are the point; the compiled file is what gets installed and
        # is judged in its place. That is an audit, not a skip: nothing is said about it.
        diags = tuple(Diagnostic(Location(display, s), m) for s, m in parsed.errors)
        _pragmas(walk, display, parsed, True, text)
        return FileResult(display, KIND, (), diags, tuple(walk.suppressions), walk.ignore_file)
    try:
        _walk_file(walk, path, display, text, 0, (files.resolve(path),), top=True, parsed=parsed)
    except RecursionError:
        walk.diagnostics.append(Diagnostic(Location(display, Span.point(1)), "includes nested too deeply"))
    index = with_file_options(index or _NO_INDEX_OPTIONS, walk.index_options, walk.constraint_files)
    sites = [_site(d, e, walk, via, installer, index) for d, e in walk.entries]
    sites.extend(walk.missing)
    return FileResult(
        path=display,
        kind=KIND,
        sites=tuple(sites),
        diagnostics=tuple(walk.diagnostics),
        suppressions=tuple(walk.suppressions),
        ignore_file=walk.ignore_file,
        skipped=tuple(walk.skipped),
        related=tuple(walk.related),
    )


def analyze_source(path: Path, display: str, text: str, options: ScanOptions, installer: str = KIND) -> FileResult:
    """A requirements file found by discovery (its text already read), includes read from disk."""
    return _analyze(path, display, options, text, None, False, installer)


def analyze_embedded(
    path: Path, display: str, text: str, options: ScanOptions, *, installer: str, via: Location | None = None,
    files: BuildContext | None = None,
) -> FileResult:
    """Requirements written inside another file (a conda environment file's ``pip:`` list), given
    as a text of the host file's length with everything but the requirements blanked, so every
    entry keeps its own line and offsets. Includes are read relative to the host file's folder,
    where conda runs pip."""
    return _analyze(path, display, options, text, via, True, installer, files=files)


def analyze_file(
    path: Path,
    display: str,
    options: ScanOptions,
    *,
    via: Location | None = None,
    installed_directly: bool = False,
    files: BuildContext | None = None,
) -> FileResult:
    """Audit a requirements file a build installs (``RUN pip install -r FILE``).

    ``via`` is the RUN's location, recorded on every site. ``installed_directly``: the build
    installs this very file, so a ``*.in`` is judged even when a compiled sibling exists.
    ``files``: where it and its includes are read (default: the disk).
    A file that cannot be read gives a Diagnostic; the caller reports a missing file (PIN205).
    """
    return _analyze(path, display, options, None, via, installed_directly, files=files)


def follow(
    site: InstallSite, found: Path | None, options: ScanOptions, *, missing: str, files: BuildContext | None = None
) -> FileResult:
    """Resolve a ``pip install -r FILE`` site (Action.REQUIREMENTS) against the file found for it.

    Shared by every analyzer that meets ``-r`` on a command line (Dockerfile RUN, scripts,
    workflow steps): the file's entries are audited at their own lines, with ``via`` pointing at
    the command, and hash mode from ``--require-hashes`` on the command line carries over. When
    nothing was found the site stays Pin.UNKNOWN with ``missing`` as the reason (PIN205).
    ``files``: where ``found`` and its includes are read (a Dockerfile's build context; default:
    the disk).
    """
    if found is None:
        return FileResult(site.location.path, KIND, sites=(site._replace(pin=Pin.UNKNOWN, detail=missing),))
    display = display_path(found, options.cwd)
    result = _analyze(found, display, options, None, site.location, True, KIND, site.constraints, files,
                      site.pip_index)
    followed = site._replace(pin=Pin.LOCAL, detail=f"follows {display}")
    sites = [followed]
    for s in result.sites:
        sites.append(s._replace(hash_required=True) if site.hash_required and not s.hash_required else s)
    return result._replace(path=site.location.path, sites=tuple(sites), related=(display, *result.related))
