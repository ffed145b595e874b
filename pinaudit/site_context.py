"""The typed context of an install site: what surrounds the package token.

:class:`~pinaudit.model.InstallSite` says *what* a build fetches and how firmly it is pinned; the
values here say *where and how* it is fetched, for ``simulate``, ``lock``, ``fix`` and
``scan --online`` to consume without re-reading message text:

* :class:`SiteSource` -- the kind of place the site was written in (a command line, a
  requirements or constraints file, a package.json, a FROM...). Rules dispatch on it;
  ``InstallSite.installer`` stays the human-readable program or file name for messages.
* :class:`RequirementParts` -- a pip requirement taken apart (name, specifier, extras, marker, URL).
* :class:`BuildPosition` -- a Dockerfile site's stage, layer, base image, platform and what the
  base image's tag implies (Python version, distro suite).
* :class:`PipIndex` -- where pip looks: index URL, extra indexes, find-links, ``--no-index``,
  ``--pre`` and every constraint of the ``-c`` files.
* :class:`ImageReference` -- an image reference split into registry, repository, tag, digest and
  platform (parsed by :func:`pinaudit.images.parse_image`, the one parser of image references).

This module imports nothing from the package, so the model can import it at run time.
"""

from __future__ import annotations

import enum

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple


class SiteSource(str, enum.Enum):
    """Where an install site is written (the kind of place, not the path)."""

    COMMAND = "command"  # a command line: Dockerfile RUN, shell script, workflow `run:`
    REQUIREMENTS = "requirements"  # an entry of a requirements file
    CONSTRAINTS = "constraints"  # an entry of a constraints file audited on its own
    PACKAGE_JSON = "package.json"  # a dependency (or the whole manifest) of a package.json
    PYTHON_PROJECT = "python-project"  # a dependency of a pyproject.toml or Pipfile (or the file as a whole)
    FROM = "from"  # a Dockerfile FROM
    COPY_FROM = "copy-from"  # COPY/ADD --from=IMAGE
    MOUNT_FROM = "mount-from"  # RUN --mount=from=IMAGE
    ADD = "add"  # ADD URL
    COMPOSE = "compose"  # a compose service's image:
    WORKFLOW = "workflow"  # a workflow job's container:/services: image
    CONDA_ENV = "conda-env"  # an entry of a conda environment file's dependencies: (environment.yml)
    CONDA_SPECS = "conda-specs"  # a line of a file given to `conda install --file` (specs or @EXPLICIT)


class RequirementParts(NamedTuple):
    """A pip requirement as ``packaging`` reads it (PEP 508), kept apart.

    ``specifier`` is packaging's normalised text (``>=2,<3``, "" for none); ``url`` is the direct,
    VCS or local reference (``name @ URL``, a bare URL, ``./pkg``); ``marker`` is the text after ``;``.
    """

    raw: str  # the requirement as written (variables expanded), options excluded
    name: str | None
    specifier: str = ""
    extras: tuple[str, ...] = ()
    marker: str | None = None
    url: str | None = None


class CondaSpec(NamedTuple):
    """A conda match spec taken apart (``conda-forge::numpy==1.26.4=py311h64a7726_0``).

    ``version`` is the version text (``1.26`` of ``numpy=1.26``, ``>=1.26`` of a range; the site's
    pin says whether conda reads it as exact or as ``1.26.*``), ``build`` the build string when one
    is fixed (None when absent or a pattern such as ``py311*``), ``channel`` the ``channel::``
    prefix or ``[channel=...]``.
    """

    raw: str
    name: str | None
    version: str | None = None
    build: str | None = None
    channel: str | None = None


class ImageReference(NamedTuple):
    """An image reference taken apart (distribution/reference's grammar).

    ``registry`` is the host[:port] (None for Docker Hub); ``repository`` is the path without it
    (``python``, ``org/app``); ``platform`` is the ``--platform`` the build or service asks for.
    """

    registry: str | None
    repository: str
    tag: str | None = None
    digest: str | None = None
    platform: str | None = None


