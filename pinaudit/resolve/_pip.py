"""What the two Python resolver adapters share: the isolated environment, the input files, the
output parser and the reading of failures.

Isolation (SPEC §7): a container build never sees the host's pip configuration, and a host's
find-links or ``file://`` indexes have no upload times, so they would leak today's files into the
past. Both resolvers therefore run with every ``PIP_*``/``UV_*``/``PIPTOOLS_*`` variable removed,
``PIP_CONFIG_FILE`` set to the null device (pip then reads no configuration file at all), their own
configuration files switched off (``--no-config``), in an empty temporary folder (no
``pyproject.toml`` or ``uv.toml`` to pick up), with the site's index options given explicitly.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pinaudit.resolve.interface import Package, PipRequest, Resolution, ResolveError, Unresolved

__all__ = ["PipSettings", "Prepared", "classify_failure", "isolated_env", "parse_pins", "prepare", "run"]

_SCRUB = ("PIP_", "UV_", "PIPTOOLS_", "CUSTOM_COMPILE_COMMAND", "VIRTUAL_ENV", "CONDA_PREFIX")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([^\s;\\#]+)")
# what uv and pip say when they could not reach an index (connection, DNS, TLS, timeouts, 5xx)
_NETWORK = re.compile(
    r"Connection refused|error sending request|tcp connect error|dns error|failed to lookup address|"
    r"NewConnectionError|Failed to establish a new connection|Max retries exceeded|ConnectTimeout|"
    r"ReadTimeout|timed out|operation timed out|certificate verify failed|SSLError|"
    r"Temporary failure in name resolution|Name or service not known|HTTP status server error|"
    r"status code 5\d\d|50[0-4] Server Error|Could not fetch URL|offline mode|--offline|"
    r"Network connectivity is disabled",
    re.IGNORECASE)
_NO_TIMES = re.compile(r"is missing an upload date|no upload time|upload-time", re.IGNORECASE)


def isolated_env(extra: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment without any pip/uv configuration, pip's config files off."""
    base = os.environ if environ is None else environ
    env = {k: v for k, v in base.items() if not k.upper().startswith(_SCRUB)}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class PipSettings:
    """How the resolver subprocesses reach the network: their own cache folder (None: the
    resolver's default), offline/refresh as the HTTP transport has them, timeouts and retries."""

    cache_dir: Path | None = None
    offline: bool = False
    refresh: bool = False
    timeout: float = 20.0  # one request
    retries: int = 2
    process_timeout: float = 600.0  # one resolution in all
    environ: Mapping[str, str] | None = None  # None: os.environ (scrubbed)


@dataclass(frozen=True)
class Prepared:
    folder: Path
    inputs: Path  # the requirements input file
    constraints: Path | None


def prepare(request: PipRequest, folder: Path) -> Prepared:
    """Write the request as a requirements input (its own lines, ``-r`` for each file) and a
    constraints file, in ``folder``."""
    lines = [*request.requirements, *(f"-r {Path(f).resolve()}" for f in request.files)]
    if not lines:
        raise ResolveError("nothing to resolve")
    inputs = folder / "requirements.in"
    inputs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    constraints = None
    if request.constraints or request.constraint_files:
        constraints = folder / "constraints.txt"
        constraints.write_text("\n".join([*request.constraints,
                                          *(f"-c {Path(f).resolve()}" for f in request.constraint_files)]) + "\n",
                               encoding="utf-8")
    return Prepared(folder, inputs, constraints)


class _Indexes(Protocol):
    """What the index options are read from: a resolve request or a lock's compile request."""

    @property
    def index_url(self) -> str | None: ...
    @property
    def extra_index_urls(self) -> tuple[str, ...]: ...


def index_args(request: _Indexes) -> list[str]:
    """The site's own index options, given explicitly (the host's pip configuration is never read)."""
    if request.index_url is None:
        return ["--no-index"]
    args = ["--index-url", request.index_url]
    for url in request.extra_index_urls:
        args += ["--extra-index-url", url]
    return args


def parse_pins(text: str) -> list[tuple[str, str]]:
    """``name==version`` lines of a compiled requirements file (comments, options, hashes and
    annotations skipped); names PEP 503-normalised."""
    from packaging.utils import canonicalize_name

    out: list[tuple[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "-")):
            continue
        m = _PIN.match(line)
        if m:
            out.append((canonicalize_name(m.group(1)), m.group(2)))
    return out


def resolution(pins: Sequence[tuple[str, str]], notes: Sequence[str] = ()) -> Resolution:
    merged = dict(pins)
    return Resolution(tuple(Package(n, v) for n, v in sorted(merged.items())), tuple(notes))


def classify_failure(stderr: str, index: str) -> Unresolved:
    """A resolver's failure as a value: unreachable (exit 3) or an answer (no solution)."""
    from pinaudit.index.http import mask_url

    text = _strip_traceback(stderr)
    shown = mask_url(index) if index else ""
    if _NETWORK.search(text):
        return Unresolved(f"the index could not be reached: {_gist(text)}", unreachable=True, index=shown)
    if _NO_TIMES.search(text) and "missing an upload date" in text:
        return Unresolved("the index gives no upload times: its state at that instant cannot be known "
                          f"({_gist(text)})", index=shown)
    return Unresolved(_gist(text) or "the resolver failed without a message", index=shown)


def _strip_traceback(text: str) -> str:
    if "Traceback (most recent call last)" not in text:
        return text
    lines = text.splitlines()
    errors = [ln.strip() for ln in lines if ln.strip().startswith("ERROR:")]
    if errors:  # pip's own message, before pip-tools' traceback
        return "\n".join(errors)
    # the exception line is the last non-indented one
    tail = [ln for ln in lines if ln and not ln.startswith((" ", "Traceback"))]
    return "\n".join(tail[-3:])


def _gist(text: str) -> str:
    """The resolver's own words, on one line, without noise (warnings about retries, hints)."""
    from pinaudit.index.http import mask_url

    keep: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.lower().startswith(("warning:", "hint:", "resolved ", "using ")):
            continue
        line = re.sub(r"^(error|cause|ERROR):\s*", "", line)
        line = re.sub(r"^[a-zA-Z_.]+(Error|Exception|NotFound): ", "", line)
        keep.append(line)
    gist = "; ".join(dict.fromkeys(keep))
    gist = re.sub(r"https?://\S+", lambda m: mask_url(m.group(0)), gist)
    return gist[:400]


def run(argv: Sequence[str], *, env: Mapping[str, str], timeout: float) -> tuple[int, str, str]:
    """Run a resolver in an empty folder of its own (no project configuration to find)."""
    with tempfile.TemporaryDirectory(prefix="pinaudit-run-") as cwd:
        try:
            proc = subprocess.run(list(argv), cwd=cwd, env=dict(env), capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return 124, "", f"the resolver did not finish within {timeout:.0f} s (timed out)"
        except OSError as exc:
            return 127, "", f"the resolver could not be started: {exc}"
    return proc.returncode, proc.stdout, proc.stderr


def uv_platform(platform: str, musl: bool) -> str:
    """``--platform linux/arm64`` as uv's ``--python-platform`` target triple."""
    arch = platform.split("/")[1] if "/" in platform else platform
    machine = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64",
               "386": "i686", "ppc64le": "powerpc64le", "s390x": "s390x", "arm": "armv7"}.get(arch, arch)
    libc = "musl" if musl else "gnu"
    if machine == "armv7":
        return f"armv7-unknown-linux-{libc}eabihf"
    return f"{machine}-unknown-linux-{libc}"
