"""``pinaudit fix`` at the edge: arguments -> options, scan, plan, then a diff or one atomic write.

Exit codes: 0 every selected site was fixed or needed nothing; 1 some were left (each listed on
stderr with its reason); 3 an index could not be reached (nothing written; 3 outranks 1); 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from pinaudit.writer.fix import FixPlan, VersionSource, describe_left, plan_fix, render_diff, select_sites

EXIT_CLEAN, EXIT_LEFT, EXIT_USAGE, EXIT_INDEX = 0, 1, 2, 3
ECOSYSTEMS = ("apt", "pip", "npm", "apk", "image", "yum", "gem", "go", "cargo", "download")

__all__ = ["finish", "run_fix"]


def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


def _instant(args: argparse.Namespace, now: datetime) -> datetime | None:
    from datetime import timedelta

    from pinaudit.resolve.dates import parse_instant

    if args.at and args.cooldown:
        raise ValueError("--at and --cooldown both choose the instant; give one")
    if args.at:
        return None if args.at.strip().lower() == "now" else parse_instant(args.at, now=now)
    if args.cooldown:
        at = parse_instant(args.cooldown, now=now)
        if at >= now:
            raise ValueError(f"--cooldown {args.cooldown!r}: expected an age such as 7d or 2w")
        return at if at < now - timedelta(seconds=1) else None
    return None


def run_fix(args: argparse.Namespace, usage_error: type[Exception], *, stdout: TextIO | None = None,
            source: Callable[[Any], VersionSource] | None = None) -> int:
    """The command. ``source`` builds the version source from the run's context (tests hand in a
    stub); by default the indexes, behind the hashed requirements files already there."""
    from pinaudit.app import scan
    from pinaudit.config import ConfigError, load_config
    from pinaudit.work import InputError

    out = stdout or sys.stdout
    cwd = Path.cwd()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    ecosystems = None
    if args.ecosystem:
        ecosystems = frozenset(e.strip() for e in args.ecosystem.split(",") if e.strip())
        unknown = sorted(ecosystems - set(ECOSYSTEMS))
        if unknown:
            raise usage_error(f"--ecosystem: unknown {', '.join(unknown)} (known: {', '.join(ECOSYSTEMS)})")
    if args.apt_strategy == "snapshot" and not args.debian_snapshot:
        raise usage_error("--apt-strategy snapshot needs a snapshot service: pass --debian-snapshot URL or set "
                          "debian-snapshot in the configuration")
    if args.apt_strategy == "snapshot":
        raise usage_error("--apt-strategy snapshot is not available yet in this version; use the default "
                          "(pin) strategy")
    for name in ("pypi_index", "npm_registry", "debian_mirror", "debian_security_mirror", "debian_snapshot",
                 "image_registry", "alpine_mirror"):
        value = getattr(args, name)
        if value and not value.startswith(("http://", "https://")):
            raise usage_error(f"--{name.replace('_', '-')} {value!r}: expected an http(s) URL")
    if args.jobs < 1:
        raise usage_error("--jobs must be at least 1")
    try:
        at = _instant(args, now)
        build_args = {k: v for k, _eq, v in (a.partition("=") for a in args.build_arg)}
        config = load_config(cwd, args.config).merged(select=_codes(args.select), ignore=_codes(args.ignore),
                                                       build_args=build_args or None)
    except (ConfigError, ValueError) as exc:
        raise usage_error(str(exc)) from exc
    paths = args.paths or [Path(".")]
    context = args.context.resolve() if args.context else None
    try:
        result = scan(paths, config, cwd=cwd, context=context)
    except InputError as exc:
        raise usage_error(str(exc)) from exc
    sites = select_sites(result.report.findings, result.report.sites, ecosystems)

    def read(path: str) -> bytes:
        return (cwd / path).read_bytes()

    if source is not None:
        plan = plan_fix(sites, source(None), read)
    else:
        plan = _with_indexes(args, paths, config, sites, read, at=at, now=now, cwd=cwd, context=context)
    return finish(plan, dry_run=args.dry_run, quiet=args.quiet, cwd=cwd, roots=paths, out=out)


def _with_indexes(args: argparse.Namespace, paths: Sequence[Path], config: Any, sites: Sequence[Any],
                  read: Callable[[str], bytes], *, at: datetime | None, now: datetime, cwd: Path,
                  context: Path | None) -> FixPlan:
    from pinaudit.index.http import Transport
    from pinaudit.online import OnlineOptions, http_settings
    from pinaudit.resolve._pip import PipSettings
    from pinaudit.simulation.model import Host, SimulateOptions
    from pinaudit.writer.versions import HOST, HashedRequirements, IndexVersions

    settings = http_settings(timeout=args.timeout or config.timeout, offline=args.offline, refresh=args.refresh,
                             cache_max_mb=config.cache_max_mb)
    online = OnlineOptions.from_config(
        config, pypi_index=args.pypi_index, npm_registry=args.npm_registry, debian_mirror=args.debian_mirror,
        debian_security_mirror=args.debian_security_mirror, debian_snapshot=args.debian_snapshot,
        debian_suite=args.debian_suite, debian_keyring=args.debian_keyring, image_registry=args.image_registry,
        alpine_mirror=args.alpine_mirror, alpine_branch=args.alpine_branch,
        platform=args.platform, http=settings)
    pip = PipSettings(cache_dir=settings.cache_dir.parent / "resolvers" if settings.cache_dir else None,
                      offline=args.offline, refresh=args.refresh, timeout=settings.read_timeout,
                      retries=settings.retries)
    host = Host(HOST, at or now, now=at is None)
    ecosystems = frozenset(e.strip() for e in args.ecosystem.split(",")) if args.ecosystem else None
    options = SimulateOptions((host,), online, pip, now, ecosystems, args.resolver, args.python_version,
                              args.platform or "linux/amd64", args.jobs, context)
    with Transport(settings) as transport:
        source = HashedRequirements(IndexVersions(paths, config, options, transport=transport, cwd=cwd), cwd)
        return plan_fix(sites, source, read)


def finish(plan: FixPlan, *, dry_run: bool, quiet: bool, cwd: Path, roots: Sequence[Path],
           out: TextIO, err: TextIO | None = None) -> int:
    """Show or write the plan; the exit code."""
    from pinaudit.writer.atomic import UnsafeWrite, check_target, write_group

    err = err or sys.stderr
    bases = [cwd / r if (cwd / r).is_dir() else (cwd / r).parent for r in roots]
    unsafe: dict[str, str] = {}
    for f in plan.files:
        try:
            check_target(cwd / f.path, bases)
        except (UnsafeWrite, OSError) as exc:
            unsafe[f.path] = f"not written: {exc}"
    plan = plan.without(unsafe)
    for site, why in plan.left:
        print(f"pinaudit: left {describe_left(site, why)}", file=err)
    if plan.unreachable:
        if not quiet:
            print(f"pinaudit: {plan.summary()}", file=err)
        return EXIT_INDEX
    if dry_run:
        for line in render_diff(plan):
            out.write(line)
        out.flush()
    elif plan.files:
        write_group([(cwd / f.path, f.before, f.after) for f in plan.files], bases)
    if not quiet:
        print(f"pinaudit: {'would have ' if dry_run else ''}{plan.summary()}", file=err)
    return EXIT_LEFT if plan.left else EXIT_CLEAN
