"""``pinaudit simulate`` at the edge: arguments -> options, one call to the core, render, exit code.

Exit codes: 0 no drift, 1 drift, 3 an index needed for the answer could not be reached (what was
resolved is still printed, marked incomplete; 3 outranks 1), 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

from pinaudit.simulation.installs import Install
from pinaudit.simulation.model import Host

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.config import Config
    from pinaudit.index.http import Transport
    from pinaudit.index.settings import HttpSettings
    from pinaudit.simulation.model import Simulation

EXIT_CLEAN, EXIT_DRIFT, EXIT_USAGE, EXIT_INDEX = 0, 1, 2, 3
ECOSYSTEMS = ("apt", "pip", "npm", "apk", "image", "yum", "gem", "go", "cargo", "download", "conda")


def hosts_from_args(args: argparse.Namespace, now: datetime) -> tuple[Host, ...]:
    """The hosts the options name; ValueError with a usage message when they do not add up."""
    from pinaudit.resolve.dates import parse_instant

    def host(name: str, text: str) -> Host:
        return Host(name, parse_instant(text, now=now), now=text.strip().lower() == "now")

    if args.host:
        if args.cached_at or args.cache_from_git or args.fresh_at:
            raise ValueError("--host replaces --cached-at, --fresh-at and --cache-from-git; use one or the other")
        out: list[Host] = []
        for item in args.host:
            name, eq, when = item.partition("=")
            if not eq or not name.strip() or not when.strip():
                raise ValueError(f"--host {item!r}: expected NAME=DATE (laptop=2024-03-01, ci=now)")
            if any(h.name == name.strip() for h in out):
                raise ValueError(f"--host {name!r} given twice")
            out.append(host(name.strip(), when))
        if len(out) < 2:
            raise ValueError("name at least two hosts to compare (--host laptop=2024-03-01 --host ci=now)")
        return tuple(out)
    fresh = host("fresh", args.fresh_at or "now")
    if args.cache_from_git:
        if args.cached_at:
            raise ValueError("--cache-from-git infers the cached dates; drop --cached-at")
        return (Host("cached", None, from_git=True), fresh)
    if not args.cached_at:
        raise ValueError("say when the cached host built: --cached-at DATE, --host NAME=DATE ... or "
                         "--cache-from-git")
    return (host("cached", args.cached_at), fresh)


class GitDates:
    """``--cache-from-git``: each install's cached instant (its layer's, or its file's last commit)."""

    def __init__(self, cwd: Path, context: Path | None, config: Config | None = None) -> None:
        self.cwd = cwd
        self.context = context
        self.config = config  # its build contexts, when --context names none
        self._layers: dict[str, dict[int, datetime]] = {}

    def __call__(self, install: Install) -> datetime | None:
        from pinaudit.simulation.gitcache import layer_cache_dates

        path = self.cwd / install.path
        if install.layer is not None:
            if install.path not in self._layers:
                configured = self.config.context_for(path, cwd=self.cwd) if self.config is not None else None
                found = layer_cache_dates(path, self.context or configured or path.parent)
                self._layers[install.path] = {i: c.date for i, c in found.items()}
            return self._layers[install.path].get(install.layer)
        return _last_commit(path)


def _last_commit(path: Path) -> datetime | None:
    from pinaudit.simulation.gitcache import _git

    out = _git(path.parent, "log", "-1", "--format=%ct", "--", path.name).strip()
    return datetime.fromtimestamp(int(out), tz=timezone.utc) if out else None


class LazyTransport:
    """The HTTP transport, made on first use, in whichever thread needs it first: importing
    ``requests`` and building the session is a tenth of a second, which a run answered from the
    result cache never spends, and a cold run spends while the resolver works."""

    def __init__(self, settings: HttpSettings) -> None:
        self.settings = settings
        self._made: Transport | None = None
        self._lock = threading.Lock()

    def _transport(self) -> Transport:
        with self._lock:
            if self._made is None:
                from pinaudit.index.http import Transport

                self._made = Transport(self.settings)
            return self._made

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport(), name)

    def close(self) -> None:
        with self._lock:
            if self._made is not None:
                self._made.close()


