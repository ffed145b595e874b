"""``verify`` for ``pinaudit.lock`` files: resolve the Dockerfile's installs afresh (a build today)
and compare with what the lock recorded: a version no longer what a fresh build gets, a file
whose hash changed on the index (same version, other hashes), a tag whose digest moved."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pinaudit.lock.core import Difference, Verified
from pinaudit.lock.dockerlock import DockerLockOptions, LockedPackage, lock_dockerfile
from pinaudit.lock.locktoml import from_document, parse_lockfile
from pinaudit.resolve.interface import Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.index.http import Transport

__all__ = ["verify_lockfile"]


def verify_lockfile(path: Path, cwd: Path, options: DockerLockOptions, transport: Transport) -> Verified:
    try:
        doc = parse_lockfile(path.read_text(encoding="utf-8"))
        installs, images, _at = from_document(doc)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Verified(path, None, unresolved=Unresolved(f"the lock could not be read: {exc}"))
    dockerfile = path.parent / str(doc.get("dockerfile", "Dockerfile"))
    if not dockerfile.is_file():
        return Verified(path, None, unresolved=Unresolved(f"{dockerfile.name}: the Dockerfile it locks is gone"))
    fresh = lock_dockerfile(dockerfile, cwd, replace(options, at=None, at_source=""), transport)
    if isinstance(fresh, Unresolved):
        if fresh.unreachable:
            return Verified(path, dockerfile, unresolved=fresh)
        # the indexes answered, and a fresh build would fail (a pinned version no longer served):
        # that is drift, not a failure to look
        where, _sep, why = fresh.reason.partition(": ")
        return Verified(path, dockerfile, (Difference(where if why else "(build)", None, None, "not served",
                                                      why or fresh.reason),))
    diffs: list[Difference] = []
    now = {(i.line, i.ecosystem): i for i in fresh.installs}
    was = {(i.line, i.ecosystem): i for i in installs}
    for key in sorted(set(now) | set(was)):
        line, eco = key
        a, b = was.get(key), now.get(key)
        if a is None or b is None:
            what = "an install the lock does not have" if a is None else "an install the Dockerfile no longer has"
            diffs.append(Difference(f"{eco} (line {line})", None, None, "added" if a is None else "removed",
                                    f"{what}: the lock is stale, run pinaudit lock"))
            continue
        diffs += _packages(eco, a.packages, b.packages, f"{eco}, line {line}")
    img_now = {(i.line, i.reference): i.digest for i in fresh.images}
    for img in images:
        digest = img_now.get((img.line, img.reference))
        if digest is not None and digest != img.digest:
            diffs.append(Difference(img.reference, img.digest, digest, "digest moved",
                                    f"the tag now points to another image (line {img.line})"))
    return Verified(path, dockerfile, tuple(diffs), notes=tuple(fresh.left_out))


def _packages(eco: str, locked: tuple[LockedPackage, ...], fresh: tuple[LockedPackage, ...],
              where: str) -> list[Difference]:
    from pinaudit.resolve.drift import newer as newer_version

    a = {p.name: p for p in locked}
    b = {p.name: p for p in fresh}
    out: list[Difference] = []
    for name in sorted(set(a) | set(b)):
        pa, pb = a.get(name), b.get(name)
        if pa is None:
            out.append(Difference(name, None, pb.version if pb else None, "added",
                                  f"a fresh build installs it, the lock does not ({where})"))
        elif pb is None:
            out.append(Difference(name, pa.version, None, "removed", f"a fresh build no longer installs it ({where})"))
        elif pa.version != pb.version:
            newer = newer_version(eco, pa.version, pb.version) is not False
            out.append(Difference(name, pa.version, pb.version, "newer" if newer else "older",
                                  ("a newer version a fresh build would get" if newer else
                                   "a fresh build would get an older version") + f" ({where})"))
        elif pa.hashes and pb.hashes and not set(pa.hashes) <= set(pb.hashes):
            out.append(Difference(name, pa.version, pb.version, "hash changed",
                                  f"a locked file hash is no longer on the index ({where})"))
    return out

