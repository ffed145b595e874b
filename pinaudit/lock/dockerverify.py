"""``verify`` for ``pinaudit.lock`` files, in two halves that report different kinds of difference:

* the lock against its indexes: is each exact locked version still served, with the hashes
  (pip) or integrity (npm) the lock recorded, and each apt package at the snapshot instant it
  was locked at (:mod:`pinaudit.lock.served`): ``not served``, ``hash changed``;
* the lock against a fresh build today (the Dockerfile locked again): what a floating site would
  now get instead (``newer``, ``older``, ``added``, ``removed``), a tag whose digest moved.

A package the first half already names is not repeated by the second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from pinaudit.lock.core import Difference, Verified
from pinaudit.lock.dockerlock import (
    DockerLockOptions,
    LockedImage,
    LockedInstall,
    LockedPackage,
    install_requests,
    lock_dockerfile,
)
from pinaudit.lock.locktoml import from_document, parse_lockfile
from pinaudit.resolve.interface import ApkRequest, AptRequest, NpmRequest, PipRequest, Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.index.http import Transport
    from pinaudit.simulation.run import Request

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
    if options.ecosystems is not None:
        installs = [i for i in installs if i.ecosystem in options.ecosystems]
    served = _served(installs, install_requests(dockerfile, cwd, options), transport)
    if isinstance(served, Unresolved):
        return Verified(path, dockerfile, unresolved=served)
    diffs = [d for _key, d in served]
    named = {key for key, _d in served}
    fresh = lock_dockerfile(dockerfile, cwd, replace(options, at=None, at_source=""), transport)
    if isinstance(fresh, Unresolved):
        if fresh.unreachable:
            return Verified(path, dockerfile, tuple(diffs), unresolved=fresh)
        # the indexes answered, and a fresh build would fail (a pinned version no longer served):
        # that is drift, not a failure to look
        where, _sep, why = fresh.reason.partition(": ")
        return Verified(path, dockerfile, (*diffs, Difference(where if why else "(build)", None, None, "not served",
                                                              why or fresh.reason)))
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
        diffs += [d for d in _packages(eco, a.packages, b.packages, f"{eco}, line {line}")
                  if (line, eco, d.package) not in named]
    img_now = {(i.line, i.reference): i for i in fresh.images}
    diffs += [d for img in images if (d := _moved(img, img_now.get((img.line, img.reference)))) is not None]
    old = [f"{img.reference} (line {img.line}): a v1 lock holds only the {img.platform} manifest's digest; "
           "run pinaudit lock to record the digest a FROM pin carries" for img in images if img.digest is None]
    return Verified(path, dockerfile, tuple(diffs), notes=(*fresh.left_out, *old))


def _moved(was: LockedImage, now: LockedImage | None) -> Difference | None:
    """A tag whose pin digest moved (what a ``FROM …@sha256:`` would carry changed); for a v1
    lock, which holds only one platform's manifest, whether that platform's manifest moved."""
    if now is None:
        return None
    if was.digest is None:
        if was.platform_digest is None or was.platform_digest == now.platform_digest or was.platform != now.platform:
            return None
        return Difference(was.reference, was.platform_digest, now.platform_digest, "digest moved",
                          f"the tag's {was.platform} image is another one now (line {was.line})")
    if was.digest == now.digest:
        return None
    same = was.platform_digest is not None and was.platform_digest == now.platform_digest \
        and was.platform == now.platform
    return Difference(was.reference, was.digest, now.digest, "digest moved",
                      f"the tag now points to another image (line {was.line})"
                      + (f"; its {was.platform} image is the same" if same else ""))


def _served(installs: Sequence[LockedInstall], requests: dict[tuple[int, str], Request],
            transport: Transport) -> list[tuple[tuple[int, str, str], Difference]] | Unresolved:
    """The first half: every locked install asked of the index its Dockerfile install uses now."""
    from pinaudit.lock.served import apk_served, apt_served, npm_served, pip_served
    from pinaudit.resolve.dates import parse_instant

    out: list[tuple[tuple[int, str, str], Difference]] = []
    for inst in installs:
        req = requests.get((inst.line, inst.ecosystem))
        where = f"{inst.ecosystem}, line {inst.line}"
        pins = [(p.name, p.version, frozenset(p.hashes)) for p in inst.packages]
        got: list[Difference] | Unresolved
        if isinstance(req, PipRequest) and req.index_url:
            got = pip_served(req.index_url, pins, transport, where)
        elif isinstance(req, NpmRequest) and req.registry:
            got = npm_served(req.registry, req.token, pins, transport, where)
        elif isinstance(req, ApkRequest):
            got = apk_served(req, pins, transport, where)
        elif isinstance(req, AptRequest):
            dated: list[tuple[str, str, datetime | None]] = [
                (p.name, p.version, parse_instant(p.snapshot, now=datetime.now().astimezone()) if p.snapshot
                 else None) for p in inst.packages]
            got = apt_served(req, dated, transport, where)
        else:
            continue  # the install changed or its index is unknown: the fresh half says so
        if isinstance(got, Unresolved):
            return replace(got, reason=f"{where}: {got.reason}")
        out += [((inst.line, inst.ecosystem, d.package), d) for d in got]
    return out


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
    return out

