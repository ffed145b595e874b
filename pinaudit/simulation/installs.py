"""From install sites to *installs*: what one command (or one file) makes a build fetch.

A simulation resolves commands, not single packages: ``pip install requests "flask<3"`` is one
resolution, and its packages' dependencies come out of it together. Each :class:`Install` holds
the sites of one command (or of one requirements file or package.json that no Dockerfile installs,
simulated as ``pip install -r FILE`` / ``npm install`` would run them), where it sits in the
build (file, layer = instruction index, stage, base image) and what its resolution needs.

:func:`build_positions` is the ONE adapter that derives stage, layer, base image and the Python
version from the Dockerfile itself, because the site model does not carry them yet. TO BE REPLACED
by the site fields (``site.stage``, ``site.layer``, ``site.base_image``, ``site.python_version``,
the site's pip index options) once the site-model work lands on main.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pinaudit.images import ImageRef, parse_image
from pinaudit.model import Action, Ecosystem, InstallSite, Pin
from pinaudit.site_context import SiteSource

__all__ = ["Install", "Position", "build_positions", "group_installs", "python_from_image"]

# files simulated as a whole when no Dockerfile installs them (pip install -r FILE, npm install)
_FILE_KINDS = ("requirements", "package.json", "pyproject.toml", "Pipfile")
# a Python project file's dependencies: what a locked install gets is its lockfile's business
_PROJECT_UNSUPPORTED = "pyproject.toml and Pipfile dependencies are not simulated (their lockfile says what a " \
                       "locked install gets)"

_PYTHON_TAG = re.compile(r"^(\d+\.\d+)")
# official images built on Debian whose tags need not name the suite (python:3.11-slim)
_DEBIAN_BASED = frozenset({"python", "node", "ruby", "golang", "php", "perl", "rust", "openjdk", "buildpack-deps",
                           "debian", "eclipse-temurin", "gcc", "haskell", "julia", "r-base", "elixir", "erlang"})


@dataclass(frozen=True)
class Position:
    """Where an instruction sits in its Dockerfile. TO BE REPLACED by the site model's fields."""

    layer: int  # instruction index, 0-based, over the whole file (FROM included)
    stage: int
    instruction: str  # the instruction's first line, for headings
    base_image: str | None  # the FROM reference of the stage (a stage name resolved to its image)
    start_line: int
    end_line: int


@dataclass(frozen=True)
class Install:
    """One command or file to resolve: its sites, where it sits, what its resolution needs."""

    ecosystem: str
    path: str  # the file holding the command (Dockerfile, script) or the file itself
    line: int
    sites: tuple[InstallSite, ...]
    position: Position | None = None  # None: not in a Dockerfile
    container: bool = False  # built inside an image: the host's package-manager configuration is not seen
    project_dir: Path | None = None
    # pip
    requirements: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()
    no_deps: bool = False
    # npm
    npm_deps: tuple[tuple[str, str], ...] = ()
    npm_locked: tuple[tuple[str, str], ...] | None = None
    # apt
    apt_packages: tuple[tuple[str, str | None], ...] = ()
    unsupported: str = ""  # not simulated, and why
    notes: tuple[str, ...] = field(default=())

    @property
    def base(self) -> ImageRef | None:
        return parse_image(self.position.base_image) if self.position and self.position.base_image else None


def python_from_image(ref: ImageRef | None) -> str | None:
    """``python:3.11-slim`` -> ``3.11``: the official Python images name their version first."""
    if ref is None or not ref.tag or ref.name.rsplit("/", 1)[-1] != "python":
        return None
    m = _PYTHON_TAG.match(ref.tag)
    return m.group(1) if m else None


def debian_based(ref: ImageRef | None) -> bool:
    return ref is not None and ref.name.rsplit("/", 1)[-1] in _DEBIAN_BASED and "alpine" not in (ref.tag or "")


def build_positions(text: str) -> list[Position]:
    """Every instruction's position. THE adapter to replace with the site model's fields."""
    from pinaudit.parse.dockerfile import DockerfileSyntaxError
    from pinaudit.parse.dockerfile import parse as parse_dockerfile

    try:
        ast = parse_dockerfile(text)
    except DockerfileSyntaxError:
        return []
    out: list[Position] = []
    lines = text.splitlines()
    stage, base = -1, None
    names: dict[str, str | None] = {}
    global_args: dict[str, str] = {}
    for i, instr in enumerate(ast.instructions):
        if instr.keyword == "ARG" and stage < 0:
            for v in instr.values:
                k, eq, val = v.partition("=")
                if eq:
                    global_args[k] = val.strip("\"'")
        if instr.keyword == "FROM":
            stage += 1
            words = instr.args.text.split()
            ref = re.sub(r"\$\{?(\w+)\}?", lambda m: global_args.get(m.group(1), m.group(0)), words[0]) if words \
                else None
            base = names.get(ref.lower(), ref) if ref else None
            if len(words) >= 3 and words[1].lower() == "as":
                names[words[2].lower()] = base
        first = lines[instr.start_line - 1].strip() if 0 < instr.start_line <= len(lines) else instr.keyword
        first = first.removesuffix(ast.escape).rstrip()
        out.append(Position(i, max(stage, 0), first[:100], base, instr.start_line, instr.end_line))
    return out


