"""npm-ecosystem lockfiles (npm, yarn classic and berry, pnpm) and npm dependency specs.

Only what the audit needs: for a package.json dependency, which versions the lockfile pins
(``lookup``), and for an override of a transitive package, which versions appear anywhere
(``all_versions``). Readers never raise: a lockfile we cannot read or whose format version we do
not know sets ``error`` and is treated as absent by the caller (guessing "locked" from a format
we do not understand would hide drift).

:func:`classify_npm_spec` is the one place that decides how firmly an npm dependency spec pins
what it fetches, shared by package.json and the npm/yarn/pnpm command-line installer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pinaudit.model import Pin
from pinaudit.vcs_refs import reference

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from pinaudit._record import NamedTuple

MAX_BYTES = 20 * 1024 * 1024
LOCKFILE_NAMES = ("npm-shrinkwrap.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml")

_EXACT = re.compile(r"^[=v\s]*(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$")


class NpmSpec(NamedTuple):
    pin: Pin
    version: str | None
    detail: str
    kind: str  # "exact", "range", "tag", "local", "git", "url", "alias", "unknown"
    range: str | None = None  # a semver range to check a locked version against (registry specs)


def classify_npm_spec(spec: str) -> NpmSpec:
    """How firmly an npm/yarn/pnpm dependency spec fixes what is installed.

    EXACT: ``1.2.3``, ``=1.2.3``, ``v1.2.3``. UNPINNED: ranges, tags (``latest``, ``next``),
    ``*``, ``x``, ``""``. Git and URL references by the one policy for references
    (:mod:`pinaudit.vcs_refs`): IMMUTABLE at a full commit id, EXACT at a version-like tag, a
    short commit id or a versioned tarball, else UNPINNED.
    LOCAL: ``file:``, ``link:``, ``workspace:``, ``portal:``, relative paths. ``npm:`` aliases
    are judged by the aliased spec.
    """
    s = spec.strip()
    if s.startswith("npm:"):
        target = s[4:]
        at = target.find("@", 1)
        if at == -1:
            return NpmSpec(Pin.UNPINNED, None, f"alias {s} without a version", "alias", "*")
        inner = classify_npm_spec(target[at + 1 :])
        return NpmSpec(inner.pin, inner.version, inner.detail, inner.kind, inner.range)
    low = s.lower()
    if low.startswith(("file:", "link:", "workspace:", "portal:")) or s.startswith(("./", "../", "/", "~/", ".")):
        return NpmSpec(Pin.LOCAL, None, f"local package {s}", "local")
    if low.startswith("catalog:"):
        return NpmSpec(Pin.UNKNOWN, None, f"pnpm catalog reference {s} (resolved in pnpm-workspace.yaml)", "unknown")
    if low.startswith("patch:"):
        m = re.match(r"patch:(?:@?[^@]+)@(.+?)(?:#|$)", s)
        inner_spec = m.group(1).replace("%3A", ":") if m else ""
        if inner_spec:
            inner = classify_npm_spec(inner_spec)
            return NpmSpec(inner.pin, inner.version, f"patched {inner.detail}".strip(), inner.kind, inner.range)
        return NpmSpec(Pin.UNKNOWN, None, f"patch reference {s}", "unknown")
    ref = reference(s, "npm")
    if ref is not None:
        kind = "git" if ref.kind == "vcs" else "url"
        return NpmSpec(ref.pin, ref.version if ref.pin is not Pin.UNPINNED else None, ref.detail, kind)
    m = _EXACT.match(s)
    if m:
        return NpmSpec(Pin.EXACT, m.group(1), "", "exact", m.group(1))
    if s in ("", "*", "x", "X"):
        return NpmSpec(Pin.UNPINNED, None, "any version" if s else "empty spec: any version", "range", "*")
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]*", s) and not re.fullmatch(r"[xX*](?:\.[xX*])*", s):
        return NpmSpec(Pin.UNPINNED, None, f"dist-tag '{s}' moves with every release", "tag")
    return NpmSpec(Pin.UNPINNED, None, f"range '{s}'", "range", s)


def satisfies(version: str, rng: str) -> bool | None:
    """node-semver ``satisfies`` (loose); None when either side cannot be read as semver."""
    import nodesemver

    try:
        if not nodesemver.valid(version, True):
            return None
        return bool(nodesemver.satisfies(version, rng, loose=True))
    except Exception:
        return None


# ---------------------------------------------------------------------------------------------


class LockEntry(NamedTuple):
    versions: tuple[str, ...]
    specifier: str | None = None  # pnpm records the spec it resolved; a different one is drift


class Lockfile:
    """One lockfile, normalised to what the audit asks of it."""

    __slots__ = (
        "_npm_packages", "_npm_v1", "_pnpm_all", "_pnpm_importers", "_yarn", "error", "error_line",
        "format_version", "importers", "kind", "path",
    )  # fmt: skip

    def __init__(
        self,
        path: Path,
        kind: str,
        format_version: str = "",
        error: str | None = None,
        error_line: int = 1,
        importers: set[str] | None = None,
        _npm_packages: dict[str, Any] | None = None,
        _npm_v1: dict[str, Any] | None = None,
        _yarn: dict[str, dict[str, str]] | None = None,
        _pnpm_importers: dict[str, dict[str, tuple[str, str | None]]] | None = None,
        _pnpm_all: dict[str, set[str]] | None = None,
    ) -> None:
        self.path = path
        self.kind = kind  # "npm", "yarn-classic", "yarn-berry", "pnpm"
        self.format_version = format_version
        self.error = error
        self.error_line = error_line
        # workspace member directories it records
        self.importers: set[str] = set() if importers is None else importers
        # npm v2/v3 "packages" map; npm v1 "dependencies" tree
        self._npm_packages: dict[str, Any] = {} if _npm_packages is None else _npm_packages
        self._npm_v1: dict[str, Any] = {} if _npm_v1 is None else _npm_v1
        # yarn: name -> {spec (without npm:) -> version}
        self._yarn: dict[str, dict[str, str]] = {} if _yarn is None else _yarn
        # pnpm: importer -> name -> (version, specifier)
        self._pnpm_importers: dict[str, dict[str, tuple[str, str | None]]] = (
            {} if _pnpm_importers is None else _pnpm_importers
        )
        self._pnpm_all: dict[str, set[str]] = {} if _pnpm_all is None else _pnpm_all

    def lookup(self, name: str, spec: str, importer: str = "") -> LockEntry | None:
        """The versions this lockfile pins for a direct dependency of ``importer`` (the
        package.json's folder relative to the lockfile's, '' for the same folder)."""
        if self.kind == "npm":
            if self._npm_packages:
                keys = [f"{importer}/node_modules/{name}" if importer else f"node_modules/{name}"]
                if importer:
                    keys.append(f"node_modules/{name}")
                for k in keys:
                    entry = self._npm_packages.get(k)
                    if isinstance(entry, dict):
                        if entry.get("link") and isinstance(entry.get("resolved"), str):
                            target = self._npm_packages.get(entry["resolved"])
                            if isinstance(target, dict) and isinstance(target.get("version"), str):
                                return LockEntry((target["version"],))
                            return LockEntry(("link:" + entry["resolved"],))
                        v = entry.get("version")
                        return LockEntry((v,) if isinstance(v, str) else ())
                return None
            dep = self._npm_v1.get(name)
            if isinstance(dep, dict):
                v = dep.get("version")
                return LockEntry((v,) if isinstance(v, str) else ())
            return None
        if self.kind.startswith("yarn"):
            specs = self._yarn.get(name)
            if not specs:
                return None
            bare = spec[4:] if spec.startswith("npm:") and "@" not in spec[5:] else spec
            for candidate in (spec, bare, f"npm:{spec}"):
                if candidate in specs:
                    return LockEntry((specs[candidate],))
            return LockEntry(tuple(sorted(set(specs.values()))))
        if self.kind == "pnpm":
            imp = self._pnpm_importers.get(importer or ".")
            if imp is None:
                return None
            hit = imp.get(name)
            if hit is None:
                return None
            return LockEntry((hit[0],), hit[1])
        return None

    def all_versions(self, name: str) -> tuple[str, ...]:
        """Every version of ``name`` anywhere in the tree (for overrides/resolutions)."""
        out: set[str] = set()
        if self.kind == "npm":
            suffix = f"node_modules/{name}"
            for k, v in self._npm_packages.items():
                if (k == suffix or k.endswith("/" + suffix)) and isinstance(v, dict) and isinstance(
                    v.get("version"), str
                ):
                    out.add(v["version"])

            def walk(deps: Any, depth: int) -> None:
                if not isinstance(deps, dict) or depth > 64:
                    return
                for n, d in deps.items():
                    if isinstance(d, dict):
                        if n == name and isinstance(d.get("version"), str):
                            out.add(d["version"])
                        walk(d.get("dependencies"), depth + 1)

            walk(self._npm_v1, 0)
        elif self.kind.startswith("yarn"):
            out.update(self._yarn.get(name, {}).values())
        elif self.kind == "pnpm":
            out.update(self._pnpm_all.get(name, set()))
        return tuple(sorted(out))


def _read_text(path: Path) -> tuple[str | None, str | None]:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, "larger than 20 MiB"
        return path.read_bytes().decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"


def read_lockfile(path: Path) -> Lockfile:
    """Read any supported lockfile by its name. Never raises."""
    name = path.name
    try:
        text, err = _read_text(path)
        if text is None:
            kind = "pnpm" if name.endswith(".yaml") else "yarn-classic" if name == "yarn.lock" else "npm"
            return Lockfile(path, kind, error=err or "unreadable")
        if name in ("package-lock.json", "npm-shrinkwrap.json"):
            return _read_npm(path, text)
        if name == "yarn.lock":
            return _read_yarn(path, text)
        if name == "pnpm-lock.yaml":
            return _read_pnpm(path, text)
        return Lockfile(path, "npm", error=f"{name} is not a lockfile pinaudit reads")
    except RecursionError:
        return Lockfile(path, "npm", error="nested too deeply")


def _read_npm(path: Path, text: str) -> Lockfile:
    lock = Lockfile(path, "npm")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        lock.error, lock.error_line = f"malformed JSON: {exc.msg}", exc.lineno
        return lock
    if not isinstance(data, dict):
        lock.error = "not a JSON object"
        return lock
    ver = data.get("lockfileVersion")
    lock.format_version = str(ver)
    if ver not in (1, 2, 3):
        lock.error = f"unknown lockfileVersion {ver!r} (pinaudit reads 1, 2 and 3); treated as no lockfile"
        return lock
    pkgs = data.get("packages")
    if ver in (2, 3) and isinstance(pkgs, dict):
        lock._npm_packages = pkgs
        lock.importers = {k for k in pkgs if k and "node_modules/" not in k and not k.startswith("node_modules")}
        lock.importers.add("")
    else:
        deps = data.get("dependencies")
        lock._npm_v1 = deps if isinstance(deps, dict) else {}
        lock.importers = {""}
    return lock


def _yarn_name(descriptor: str) -> tuple[str, str] | None:
    d = descriptor.strip().strip('"').strip("'")
    at = d.find("@", 1)
    if at <= 0:
        return None
    return d[:at], d[at + 1 :]


def _read_yarn(path: Path, text: str) -> Lockfile:
    berry = "__metadata:" in text
    lock = Lockfile(path, "yarn-berry" if berry else "yarn-classic")
    if berry:
        m = re.search(r"^__metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+version:\s*['\"]?(\d+)", text, re.M)
        lock.format_version = m.group(1) if m else ""
        if not m or int(m.group(1)) not in range(3, 9):
            lock.error = f"unknown yarn lockfile version {lock.format_version or '?'}; treated as no lockfile"
            return lock
    else:
        # classic files carry a '# yarn lockfile v1' header; without it and without any block
        # header we would misread whatever this is
        if not re.search(r"^# yarn lockfile v1\s*$", text, re.M) and re.search(r"^\S.*:\s*$", text, re.M) is None:
                lock.error = "not a yarn lockfile (no '# yarn lockfile v1' header); treated as no lockfile"
                return lock
        lock.format_version = "1"
    current: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            current = []
            if line.rstrip().endswith(":") and not line.startswith("__metadata"):
                for desc in line.rstrip()[:-1].split(","):
                    parsed = _yarn_name(desc)
                    if parsed:
                        current.append(parsed)
            continue
        if current:
            m = re.match(r"^\s+version:?\s+['\"]?([^'\"\s]+)['\"]?\s*$", line)
            if m and line.startswith(("  version", "  version:")) and not line.startswith("   "):
                for n, spec in current:
                    lock._yarn.setdefault(n, {})[spec] = m.group(1)
                    if spec.startswith("npm:"):
                        lock._yarn[n].setdefault(spec[4:], m.group(1))
                current = []
    return lock


def _pnpm_version(value: Any) -> tuple[str, str | None] | None:
    """(version, specifier) from a pnpm importer entry, any lockfile version."""
    spec = None
    if isinstance(value, dict):
        spec = value.get("specifier")
        value = value.get("version")
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return None
    v = value.split("(", 1)[0]
    if not v.startswith(("link:", "file:")):
        v = v.split("_", 1)[0]
    if v.startswith("/"):  # v5 alias: /real-name/1.2.3
        v = v.rsplit("/", 1)[-1]
    return v, spec if isinstance(spec, str) else None


def _read_pnpm(path: Path, text: str) -> Lockfile:
    import yaml

    lock = Lockfile(path, "pnpm")
    try:
        # BaseLoader: every scalar stays a string. Four times faster than SafeLoader on pnpm's
        # large lockfiles (no implicit-type regexes per scalar), and a version such as 1.10 is not
        # read as the float 1.1. Nothing here needs YAML's other scalar types.
        loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
        data = yaml.load(text, Loader=loader)  # C-accelerated when libyaml is available
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        lock.error = f"malformed YAML: {getattr(exc, 'problem', None) or exc}"
        lock.error_line = mark.line + 1 if mark is not None else 1
        return lock
    if not isinstance(data, dict):
        lock.error = "not a YAML mapping"
        return lock
    ver = data.get("lockfileVersion")
    lock.format_version = str(ver)
    try:
        major = int(float(str(ver)))
    except ValueError:
        major = -1
    if major not in (5, 6, 7, 9):
        lock.error = f"unknown pnpm lockfileVersion {ver!r} (pinaudit reads 5, 6, 7 and 9); treated as no lockfile"
        return lock
    sections = ("dependencies", "devDependencies", "optionalDependencies")
    importers = data.get("importers")
    if not isinstance(importers, dict):
        importers = {".": data}
    for imp_path, imp in importers.items():
        if not isinstance(imp, dict):
            continue
        specs = imp.get("specifiers") if isinstance(imp.get("specifiers"), dict) else {}
        table: dict[str, tuple[str, str | None]] = {}
        for sec in sections:
            deps = imp.get(sec)
            if not isinstance(deps, dict):
                continue
            for n, val in deps.items():
                got = _pnpm_version(val)
                if got is None:
                    continue
                spec = got[1] if got[1] is not None else specs.get(n) if isinstance(specs, dict) else None
                table[str(n)] = (got[0], spec if isinstance(spec, str) else None)
                lock._pnpm_all.setdefault(str(n), set()).add(got[0])
        lock._pnpm_importers[str(imp_path)] = table
    lock.importers = {"" if k == "." else str(k) for k in lock._pnpm_importers}
    for key in (data.get("packages") or {}) if isinstance(data.get("packages"), dict) else {}:
        k = str(key).lstrip("/").split("(", 1)[0]
        if major == 5:
            # /name/1.2.3_peer or /@scope/name/1.2.3
            parts = k.rsplit("/", 1)
            if len(parts) == 2:
                lock._pnpm_all.setdefault(parts[0], set()).add(parts[1].split("_", 1)[0])
        else:
            at = k.find("@", 1)
            if at > 0:
                lock._pnpm_all.setdefault(k[:at], set()).add(k[at + 1 :])
    return lock


def find_lockfiles(directory: Path) -> list[Path]:
    """Lockfiles in one directory, in the order npm/yarn/pnpm would prefer them."""
    return [directory / n for n in LOCKFILE_NAMES if (directory / n).is_file()]
