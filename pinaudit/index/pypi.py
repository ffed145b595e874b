"""PyPI-compatible indexes through the Simple API.

JSON first (PEP 691, with PEP 700's per-file ``upload-time`` that makes time travel possible), HTML
(PEP 503) as the fallback that mirrors and older servers (devpi, Artifactory, a plain directory
behind nginx) still serve; yanked flags (PEP 592), hashes, ``requires-python``, and PEP 658
metadata files for the dependencies of a release without downloading it.

An HTML page gives no upload times: such an index cannot travel in time and its projects say so
(``time_travel=False``), so :class:`~pinaudit.index.interface.AsOf` answers NoTimeTravel instead
of guessing.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from email.parser import BytesHeaderParser
from html.parser import HTMLParser
from types import MappingProxyType
from typing import Any
from urllib.parse import urldefrag, urljoin

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from pinaudit.index.http import HttpResponse, Transport, mask_url
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
)

__all__ = ["SimpleIndex", "parse_html", "parse_json"]

ACCEPT = ("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
          "text/html;q=0.01")
JSON_TYPES = ("application/vnd.pypi.simple.v1+json", "application/json")
HTML_TYPES = ("application/vnd.pypi.simple.v1+html", "text/html")


class SimpleIndex:
    """One PyPI-compatible index (its Simple API root URL, e.g. ``…/simple/``)."""

    ecosystem = "pip"

    def __init__(self, url: str, transport: Transport, *, cert: str | None = None) -> None:
        self._root = url.rstrip("/") + "/"
        self._transport = transport
        self._cert = cert  # pip's `cert` (pip.conf / PIP_CERT): the CA bundle pip trusts for its index
        self._projects: dict[str, Project | IndexFailure] = {}

    @property
    def url(self) -> str:
        return mask_url(self._root)

    def project(self, name: str) -> Project | IndexFailure:
        key = canonicalize_name(name)
        if key not in self._projects:
            self._projects[key] = self._fetch(key)
        return self._projects[key]

    def _fetch(self, key: str) -> Project | IndexFailure:
        page = self._root + key + "/"
        try:
            resp = self._transport.get(page, accept=ACCEPT, verify=self._cert)
        except IndexLookupError as exc:
            return exc.failure
        if resp.status == 404:
            return PackageNotFound(self.url, f"no project {key!r} on this index", name=key)
        if resp.status != 200:
            return IndexUnavailable(mask_url(page), f"unexpected HTTP {resp.status}")
        ctype = resp.content_type
        try:
            if ctype in JSON_TYPES:
                return parse_json(key, self.url, resp)
            if ctype in HTML_TYPES or not ctype:
                if ctype == "text/html" and _looks_like_error_page(resp.content):
                    return IndexUnavailable(mask_url(page), "the index answered with an HTML page that is not a "
                                                            "project page (an error or login page?)")
                return parse_html(key, self.url, resp)
        except ValueError as exc:
            return IndexUnavailable(mask_url(page), str(exc))
        return IndexUnavailable(mask_url(page), f"unexpected content type {ctype!r}")

    def dependencies(self, name: str, version: str) -> tuple[Dependency, ...] | IndexFailure:
        """Requires-Dist of ``version`` from its PEP 658 metadata file (a wheel's, preferably)."""
        proj = self.project(name)
        if isinstance(proj, IndexFailure):
            return proj
        rel = proj.release(version)
        if rel is None:
            return PackageNotFound(self.url, f"{name} has no release {version}", name=name)
        candidates = sorted((f for f in rel.files if f.metadata_hashes is not None),
                            key=lambda f: not f.filename.endswith(".whl"))
        if not candidates:
            return IndexUnavailable(self.url, f"{name} {version}: the index offers no PEP 658 metadata file")
        f = candidates[0]
        try:
            resp = self._transport.get(f.url + ".metadata", verify=self._cert)
        except IndexLookupError as exc:
            return exc.failure
        if resp.status != 200:
            return IndexUnavailable(mask_url(f.url + ".metadata"), f"metadata file: HTTP {resp.status}")
        want = (f.metadata_hashes or {}).get("sha256")
        if want:
            import hashlib

            if hashlib.sha256(resp.content).hexdigest() != want:
                return IndexUnavailable(mask_url(f.url + ".metadata"), "metadata file does not match its sha256")
        return parse_requires_dist(resp.content)

    def as_of(self, instant: datetime) -> Index:
        return AsOf(self, instant)


def parse_requires_dist(metadata: bytes) -> tuple[Dependency, ...]:
    msg = BytesHeaderParser().parsebytes(metadata)
    out: list[Dependency] = []
    for req in msg.get_all("Requires-Dist") or []:
        text = str(req).strip()
        m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
        if not m:
            continue
        extra = re.search(r"""extra\s*==\s*['"]([^'"]+)['"]""", text)
        out.append(Dependency(canonicalize_name(m.group(1)), text, extra.group(1) if extra else "runtime"))
    return tuple(out)


def _looks_like_error_page(body: bytes) -> bool:
    head = body[:4096].lower()
    return b"<a " not in head and b"<a\n" not in head and (b"<title>" in head or b"<h1>" in head) and (
        b"error" in head or b"not found" in head or b"sign in" in head or b"login" in head
        or b"unavailable" in head or b"forbidden" in head
    )


def _version_of(filename: str, project: str) -> str | None:
    """The normalised version a file's name carries (None: not a distribution we can read).

    Wheels and sdists follow packaging's own parsers exactly, but the parts that repeat across a
    project's thousands of files (a version, a wheel's tag set) are parsed once and remembered:
    a large project page (tens of thousands of files) parsed with ``parse_wheel_filename`` per
    file took most of a simulation's release-date lookups."""
    if filename.endswith(".whl"):
        return _wheel_version(filename)
    if filename.endswith((".tar.gz", ".zip")):
        stem = filename[:-7] if filename.endswith(".tar.gz") else filename[:-4]
        name_part, sep, version_part = stem.rpartition("-")
        if not sep or not name_part:
            return None
        return _normal_version(version_part)
    # legacy formats (.egg, .tar.bz2, .exe...): name-version.ext, best effort
    base = re.sub(r"\.(tar\.bz2|tar\.xz|tgz|egg|exe|msi|rpm)$", "", filename)
    prefix = re.sub(r"[-_.]+", "-", base).lower()
    if prefix.startswith(project + "-"):
        return base[len(project) + 1:].split("-")[0] or None
    return None


_WHEEL_NAME = re.compile(r"^[\w._]+\Z")
_BUILD_TAG = re.compile(r"(\d+)(.*)\Z")


def _wheel_version(filename: str) -> str | None:
    """``parse_wheel_filename``'s checks, in its order, with the version and tags memoised."""
    stem = filename[:-4]
    dashes = stem.count("-")
    if dashes not in (4, 5):
        return None
    parts = stem.split("-", dashes - 2)
    if "__" in parts[0] or _WHEEL_NAME.match(parts[0]) is None:
        return None
    version = _normal_version(parts[1])
    if version is None or (dashes == 5 and _BUILD_TAG.match(parts[2]) is None) or not _valid_tags(parts[-1]):
        return None
    return version


@functools.lru_cache(maxsize=4096)
def _normal_version(text: str) -> str | None:
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(text))
    except InvalidVersion:
        return None