def _position(positions: Sequence[Position], line: int) -> Position | None:
    for p in positions:
        if p.start_line <= line <= p.end_line:
            return p
    return None


def _anchor(site: InstallSite) -> tuple[str, int, int]:
    loc = site.via or site.location
    return loc.path, loc.span.line, loc.span.column


def _separated(lines: Sequence[str], a: InstallSite, b: InstallSite) -> bool:
    """Is there a command separator between two sites' tokens in the source (``&&``, ``;``, ``|``)?"""
    (_p, l1, c1), (_q, l2, c2) = _anchor(a), _anchor(b)
    end = (a.via or a.location).span
    start_line, start_col = (end.end_line, end.end_column) if a.via is None else (l1, c1)
    if (l2, c2) <= (start_line, start_col):
        return False
    chunk: list[str] = []
    for n in range(start_line, l2 + 1):
        if n - 1 >= len(lines):
            break
        text = lines[n - 1]
        lo = start_col - 1 if n == start_line else 0
        hi = c2 - 1 if n == l2 else len(text)
        chunk.append(text[lo:hi])
    between = "\n".join(chunk)
    return bool(re.search(r"&&|\|\||;|\|", between))


def _pip_line(site: InstallSite) -> str | None:
    if site.action is not Action.INSTALL or not site.spec:
        return None
    return site.spec


def group_installs(sites: Sequence[InstallSite], kinds: Mapping[str, str], cwd: Path,
                   read: Mapping[str, str] | None = None) -> list[Install]:
    """The scan's sites as installs, in source order. ``kinds``: file path -> kind; ``read``:
    file texts already read (tests), else read from ``cwd``."""
    texts: dict[str, str] = dict(read or {})

    def text_of(path: str) -> str:
        if path not in texts:
            try:
                texts[path] = (cwd / path).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                texts[path] = ""
        return texts[path]

    positions: dict[str, list[Position]] = {p: build_positions(text_of(p)) for p, k in kinds.items()
                                            if k == "dockerfile"}
    by_anchor_file: dict[str, list[InstallSite]] = {}
    for s in sites:
        by_anchor_file.setdefault(_anchor(s)[0], []).append(s)

    installed_files: set[str] = set()  # requirements files and package.json a Dockerfile installs
    out: list[Install] = []
    for path, group in by_anchor_file.items():
        kind = kinds.get(path, "")
        group.sort(key=_anchor)
        if kind in _FILE_KINDS and all(s.via is None for s in group):
            continue  # handled below, unless a Dockerfile installs them
        lines = text_of(path).splitlines()
        current: list[InstallSite] = []
        for s in group:
            if current and (_key(current[-1], positions.get(path)) != _key(s, positions.get(path))
                            or _separated(lines, current[-1], s)):
                out.append(_install(current, path, kind, positions.get(path), cwd, installed_files))
                current = []
            current.append(s)
        if current:
            out.append(_install(current, path, kind, positions.get(path), cwd, installed_files))
    for path, group in by_anchor_file.items():
        kind = kinds.get(path, "")
        if kind in _FILE_KINDS and all(s.via is None for s in group) \
                and path not in installed_files:
            out.append(_file_install(path, kind, group, cwd))
    out.sort(key=lambda i: (i.path, i.line))
    return out


def _key(site: InstallSite, positions: Sequence[Position] | None) -> tuple[object, ...]:
    line = _anchor(site)[1]
    pos = _position(positions, line) if positions else None
    family = "pip" if site.ecosystem is Ecosystem.PIP else site.installer
    return (pos.layer if pos else line, site.ecosystem, family, site.no_deps, site.global_install)


