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

Index precedence lives in :mod:`pinaudit.index.select`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pinaudit.images import image_ref
from pinaudit.index.select import HostConfig, IndexChoice, OnlineOptions, choose_index, suite_from_image
from pinaudit.model import Finding, InstallSite, Unchecked

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.app import ScanResult
    from pinaudit.baseline import Baseline
    from pinaudit.config import Config
    from pinaudit.index.http import HttpSettings, Transport
    from pinaudit.index.interface import IndexFailure, Project
    from pinaudit.rules._online import Facts
    from pinaudit.work import Progress

__all__ = ["HostConfig", "IndexChoice", "OnlineOptions", "OnlineResult", "check_sites", "choose_index",
           "describe_unchecked", "http_settings", "scan_online", "suite_from_image"]

ONLINE_RULES = ("PIN601", "PIN602", "PIN603")
_RULE_ECOSYSTEMS = {"PIN601": ("apt", "apk", "pip", "npm", "image"), "PIN602": ("pip", "npm"), "PIN603": ("image",)}

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


def _in_container(site: InstallSite, kinds: Mapping[str, str]) -> bool:
    """Does the site build inside a container (a Dockerfile's, or a file a Dockerfile installs)?"""
    if site.build is not None:
        return True
    where = site.via.path if site.via is not None else site.location.path
    return kinds.get(where) in ("dockerfile", "compose")


def _site_parameters(site: InstallSite) -> dict[str, Any]:
    """choose_index's keyword parameters, from what the site carries: its own pip index options
    (``-i``, ``--extra-index-url``, ``ENV PIP_INDEX_URL``, a requirements file's ``--index-url``),
    apt's target suite, and its stage's real base image (``FROM stage`` chains followed)."""
    params: dict[str, Any] = {}
    index = site.pip_index
    if index is not None:
        params["pip_index"] = index.index_url
        params["pip_extra_indexes"] = index.extra_index_urls
    if site.apt_target is not None:
        params["apt_target"] = site.apt_target
    build = site.build
    if build is not None and build.base_image is not None:
        params["base_image"] = image_ref(build.base_image)
        if build.suite is not None and not build.suite.startswith("alpine"):
            params["base_suite"] = build.suite
    return params


def check_sites(sites: Sequence[InstallSite], kinds: Mapping[str, str], options: OnlineOptions,
                transport: Transport, *, enabled: Iterable[str] = ONLINE_RULES, cwd: Path | None = None,
                progress: Progress | None = None) -> OnlineResult:
    """Ask the indexes about every exact pin among ``sites`` and run the online rules."""
    from pinaudit.rules import all_rules

    enabled = frozenset(enabled)
    # which ecosystems any enabled rule asks about: nothing else is fetched
    wanted = {eco for code, ecos in _RULE_ECOSYSTEMS.items() if code in enabled for eco in ecos}
    host = HostConfig(options)
    cwd = cwd or Path.cwd()
    choices: list[tuple[InstallSite, IndexChoice]] = []
    for site in sites:
        if site.ecosystem.value not in wanted:
            continue
        folder = (cwd / site.location.path).parent
        choice = choose_index(site, options, host, container=_in_container(site, kinds), project_dir=folder,
                              **_site_parameters(site))
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
                                        f"{verdict.message} [{facts.index_url}]", facts.index_url,
                                        edits=verdict.edits, site=site))
    return out


def http_settings(*, timeout: float | None = None, offline: bool = False, refresh: bool = False,
                  cache_dir: Path | None = None, cache_max_mb: int | None = None) -> HttpSettings:
    """SPEC §7's defaults; ``--timeout T`` is the read timeout, with 3 T for a URL in all."""
    from dataclasses import replace

    from pinaudit.index.settings import HttpSettings, default_cache_dir

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

