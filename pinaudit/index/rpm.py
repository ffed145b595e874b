"""RPM repositories (rpm-md, what yum, dnf, microdnf, tdnf and zypper read): which version of a
package a repository serves today.

A repository is a base URL with ``repodata/repomd.xml``, which names the ``primary`` metadata
file (``repodata/<hash>-primary.xml.gz``, or ``.xz``/``.bz2``); ``primary`` lists every package
as name, arch and ``<version epoch ver rel>``. The candidate dnf would install is the highest
epoch-version-release (rpm's own order, :func:`rpm_vercmp`) among the repositories given, for the
architecture or ``noarch``. Like an Alpine branch, a distribution's repository is not a history:
``as_of`` says the past cannot be known rather than guess it. Signatures are not checked.

Where the repositories are comes from the user (``--rpm-repo URL``, repeatable, or ``rpm-repos``
in the configuration): the ``.repo`` files of a base image are not visible to a static audit.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
from collections.abc import Sequence
from datetime import datetime
from types import MappingProxyType
from xml.etree import ElementTree

from pinaudit.index.http import Transport, mask_url
from pinaudit.index.interface import IndexFailure, IndexLookupError, IndexUnavailable, PackageNotFound, Project, Release

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.index.interface import Index

__all__ = ["RpmRepositories", "evr_key", "parse_primary", "parse_repomd", "rpm_vercmp"]

_REPO_NS = "{http://linux.duke.edu/metadata/repo}"
_COMMON_NS = "{http://linux.duke.edu/metadata/common}"
_SEGMENT = re.compile(r"[0-9]+|[A-Za-z]+|~|\^")


def rpm_vercmp(a: str, b: str) -> int:
    """rpm's ``rpmvercmp``: -1, 0 or 1. Digit runs compare as numbers and beat letter runs,
    ``~`` sorts before anything (even the end: ``1.0~rc1`` < ``1.0``), ``^`` after the end but
    before any further segment (``1.0^git1`` > ``1.0``, < ``1.0.1``); other characters separate."""
    if a == b:
        return 0
    xs, ys = _SEGMENT.findall(a), _SEGMENT.findall(b)
    for i in range(max(len(xs), len(ys))):
        x = xs[i] if i < len(xs) else None
        y = ys[i] if i < len(ys) else None
        if x == "~" or y == "~":
            if x != y:
                return -1 if x == "~" else 1
            continue
        if x == "^" or y == "^":
            if x is None:
                return -1
            if y is None:
                return 1
            if x != y:
                return -1 if x == "^" else 1  # ``^`` is before any other segment, after the end
            continue
        if x is None or y is None:
            return -1 if x is None else 1
        if x.isdigit() != y.isdigit():
            return 1 if x.isdigit() else -1
        if x.isdigit():
            x, y = x.lstrip("0"), y.lstrip("0")
            if len(x) != len(y):
                return 1 if len(x) > len(y) else -1
        if x != y:
            return 1 if x > y else -1
    return 0


class _Evr:
    """An epoch-version-release ordered as rpm orders it."""

    __slots__ = ("epoch", "release", "version")

    def __init__(self, epoch: str, version: str, release: str) -> None:
        self.epoch = int(epoch) if epoch.isdigit() else 0
        self.version = version
        self.release = release

    def __lt__(self, other: _Evr) -> bool:
        if self.epoch != other.epoch:
            return self.epoch < other.epoch
        c = rpm_vercmp(self.version, other.version)
        return c < 0 if c else rpm_vercmp(self.release, other.release) < 0


def evr_key(evr: str) -> _Evr:
    """``[epoch:]version[-release]`` as a sort key."""
    epoch, _, rest = evr.rpartition(":") if ":" in evr else ("0", "", evr)
    version, _, release = rest.rpartition("-") if "-" in rest else (rest, "", "")
    return _Evr(epoch, version, release)


def _decompress(name: str, data: bytes) -> bytes:
    try:
        if name.endswith(".gz"):
            return gzip.decompress(data)
        if name.endswith(".xz"):
            return lzma.decompress(data)
        if name.endswith(".bz2"):
            return bz2.decompress(data)
    except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise ValueError(f"{name}: not readable ({exc})") from None
    if name.endswith(".zst"):
        raise ValueError(f"{name}: zstd-compressed metadata is not read (no zstd decoder among the dependencies)")
    return data


def parse_repomd(data: bytes) -> str:
    """The ``primary`` file's location from ``repomd.xml``; ValueError when there is none."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ValueError(f"repomd.xml is not XML ({exc})") from None
    for d in root.iter(f"{_REPO_NS}data"):
        if d.get("type") == "primary":
            loc = d.find(f"{_REPO_NS}location")
            href = loc.get("href") if loc is not None else None
            if href:
                return href
    raise ValueError("repomd.xml names no primary metadata")


