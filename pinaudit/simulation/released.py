"""Release instants for the drift rows of pip installs (uv and pip-tools do not report them).

Why a class of its own: the lookups are the simulation's second-largest cost after the resolver
runs (a popular project's Simple page holds thousands of files), so they start as soon as an
install's resolutions are all in — while the resolver works on the next install — on a small pool
of their own, and a release instant already in the result cache is not asked again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.index.http import Transport
    from pinaudit.index.interface import IndexFailure, Project
    from pinaudit.index.pypi import SimpleIndex
    from pinaudit.resolve.results import ResultCache

__all__ = ["ReleaseDates"]


class ReleaseDates:
    """``want`` what a drift row may show; ``get`` waits for it. Thread-safe. Every instant
    wanted is looked up before the run ends (and kept in the result cache), shown or not."""

    def __init__(self, transport: Transport, results: ResultCache | None, *, workers: int = 4) -> None:
        self._transport = transport
        self._results = results
        self._workers = max(1, min(workers, transport.settings.max_workers))
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._indexes: dict[str, SimpleIndex] = {}
        self._projects: dict[tuple[str, str], Future[Project | IndexFailure]] = {}
        self._known: dict[tuple[str, str, str], datetime | None] = {}
        self._asked: set[tuple[str, str, str]] = set()  # wanted and not yet known

    def __enter__(self) -> ReleaseDates:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:  # what was fetched ahead and not shown is kept for the next run
            for key in sorted(self._asked - self._known.keys()):
                self.get(*key)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._results is not None:
            self._results.flush()

    def prepare(self) -> None:
        """Make the HTTP transport now, in the background (the CLI's transport is made on first use)."""
        with self._lock:
            self._start().submit(getattr, self._transport, "stats")

    def _start(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="pinaudit-released")
        return self._pool

    def want(self, index: str, name: str, versions: Iterable[str]) -> None:
        """Start looking up ``name``'s release instants on ``index`` unless they are known."""
        for version in versions:
            key = (index, name, version)
            with self._lock:
                if key in self._known:
                    continue
                self._asked.add(key)
                if (index, name) in self._projects:
                    continue
            known, when = self._results.released(*key) if self._results is not None else (False, None)
            with self._lock:
                if known:
                    self._known[key] = when
                elif (index, name) not in self._projects:
                    self._projects[(index, name)] = self._start().submit(self._index(index).project, name)

    def get(self, index: str, name: str, version: str) -> datetime | None:
        """The release instant (None: the index does not say, or could not be asked)."""
        from pinaudit.index.interface import IndexFailure

        key = (index, name, version)
        self.want(index, name, (version,))
        with self._lock:
            if key in self._known:
                return self._known[key]
            future = self._projects[(index, name)]
        project = future.result()
        if isinstance(project, IndexFailure):
            return None  # not cached: asked again next time
        release = project.release(version)
        when = release.uploaded if release is not None else None
        with self._lock:
            self._known[key] = when
        if self._results is not None:
            self._results.put_released(index, name, version, when)
        return when

    def _index(self, url: str) -> SimpleIndex:
        from pinaudit.index.pypi import SimpleIndex

        if url not in self._indexes:
            self._indexes[url] = SimpleIndex(url, self._transport)
        return self._indexes[url]
