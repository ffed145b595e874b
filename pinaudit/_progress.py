"""A progress bar on stderr for large trees, through rich; only created for a terminal."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any



class RichProgress:
    """Shows itself only past a few hundred files: a pre-commit run must not flash a bar."""

    THRESHOLD = 200

    def __init__(self, *, threshold: int | None = None, description: str = "scanning", delay: float = 0.0) -> None:
        """``delay``: show the bar only once the work has run that long (index checks: 1 s)."""
        self._progress: Any = None
        self._task: Any = None
        self._threshold = self.THRESHOLD if threshold is None else threshold
        self._description = description
        self._delay = delay
        self._pending: tuple[float, int, int] | None = None  # (started, total, done) while delayed

    def start(self, total: int) -> None:
        if total < self._threshold:
            return
        if self._delay > 0:
            import time

            self._pending = (time.monotonic(), total, 0)
            return
        self._show(total, 0)

    def _show(self, total: int, done: int) -> None:
        try:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
        except ImportError:  # rich is optional for the scan itself
            return
        # on stderr: stdout carries the report (rich's default console is stdout)
        self._progress = Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            transient=True, console=Console(stderr=True),
        )
        self._progress.start()
        self._task = self._progress.add_task(self._description, total=total, completed=done)

    def advance(self, path: str) -> None:
        if self._pending is not None:
            import time

            started, total, done = self._pending
            self._pending = (started, total, done + 1)
            if time.monotonic() - started >= self._delay:
                self._pending = None
                self._show(total, done + 1)
            return
        if self._progress is not None:
            self._progress.advance(self._task)

    def finish(self) -> None:
        self._pending = None
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
