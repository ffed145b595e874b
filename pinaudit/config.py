"""Project configuration: ``[tool.pinaudit]`` in ``pyproject.toml`` or a ``.pinaudit.toml``.

The file is found the way ruff finds its own: walk up from the current directory and take the
first file that configures pinaudit (``.pinaudit.toml`` before ``pyproject.toml`` in the same
folder), or the file named by ``--config``. A CI gate that silently ignores a typo
(``fail_on = "warning"``) passes builds it should fail, so every unknown key and every bad value is
a :class:`ConfigError` that names the key and the file; the CLI turns it into exit code 2.

Paths in the file (``exclude``, ``per-file-ignores``, ``context``) are relative to the folder of
the file (:attr:`Config.root`), not to wherever pinaudit happens to be run from.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache, partial
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from pinaudit.model import Severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from pinaudit._record import NamedTuple

__all__ = ["Config", "ConfigError", "glob_match", "load_config"]

SECTION = "[tool.pinaudit]"
CONFIG_FILENAMES = (".pinaudit.toml", "pyproject.toml")  # order = precedence within one folder

# A code or a prefix of one, as --select/--ignore accept them: PIN, PIN1, PIN10, PIN101.
_CODE_PREFIX = re.compile(r"^PIN[0-9]{0,3}$")


class ConfigError(Exception):
    """A configuration file that cannot be used as written (exit code 2)."""


_Fail = Callable[[str], ConfigError]


_EMPTY: Mapping[str, Any] = MappingProxyType({})
_HERE = Path(os.curdir)  # the default root: wherever pinaudit runs


class Config(NamedTuple):
    """Settings from the configuration file, merged with the command line by :meth:`merged`."""

    select: tuple[str, ...] = ()  # codes or prefixes; empty = every rule
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = _EMPTY  # code/prefix -> severity
    fail_on: Severity = Severity.ERROR
    exclude: tuple[str, ...] = ()  # gitignore-style globs relative to root
    per_file_ignores: Mapping[str, tuple[str, ...]] = _EMPTY
    build_args: Mapping[str, str] = _EMPTY
    context: Mapping[str, str] = _EMPTY  # Dockerfile glob -> context dir
    pypi_index: str | None = None
    npm_registry: str | None = None
    debian_mirror: str | None = None
    debian_snapshot: str | None = None
    ubuntu_snapshot: str | None = None  # fix --apt-strategy snapshot for Ubuntu stages (its own layout)
    rpm_repos: tuple[str, ...] = ()  # rpm-md repository base URLs (fix's yum/dnf/zypper versions)
    debian_security_mirror: str | None = None
    debian_suite: str | None = None
    debian_keyring: str | None = None
    alpine_mirror: str | None = None
    alpine_branch: str | None = None
    image_registry: str | None = None  # the registry (or mirror) for images without a registry host
    timeout: float | None = None  # seconds: read timeout of index requests (scan --online)
    cache_max_mb: int | None = None  # size cap of the HTTP cache (least recently used entries evicted)
    lock_at: str | None = None  # `pinaudit lock --at` (a date)
    cooldown: str | None = None  # `pinaudit lock --cooldown` (an age: 7d)
    warn_unused_ignores: bool = False
    source: Path | None = None  # the file these settings came from; None = defaults
    root: Path = _HERE  # the folder of `source` (the current directory without one)

    def merged(self, **overrides: Any) -> Config:
        """This configuration with command-line values on top (the command line wins).

        ``select`` replaces (as ruff's ``--select`` does: the command line says exactly what to
        run), ``ignore`` and ``exclude`` extend, and the mappings (``severity``,
        ``per_file_ignores``, ``build_args``, ``context``) are merged key by key. ``None`` means
        "not given on the command line" and leaves the file's value alone.
        """
        unknown = sorted(set(overrides) - set(self._fields))
        if unknown:
            raise TypeError(f"Config.merged() got unknown option(s): {', '.join(unknown)}")
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            if value is None:
                continue
            if name == "select":
                changes[name] = _codes(value)
            elif name in ("ignore", "exclude"):
                extra = _codes(value) if name == "ignore" else tuple(str(v) for v in value)
                changes[name] = _dedup((*getattr(self, name), *extra))
            elif name == "severity":
                sev = {
                    k.upper(): (v if isinstance(v, Severity) else Severity.parse(str(v)))
                    for k, v in dict(value).items()
                }
                changes[name] = MappingProxyType({**self.severity, **sev})
            elif name == "per_file_ignores":
                pfi = {str(k): _codes(v) for k, v in dict(value).items()}
                merged = dict(self.per_file_ignores)
                for k, v in pfi.items():
                    merged[k] = _dedup((*merged.get(k, ()), *v))
                changes[name] = MappingProxyType(merged)
            elif name in ("build_args", "context"):
                changes[name] = MappingProxyType(
                    {**getattr(self, name), **{str(k): str(v) for k, v in dict(value).items()}}
                )
            elif name == "fail_on":
                changes[name] = value if isinstance(value, Severity) else Severity.parse(str(value))
            elif name in ("source", "root"):
                changes[name] = Path(value)
            else:
                changes[name] = value
        return self._replace(**changes)

    # ---- questions the CLI and the suppression filter ask ------------------------------------

    def relative(self, path: str | os.PathLike[str], *, cwd: Path | None = None) -> str | None:
        """``path`` (absolute, or relative to ``cwd``) relative to :attr:`root`, '/'-separated;
        None when it lies outside the root (then no glob of this file can be meant for it)."""
        p = Path(path)
        if not p.is_absolute():
            p = (cwd or Path.cwd()) / p
        try:
            rel = Path(os.path.normpath(p)).relative_to(os.path.abspath(self.root))
        except ValueError:
            return None
        return rel.as_posix()

    def is_excluded(self, path: str | os.PathLike[str], *, cwd: Path | None = None) -> bool:
        """Does an ``exclude`` glob match this file or one of its parent folders?"""
        rel = self.relative(path, cwd=cwd)
        return rel is not None and any(glob_match(g, rel) for g in self.exclude)

    def ignored_codes(self, path: str | os.PathLike[str], *, cwd: Path | None = None) -> tuple[str, ...]:
        """Codes/prefixes ``per-file-ignores`` switches off for this file.

        A glob is tried against the path relative to the config root and against the path as
        displayed, so ``"docker/*" = [...]`` works from the root and from a subfolder alike.
        """
        candidates = {PurePosixPath(Path(path).as_posix()).as_posix()}
        rel = self.relative(path, cwd=cwd)
        if rel is not None:
            candidates.add(rel)
        codes: list[str] = []
        for glob, cs in self.per_file_ignores.items():
            if any(glob_match(glob, c) for c in candidates):
                codes.extend(cs)
        return _dedup(codes)

    def severity_for(self, code: str) -> Severity | None:
        """The override for ``code``: an exact code wins over the longest matching prefix."""
        best: tuple[int, Severity] | None = None
        for key, sev in self.severity.items():
            if code.upper().startswith(key) and (best is None or len(key) > best[0]):
                best = (len(key), sev)
        return best[1] if best else None

    def context_for(self, dockerfile: str | os.PathLike[str], *, cwd: Path | None = None) -> Path | None:
        """The build context configured for a Dockerfile (absolute), or None for the default."""
        rel = self.relative(dockerfile, cwd=cwd)
        if rel is None:
            return None
        for glob, ctx in self.context.items():
            if glob_match(glob, rel):
                return (self.root / ctx).resolve()
        return None

    def enabled(self, code: str) -> bool:
        """Is ``code`` selected and not ignored (codes or prefixes, as ``select_rules`` does)?"""
        code = code.upper()
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        return not any(code.startswith(p) for p in self.ignore)


# ---- globs ------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a gitignore-style glob into a regex over '/'-separated relative paths.

    A pattern without a '/' (other than a trailing one) matches at any depth, like ``.gitignore``
    (``vendor`` excludes ``a/vendor/Dockerfile``); one with a '/' is anchored at the root.
    ``**`` spans folders, ``*`` and ``?`` stay inside one path segment. A match on a folder
    covers everything below it.
    """
    pat = pattern.strip().replace("\\", "/")
    anchored = "/" in pat.rstrip("/")
    pat = pat.strip("/") if anchored else pat.rstrip("/")
    if pat.startswith("./"):
        pat = pat[2:]
    out: list[str] = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pat.find("]", i + 2)
            if j == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pat[i + 1 : j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
                i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"^{prefix}{''.join(out)}(?:/.*)?$", re.S)