@functools.lru_cache(maxsize=1024)
def _valid_tags(text: str) -> bool:
    try:
        parse_wheel_filename(f"x-0-{text}.whl")
    except InvalidWheelFilename:
        return False
    return True


def _absolute(base: str, url: str) -> str:
    """``urljoin`` without its cost for the common case: indexes give files absolute URLs."""
    if url.startswith(("https://", "http://")) and "@" not in url.partition("//")[2].partition("/")[0]:
        return url
    return mask_url(urljoin(base, url))


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _yanked(value: object) -> str | None:
    if value is True:
        return ""
    if isinstance(value, str):
        return value
    return None


def _group(key: str, index: str, files: list[tuple[str, DistFile]], listed: list[str] | None,
           time_travel: bool) -> Project:
    by_version: dict[str, list[DistFile]] = {}
    for version, f in files:
        by_version.setdefault(version, []).append(f)
    for v in listed or ():
        by_version.setdefault(v, [])
    releases: list[Release] = []
    for version, fs in by_version.items():
        times = [f.uploaded for f in fs if f.uploaded is not None]
        # pip: a release is yanked only when every one of its files is
        yanked = fs[0].yanked if fs and all(f.yanked is not None for f in fs) else None
        releases.append(Release(version, min(times) if times else None, yanked, None, tuple(fs)))
    releases.sort(key=lambda r: _sort_key(r.version))
    return Project(key, "pip", index, tuple(releases), time_travel=time_travel)


