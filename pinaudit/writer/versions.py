"""Where ``fix`` gets its versions: a fresh resolution through the resolve layer, images through
the OCI client (the locks already there go in front of it: :mod:`pinaudit.writer.locked`).

The resolution is the simulation's, with one host: ``now`` (a fresh build today), ``--at DATE``
or ``--cooldown`` (now minus the cooldown). So ``fix`` writes exactly what ``simulate`` says a
fresh build would install — the same index choice, the same resolver (uv, or pip-tools), the
same npm range resolution (a lockfile's version where there is one) and the same Debian
candidate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pinaudit.model import Action, Ecosystem, InstallSite, Pin
from pinaudit.resolve.interface import Unresolved
from pinaudit.writer.fix import Left, SiteKey, VersionSource, site_key
from pinaudit.writer.locked import normalise

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.config import Config
    from pinaudit.index.http import Transport
    from pinaudit.index.select import HostConfig
    from pinaudit.simulation.model import SimulateOptions

__all__ = ["IndexHashes", "IndexVersions", "UbuntuSnapshot"]

HOST = "fix"


class IndexVersions:
    """The indexes' answer for each site (``SimulateOptions.hosts`` holds the one instant)."""

    def __init__(self, paths: Sequence[Path], config: Config, options: SimulateOptions, *, transport: Transport,
                 cwd: Path, host: HostConfig | None = None, rpm_repos: Sequence[str] = ()) -> None:
        self.paths = list(paths)
        self.rpm_repos = tuple(rpm_repos)
        self._rpm_index: Any = None
        self.config = config
        self.options = options
        self.transport = transport
        self.cwd = cwd
        self.host = host

    def versions(self, sites: Sequence[InstallSite]) -> Mapping[SiteKey, str | Left]:
        out: dict[SiteKey, str | Left] = {}
        images = [s for s in sites if s.ecosystem is Ecosystem.IMAGE]
        others = [s for s in sites if s.ecosystem is not Ecosystem.IMAGE]
        if others:
            out.update(self._resolved(others))
        if images:
            out.update(self._digests(images))
        return out

    def _resolved(self, sites: Sequence[InstallSite]) -> dict[SiteKey, str | Left]:
        """Each command's (or file's) resolution, as ``simulate`` makes it for a fresh host; an
        apt command is asked for the candidates of the packages being fixed only (an exact pin
        the archive has moved past is PIN601's business, and must not keep its neighbours from
        being fixed)."""
        from concurrent.futures import ThreadPoolExecutor
        from dataclasses import replace

        from pinaudit.app import scan
        from pinaudit.index.select import HostConfig
        from pinaudit.simulation.installs import group_installs
        from pinaudit.simulation.run import Resolvers, install_request

        wanted = {site_key(s) for s in sites}
        result = scan(self.paths, self.config, cwd=self.cwd, context=self.options.context)
        # a Dockerfile's bare `npm install` would take its package.json's sites into its own
        # install; fix resolves the manifest's dependencies as the manifest's sites
        every = [s for s in result.report.sites if s.action is not Action.LOCKLESS_INSTALL]
        installs = group_installs(every, {r.path: r.kind for r in result.results}, self.cwd)
        host = self.options.hosts[0]
        at = None if host.now else host.at
        config = self.host or HostConfig(self.options.online)
        out: dict[SiteKey, str | Left] = {}
        plans: list[tuple[list[InstallSite], Any]] = []
        for inst in installs:
            mine = [s for s in inst.sites if site_key(s) in wanted]
            if not mine:
                continue
            if inst.ecosystem == "yum":
                out.update(self._rpm(mine))
                continue
            if inst.unsupported:
                out.update({site_key(s): Left(inst.unsupported) for s in mine})
                continue
            if inst.ecosystem in ("apt", "apk"):  # an Alpine branch too: "now" only (resolve/apk.py)
                names = dict.fromkeys(normalise(Ecosystem(inst.ecosystem), s.package or "") for s in mine)
                inst = replace(inst, apt_packages=tuple((n, None) for n in names))
            req, _note = install_request(inst, at, self.options, config, self.cwd)
            plans.append((mine, req))
        resolvers = Resolvers(self.options, self.transport)
        unique = list(dict.fromkeys(r for _m, r in plans if not isinstance(r, Unresolved)))
        with ThreadPoolExecutor(max_workers=max(1, self.options.jobs)) as pool:
            answers = dict(zip(unique, pool.map(resolvers.resolve, unique), strict=True))
        for mine, req in plans:
            outcome = req if isinstance(req, Unresolved) else answers[req]
            for s in mine:
                if isinstance(outcome, Unresolved):
                    out[site_key(s)] = Left(outcome.reason, outcome.unreachable)
                    continue
                got = outcome.package(normalise(s.ecosystem, s.package or ""))
                out[site_key(s)] = got.version if got else Left("the resolution does not include it")
        return out

    def _rpm(self, sites: Sequence[InstallSite]) -> dict[SiteKey, str | Left]:
        """The highest epoch-version-release the configured rpm-md repositories serve (what dnf
        installs today); like an Alpine branch, a repository keeps no history."""
        from pinaudit.index.interface import IndexFailure
        from pinaudit.index.rpm import RpmRepositories

        if not self.rpm_repos:
            why = Left("no yum/dnf repository is configured for fix: pass --rpm-repo URL (repeatable: BaseOS, "
                       "AppStream...) or set rpm-repos in the configuration, or pin it by hand (name-version)")
            return {site_key(s): why for s in sites}
        if not self.options.hosts[0].now:
            why = Left("an RPM repository keeps no history: only 'now' can be fixed for yum/dnf")
            return {site_key(s): why for s in sites}
        if self._rpm_index is None:
            from pinaudit.online import _apk_arch  # apk's architecture names are rpm's

            arch = _apk_arch(self.options.online.platform)
            self._rpm_index = RpmRepositories(self.rpm_repos, self.transport, arch=arch)
        out: dict[SiteKey, str | Left] = {}
        for s in sites:
            project = self._rpm_index.project(s.package or "")
            if isinstance(project, IndexFailure):
                out[site_key(s)] = Left(project.message(), project.unreachable)
            else:
                out[site_key(s)] = project.tags["candidate"]
        return out

    def _digests(self, sites: Sequence[InstallSite]) -> dict[SiteKey, str | Left]:
        from pinaudit.images import parse_image
        from pinaudit.index.interface import IndexFailure
        from pinaudit.index.oci import ImageRegistry
        from pinaudit.index.select import HostConfig

        host = self.host or HostConfig(self.options.online)
        online = self.options.online
        registry = ImageRegistry(self.transport, docker=host.docker, hub_registry=online.image_registry,
                                 platform=online.platform)
        out: dict[SiteKey, str | Left] = {}
        cache: dict[str, str | Left] = {}
        for s in sites:
            ref = s.spec or s.package or ""
            if ref not in cache:
                got = registry.resolve(parse_image(ref))
                if isinstance(got, IndexFailure):
                    cache[ref] = Left(got.message(), got.unreachable)
                else:
                    cache[ref] = got.digest
            out[site_key(s)] = cache[ref]
        return out


