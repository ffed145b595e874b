"""``verify --image IMAGE.tar``: does the image hold what the locks say? The image's own package
databases (:mod:`pinaudit.lock.image`) against every locked package: a hashed requirements file's
pins (pip) and a ``pinaudit.lock``'s installs (pip, npm, apt). What the image holds beyond the
locks (its base image's packages) is not a difference; a locked package it lacks, or holds at
another version, is. An image that names its base (the OCI ``base.digest`` annotation) is
compared with the lock's image digests too: the manifest the lock's platform pulls (or the index
digest, which some builders record)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pinaudit.lock.core import Difference, Verified
from pinaudit.lock.image import ImageContents
from pinaudit.resolve.interface import Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.lock.dockerlock import LockedImage

__all__ = ["verify_image"]


def _expected(lock: Path) -> tuple[list[tuple[str, str, str]], list[LockedImage]] | Unresolved:
    """(ecosystem, name, version) the lock says an install gets, and its images."""
    from pinaudit.lock.locktoml import from_document, parse_lockfile
    from pinaudit.lock.reqfile import parse_lock

    try:
        text = lock.read_text(encoding="utf-8-sig")
        if lock.suffix == ".txt":
            return [("pip", p.name, p.version) for p in parse_lock(text).pins], []
        installs, images, _at = from_document(parse_lockfile(text))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Unresolved(f"the lock could not be read: {exc}")
    return [(i.ecosystem, p.name, p.version) for i in installs for p in i.packages], images


def _repository(reference: str) -> tuple[str, str]:
    """(registry, repository) as a builder may spell a Docker Hub name (``docker.io/library/x``)."""
    from pinaudit.images import parse_image

    ref = parse_image(reference)
    repo = ref.repository.removeprefix("library/") if ref.registry is None else ref.repository
    return ref.registry or "", repo


def _base(contents: ImageContents, images: Sequence[LockedImage]) -> tuple[list[Difference], list[str]]:
    """The image's recorded base against the lock's images: those of the same repository when the
    image names it, else any (the final stage's base may be reached through a stage name)."""
    if not images:
        return [], []
    if contents.base_digest is None:
        return [], ["the image records no base image (OCI annotation org.opencontainers.image.base.digest): "
                    "its base is not compared with the lock's image digests"]
    named = [i for i in images if contents.base_name and _repository(i.reference) == _repository(contents.base_name)]
    candidates = named or list(images)
    if any(contents.base_digest in (i.digest, i.platform_digest) for i in candidates):
        return [], []
    img = max(candidates, key=lambda i: i.line)
    return [Difference(contents.base_name or img.reference, img.platform_digest or img.digest, contents.base_digest,
                       "image differs", f"the image was built on another base image than the lock's "
                       f"{img.platform or 'platform'} image (line {img.line})")], []


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
        packages, images = expected
        diffs: dict[tuple[str, str], Difference] = {}
        for eco, name, version in packages:
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
        base, notes = _base(contents, images) if ecosystems is None or "image" in ecosystems else ([], [])
        out.append(Verified(lock, None, (*base, *(diffs[k] for k in sorted(diffs))), notes=tuple(notes),
                            against=against))
    return out
