"""What an image actually contains, read from a ``docker save`` tarball or an OCI layout tarball,
without a Docker daemon: its layers applied in order with whiteouts (``.wh.NAME`` deletes NAME,
``.wh..wh..opq`` empties a folder of what lower layers put there), then the package databases
read from the result: dpkg's status, apk's installed db, Python ``*.dist-info/METADATA`` and
``node_modules/**/package.json``. An OCI layout (also what ``docker save`` writes since Docker 25)
may name the image it was built on: the OCI annotations ``org.opencontainers.image.base.name`` and
``…base.digest`` (buildah and podman write them; BuildKit with ``--annotation``), which ``verify``
compares with the lock's image digests.

Only the files those databases live in are kept while the layers are applied, so a large image
costs one pass over its tar members, not its size in memory.
"""

from __future__ import annotations

import json
import posixpath
import re
import tarfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

__all__ = ["ImageContents", "ImageError", "read_image"]

_DIST_INFO = re.compile(r"(^|/)[^/]+\.dist-info/METADATA$")
_NODE = re.compile(r"(^|/)node_modules/(@[^/]+/)?[^/]+/package\.json$")
_FILES = ("var/lib/dpkg/status", "lib/apk/db/installed")
_BASE = "org.opencontainers.image.base"


class ImageError(Exception):
    """The tarball is not an image this reader knows."""


@dataclass(frozen=True)
class ImageContents:
    apt: dict[str, str] = field(default_factory=dict)
    apk: dict[str, str] = field(default_factory=dict)
    pip: dict[str, str] = field(default_factory=dict)  # PEP 503 name -> version
    npm: dict[str, set[str]] = field(default_factory=dict)  # a package can sit at several versions
    base_name: str | None = None  # org.opencontainers.image.base.name, when the image records it
    base_digest: str | None = None  # org.opencontainers.image.base.digest

    def versions(self, ecosystem: str) -> dict[str, set[str]]:
        if ecosystem == "npm":
            return self.npm
        table = {"apt": self.apt, "apk": self.apk, "pip": self.pip}.get(ecosystem, {})
        return {k: {v} for k, v in table.items()}


def _wanted(path: str) -> bool:
    return path in _FILES or bool(_DIST_INFO.search(path)) or bool(_NODE.search(path))


def _norm(name: str) -> str:
    return posixpath.normpath(name.lstrip("/")).removeprefix("./")


def read_image(path: Path) -> ImageContents:
    try:
        with tarfile.open(path, "r:*") as outer:
            layers = _layer_names(outer)
            files: dict[str, bytes] = {}
            for name in layers:
                member = outer.extractfile(name)
                if member is None:
                    raise ImageError(f"layer {name} is missing from the tarball")
                _apply(member, files)
            notes = _annotations(outer)
    except (tarfile.TarError, OSError, ValueError, KeyError) as exc:
        raise ImageError(f"{path.name}: not a readable image tarball ({exc})") from None
    return replace(_contents(files), base_name=notes.get(f"{_BASE}.name"), base_digest=notes.get(f"{_BASE}.digest"))


def _json(outer: tarfile.TarFile, name: str) -> object:
    f = outer.extractfile(name)
    if f is None:
        raise ImageError(f"{name} missing")
    return json.loads(f.read())


def _layer_names(outer: tarfile.TarFile) -> list[str]:
    names = set(outer.getnames())
    if "manifest.json" in names:  # docker save
        doc = _json(outer, "manifest.json")
        if isinstance(doc, list) and doc and isinstance(doc[0], dict):
            return [str(x) for x in doc[0].get("Layers", [])]
    if "index.json" in names:  # OCI image layout
        doc = _json(outer, "index.json")
        while isinstance(doc, dict) and doc.get("manifests"):
            first = doc["manifests"][0]
            doc = _json(outer, _blob(str(first["digest"])))
            if isinstance(doc, dict) and "layers" in doc:
                return [_blob(str(layer["digest"])) for layer in doc["layers"]]
    raise ImageError("neither a docker save tarball (manifest.json) nor an OCI layout (index.json)")


def _annotations(outer: tarfile.TarFile) -> dict[str, str]:
    """The OCI layout's annotations on the way down to the (first) image manifest: the manifest's
    own over those of the descriptors that led to it. None in a legacy ``docker save``."""
    if "index.json" not in set(outer.getnames()):
        return {}
    found: dict[str, str] = {}
    doc = _json(outer, "index.json")
    for _depth in range(4):  # index.json -> (an image index ->) the manifest
        if not isinstance(doc, dict) or not doc.get("manifests") or not isinstance(doc["manifests"][0], dict):
            break
        first = doc["manifests"][0]
        found.update(_notes(first))
        doc = _json(outer, _blob(str(first["digest"])))
    return {**found, **_notes(doc)}


def _notes(doc: object) -> dict[str, str]:
    got = doc.get("annotations") if isinstance(doc, dict) else None
    return {str(k): str(v) for k, v in got.items()} if isinstance(got, dict) else {}


def _blob(digest: str) -> str:
    alg, _, hexa = digest.partition(":")
    return f"blobs/{alg}/{hexa}"


def _apply(layer: IO[bytes], files: dict[str, bytes]) -> None:
    """One layer over ``files``: its whiteouts first (they hide what lower layers have), then its files."""
    with tarfile.open(fileobj=layer, mode="r:*") as tar:
        members = tar.getmembers()
        for m in members:
            name = _norm(m.name)
            folder, base = posixpath.split(name)
            if base == ".wh..wh..opq":
                prefix = folder + "/" if folder else ""
                for key in [k for k in files if k.startswith(prefix)]:
                    del files[key]
            elif base.startswith(".wh."):
                gone = posixpath.join(folder, base[4:])
                for key in [k for k in files if k == gone or k.startswith(gone + "/")]:
                    del files[key]
        for m in members:
            name = _norm(m.name)
            if posixpath.basename(name).startswith(".wh."):
                continue
            if not _wanted(name):
                continue
            if m.isfile():
                data = tar.extractfile(m)
                files[name] = data.read() if data is not None else b""
            else:
                files.pop(name, None)


def _contents(files: dict[str, bytes]) -> ImageContents:
    from packaging.utils import canonicalize_name

    out = ImageContents()
    status = files.get("var/lib/dpkg/status", b"").decode("utf-8", "replace")
    for para in status.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", para, re.M))
        # "deinstall ok config-files": removed, its configuration kept; not installed
        if fields.get("Package") and fields.get("Version") and \
                fields.get("Status", "install ok installed").split()[-1:] == ["installed"]:
            out.apt[fields["Package"]] = fields["Version"]
    apk = files.get("lib/apk/db/installed", b"").decode("utf-8", "replace")
    for para in apk.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z]):(.*)$", para, re.M))
        if fields.get("P") and fields.get("V"):
            out.apk[fields["P"]] = fields["V"]
    for path, data in sorted(files.items()):
        if _DIST_INFO.search(path):
            meta = data.decode("utf-8", "replace").split("\n\n", 1)[0]
            name = re.search(r"^Name:\s*(\S+)", meta, re.M)
            version = re.search(r"^Version:\s*(\S+)", meta, re.M)
            if name and version:
                out.pip[canonicalize_name(name.group(1))] = version.group(1)
        elif _NODE.search(path):
            try:
                doc = json.loads(data)
            except ValueError:
                continue
            if isinstance(doc, dict) and isinstance(doc.get("name"), str) and isinstance(doc.get("version"), str):
                out.npm.setdefault(doc["name"], set()).add(doc["version"])
    return out
