"""package.json -> npm install sites, each checked against the lockfile that governs it.

A range in package.json is harmless when a lockfile pins it and ``npm ci`` installs from the
lockfile; it is a hole when there is none, and the lockfile itself is a hole when it no longer
matches package.json (``npm ci`` fails, ``npm install`` silently re-resolves). So every dependency
site carries both its own pin and its lock state, and the rules (PIN303/PIN304/PIN306) weigh them.

The governing lockfile is the one beside package.json, else the nearest ancestor's when this
folder is one of that ancestor's workspace members: its globs (``workspaces`` in package.json, a
pnpm-workspace.yaml's ``packages``) take the folder, or its lockfile records it as an importer.
A folder below a workspace root but outside its globs (``scripts/tool``) has no lockfile. A
lockfile of an unknown format version is reported and treated as absent: guessing "locked" would
hide drift.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator
from pathlib import Path

from pinaudit.analyzers import ScanOptions, SourceFile, display_path
from pinaudit.model import (
    Action,
    Diagnostic,
    Ecosystem,
    FileResult,
    InstallSite,
    Location,
    LockState,
    Pin,
    Severity,
    Span,
)
from pinaudit.parse import json_pos
from pinaudit.parse.json_pos import JMember, JObject, JScalar, LineIndex
from pinaudit.parse.lockfiles import (
    Lockfile,
    NpmSpec,
    classify_npm_spec,
    find_lockfiles,
    read_lockfile,
    satisfies,
)
from pinaudit.parse.spec_range import end_point
from pinaudit.parse.text import span_of
from pinaudit.site_context import SiteSource

KIND = "package.json"
SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")
MAX_UP = 64
MAX_OVERRIDE_DEPTH = 32


class _Ctx:
    def __init__(self, display: str, text: str) -> None:
        self.display = display
        self.index = LineIndex(text)
        self.sites: list[InstallSite] = []
        self.diagnostics: list[Diagnostic] = []
        self.related: list[str] = []

    def span(self, start: int, end: int) -> Span:
        return span_of(self.index, start, max(start, end))

    def key_loc(self, m: JMember) -> Location:
        return Location(self.display, self.span(m.key_start + 1, m.key_end - 1))

    def value_span(self, m: JMember) -> Span:
        """A string value inside its quotes: where ``fix`` writes the version."""
        return self.span(m.value.start + 1, m.value.end - 1)


def _read_pnpm_workspace(path: Path) -> dict[object, object] | None:
    """pnpm-workspace.yaml as plain strings (the C base loader: no tags, no type guessing)."""
    import yaml

    try:
        doc = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None
    return doc if isinstance(doc, dict) else None


def _workspace_globs(directory: Path) -> list[str] | None:
    """The member globs of a workspace root (``workspaces`` in package.json, as a list or as
    ``{"packages": [...]}``; ``packages`` in pnpm-workspace.yaml); None when it is not one."""
    pnpm = directory / "pnpm-workspace.yaml"
    if pnpm.is_file():
        doc = _read_pnpm_workspace(pnpm)
        packages = doc.get("packages") if doc is not None else None
        return [str(p) for p in packages] if isinstance(packages, list) else []
    pj = directory / "package.json"
    if not pj.is_file():
        return None
    try:
        data = json.loads(pj.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or "workspaces" not in data:
        return None
    ws = data["workspaces"]
    if isinstance(ws, dict):
        ws = ws.get("packages")
    return [str(p) for p in ws] if isinstance(ws, list) else []


def _folders_up(pkg_dir: Path, options: ScanOptions) -> Iterator[Path]:
    """pkg_dir and its ancestors, up to the repository root (at most MAX_UP of them)."""
    d = pkg_dir.resolve()
    root = options.repo_root.resolve() if options.repo_root is not None else None
    for _ in range(MAX_UP):
        yield d
        if d == root or d.parent == d:
            return
        d = d.parent


def _catalogs(pkg_dir: Path, options: ScanOptions) -> dict[str, dict[str, str]]:
    """pnpm catalogs of the nearest pnpm-workspace.yaml: {"default": {...}, name: {...}}."""
    for d in _folders_up(pkg_dir, options):
        ws = d / "pnpm-workspace.yaml"
        if not ws.is_file():
            continue
        doc = _read_pnpm_workspace(ws)
        if doc is None:
            return {}
        out: dict[str, dict[str, str]] = {}
        named = doc.get("catalogs")
        for name, table in (named.items() if isinstance(named, dict) else ()):
            if isinstance(table, dict):
                out[str(name)] = {str(k): str(v) for k, v in table.items() if isinstance(v, str)}
        default = doc.get("catalog")
        if isinstance(default, dict):
            out.setdefault("default", {}).update({str(k): str(v) for k, v in default.items() if isinstance(v, str)})
        return out
    return {}


def _catalog_spec(spec: str, name: str, catalogs: dict[str, dict[str, str]]) -> NpmSpec | None:
    """``catalog:`` / ``catalog:NAME``: the spec the catalog gives ``name``, judged as written there."""
    catalog = spec[len("catalog:"):].strip() or "default"
    resolved = catalogs.get(catalog, {}).get(name)
    where = "the default catalog" if catalog == "default" else f"catalog '{catalog}'"
    if resolved is None:
        return NpmSpec(Pin.UNKNOWN, None, f"{name} is not in {where} of pnpm-workspace.yaml (pnpm install fails)",
                       "unknown")
    cls = classify_npm_spec(resolved)
    return cls._replace(detail=f"{where} says '{resolved}'")


def _glob_parts_match(pattern: list[str], path: list[str]) -> bool:
    if not pattern:
        return not path
    if pattern[0] == "**":
        return any(_glob_parts_match(pattern[1:], path[i:]) for i in range(len(path) + 1))
    return bool(path) and fnmatch.fnmatchcase(path[0], pattern[0]) and _glob_parts_match(pattern[1:], path[1:])


def _is_member(globs: list[str], importer: str) -> bool:
    """Does a workspace glob (``packages/*``, ``apps/**``, pnpm's ``!excluded``) take this folder?"""
    path = importer.split("/")
    taken = False
    for raw in globs:
        negated = raw.startswith("!")
        pattern = raw[1:] if negated else raw
        pattern = pattern.strip().removeprefix("./").strip("/")
        if pattern and _glob_parts_match(pattern.split("/")[:64], path):
            taken = not negated
    return taken


def _preferred(locks: list[Path], package_manager: str | None) -> list[Path]:
    if not package_manager:
        return locks
    tool = package_manager.split("@", 1)[0]
    want = {"pnpm": "pnpm-lock.yaml", "yarn": "yarn.lock", "npm": "package-lock.json"}.get(tool)
    return sorted(locks, key=lambda p: p.name != want)


def find_governing_lockfile(
    pkg_dir: Path, options: ScanOptions, package_manager: str | None, ctx: _Ctx | None = None
) -> tuple[Lockfile | None, str]:
    """(lockfile, importer path of pkg_dir relative to the lockfile's folder)."""
    for d in _folders_up(pkg_dir, options):
        for path in _preferred(find_lockfiles(d), package_manager):
            importer = pkg_dir.resolve().relative_to(d).as_posix()
            importer = "" if importer == "." else importer
            lock = read_lockfile(path)
            if lock.error:
                if ctx is not None:
                    shown = display_path(path, options.cwd)
                    ctx.diagnostics.append(
                        Diagnostic(Location(shown, Span.point(lock.error_line)), f"{path.name}: {lock.error}",
                                   Severity.WARNING)
                    )  # fmt: skip
                continue
            globs = _workspace_globs(d) if importer else None
            if importer and importer not in lock.importers and not (globs is not None and _is_member(globs, importer)):
                break  # another project's lockfile: this folder is not one of its members
            return lock, importer
    return None, ""


def _norm_version(v: str) -> str:
    if v.startswith("npm:") or ("@" in v and not v.startswith(("link:", "file:"))):
        return v.rsplit("@", 1)[-1]
    return v


def _lock_state(lock: Lockfile | None, name: str, spec: str, cls: NpmSpec, importer: str,
                forced: tuple[str, ...] = ()) -> tuple[LockState, str]:
    """Whether ``lock`` pins the dependency ``name: spec`` as package.json asks. An override that
    forces the package (``forced``: the specs of npm ``overrides``, yarn ``resolutions``, pnpm
    ``overrides`` that reach a direct dependency) is what the lockfile follows instead: an entry
    that matches it is in sync, even outside ``spec``."""
    if lock is None:
        return LockState.NO_LOCKFILE, ""
    if cls.pin is Pin.LOCAL or cls.pin is Pin.UNKNOWN:
        return LockState.LOCKED, ""
    state, why = _entry_state(lock, name, spec, cls, importer)
    if state is LockState.DRIFT and any(_entry_state(lock, name, o, classify_npm_spec(o), importer, spec)[0]
                                        is LockState.LOCKED for o in forced):
        return LockState.LOCKED, f"locked as an override forces it ({', '.join(forced)})"
    return state, why


def _entry_state(lock: Lockfile, name: str, spec: str, cls: NpmSpec, importer: str,
                 written: str | None = None) -> tuple[LockState, str]:
    """``spec`` against the lockfile's entry for ``name`` (``written``: the spec package.json
    gives, when ``spec`` is an override's; a lockfile may record either as the specifier)."""
    entry = lock.lookup(name, written or spec, importer)
    lname = lock.path.name
    if entry is None:
        return LockState.DRIFT, f"missing from {lname}"
    if entry.specifier is not None and entry.specifier.strip() not in (spec.strip(), (written or spec).strip()):
        return LockState.DRIFT, f"{lname} was resolved for '{entry.specifier}', package.json now says '{spec}'"
    if cls.range is None or not entry.versions:
        return LockState.LOCKED, ""
    verdicts = [satisfies(_norm_version(v), cls.range) for v in entry.versions]
    if any(v is True for v in verdicts) or all(v is None for v in verdicts):
        return LockState.LOCKED, ""
    locked = ", ".join(entry.versions)
    return LockState.DRIFT, f"{lname} locks {locked}, which '{spec}' does not admit"


def _direct_overrides(root: JObject, root_specs: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Package name -> the override specs that reach it as a direct dependency: npm ``overrides``
    at the top level (a string, or an object's ``"."``), yarn ``resolutions`` for ``name`` or
    ``**/name``, pnpm ``overrides`` (and ``pnpm.overrides``) for ``name`` or ``name@range``. Those
    scoped under a parent (npm's nested objects, yarn's ``parent/name``, pnpm's ``parent>name``)
    reach transitive copies only. ``$name`` references are resolved against ``root_specs``."""
    pnpm = root.get("pnpm")
    blocks = [(root.get("overrides"), "npm"), (root.get("resolutions"), "yarn"),
              (pnpm.get("overrides") if isinstance(pnpm, JObject) else None, "pnpm")]
    out: dict[str, list[str]] = {}
    for block, style in blocks:
        for m in block.members if isinstance(block, JObject) else ():
            value = m.value.get(".") if isinstance(m.value, JObject) and style == "npm" else m.value
            if not isinstance(value, JScalar) or not isinstance(value.value, str):
                continue
            key = m.key.strip()
            scoped = (style == "pnpm" and ">" in key) or (
                style == "yarn" and len([p for p in key.removeprefix("**/").split("/") if p]) > (
                    2 if key.removeprefix("**/").startswith("@") else 1))
            name = _override_name(key, style)
            if scoped or not name:
                continue
            spec = value.value
            spec = root_specs.get(spec[1:], spec) if spec.startswith("$") else spec
            out.setdefault(name, []).append(spec)
    return {k: tuple(v) for k, v in out.items()}


def _override_name(key: str, style: str) -> str | None:
    """Package named by an overrides/resolutions/pnpm.overrides key."""
    k = key.strip()
    if style == "pnpm":
        k = k.rsplit(">", 1)[-1]
    elif style == "yarn":
        parts = [p for p in k.split("/") if p and p != "**"]
        if not parts:
            return None
        k = "/".join(parts[-2:]) if len(parts) >= 2 and parts[-2].startswith("@") else parts[-1]
    at = k.find("@", 1)
    name = k[:at] if at > 0 else k
    return name or None


def _override_sites(
    ctx: _Ctx, obj: JObject, style: str, parent: str | None, depth: int, lock: Lockfile | None,
    root_specs: dict[str, str],
) -> None:  # fmt: skip
    if depth > MAX_OVERRIDE_DEPTH:
        ctx.diagnostics.append(
            Diagnostic(Location(ctx.display, ctx.span(obj.start, obj.start + 1)), "overrides nested too deeply")
        )
        return
    for m in obj.members:
        name = parent if m.key == "." else _override_name(m.key, style)
        if isinstance(m.value, JObject):
            _override_sites(ctx, m.value, style, name, depth + 1, lock, root_specs)
            continue
        if not isinstance(m.value, JScalar) or not isinstance(m.value.value, str) or not name:
            continue
        spec = m.value.value
        detail_pre = ""
        if spec.startswith("$"):
            ref = root_specs.get(spec[1:])
            if ref is None:
                why = f"reference {spec} to a dependency that is not declared"
                site_cls = NpmSpec(Pin.UNKNOWN, None, why, "unknown")
            else:
                site_cls = classify_npm_spec(ref)
                detail_pre = f"{spec} = '{ref}'"
        else:
            site_cls = classify_npm_spec(spec)
        state = LockState.NO_LOCKFILE
        extra = ""
        if lock is not None:
            state = LockState.LOCKED
            versions = lock.all_versions(name)
            if versions and site_cls.range and site_cls.pin is not Pin.LOCAL:
                verdicts = [satisfies(_norm_version(v), site_cls.range) for v in versions]
                if not any(v is True for v in verdicts) and not all(v is None for v in verdicts):
                    state = LockState.DRIFT
                    extra = f"{lock.path.name} locks {', '.join(versions)}, which the override does not admit"
        detail = "; ".join(p for p in (detail_pre, f"{style} override", site_cls.detail, extra) if p)
        ctx.sites.append(
            InstallSite(
                ecosystem=Ecosystem.NPM, action=Action.INSTALL, package=name, spec=spec, pin=site_cls.pin,
                location=ctx.key_loc(m), installer=KIND, version=site_cls.version, lock=state, detail=detail,
                spec_span=ctx.value_span(m),
            )
        )  # fmt: skip


def _pm_spec(span: Span, value: str) -> Span:
    """``@1.2.3+sha...`` of ``"packageManager": "pnpm@1.2.3+sha..."`` (the end when there is none)."""
    at = value.find("@", 1)
    return span_of_sub(span, at if at != -1 else len(value), len(value), value)


def span_of_sub(span: Span, a: int, b: int, text: str) -> Span:
    """text[a:b] of a one-line span laid out as ``text``; the end point otherwise."""
    if span.line == span.end_line and span.end - span.start == len(text):
        return span.sub(a, b)
    return end_point(span)


def _package_manager(ctx: _Ctx, m: JMember) -> None:
    if not isinstance(m.value, JScalar) or not isinstance(m.value.value, str):
        return
    value = m.value.value
    loc = Location(ctx.display, ctx.span(m.value.start + 1, m.value.end - 1))
    mm = re.match(r"^(?P<name>(?:@[^/@]+/)?[^@+]+)(?:@(?P<ver>[^+]*))?(?:\+(?P<hash>.+))?$", value.strip())
    if mm is None:
        ctx.diagnostics.append(Diagnostic(loc, f"packageManager {value!r} is not name@version", Severity.WARNING))
        return
    ver = mm.group("ver") or ""
    cls = classify_npm_spec(ver) if ver else NpmSpec(Pin.UNPINNED, None, "no version", "range")
    pin, detail = cls.pin, "corepack fetches the package manager named here"
    if cls.pin is Pin.EXACT and mm.group("hash"):
        pin, detail = Pin.IMMUTABLE, detail + " (hash verified)"
    elif cls.pin is not Pin.EXACT:
        detail = f"{detail}; corepack needs an exact version ({cls.detail or 'not exact'})"
    ctx.sites.append(
        InstallSite(Ecosystem.NPM, Action.INSTALL, mm.group("name"), value, pin, loc, KIND,
                    version=cls.version if pin is not Pin.UNPINNED else None, detail=detail,
                    spec_span=_pm_spec(loc.span, value))
    )  # fmt: skip


def analyze_text(path: Path, display: str, text: str, options: ScanOptions) -> FileResult:
    ctx = _Ctx(display, text)
    try:
        root = json_pos.parse(text)
    except json_pos.JsonError as exc:
        loc = Location(display, ctx.span(exc.offset, exc.offset))
        return FileResult(display, KIND, diagnostics=(Diagnostic(loc, f"malformed JSON: {exc.message}"),))
    if not isinstance(root, JObject):
        loc = Location(display, Span.point(1))
        return FileResult(display, KIND, diagnostics=(Diagnostic(loc, "package.json is not a JSON object"),))

    pm_node = root.get("packageManager")
    pm = pm_node.value if isinstance(pm_node, JScalar) and isinstance(pm_node.value, str) else None
    lock, importer = find_governing_lockfile(path.parent, options, pm, ctx)
    if lock is not None:
        ctx.related.append(display_path(lock.path, options.cwd))

    root_specs: dict[str, str] = {}
    for section in SECTIONS:  # what a `$name` override refers to
        node = root.get(section)
        for m in {m.key: m for m in node.members}.values() if isinstance(node, JObject) else ():
            if isinstance(m.value, JScalar) and isinstance(m.value.value, str):
                root_specs.setdefault(m.key, m.value.value)
    forced = _direct_overrides(root, root_specs)
    has_deps = False
    catalogs: dict[str, dict[str, str]] | None = None  # read on the first catalog: spec
    for section in SECTIONS:
        member = root.member(section)
        if member is None:
            continue
        node = member.value
        if not isinstance(node, JObject):
            if not (isinstance(node, JScalar) and node.value is None):
                ctx.diagnostics.append(
                    Diagnostic(ctx.key_loc(member), f"{section} is not an object; ignored", Severity.WARNING)
                )
            continue
        # a key given twice: npm reads the file with JSON.parse, where the last one wins
        for m in {m.key: m for m in node.members}.values():
            if not isinstance(m.value, JScalar) or not isinstance(m.value.value, str):
                ctx.diagnostics.append(
                    Diagnostic(ctx.key_loc(m), f"{section}.{m.key}: the spec is not a string", Severity.WARNING)
                )
                continue
            has_deps = True
            spec = m.value.value
            cls = classify_npm_spec(spec)
            if spec.startswith("catalog:"):
                catalogs = _catalogs(path.parent, options) if catalogs is None else catalogs
                cls = _catalog_spec(spec, m.key, catalogs) or cls
            state, lock_detail = _lock_state(lock, m.key, spec, cls, importer, forced.get(m.key, ()))
            detail = "; ".join(p for p in (cls.detail, lock_detail, "" if section == "dependencies" else section) if p)
            ctx.sites.append(
                InstallSite(
                    ecosystem=Ecosystem.NPM, action=Action.INSTALL, package=m.key, spec=spec, pin=cls.pin,
                    location=ctx.key_loc(m), installer=KIND, version=cls.version, lock=state, detail=detail,
                    npm_section=section, spec_span=ctx.value_span(m),
                )
            )  # fmt: skip

    for key, style in (("overrides", "npm"), ("resolutions", "yarn")):
        onode = root.get(key)
        if isinstance(onode, JObject):
            first = len(ctx.sites)
            _override_sites(ctx, onode, style, None, 0, lock, root_specs)
            ctx.sites[first:] = [s._replace(npm_section=key) for s in ctx.sites[first:]]
    pnpm = root.get("pnpm")
    if isinstance(pnpm, JObject):
        onode = pnpm.get("overrides")
        if isinstance(onode, JObject):
            first = len(ctx.sites)
            _override_sites(ctx, onode, "pnpm", None, 0, lock, root_specs)
            ctx.sites[first:] = [s._replace(npm_section="pnpm.overrides") for s in ctx.sites[first:]]
    pm_member = root.member("packageManager")
    if pm_member is not None:
        first = len(ctx.sites)
        _package_manager(ctx, pm_member)
        ctx.sites[first:] = [s._replace(npm_section="packageManager") for s in ctx.sites[first:]]

    if has_deps:
        lock_name = display_path(lock.path, options.cwd) if lock is not None else ""
        ctx.sites.append(
            InstallSite(
                ecosystem=Ecosystem.NPM, action=Action.MANIFEST, package=None, spec=None,
                pin=Pin.EXACT if lock is not None else Pin.UNPINNED,
                location=Location(display, Span.point(1, 1, 1)), installer=KIND,
                lock=LockState.LOCKED if lock is not None else LockState.NO_LOCKFILE,
                detail=f"locked by {lock_name}" if lock is not None else "no lockfile",
            )
        )  # fmt: skip
    lockfile = display_path(lock.path, options.cwd) if lock is not None else None
    sites = tuple(s._replace(source_kind=SiteSource.PACKAGE_JSON, lockfile=lockfile) for s in ctx.sites)
    return FileResult(display, KIND, sites, tuple(ctx.diagnostics), related=tuple(ctx.related))


def analyze(source: SourceFile, options: ScanOptions) -> FileResult:
    """Analyzer entry point. Never raises for bad input."""
    try:
        return analyze_text(source.path, source.display, source.text, options)
    except RecursionError:
        loc = Location(source.display, Span.point(1))
        return FileResult(source.display, KIND, diagnostics=(Diagnostic(loc, "package.json nested too deeply"),))
