"""From install sites to *installs*: what one command (or one file) makes a build fetch.

A simulation resolves commands, not single packages: ``pip install requests "flask<3"`` is one
resolution, and its packages' dependencies come out of it together. Each :class:`Install` holds
the sites of one command (or of one requirements file or package.json that no Dockerfile installs,
simulated as ``pip install -r FILE`` / ``npm install`` would run them), where it sits in the
build and what its resolution needs. Where it sits is the site model's own
:class:`~pinaudit.site_context.BuildPosition` (stage, layer, base image, what the tag implies), and
where pip fetches from is the site's :class:`~pinaudit.site_context.PipIndex`: nothing here reads
the Dockerfile again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pinaudit.images import ImageRef, image_ref
from pinaudit.model import Action, Ecosystem, InstallSite, Pin
from pinaudit.site_context import BuildPosition, PipIndex, SiteSource
from pinaudit.vcs_refs import is_reference

__all__ = ["Install", "debian_based", "group_installs", "image_text"]

# files simulated as a whole when no Dockerfile installs them (pip install -r FILE, npm install)
_FILE_KINDS = ("requirements", "package.json", "pyproject.toml", "Pipfile")
# a Python project file's dependencies: what a locked install gets is its lockfile's business
_PROJECT_UNSUPPORTED = "pyproject.toml and Pipfile dependencies are not simulated (their lockfile says what a " \
                       "locked install gets)"

# official images built on Debian whose tags need not name the suite (python:3.11-slim)
_DEBIAN_BASED = frozenset({"python", "node", "ruby", "golang", "php", "perl", "rust", "openjdk", "buildpack-deps",
                           "debian", "eclipse-temurin", "gcc", "haskell", "julia", "r-base", "elixir", "erlang"})


@dataclass(frozen=True)
class Install:
    """One command or file to resolve: its sites, where it sits, what its resolution needs."""

    ecosystem: str
    path: str  # the file holding the command (Dockerfile, script) or the file itself
    line: int
    sites: tuple[InstallSite, ...]
    build: BuildPosition | None = None  # the site model's position; None: not in a Dockerfile
    heading: str = ""  # the instruction's first line, for headings
    container: bool = False  # built inside an image: the host's package-manager configuration is not seen
    project_dir: Path | None = None
    # pip
    requirements: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()
    no_deps: bool = False
    pip_index: PipIndex | None = None  # the command's (and its files') own index options
    # npm
    npm_deps: tuple[tuple[str, str], ...] = ()
    npm_locked: tuple[tuple[str, str], ...] | None = None
    # apt / apk
    apt_packages: tuple[tuple[str, str | None], ...] = ()
    apt_target: str | None = None
    unsupported: str = ""  # not simulated, and why
    notes: tuple[str, ...] = field(default=())

    @property
    def base(self) -> ImageRef | None:
        build = self.build
        return image_ref(build.base_image) if build is not None and build.base_image is not None else None

    @property
    def layer(self) -> int | None:
        return self.build.layer if self.build is not None else None


def image_text(ref: ImageRef | None) -> str | None:
    """A base image as a heading shows it (``python:3.11-slim``)."""
    if ref is None:
        return None
    return ref.name + (f":{ref.tag}" if ref.tag else "") + (f"@{ref.digest}" if ref.digest else "")


def debian_based(ref: ImageRef | None) -> bool:
    return ref is not None and ref.name.rsplit("/", 1)[-1] in _DEBIAN_BASED and "alpine" not in (ref.tag or "")


def _heading(lines: Sequence[str], build: BuildPosition | None) -> str:
    if build is None or not 0 < build.line <= len(lines):
        return ""
    return re.sub(r"\s*[\\`]$", "", lines[build.line - 1].strip())[:100]


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
            if current and (_key(current[-1]) != _key(s) or _separated(lines, current[-1], s)):
                out.append(_install(current, path, kind, lines, cwd, installed_files))
                current = []
            current.append(s)
        if current:
            out.append(_install(current, path, kind, lines, cwd, installed_files))
    for path, group in by_anchor_file.items():
        kind = kinds.get(path, "")
        if kind in _FILE_KINDS and all(s.via is None for s in group) \
                and path not in installed_files:
            out.append(_file_install(path, kind, group, cwd))
    out.sort(key=lambda i: (i.path, i.line))
    return out


def _key(site: InstallSite) -> tuple[object, ...]:
    family = "pip" if site.ecosystem is Ecosystem.PIP else site.installer
    where = site.build.layer if site.build is not None else _anchor(site)[1]
    return (where, site.ecosystem, family, site.no_deps, site.global_install)


def _install(group: list[InstallSite], path: str, kind: str, lines: Sequence[str], cwd: Path,
             installed: set[str]) -> Install:
    first = group[0]
    eco = first.ecosystem
    line = _anchor(first)[1]
    container = kind in ("dockerfile", "compose")
    project = (cwd / path).parent
    base = Install(eco.value, path, line, tuple(group), first.build, _heading(lines, first.build), container, project,
                   apt_target=first.apt_target)
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
        index = _pip_index(group)
        if index is not None and index.no_index and index.index_url is None:
            return _replace(base, unsupported="pip --no-index installs from local files (find-links), which have "
                                              "no upload times: their past cannot be known")
        if index is not None:  # every constraint of the -c files, not only exact pins
            constraints += [c.raw for f in index.constraint_files for c in f.constraints or ()]
        return _replace(base, requirements=tuple(reqs), files=tuple(sorted({str(cwd / f) for f in files})),
                        constraints=tuple(dict.fromkeys(constraints)), no_deps=first.no_deps, pip_index=index)
    if eco is Ecosystem.NPM:
        if first.action is Action.LOCKFILE_INSTALL:  # npm ci: the lockfile, whatever the instant
            got = _npm_project(base, project, installed, cwd)
            if not got.unsupported and got.npm_locked is None:
                return _replace(base, unsupported="npm ci: no package-lock.json or npm-shrinkwrap.json beside "
                                                  "its package.json (the build fails)")
            return got
        if first.action is Action.LOCKLESS_INSTALL:
            # `npm install` with no packages in a Dockerfile: the package.json of the build context
            return _npm_project(base, project, installed, cwd)
        # a git or URL reference is not a registry release: no index history answers for it
        deps = [(s.package, s.spec if s.spec and s.spec != s.package else "latest") for s in group
                if s.package and s.action is Action.INSTALL and not is_reference(s.spec, "npm")]
        return _replace(base, npm_deps=tuple((n, _npm_range(n, r)) for n, r in deps)) if deps else \
            _replace(base, unsupported="nothing an index could resolve")
    if eco is Ecosystem.APT:
        pkgs = [((s.package or "").split(":", 1)[0], s.version if s.pin in (Pin.EXACT, Pin.PARTIAL) else None)
                for s in group if s.package and s.action is Action.INSTALL and s.pin is not Pin.LOCAL]
        if not pkgs:
            return _replace(base, unsupported="no named package an archive could resolve")
        return _replace(base, apt_packages=tuple(pkgs))
    if eco is Ecosystem.APK:
        named = [(s.package, _apk_version(s)) for s in group
                 if s.package and s.action is Action.INSTALL and s.pin not in (Pin.LOCAL, Pin.UNKNOWN)]
        if not named:
            return _replace(base, unsupported="no named package a branch index could resolve")
        return _replace(base, apt_packages=tuple(named))
    return _replace(base, unsupported=f"{eco.value} installs are not simulated (no index history for them)")


def _pip_index(group: Sequence[InstallSite]) -> PipIndex | None:
    """The index options pip uses for the command: an entry of a file it installs carries the
    command line's options with the file's own on top (pip's order), so it is preferred."""
    entries = [s.pip_index for s in group if s.via is not None and s.pip_index is not None]
    own = [s.pip_index for s in group if s.pip_index is not None]
    found = entries or own
    return found[0] if found else None


def _apk_version(site: InstallSite) -> str | None:
    """``curl=8.9.1-r1`` -> ``8.9.1-r1``; a fuzzy ``curl~8.9`` -> ``8.9*`` (apk takes the highest
    served version starting so); a range or none -> None (the candidate)."""
    if site.pin is Pin.EXACT:
        return site.version
    if site.pin is Pin.PARTIAL and site.spec:
        found = re.search(r"(=~|~=|~|=)(.+)$", site.spec.split("@", 1)[0])
        return found.group(2).rstrip("*") + "*" if found else None
    return None


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
    base = Install(first.ecosystem.value, path, 1, tuple(group), project_dir=(cwd / path).parent)
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
