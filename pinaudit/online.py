"""``scan --online``: ask the package indexes about the exact pins a static scan found (PIN6xx).

Two halves, kept apart so the site model can grow without touching the network code:

* :func:`choose_index` maps one install site to an :class:`IndexChoice` — which index, which query —
  from what the site carries and from simple parameters for what the site model does not carry yet
  (the site's own pip index options, apt's ``-t`` suite, the base image's suite, the parsed image
  reference). Plugging those site fields in later is a matter of passing them.
* :func:`check_sites` groups the choices by index, asks each index once per package on the
  transport's bounded pool, turns the answers into :class:`~pinaudit.rules._online.Facts` and runs
  the online rules over them. Whatever could not be answered becomes an
  :class:`~pinaudit.model.Unchecked` value with the index (credentials masked) and the reason;
  the CLI turns any of them into exit 3.

Precedence of index locations (SPEC §7, issue 10):

* pip: the site's own options; else ``--pypi-index``/config; else the user's pip configuration
  (``PIP_INDEX_URL``, pip.conf files: a mirror stands for the same index); else pip's default as
  the installed pip reports it. A container build never sees the host's find-links, ``file://``
  or extra indexes: a Dockerfile site uses its own options, else one configured http(s) index URL.
  A requirements file outside any Dockerfile may also use the host's http(s) extra indexes.
* npm: ``--npm-registry``/config; else ``.npmrc`` (project, user, global; ``@scope:registry``);
  else ``npm config get registry``. A Dockerfile site reads only the project's ``.npmrc`` and
  npm's built-in default (the host's ~/.npmrc is not in the image).
* apt: the mirror from ``--debian-mirror``/config, else the host's apt sources; the suite from
  ``-t``, else the base image's tag (``debian:bookworm``, ``python:3.12-slim-bookworm``,
  ``debian:12``), else ``--debian-suite``/config.
* apk: the mirror from ``--alpine-mirror``/config, else the host's ``/etc/apk/repositories``; the
  branch from the base image's tag (``alpine:3.20``, ``python:3.12-alpine3.20``), else
  ``--alpine-branch``/config.
* images: a registry host in the reference, else ``image-registry``/config, else the Docker
  daemon's ``registry-mirrors``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

from pinaudit.images import ImageRef, parse_image
from pinaudit.model import Action, Ecosystem, Finding, InstallSite, Pin, Unchecked

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.app import Progress, ScanResult
    from pinaudit.baseline import Baseline
    from pinaudit.config import Config
    from pinaudit.index.http import HttpSettings, Transport
    from pinaudit.index.interface import IndexFailure, Project
    from pinaudit.rules._online import Facts

__all__ = ["HostConfig", "IndexChoice", "OnlineOptions", "OnlineResult", "check_sites", "choose_index",
           "describe_unchecked", "http_settings", "scan_online", "suite_from_image"]

ONLINE_RULES = ("PIN601", "PIN602", "PIN603")
_RULE_ECOSYSTEMS = {"PIN601": ("apt", "apk", "pip", "npm", "image"), "PIN602": ("pip", "npm"), "PIN603": ("image",)}

# Debian and Ubuntu release numbers as image tags write them; codenames pass through as they are.
_DEBIAN_NUMBERS = {"10": "buster", "11": "bullseye", "12": "bookworm", "13": "trixie", "14": "forky"}
_UBUNTU_NUMBERS = {"18.04": "bionic", "20.04": "focal", "22.04": "jammy", "24.04": "noble", "24.10": "oracular",
                   "25.04": "plucky", "25.10": "questing"}
_CODENAMES = frozenset({*_DEBIAN_NUMBERS.values(), *_UBUNTU_NUMBERS.values(), "sid", "duke"})


@dataclass(frozen=True)
class OnlineOptions:
    """Index locations and HTTP settings from the command line and configuration, plus where the
    host's own configuration is read from (tests point those at files they wrote)."""

    pypi_index: str | None = None
    npm_registry: str | None = None
    debian_mirror: str | None = None
    debian_security_mirror: str | None = None
    debian_snapshot: str | None = None
    debian_suite: str | None = None
    debian_keyring: str | None = None
    debian_arch: str = "amd64"
    alpine_mirror: str | None = None
    alpine_branch: str | None = None
    image_registry: str | None = None
    platform: str | None = None  # linux/arm64: one platform's manifest digest, and its Debian architecture
    snapshot_days: int = 730  # how far back the last-served search looks
    http: HttpSettings | None = None
    environ: Mapping[str, str] | None = None  # None: os.environ
    pip_config_files: Sequence[Path] | None = None  # None: pip's own locations
    host_root: Path = Path("/")  # where /etc/apt and /etc/apk are read from
    docker_config: Path | None = None  # None: $DOCKER_CONFIG or ~/.docker/config.json
    docker_daemon: Path | None = Path("/etc/docker/daemon.json")
    npm_binary: str = "npm"
    use_host_npm: bool = True  # ask `npm config get registry` when nothing else says

    @classmethod
    def from_config(cls, config: Config, **overrides: Any) -> OnlineOptions:
        values: dict[str, Any] = {
            "pypi_index": config.pypi_index, "npm_registry": config.npm_registry,
            "debian_mirror": config.debian_mirror, "debian_security_mirror": config.debian_security_mirror,
            "debian_snapshot": config.debian_snapshot, "debian_suite": config.debian_suite,
            "debian_keyring": config.debian_keyring, "image_registry": config.image_registry,
            "alpine_mirror": config.alpine_mirror, "alpine_branch": config.alpine_branch,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


@dataclass(frozen=True)
class IndexChoice:
    """Which index answers for one site, and what to ask it. ``url`` None: not checkable, ``reason``
    says why and how to configure it."""

    ecosystem: str  # "pip", "npm", "apt", "image"
    package: str
    version: str | None
    url: str | None  # may hold credentials: never shown unmasked
    extra_urls: tuple[str, ...] = ()  # pip: further indexes searched alongside (host sites only)
    suite: str | None = None  # apt
    security_url: str | None = None  # apt
    target: str | None = None  # apt -t
    image: ImageRef | None = None
    token: str | None = None  # npm _authToken for this registry (never shown)
    cert: str | None = None  # pip's `cert`: the CA bundle for pip's indexes
    reason: str = ""

    @property
    def key(self) -> tuple[object, ...]:
        """Sites with the same key share one lookup."""
        return (self.ecosystem, self.url, self.extra_urls, self.suite, self.security_url, self.target,
                self.package if self.ecosystem != "image" else str(self.image))


# ---- host configuration, read once per run --------------------------------------------------------


class HostConfig:
    """The user's own package-manager configuration, read lazily (only what the sites need)."""

    def __init__(self, options: OnlineOptions) -> None:
        self.options = options
        self.environ: Mapping[str, str] = os.environ if options.environ is None else options.environ

    @cached_property
    def pip(self) -> Any:
        from pinaudit.index.sources import pip_config_files, read_pip_config

        files = self.options.pip_config_files
        if files is None:
            files = pip_config_files(self.environ)
        return read_pip_config(files, self.environ)

    @cached_property
    def pip_default(self) -> str | None:
        from pinaudit.index.sources import pip_default_index

        return pip_default_index()

    def npm(self, project_dir: Path | None, *, container: bool) -> Any:
        from pinaudit.index.sources import npmrc_files, project_npmrc, read_npmrc

        if container:  # only the project's own .npmrc can be in the build context
            own = project_npmrc(project_dir) if project_dir is not None else None
            return read_npmrc([own] if own else [], self.environ)
        return read_npmrc(npmrc_files(project_dir, self.environ), self.environ)

    def npm_default(self, *, container: bool) -> str | None:
        if not self.options.use_host_npm:
            return None
        from pinaudit.index.sources import npm_default_registry

        if container:
            return _npm_builtin_registry(self.options.npm_binary)
        return npm_default_registry(self.options.npm_binary)

    @cached_property
    def apt(self) -> tuple[str | None, str | None, tuple[str, ...]]:
        from pinaudit.index.sources import debian_mirrors, read_apt_sources

        return debian_mirrors(read_apt_sources(self.options.host_root))

    @cached_property
    def alpine(self) -> str | None:
        from pinaudit.index.alpine import mirror_from_repositories

        try:
            lines = (self.options.host_root / "etc" / "apk" / "repositories").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return mirror_from_repositories(lines.splitlines())

    @cached_property
    def docker(self) -> Any:
        from pinaudit.index.sources import read_docker_config

        return read_docker_config(self.options.docker_config, self.options.docker_daemon, self.environ)


def _npm_builtin_registry(npm: str) -> str | None:
    """npm's built-in default, with the user's and the global npmrc switched off."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pinaudit-npm-") as tmp:
        env = {**os.environ, "NPM_CONFIG_USERCONFIG": os.devnull, "NPM_CONFIG_GLOBALCONFIG": os.devnull}
        env = {k: v for k, v in env.items() if not (k.lower().startswith("npm_config_") and
                                                     k.lower() not in ("npm_config_userconfig",
                                                                       "npm_config_globalconfig"))}
        try:
            out = subprocess.run([npm, "config", "get", "registry"], capture_output=True, text=True, timeout=30,
                                 cwd=tmp, env=env)
        except (OSError, subprocess.SubprocessError):
            return None
    url = out.stdout.strip()
    return url if out.returncode == 0 and url.startswith(("http://", "https://")) else None


# ---- site -> index ---------------------------------------------------------------------------


def suite_from_image(ref: ImageRef | None) -> str | None:
    """The Debian/Ubuntu suite a base image's tag names: ``debian:bookworm-slim``, ``debian:12``,
    ``python:3.12-slim-bookworm``, ``ubuntu:22.04``. None when the tag names none (never guessed)."""
    if ref is None or not ref.tag:
        return None
    repo = ref.name.rsplit("/", 1)[-1]
    words = re.split(r"[-_]", ref.tag.lower())
    for w in words:
        if w in _CODENAMES:
            return w
    if repo == "debian" and words:
        return _DEBIAN_NUMBERS.get(words[0].split(".")[0])
    if repo == "ubuntu" and words:
        return _UBUNTU_NUMBERS.get(words[0])
    return None


def _http_only(urls: Iterable[str]) -> tuple[str, ...]:
    return tuple(u for u in urls if u.startswith(("http://", "https://")))


def choose_index(site: InstallSite, options: OnlineOptions, host: HostConfig, *, container: bool,
                 project_dir: Path | None = None, pip_index: str | None = None,
                 pip_extra_indexes: Sequence[str] = (), apt_target: str | None = None,
                 base_image: ImageRef | None = None, base_suite: str | None = None,
                 image: ImageRef | None = None) -> IndexChoice | None:
    """The index and query for one site; None when the site has nothing an index could answer
    (not an exact pin, a direct URL, a local path...).

    The keyword parameters are what the site model does not carry yet: the site's own pip index
    options (``-i``/``--index-url``, ``--extra-index-url``, ``ENV PIP_INDEX_URL``, a requirements
    file's ``--index-url``), apt's ``-t`` suite, the base image (or its suite, when the Dockerfile
    analysis knows it) and the parsed image reference. :func:`_site_parameters` fills them."""
    if site.action is not Action.INSTALL or site.pin not in (Pin.EXACT, Pin.IMMUTABLE) or site.package is None:
        return None
    eco = site.ecosystem
    if eco is Ecosystem.IMAGE:
        ref = image or parse_image(site.spec or site.package)
        if not ref.tag or ref.tag == "latest":
            return None
        return IndexChoice("image", ref.name, ref.tag, options.image_registry or "", image=ref)
    if not site.version or re.search(r"://|^git\+|@git|\bfile:", site.spec or ""):
        return None
    if eco is Ecosystem.PIP:
        return _choose_pip(site, options, host, container, pip_index, pip_extra_indexes)
    if eco is Ecosystem.NPM:
        return _choose_npm(site, options, host, container, project_dir)
    if eco is Ecosystem.APT:
        return _choose_apt(site, options, host, apt_target, base_image, base_suite)
    if eco is Ecosystem.APK:
        return _choose_apk(site, options, host, base_image)
    return None


def _choose_apk(site: InstallSite, options: OnlineOptions, host: HostConfig,
                base_image: ImageRef | None) -> IndexChoice:
    from pinaudit.index.alpine import branch_from_image_tag

    name, version = site.package or "", site.version
    mirror = options.alpine_mirror or host.alpine
    branch = (branch_from_image_tag(base_image.name, base_image.tag) if base_image else None) or options.alpine_branch
    if not mirror:
        return IndexChoice("apk", name, version, None, reason="no Alpine mirror configured: pass --alpine-mirror URL "
                                                              "or set alpine-mirror in the configuration")
    if not branch:
        return IndexChoice("apk", name, version, mirror, reason="the Alpine branch is unknown: the base image's tag "
                                                                "names none; pass --alpine-branch (e.g. v3.20)")
    return IndexChoice("apk", name, version, mirror, suite=branch)


def _choose_pip(site: InstallSite, options: OnlineOptions, host: HostConfig, container: bool,
                pip_index: str | None, pip_extra: Sequence[str]) -> IndexChoice:
    name, version = site.package or "", site.version
    extras = _http_only(pip_extra)
    conf = host.pip
    cert = conf.cert
    if pip_index:
        return IndexChoice("pip", name, version, pip_index, extras, cert=cert)
    if options.pypi_index:
        return IndexChoice("pip", name, version, options.pypi_index, extras, cert=cert)
    if not container:
        extras = (*extras, *_http_only(conf.extra_index_urls))
    if conf.index_url and conf.index_url.startswith(("http://", "https://")):
        return IndexChoice("pip", name, version, conf.index_url, extras, cert=cert)
    default = host.pip_default
    if default:
        return IndexChoice("pip", name, version, default, extras, cert=cert)
    return IndexChoice("pip", name, version, None, reason="no Python package index known: pass --pypi-index URL "
                                                          "or set pypi-index in the configuration")


def _choose_npm(site: InstallSite, options: OnlineOptions, host: HostConfig, container: bool,
                project_dir: Path | None) -> IndexChoice:
    name, version = site.package or "", site.version
    conf = host.npm(project_dir, container=container)
    url = options.npm_registry or conf.registry_for(name) or host.npm_default(container=container)
    if not url:
        return IndexChoice("npm", name, version, None, reason="no npm registry known: pass --npm-registry URL, "
                                                              "set npm-registry in the configuration or registry= "
                                                              "in .npmrc")
    return IndexChoice("npm", name, version, url, token=conf.token_for(url))


def _choose_apt(site: InstallSite, options: OnlineOptions, host: HostConfig, target: str | None,
                base_image: ImageRef | None, base_suite: str | None = None) -> IndexChoice:
    name, version = (site.package or "").split(":", 1)[0], site.version
    mirror: str | None
    security: str | None
    if options.debian_mirror:
        mirror, security = options.debian_mirror, options.debian_security_mirror or options.debian_mirror
    else:
        mirror, security, _components = host.apt
        security = options.debian_security_mirror or security
    suite = base_suite or suite_from_image(base_image) or options.debian_suite
    if target:  # -t bookworm-backports: the suite set is bookworm's, with backports at priority 990
        suite = suite or re.sub(r"-(backports|updates|security)$", "", target)
        target = target if target != suite else None
    if not mirror:
        return IndexChoice("apt", name, version, None, reason="no Debian mirror configured: pass --debian-mirror URL "
                                                              "or set debian-mirror in the configuration (this host "
                                                              "has no Debian apt sources to take one from)")
    if not suite:
        return IndexChoice("apt", name, version, mirror, reason="the Debian suite is unknown: the base image's tag "
                                                                "names none; pass --debian-suite (e.g. the codename)")
    return IndexChoice("apt", name, version, mirror, suite=suite, security_url=security, target=target)


# ---- asking the indexes -----------------------------------------------------------------------


@dataclass
class _Answer:
    facts: Facts | None = None
    failure: IndexFailure | None = None
    reason: str = ""
    warnings: tuple[str, ...] = ()  # e.g. a live Debian archive past its Valid-Until


@dataclass
class OnlineResult:
    findings: list[Finding] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _shown(choice: IndexChoice) -> str:
    from pinaudit.index.http import mask_url

    if choice.ecosystem in ("apt", "apk") and choice.url:
        return f"{mask_url(choice.url)} {choice.suite}" if choice.suite else mask_url(choice.url)
    return mask_url(choice.url) if choice.url else ""


class _Lookups:
    """One client per index location, shared by every site that uses it."""

    def __init__(self, options: OnlineOptions, host: HostConfig, transport: Transport) -> None:
        self.options = options
        self.host = host
        self.transport = transport
        self._clients: dict[tuple[object, ...], Any] = {}

    def _client(self, key: tuple[object, ...], make: Callable[[], Any]) -> Any:
        if key not in self._clients:
            self._clients[key] = make()
        return self._clients[key]

    def answer(self, choice: IndexChoice) -> _Answer:
        from pinaudit.rules._online import Facts

        if choice.url is None or (choice.ecosystem in ("apt", "apk") and not choice.suite):
            return _Answer(reason=choice.reason)
        shown = _shown(choice)
        if choice.ecosystem == "image":
            return self._image(choice, shown)
        if choice.ecosystem == "apt":
            return self._apt(choice, shown)
        if choice.ecosystem == "apk":
            return self._apk(choice, shown)
        project = self._project(choice)
        from pinaudit.index.interface import IndexFailure, PackageNotFound

        if isinstance(project, PackageNotFound):
            return _Answer(Facts(shown, served=False, package_missing=True))
        if isinstance(project, IndexFailure):
            return _Answer(failure=project)
        facts = self._facts(choice, project, shown)
        if facts.served is False and choice.ecosystem == "pip" and "+" in (choice.version or ""):
            # public indexes refuse local versions (PEP 440): `torch==2.1.0+cpu` comes from an index
            # or find-links location the install itself names, not from this one
            return _Answer(reason=f"{choice.package}=={choice.version} is a local version, which only the index "
                                  "the install names can serve; pass that index with --pypi-index to check it")
        return _Answer(facts)

    def _project(self, choice: IndexChoice) -> Project | IndexFailure:
        from pinaudit.index.interface import IndexFailure, PackageNotFound

        if choice.ecosystem == "pip":
            from pinaudit.index.pypi import SimpleIndex

            first: Project | IndexFailure | None = None
            for url in (choice.url or "", *choice.extra_urls):
                index = self._client(("pip", url, choice.cert),
                                     lambda u=url: SimpleIndex(u, self.transport, cert=choice.cert))  # type: ignore[misc]
                got = index.project(choice.package)
                if not isinstance(got, IndexFailure):
                    if first is None or isinstance(first, IndexFailure) or (
                            choice.version in got.versions and choice.version not in first.versions):
                        first = got
                elif first is None or (isinstance(first, PackageNotFound) and got.unreachable):
                    first = got
            assert first is not None
            return first
        from pinaudit.index.npm import NpmRegistry

        registry = self._client(("npm", choice.url),
                                lambda: NpmRegistry(choice.url or "", self.transport, token=choice.token))
        result: Project | IndexFailure = registry.project(choice.package)
        return result

    def _facts(self, choice: IndexChoice, project: Project, shown: str) -> Facts:
        from pinaudit.rules._online import Facts

        version = choice.version or ""
        release = project.release(version)
        if release is None and choice.ecosystem == "pip":
            from packaging.version import InvalidVersion, Version

            try:  # PEP 440: ==1.0 matches 1.0.0
                want = Version(version)
                release = next((r for r in project.releases if _same_version(r.version, want)), None)
            except InvalidVersion:
                release = None
        if choice.ecosystem == "npm":
            current = project.tags.get("latest")
        else:  # the newest final release that is not yanked (what `pip install name` takes)
            live = [r for r in project.releases if r.yanked is None] or list(project.releases)
            final = [r for r in live if not _prerelease(r.version)] or live
            current = final[-1].version if final else None
        if release is None:
            return Facts(shown, served=False, current=current)
        return Facts(shown, served=True, current=current, yanked=release.yanked, deprecated=release.deprecated)

    def _apt(self, choice: IndexChoice, shown: str) -> _Answer:
        from pinaudit.index.debian import DebianArchive
        from pinaudit.index.interface import IndexFailure, PackageNotFound
        from pinaudit.rules._online import Facts

        opts = self.options
        arch = _debian_arch(opts.platform) or opts.debian_arch
        archive: DebianArchive = self._client(
            ("apt", choice.url, choice.security_url, choice.suite, choice.target),
            lambda: DebianArchive(choice.url or "", choice.suite or "", self.transport,
                                  security_mirror=choice.security_url, arch=arch, keyring=opts.debian_keyring,
                                  snapshot=opts.debian_snapshot, target=choice.target,
                                  extra_suites=(choice.target,) if choice.target else ()))
        project = archive.project(choice.package)
        if isinstance(project, PackageNotFound):
            return _Answer(Facts(shown, served=False, package_missing=True))
        if isinstance(project, IndexFailure):
            return _Answer(failure=project)
        version = choice.version or ""
        served = version in project.versions or (version.endswith("*") and any(
            v.startswith(version[:-1]) for v in project.versions))
        last: str | None = None
        if not served and opts.debian_snapshot:
            now = datetime.now(timezone.utc)
            found = archive.last_served(choice.package, version, since=now - timedelta(days=opts.snapshot_days),
                                        until=now)
            if isinstance(found, datetime):
                last = f"{found:%Y-%m-%d}"
        return _Answer(Facts(shown, served=served, current=project.tags.get("candidate"), last_served=last),
                       warnings=tuple(f"{shown}: {w}" for w in project.warnings))

    def _apk(self, choice: IndexChoice, shown: str) -> _Answer:
        from pinaudit.index.alpine import AlpineRepository
        from pinaudit.index.interface import IndexFailure, PackageNotFound
        from pinaudit.rules._online import Facts

        arch = _apk_arch(self.options.platform)
        repo: AlpineRepository = self._client(
            ("apk", choice.url, choice.suite),
            lambda: AlpineRepository(choice.url or "", choice.suite or "", self.transport, arch=arch))
        project = repo.project(choice.package)
        if isinstance(project, PackageNotFound):
            return _Answer(Facts(shown, served=False, package_missing=True))
        if isinstance(project, IndexFailure):
            return _Answer(failure=project)
        return _Answer(Facts(shown, served=(choice.version or "") in project.versions,
                             current=project.tags.get("candidate")))

    def _image(self, choice: IndexChoice, shown: str) -> _Answer:
        from pinaudit.index.interface import IndexFailure, PackageNotFound
        from pinaudit.index.oci import ImageRegistry
        from pinaudit.rules._online import Facts

        registry: ImageRegistry = self._client(("image",), lambda: ImageRegistry(
            self.transport, docker=self.host.docker, hub_registry=self.options.image_registry,
            platform=None))
        assert choice.image is not None
        got = registry.resolve(choice.image)
        where = got.url if isinstance(got, IndexFailure) else got.registry
        if isinstance(got, PackageNotFound):
            return _Answer(Facts(where, served=False))
        if isinstance(got, IndexFailure):
            return _Answer(failure=got)
        return _Answer(Facts(where, served=True, current=got.digest, tag_digests=(got.digest, *got.children)))


def _prerelease(text: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text).is_prerelease
    except InvalidVersion:
        return False


def _same_version(text: str, want: Any) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return bool(Version(text) == want)
    except InvalidVersion:
        return False


def _apk_arch(platform: str | None) -> str:
    arch = (_debian_arch(platform) or "amd64") if platform else "amd64"
    return {"amd64": "x86_64", "arm64": "aarch64", "armhf": "armv7", "i386": "x86"}.get(arch, arch)


def _debian_arch(platform: str | None) -> str | None:
    if not platform:
        return None
    parts = platform.split("/")
    arch = parts[1] if len(parts) > 1 else parts[0]
    if arch == "arm" and len(parts) > 2 and parts[2] == "v7":
        return "armhf"
    return {"x86_64": "amd64", "aarch64": "arm64", "386": "i386"}.get(arch, arch)


# ---- the run ------------------------------------------------------------------------------------


def _context(sites: Sequence[InstallSite], kinds: Mapping[str, str]) -> dict[int, tuple[bool, ImageRef | None]]:
    """Per site (by position): does it build inside a container, and the base image of its stage
    as far as the sites themselves tell (the nearest FROM above it in the same Dockerfile)."""
    froms: dict[str, list[tuple[int, ImageRef]]] = {}
    for s in sites:
        if s.ecosystem is Ecosystem.IMAGE and s.installer == "FROM" and s.spec:
            froms.setdefault(s.location.path, []).append((s.location.line, parse_image(s.spec)))
    out: dict[int, tuple[bool, ImageRef | None]] = {}
    for i, s in enumerate(sites):
        where = s.via.path if s.via is not None else s.location.path
        line = s.via.line if s.via is not None else s.location.line
        container = kinds.get(where) in ("dockerfile", "compose")
        base = None
        for fline, ref in froms.get(where, ()):
            if fline <= line:
                base = ref
        out[i] = (container, base)
    return out


def _site_parameters(site: InstallSite, base: ImageRef | None) -> dict[str, Any]:
    """choose_index's keyword parameters from what the site carries. Today only the base image
    (found from the FROM sites above it); as InstallSite grows the site's own pip index options,
    apt's ``-t`` suite, the base image's suite and a parsed image reference, read them here, e.g.
    ``"pip_index": site.pip_index_url``, ``"apt_target": site.apt_target``."""
    return {"base_image": base}


def check_sites(sites: Sequence[InstallSite], kinds: Mapping[str, str], options: OnlineOptions,
                transport: Transport, *, enabled: Iterable[str] = ONLINE_RULES, cwd: Path | None = None,
                progress: Progress | None = None) -> OnlineResult:
    """Ask the indexes about every exact pin among ``sites`` and run the online rules."""
    from pinaudit.rules import all_rules

    enabled = frozenset(enabled)
    # which ecosystems any enabled rule asks about: nothing else is fetched
    wanted = {eco for code, ecos in _RULE_ECOSYSTEMS.items() if code in enabled for eco in ecos}
    host = HostConfig(options)
    ctx = _context(sites, kinds)
    cwd = cwd or Path.cwd()
    choices: list[tuple[InstallSite, IndexChoice]] = []
    for i, site in enumerate(sites):
        if site.ecosystem.value not in wanted:
            continue
        container, base = ctx[i]
        folder = (cwd / site.location.path).parent
        choice = choose_index(site, options, host, container=container, project_dir=folder,
                              **_site_parameters(site, base))
        if choice is not None:
            choices.append((site, choice))
    lookups = _Lookups(options, host, transport)
    unique: dict[tuple[object, ...], IndexChoice] = {}
    for _site, choice in choices:
        unique.setdefault((*choice.key, choice.version), choice)
    keys = list(unique)
    if progress is not None:
        progress.start(len(keys))
    # Debian archives are loaded once each before their lookups fan out (apt lookups are dict reads)
    apt = [k for k in keys if unique[k].ecosystem == "apt"]
    rest = [k for k in keys if unique[k].ecosystem != "apt"]
    answers: dict[tuple[object, ...], _Answer] = {}

    def run(k: tuple[object, ...]) -> _Answer:
        try:
            return lookups.answer(unique[k])
        except Exception as exc:  # a bug of ours reading one answer must not hide the others
            return _Answer(reason=f"internal error while reading the index's answer ({type(exc).__name__}: "
                                  f"{exc}); please report it")
        finally:
            if progress is not None:
                progress.advance(unique[k].package)

    for k, a in zip(rest, transport.map(run, rest), strict=True):
        answers[k] = a
    for k in apt:
        answers[k] = run(k)
    if progress is not None:
        progress.finish()

    rules = all_rules()
    checks = []
    for code in ONLINE_RULES:
        if code in enabled:
            import importlib

            module = importlib.import_module(f"pinaudit.rules.{code.lower()}")
            checks.append((rules[code], module.check_online))
    out = OnlineResult()
    out.warnings = list(dict.fromkeys(w for a in answers.values() for w in a.warnings))
    for site, choice in choices:
        answer = answers[choice.key + (choice.version,)]  # noqa: RUF005 - 3.10 has no star in subscripts
        if answer.facts is None:
            from pinaudit.index.http import mask_url

            # the index as configured (so one dead registry is one line), else where the failure happened
            index = _shown(choice) or (mask_url(answer.failure.url) if answer.failure else "")
            reason = answer.failure.reason if answer.failure else answer.reason
            out.unchecked.append(Unchecked(site.location.path, site.location.line, site.ecosystem.value,
                                           site.package, index, reason))
            continue
        facts: Facts = answer.facts
        for rule, check in checks:
            verdict = check(site, facts)
            if verdict is None:
                continue
            out.findings.append(Finding(rule.code, verdict.severity or rule.severity, verdict.category or rule.category,
                                        site.ecosystem, site.package, site.spec, site.location,
                                        f"{verdict.message} [{facts.index_url}]", verdict.fix, facts.index_url))
    return out


def http_settings(*, timeout: float | None = None, offline: bool = False, refresh: bool = False,
                  cache_dir: Path | None = None, cache_max_mb: int | None = None) -> HttpSettings:
    """SPEC §7's defaults; ``--timeout T`` is the read timeout, with 3 T for a URL in all."""
    from dataclasses import replace

    from pinaudit.index.http import HttpSettings, default_cache_dir

    base = HttpSettings(cache_dir=cache_dir or default_cache_dir(), offline=offline, refresh=refresh)
    if cache_max_mb is not None:
        base = replace(base, cache_max_bytes=cache_max_mb * 1024 * 1024)
    if timeout is None:
        return base
    return replace(base, connect_timeout=min(base.connect_timeout, timeout), read_timeout=timeout,
                   url_budget=3 * timeout)


def describe_unchecked(unchecked: Sequence[Unchecked]) -> list[str]:
    """stderr lines for exit 3: each index that could not answer (masked) and the sites it left."""
    groups: dict[tuple[str, str], list[Unchecked]] = {}
    for u in unchecked:
        groups.setdefault((u.index_url, u.reason), []).append(u)
    lines: list[str] = []
    for (index, reason), items in groups.items():
        n = len(items)
        where = f"index {index} could not be checked" if index else "no index could be asked"
        lines.append(f"pinaudit: {where}: {reason}; {n} site{'s' if n != 1 else ''} left unchecked:")
        for u in items:
            lines.append(f"  {u.path}:{u.line}: {u.ecosystem} {u.package or ''}".rstrip())
    return lines


def scan_online(paths: Sequence[Path], config: Config, *, options: OnlineOptions,
                transport: Transport | None = None, cwd: Path | None = None, baseline: Baseline | None = None,
                progress: Progress | None = None, index_progress: Progress | None = None,
                warn: Callable[[str], None] | None = None, **scan_kwargs: Any) -> ScanResult:
    """``scan`` plus the online rules: the static findings, the online ones (filtered by the same
    suppressions, severity overrides and baseline), and the sites no index could answer for.
    ``warn`` receives what the indexes said that is worth a line (a stale live archive)."""
    from pinaudit.app import scan
    from pinaudit.index.http import HttpSettings, Transport, default_cache_dir
    from pinaudit.suppress import apply, apply_severity

    cwd = cwd or Path.cwd()
    result = scan(paths, config, cwd=cwd, baseline=baseline, progress=progress, **scan_kwargs)
    enabled = [c for c in ONLINE_RULES if config.enabled(c)]
    kinds = {r.path: r.kind for r in result.results}
    own = transport is None
    if transport is None:
        settings = options.http or HttpSettings(cache_dir=default_cache_dir())
        transport = Transport(settings)
    try:
        online = check_sites(result.report.sites, kinds, options, transport, enabled=enabled, cwd=cwd,
                             progress=index_progress)
    finally:
        if own:
            transport.close()
    for w in online.warnings:
        if warn is not None:
            warn(w)
    kept, unused = apply(online.findings, result.results, config, cwd=cwd)
    kept = apply_severity(kept, config)
    before = sorted((*result.before_baseline, *kept), key=Finding.sort_key)
    if baseline is not None:
        kept = baseline.filter(kept)
    findings = tuple(sorted((*result.report.findings, *kept), key=Finding.sort_key))
    # a pragma is unused only when it silenced nothing in either pass
    still_unused = tuple(s for s in result.unused_suppressions if s in set(unused))
    report = result.report._replace(findings=findings, unchecked=tuple(online.unchecked))
    return result._replace(report=report, before_baseline=tuple(before), unused_suppressions=still_unused)