class BuildPosition(NamedTuple):
    """Where in a Dockerfile's build a site runs.

    ``stage_name`` is lower-cased (Docker compares stage names case-insensitively). ``layer`` is the
    index of the instruction in the file (0-based, counting every instruction,
    ARGs before the first FROM included), so two sites of one RUN share it. ``base_image`` is the
    image the stage finally builds on: ``FROM stage`` chains followed to a real image, ARGs
    expanded; None for ``scratch`` or when a build argument without a default decides it.
    ``python`` and ``suite`` are what the base image's tag says (``python:3.11-slim`` -> ``3.11``;
    ``-bookworm``, ``debian:12`` -> ``bookworm``, ``ubuntu:22.04`` -> ``jammy``, ``alpine3.20``),
    None where it says nothing. ``line`` is the instruction's first line (1-based), where a
    report of the layer points.
    """

    stage_index: int
    stage_name: str | None
    layer: int
    base_image: ImageReference | None = None
    platform: str | None = None
    python: str | None = None
    suite: str | None = None
    line: int = 0


class ConstraintFile(NamedTuple):
    """A ``-c FILE`` of a pip invocation and every constraint in it (not only exact pins)."""

    path: str  # as written (variables expanded)
    constraints: tuple[RequirementParts, ...] | None  # None: the file could not be read


class PipIndex(NamedTuple):
    """Where a pip invocation fetches from: its flags, the ``PIP_*`` environment, the file's options.

    Later sources override earlier ones the way pip applies them: environment, then the command
    line, then the requirements file's own options (extra indexes and find-links add up).
    """

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    pre: bool = False
    constraint_files: tuple[ConstraintFile, ...] = ()

    @property
    def is_default(self) -> bool:
        return self == _DEFAULT_INDEX


_DEFAULT_INDEX = PipIndex()


# -- what a base image's tag says -----------------------------------------------------------------

# Debian and Ubuntu release numbers as image tags write them; codenames pass through as they are
_DEBIAN = {"9": "stretch", "10": "buster", "11": "bullseye", "12": "bookworm", "13": "trixie", "14": "forky"}
_UBUNTU = {
    "16.04": "xenial", "18.04": "bionic", "20.04": "focal", "22.04": "jammy", "24.04": "noble",
    "24.10": "oracular", "25.04": "plucky", "25.10": "questing",
}  # fmt: skip
UBUNTU_CODENAMES = frozenset(_UBUNTU.values())
_CODENAMES = frozenset({*_DEBIAN.values(), *UBUNTU_CODENAMES, "sid", "duke"})


def python_of(ref: ImageReference) -> str | None:
    """The ``X.Y`` Python version a ``python`` image's tag names (``3.12.4-bookworm`` -> ``3.12``)."""
    if ref.repository.rsplit("/", 1)[-1] != "python" or not ref.tag:
        return None
    head = ref.tag.split("-", 1)[0]
    parts = head.split(".")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return f"{parts[0]}.{parts[1]}"
    return None


def suite_of(ref: ImageReference) -> str | None:
    """The distro suite a base image's tag names, never guessed: a Debian/Ubuntu code name
    (``debian:bookworm-slim``, ``python:3.12-slim-bookworm``), ``debian:12`` -> ``bookworm``,
    ``ubuntu:22.04`` -> ``jammy``; an Alpine release as ``alpine3.20`` (``alpine:3.20.3``,
    ``python:3.12-alpine3.20``). None when the tag names none (``python:3.12-slim``)."""
    tag = ref.tag
    if not tag:
        return None
    repo = ref.repository.rsplit("/", 1)[-1]
    words = tag.lower().replace("_", "-").split("-")
    for w in words:
        if w in _CODENAMES:
            return w
    if repo == "debian":
        return _DEBIAN.get(words[0].split(".")[0])
    if repo == "ubuntu":
        return _UBUNTU.get(words[0])
    release = tag if repo == "alpine" else next((w[6:] for w in words if w.startswith("alpine")), "")
    numbers = release.split(".")
    if len(numbers) >= 2 and numbers[0].isdigit() and numbers[1].isdigit():
        return f"alpine{numbers[0]}.{numbers[1]}"
    return None