def glob_match(pattern: str, path: str) -> bool:
    """Does ``pattern`` (gitignore-style, see :func:`_glob_regex`) match the relative ``path``?"""
    path = path.replace("\\", "/")
    if path.startswith("./"):
        path = path[2:]
    return _glob_regex(pattern).match(path) is not None


# ---- loading ----------------------------------------------------------------------------------


def parse_build_args(values: Iterable[str], environ: Mapping[str, str] | None = None) -> dict[str, str] | None:
    """``--build-arg NAME=VALUE`` as docker build takes them (``NAME`` alone: the value from the
    environment); None when none is given, ValueError naming a malformed one."""
    env = os.environ if environ is None else environ
    out: dict[str, str] = {}
    for v in values:
        name, eq, value = v.partition("=")
        if not name:
            raise ValueError(f"--build-arg {v!r}: expected NAME=VALUE")
        out[name] = value if eq else env.get(name, "")
    return out or None


def load_config(cwd: Path, explicit: Path | None = None) -> Config:
    """The configuration in force in ``cwd``: ``explicit`` if given, else the nearest file.

    Walks from ``cwd`` up to the filesystem root; in each folder ``.pinaudit.toml`` (top-level
    keys) is tried before ``pyproject.toml`` (``[tool.pinaudit]``); a ``pyproject.toml`` without
    the section does not stop the walk. Without any file, the defaults rooted at ``cwd``.
    """
    cwd = Path(os.path.abspath(cwd))
    if explicit is not None:
        path = explicit if explicit.is_absolute() else cwd / explicit
        if not path.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        table = _read(path)
        if path.name == "pyproject.toml":
            table = _section(table, path) or {}
        return _build(table, path)
    for folder in (cwd, *cwd.parents):
        for name in CONFIG_FILENAMES:
            path = folder / name
            if not path.is_file():
                continue
            if name == "pyproject.toml":
                # Most pyproject.toml files have nothing to do with us; don't parse (and fail on)
                # a file that cannot contain the section.
                try:
                    if "pinaudit" not in path.read_text(encoding="utf-8", errors="replace"):
                        continue
                except OSError as exc:
                    raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
                section = _section(_read(path), path)
                if section is None:
                    continue
                return _build(section, path)
            return _build(_read(path), path)
    return Config(root=cwd)


