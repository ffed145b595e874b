"""Scan many files across processes, yielding results in input order (output identical to serial).

Work is cut into chunks so one round trip carries many files: pickling a Target and its options
costs far less than a process hop per file, and a chunk's shared ScanOptions is pickled once (the
pickle memo sees the same object). At most a few chunks per worker are in flight, and results are
yielded as soon as the next one in input order is ready, so memory follows the window, not the
tree.

Anything that stops processes from working - no /dev/shm for the pool's semaphores, a sandbox that
forbids fork, a worker killed by the OOM killer or a native crash - makes us finish the remaining
files serially in this process: a scan must never be lost to the parallelism meant to speed it up.
Per-file errors never reach this level: ``analyze_target`` turns them into PIN001 diagnostics.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from pinaudit.work import InputError, analyze_target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from pinaudit.model import FileResult
    from pinaudit.work import Progress, Work

# why the last parallel scan finished serially (None: it did not): a silent fallback once hid a
# pickling bug behind correct-but-serial results, so tests assert on it
last_fallback: str | None = None

MAX_CHUNK = 32  # files per round trip: big enough to amortise IPC, small enough to balance load
CHUNKS_PER_JOB = 8  # aim for this many chunks per worker so a slow chunk cannot idle the others
WINDOW_PER_JOB = 4  # chunks in flight per worker: bounds memory while keeping workers busy


def chunk_size(total: int, jobs: int) -> int:
    """Files per chunk for ``total`` files over ``jobs`` workers."""
    return max(1, min(MAX_CHUNK, -(-total // (jobs * CHUNKS_PER_JOB))))


def _analyze_chunk(chunk: Sequence[Work]) -> list[FileResult]:
    return [analyze_target(target, options, force_kind) for target, options, force_kind in chunk]


def _worker_init() -> None:
    # Ctrl-C is the parent's to handle: children that also caught it would each print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _single_threaded() -> bool:
    """No other thread in the process, counted as the kernel counts them (as CPython 3.12+ does
    before warning about fork): threads started by C code or faulthandler's watchdog are invisible
    to :func:`threading.active_count`."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1


def _context() -> BaseContext:
    """fork where it is safe: workers then start in about a millisecond with every module loaded.

    macOS (fork is unsafe with system frameworks) and Windows keep their platform default; with
    other threads alive (a progress bar's refresher) Python 3.12+ warns about fork, so we use
    forkserver there.
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods:
        # only with no other thread alive: a fork copies locks that another thread may hold (a
        # previous pool's feeder, a progress bar), and the child or the pool's exit then hangs
        if _single_threaded():
            return multiprocessing.get_context("fork")
        if "forkserver" in methods:
            return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context()


def _serial(work: Sequence[Work], progress: Progress) -> Iterator[FileResult]:
    for target, options, force_kind in work:
        progress.advance(target.path.as_posix())
        yield analyze_target(target, options, force_kind)


def analyze_parallel(work: Sequence[Work], *, jobs: int, progress: Progress) -> Iterator[FileResult]:
    """Analyse ``work`` over ``jobs`` processes; results come in input order."""
    global last_fallback
    last_fallback = None
    jobs = max(1, min(jobs, os.cpu_count() or 1, len(work)))
    if jobs == 1:
        yield from _serial(work, progress)
        return
    size = chunk_size(len(work), jobs)
    bounds = [(i, min(i + size, len(work))) for i in range(0, len(work), size)]
    try:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_worker_init)
    except (OSError, ImportError, NotImplementedError, ValueError) as exc:  # no semaphores / no fork
        last_fallback = f"{type(exc).__name__}: {exc}"
        yield from _serial(work, progress)
        return
    done = 0  # files already yielded: where a serial fallback resumes
    inflight: deque[Future[list[FileResult]]] = deque()
    next_chunk = 0
    broken = False
    try:
        while done < len(work):
            try:
                while next_chunk < len(bounds) and len(inflight) < jobs * WINDOW_PER_JOB:
                    lo, hi = bounds[next_chunk]
                    inflight.append(pool.submit(_analyze_chunk, work[lo:hi]))
                    next_chunk += 1
                results = inflight.popleft().result()
            except InputError:
                raise  # an explicitly named file is unreadable: exit 2, exactly as a serial run
            except Exception as exc:
                # a worker died (OOM kill, native crash), processes cannot be started at all, or a
                # chunk could not cross the process boundary: the rest is done here, serially
                last_fallback = f"{type(exc).__name__}: {exc}"
                broken = True
                break
            for r in results:
                progress.advance(work[done][0].path.as_posix())
                done += 1
                yield r
    finally:
        # on an early exit (the consumer stopped, Ctrl-C, InputError) do not wait for queued chunks
        for f in inflight:
            f.cancel()
        # a broken pool is not waited for: its manager thread may itself be stuck on the failure.
        # Its workers are ended here, or the interpreter's exit would wait for them forever.
        workers = list(getattr(pool, "_processes", {}).values()) if broken else []
        pool.shutdown(wait=not broken, cancel_futures=True)
        for proc in workers:
            proc.terminate()
        for proc in workers:
            proc.join(timeout=5)
    if done < len(work):
        yield from _serial(work[done:], progress)