class UbuntuSnapshot:
    """``--apt-strategy snapshot`` with Ubuntu stages: their apt sites are asked of ``ubuntu`` (the
    dated Ubuntu archive as a mirror), every other site of ``inner``."""

    def __init__(self, inner: VersionSource, ubuntu: VersionSource) -> None:
        self.inner = inner
        self.ubuntu = ubuntu

    def versions(self, sites: Sequence[InstallSite]) -> Mapping[SiteKey, str | Left]:
        from pinaudit.site_context import UBUNTU_CODENAMES

        mine = [s for s in sites if s.ecosystem is Ecosystem.APT and s.build is not None
                and s.build.suite in UBUNTU_CODENAMES]
        rest = [s for s in sites if s not in mine]
        out: dict[SiteKey, str | Left] = {}
        if mine:
            out.update(self.ubuntu.versions(mine))
        if rest:
            out.update(self.inner.versions(rest))
        return out


class _Found:
    __slots__ = ("client", "release")

    def __init__(self, client: Any, release: Any) -> None:
        self.client = client
        self.release = release


class IndexHashes:
    """``--generate-hashes``' answers from the Python index each entry installs from (the file's
    ``--index-url``, else ``--pypi-index``/pip's configuration), through the Simple API client."""

    def __init__(self, online: Any, transport: Transport) -> None:
        from pinaudit.index.select import HostConfig

        self.online = online
        self.transport = transport
        self.host = HostConfig(online)
        self._clients: dict[str, Any] = {}

    def _release(self, site: InstallSite, version: str) -> _Found | Left:
        from pinaudit.index.interface import IndexFailure
        from pinaudit.index.pypi import SimpleIndex
        from pinaudit.index.select import choose_index
        from pinaudit.online import _site_parameters

        exact = site._replace(pin=Pin.EXACT, version=version)
        params = {k: v for k, v in _site_parameters(exact).items() if k.startswith("pip_")}
        choice = choose_index(exact, self.online, self.host, container=False, **params)
        if choice is None or choice.url is None:
            return Left(choice.reason if choice and choice.reason else f"{site.package}: no index to ask")
        if choice.url not in self._clients:
            self._clients[choice.url] = SimpleIndex(choice.url, self.transport, cert=choice.cert)
        client = self._clients[choice.url]
        project = client.project(site.package or "")
        if isinstance(project, IndexFailure):
            return Left(project.message(), project.unreachable)
        release = project.release(version)
        if release is None:
            return Left(f"{site.package} {version}: the index does not serve it")
        return _Found(client, release)

    def hashes(self, site: InstallSite, version: str) -> tuple[str, ...] | Left:
        got = self._release(site, version)
        if isinstance(got, Left):
            return got
        return tuple(sorted({f"sha256:{f.hashes['sha256']}" for f in got.release.files if "sha256" in f.hashes}))

    def requires(self, site: InstallSite, version: str) -> tuple[str, ...] | Left:
        from pinaudit.index.interface import IndexFailure

        got = self._release(site, version)
        if isinstance(got, Left):
            return got
        deps = got.client.dependencies(site.package or "", version)
        if isinstance(deps, IndexFailure):  # no metadata file is an answer: the dependencies cannot be told
            return Left(deps.message(), deps.unreachable and "PEP 658" not in deps.reason)
        return tuple(d.spec or d.name for d in deps)
