"""One unit of scan work: a discovered file read, decoded and analysed into its FileResult.

What the serial loop (:mod:`pinaudit.app`) and the process pool (:mod:`pinaudit.parallel`) share,
so neither imports the other for it. ``analyze_target`` is what a worker process runs: its
arguments and its result cross the process boundary, so they are plain picklable values.
"""

from __future__ import annotations

from pathlib import Path

from pinaudit.analyzers import ScanOptions, SourceFile, display_path
from pinaudit.discover import Target
from pinaudit.model import Diagnostic, FileResult, Location, Span

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class Progress(Protocol):
        """Injected so core code never asks whether there is a terminal (pip-audit's lesson)."""

        def start(self, total: int) -> None: ...

        def advance(self, path: str) -> None: ...

        def finish(self) -> None: ...


# a larger file gets a PIN001 diagnostic instead of an audit
MAX_FILE_BYTES = 5 * 1024 * 1024

# (target, options for it, --kind forced on the command line)
Work = tuple[Target, ScanOptions, "str | None"]


class InputError(Exception):
    """An explicitly named path cannot be read (exit 2)."""


class NullProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self, path: str) -> None:
        pass

    def finish(self) -> None:
        pass


def read_source(target: Target, cwd: Path, force_kind: str | None = None) -> SourceFile | Diagnostic:
    """Read and decode one file, or say precisely why it cannot be audited."""
    display = display_path(target.path, cwd)
    where = Location(display, Span.point(1))
    try:
        size = target.path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Diagnostic(where, f"file is {size / 1048576:.1f} MiB, over the 5 MiB limit; not audited")
        data = target.path.read_bytes()
    except OSError as exc:
        if target.explicit:
            raise InputError(f"{target.path}: cannot read: {exc.strerror or exc}") from exc
        return Diagnostic(where, f"cannot read file: {exc.strerror or exc}")
    if b"\0" in data[:8192]:
        return Diagnostic(where, "binary file (contains NUL bytes); not audited")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Diagnostic(
            Location(display, Span.point(line)), f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); not audited"
        )
    return SourceFile(path=target.path, display=display, text=text, kind=force_kind or target.kind)


def analyze_target(target: Target, options: ScanOptions, force_kind: str | None = None) -> FileResult:
    """One file -> its FileResult. Never raises for the file's content (picklable, for --jobs)."""
    from pinaudit.analyzers import get

    src = read_source(target, options.cwd, force_kind)
    if isinstance(src, Diagnostic):
        return FileResult(path=src.location.path, kind=force_kind or target.kind, diagnostics=(src,))
    try:
        return _with_spec_spans(get(src.kind).analyze(src, options))
    except RecursionError:
        msg = "input nests too deeply to analyse; not audited"
    except MemoryError:
        msg = "input too large to analyse; not audited"
    except Exception as exc:  # a bug of ours must not hide the rest of the scan
        msg = f"internal error while analysing this file ({type(exc).__name__}: {exc}); please report it"
    return FileResult(path=src.display, kind=src.kind, diagnostics=(Diagnostic(Location(src.display, Span.point(1)),
                                                                                msg),))


def _with_spec_spans(result: FileResult) -> FileResult:
    """Every site carries a spec span: where an analyzer had no spec to point at (a download, a
    package-less command), the insertion point right after its token."""
    if all(site.spec_span is not None for site in result.sites):
        return result
    from pinaudit.parse.spec_range import end_point

    return result._replace(sites=tuple(
        site if site.spec_span is not None else site._replace(spec_span=end_point(site.location.span))
        for site in result.sites
    ))
