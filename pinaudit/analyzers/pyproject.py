"""pyproject.toml -> pip install sites, judged against uv.lock, poetry.lock, pdm.lock or pylock.toml.

Read: PEP 621 ``[project] dependencies`` and ``optional-dependencies``, PEP 735
``[dependency-groups]`` (an ``include-group`` is judged where the included group is written),
Poetry's ``[tool.poetry.dependencies]``, ``dev-dependencies`` and ``group.*.dependencies`` (with
Poetry's ``^``/``~``/``*`` constraints), pdm's and uv's legacy dev-dependency lists, and
``[tool.uv.sources]``, whose git entries follow the VCS policy of SPEC §5 (a source's path or
workspace member is local). ``[build-system] requires`` is the build backend, not the project's
dependencies, and is left to the build front-end's isolation.

The lockfile is the one beside the file, the tool's own first (``[tool.poetry]`` prefers
poetry.lock, ``[tool.pdm]`` pdm.lock), then uv.lock, poetry.lock, pdm.lock, pylock.toml and
``pylock.*.toml``.
"""

from __future__ import annotations

from pathlib import Path
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
from pinaudit.model import FileResult, Location, Pin
from pinaudit.parse.pylocks import canonical, lock_candidates, poetry_exact, poetry_to_pep440
from pinaudit.parse.toml_pos import Path_, TomlError, loads

KIND = "pyproject.toml"
MAX_UP = 16
_GIT_REFS = ("rev", "tag", "branch")


def _table(doc: dict[str, Any], *keys: str) -> dict[str, Any]:
    node: Any = doc
    for k in keys:
        node = node.get(k) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _pep508_list(ctx: Ctx, value: Any, where: Path_, section: str, group: str) -> list[Dep]:
    if not isinstance(value, list):
        bad_entry(ctx, where, f"{section} is not an array; ignored")
        return []
    out: list[Dep] = []
    for i, entry in enumerate(value):
        if isinstance(entry, dict) and "include-group" in entry:
            continue  # judged where the included group is written
        dep = pep508_dep(entry, (*where, i), section, group) if isinstance(entry, str) else None
        if dep is None:
            bad_entry(ctx, (*where, i), f"{section}: {entry!r} is not a valid requirement; ignored")
            continue
        out.append(dep._replace(uv_managed=not section.startswith("tool.pdm")))
    return out


def _pep621(ctx: Ctx, doc: dict[str, Any]) -> list[Dep]:
    project = _table(doc, "project")
    out: list[Dep] = []
    if "dependencies" in project:
        out += _pep508_list(ctx, project["dependencies"], ("project", "dependencies"), "project.dependencies",
                            "default")
    for extra, value in _table(doc, "project", "optional-dependencies").items():
        out += _pep508_list(ctx, value, ("project", "optional-dependencies", extra),
                            f"project.optional-dependencies.{extra}", extra)
    for group, value in _table(doc, "dependency-groups").items():
        out += _pep508_list(ctx, value, ("dependency-groups", group), f"dependency-groups.{group}", group)
    for group, value in _table(doc, "tool", "pdm", "dev-dependencies").items():
        out += _pep508_list(ctx, value, ("tool", "pdm", "dev-dependencies", group),
                            f"tool.pdm.dev-dependencies.{group}", group)
    uv = _table(doc, "tool", "uv")
    if "dev-dependencies" in uv:
        out += _pep508_list(ctx, uv["dev-dependencies"], ("tool", "uv", "dev-dependencies"),
                            "tool.uv.dev-dependencies", "dev")
    return out


def _poetry_value(name: str, value: Any, where: Path_, section: str, group: str) -> list[Dep]:
    if isinstance(value, list):  # multiple constraints (by python version or platform)
        return [d for i, v in enumerate(value) for d in _poetry_value(name, v, (*where, i), section, group)]
    if isinstance(value, str):
        return [_poetry_constraint(name, value, where, where, section, group)]
    if not isinstance(value, dict):
        return []
    if "git" in value:
        return [vcs_dep(name, value, _GIT_REFS, where, section)]
    if "path" in value:
        return [Dep(name, str(value["path"]), Pin.LOCAL, where, section, detail="a local path")]
    if "url" in value:
        from pinaudit.installers.pip import classify

        c = classify(f"{name} @ {value['url']}")
        return [Dep(name, str(value["url"]), c.pin, where, section, c.version, None, c.detail, group)]
    version = value.get("version")
    if isinstance(version, str):
        return [_poetry_constraint(name, version, where, (*where, "version"), section, group)]
    return [Dep(name, "", Pin.UNPINNED, where, section, None, [""], "no version", group)]


def _poetry_constraint(name: str, constraint: str, where: Path_, value_at: Path_, section: str, group: str) -> Dep:
    exact = poetry_exact(constraint)
    specifiers = poetry_to_pep440(constraint)
    if exact is not None:
        return Dep(name, constraint, Pin.EXACT, where, section, exact, specifiers, "", group, value_at)
    detail = "any version" if constraint.strip() in ("*", "") else f"'{constraint}' is a range"
    return Dep(name, constraint, Pin.UNPINNED, where, section, None, specifiers, detail, group, value_at)


