"""Versions ``fix`` takes from the locks already there, in front of a fresh resolution.

A Dockerfile with a ``pinaudit.lock`` beside it (what ``lock`` writes) is fixed to the versions the
lock recorded — apt, pip, npm and image digests — without asking any index: the lock is the
team's reviewed answer, and a fresh resolution would only make ``verify`` fail the next day. A
command line next to a hashed requirements file (pip-compile's format) gets that file's pin.

Each format has one reader, the lock command's own: :func:`pinaudit.lock.locktoml.parse_lockfile`
for ``pinaudit.lock`` and :func:`pinaudit.lock.reqfile.parse_lock` for requirements files. A lock
that cannot be read is passed over (the sites go to the next source); ``verify`` is where a
broken lock is reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from pinaudit.model import Ecosystem, InstallSite
from pinaudit.writer.fix import Left, SiteKey, VersionSource, site_key
from pinaudit.writer.origins import is_dockerfile

__all__ = ["LockedVersions", "normalise"]

# ecosystems a pinaudit.lock records per install (images are recorded apart)
_LOCKED = {Ecosystem.APT: "apt", Ecosystem.PIP: "pip", Ecosystem.NPM: "npm"}
_T = TypeVar("_T")
# an image entry as fix reads it: (pin digest, platform, that platform's manifest digest)
_Image = tuple[str | None, str | None, str | None]


def normalise(ecosystem: Ecosystem, name: str) -> str:
    """A package name as the indexes and the locks spell it (PEP 503 for pip, no apt ``:arch``)."""
    if ecosystem is Ecosystem.PIP:
        from packaging.utils import canonicalize_name

        return str(canonicalize_name(name))
    if ecosystem is Ecosystem.APT:
        return name.split(":", 1)[0]
    return name


class _DockerLock:
    """One ``pinaudit.lock`` as lookups: (ecosystem, name) -> [(install line, version)], and an
    image reference -> [(line, (digest, platform, platform digest))]."""

    def __init__(self, path: Path) -> None:
        from pinaudit.lock.locktoml import from_document, parse_lockfile

        self.packages: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self.images: dict[str, list[tuple[int, _Image]]] = {}
        try:
            installs, images, _at = from_document(parse_lockfile(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
            return
        for inst in installs:
            for p in inst.packages:
                self.packages.setdefault((inst.ecosystem, p.name), []).append((inst.line, p.version))
        for img in images:
            self.images.setdefault(img.reference, []).append((img.line, (img.digest, img.platform,
                                                                          img.platform_digest)))

    @staticmethod
    def _pick(found: Sequence[tuple[int, _T]], line: int) -> _T | None:
        """The entry of the install the site belongs to (the last one starting at or before its
        line); when the Dockerfile moved since it was locked, the one version all entries agree on."""
        before = [(n, v) for n, v in found if n <= line]
        if before:
            return max(before, key=lambda e: e[0])[1]
        versions = {v for _n, v in found}
        return versions.pop() if len(versions) == 1 else None

    def version(self, site: InstallSite, line: int, platform: str | None) -> str | None:
        if site.ecosystem is Ecosystem.IMAGE:
            # what fix writes: the pin digest (the multi-arch index's), or with --platform that
            # platform's manifest, which the lock holds only for the platform it was made for
            img = self._pick(self.images.get(site.spec or site.package or "", []), line)
            if img is None:
                return None
            digest, locked_for, platform_digest = img
            if platform is None:
                return digest
            return platform_digest if platform == locked_for else None
        eco = _LOCKED.get(site.ecosystem)
        if eco is None or not site.package:
            return None
        return self._pick(self.packages.get((eco, normalise(site.ecosystem, site.package)), []), line)


class LockedVersions:
    """The locks' versions for the sites they cover; the other sites are asked of ``inner``.

    (The edge does not put it in front when the user chose an instant with ``--at``/``--cooldown``:
    then a fresh resolution at that instant is the answer asked for.) ``apt_from_locks``: apt
    too — not under ``--apt-strategy snapshot``, whose pins follow the snapshot's instant.
    ``platform`` (``--platform``): without it a lock's pin digest (the multi-arch index's) is
    written; with it, the lock's platform manifest when the lock was made for that platform
    (else the registry is asked)."""

    def __init__(self, inner: VersionSource, cwd: Path, *, apt_from_locks: bool = True,
                 platform: str | None = None) -> None:
        self.inner = inner
        self.cwd = cwd
        self.apt_from_locks = apt_from_locks
        self.platform = platform
        self._docker: dict[Path, _DockerLock | None] = {}
        self._pins: dict[Path, dict[str, str]] = {}

    def _docker_lock(self, dockerfile: Path) -> _DockerLock | None:
        if dockerfile not in self._docker:
            from pinaudit.lock.cli import lockfile_for

            lock = lockfile_for(dockerfile)
            self._docker[dockerfile] = _DockerLock(lock) if lock.is_file() and not lock.is_symlink() else None
        return self._docker[dockerfile]

    def _folder_pins(self, folder: Path) -> dict[str, str]:
        """The pins of the hashed ``requirements*.txt`` files in ``folder`` (the first file, in
        name order, that pins a package wins)."""
        if folder not in self._pins:
            from pinaudit.lock.reqfile import parse_lock

            pins: dict[str, str] = {}
            for f in sorted(folder.glob("requirements*.txt")):
                try:
                    locked = parse_lock(f.read_text(encoding="utf-8-sig"))
                except (OSError, UnicodeDecodeError):
                    continue
                if locked.hashed:
                    for p in locked.pins:
                        pins.setdefault(p.name, p.version)
            self._pins[folder] = pins
        return self._pins[folder]

    def _folder_locks(self, folder: Path) -> list[_DockerLock]:
        found = [self._docker_lock(f.with_name(f.name.removesuffix("pinaudit.lock").rstrip(".") or "Dockerfile"))
                 for f in sorted(folder.glob("*pinaudit.lock"))]
        return [lock for lock in found if lock is not None]

    def _locked(self, s: InstallSite) -> str | None:
        anchor = s.via or s.location
        if s.ecosystem is Ecosystem.APT and not self.apt_from_locks:
            return None
        if is_dockerfile(anchor.path):
            lock = self._docker_lock(self.cwd / anchor.path)
            got = lock.version(s, anchor.span.line, self.platform) if lock is not None else None
            if got is not None:
                return got
        elif s.installer == "package.json" or s.installer in ("requirements", "constraints"):
            # a manifest a Dockerfile beside it installs (`COPY package.json` + `npm install`):
            # the version the locks in its folder agree on
            locks = self._folder_locks((self.cwd / anchor.path).parent)
            got_all = {lock.version(s, 0, self.platform) for lock in locks}
            got_all.discard(None)
            if len(got_all) == 1:
                return got_all.pop()
        if s.ecosystem is Ecosystem.PIP and s.installer not in ("requirements", "constraints") and s.package:
            return self._folder_pins((self.cwd / s.location.path).parent).get(normalise(Ecosystem.PIP, s.package))
        return None

    def versions(self, sites: Sequence[InstallSite]) -> Mapping[SiteKey, str | Left]:
        out: dict[SiteKey, str | Left] = {}
        rest: list[InstallSite] = []
        for s in sites:
            got = self._locked(s)
            if got is not None:
                out[site_key(s)] = got
            else:
                rest.append(s)
        if rest:
            out.update(self.inner.versions(rest))
        return out
