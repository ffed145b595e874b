"""The default Python resolver: ``uv pip compile --exclude-newer T --no-config``.

uv comes from its PyPI package (a core dependency); its binary is found with
``uv.find_uv_bin()``, never on PATH, so the resolver is the one pinaudit was tested with. It
resolves for the Python version the base image implies and the target platform (``--python-version``,
``--python-platform``), from the site's own index options given explicitly, isolated from the
host's configuration (see :mod:`pinaudit.resolve._pip`). With extra indexes it merges versions
across indexes as pip does (``--index-strategy unsafe-best-match``), not uv's first-index rule.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from pinaudit.resolve._pip import (
    PipSettings,
    classify_failure,
    index_args,
    isolated_env,
    parse_pins,
    prepare,
    resolution,
    run,
    uv_platform,
)
from pinaudit.resolve.dates import format_instant
from pinaudit.resolve.interface import Outcome, PipRequest, ResolveError, Unresolved

__all__ = ["UvResolver", "find_uv"]


def find_uv() -> str:
    import uv

    return str(uv.find_uv_bin())


def uv_cache_args(s: PipSettings, *, refresh: bool = True) -> list[str]:
    """uv's cache options from the settings (``--cache-dir``, ``--offline``, ``--refresh``): one
    spelling for ``uv pip compile`` in simulate and lock and ``uv lock`` of a project."""
    argv = ["--cache-dir", str(s.cache_dir)] if s.cache_dir is not None else []
    if s.offline:
        argv.append("--offline")
    if refresh and s.refresh:
        argv.append("--refresh")
    return argv


def uv_env(s: PipSettings) -> dict[str, str]:
    """The environment uv runs with: isolated from the host's uv/pip configuration, the settings'
    timeout and retries, no progress output."""
    return isolated_env({"UV_HTTP_TIMEOUT": f"{max(1, round(s.timeout))}", "UV_HTTP_RETRIES": str(s.retries),
                         "UV_NO_PROGRESS": "1"}, s.environ)


class UvResolver:
    """:class:`~pinaudit.resolve.interface.Resolver` for pip requests, through uv."""

    name = "uv"

    def __init__(self, settings: PipSettings | None = None, *, binary: str | None = None) -> None:
        self.settings = settings or PipSettings()
        # found once, here: uv.find_uv_bin() reads sysconfig, whose first use is not thread-safe
        self._binary = binary or find_uv()

    def argv(self, request: PipRequest, inputs: Path, constraints: Path | None) -> list[str]:
        s = self.settings
        argv = [self._binary, "pip", "compile", "--no-config", "--no-header", "--no-annotate",
                "--no-python-downloads", "--python", sys.executable,
                "--python-version", request.python_version,
                "--python-platform", uv_platform(request.platform, request.musl),
                *index_args(request)]
        if request.extra_index_urls:
            argv += ["--index-strategy", "unsafe-best-match"]
        if request.at is not None:
            argv += ["--exclude-newer", format_instant(request.at)]
        if request.no_deps:
            argv.append("--no-deps")
        if constraints is not None:
            argv += ["--constraint", str(constraints)]
        argv += uv_cache_args(s)
        argv.append(str(inputs))
        return argv

    def resolve(self, request: PipRequest) -> Outcome:
        s = self.settings
        env = uv_env(s)
        with tempfile.TemporaryDirectory(prefix="pinaudit-uv-") as tmp:
            try:
                prepared = prepare(request, Path(tmp))
            except ResolveError as exc:
                return Unresolved(str(exc))
            code, out, err = run(self.argv(request, prepared.inputs, prepared.constraints), env=env,
                                 timeout=s.process_timeout)
        if code != 0:
            return classify_failure(err, request.index_url or "")
        return resolution(parse_pins(out))
