"""simulate's progress bar: rich, on stderr, shown on a terminal (a pseudo-terminal here, through
the ``pty`` module) and never with ``--no-progress`` or when stderr is a pipe; stdout (the report)
never carries it."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import lay_out
from tests.indexes.history import fill_pypi
from tests.indexes.servers import PypiServer

FILES = {"Dockerfile": "FROM python:3.11-slim\nRUN pip install requests\nRUN pip install flask==2.2.2\n"}


def _simulate(root: Path, pypi: PypiServer, *extra: str, terminal: bool) -> tuple[int, bytes, bytes]:
    """Run simulate in a child process, its stderr on a pseudo-terminal or a pipe; stdout a pipe."""
    import pty

    lay_out(root, FILES)
    argv = [sys.executable, "-m", "pinaudit", "simulate", ".", "--cached-at", "2023-01-01", "--fresh-at", "2024-06-01",
            "--pypi-index", pypi.url, "--ecosystem", "pip", "--jobs", "1", *extra]
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        env.pop(name, None)
    if not terminal:
        proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, timeout=300, stdin=subprocess.DEVNULL)
        return proc.returncode, proc.stdout, proc.stderr
    master, slave = pty.openpty()
    try:
        child = subprocess.Popen(argv, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=slave)
        os.close(slave)
        err = bytearray()
        assert child.stdout is not None
        out = bytearray()
        streams = {master: err, child.stdout.fileno(): out}
        while streams:
            ready, _w, _x = select.select(list(streams), [], [], 300)
            assert ready, "simulate hung"
            for fd in ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the pseudo-terminal's other end closed (Linux: EIO)
                    chunk = b""
                if chunk:
                    streams[fd] += chunk
                else:
                    del streams[fd]
        return child.wait(timeout=60), bytes(out), bytes(err)
    finally:
        os.close(master)


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_a_terminal_sees_the_progress_bar_on_stderr(tmp_path: Path, pypi: PypiServer, isolated_env: Path) -> None:
    fill_pypi(pypi)
    pypi.delay = 0.2  # every answer a little slow: the run outlasts the bar's half-second delay
    code, out, err = _simulate(tmp_path, pypi, terminal=True)
    assert code == 1, err.decode(errors="replace")
    assert b"resolving" in err and b"/4" in err  # rich's bar: the description and "done/total"
    assert b"\x1b[" not in out and b"resolving" not in out  # the report stays clean
    assert b"requests" in out


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_no_progress_and_a_pipe_show_none(tmp_path: Path, pypi: PypiServer, isolated_env: Path) -> None:
    fill_pypi(pypi)
    code, out, err = _simulate(tmp_path, pypi, "--no-progress", terminal=True)
    assert code == 1 and b"requests" in out
    assert b"resolving" not in err and b"\x1b[" not in err
    code, out, err = _simulate(tmp_path, pypi, terminal=False)
    assert code == 1 and b"requests" in out
    assert b"resolving" not in err and b"\x1b[" not in err
