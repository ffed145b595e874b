"""Image registries through the OCI distribution API (v2): which digest a tag points to today.

``name:tag`` resolves to the digest ``docker pull`` would record: the multi-arch index (manifest
list) digest by default, one platform's manifest with ``platform="linux/arm64"``. Authentication
follows the registry's ``WWW-Authenticate`` challenge: an anonymous (or credentialed) bearer token
from its realm, or HTTP basic; credentials come from ``~/.docker/config.json``. Images without a
registry host (Docker Hub's) go to the registry configured for them (``image-registry`` or the
daemon's ``registry-mirrors``): no registry host is written in pinaudit.

A registry keeps no history of a tag, so there is no time travel here (``as_of`` says so).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from urllib.parse import urlencode

from pinaudit.images import ImageRef, parse_image, registry_host
from pinaudit.index.http import HttpResponse, Transport, mask_url
from pinaudit.index.interface import (
    Dependency,
    Index,
    IndexFailure,
    IndexLookupError,
    IndexUnavailable,
    PackageNotFound,
    Project,
    Release,
)
from pinaudit.index.sources import DockerConfig

__all__ = ["ImageRegistry", "ResolvedImage"]

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json")
MANIFEST_TYPES = ("application/vnd.oci.image.manifest.v1+json",
                  "application/vnd.docker.distribution.manifest.v2+json")
ACCEPT = ", ".join((*INDEX_TYPES, *MANIFEST_TYPES))


@dataclass(frozen=True)
class ResolvedImage:
    name: str  # repository as written
    tag: str
    digest: str  # what the tag points to now (index digest, or the platform's manifest)
    media_type: str
    registry: str  # the registry URL asked, credentials masked
    children: tuple[str, ...] = ()  # an index's per-platform manifest digests (a pin to one of them is the tag too)
    platform_digest: str | None = None  # from pin(): the manifest one platform pulls (== digest when single-arch)


def _loopback(host: str) -> bool:
    h = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    return h in ("localhost", "127.0.0.1", "[::1]") or h.startswith("127.")


class ImageRegistry:
    """Resolves image references against their registries (one object for every registry)."""

    ecosystem = "image"

    def __init__(self, transport: Transport, *, docker: DockerConfig | None = None,
                 hub_registry: str | None = None, platform: str | None = None) -> None:
        self._transport = transport
        self._docker = docker or DockerConfig()
        self._hub = (hub_registry or (self._docker.mirrors[0] if self._docker.mirrors else None))
        self.platform = platform
        self._tokens: dict[tuple[str, str], str] = {}  # (host, scope) -> bearer token (memory only)

    @property
    def url(self) -> str:
        return mask_url(self._hub or "(per-image registry)")

    # ---- where a reference goes ---------------------------------------------------------------

    def endpoint(self, ref: ImageRef) -> tuple[str, str, str] | IndexFailure:
        """(registry base URL, host key for credentials, repository path) for a reference."""
        host = registry_host(ref.name)
        if host is None:
            if not self._hub:
                return IndexUnavailable("(Docker Hub)", "no registry configured for images without a registry "
                                                        "host: set image-registry (config) or registry-mirrors "
                                                        "in the Docker daemon's daemon.json")
            repo = ref.name.split("/", 1)[1] if ref.name.startswith(("docker.io/", "index.docker.io/")) else ref.name
            if "/" not in repo:
                repo = f"library/{repo}"
            base = self._hub.rstrip("/")
            return base, base.split("//", 1)[-1].split("/", 1)[0].rpartition("@")[2], repo
        scheme = "http" if _loopback(host) else "https"
        return f"{scheme}://{host}", host, ref.name[len(host) + 1:]

    # ---- requests with the auth dance --------------------------------------------------------

    def _get(self, base: str, host: str, repo: str, path: str, accept: str | None = None) -> HttpResponse:
        url = f"{base}/v2/{repo}/{path}"
        scope = f"repository:{repo}:pull"
        headers: dict[str, str] = {}
        token = self._tokens.get((host, scope))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        creds = self._docker.auths.get(host)
        resp = self._transport.get(url, accept=accept, headers=headers)
        if resp.status != 401:
            return resp
        challenge = resp.header("www-authenticate") or ""
        if challenge.lower().startswith("bearer"):
            params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
            realm = params.get("realm")
            if not realm:
                return resp
            query = {"service": params.get("service", ""), "scope": params.get("scope", scope)}
            tok = self._transport.get(realm + "?" + urlencode({k: v for k, v in query.items() if v}),
                                      auth=creds, refresh=True)
            if tok.status != 200:
                raise IndexLookupError(IndexUnavailable(mask_url(url), f"the registry's token service refused access "
                                                                  f"(HTTP {tok.status})"))
            try:
                doc = json.loads(tok.content)
                token = doc.get("token") or doc.get("access_token")
            except (ValueError, AttributeError):
                token = None
            if not isinstance(token, str) or not token:
                raise IndexLookupError(IndexUnavailable(mask_url(url), "the registry's token service sent no token"))
            self._tokens[(host, scope)] = token
            return self._transport.get(url, accept=accept, headers={"Authorization": f"Bearer {token}"})
        if challenge.lower().startswith("basic") and creds:
            return self._transport.get(url, accept=accept, auth=creds)
        return resp

    # ---- the questions -----------------------------------------------------------------------

    def resolve(self, reference: str | ImageRef, *, platform: str | None = None) -> ResolvedImage | IndexFailure:
        """What the tag points to: the index (or single manifest) digest, or with ``platform`` that
        platform's manifest in the index."""
        platform = platform or self.platform
        got = self._fetch(reference, by_digest=False)
        if isinstance(got, IndexFailure):
            return got
        found, doc = got
        if platform and found.media_type in INDEX_TYPES:
            chosen = _pick_platform(doc, platform)
            if chosen is None:
                return PackageNotFound(found.registry, f"{found.name}:{found.tag} has no image for {platform}",
                                       name=found.name)
            return ResolvedImage(found.name, found.tag, chosen[0], chosen[1], found.registry)
        return found

    def pin(self, reference: str | ImageRef, platform: str) -> ResolvedImage | IndexFailure:
        """Both digests a lock records, from one manifest request (so that they cannot disagree):
        ``digest`` is what a ``FROM …@sha256:`` pin carries (the multi-arch index's, or a
        single-platform image's manifest), ``platform_digest`` the manifest ``platform`` pulls.
        A reference already pinned by digest is looked up by that digest."""
        got = self._fetch(reference, by_digest=True)
        if isinstance(got, IndexFailure):
            return got
        found, doc = got
        if found.media_type not in INDEX_TYPES:
            return replace(found, platform_digest=found.digest)
        chosen = _pick_platform(doc, platform)
        if chosen is None:
            return PackageNotFound(found.registry, f"{found.name}:{found.tag} has no image for {platform}",
                                   name=found.name)
        return replace(found, platform_digest=chosen[0])

    def _fetch(self, reference: str | ImageRef, *, by_digest: bool) -> tuple[ResolvedImage, object] | IndexFailure:
        """The manifest (or index) the tag points to now (or, ``by_digest``, the one a pinned
        reference names), and its parsed JSON for an index."""
        ref = parse_image(reference) if isinstance(reference, str) else reference
        where = self.endpoint(ref)
        if isinstance(where, IndexFailure):
            return where
        base, host, repo = where
        tag = ref.tag or "latest"
        asked = (ref.digest if by_digest else None) or tag
        shown = mask_url(f"{base}/v2/{repo}/manifests/{asked}")
        try:
            resp = self._get(base, host, repo, f"manifests/{asked}", ACCEPT)
        except IndexLookupError as exc:
            return exc.failure
        if resp.status == 404:
            what = f"no manifest {asked}" if asked != tag else f"no tag {tag!r}"
            return PackageNotFound(mask_url(base), f"{what} for {ref.name}", name=ref.name)
        if resp.status == 401:
            return IndexUnavailable(shown, "the registry requires credentials (none in ~/.docker/config.json)")
        if resp.status != 200:
            return IndexUnavailable(shown, f"unexpected HTTP {resp.status}")
        media = resp.content_type
        digest = resp.header("docker-content-digest") or "sha256:" + hashlib.sha256(resp.content).hexdigest()
        children: tuple[str, ...] = ()
        doc: object = None
        if media in INDEX_TYPES:
            try:
                doc = json.loads(resp.content)
            except ValueError:
                return IndexUnavailable(shown, "the registry sent an image index that is not JSON")
            if isinstance(doc, dict):
                children = tuple(str(m.get("digest")) for m in doc.get("manifests") or () if isinstance(m, dict))
        return ResolvedImage(ref.name, tag, digest, media, mask_url(base), children), doc

    def project(self, name: str) -> Project | IndexFailure:
        """The repository's tags (``/tags/list``), one release per tag."""
        ref = parse_image(name)
        where = self.endpoint(ref)
        if isinstance(where, IndexFailure):
            return where
        base, host, repo = where
        try:
            resp = self._get(base, host, repo, "tags/list", "application/json")
        except IndexLookupError as exc:
            return exc.failure
        if resp.status == 404:
            return PackageNotFound(mask_url(base), f"no repository {ref.name}", name=ref.name)
        if resp.status != 200:
            return IndexUnavailable(mask_url(f"{base}/v2/{repo}/tags/list"), f"unexpected HTTP {resp.status}")
        try:
            tags = json.loads(resp.content).get("tags") or []
        except (ValueError, AttributeError):
            return IndexUnavailable(mask_url(f"{base}/v2/{repo}/tags/list"), "invalid JSON from the registry")
        return Project(ref.name, "image", mask_url(base), tuple(Release(str(t)) for t in tags),
                       MappingProxyType({}), time_travel=False)

    def dependencies(self, name: str, version: str) -> tuple[Dependency, ...] | IndexFailure:
        return ()

    def as_of(self, instant: datetime) -> Index:
        from pinaudit.index.debian import _NoSnapshot

        return _NoSnapshot(self.url, "a registry keeps no history of a tag")


def _pick_platform(doc: object, platform: str) -> tuple[str, str] | None:
    want = platform.split("/")
    if not isinstance(doc, dict):
        return None
    for m in doc.get("manifests") or ():
        if not isinstance(m, dict):
            continue
        p = m.get("platform") or {}
        have = [p.get("os", ""), p.get("architecture", "")] + ([p["variant"]] if p.get("variant") else [])
        if have[: len(want)] == want or (len(want) == 2 and have[:2] == want):
            return str(m.get("digest")), str(m.get("mediaType", ""))
    return None

