"""The backends that compile one input into pinned requirements with hashes.

uv (default): ``uv pip compile --generate-hashes --no-config``, isolated from the host's pip and uv
configuration exactly as the resolve layer runs it (:func:`pinaudit.resolve._pip.isolated_env`),
for the target's Python version and platform, never the machine's. It runs in the input's own
folder with the input's relative name, so the ``# via -r requirements.in`` annotations name the
file as a reviewer knows it (``--no-config`` keeps any ``pyproject.toml``/``uv.toml`` there unread).

pip-tools (``--resolver pip-tools``): ``python -m piptools compile --generate-hashes`` resolves for
the interpreter it runs under, so it needs that Python version installed with pip-tools; a missing
one is an :class:`~pinaudit.resolve.interface.Unresolved` value saying so.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pinaudit.resolve._pip import PipSettings, classify_failure, index_args, isolated_env, uv_platform
from pinaudit.resolve.dates import format_instant
from pinaudit.resolve.interface import Unresolved

__all__ = ["CompileRequest", "Compiled", "compile_requirements"]


@dataclass(frozen=True)
class CompileRequest:
    input: Path  # absolute
    python_version: str
    platforms: tuple[str, ...]  # "linux/amd64"; several: one universal lock (uv)
    musl: bool
    index_url: str | None
    extra_index_urls: tuple[str, ...] = ()
    at: datetime | None = None
    backend: str = "uv"


@dataclass(frozen=True)
class Compiled:
    body: str  # the entries, pip-compile's format, without a header


def compile_requirements(req: CompileRequest, settings: PipSettings) -> Compiled | Unresolved:
    if req.backend == "pip-tools":
        return _piptools(req, settings)
    return _uv(req, settings)


def _uv(req: CompileRequest, s: PipSettings) -> Compiled | Unresolved:
    from pinaudit.resolve.uv import find_uv, uv_cache_args, uv_env

    argv = [find_uv(), "pip", "compile", "--no-config", "--generate-hashes", "--no-header", "--quiet",
            "--no-python-downloads", "--python", sys.executable, "--python-version", req.python_version,
            *index_args(req)]
    if len(req.platforms) > 1:
        argv.append("--universal")  # one lock with markers for every platform named
    else:
        argv += ["--python-platform", uv_platform(req.platforms[0], req.musl)]
    if req.extra_index_urls:
        argv += ["--index-strategy", "unsafe-best-match"]
    if req.at is not None:
        argv += ["--exclude-newer", format_instant(req.at)]
    argv += uv_cache_args(s)
    argv.append(req.input.name)
    env = uv_env(s)
    code, out, err = run_resolver(argv, req.input.parent, env, s.process_timeout)
    if code != 0:
        return classify_failure(err, req.index_url or "")
    return Compiled(out)


def _piptools(req: CompileRequest, s: PipSettings) -> Compiled | Unresolved:
    python = _interpreter(req.python_version)
    if python is None:
        return Unresolved(f"pip-tools resolves for the interpreter it runs under, and Python {req.python_version} "
                          "is not installed here; install it or use --resolver uv")
    if not sys.platform.startswith("linux") or len(req.platforms) > 1 or req.musl:
        # pip-compile evaluates markers and wheel tags for the machine it runs on
        return Unresolved(f"pip-tools resolves for this machine ({sys.platform}), not for "
                          f"{', '.join(req.platforms)}{' musl' if req.musl else ''}; use --resolver uv")
    if req.at is not None:
        return Unresolved("pip-tools cannot lock as of a date here (use --resolver uv for --at/--cooldown)")
    argv = [python, "-m", "piptools", "compile", "--generate-hashes", "--no-header", "--quiet",
            "--no-emit-index-url", "--output-file", "-", *index_args(req), req.input.name]
    if s.cache_dir is not None:
        argv += ["--cache-dir", str(s.cache_dir / "pip-tools")]
    env = isolated_env({"PIP_DEFAULT_TIMEOUT": f"{max(1, round(s.timeout))}", "PIP_RETRIES": str(s.retries)},
                       s.environ)
    code, out, err = run_resolver(argv, req.input.parent, env, s.process_timeout)
    if code != 0:
        if "No module named piptools" in err:
            return Unresolved(f"pip-tools is not installed for Python {req.python_version} ({python})")
        return classify_failure(err, req.index_url or "")
    return Compiled(out)


def _interpreter(version: str) -> str | None:
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    found = shutil.which(f"python{version}")
    if found is None:
        return None
    # a version manager's shim is on PATH even when that version is not selected: ask it
    code, out, _err = run_resolver([found, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], Path.cwd(),
                           isolated_env(), 30)
    return found if code == 0 and out.strip() == version else None


def run_resolver(argv: Sequence[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int, str, str]:
    try:
        proc = subprocess.run(list(argv), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return 124, "", f"the resolver did not finish within {timeout:.0f} s (timed out)"
    except OSError as exc:
        return 127, "", f"the resolver could not be started: {exc}"
    return proc.returncode, proc.stdout, proc.stderr