def _install(group: list[InstallSite], path: str, kind: str, positions: Sequence[Position] | None, cwd: Path,
             installed: set[str]) -> Install:
    first = group[0]
    eco = first.ecosystem
    line = _anchor(first)[1]
    pos = _position(positions, line) if positions else None
    container = kind in ("dockerfile", "compose")
    project = (cwd / path).parent
    base = Install(eco.value, path, line, tuple(group), pos, container, project)
    if eco is Ecosystem.IMAGE:
        return _replace(base, unsupported="cannot be simulated: a tag's past digest is not recorded")
    if any(s.action is Action.UPGRADE for s in group):
        return _replace(base, unsupported="an upgrade's effect depends on what the base image holds, which is not "
                                          "simulated")
    if eco is Ecosystem.PIP:
        reqs, files, constraints = [], [], []
        for s in group:
            if s.action is Action.REQUIREMENTS:
                continue
            if s.source_kind is SiteSource.PYTHON_PROJECT:
                installed.add(s.location.path)
                continue
            if s.via is not None:  # an entry of a requirements file the command installs
                files.append(s.location.path)
                installed.add(s.location.path)
                continue
            if s.pin is Pin.LOCAL or s.action is not Action.INSTALL:
                continue
            spec = _pip_line(s)
            if spec:
                reqs.append(spec)
            constraints += [f"{n}=={v}" for n, v, _f in s.constraints]
        if any(s.action is Action.REQUIREMENTS for s in group) and not files:
            return _replace(base, unsupported="the requirements file it installs is not in the build context")
        if not reqs and not files:
            if any(s.source_kind is SiteSource.PYTHON_PROJECT or s.action is Action.LOCKLESS_INSTALL for s in group):
                return _replace(base, unsupported=_PROJECT_UNSUPPORTED)
            return _replace(base, unsupported="nothing an index could resolve (local paths or URLs)")
        return _replace(base, requirements=tuple(reqs), files=tuple(sorted({str(cwd / f) for f in files})),
                        constraints=tuple(dict.fromkeys(constraints)), no_deps=first.no_deps)
    if eco is Ecosystem.NPM:
        if first.action is Action.LOCKLESS_INSTALL:
            # `npm install` with no packages in a Dockerfile: the package.json of the build context
            return _npm_project(base, project, installed, cwd)
        deps = [(s.package, s.spec if s.spec and s.spec != s.package else "latest") for s in group
                if s.package and s.action is Action.INSTALL]
        return _replace(base, npm_deps=tuple((n, _npm_range(n, r)) for n, r in deps)) if deps else \
            _replace(base, unsupported="nothing an index could resolve")
    if eco is Ecosystem.APT:
        pkgs = [((s.package or "").split(":", 1)[0], s.version if s.pin in (Pin.EXACT, Pin.PARTIAL) else None)
                for s in group if s.package and s.action is Action.INSTALL and s.pin is not Pin.LOCAL]
        if not pkgs:
            return _replace(base, unsupported="no named package an archive could resolve")
        return _replace(base, apt_packages=tuple(pkgs))
    return _replace(base, unsupported=f"{eco.value} installs are not simulated (no index history for them)")


def _npm_range(name: str, spec: str) -> str:
    """``left@^1`` as written on a command line -> ``^1``; a bare name -> ``latest``."""
    if spec.startswith(name + "@"):
        return spec[len(name) + 1:] or "latest"
    return spec if spec != name else "latest"


def _npm_project(base: Install, folder: Path, installed: set[str], cwd: Path) -> Install:
    manifest = folder / "package.json"
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _replace(base, unsupported="no package.json in the build context for this npm install")
    try:
        installed.add(manifest.relative_to(cwd).as_posix())
    except ValueError:
        installed.add(manifest.as_posix())
    return _with_manifest(base, doc, folder)


def _with_manifest(base: Install, doc: object, folder: Path) -> Install:
    deps: dict[str, str] = {}
    if isinstance(doc, dict):
        for key in ("dependencies", "devDependencies", "optionalDependencies"):
            table = doc.get(key)
            if isinstance(table, dict):
                deps.update({str(k): str(v) for k, v in table.items()})
    locked = _read_npm_lock(folder)
    return _replace(base, npm_deps=tuple(sorted(deps.items())), npm_locked=locked)


def _read_npm_lock(folder: Path) -> tuple[tuple[str, str], ...] | None:
    for name in ("npm-shrinkwrap.json", "package-lock.json"):
        try:
            doc = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        packages = doc.get("packages") if isinstance(doc, dict) else None
        if isinstance(packages, dict):
            return tuple(sorted({(k.rsplit("node_modules/", 1)[1], str(v["version"])) for k, v in packages.items()
                                 if "node_modules/" in k and isinstance(v, dict) and "version" in v}))
    return None


def _file_install(path: str, kind: str, group: list[InstallSite], cwd: Path) -> Install:
    first = group[0]
    base = Install(first.ecosystem.value, path, 1, tuple(group), None, False, (cwd / path).parent)
    if kind == "requirements":
        return _replace(base, files=(str(cwd / path),))
    if kind in ("pyproject.toml", "Pipfile"):
        return _replace(base, unsupported=_PROJECT_UNSUPPORTED)
    try:
        doc = json.loads((cwd / path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _replace(base, unsupported="the package.json could not be read")
    return _with_manifest(base, doc, (cwd / path).parent)


def _replace(install: Install, **changes: object) -> Install:
    from dataclasses import replace

    return replace(install, **changes)  # type: ignore[arg-type]
