"""A cache of Python resolutions at past instants, and of the release instants drift rows show.

Why: a resolution at an instant in the past depends only on its inputs and on what the index
held then, so a second ``simulate`` of the same files need not run the resolver again. Every
input is part of the key — the requirement and constraint texts (the files' contents, following
their ``-r``/``-c`` includes), the index URLs, the Python version, the platform, ``--no-deps``,
the resolver and its version, the instant — hashed (credentials in an index URL never reach the
disk in clear). Entries live under the user cache folder next to the HTTP cache
(``…/pinaudit/results``).

Why a time-to-live (:data:`TTL`, 24 hours) rather than forever: the past is not quite frozen. A
release yanked after the instant is skipped by the resolvers at every instant, and a file can be
deleted, so an old answer can become wrong; after a day it is resolved again. ``--refresh``
ignores the cache (and writes the new answer); ``--offline`` uses entries whatever their age, as
the HTTP cache does. Never cached: "now" (no cutoff), instants less than :data:`MARGIN` old (a
mirror may still be catching up), failures, and inputs whose meaning is not in their text —
local paths, direct URLs, ``--find-links``, environment variables, files that cannot be read.

Release instants (drift rows' dates) are kept the same way per (index, project, version): a
file's upload time does not change, so the same TTL is generous.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pinaudit.resolve.interface import Package, PipRequest, Resolution

__all__ = ["MARGIN", "TTL", "ResultCache"]

TTL = timedelta(hours=24)
MARGIN = timedelta(hours=1)  # an instant this close to now is not "the past" yet
SCHEMA = 1
# lines whose meaning lies outside their text: a local path, a URL, a find-links folder, a variable
_OPAQUE = re.compile(r"^\s*(?:-e\b|--editable\b|-f\b|--find-links\b|\.|/|~|file:)|://|\s@\s|\$\{|\$[A-Za-z_]",
                     re.IGNORECASE)
_INCLUDE = re.compile(r"^\s*(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)")


class _Opaque(Exception):
    """The request's inputs are not all in text we can hash."""


class ResultCache:
    """Resolutions and release instants on disk (``directory``), for requests made at ``now``."""

    def __init__(self, directory: Path, *, now: datetime, refresh: bool = False, offline: bool = False,
                 ttl: timedelta = TTL) -> None:
        self.directory = directory
        self.now = now
        self.refresh = refresh
        self.offline = offline
        self.ttl = ttl
        self.hits = 0  # resolutions found in the cache (each lookup that found one)
        self._lock = threading.RLock()
        self._by_index: dict[str, dict[str, object]] = {}  # index -> "name==version" -> [stored, instant]
        self._dirty: set[str] = set()

    # ---- resolutions ------------------------------------------------------------------------------

    def key(self, resolver: str, request: PipRequest) -> str | None:
        """The request's key, or None when it must be resolved every time."""
        if request.at is None or request.at > self.now - MARGIN:
            return None
        try:
            texts = [_lines(request.requirements), _lines(request.constraints)]
            texts += [_file_text(Path(f), set()) for f in (*request.files, *request.constraint_files)]
        except _Opaque:
            return None
        doc = [SCHEMA, resolver, texts, list(request.files), list(request.constraint_files), request.no_deps,
               request.index_url, list(request.extra_index_urls), request.python_version, request.platform,
               request.musl, request.at.astimezone(timezone.utc).isoformat()]
        return hashlib.sha256(json.dumps(doc).encode("utf-8")).hexdigest()

    def get(self, key: str) -> Resolution | None:
        doc = None if self.refresh else self._read("resolutions", key)
        if doc is None:
            return None
        rows, notes = doc.get("packages"), doc.get("notes", [])
        if not isinstance(rows, list) or not isinstance(notes, list) or not all(
                isinstance(r, list) and len(r) == 2 and all(isinstance(x, str) for x in r) for r in rows):
            return None
        self.hits += 1
        return Resolution(tuple(Package(n, v) for n, v in rows), tuple(str(n) for n in notes))

    def put(self, key: str, resolution: Resolution) -> None:
        self._write("resolutions", key, {"packages": [[p.name, p.version] for p in resolution.packages],
                                         "notes": list(resolution.notes)})

    # ---- release instants ------------------------------------------------------------------------
    # one file per index (a run looks up dozens of them: one file each measured a quarter of a
    # second on a slow disk), read once and written back once, at the end of the run

    def released(self, index: str, name: str, version: str) -> tuple[bool, datetime | None]:
        """(known, instant): known is False when the index must be asked."""
        if self.refresh:
            return False, None
        entry = self._released(index).get(f"{name}=={version}")
        if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[0], int | float):
            return False, None
        if not self.offline and time.time() - entry[0] > self.ttl.total_seconds():
            return False, None
        try:
            return True, datetime.fromisoformat(entry[1]) if isinstance(entry[1], str) else None
        except ValueError:
            return False, None

    def put_released(self, index: str, name: str, version: str, when: datetime | None) -> None:
        with self._lock:
            self._released(index)[f"{name}=={version}"] = [time.time(), when.isoformat() if when else None]
            self._dirty.add(index)

    def flush(self) -> None:
        """Write the release instants learnt in this run (merged with what another run wrote)."""
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            for index in dirty:
                key = _release_key(index)
                on_disk = self._read("released", key, check_age=False) or {}
                entries = on_disk.get("versions")
                merged = dict(entries) if isinstance(entries, dict) else {}
                merged.update(self._by_index[index])
                limit = time.time() - self.ttl.total_seconds()
                merged = {k: v for k, v in merged.items()
                          if isinstance(v, list) and v and isinstance(v[0], int | float) and v[0] >= limit}
                self._write("released", key, {"versions": merged})

    def _released(self, index: str) -> dict[str, object]:
        with self._lock:
            if index not in self._by_index:
                doc = self._read("released", _release_key(index), check_age=False) or {}
                versions = doc.get("versions")
                self._by_index[index] = dict(versions) if isinstance(versions, dict) else {}
            return self._by_index[index]

    # ---- storage ----------------------------------------------------------------------------------

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / kind / key[:2] / f"{key}.json"

    def _read(self, kind: str, key: str, *, check_age: bool = True) -> dict[str, object] | None:
        path = self._path(kind, key)
        try:
            doc = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
            return None
        created = doc.get("created")
        if not isinstance(created, int | float):
            return None
        if check_age and not self.offline and time.time() - created > self.ttl.total_seconds():
            return None
        return doc

    def _write(self, kind: str, key: str, doc: dict[str, object]) -> None:
        """Atomically (a concurrent run reads the old entry or the new one, never half of one);
        a cache that cannot be written is no error."""
        path = self._path(kind, key)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump({"schema": SCHEMA, "created": time.time(), **doc}, fh)
                os.replace(tmp, path)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def _release_key(index: str) -> str:
    return hashlib.sha256(json.dumps([SCHEMA, index]).encode("utf-8")).hexdigest()


def _lines(lines: Iterable[str]) -> list[str]:
    out = list(lines)
    for line in out:
        if _OPAQUE.search(line):
            raise _Opaque(line)
    return out


def _file_text(path: Path, seen: set[Path]) -> list[str]:
    """A requirements file's lines and those of the files it includes (``-r``/``-c``), in order."""
    path = path.resolve()
    if path in seen:
        return []
    seen.add(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise _Opaque(str(path)) from None
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        m = _INCLUDE.match(line)
        if m:
            out.append(line)
            out += _file_text(path.parent / m.group(2), seen)
            continue
        out += _lines([line])
    return out