def parse_primary(data: bytes, arches: Sequence[str]) -> dict[str, list[str]]:
    """name -> the ``[epoch:]version-release`` strings ``primary.xml`` lists for ``arches``."""
    out: dict[str, list[str]] = {}
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ValueError(f"primary.xml is not XML ({exc})") from None
    for pkg in root.iter(f"{_COMMON_NS}package"):
        name = pkg.findtext(f"{_COMMON_NS}name")
        arch = pkg.findtext(f"{_COMMON_NS}arch")
        ver = pkg.find(f"{_COMMON_NS}version")
        if not name or arch not in arches or ver is None or not ver.get("ver"):
            continue
        epoch = ver.get("epoch") or "0"
        evr = f"{ver.get('ver')}-{ver.get('rel')}" if ver.get("rel") else str(ver.get("ver"))
        out.setdefault(name, []).append(evr if epoch == "0" else f"{epoch}:{evr}")
    return out


class RpmRepositories:
    """One or more rpm-md repositories read together (BaseOS and AppStream, say)."""

    ecosystem = "yum"

    def __init__(self, urls: Sequence[str], transport: Transport, *, arch: str = "x86_64") -> None:
        self.urls = tuple(u.rstrip("/") for u in urls)
        self.arches = (arch, "noarch")
        self._transport = transport
        self._index: dict[str, list[str]] | IndexFailure | None = None

    @property
    def url(self) -> str:
        return ", ".join(mask_url(u) for u in self.urls)

    def _get(self, url: str) -> bytes | IndexFailure:
        try:
            resp = self._transport.get(url)
        except IndexLookupError as exc:
            return exc.failure
        if resp.status != 200:
            return IndexUnavailable(mask_url(url), f"unexpected HTTP {resp.status}")
        return resp.content

    def _load(self) -> dict[str, list[str]] | IndexFailure:
        if self._index is not None:
            return self._index
        found: dict[str, list[str]] = {}
        for base in self.urls:
            repomd = self._get(f"{base}/repodata/repomd.xml")
            if isinstance(repomd, IndexFailure):
                self._index = repomd
                return repomd
            try:
                href = parse_repomd(repomd)
                primary = self._get(f"{base}/{href.lstrip('/')}")
                if isinstance(primary, IndexFailure):
                    self._index = primary
                    return primary
                for name, evrs in parse_primary(_decompress(href, primary), self.arches).items():
                    found.setdefault(name, []).extend(evrs)
            except ValueError as exc:
                self._index = IndexUnavailable(mask_url(base), str(exc))
                return self._index
        self._index = found
        return found

    def project(self, name: str) -> Project | IndexFailure:
        """Every build of ``name`` the repositories serve, oldest first; the newest is the candidate."""
        index = self._load()
        evrs = index if isinstance(index, IndexFailure) else sorted(set(index.get(name, ())), key=evr_key)
        if isinstance(evrs, IndexFailure):
            return evrs
        if not evrs:
            return PackageNotFound(self.url, f"no package {name!r} for {self.arches[0]}", name=name)
        return Project(name, "yum", self.url, tuple(Release(v) for v in evrs),
                       MappingProxyType({"candidate": evrs[-1]}), time_travel=False)

    def as_of(self, instant: datetime) -> Index:
        from pinaudit.index.debian import _NoSnapshot

        return _NoSnapshot(self.url, "an RPM repository keeps no history of what it served: its past state cannot "
                                     "be known")