def _read(path: Path) -> dict[str, Any]:
    # Imported here: most runs without a config file never need a TOML parser.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        result: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The message carries "(at line N, column M)".
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return result


def _section(table: dict[str, Any], path: Path) -> dict[str, Any] | None:
    tool = table.get("tool")
    if not isinstance(tool, dict) or "pinaudit" not in tool:
        return None
    section = tool["pinaudit"]
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: {SECTION} must be a table")
    return section


_KEYS: dict[str, str] = {  # file key -> Config field
    "select": "select",
    "ignore": "ignore",
    "severity": "severity",
    "fail-on": "fail_on",
    "exclude": "exclude",
    "per-file-ignores": "per_file_ignores",
    "build-args": "build_args",
    "context": "context",
    "pypi-index": "pypi_index",
    "npm-registry": "npm_registry",
    "debian-mirror": "debian_mirror",
    "debian-snapshot": "debian_snapshot",
    "ubuntu-snapshot": "ubuntu_snapshot",
    "rpm-repos": "rpm_repos",
    "debian-security-mirror": "debian_security_mirror",
    "debian-suite": "debian_suite",
    "debian-keyring": "debian_keyring",
    "image-registry": "image_registry",
    "alpine-mirror": "alpine_mirror",
    "alpine-branch": "alpine_branch",
    "timeout": "timeout",
    "cache-max-mb": "cache_max_mb",
    "lock-at": "lock_at",
    "cooldown": "cooldown",
    "warn-unused-ignores": "warn_unused_ignores",
}


