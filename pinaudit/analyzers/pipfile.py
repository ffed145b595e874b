"""Pipfile -> pip install sites, judged against the Pipfile.lock beside it.

``[packages]``, ``[dev-packages]`` and any other category table; a value is a PEP 440 specifier
string (``"*"`` admits any version) or a table with ``version``, ``git``/``ref``, ``path`` or
``file``. Pipfile.lock records the sha256 of the Pipfile it was made from: a lockfile whose hash
no longer matches is out of date as a whole (``pipenv install --deploy`` refuses it), reported once
at line 1 as drift, beside each dependency the lockfile misses or locks out of range.
"""

from __future__ import annotations

from typing import Any

from pinaudit.analyzers import ScanOptions, SourceFile
from pinaudit.analyzers.python_project import (
    Ctx,
    Dep,
    add_site,
    bad_entry,
    find_lock,
    pep508_dep,
    toml_error,
    vcs_dep,
)
from pinaudit.model import Action, Ecosystem, FileResult, InstallSite, Location, LockState, Pin, Span
from pinaudit.parse.pylocks import pipfile_hash
from pinaudit.parse.toml_pos import TomlError, loads
from pinaudit.site_context import SiteSource

KIND = "Pipfile"
_NOT_PACKAGES = frozenset({"source", "requires", "pipenv", "scripts"})


def _dep(ctx: Ctx, name: str, value: Any, section: str) -> Dep | None:
    where = (section, name)
    if isinstance(value, str):
        spec = "" if value.strip() == "*" else value.strip()
        dep = pep508_dep(f"{name}{spec}", where, section)
        return dep._replace(spec=value) if dep is not None else None
    if not isinstance(value, dict):
        bad_entry(ctx, where, f"{section}.{name} is neither a string nor a table; ignored")
        return None
    if "git" in value:
        return vcs_dep(name, value, ("ref",), where, section)
    if "path" in value or "file" in value:
        return Dep(name, str(value.get("path") or value.get("file")), Pin.LOCAL, where, section,
                   detail="a local path or file")
    version = value.get("version", "*")
    if not isinstance(version, str):
        return None
    spec = "" if version.strip() == "*" else version.strip()
    dep = pep508_dep(f"{name}{spec}", where, section)
    return dep._replace(spec=version, value_path=(*where, "version")) if dep is not None else None


def analyze_file(source: SourceFile, options: ScanOptions, via: Location | None = None) -> FileResult:
    ctx = Ctx(source.path, source.display, source.text, KIND, options, via)
    try:
        doc = loads(source.text)
    except TomlError as exc:
        return FileResult(source.display, KIND, diagnostics=(toml_error(source, exc),))
    deps: list[Dep] = []
    for section, table in doc.items():
        if section in _NOT_PACKAGES or not isinstance(table, dict):
            continue
        for name, value in table.items():
            dep = _dep(ctx, name, value, section)
            if dep is not None:
                deps.append(dep)
    if not deps:
        return ctx.result()
    lock_path = source.path.parent / "Pipfile.lock"
    lock = find_lock(ctx, [lock_path] if lock_path.is_file() else [])
    for dep in deps:
        add_site(ctx, dep, lock)
    if lock is not None and lock.manifest_hash is not None:
        expected = pipfile_hash(doc)
        if expected is not None and expected != lock.manifest_hash:
            ctx.sites.append(InstallSite(
                ecosystem=Ecosystem.PIP, action=Action.MANIFEST, package=None, spec=None, pin=Pin.EXACT,
                location=Location(source.display, Span.point(1, 1, 1)), installer=KIND, lock=LockState.DRIFT,
                detail=f"Pipfile.lock was made from another Pipfile (_meta.hash.sha256 {lock.manifest_hash[:12]}…, "
                       f"this Pipfile hashes to {expected[:12]}…)",
                via=via, source_kind=SiteSource.PYTHON_PROJECT, lockfile=ctx.related[-1] if ctx.related else None,
            ))
    return ctx.result()


def analyze(source: SourceFile, options: ScanOptions) -> FileResult:
    """Analyzer entry point. Never raises for bad input."""
    return analyze_file(source, options)
