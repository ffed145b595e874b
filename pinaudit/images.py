"""Container image references: how firmly ``name[:tag][@digest]`` fixes what is pulled.

One place for the reference grammar (distribution/reference) so FROM, ``COPY --from``,
``RUN --mount=from=``, compose ``image:`` and workflow ``container:`` agree on what a tag is.
"""

from __future__ import annotations

import re

from pinaudit.model import Pin
from pinaudit.site_context import ImageReference

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_ANY_DIGEST = re.compile(r"^sha512:[0-9a-f]{128}$")


class ImageRef(NamedTuple):
    name: str  # repository, registry host included: "python", "ghcr.io/org/app"
    tag: str | None
    digest: str | None
    pin: Pin  # IMMUTABLE (sha256 digest), EXACT (a tag other than latest), UNPINNED (none/latest)
    registry: str | None = None  # host[:port]; None for Docker Hub (see registry_host)
    repository: str = ""  # the name without its registry part: "python", "org/app", "library/python"
    platform: str | None = None  # FROM --platform / compose platform:, as given

    @property
    def display(self) -> str:
        return self.name

    @property
    def parts(self) -> ImageReference:
        """The reference taken apart, for the site model (a digest that fixes nothing is dropped)."""
        return ImageReference(self.registry, self.repository, self.tag, self.digest, self.platform)


def parse_image(ref: str, platform: str | None = None) -> ImageRef:
    """Classify a reference as written (variables already expanded). ``platform``: the platform the
    build or service asks for (``FROM --platform=``), carried on the value."""
    ref = ref.strip()
    name, _, digest_text = ref.partition("@")
    digest: str | None = digest_text or None
    tag: str | None = None
    # a ':' after the last '/' is a tag; one before it belongs to a registry host:port
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    registry = registry_host(name)
    first, sep, rest = name.partition("/")
    repository = rest if sep and (registry is not None or first.lower() in _HUB_NAMES) else name
    if digest is not None and (_DIGEST.match(digest) or _ANY_DIGEST.match(digest)):
        return ImageRef(name, tag, digest, Pin.IMMUTABLE, registry, repository, platform)
    # a malformed digest fixes nothing (the engine rejects it): judge the tag alone
    if not tag or tag == "latest":
        return ImageRef(name, tag, None, Pin.UNPINNED, registry, repository, platform)
    return ImageRef(name, tag, None, Pin.EXACT, registry, repository, platform)


def image_ref(parts: ImageReference) -> ImageRef:
    """An :class:`ImageRef` from the site model's parts (a Hub image keeps its short name)."""
    text = f"{parts.registry}/{parts.repository}" if parts.registry else parts.repository
    if parts.tag:
        text += f":{parts.tag}"
    if parts.digest:
        text += f"@{parts.digest}"
    return parse_image(text, parts.platform)


# Docker Hub's names in references (distribution/reference's default domain and its legacy alias):
# an image under them, or without any registry part, is pulled from the Hub or its configured mirror.
_HUB_NAMES = ("docker.io", "index.docker.io")


def registry_host(name: str) -> str | None:
    """The registry host[:port] of a repository name, or None for a Docker Hub image.

    distribution/reference's rule: the first path component is a registry host when it has a '.'
    or a ':' or is ``localhost`` (``ghcr.io/org/app``, ``localhost:5000/app``); otherwise the name
    belongs to Docker Hub (``python``, ``bitnami/redis``).
    """
    first, sep, _rest = name.partition("/")
    if not sep or not ("." in first or ":" in first or first == "localhost"):
        return None
    return None if first.lower() in _HUB_NAMES else first