def _poetry(doc: dict[str, Any]) -> list[Dep]:
    poetry = _table(doc, "tool", "poetry")
    tables: list[tuple[Path_, str, str]] = [
        (("tool", "poetry", "dependencies"), "tool.poetry.dependencies", "default"),
        (("tool", "poetry", "dev-dependencies"), "tool.poetry.dev-dependencies", "dev"),
    ]
    for group in _table(poetry, "group"):
        tables.append((("tool", "poetry", "group", group, "dependencies"),
                       f"tool.poetry.group.{group}.dependencies", group))
    out: list[Dep] = []
    for where, section, group in tables:
        for name, value in _table(doc, *(str(w) for w in where)).items():
            if name.lower() == "python":
                continue  # the interpreter's range, not a package
            out += _poetry_value(name, value, (*where, name), section, group)
    return out


def _uv_sources(ctx: Ctx, doc: dict[str, Any]) -> tuple[list[Dep], dict[str, Pin]]:
    """Git sources as sites of their own; {name: LOCAL} for what comes from a path or workspace."""
    out: list[Dep] = []
    local: dict[str, Pin] = {}
    for name, value in _table(doc, "tool", "uv", "sources").items():
        where: Path_ = ("tool", "uv", "sources", name)
        entries = value if isinstance(value, list) else [value]
        for i, entry in enumerate(entries):
            at = (*where, i) if isinstance(value, list) else where
            if not isinstance(entry, dict):
                bad_entry(ctx, at, f"tool.uv.sources.{name} is not a table; ignored")
                continue
            if "git" in entry:
                out.append(vcs_dep(name, entry, _GIT_REFS, at, "tool.uv.sources"))
                local[canonical(name)] = Pin.IMMUTABLE  # judged at the source entry
            elif "path" in entry or entry.get("workspace") is True:
                local[canonical(name)] = Pin.LOCAL
    return out, local


def _workspace_lock(ctx: Ctx) -> list[Path]:
    """A uv workspace member has no lockfile of its own: the workspace root's uv.lock locks it
    (the nearest ancestor, up to the repository root, whose pyproject.toml has [tool.uv.workspace])."""
    here = ctx.path.parent.resolve()
    root = ctx.options.repo_root.resolve() if ctx.options.repo_root is not None else None
    for d in list(here.parents)[:MAX_UP]:
        if root is not None and not d.is_relative_to(root):
            break
        lock, manifest = d / "uv.lock", d / "pyproject.toml"
        if lock.is_file() and manifest.is_file():
            try:
                member = "[tool.uv.workspace]" in manifest.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                member = False
            return [lock] if member else []
    return []


def _preferred(doc: dict[str, Any], ctx: Ctx) -> list[Path]:
    candidates = lock_candidates(ctx.path.parent) or _workspace_lock(ctx)
    if (ctx.path.parent / "Pipfile").is_file():
        # pipenv writes pylock.toml from the Pipfile (PEP 751 does not say which file a pylock
        # locks): beside a Pipfile it is the Pipfile's, not this project's
        candidates = [p for p in candidates if not p.name.startswith("pylock.")]
    tool = "poetry" if "poetry" in _table(doc, "tool") else "pdm" if "pdm" in _table(doc, "tool") else "uv"
    return sorted(candidates, key=lambda p: not p.name.startswith(tool))


def analyze_file(source: SourceFile, options: ScanOptions, via: Location | None = None, *,
                 uv_sources: bool = True) -> FileResult:
    """``uv_sources=False``: as pip installs the project, which never reads ``[tool.uv.sources]``
    (a dependency with a git source there comes from the index)."""
    ctx = Ctx(source.path, source.display, source.text, KIND, options, via)
    try:
        doc = loads(source.text)
    except TomlError as exc:
        return FileResult(source.display, KIND, diagnostics=(toml_error(source, exc),))
    own = canonical(str(_table(doc, "project").get("name") or _table(doc, "tool", "poetry").get("name") or ""))
    ctx.project = own
    sources, overridden = _uv_sources(ctx, doc) if uv_sources else ([], {})
    deps = [d for d in _pep621(ctx, doc) + _poetry(doc) if canonical(d.name) != own]
    if not deps and not sources:
        return ctx.result()
    lock = find_lock(ctx, _preferred(doc, ctx))
    for dep in deps:
        pin = overridden.get(canonical(dep.name))
        if pin is Pin.IMMUTABLE:
            continue  # a git source decides what it is: judged at [tool.uv.sources]
        if pin is Pin.LOCAL:
            dep = dep._replace(pin=Pin.LOCAL, detail="a path or workspace member ([tool.uv.sources])")
        add_site(ctx, dep, lock)
    for dep in sources:
        add_site(ctx, dep, lock)
    return ctx.result()


def analyze(source: SourceFile, options: ScanOptions) -> FileResult:
    """Analyzer entry point. Never raises for bad input."""
    return analyze_file(source, options)
