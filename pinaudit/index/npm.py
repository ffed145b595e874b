"""npm registries: full packuments (the abbreviated "corgi" form has no ``time``).

A packument gives every version's ``dependencies``, ``deprecated`` message and ``dist.integrity``,
the ``dist-tags``, and ``time[version]``, the publish instant that makes time travel possible.
An unpublished version disappears from ``versions`` but usually keeps its ``time`` entry; a wholly
unpublished package keeps only ``time.unpublished``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from types import MappingProxyType
from urllib.parse import quote

from pinaudit.index.http import Transport, mask_url
from pinaudit.index.interface import (
    AsOf,
    Dependency,
    DistFile,
    Index,
    IndexFailure,
    IndexLookupError,
    IndexUnavailable,
    PackageNotFound,
    Project,
    Release,
    release_dependencies,
)

__all__ = ["NpmRegistry", "packument_url", "parse_packument"]

ACCEPT = "application/json"  # not application/vnd.npm.install-v1+json: that one has no times


def packument_url(registry: str, name: str) -> str:
    """``@scope/pkg`` is one path segment with the slash encoded, as npm itself requests it."""
    return registry.rstrip("/") + "/" + quote(name, safe="@")


class NpmRegistry:
    ecosystem = "npm"

    def __init__(self, url: str, transport: Transport, *, token: str | None = None) -> None:
        self._root = url.rstrip("/") + "/"
        self._transport = transport
        self._token = token
        self._projects: dict[str, Project | IndexFailure] = {}

    @property
    def url(self) -> str:
        return mask_url(self._root)

    def project(self, name: str) -> Project | IndexFailure:
        if name not in self._projects:
            self._projects[name] = self._fetch(name)
        return self._projects[name]

    def _fetch(self, name: str) -> Project | IndexFailure:
        url = packument_url(self._root, name)
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else None
        try:
            resp = self._transport.get(url, accept=ACCEPT, headers=headers)
        except IndexLookupError as exc:
            return exc.failure
        shown = mask_url(url)
        if resp.status == 404:
            return PackageNotFound(self.url, f"no package {name!r} on this registry", name=name)
        if resp.status in (401, 403):
            return IndexUnavailable(shown, f"HTTP {resp.status}: the registry refused access (token missing or "
                                           "not accepted)")
        if resp.status != 200:
            return IndexUnavailable(shown, f"unexpected HTTP {resp.status}")
        if resp.content_type == "text/html" or resp.content.lstrip()[:1] == b"<":
            return IndexUnavailable(shown, "the registry answered with an HTML page where JSON was expected "
                                           "(an error or login page?)")
        try:
            doc = json.loads(resp.content)
        except (ValueError, UnicodeDecodeError) as exc:
            return IndexUnavailable(shown, f"invalid JSON from the registry ({type(exc).__name__})")
        try:
            return parse_packument(name, self.url, doc)
        except ValueError as exc:
            return IndexUnavailable(shown, str(exc))

    def dependencies(self, name: str, version: str) -> tuple[Dependency, ...] | IndexFailure:
        return release_dependencies(self, name, version, f"{name} has no version {version}")

    def as_of(self, instant: datetime) -> Index:
        return AsOf(self, instant)


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _deps(meta: Mapping[str, object]) -> tuple[Dependency, ...]:
    out: list[Dependency] = []
    for field, kind in (("dependencies", "runtime"), ("optionalDependencies", "optional"),
                        ("peerDependencies", "peer")):
        table = meta.get(field)
        if isinstance(table, dict):
            for dep, spec in table.items():
                if kind == "runtime" and isinstance(meta.get("optionalDependencies"), dict) and \
                        dep in meta["optionalDependencies"]:  # type: ignore[operator]
                    continue  # npm lists optional ones in both tables
                out.append(Dependency(str(dep), str(spec), kind))
    return tuple(out)


def parse_packument(name: str, index: str, doc: object) -> Project:
    if not isinstance(doc, dict):
        raise ValueError("the registry's JSON is not a packument (not an object)")
    versions = doc.get("versions")
    times = doc.get("time") if isinstance(doc.get("time"), dict) else {}
    assert isinstance(times, dict)
    if versions is None and "unpublished" in times:
        versions = {}
    if not isinstance(versions, dict):
        raise ValueError("the registry's JSON is not a packument (no 'versions' object)")
    releases: list[Release] = []
    for version, meta in versions.items():
        if not isinstance(meta, dict):
            continue
        dist = meta.get("dist") if isinstance(meta.get("dist"), dict) else {}
        assert isinstance(dist, dict)
        hashes: dict[str, str] = {}
        if isinstance(dist.get("integrity"), str):
            hashes["integrity"] = dist["integrity"]
        if isinstance(dist.get("shasum"), str):
            hashes["sha1"] = dist["shasum"]
        uploaded = _time(times.get(version))
        files: tuple[DistFile, ...] = ()
        if isinstance(dist.get("tarball"), str):
            tarball = dist["tarball"]
            files = (DistFile(tarball.rsplit("/", 1)[-1], mask_url(tarball), MappingProxyType(hashes), uploaded),)
        dep = meta.get("deprecated")
        releases.append(Release(str(version), uploaded, None, dep if isinstance(dep, str) and dep else None,
                                files, _deps(meta)))
    tags = doc.get("dist-tags") if isinstance(doc.get("dist-tags"), dict) else {}
    assert isinstance(tags, dict)
    return Project(name, "npm", index, tuple(releases),
                   MappingProxyType({str(k): str(v) for k, v in tags.items()}),
                   time_travel=all(r.uploaded is not None for r in releases) and bool(releases))
