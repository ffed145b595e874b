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
ECOSYSTEMS = ("apt", "pip", "npm", "apk", "image", "yum", "gem", "go", "cargo", "download", "conda")

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
    stub); by default the indexes, behind the locks already there (``pinaudit.lock``, hashed
    requirements files) unless ``--at``/``--cooldown`` chose another instant."""
    from pinaudit.app import scan
    from pinaudit.config import ConfigError, load_config
    from pinaudit.work import InputError

    out = stdout or sys.stdout
    cwd = Path.cwd()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    from pinaudit.model import parse_ecosystems

    try:
        ecosystems = parse_ecosystems(args.ecosystem, ECOSYSTEMS)
    except ValueError as exc:
        raise usage_error(str(exc)) from None
    for name in ("pypi_index", "npm_registry", "debian_mirror", "debian_security_mirror", "debian_snapshot",
                 "ubuntu_snapshot", "image_registry", "alpine_mirror", "rpm_repo"):
        values = getattr(args, name)
        for value in values if isinstance(values, list) else [values]:
            if value and not value.startswith(("http://", "https://")):
                raise usage_error(f"--{name.replace('_', '-')} {value!r}: expected an http(s) URL")
    if args.jobs < 1:
        raise usage_error("--jobs must be at least 1")
    try:
        at = _instant(args, now)
        build_args = {k: v for k, _eq, v in (a.partition("=") for a in args.build_arg)}
        config = load_config(cwd, args.config).merged(select=_codes(args.select), ignore=_codes(args.ignore),
                                                       build_args=build_args or None)
        from pinaudit.rules import all_rules

        for code in (*config.select, *config.ignore):
            if not any(k.startswith(code) for k in all_rules()):
                raise ValueError(f"unknown rule code or prefix {code!r} (see 'pinaudit rules')")
    except (ConfigError, ValueError) as exc:
        raise usage_error(str(exc)) from exc
    snapshot_url = args.debian_snapshot or config.debian_snapshot
    ubuntu_url = args.ubuntu_snapshot or config.ubuntu_snapshot
    if args.apt_strategy == "snapshot" and not (snapshot_url or ubuntu_url):
        raise usage_error("--apt-strategy snapshot needs a snapshot service: pass --debian-snapshot URL (Debian "
                          "stages) or --ubuntu-snapshot URL (Ubuntu stages), or set debian-snapshot / "
                          "ubuntu-snapshot in the configuration")
    paths = args.paths or [Path(".")]
    context = args.context.resolve() if args.context else None
    try:
        result = scan(paths, config, cwd=cwd, context=context)
    except InputError as exc:
        raise usage_error(str(exc)) from exc
    sites = select_sites(result.report.findings, result.report.sites, ecosystems)

    def read(path: str) -> bytes:
        return (cwd / path).read_bytes()

    extra: dict[str, Any] = {}
    if args.apt_strategy == "snapshot":
        # one instant for every stage and for the pins: the snapshot's
        at = at or now
        extra = _snapshot(args, config, result.report.sites, snapshot_url, ubuntu_url, at)
        # moving the instant moves the pins: the exact apt versions are resolved at it again
        from pinaudit.model import Action, Ecosystem, Pin
        from pinaudit.writer.fix import site_key

        again = [s for s in result.report.sites if s.ecosystem is Ecosystem.APT and s.action is Action.INSTALL
                 and s.pin is Pin.EXACT and s.location.path in extra["extra_paths"]]
        sites = sorted({site_key(s): s for s in [*sites, *again]}.values(), key=site_key)
    if source is not None:
        plan = plan_fix(sites, source(None), read, **extra)
    else:
        plan = _with_indexes(args, paths, config, sites, read, at=at, now=now, cwd=cwd, context=context, extra=extra,
                             ecosystems=ecosystems)
    if args.generate_hashes:
        plan = _hashed(args, config, plan, result.report.sites, read)
    return finish(plan, dry_run=args.dry_run, quiet=args.quiet, cwd=cwd, roots=paths, out=out)


def _online(args: argparse.Namespace, config: Any) -> tuple[Any, Any]:
    """The index options and HTTP settings for this run (options over the configuration)."""
    from pinaudit.online import OnlineOptions, http_settings

    settings = http_settings(timeout=args.timeout or config.timeout, offline=args.offline, refresh=args.refresh,
                             cache_max_mb=config.cache_max_mb)
    online = OnlineOptions.from_args(config, args, platform=args.platform, http=settings)
    return online, settings


def _with_indexes(args: argparse.Namespace, paths: Sequence[Path], config: Any, sites: Sequence[Any],
                  read: Callable[[str], bytes], *, at: datetime | None, now: datetime, cwd: Path,
                  context: Path | None, extra: dict[str, Any], ecosystems: frozenset[str] | None) -> FixPlan:
    from pinaudit.index.http import Transport
    from pinaudit.resolve._pip import PipSettings
    from pinaudit.simulation.model import Host, SimulateOptions
    from pinaudit.writer.locked import LockedVersions
    from pinaudit.writer.versions import HOST, IndexVersions

    online, settings = _online(args, config)
    pip = PipSettings(cache_dir=settings.cache_dir.parent / "resolvers" if settings.cache_dir else None,
                      offline=args.offline, refresh=args.refresh, timeout=settings.read_timeout,
                      retries=settings.retries)
    host = Host(HOST, at or now, now=at is None)
    options = SimulateOptions((host,), online, pip, now, ecosystems, args.resolver, args.python_version,
                              args.platform or "linux/amd64", args.jobs, context)
    with Transport(settings) as transport:
        rpm_repos = (*config.rpm_repos, *args.rpm_repo)
        source: VersionSource = IndexVersions(paths, config, options, transport=transport, cwd=cwd,
                                              rpm_repos=rpm_repos)
        ubuntu = args.ubuntu_snapshot or config.ubuntu_snapshot
        if args.apt_strategy == "snapshot" and ubuntu:
            from dataclasses import replace

            from pinaudit.index.debian import snapshot_stamp
            from pinaudit.writer.versions import UbuntuSnapshot

            # Ubuntu's dated archive is a mirror frozen at the instant (every pocket in one): the
            # stage's pins are today's answer of that mirror, the versions its sources line serves
            dated = f"{ubuntu.rstrip('/')}/ubuntu/{snapshot_stamp(at or now)}"
            frozen = replace(options, hosts=(Host(HOST, now, now=True),), online=replace(
                online, debian_mirror=dated, debian_security_mirror=dated, debian_snapshot=None))
            source = UbuntuSnapshot(source, IndexVersions(paths, config, frozen, transport=transport, cwd=cwd))
        if not (args.at or args.cooldown):
            source = LockedVersions(source, cwd, apt_from_locks=args.apt_strategy != "snapshot",
                                    platform=args.platform)
        return plan_fix(sites, source, read, **extra)


def _hashed(args: argparse.Namespace, config: Any, plan: FixPlan, every: Sequence[Any],
            read: Callable[[str], bytes]) -> FixPlan:
    """``--generate-hashes``: requirements files hashed whole; pip command lines are not (a
    command line's hashes need --require-hashes and every dependency spelled out: a lock's job)."""
    from pinaudit.index.http import Transport
    from pinaudit.model import Ecosystem
    from pinaudit.writer.hashes import add_hashes, hashable_sites
    from pinaudit.writer.versions import IndexHashes

    if plan.unreachable:
        return plan
    online, settings = _online(args, config)
    with Transport(settings) as transport:
        plan = add_hashes(plan, hashable_sites(every), IndexHashes(online, transport), read)
    lines = sorted({(s.location.path, s.location.span.line) for s, _v in plan.fixed
                    if s.ecosystem is Ecosystem.PIP and s.installer not in ("requirements", "constraints")})
    notes = [f"{p}:{n}: pip command line not hashed: hashes on a command line need --require-hashes and every "
             "dependency pinned and hashed there too; install from a hashed requirements file or pinaudit.lock "
             "(pinaudit lock) instead" for p, n in lines]
    return plan._replace(notes=(*plan.notes, *notes)) if notes else plan


def _snapshot(args: argparse.Namespace, config: Any, every: Sequence[Any], url: str | None, ubuntu: str | None,
              at: datetime) -> dict[str, Any]:
    """``plan_fix``'s extra edits for ``--apt-strategy snapshot``: the Dockerfiles with apt sites."""
    from pinaudit.images import parse_image
    from pinaudit.index.debian import snapshot_stamp
    from pinaudit.index.select import suite_from_image
    from pinaudit.model import Ecosystem
    from pinaudit.parse.lines import SourceText
    from pinaudit.simulation.installs import debian_based
    from pinaudit.simulation.run import debian_suite_at
    from pinaudit.writer.origins import is_dockerfile
    from pinaudit.writer.snapshot import snapshot_edits

    fixed_suite = args.debian_suite or config.debian_suite

    def suite_of(base: str | None) -> str | None:
        ref = parse_image(base) if base else None
        suite = suite_from_image(ref) or fixed_suite
        return suite or (debian_suite_at(at) if debian_based(ref) else None)

    def edits(path: str, source: SourceText) -> tuple[list[Any], list[str]]:
        return snapshot_edits(path, source, url, snapshot_stamp(at), suite_of, ubuntu)

    paths = sorted({s.location.path for s in every if s.ecosystem is Ecosystem.APT and is_dockerfile(s.location.path)})
    return {"extra_paths": paths, "extra": edits}


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
    for note in plan.notes:
        print(f"pinaudit: left {note}", file=err)
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
    return EXIT_LEFT if plan.left or plan.notes else EXIT_CLEAN
