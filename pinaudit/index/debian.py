"""Debian archives: which version of a package a suite serves today, or served on a past date.

A suite keeps one version of each package and drops the old one when a point release or a
security update lands, which is why exact apt pins break builds within days. The client reads what
apt reads: ``dists/<suite>/InRelease`` (``Release`` when there is none), then
``main/binary-<arch>/Packages.xz`` (or ``.gz``) by the SHA256 the Release file lists — through
``by-hash/`` when the archive offers it, so a file never changes under its URL and the cache can
keep it — for the suite, ``<suite>-updates`` and ``<suite>-security``. The candidate is what apt
would install: the highest version among the suites of the highest pin priority (backports, marked
NotAutomatic/ButAutomaticUpgrades, are 100 and lose to the suite's 500; ``-t`` makes one 990).

For a past date the same files come from a snapshot service (``--debian-snapshot``, layout
``archive/<archive>/<YYYYMMDDTHHMMSSZ>/``). Snapshots carry an expired ``Valid-Until`` by design,
so it is ignored there and only warned about for a live archive. Signatures are verified (with
``gpgv``) only when a keyring is configured.
"""

from __future__ import annotations

import gzip
import hashlib
import lzma
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from types import MappingProxyType

from pinaudit.index.http import Transport, mask_url
from pinaudit.index.interface import (
    Dependency,
    DistFile,
    Index,
    IndexFailure,
    IndexLookupError,
    IndexUnavailable,
    NoTimeTravel,
    PackageNotFound,
    Project,
    Release,
    release_dependencies,
)

__all__ = ["DebianArchive", "apt_candidate", "compare_versions", "snapshot_stamp"]


def compare_versions(a: str, b: str) -> int:
    """dpkg's ordering, through debian-inspector."""
    from debian_inspector.version import Version

    va, vb = Version.from_string(a), Version.from_string(b)
    return int(va > vb) - int(va < vb)


def _version_key(v: str) -> object:
    from debian_inspector.version import Version

    return Version.from_string(v)


