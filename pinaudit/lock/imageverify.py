"""``verify --image IMAGE.tar``: does the image hold what the locks say? The image's own package
databases (:mod:`pinaudit.lock.image`) against every locked package: a hashed requirements file's
pins (pip) and a ``pinaudit.lock``'s installs (pip, npm, apt). What the image holds beyond the
locks (its base image's packages) is not a difference; a locked package it lacks, or holds at
another version, is."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pinaudit.lock.core import Difference, Verified
from pinaudit.lock.image import ImageContents
from pinaudit.resolve.interface import Unresolved

__all__ = ["verify_image"]


def _expected(lock: Path) -> list[tuple[str, str, str]] | Unresolved:
    """(ecosystem, name, version) the lock says an install gets."""
    from pinaudit.lock.locktoml import from_document, parse_lockfile
    from pinaudit.lock.reqfile import parse_lock

    try:
        text = lock.read_text(encoding="utf-8-sig")
        if lock.suffix == ".txt":
            return [("pip", p.name, p.version) for p in parse_lock(text).pins]
        installs, _images, _at = from_document(parse_lockfile(text))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Unresolved(f"the lock could not be read: {exc}")
    return [(i.ecosystem, p.name, p.version) for i in installs for p in i.packages]


def verify_image(image: Path, contents: ImageContents, locks: Sequence[Path],
                 ecosystems: frozenset[str] | None) -> list[Verified]:
    from packaging.utils import canonicalize_name

    against = f"the image {image.name}"
    out: list[Verified] = []
    for lock in locks:
        expected = _expected(lock)
        if isinstance(expected, Unresolved):
            out.append(Verified(lock, None, unresolved=expected, against=against))
            continue
        diffs: dict[tuple[str, str], Difference] = {}
        for eco, name, version in expected:
            if ecosystems is not None and eco not in ecosystems:
                continue
            key = canonicalize_name(name) if eco == "pip" else name
            held = contents.versions(eco).get(key)
            if held is None:
                diffs[(eco, name)] = Difference(name, version, None, "not in image",
                                                f"the image does not hold this {eco} package")
            elif version not in held:
                diffs[(eco, name)] = Difference(name, version, ", ".join(sorted(held)), "image differs",
                                                f"the image holds another version ({eco})")
        out.append(Verified(lock, None, tuple(diffs[k] for k in sorted(diffs)), against=against))
    return out
