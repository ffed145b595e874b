"""Where ``fix`` gets its versions: a fresh resolution through the resolve layer, images through
the OCI client, and existing hashed requirements files in front of both.

The resolution is the simulation's, with one host: ``now`` (a fresh build today), ``--at DATE``
or ``--cooldown`` (now minus the cooldown). So ``fix`` writes exactly what ``simulate`` says a
fresh build would install — the same index choice, the same resolver (uv, or pip-tools), the
same npm range resolution (a lockfile's version where there is one) and the same Debian
candidate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pinaudit.model import Action, Ecosystem, InstallSite
from pinaudit.resolve.interface import Unresolved
from pinaudit.writer.fix import Left, SiteKey, VersionSource, site_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.config import Config
    from pinaudit.index.http import Transport
    from pinaudit.index.select import HostConfig
    from pinaudit.simulation.model import SimulateOptions

__all__ = ["HashedRequirements", "IndexVersions", "normalise"]

HOST = "fix"
_HASHED_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;\\#]+)", re.M)


def normalise(ecosystem: Ecosystem, name: str) -> str:
    if ecosystem is Ecosystem.PIP:
        return re.sub(r"[-_.]+", "-", name).lower()
    if ecosystem is Ecosystem.APT:
        return name.split(":", 1)[0]
    return name


class IndexVersions:
    """The indexes' answer for each site (``SimulateOptions.hosts`` holds the one instant)."""

    def __init__(self, paths: Sequence[Path], config: Config, options: SimulateOptions, *, transport: Transport,
                 cwd: Path, host: HostConfig | None = None) -> None:
        self.paths = list(paths)
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


class HashedRequirements:
    """Versions from hashed requirements files (what ``lock`` writes, pip-compile's format) in a
    site's folder, in front of another source: a Dockerfile's ``pip install requests`` next to a
    hashed ``requirements.txt`` that pins requests gets that version, not a fresh one."""

    def __init__(self, inner: VersionSource, cwd: Path) -> None:
        self.inner = inner
        self.cwd = cwd
        self._pins: dict[Path, dict[str, str]] = {}

    def _folder_pins(self, folder: Path) -> dict[str, str]:
        if folder not in self._pins:
            pins: dict[str, str] = {}
            for f in sorted(folder.glob("requirements*.txt")):
                try:
                    text = f.read_text(encoding="utf-8-sig")
                except (OSError, UnicodeDecodeError):
                    continue
                if "--hash=" not in text:
                    continue
                for m in _HASHED_PIN.finditer(text):
                    pins.setdefault(normalise(Ecosystem.PIP, m.group(1)), m.group(2))
            self._pins[folder] = pins
        return self._pins[folder]

    def versions(self, sites: Sequence[InstallSite]) -> Mapping[SiteKey, str | Left]:
        out: dict[SiteKey, str | Left] = {}
        rest: list[InstallSite] = []
        for s in sites:
            pinned = None
            if s.ecosystem is Ecosystem.PIP and s.installer not in ("requirements", "constraints") and s.package:
                pinned = self._folder_pins((self.cwd / s.location.path).parent).get(
                    normalise(Ecosystem.PIP, s.package))
            if pinned:
                out[site_key(s)] = pinned
            else:
                rest.append(s)
        if rest:
            out.update(self.inner.versions(rest))
        return out
