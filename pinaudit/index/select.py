"""Which index answers for an install site, and which query: the site -> index half of the online layer.

Precedence of index locations (the product contract's "Indexes" section, issue 10):

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

``simulate``, ``lock`` and ``fix`` choose indexes through the same functions as ``scan --online``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pinaudit.images import ImageRef, parse_image
from pinaudit.model import Action, Ecosystem, InstallSite, Pin
from pinaudit.site_context import suite_of
from pinaudit.vcs_refs import is_reference

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.config import Config
    from pinaudit.index.http import HttpSettings


# the index locations a user sets in the configuration or on the command line (same names in both)
INDEX_LOCATIONS = ("pypi_index", "npm_registry", "debian_mirror", "debian_security_mirror", "debian_snapshot",
                   "debian_suite", "debian_keyring", "image_registry", "alpine_mirror", "alpine_branch")


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
        values: dict[str, Any] = {k: getattr(config, k) for k in INDEX_LOCATIONS}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @classmethod
    def from_args(cls, config: Config, args: Any, **overrides: Any) -> OnlineOptions:
        """The configuration, under the command line's index options (those a command takes:
        the others read as unset), under ``overrides`` (platform, HTTP settings)."""
        given = {k: getattr(args, k, None) for k in INDEX_LOCATIONS}
        return cls.from_config(config, **given, **overrides)


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
    suite = suite_of(ref.parts) if ref is not None else None
    return None if suite is None or suite.startswith("alpine") else suite


def _http_only(urls: Iterable[str]) -> tuple[str, ...]:
    return tuple(u for u in urls if u.startswith(("http://", "https://")))


def choose_index(site: InstallSite, options: OnlineOptions, host: HostConfig, *, container: bool,
                 project_dir: Path | None = None, pip_index: str | None = None,
                 pip_extra_indexes: Sequence[str] = (), apt_target: str | None = None,
                 base_image: ImageRef | None = None, base_suite: str | None = None,
                 image: ImageRef | None = None) -> IndexChoice | None:
    """The index and query for one site; None when the site has nothing an index could answer
    (not an exact pin, a direct URL, a local path...).

    The keyword parameters come from the site's typed context (``online._site_parameters``): the
    site's own pip index options (``-i``/``--index-url``, ``--extra-index-url``, ``ENV
    PIP_INDEX_URL``, a requirements file's ``--index-url``: ``InstallSite.pip_index``), apt's
    target suite (``apt_target``), its stage's base image and suite (``InstallSite.build``); a
    caller may also pass a parsed image reference."""
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
    if eco in (Ecosystem.PIP, Ecosystem.NPM) and is_reference(site.spec, eco.value):
        return None  # `github:acme/widget#v1.2.0`: a tag of a repository, not a release of an index
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