def _sort_key(version: str) -> tuple[int, Any]:
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def parse_json(key: str, index: str, resp: HttpResponse) -> Project:
    """A PEP 691 project page."""
    try:
        doc = json.loads(resp.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"invalid JSON from the index ({exc.__class__.__name__}: {str(exc)[:80]})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), list):
        raise ValueError("the index's JSON is not a PEP 691 project page (no 'files' list)")
    files: list[tuple[str, DistFile]] = []
    all_timed = True
    for item in doc["files"]:
        if not isinstance(item, dict) or not isinstance(item.get("filename"), str) or not isinstance(
                item.get("url"), str):
            continue
        version = _version_of(item["filename"], key)
        if version is None:
            continue
        hashes = item.get("hashes") if isinstance(item.get("hashes"), dict) else {}
        meta = item.get("core-metadata", item.get("dist-info-metadata"))
        meta_hashes: Mapping[str, str] | None = None
        if meta is True:
            meta_hashes = MappingProxyType({})
        elif isinstance(meta, dict):
            meta_hashes = MappingProxyType({str(k): str(v) for k, v in meta.items()})
        uploaded = _time(item.get("upload-time"))
        all_timed = all_timed and uploaded is not None
        size = item.get("size")
        files.append((version, DistFile(
            item["filename"], _absolute(resp.url, item["url"]),
            MappingProxyType({str(k): str(v) for k, v in (hashes or {}).items()}), uploaded,
            _yanked(item.get("yanked")), item.get("requires-python") if isinstance(item.get("requires-python"), str)
            else None, meta_hashes, size if isinstance(size, int) else None,
        )))
    listed = doc.get("versions")
    versions = [str(v) for v in listed] if isinstance(listed, list) else None
    return _group(key, index, files, versions, time_travel=all_timed and bool(files))


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict[str, str | None]] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append(dict(attrs))
        elif tag == "base" and self.base is None:
            self.base = dict(attrs).get("href")


def parse_html(key: str, index: str, resp: HttpResponse) -> Project:
    """A PEP 503 project page: anchors with hash fragments and data- attributes; no upload times."""
    try:
        text = resp.content.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the index's HTML page is not UTF-8") from None
    parser = _Anchors()
    parser.feed(text)
    base = urljoin(resp.url, parser.base) if parser.base else resp.url
    files: list[tuple[str, DistFile]] = []
    for a in parser.anchors:
        href = a.get("href")
        if not href:
            continue
        url, frag = urldefrag(urljoin(base, href))
        filename = url.rsplit("/", 1)[-1]
        version = _version_of(filename, key)
        if version is None:
            continue
        hashes: dict[str, str] = {}
        if "=" in frag:
            algo, _, digest = frag.partition("=")
            hashes[algo] = digest
        meta = a.get("data-core-metadata", a.get("data-dist-info-metadata"))
        meta_hashes: Mapping[str, str] | None = None
        if meta is not None:
            if meta == "true" or meta == "":
                meta_hashes = MappingProxyType({})
            elif "=" in meta:
                algo, _, digest = meta.partition("=")
                meta_hashes = MappingProxyType({algo: digest})
        yanked = a.get("data-yanked")
        files.append((version, DistFile(filename, mask_url(url), MappingProxyType(hashes), None,
                                        None if yanked is None and "data-yanked" not in a else (yanked or ""),
                                        a.get("data-requires-python"), meta_hashes)))
    return _group(key, index, files, None, time_travel=False)
