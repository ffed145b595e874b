"""Where the user's own package managers say their indexes are: pip's configuration chain, npm's
``.npmrc`` files, the host's apt sources, Docker's credentials and mirrors.

No index host is written here (SPEC §7): PyPI's default is what the installed pip reports, npm's
is what ``npm config get registry`` says, a Debian mirror comes from the host's apt sources. Every
reader takes its files and environment as parameters, so tests hand in files they wrote and never
see this machine's configuration.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "AptSource",
    "DockerConfig",
    "NpmConfig",
    "PipConfig",
    "debian_mirrors",
    "npm_default_registry",
    "npmrc_files",
    "pip_config_files",
    "pip_default_index",
    "project_npmrc",
    "read_apt_sources",
    "read_docker_config",
    "read_npmrc",
    "read_pip_config",
]


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


# ---- pip ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipConfig:
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    cert: str | None = None
    no_index: bool = False
    source: str = ""  # where index_url was set ("PIP_INDEX_URL", a file path)


def pip_config_files(environ: Mapping[str, str] | None = None, *, home: Path | None = None,
                     site_prefix: str | None = None) -> list[Path]:
    """pip's configuration files in override order (global, user, site, PIP_CONFIG_FILE): later
    files win. ``PIP_CONFIG_FILE=os.devnull`` switches every file off, as it does for pip."""
    env = os.environ if environ is None else environ
    home = home or Path(env.get("HOME") or os.path.expanduser("~"))
    explicit = env.get("PIP_CONFIG_FILE")
    if explicit == os.devnull:
        return []
    files: list[Path] = []
    xdg_dirs = env.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    files += [Path(d) / "pip" / "pip.conf" for d in xdg_dirs.split(os.pathsep) if d]
    files.append(Path("/etc/pip.conf"))
    if not (explicit and Path(explicit).exists()):  # pip: an existing PIP_CONFIG_FILE replaces user files
        files.append(home / ".pip" / "pip.conf")
        files.append(Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "pip" / "pip.conf")
    files.append(Path(site_prefix or sys.prefix) / "pip.conf")
    if explicit:
        files.append(Path(explicit))
    return files


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in re.split(r"\s+", value.strip()) if v)


def read_pip_config(files: Sequence[Path], environ: Mapping[str, str] | None = None) -> PipConfig:
    """The index settings pip would use for ``pip install``: [global] then [install] of each file in
    order, then ``PIP_*`` variables (pip's own precedence)."""
    env = os.environ if environ is None else environ
    values: dict[str, tuple[str, str]] = {}  # key -> (value, source)
    for path in files:
        if not path.is_file():
            continue
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        for section in ("global", "install"):
            if parser.has_section(section):
                for key, value in parser.items(section):
                    values[key.replace("_", "-")] = (value, str(path))
    for key in ("index-url", "extra-index-url", "find-links", "cert", "no-index"):
        var = "PIP_" + key.upper().replace("-", "_")
        if env.get(var):
            values[key] = (env[var], var)
    index = values.get("index-url")
    return PipConfig(
        index_url=index[0].strip() if index else None,
        extra_index_urls=_split(values.get("extra-index-url", ("", ""))[0]),
        find_links=_split(values.get("find-links", ("", ""))[0]),
        cert=values["cert"][0].strip() if "cert" in values else None,
        no_index=values.get("no-index", ("", ""))[0].strip().lower() in ("1", "true", "yes", "on"),
        source=index[1] if index else "",
    )


@lru_cache(maxsize=4)
def pip_default_index(python: str | None = None) -> str | None:
    """The index pip uses when nothing is configured, as the installed pip reports it (read from
    pip's own code in a child process, so pip is never imported into pinaudit)."""
    code = "from pip._internal.models.index import PyPI; print(PyPI.simple_url)"
    candidates = [python] if python else [sys.executable, "python3", "python"]
    for exe in candidates:
        try:
            out = subprocess.run([exe, "-c", code], capture_output=True, text=True, timeout=30,
                                 env={**os.environ, "PIP_CONFIG_FILE": os.devnull})
        except (OSError, subprocess.SubprocessError):
            continue
        url = out.stdout.strip()
        if out.returncode == 0 and url.startswith(("http://", "https://")):
            return url
    return None


# ---- npm ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NpmConfig:
    registry: str | None = None
    scopes: Mapping[str, str] = field(default_factory=_empty)  # "@acme" -> registry URL
    tokens: Mapping[str, str] = field(default_factory=_empty)  # "//host/path/" -> token (never shown)
    source: str = ""

    def registry_for(self, package: str) -> str | None:
        if package.startswith("@") and "/" in package:
            scoped = self.scopes.get(package.split("/", 1)[0])
            if scoped:
                return scoped
        return self.registry

    def token_for(self, url: str) -> str | None:
        """npm's "nerf dart" match: the longest ``//host[:port]/path/`` prefix of the URL."""
        bare = "//" + url.split("//", 1)[-1]
        best: tuple[int, str] | None = None
        for prefix, token in self.tokens.items():
            p = prefix if prefix.endswith("/") else prefix + "/"
            if (bare.startswith(p) or bare + "/" == p) and (best is None or len(p) > best[0]):
                best = (len(p), token)
        return best[1] if best else None


def npmrc_files(project_dir: Path | None, environ: Mapping[str, str] | None = None, *,
                home: Path | None = None) -> list[Path]:
    """.npmrc files in override order: global, user, project (later wins, as npm reads them)."""
    env = os.environ if environ is None else environ
    home = home or Path(env.get("HOME") or os.path.expanduser("~"))
    files: list[Path] = []
    glob = env.get("NPM_CONFIG_GLOBALCONFIG") or env.get("npm_config_globalconfig")
    if glob:
        files.append(Path(glob))
    files.append(Path(env.get("NPM_CONFIG_USERCONFIG") or env.get("npm_config_userconfig") or home / ".npmrc"))
    own = project_npmrc(project_dir) if project_dir is not None else None
    if own is not None:
        files.append(own)
    return files


def project_npmrc(project_dir: Path) -> Path | None:
    """The project's .npmrc: in npm's project root, the nearest folder with package.json (or with
    an .npmrc of its own)."""
    d = project_dir.resolve()
    for folder in (d, *d.parents):
        if (folder / "package.json").is_file() or (folder / ".npmrc").is_file():
            return folder / ".npmrc"
    return None


def _expand(value: str, env: Mapping[str, str]) -> str:
    return re.sub(r"\$\{([^}]+)\}", lambda m: env.get(m.group(1), ""), value)


def read_npmrc(files: Sequence[Path], environ: Mapping[str, str] | None = None) -> NpmConfig:
    env = os.environ if environ is None else environ
    registry: tuple[str, str] | None = None
    scopes: dict[str, str] = {}
    tokens: dict[str, str] = {}
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith(("#", ";")) or "=" not in line:
                continue
            key, _, value = line.partition("=")
            key, value = key.strip(), _expand(value.strip().strip('"').strip("'"), env)
            if key == "registry":
                registry = (value, str(path))
            elif key.startswith("@") and key.endswith(":registry"):
                scopes[key[: -len(":registry")]] = value
            elif key.startswith("//") and key.endswith(":_authToken"):
                tokens[key[: -len(":_authToken")]] = value
    for var in ("NPM_CONFIG_REGISTRY", "npm_config_registry"):
        if env.get(var):
            registry = (env[var], var)
    return NpmConfig(registry[0] if registry else None, MappingProxyType(scopes), MappingProxyType(tokens),
                     registry[1] if registry else "")


@lru_cache(maxsize=2)
def npm_default_registry(npm: str = "npm") -> str | None:
    """``npm config get registry``: npm's own answer (its builtin default included)."""
    try:
        out = subprocess.run([npm, "config", "get", "registry"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    url = out.stdout.strip()
    return url if out.returncode == 0 and url.startswith(("http://", "https://")) else None


# ---- apt ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AptSource:
    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]
    file: str = ""


_DISTS = frozenset({
    # codenames and aliases of Debian and Ubuntu: how a Debian-family archive is told from a
    # third-party repository (nodistro, cloud-sdk-bookworm, ...) in the host's sources
    "buster", "bullseye", "bookworm", "trixie", "forky", "duke", "sid", "stable", "oldstable", "oldoldstable",
    "testing", "unstable", "experimental", "bionic", "focal", "jammy", "noble", "oracular", "plucky", "questing",
})


def _base_suite(suite: str) -> str:
    return re.sub(r"-(updates|security|backports|proposed)$", "", suite.split("/")[0])


def read_apt_sources(root: Path = Path("/")) -> list[AptSource]:
    """One-line ``sources.list`` entries and deb822 ``*.sources`` stanzas (deb only, enabled)."""
    etc = root / "etc" / "apt"
    out: list[AptSource] = []
    one_line = [etc / "sources.list", *sorted((etc / "sources.list.d").glob("*.list"))]
    for path in one_line:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for raw in lines:
            line = raw.split("#", 1)[0].strip()
            if not line.startswith("deb "):
                continue
            line = re.sub(r"\[[^\]]*\]", " ", line[4:])
            words = line.split()
            if len(words) >= 2:
                out.append(AptSource(words[0], (words[1],), tuple(words[2:]), str(path)))
    for path in sorted((etc / "sources.list.d").glob("*.sources")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for para in _paragraphs(text):
            if "deb" not in para.get("types", "").split() or para.get("enabled", "yes").lower() == "no":
                continue
            for uri in para.get("uris", "").split():
                out.append(AptSource(uri, tuple(para.get("suites", "").split()),
                                     tuple(para.get("components", "").split()), str(path)))
    return out


def _paragraphs(text: str) -> Iterable[dict[str, str]]:
    para: dict[str, str] = {}
    key = ""
    for raw in text.splitlines():
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if para:
                yield para
            para, key = {}, ""
            continue
        if raw[0] in " \t" and key:
            para[key] += "\n" + raw.strip()
            continue
        k, sep, v = raw.partition(":")
        if sep:
            key = k.strip().lower()
            para[key] = v.strip()
    if para:
        yield para


def debian_mirrors(sources: Iterable[AptSource]) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(main mirror, security mirror, components) from the host's Debian-family sources."""
    main: str | None = None
    security: str | None = None
    components: list[str] = []
    for s in sources:
        dist_suites = [x for x in s.suites if _base_suite(x) in _DISTS]
        if not dist_suites:
            continue
        if all(x.endswith("-security") or "/updates" in x for x in dist_suites):
            security = security or s.uri
        else:
            main = main or s.uri
        components += [c for c in s.components if c not in components]
    return main, security or main, tuple(components) or ("main",)


# ---- Docker -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DockerConfig:
    auths: Mapping[str, tuple[str, str]] = field(default_factory=lambda: MappingProxyType({}))  # host -> (u, p)
    mirrors: tuple[str, ...] = ()


def read_docker_config(config_json: Path | None = None, daemon_json: Path | None = None,
                       environ: Mapping[str, str] | None = None) -> DockerConfig:
    """Credentials from ``~/.docker/config.json`` (``auths``: base64 user:password) and registry
    mirrors from the daemon's ``daemon.json``. Credential helpers are not run."""
    import base64

    env = os.environ if environ is None else environ
    if config_json is None:
        base = Path(env["DOCKER_CONFIG"]) if env.get("DOCKER_CONFIG") else Path(
            env.get("HOME") or os.path.expanduser("~")) / ".docker"
        config_json = base / "config.json"
    auths: dict[str, tuple[str, str]] = {}
    try:
        doc = json.loads(config_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        doc = {}
    for host, entry in (doc.get("auths") or {}).items() if isinstance(doc, dict) else ():
        if not isinstance(entry, dict) or not isinstance(entry.get("auth"), str):
            continue
        try:
            user, _, pw = base64.b64decode(entry["auth"]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            continue
        key = host.split("//", 1)[-1].split("/", 1)[0]
        auths[key] = (user, pw)
    mirrors: tuple[str, ...] = ()
    if daemon_json is not None:
        try:
            daemon = json.loads(daemon_json.read_text(encoding="utf-8"))
            mirrors = tuple(str(m) for m in daemon.get("registry-mirrors") or ())
        except (OSError, ValueError, AttributeError):
            mirrors = ()
    return DockerConfig(MappingProxyType(auths), mirrors)