def snapshot_stamp(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class _Suite:
    name: str
    packages: Mapping[str, tuple[tuple[str, Mapping[str, str]], ...]]  # name -> ((version, fields), ...)
    priority: int
    date: datetime | None
    warnings: tuple[str, ...]
    base_url: str  # the dists/<suite>/ URL, masked
    state: datetime | None = None  # the instant of the archive state read (see DebianArchive.state_of)


def apt_candidate(releases: Sequence[Release]) -> Release | None:
    """apt's choice: the highest pin priority wins, then the highest version."""
    if not releases:
        return None
    top = max(r.priority for r in releases)
    best = [r for r in releases if r.priority == top]
    return max(best, key=lambda r: _version_key(r.version))  # type: ignore[arg-type,return-value]


class DebianArchive:
    """The suite set ``suite``, ``suite-updates``, ``suite-security`` of one mirror (and its
    security mirror), for one architecture; or the same at a snapshot instant."""

    ecosystem = "apt"

    def __init__(self, mirror: str, suite: str, transport: Transport, *, security_mirror: str | None = None,
                 components: Sequence[str] = ("main",), arch: str = "amd64", keyring: str | None = None,
                 snapshot: str | None = None, at: datetime | None = None, target: str | None = None,
                 extra_suites: Sequence[str] = ()) -> None:
        self.mirror = mirror.rstrip("/")
        self.security_mirror = (security_mirror or mirror).rstrip("/")
        self.suite = suite
        self.components = tuple(components) or ("main",)
        self.arch = arch
        self.keyring = keyring
        self.snapshot = snapshot.rstrip("/") if snapshot else None
        self.at = at
        self.target = target  # apt -t: that suite's priority is 990
        self._transport = transport
        self.suites = (suite, f"{suite}-updates", f"{suite}-security", *extra_suites)
        if target and target not in self.suites:
            self.suites = (*self.suites, target)
        self._loaded: dict[str, _Suite | IndexFailure | None] = {}

    # ---- where files come from ----------------------------------------------------------------

    def _archive_name(self, uri: str) -> str:
        return uri.rstrip("/").rsplit("/", 1)[-1] or "debian"

    def _root(self, suite: str) -> str:
        base = self.security_mirror if suite.endswith("-security") else self.mirror
        if self.at is not None and self.snapshot:
            return f"{self.snapshot}/archive/{self._archive_name(base)}/{snapshot_stamp(self.at)}"
        return base

    @property
    def url(self) -> str:
        if self.at is not None and self.snapshot:
            return mask_url(f"{self.snapshot}/archive/{self._archive_name(self.mirror)}/{snapshot_stamp(self.at)}")
        return mask_url(self.mirror)

    # ---- loading ------------------------------------------------------------------------------

    def _load_all(self) -> IndexFailure | None:
        missing = [s for s in self.suites if s not in self._loaded]
        if missing:
            results = self._transport.map(self._load_suite, missing)
            for s, r in zip(missing, results, strict=True):
                self._loaded[s] = r
        main = self._loaded[self.suite]
        if main is None:
            return IndexUnavailable(mask_url(f"{self._root(self.suite)}/dists/{self.suite}/"),
                                    f"the archive has no suite {self.suite!r}")
        for s in self.suites:
            got = self._loaded[s]
            if isinstance(got, IndexFailure):
                return got
        return None

    def _get(self, url: str) -> bytes | None:
        return self._fetch(url)[0]

    def _fetch(self, url: str) -> tuple[bytes | None, str]:
        """The body (None: not there) and the URL it finally came from (after redirects)."""
        resp = self._transport.get(url)
        if resp.status == 404 or resp.status == 410:
            return None, resp.url
        if resp.status != 200:
            raise IndexLookupError(IndexUnavailable(mask_url(url), f"unexpected HTTP {resp.status}"))
        return resp.content, resp.url

    def _load_suite(self, suite: str) -> _Suite | IndexFailure | None:
        """None when the archive has no such suite (an -updates that does not exist is normal)."""
        dists = f"{self._root(suite)}/dists/{suite}"
        try:
            text, final = self._release_text(dists)
            if text is None:
                return None
            fields = _parse_release(text)
            warnings: list[str] = []
            valid_until = _date(fields.get("valid-until"))
            if valid_until and valid_until < datetime.now(timezone.utc) and self.at is None:
                warnings.append(f"{suite}: the Release file expired on {valid_until:%Y-%m-%d} (Valid-Until); "
                                "the mirror may be stale")
            archs = fields.get("architectures", "").split()
            if archs and self.arch not in archs:
                return IndexUnavailable(mask_url(dists + "/"), f"the suite has no {self.arch} packages (it has "
                                                               f"{', '.join(archs)}); check --platform")
            checksums = _sha256_list(fields.get("sha256", ""))
            by_hash = fields.get("acquire-by-hash", "").lower() == "yes"
            packages: dict[str, list[tuple[str, Mapping[str, str]]]] = {}
            # the security archive says "updates/main" and lists its files as "main/..."
            offered = {c.rsplit("/", 1)[-1] for c in fields.get("components", "").split()}
            for comp in self.components:
                if offered and comp not in offered:
                    continue  # a component this suite does not have (contrib on a small suite)
                data = self._packages(dists, comp, checksums, by_hash)
                if data is None:
                    # listed but not there: an answer we cannot trust ("not served" would be a guess)
                    raise IndexLookupError(IndexUnavailable(mask_url(f"{dists}/{comp}/binary-{self.arch}/"),
                                                            "the Release file lists a Packages index that "
                                                            "cannot be fetched"))
                for para in _stanzas(data):
                    name, version = para.get("package"), para.get("version")
                    if name and version:
                        packages.setdefault(name, []).append((version, MappingProxyType(para)))
        except IndexLookupError as exc:
            return exc.failure
        priority = 500
        if fields.get("notautomatic", "").lower() == "yes":
            priority = 100 if fields.get("butautomaticupgrades", "").lower() == "yes" else 1
        if self.target and suite in (self.target, fields.get("codename"), fields.get("suite")):
            priority = 990
        date = _date(fields.get("date"))
        return _Suite(suite, MappingProxyType({k: tuple(v) for k, v in packages.items()}), priority,
                      date, tuple(warnings), mask_url(dists + "/"), self._state(final, date))

    def _state(self, final_url: str, date: datetime | None) -> datetime | None:
        """The instant of the archive state read: a snapshot service redirects a request for any
        instant to its own timestamp for the state in force then, where a rebuild finds the same
        files (a request for that exact timestamp is answered without a redirect: it is the
        instant asked for); a live mirror stands for its Release file's Date."""
        if self.at is not None and self.snapshot:
            found = re.search(r"/(\d{8}T\d{6}Z)/", final_url)
            if found:
                return datetime.strptime(found.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            return self.at
        return date

    def state_of(self, suite: str) -> datetime | None:
        """When the archive state ``suite`` was read from stands for (after a lookup loaded it):
        the snapshot's own timestamp, or the Release file's Date."""
        got = self._loaded.get(suite)
        return got.state if isinstance(got, _Suite) else None

    def _release_text(self, dists: str) -> tuple[str | None, str]:
        raw, final = self._fetch(f"{dists}/InRelease")
        if raw is not None:
            text = raw.decode("utf-8", errors="replace")
            if self.keyring:
                self._verify(raw, None, f"{dists}/InRelease")
            return _strip_clearsign(text), final
        raw, final = self._fetch(f"{dists}/Release")
        if raw is None:
            return None, final
        if self.keyring:
            sig = self._get(f"{dists}/Release.gpg")
            if sig is None:
                raise IndexLookupError(IndexUnavailable(mask_url(dists), "a keyring is configured but the archive has "
                                                                    "neither InRelease nor Release.gpg"))
            self._verify(raw, sig, f"{dists}/Release")
        return raw.decode("utf-8", errors="replace"), final

    def _verify(self, data: bytes, signature: bytes | None, url: str) -> None:
        import tempfile

        assert self.keyring is not None
        with tempfile.TemporaryDirectory(prefix="pinaudit-gpgv-") as tmp:
            from pathlib import Path

            data_path = Path(tmp) / "data"
            data_path.write_bytes(data)
            args = ["gpgv", "--keyring", self.keyring]
            if signature is not None:
                sig_path = Path(tmp) / "data.sig"
                sig_path.write_bytes(signature)
                args += [str(sig_path), str(data_path)]
            else:
                args += [str(data_path)]
            try:
                proc = subprocess.run(args, capture_output=True, timeout=60)
            except (OSError, subprocess.SubprocessError) as exc:
                failure = IndexUnavailable(mask_url(url), f"cannot run gpgv to check the signature: {exc}")
                raise IndexLookupError(failure) from None
        if proc.returncode != 0:
            raise IndexLookupError(IndexUnavailable(mask_url(url), "the signature does not verify against the "
                                                                   "configured keyring"))

    def _packages(self, dists: str, comp: str, checksums: Mapping[str, tuple[str, int]], by_hash: bool) -> bytes | None:
        for ext, decompress in ((".xz", lzma.decompress), (".gz", gzip.decompress), ("", lambda b: b)):
            rel = f"{comp}/binary-{self.arch}/Packages{ext}"
            if rel not in checksums and checksums:
                continue
            want = checksums.get(rel)
            urls = [f"{dists}/{rel}"]
            if want and by_hash:  # by-hash first: a file that never changes under its URL
                urls.insert(0, f"{dists}/{comp}/binary-{self.arch}/by-hash/SHA256/{want[0]}")
            raw: bytes | None = None
            url = urls[0]
            for url in urls:
                raw = self._get(url)
                if raw is not None:
                    break
            if raw is None:
                continue
            if want and hashlib.sha256(raw).hexdigest() != want[0]:
                raise IndexLookupError(IndexUnavailable(mask_url(url), "Packages file does not match the SHA256 its "
                                                                  "Release file lists (a mirror mid-sync?)"))
            try:
                return decompress(raw)
            except (lzma.LZMAError, OSError, EOFError) as exc:
                raise IndexLookupError(IndexUnavailable(mask_url(url), f"cannot decompress Packages{ext}: {exc}")) \
                    from None
        return None

    # ---- the interface ------------------------------------------------------------------------

    def project(self, name: str) -> Project | IndexFailure:
        failure = self._load_all()
        if failure is not None:
            return failure
        releases: list[Release] = []
        warnings: list[str] = []
        for s in self.suites:
            suite = self._loaded[s]
            if not isinstance(suite, _Suite):
                continue
            warnings += suite.warnings
            for version, fields in suite.packages.get(name, ()):
                deb = fields.get("filename", "")
                sha = fields.get("sha256")
                files = (DistFile(deb.rsplit("/", 1)[-1], mask_url(f"{self._root(s)}/{deb}"),
                                  MappingProxyType({"sha256": sha} if sha else {})),) if deb else ()
                releases.append(Release(version, None, None, None, files, _depends(fields), s, suite.priority))
        if not releases:
            return PackageNotFound(self.url, f"no package {name!r} in {', '.join(self._present())} ({self.arch})",
                                   name=name)
        cand = apt_candidate(releases)
        tags = {"candidate": cand.version} if cand else {}
        return Project(name, "apt", self.url, tuple(releases), MappingProxyType(tags), time_travel=False,
                       warnings=tuple(dict.fromkeys(warnings)))

    def _present(self) -> list[str]:
        return [s for s in self.suites if isinstance(self._loaded.get(s), _Suite)]

    def dependencies(self, name: str, version: str) -> tuple[Dependency, ...] | IndexFailure:
        return release_dependencies(self, name, version, f"{name} {version} is not served")

    def as_of(self, instant: datetime) -> Index:
        if not self.snapshot:
            return _NoSnapshot(self.url, "no snapshot service configured (--debian-snapshot): the archive's state "
                                         f"on {instant:%Y-%m-%d} cannot be known")
        return DebianArchive(self.mirror, self.suite, self._transport, security_mirror=self.security_mirror,
                             components=self.components, arch=self.arch, keyring=self.keyring,
                             snapshot=self.snapshot, at=instant, target=self.target,
                             extra_suites=self.suites[3:])

    def last_served(self, name: str, version: str, *, since: datetime, until: datetime | None = None,
                    max_probes: int = 12) -> datetime | IndexFailure | None:
        """The last snapshot day (00:00 UTC) on which the suite set still served ``version``, found
        by bisection over days between ``since`` and ``until`` (today): before that day the
        candidate was at most ``version``, after it higher. None when no probe served it."""
        if not self.snapshot:
            return NoTimeTravel(self.url, "no snapshot service configured")
        lo = since.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        hi = (until or datetime.now(timezone.utc)).replace(hour=0, minute=0, second=0, microsecond=0)
        found: datetime | None = None
        probes = 0
        while lo <= hi and probes < max_probes:
            mid = lo + timedelta(days=(hi - lo).days // 2)
            probes += 1
            proj = self.as_of(mid).project(name)
            if isinstance(proj, PackageNotFound):
                lo = mid + timedelta(days=1)  # not there yet
                continue
            if isinstance(proj, IndexFailure):
                if "has no suite" in proj.reason:  # no snapshot that early
                    lo = mid + timedelta(days=1)
                    continue
                return proj
            if version in proj.versions:
                found = mid
                lo = mid + timedelta(days=1)
            elif compare_versions(proj.tags.get("candidate", "0"), version) < 0:
                lo = mid + timedelta(days=1)  # the suite had not reached it yet
            else:
                hi = mid - timedelta(days=1)
        return found


class _NoSnapshot:
    """The as-of view of an archive without a snapshot service: every answer is NoTimeTravel."""

    def __init__(self, url: str, reason: str) -> None:
        self._url, self._reason = url, reason

    @property
    def url(self) -> str:
        return self._url

    def project(self, name: str) -> Project | IndexFailure:
        return NoTimeTravel(self._url, self._reason)

    def dependencies(self, name: str, version: str) -> tuple[Dependency, ...] | IndexFailure:
        return NoTimeTravel(self._url, self._reason)

    def as_of(self, instant: datetime) -> Index:
        return self


# ---- formats ------------------------------------------------------------------------------------


def _strip_clearsign(text: str) -> str:
    if not text.startswith("-----BEGIN PGP SIGNED MESSAGE-----"):
        return text
    body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    body = body.split("\n-----BEGIN PGP SIGNATURE-----", 1)[0]
    return "\n".join(line[2:] if line.startswith("- ") else line for line in body.splitlines()) + "\n"


def _parse_release(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    key = ""
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0] in " \t" and key:
            out[key] += "\n" + line.strip()
            continue
        k, sep, v = line.partition(":")
        if sep:
            key = k.strip().lower()
            out[key] = v.strip()
    return out


def _sha256_list(block: str) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for line in block.splitlines():
        parts = line.split()
        if len(parts) == 3 and re.fullmatch(r"[0-9a-f]{64}", parts[0]):
            try:
                out[parts[2]] = (parts[0], int(parts[1]))
            except ValueError:
                continue
    return out


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        t = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _stanzas(data: bytes) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for block in data.decode("utf-8", errors="replace").split("\n\n"):
        para: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if not line:
                continue
            if line[0] in " \t" and key:
                continue  # continuation lines (Description): not needed
            k, sep, v = line.partition(":")
            if sep:
                key = k.strip().lower()
                if key in ("package", "version", "filename", "sha256", "depends", "pre-depends", "source",
                           "architecture"):
                    para[key] = v.strip()
        if para:
            out.append(para)
    return out


def _depends(fields: Mapping[str, str]) -> tuple[Dependency, ...]:
    out: list[Dependency] = []
    for key, kind in (("pre-depends", "pre-depends"), ("depends", "runtime")):
        for clause in (fields.get(key) or "").split(","):
            clause = clause.strip()
            if clause:
                name = re.split(r"[\s(:|]", clause, maxsplit=1)[0]
                out.append(Dependency(name, clause, kind))
    return tuple(out)