def _build(table: dict[str, Any], path: Path) -> Config:
    where = SECTION if path.name == "pyproject.toml" else path.name

    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{path}: {where} {key!r}: {problem}")

    for key in table:
        if key not in _KEYS:
            import difflib  # only on this error path: keeps a pre-commit run's startup small

            hint = difflib.get_close_matches(key.replace("_", "-"), list(_KEYS), n=1, cutoff=0.6)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            if key == "tool" and path.name != "pyproject.toml":
                extra = f" ({path.name} takes the keys at top level, without a [tool.pinaudit] header)"
            raise ConfigError(f"{path}: unknown key {key!r} in {where}{extra}")

    values: dict[str, Any] = {"source": path, "root": path.parent}
    for key, value in table.items():
        name = _KEYS[key]
        if name in ("select", "ignore"):
            values[name] = _code_list(value, partial(fail, key))
        elif name == "exclude":
            values[name] = _dedup(_str_list(value, partial(fail, key)))
        elif name == "rpm_repos":
            repos = _dedup(_str_list([value] if isinstance(value, str) else value, partial(fail, key)))
            bad = [r for r in repos if not r.startswith(("http://", "https://"))]
            if bad:
                raise fail(key, f"expected http(s) URLs, got {bad[0]!r}")
            values[name] = repos
        elif name == "severity":
            if not isinstance(value, dict):
                raise fail(key, f"expected a table of code = severity, got {_kind(value)}")
            sev: dict[str, Severity] = {}
            for code, level in value.items():
                if not _CODE_PREFIX.match(code.upper()):
                    raise fail(f"{key}.{code}", "not a rule code (such as PIN101) or prefix (PIN1)")
                sev[code.upper()] = _severity(level, partial(fail, f"{key}.{code}"))
            values[name] = MappingProxyType(sev)
        elif name == "fail_on":
            values[name] = _severity(value, partial(fail, key))
        elif name == "per_file_ignores":
            if not isinstance(value, dict):
                raise fail(key, f"expected a table of glob = [codes], got {_kind(value)}")
            values[name] = MappingProxyType(
                {str(g): _code_list(cs, partial(fail, f"{key}.{g}")) for g, cs in value.items()}
            )
        elif name in ("build_args", "context"):
            if not isinstance(value, dict):
                raise fail(key, f"expected a table of strings, got {_kind(value)}")
            out: dict[str, str] = {}
            for k, v in value.items():
                # Build args are strings to Docker; accept the numbers people write bare (3.12).
                if isinstance(v, bool) or not isinstance(v, (str, int, float)):
                    raise fail(f"{key}.{k}", f"expected a string, got {_kind(v)}")
                out[str(k)] = str(v)
            values[name] = MappingProxyType(out)
        elif name == "warn_unused_ignores":
            if not isinstance(value, bool):
                raise fail(key, f"expected true or false, got {_kind(value)}")
            values[name] = value
        elif name == "cache_max_mb":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise fail(key, f"expected a whole number of MiB (at least 1), got {_kind(value)}")
            values[name] = value
        elif name == "timeout":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise fail(key, f"expected a positive number of seconds, got {_kind(value)}")
            values[name] = float(value)
        elif name in ("debian_snapshot", "lock_at") and type(value).__module__ == "datetime":
            # TOML dates arrive as datetime objects; tested by module so datetime is not imported
            values[name] = value.isoformat()  # a bare TOML date: 2024-03-01
        else:  # index locations
            if not isinstance(value, str) or not value.strip():
                raise fail(key, f"expected a non-empty string, got {_kind(value)}")
            values[name] = value.strip()
    return Config(**values)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"{type(value).__name__} {value!r}"


def _str_list(value: object, fail: _Fail) -> tuple[str, ...]:
    # A bare string where a list belongs ("select = 'PIN1'") is the commonest slip; refusing it
    # beats guessing whether the user meant one item or a comma-separated list.
    if not isinstance(value, list):
        raise fail(f"expected an array of strings, got {_kind(value)}")
    for item in value:
        if not isinstance(item, str):
            raise fail(f"expected an array of strings, got an element {_kind(item)}")
    return tuple(value)


def _code_list(value: object, fail: _Fail) -> tuple[str, ...]:
    codes = _str_list(value, fail)
    for code in codes:
        if not _CODE_PREFIX.match(code.strip().upper()):
            raise fail(f"{code!r} is not a rule code (such as PIN101) or prefix (PIN1)")
    return _dedup(c.strip().upper() for c in codes)


def _severity(value: object, fail: _Fail) -> Severity:
    if not isinstance(value, str):
        raise fail(f"expected one of info, warning, error, got {_kind(value)}")
    try:
        return Severity.parse(value)
    except ValueError:
        raise fail(f"expected one of info, warning, error, got {value!r}") from None


def _codes(value: Iterable[str] | str) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return _dedup(c.strip().upper() for c in items if c.strip())


def _dedup(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