def run_simulate(args: argparse.Namespace, usage_error: type[Exception],
                 write_file: Callable[[Path, Iterable[str]], None]) -> int:
    """The command; ``usage_error`` and ``write_file`` (atomic) are the command line's own."""
    from pinaudit.config import ConfigError, load_config, parse_build_args
    from pinaudit.online import OnlineOptions, http_settings
    from pinaudit.output.simulation import summary
    from pinaudit.resolve._pip import PipSettings
    from pinaudit.simulation.gitcache import GitError
    from pinaudit.simulation.model import SimulateOptions
    from pinaudit.simulation.run import simulate

    cwd = Path.cwd()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    try:
        hosts = hosts_from_args(args, now)
    except ValueError as exc:
        raise usage_error(str(exc)) from None
    from pinaudit.model import parse_ecosystems

    try:
        ecosystems = parse_ecosystems(args.ecosystem, ECOSYSTEMS)
    except ValueError as exc:
        raise usage_error(str(exc)) from None
    if args.timeout is not None and args.timeout <= 0:
        raise usage_error("--timeout must be a positive number of seconds")
    if args.jobs < 1:
        raise usage_error("--jobs must be at least 1")
    for name in ("pypi_index", "npm_registry", "debian_mirror", "debian_security_mirror", "debian_snapshot",
                 "alpine_mirror"):
        value = getattr(args, name)
        if value and not value.startswith(("http://", "https://")):
            raise usage_error(f"--{name.replace('_', '-')} {value!r}: expected an http(s) URL")
    try:
        config = load_config(cwd, args.config).merged(build_args=parse_build_args(args.build_arg))
    except (ConfigError, ValueError) as exc:
        raise usage_error(str(exc)) from exc
    settings = http_settings(timeout=args.timeout or config.timeout, offline=args.offline, refresh=args.refresh,
                             cache_max_mb=config.cache_max_mb)
    online = OnlineOptions.from_args(config, args, platform=args.platform, http=settings)
    pip = PipSettings(cache_dir=settings.cache_dir.parent / "resolvers" if settings.cache_dir else None,
                      offline=args.offline, refresh=args.refresh, timeout=settings.read_timeout,
                      retries=settings.retries)
    options = SimulateOptions(hosts, online, pip, now, ecosystems, args.resolver, args.python_version, args.platform,
                              args.jobs, args.context.resolve() if args.context else None,
                              settings.cache_dir.parent / "results" if settings.cache_dir else None)
    progress = None
    if not args.no_progress and not args.quiet and sys.stderr.isatty():
        from pinaudit._progress import RichProgress

        progress = RichProgress(threshold=1, description="resolving", delay=0.5)
    layer_dates = GitDates(cwd, options.context, config) if args.cache_from_git else None
    from pinaudit.work import InputError

    transport = LazyTransport(settings)
    try:
        sim = simulate(args.paths or [Path(".")], config, options, transport=cast("Transport", transport), cwd=cwd,
                       progress=progress, layer_dates=layer_dates)
    except (InputError, GitError) as exc:
        raise usage_error(str(exc)) from exc
    finally:
        transport.close()
    text = render(args.format, sim)
    if args.output and args.output != "-":
        write_file(Path(args.output), [text])
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if not args.quiet and (args.format != "text" or args.output):
        print(f"pinaudit: {summary(sim)}", file=sys.stderr)
    if sim.incomplete:
        for u in sim.unresolved:
            if u.unreachable:
                print(f"pinaudit: {u.path}:{u.line}: {u.ecosystem} {u.package or ''} ({u.host}): {u.reason}",
                      file=sys.stderr)
        return EXIT_INDEX
    return EXIT_DRIFT if sim.drifting else EXIT_CLEAN


def render(fmt: str, sim: Simulation) -> str:
    """The report in ``fmt`` (text, json, html); the HTML renderer, and Jinja2, load only for html."""
    if fmt == "html":
        from pinaudit.output.html_simulation import render_simulation

        return render_simulation(sim)
    from pinaudit.output.simulation import render_json, render_text

    return render_json(sim) if fmt == "json" else render_text(sim)
