"""The second Python resolver: pip-tools' ``pip-compile`` with pip >= 26's ``--uploaded-prior-to``.

pip-tools (a core dependency) runs as ``python -m piptools compile`` with the interpreter running
pinaudit, on the pip installed beside it; pip 26 added ``--uploaded-prior-to`` and pip-tools 7.7
passes it through. Isolation as for uv (:mod:`pinaudit.resolve._pip`), plus ``--no-config`` for
pip-tools' own configuration files.

Limits said in the resolution's notes rather than hidden: pip-tools resolves for the interpreter
that runs it (its markers and wheel tags), so a request for another Python version or platform is
answered for this one's; and it has no ``--no-deps``, so the named packages' versions then come
from a full resolution.
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
)
from pinaudit.resolve.dates import format_instant
from pinaudit.resolve.interface import Outcome, PipRequest, ResolveError, Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.index.http import Transport

__all__ = ["PipToolsResolver", "pip_supports_uploaded_prior_to"]


def pip_supports_uploaded_prior_to() -> bool:
    from importlib.metadata import PackageNotFoundError, version

    from packaging.version import Version

    try:
        return Version(version("pip")) >= Version("26")
    except (PackageNotFoundError, ValueError):
        return False


class PipToolsResolver:
    name = "pip-tools"

    def __init__(self, settings: PipSettings | None = None, *, python: str | None = None,
                 transport: Transport | None = None) -> None:
        self.settings = settings or PipSettings()
        self._python = python or sys.executable
        self._transport = transport  # to tell "unreachable" from "no such version" (pip says neither)

    def argv(self, request: PipRequest, inputs: Path, constraints: Path | None) -> list[str]:
        s = self.settings
        argv = [self._python, "-m", "piptools", "compile", "--no-config", "--no-header", "--no-annotate",
                "--no-emit-index-url", "--no-emit-trusted-host", "--quiet", "--output-file", "-",
                *index_args(request)]
        if request.at is not None:
            argv += ["--uploaded-prior-to", format_instant(request.at)]
        if constraints is not None:
            argv += ["--constraint", str(constraints)]
        if s.cache_dir is not None:
            argv += ["--cache-dir", str(s.cache_dir)]
        if s.refresh:
            argv.append("--rebuild")
        pip_args = [f"--retries {s.retries}", f"--timeout {max(1, round(s.timeout))}"]
        argv += ["--pip-args", " ".join(pip_args)]
        argv.append(str(inputs))
        return argv

    def resolve(self, request: PipRequest) -> Outcome:
        s = self.settings
        if request.at is not None and not pip_supports_uploaded_prior_to():
            return Unresolved("the pip-tools resolver needs pip >= 26 (--uploaded-prior-to) to resolve in the past")
        if s.offline:
            return Unresolved("the pip-tools resolver cannot work offline; use --resolver uv", unreachable=True)
        notes: list[str] = []
        running = f"{sys.version_info.major}.{sys.version_info.minor}"
        if request.python_version != running:
            notes.append(f"pip-tools resolves for the Python running it ({running}), not {request.python_version}")
        if request.no_deps:
            notes.append("pip-tools has no --no-deps: versions from a full resolution")
        with tempfile.TemporaryDirectory(prefix="pinaudit-piptools-") as tmp:
            try:
                prepared = prepare(request, Path(tmp))
            except ResolveError as exc:
                return Unresolved(str(exc))
            code, out, err = run(self.argv(request, prepared.inputs, prepared.constraints),
                                 env=isolated_env(None, s.environ), timeout=s.process_timeout)
        if code != 0:
            failure = classify_failure(err, request.index_url or "")
            if not failure.unreachable and "from versions: none" in err:
                return self._probe(request, err) or failure
            return failure
        pins = parse_pins(out)
        if request.no_deps:
            from packaging.requirements import InvalidRequirement, Requirement
            from packaging.utils import canonicalize_name

            named = set()
            for line in request.requirements:
                try:
                    named.add(canonicalize_name(Requirement(line).name))
                except InvalidRequirement:
                    continue
            pins = [(n, v) for n, v in pins if n in named]
        return resolution(pins, notes)

    def _probe(self, request: PipRequest, err: str) -> Unresolved | None:
        """pip reports an index it could not reach as "from versions: none": ask the index for the
        project pip named, through the transport, and say which it was."""
        import re

        if self._transport is None or request.index_url is None:
            return None
        m = re.search(r"satisfies the requirement ([A-Za-z0-9._-]+)", err)
        if not m:
            return None
        from pinaudit.index.interface import IndexFailure
        from pinaudit.index.pypi import SimpleIndex

        for url in (request.index_url, *request.extra_index_urls):
            got = SimpleIndex(url, self._transport).project(m.group(1))
            if isinstance(got, IndexFailure) and got.unreachable:
                return Unresolved(f"the index could not be reached: {got.reason}", unreachable=True,
                                  index=got.url)
        return None
