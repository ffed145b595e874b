"""Alpine repositories: which version of a package a branch serves today (``APKINDEX.tar.gz``).

Like a Debian suite, an Alpine branch (``v3.20``) keeps one version of each package per
repository (``main``, ``community``): when ``curl`` is rebuilt, ``apk add curl=8.9.1-r0`` stops
working. The index is ``<mirror>/<branch>/<repo>/<arch>/APKINDEX.tar.gz`` — a signature tar and
the index tar as concatenated gzip members — whose ``APKINDEX`` file lists ``P:`` name, ``V:``
version, ``t:`` build time and ``D:`` dependencies per package.

There is no public snapshot service for Alpine, and the index forgets old versions, so a past
date cannot be reconstructed: ``as_of`` says so instead of guessing. Signatures are not checked.
"""

from __future__ import annotations

import gzip
import io
import re
import tarfile
from collections.abc import Sequence
from datetime import datetime, timezone
from types import MappingProxyType

from pinaudit.index.http import Transport, mask_url
from pinaudit.index.interface import (
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

__all__ = ["AlpineRepository", "apk_version_key", "branch_from_image_tag", "parse_apkindex"]

_SUFFIXES = {"alpha": -4, "beta": -3, "pre": -2, "rc": -1, "cvs": 1, "svn": 2, "git": 3, "hg": 4, "p": 5}


def apk_version_key(version: str) -> tuple[object, ...]:
    """apk's version order, enough for real-world versions: numeric dot parts, an optional letter,
    ``_alpha``/``_beta``/``_pre``/``_rc`` (before the release) and ``_p``/``_git``... (after),
    then the ``-rN`` package release."""
    main, _, rel = version.partition("-r")
    m = re.match(r"^([0-9][0-9.]*)([a-z]?)((?:_[a-z]+[0-9]*)*)$", main)
    if not m:
        return ((0,), "", ((0, 0),), int(rel) if rel.isdigit() else 0, version)
    nums = tuple(int(p) for p in m.group(1).strip(".").split(".") if p != "")
    suffixes = tuple((_SUFFIXES.get(re.sub(r"[0-9]+$", "", s), 0), int(re.sub(r"^[a-z]+", "", s) or 0))
                     for s in m.group(3).split("_")[1:])
    return (nums, m.group(2), suffixes or ((0, 0),), int(rel) if rel.isdigit() else 0, "")


def branch_from_image_tag(name: str, tag: str | None) -> str | None:
    """``alpine:3.20.3`` -> ``v3.20``; ``alpine:edge`` -> ``edge``; ``python:3.12-alpine3.20`` ->
    ``v3.20``; None when the tag does not say (``python:3.12-alpine``)."""
    if not tag:
        return None
    repo = name.rsplit("/", 1)[-1]
    if repo == "alpine":
        if tag == "edge":
            return "edge"
        m = re.match(r"^(\d+)\.(\d+)", tag)
        return f"v{m.group(1)}.{m.group(2)}" if m else None
    m = re.search(r"alpine(\d+)\.(\d+)", tag)
    return f"v{m.group(1)}.{m.group(2)}" if m else None


def parse_apkindex(data: bytes) -> dict[str, list[dict[str, str]]]:
    """APKINDEX.tar.gz bytes -> name -> [record]. Raises ValueError for anything else."""
    try:
        raw = gzip.decompress(data)  # every gzip member: the signature and the index
    except (OSError, EOFError) as exc:
        raise ValueError(f"not a gzip file ({exc})") from None
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:", ignore_zeros=True) as tar:
            member = next((m for m in tar.getmembers() if m.name == "APKINDEX"), None)
            if member is None:
                raise ValueError("the archive has no APKINDEX file")
            fh = tar.extractfile(member)
            text = fh.read().decode("utf-8", errors="replace") if fh else ""
    except tarfile.TarError as exc:
        raise ValueError(f"not a tar archive ({exc})") from None
    out: dict[str, list[dict[str, str]]] = {}
    for block in text.split("\n\n"):
        record: dict[str, str] = {}
        for line in block.splitlines():
            if len(line) > 2 and line[1] == ":":
                record[line[0]] = line[2:]
        if record.get("P") and record.get("V"):
            out.setdefault(record["P"], []).append(record)
    return out


class AlpineRepository:
    """The repositories (``main``, ``community``) of one Alpine branch at one mirror."""

    ecosystem = "apk"

    def __init__(self, mirror: str, branch: str, transport: Transport, *,
                 repositories: Sequence[str] = ("main", "community"), arch: str = "x86_64") -> None:
        self.mirror = mirror.rstrip("/")
        self.branch = branch
        self.repositories = tuple(repositories)
        self.arch = arch
        self._transport = transport
        self._index: dict[str, list[tuple[str, dict[str, str]]]] | IndexFailure | None = None
        self._state: datetime | None = None

    @property
    def url(self) -> str:
        return mask_url(f"{self.mirror}/{self.branch}")

    def _load(self) -> dict[str, list[tuple[str, dict[str, str]]]] | IndexFailure:
        if self._index is not None:
            return self._index
        found: dict[str, list[tuple[str, dict[str, str]]]] = {}
        missing: list[str] = []
        any_repo = False
        for repo in self.repositories:
            url = f"{self.mirror}/{self.branch}/{repo}/{self.arch}/APKINDEX.tar.gz"
            try:
                resp = self._transport.get(url)
            except IndexLookupError as exc:
                self._index = exc.failure
                return exc.failure
            if resp.status == 404:
                missing.append(repo)
                continue
            if resp.status != 200:
                self._index = IndexUnavailable(mask_url(url), f"unexpected HTTP {resp.status}")
                return self._index
            try:
                records = parse_apkindex(resp.content)
            except ValueError as exc:
                self._index = IndexUnavailable(mask_url(url), f"unreadable APKINDEX: {exc}")
                return self._index
            any_repo = True
            for name, recs in records.items():
                found.setdefault(name, []).extend((repo, r) for r in recs)
        if not any_repo:
            self._index = IndexUnavailable(self.url, f"the mirror has no branch {self.branch!r} for {self.arch}")
            return self._index
        if "main" in missing:  # community without main: a half-synced mirror, not an answer
            self._index = IndexUnavailable(self.url, f"the mirror has no main repository for {self.branch}")
            return self._index
        self._index = found
        return found

    @property
    def state(self) -> datetime | None:
        """The index state read (after a lookup): the newest build time (``t:``) in the branch's
        indexes, which moves only when the branch publishes. None before a successful load."""
        index = self._index
        if not isinstance(index, dict):
            return None
        if self._state is None:
            times = [int(r["t"]) for entries in index.values() for _repo, r in entries if r.get("t", "").isdigit()]
            self._state = datetime.fromtimestamp(max(times), timezone.utc) if times else None
        return self._state

    def project(self, name: str) -> Project | IndexFailure:
        index = self._load()
        if isinstance(index, IndexFailure):
            return index
        entries = index.get(name)
        if not entries:
            return PackageNotFound(self.url, f"no package {name!r} in {self.branch} ({self.arch})", name=name)
        releases = []
        for repo, rec in sorted(entries, key=lambda e: apk_version_key(e[1]["V"])):
            built = datetime.fromtimestamp(int(rec["t"]), timezone.utc) if rec.get("t", "").isdigit() else None
            filename = f"{name}-{rec['V']}.apk"
            files = (DistFile(filename, mask_url(f"{self.mirror}/{self.branch}/{repo}/{self.arch}/{filename}"),
                              MappingProxyType({"Q1": rec["C"][2:]} if rec.get("C", "").startswith("Q1") else {}),
                              built),)
            deps = tuple(Dependency(re.split(r"[<>=~]", d, maxsplit=1)[0], d) for d in rec.get("D", "").split()
                         if not d.startswith("!"))
            releases.append(Release(rec["V"], built, None, None, files, deps, repo))
        return Project(name, "apk", self.url, tuple(releases), MappingProxyType({"candidate": releases[-1].version}),
                       time_travel=False)

    def dependencies(self, name: str, version: str) -> tuple[Dependency, ...] | IndexFailure:
        return release_dependencies(self, name, version, f"{name} {version} is not served")

    def as_of(self, instant: datetime) -> Index:
        from pinaudit.index.debian import _NoSnapshot

        return _NoSnapshot(self.url, "an Alpine branch index keeps one version of each package and there is no "
                                     "snapshot service for it: its past state cannot be known")


def mirror_from_repositories(lines: Sequence[str]) -> str | None:
    """The mirror root from /etc/apk/repositories lines (``https://m/alpine/v3.20/main``)."""
    for raw in lines:
        line = raw.strip()
        if line.startswith("@"):  # tagged repository: "@edge https://..."
            line = line.split(None, 1)[-1] if " " in line else ""
        if not line or line.startswith("#") or not line.startswith(("http://", "https://")):
            continue
        m = re.match(r"^(.*?)/(v\d+\.\d+|edge|latest-stable)/[^/]+/?$", line)
        if m:
            return m.group(1)
    return None
